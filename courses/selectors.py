from __future__ import annotations

from lms import content_cache
from progress import selectors as progress_selectors
from progress.models import CourseProgress


def my_course_states(*, user) -> list[progress_selectors.CourseState]:
    """The learner's started courses, newest activity first, in a fixed number of queries.

    Unpublished courses stay listed when completed: the learner keeps the record.
    """
    course_ids = list(
        CourseProgress.objects.filter(user=user)
        .order_by("-started_at")
        .values_list("course_id", flat=True)
        .distinct()
    )
    # Titles, addresses and prerequisites change only on publish: from the content cache.
    courses = content_cache.courses(course_ids)
    ordered = [courses[i] for i in dict.fromkeys(course_ids) if i in courses]
    states = progress_selectors.catalogue_states(user=user, courses=ordered)
    return [
        states[c.pk]
        for c in ordered
        if c.live or states[c.pk].status == progress_selectors.COMPLETED
    ]
