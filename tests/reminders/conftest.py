"""A small organisation with courses and assignments, for the reminder tests.

Dates are fixed: MONDAY is Monday 2 November 2026, a working day in Sweden.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from assignments.models import Assignment
from people.models import OrgUnit, Person
from progress.models import Completion, CourseProgress
from tests.factories import UserFactory, make_course

MONDAY = datetime.date(2026, 11, 2)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
_numbers = itertools.count(1)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in Stockholm time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def make_person(unit: OrgUnit | None, *, email: str | None = None, **fields) -> Person:
    number = next(_numbers)
    user = UserFactory(username=f"anstalld{number}")
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    return Person.objects.create(user=user, employee_number=f"R{number:05d}", unit=unit, **fields)


def assign(person: Person, course, due_on: datetime.date, **fields) -> Assignment:
    return Assignment.objects.create(
        user=person.user,
        course_id=course.pk,
        assigned_at=timezone.now(),
        due_on=due_on,
        **fields,
    )


def complete(person: Person, course, *, on: datetime.date, valid_until=None) -> Completion:
    moment = at(on)
    rounds = CourseProgress.objects.filter(user=person.user, course_id=course.pk).count()
    progress = CourseProgress.objects.create(
        user=person.user,
        course_id=course.pk,
        round=rounds + 1,
        started_at=moment,
        completed_at=moment,
    )
    return Completion.objects.create(
        user=person.user,
        course_id=course.pk,
        course_progress=progress,
        completed_at=moment,
        valid_until=valid_until,
    )


@dataclass
class World:
    root: OrgUnit
    unit: OrgUnit  # managed by `manager`
    other: OrgUnit  # managed by `other_manager`
    manager: Person
    other_manager: Person
    course: object
    second_course: object


@pytest.fixture
def world(catalogue) -> World:
    root = OrgUnit.add_root(code="K", name="Kommunen")
    unit = root.add_child(code="E1", name="Enhet Ett")
    other = root.add_child(code="E2", name="Enhet Två")
    manager = make_person(unit, is_manager=True)
    other_manager = make_person(other, is_manager=True)
    unit.managers.add(manager.user)
    other.managers.add(other_manager.user)
    return World(
        root=root,
        unit=unit,
        other=other,
        manager=manager,
        other_manager=other_manager,
        course=make_course(catalogue, title="Likabehandling i praktiken", modules=1),
        second_course=make_course(catalogue, title="Normkritik grund", modules=1),
    )
