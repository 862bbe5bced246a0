"""The manager's page: coverage per course in the units they manage, and their people's
assignments, what needs doing first. Managers are not admin users; this is the front end."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode

from assignments.selectors import STATE_LABELS

from . import selectors

PER_PAGE = 50


def my_unit(request: HttpRequest) -> HttpResponse:
    """Someone who manages no unit gets a page that says so (200): the link is not shown to
    them, but a bookmark should explain itself rather than fail."""
    roots = selectors.managed_roots(request.user)
    if not roots:
        return TemplateResponse(request, "reports/my_unit.html", {"units": []})
    today = timezone.localdate()
    units = selectors.coverage_by_course(roots=roots, today=today)
    courses = sorted(
        {(row.course_id, row.title) for unit in units for row in unit.courses},
        key=lambda c: c[1],
    )
    try:
        course_id = int(request.GET.get("course", ""))
    except ValueError:
        course_id = None
    if course_id not in {pk for pk, _title in courses}:
        course_id = None
    state = request.GET.get("state") or None
    if state not in STATE_LABELS:
        state = None
    page = Paginator(
        selectors.assignments_in_units(roots=roots, today=today, course_id=course_id, state=state),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.label_states(page.object_list)
    filters = {k: v for k, v in (("course", course_id), ("state", state)) if v}
    return TemplateResponse(
        request,
        "reports/my_unit.html",
        {
            "units": units,
            "courses": courses,
            "course_id": course_id,
            "states": list(STATE_LABELS.items()),
            "state": state,
            "page": page,
            "query": urlencode(filters),
            "today": today,
        },
    )
