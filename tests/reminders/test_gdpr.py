"""Reminders in the register extract; anonymisation removes their content."""

from __future__ import annotations

import datetime

import pytest

from people.gdpr import anonymise_everywhere, register_extract
from reminders import services
from reminders.models import Delivery, Notice
from tests.reminders.conftest import MONDAY, assign, at, make_person

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_the_register_extract_lists_reminders_without_naming_others(world):
    late = make_person(world.unit)
    assign(late, world.course, MONDAY - 2 * DAY)
    services.sweep(today=MONDAY)
    services.send_due(now=at(MONDAY, 9))

    rows = register_extract(late.user)["sections"]["reminders"]
    assert len(rows) == 1
    assert rows[0]["course"] == "Likabehandling i praktiken"
    assert rows[0]["email_day"] == MONDAY.isoformat() and rows[0]["email_sent_at"]

    manager_rows = register_extract(world.manager.user)["sections"]["reminders"]
    assert manager_rows == [
        {
            "kind": manager_rows[0]["kind"],
            "decided_at": manager_rows[0]["decided_at"],
            "email_day": MONDAY.isoformat(),
            "email_status": manager_rows[0]["email_status"],
            "email_sent_at": manager_rows[0]["email_sent_at"],
            "people_listed": 1,
        }
    ]


def test_anonymisation_clears_the_content_and_keeps_the_record(world):
    late = make_person(world.unit)
    assign(late, world.course, MONDAY - 2 * DAY)
    services.sweep(today=MONDAY)
    Delivery.objects.filter(user=late.user).update(error="550 <x@kommun.example> refused")

    anonymise_everywhere(late.user)

    notice = Notice.objects.get(user=late.user)
    assert notice.payload == {} and notice.kind == "overdue"
    assert Delivery.objects.get(user=late.user).error == ""
