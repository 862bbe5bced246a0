"""The managers' reminder kind: units that have not held a required group module (APT), in the
same outbox, send window and one-email-a-day rules as the other reminders."""

import datetime

import pytest
from django.core import mail

from reminders import services as reminder_services
from reminders.models import Delivery, Notice, NoticeKind
from tests.reminders.conftest import MONDAY, at
from workplace_meetings import selectors
from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

pytestmark = pytest.mark.django_db


def notices():
    return Notice.objects.filter(kind=NoticeKind.GROUP_MODULE)


def test_decided_once_a_month_per_manager_and_sent_in_the_days_email(apt):
    # Hemtjänsten Norr has a meeting planned: not reminded about it.
    WorkplaceMeeting.objects.create(
        unit=apt["north"], module=apt["module"], date=MONDAY + datetime.timedelta(days=7)
    )
    reminder_services.sweep(today=MONDAY)
    reminder_services.sweep(today=MONDAY)
    (notice,) = notices()
    assert notice.user == apt["manager"]
    assert notice.key == f"group_module:{apt['manager'].pk}:2026-11"
    assert [i["unit"] for i in notice.payload["items"]] == ["Hemtjänsten Syd"]
    # One email per day: the notice rides in the manager's delivery for the send day.
    assert Delivery.objects.filter(user=apt["manager"]).count() == 1
    assert reminder_services.send_due(now=at(MONDAY, 9)).sent == 1
    (email,) = mail.outbox
    assert email.to == [apt["manager"].email]
    assert "Hemtjänsten Syd" in email.body and "Hemtjänsten Norr" not in email.body
    assert "/arbetsplatstraffar/" in email.body
    # Later the same month: nothing new; a new month decides again.
    reminder_services.sweep(today=MONDAY + datetime.timedelta(days=1))
    assert notices().count() == 1
    reminder_services.sweep(today=datetime.date(2026, 12, 1))
    assert notices().count() == 2


def test_a_unit_that_held_it_since_the_sweep_is_left_out_of_the_email(apt):
    reminder_services.sweep(today=MONDAY)
    for unit in (apt["north"], apt["south"]):
        WorkplaceMeeting.objects.create(
            unit=unit, module=apt["module"], date=MONDAY, status=MeetingStatus.HELD
        )
    result = reminder_services.send_due(now=at(MONDAY, 9))
    assert result.sent == 0 and mail.outbox == []


def test_held_in_the_period_means_no_reminder(apt):
    WorkplaceMeeting.objects.create(
        unit=apt["south"],
        module=apt["module"],
        date=MONDAY - datetime.timedelta(days=300),
        status=MeetingStatus.HELD,
    )
    WorkplaceMeeting.objects.create(
        unit=apt["north"],
        module=apt["module"],
        date=MONDAY - datetime.timedelta(days=400),  # too long ago
        status=MeetingStatus.HELD,
    )
    missing = selectors.units_missing_group_modules(MONDAY)
    assert [(m, u) for m, u, *_rest in missing] == [(apt["manager"].pk, apt["north"].pk)]


def test_the_decision_takes_a_constant_number_of_queries(apt, django_assert_num_queries):
    from tests.workplace_meetings.test_selectors import _grow

    _grow(apt["soc"], 3, apt["module"], MONDAY)
    with django_assert_num_queries(3):
        small = selectors.units_missing_group_modules(MONDAY)
    _grow(apt["root"], 40, apt["module"], MONDAY)
    with django_assert_num_queries(3):
        large = selectors.units_missing_group_modules(MONDAY)
    assert len(large) == len(small) + 20
