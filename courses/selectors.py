from __future__ import annotations

from progress import selectors as progress_selectors
from progress.models import CourseProgress

from .models import CourseIndexPage, CoursePage


def catalogue_page() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().order_by("path").first()


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
    courses = {
        c.pk: c
        for c in CoursePage.objects.filter(pk__in=course_ids)
        .select_related("cover_image")
        .prefetch_related("prerequisites")
    }
    ordered = [courses[i] for i in dict.fromkeys(course_ids) if i in courses]
    states = progress_selectors.catalogue_states(user=user, courses=ordered)
    return [
        states[c.pk]
        for c in ordered
        if c.live or states[c.pk].status == progress_selectors.COMPLETED
    ]
