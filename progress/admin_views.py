"""HR's view of one person's course history: every round of every course, with completions and
how long they were valid. HR within its scope, and administrators."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.admin.auth import permission_denied

from people.selectors import is_hr, people_in_scope

from . import selectors


def may_see_history(user) -> bool:
    return user.is_active and (user.is_superuser or is_hr(user))


def person_history(request: HttpRequest, person_id: int) -> HttpResponse:
    if not may_see_history(request.user):
        return permission_denied(request)
    person = (
        people_in_scope(request.user).filter(pk=person_id).select_related("user", "unit").first()
    )
    if person is None:  # outside HR's scope, or no such person: the same answer
        raise PermissionDenied
    name = person.user.get_full_name() or person.user.get_username()
    return TemplateResponse(
        request,
        "progress/admin/person_history.html",
        {"person": person, "name": name, "rounds": selectors.rounds_history(user=person.user)},
    )
