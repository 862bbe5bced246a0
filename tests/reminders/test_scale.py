"""The sweep reads in slices of constant size: its queries do not grow with the data."""

from __future__ import annotations

import datetime

import pytest

from reminders import services
from reminders.models import Delivery, Notice, NoticeKind
from tests.helpers import assert_queries_independent_of_size
from tests.reminders.conftest import MONDAY, assign, complete, make_person

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def people_with_everything(world, count: int) -> None:
    for n in range(count):
        unit = world.unit if n % 2 else world.other
        late, soon, renew = make_person(unit), make_person(unit), make_person(unit)
        assign(late, world.course, MONDAY - (n + 1) * DAY)
        assign(late, world.second_course, MONDAY + 2 * DAY)
        assign(soon, world.course, MONDAY + (n % 14) * DAY)
        assign(renew, world.course, MONDAY - 900 * DAY)
        complete(renew, world.course, on=MONDAY - 800 * DAY, valid_until=MONDAY + 10 * DAY)
        assign(make_person(unit), world.course, MONDAY + 100 * DAY)  # nothing to say


def test_sweep_queries_do_not_grow_with_the_number_of_assignments(world):
    people_with_everything(world, 2)

    def measure():
        Notice.objects.all().delete()
        Delivery.objects.all().delete()
        services.sweep(today=MONDAY)  # a Monday: the managers' summaries too

    count = assert_queries_independent_of_size(
        measure, lambda: people_with_everything(world, 25), label="reminder sweep"
    )
    kinds = set(Notice.objects.values_list("kind", flat=True))
    # HR's goal alert needs a coverage goal (none here): tests/reminders/test_hr_goal_alert.py;
    # the workplace-meeting reminder a group module: tests/workplace_meetings/test_reminders.py.
    assert kinds == set(NoticeKind.values) - {NoticeKind.HR_GOAL, NoticeKind.GROUP_MODULE}
    assert Notice.objects.filter(kind=NoticeKind.OVERDUE).count() == 27
    assert count < 30
