"""What a learner has to do, for the home page and the catalogue's "assigned" badges.

Home sits above courses, progress and assignments, so it may read all three; the catalogue
template uses these tags so that `courses` does not import `assignments`.
"""

from __future__ import annotations

from django import template

from assignments import selectors as assignment_selectors
from progress.models import CourseProgress

register = template.Library()


def _my_assignments(context) -> list:
    """The learner's open assignments, read once per request (home and catalogue share it)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    rows = getattr(request, "_my_assignments", None)
    if rows is None:
        rows = assignment_selectors.my_assignments(user=request.user)
        request._my_assignments = rows
    return rows


@register.inclusion_tag("home/includes/to_do.html", takes_context=True)
def learner_to_do(context) -> dict:
    """Assigned courses still to do (overdue first, then by due date), each marked started or
    not, and the completed ones; in two queries whatever the number of courses."""
    rows = _my_assignments(context)
    to_do = [a for a in rows if a.state in assignment_selectors.TO_DO]
    started: set[int] = set()
    if to_do:
        started = set(
            CourseProgress.objects.filter(
                user=context["request"].user,
                completed_at__isnull=True,
                course_id__in=[a.course_id for a in to_do],
            ).values_list("course_id", flat=True)
        )
    for assignment in to_do:
        assignment.is_started = assignment.course_id in started
    return {
        "to_do": to_do,
        "completed": [a for a in rows if a.state == assignment_selectors.COMPLETED],
        "request": context.get("request"),
    }


@register.simple_tag(takes_context=True)
def assigned_courses(context) -> dict:
    """{course id: open assignment still to do} for the catalogue's badges, in one query."""
    return {
        a.course_id: a for a in _my_assignments(context) if a.state in assignment_selectors.TO_DO
    }


@register.filter
def for_course(assigned: dict, course_id: int):
    return assigned.get(course_id) if assigned else None
