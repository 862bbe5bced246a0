"""Reads of diplomas: the learner's own, HR's within its scope, the public verification."""

from __future__ import annotations

from django.db.models import QuerySet

from people.models import OrgUnit
from people.selectors import hr_units, is_hr

from . import codes
from .models import Diploma


def by_code(text: str) -> Diploma | None:
    code = codes.normalise(text)
    if code is None:
        return None
    return Diploma.objects.select_related("completion").filter(code=code).first()


def may_manage(user) -> bool:
    """HR and administrators reach diplomas of people in their scope (HRScope subtrees)."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or is_hr(user)))


def diplomas_in_scope(user) -> QuerySet[Diploma]:
    diplomas = Diploma.objects.select_related("completion", "completion__user__person__unit")
    if not may_manage(user):
        return diplomas.none()
    if user.is_superuser:
        return diplomas
    return diplomas.filter(completion__user__person__unit__in=hr_units(user))


def visible_units_for(user) -> QuerySet[OrgUnit]:
    if not may_manage(user):
        return OrgUnit.objects.none()
    return hr_units(user).order_by("path")


def unit_in_scope(user, unit_id: int) -> OrgUnit | None:
    if not may_manage(user):
        return None
    return hr_units(user).filter(pk=unit_id).first()


def diplomas_of_unit(user, unit: OrgUnit, *, subunits: bool) -> QuerySet[Diploma]:
    """Diplomas of people in `unit` (and below it with `subunits`), inside the user's scope."""
    diplomas = diplomas_in_scope(user)
    if subunits:
        return diplomas.filter(completion__user__person__unit__path__startswith=unit.path)
    return diplomas.filter(completion__user__person__unit=unit)


def course_choices() -> list[tuple[int, str]]:
    from courses.models import CoursePage

    return list(CoursePage.objects.order_by("title").values_list("pk", "title"))
