"""HR's weekly alert about a coverage goal at risk (issue 11, item 4 and acceptance 4)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from people.models import HRScope
from people.selectors import HR_GROUP
from reminders import services
from reminders.models import Notice, NoticeKind
from reports.models import CoverageGoal

from .conftest import MONDAY, assign, at, complete, make_person

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def make_hr(unit, email="hr@exempelkommun.se"):
    person = make_person(unit, email=email)
    person.user.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    HRScope.objects.create(user=person.user, unit=unit)
    return person


@pytest.fixture
def at_risk(world):
    """Ten people in the unit, none completed, no pace: the goal will be missed."""
    for _ in range(10):
        assign(make_person(world.unit), world.course, MONDAY + 60 * DAY)
    goal = CoverageGoal.objects.create(
        name="Åttio procent", target_percent=80, deadline=MONDAY + 40 * DAY, unit=world.unit
    )
    return goal


def alerts():
    return Notice.objects.filter(kind=NoticeKind.HR_GOAL)


def test_decided_once_per_goal_and_week_for_hr_whose_scope_holds_the_unit(world, at_risk):
    hr = make_hr(world.root)
    make_hr(world.other, email="annan@exempelkommun.se")  # scope without the goal's unit
    services.sweep(today=MONDAY)
    services.sweep(today=MONDAY)
    services.sweep(today=MONDAY + 2 * DAY)  # same ISO week
    assert [n.user_id for n in alerts()] == [hr.user_id]
    services.sweep(today=MONDAY + 7 * DAY)
    assert alerts().count() == 2
    payload = alerts().first().payload
    assert payload["status"] == "no_pace" and payload["unit_id"] == world.unit.pk


def test_sent_inside_the_send_window_in_the_days_email_with_the_drill_down_link(world, at_risk):
    hr = make_hr(world.root)
    services.sweep(today=MONDAY)
    assert services.send_due(now=at(MONDAY - 2 * DAY, 10)).window_closed  # a Saturday
    assert mail.outbox == []
    result = services.send_due(now=at(MONDAY, 9))
    assert result.sent == 1
    (email,) = mail.outbox
    assert email.to == [hr.user.email]
    assert f"/admin/coverage/units/{world.unit.pk}/?course=" not in email.body  # all courses
    assert f"http://localhost:8000/admin/coverage/units/{world.unit.pk}/" in email.body
    assert "Åttio procent" in email.body and "takten ökar" in email.body


def test_no_alert_when_the_forecast_reaches_the_target_in_time(world):
    people = [make_person(world.unit) for _ in range(10)]
    for number, person in enumerate(people):
        assign(person, world.course, MONDAY + 60 * DAY)
        if number < 8:  # 80 % already
            complete(person, world.course, on=MONDAY - 3 * DAY)
    CoverageGoal.objects.create(
        name="Nått", target_percent=80, deadline=MONDAY + 40 * DAY, unit=world.unit
    )
    make_hr(world.root)
    services.sweep(today=MONDAY)
    assert not alerts().exists()


def test_alert_after_the_deadline_when_under_target(world):
    people = [make_person(world.unit) for _ in range(10)]
    for number, person in enumerate(people):
        assign(person, world.course, MONDAY + 60 * DAY)
        if number < 5:
            # A steady pace would reach it, but the deadline has passed.
            complete(person, world.course, on=MONDAY - (number + 1) * 7 * DAY)
    CoverageGoal.objects.create(
        name="Förbi", target_percent=80, deadline=MONDAY - 10 * DAY, unit=world.unit
    )
    make_hr(world.root)
    services.sweep(today=MONDAY)
    (notice,) = alerts()
    assert notice.payload["status"] == "after_deadline"
