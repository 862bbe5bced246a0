"""Who may see which part of the organisation. Every view of people goes through here.

- Administrators (superusers) see everything.
- HR users (group "HR") see the subtrees of their HR scopes.
- Managers see the units they manage and everything below them.
- Everybody else sees only themselves.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import HRScope, OrgUnit, Person

HR_GROUP = "HR"


def is_hr(user) -> bool:
    if not user.is_authenticated:
        return False
    # Asked several times per admin request; the answer lives as long as the user object
    # (one request), like Django's own permission cache.
    if not hasattr(user, "_is_hr"):
        user._is_hr = user.groups.filter(name=HR_GROUP).exists()
    return user._is_hr


def _subtrees(units) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return condition


def visible_units(user) -> QuerySet[OrgUnit]:
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    if user.is_superuser:
        return OrgUnit.objects.all()
    roots = list(OrgUnit.objects.filter(managers=user))
    if is_hr(user):
        roots += [scope.unit for scope in HRScope.objects.filter(user=user).select_related("unit")]
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(_subtrees(roots))


def hr_units(user) -> QuerySet[OrgUnit]:
    """The units of the user's HR scopes only (not the units they manage): for powers that
    belong to HR, such as revoking a diploma."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    if user.is_superuser:
        return OrgUnit.objects.all()
    roots = [scope.unit for scope in HRScope.objects.filter(user=user).select_related("unit")]
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(_subtrees(roots))


def people_in_scope(user) -> QuerySet[Person]:
    """The people this user may see, as a queryset (never a list: it can be 60,000 rows)."""
    if not user.is_authenticated:
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    return Person.objects.filter(Q(unit__in=visible_units(user)) | Q(user=user)).distinct()


def can_see_person(user, person: Person) -> bool:
    return people_in_scope(user).filter(pk=person.pk).exists()


def has_whole_organisation(user) -> bool:
    """Superusers, and HR whose scope includes a top unit. (The first import, before there is
    an organisation to be scoped to, is an administrator's.)"""
    if user.is_superuser:
        return True
    if not is_hr(user):
        return False
    return HRScope.objects.filter(user=user, unit__depth=1).exists()
