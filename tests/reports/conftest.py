"""A small municipality with hand-countable coverage (course X unless said otherwise).

    Kommunen (K)
    ├── Förvaltning A (A)       direct: mA (manager, woman) completed
    │   ├── Enhet A1 (A1)       w1 C, w2 C, w3 in progress, w4 overdue, w5 not started,
    │   │                       m1 (manager, man) C, m3 C, m4 not started, m5 C (men, staff)
    │   └── Enhet A2 (A2)       w6 C, w7 exempted, m2 (man) expired, o1 (other) overdue
    └── Förvaltning B (B)       b1 C, b2 C, b3 not started

Course Y: w1 completed, w4 not started.

Course X per unit (assigned = open minus exempted):
    A1: 9 assigned, 5 completed, 1 in progress, 2 not started, 1 overdue      → 55 %
    A2: 3 assigned, 1 completed, 1 expired, 1 overdue, 1 exempted             → 33 %
    A:  13 assigned (incl. mA), 7 completed                                   → 53 %
    B:  3 assigned, 2 completed                                               → 66 %
    K:  16 assigned, 9 completed                                              → 56 %
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from assignments.models import Assignment
from people.models import HRScope, OrgUnit, Person, Sex
from progress.models import Completion, CourseProgress
from tests.factories import UserFactory, make_course

_numbers = itertools.count(1)


def add_person(unit, *, username=None, manager=False, sex=Sex.WOMAN, first_name=None):
    number = next(_numbers)
    user = UserFactory(
        username=username or f"rp{number}",
        first_name=first_name or f"Förnamn{number}",
        last_name=f"Efternamn{number:03d}",
    )
    Person.objects.create(
        user=user, employee_number=f"R{number}", unit=unit, is_manager=manager, sex=sex
    )
    return user


def complete(user, course, *, at=None, valid_until=None):
    at = at or timezone.now() - datetime.timedelta(days=3)
    rounds = CourseProgress.objects.filter(user=user, course=course).count()
    progress = CourseProgress.objects.create(
        user=user, course=course, round=rounds + 1, started_at=at, completed_at=at
    )
    return Completion.objects.create(
        user=user, course=course, course_progress=progress, completed_at=at, valid_until=valid_until
    )


def assign(user, course, state, *, today=None, assigned_at=None):
    """An open assignment in `state` (completed, in_progress, not_started, overdue, expired,
    exempted), made so by its due date and the learner's records."""
    today = today or timezone.localdate()
    past, future = today - datetime.timedelta(days=10), today + datetime.timedelta(days=30)
    assignment = Assignment.objects.create(
        user=user,
        course=course,
        assigned_at=assigned_at or timezone.now() - datetime.timedelta(days=60),
        due_on=past if state in ("overdue", "expired") else future,
        exempted_at=timezone.now() if state == "exempted" else None,
    )
    if state == "completed":
        complete(user, course)
    elif state == "expired":
        complete(
            user,
            course,
            at=timezone.now() - datetime.timedelta(days=800),
            valid_until=today - datetime.timedelta(days=5),
        )
    elif state == "in_progress":
        CourseProgress.objects.create(
            user=user, course=course, started_at=timezone.now() - datetime.timedelta(days=2)
        )
    return assignment


def hr_group():
    group, _created = Group.objects.get_or_create(name="HR")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="reports"),
    )
    return group


def make_hr(username, unit):
    user = UserFactory(username=username)
    user.groups.add(hr_group())
    HRScope.objects.create(user=user, unit=unit)
    return user


@dataclass
class Tree:
    root: OrgUnit
    a: OrgUnit
    a1: OrgUnit
    a2: OrgUnit
    b: OrgUnit
    x: object
    y: object
    people: dict


@pytest.fixture
def tree(catalogue) -> Tree:
    from reports.models import ProtectionChange

    # The protection cache's counter row is migration data; a flushing (transactional) test
    # earlier in the same xdist process may have removed it, which turns the cache off.
    ProtectionChange.objects.get_or_create(pk=1)
    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    a = root.add_child(instance=OrgUnit(code="A", name="Förvaltning A"))
    a1 = a.add_child(instance=OrgUnit(code="A1", name="Enhet A1"))
    a2 = a.add_child(instance=OrgUnit(code="A2", name="Enhet A2"))
    b = root.add_child(instance=OrgUnit(code="B", name="Förvaltning B"))
    x = make_course(catalogue, title="Kurs X", modules=1)
    y = make_course(catalogue, title="Kurs Y", modules=1)
    W, M, X = Sex.WOMAN, Sex.MAN, Sex.OTHER
    plan = [
        ("mA", a, True, W, "completed"),
        ("w1", a1, False, W, "completed"),
        ("w2", a1, False, W, "completed"),
        ("w3", a1, False, W, "in_progress"),
        ("w4", a1, False, W, "overdue"),
        ("w5", a1, False, W, "not_started"),
        ("m1", a1, True, M, "completed"),
        ("m3", a1, False, M, "completed"),
        ("m4", a1, False, M, "not_started"),
        ("m5", a1, False, M, "completed"),
        ("w6", a2, False, W, "completed"),
        ("w7", a2, False, W, "exempted"),
        ("m2", a2, False, M, "expired"),
        ("o1", a2, False, X, "overdue"),
        ("b1", b, False, W, "completed"),
        ("b2", b, False, W, "completed"),
        ("b3", b, False, W, "not_started"),
    ]
    people = {}
    for key, unit, manager, sex, state in plan:
        people[key] = add_person(unit, username=key, manager=manager, sex=sex)
        assign(people[key], x, state)
    assign(people["w1"], y, "completed")
    assign(people["w4"], y, "not_started")
    return Tree(root, a, a1, a2, b, x, y, people)
