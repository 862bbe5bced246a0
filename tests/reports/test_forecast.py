"""Forecast toward each goal on synthetic histories with known answers (issue 11, acceptance 3).

Today is Monday 30 November 2026; the window is the eight full weeks from Monday 5 October to
Sunday 29 November.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from people.models import OrgUnit
from reports import forecast
from reports.models import CoverageGoal
from tests.factories import make_course

from .conftest import add_person, assign, complete

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def clock():
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, tzinfo=tz), tick=False):
        yield


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def unit_with(parent, code, *, assigned, completions, course):
    """`assigned` people with course; `completions` lists the days their completions fell on."""
    unit = parent.add_child(instance=OrgUnit(code=code, name=f"Enhet {code}"))
    for number in range(assigned):
        user = add_person(unit)
        assign(user, course, "not_started", assigned_at=at(datetime.date(2026, 6, 1)))
        if number < len(completions):
            complete(user, course, at=at(completions[number]))
    return unit


@pytest.fixture
def org(catalogue):
    course = make_course(catalogue, title="Kurs F", modules=1)
    root = OrgUnit.add_root(instance=OrgUnit(code="F", name="Prognoskommunen"))
    monday = datetime.date(2026, 10, 5)
    # Steady: one completion a week for eight weeks; 20 assigned, 8 completed.
    steady = unit_with(
        root,
        "S",
        assigned=20,
        completions=[monday + datetime.timedelta(weeks=w, days=2) for w in range(8)],
        course=course,
    )
    # Stalled: ten completions in the spring, none since.
    stalled = unit_with(
        root, "ST", assigned=20, completions=[datetime.date(2026, 4, 1)] * 10, course=course
    )
    # Above target: 9 of 10 completed (in the spring).
    above = unit_with(
        root, "A", assigned=10, completions=[datetime.date(2026, 3, 2)] * 9, course=course
    )
    # One APT week: six completions on one day, nothing else.
    apt = unit_with(
        root, "APT", assigned=20, completions=[datetime.date(2026, 11, 4)] * 6, course=course
    )
    return root, course, steady, stalled, above, apt


def goal(course, unit, deadline, target=80):
    return CoverageGoal.objects.create(
        name="Mål", target_percent=target, deadline=deadline, course=course, unit=unit
    )


def one(course, unit, deadline, root):
    (result,) = forecast.forecast_goals([goal(course, unit, deadline)], roots=[root], today=TODAY)
    (mine,) = result.overall
    return result, mine


def test_window_is_the_eight_full_weeks_before_this_one():
    assert forecast.window(TODAY) == (datetime.date(2026, 10, 5), datetime.date(2026, 11, 30))
    # Mid-week the window does not move.
    assert forecast.window(datetime.date(2026, 12, 3)) == forecast.window(TODAY)


def test_steady_pace_reaches_the_target_on_the_expected_date(org):
    root, course, steady, *_ = org
    # 80 % of 20 = 16; 8 completed: 8 missing at one a week = 8 weeks = 56 days.
    _result, mine = one(course, steady, datetime.date(2027, 3, 1), root)
    assert (mine.assigned, mine.completed, mine.needed, mine.pace) == (20, 8, 8, 1.0)
    assert mine.reaches_on == datetime.date(2027, 1, 25)
    assert mine.status == forecast.ON_TRACK and not mine.misses


def test_steady_pace_too_slow_for_the_deadline_is_late_by_the_difference(org):
    root, course, steady, *_ = org
    _result, mine = one(course, steady, datetime.date(2026, 12, 31), root)
    assert mine.status == forecast.LATE and mine.days_late == 25


def test_a_stalled_unit_gets_no_date(org):
    root, course, _steady, stalled, *_ = org
    _result, mine = one(course, stalled, datetime.date(2027, 6, 30), root)
    assert mine.pace == 0 and mine.reaches_on is None
    assert mine.status == forecast.NO_PACE
    with translation.override("sv"):
        assert mine.status_label == "når målet bara om takten ökar"


def test_one_apt_week_is_not_extrapolated(org):
    root, course, *_rest, apt = org
    _result, mine = one(course, apt, datetime.date(2027, 6, 30), root)
    assert mine.completed == 6 and mine.pace == 0 and mine.status == forecast.NO_PACE


def test_a_unit_above_target_says_so(org):
    root, course, _steady, _stalled, above, _apt = org
    _result, mine = one(course, above, datetime.date(2026, 12, 31), root)
    assert mine.status == forecast.REACHED and mine.reaches_on is None and mine.needed == 0


def test_units_that_will_miss_are_sorted_by_how_far(org):
    root, course, *_units = org
    result, whole = one(course, None, datetime.date(2026, 12, 31), root)
    assert whole.unit == root
    missing = [f.unit.code for f in result.missing]
    # No pace at all is the furthest; then the steady unit, 25 days late; the root itself
    # (70 assigned, 33 completed, 1 a week) is later still.
    assert set(missing[:2]) == {"APT", "ST"} and set(missing) == {"APT", "ST", "F", "S"}
    assert missing.index("F") < missing.index("S")
    assert "A" not in missing


def test_constant_number_of_queries_whatever_the_number_of_units(org, django_assert_num_queries):
    root, course, *_ = org
    goals = [goal(course, None, datetime.date(2026, 12, 31)), goal(None, None, TODAY)]
    with django_assert_num_queries(3):
        small = forecast.forecast_goals(goals, roots=[root], today=TODAY)
    for number in range(12):
        unit_with(
            root,
            f"X{number}",
            assigned=3,
            completions=[datetime.date(2026, 11, 3)],
            course=course,
        )
    with django_assert_num_queries(3):
        large = forecast.forecast_goals(goals, roots=[root], today=TODAY)
    assert len(large[0].units) == len(small[0].units) + 12
