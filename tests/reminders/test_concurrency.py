"""Two workers at once: every person gets exactly one email (PostgreSQL, SKIP LOCKED)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from reminders import services
from reminders.models import Delivery, DeliveryStatus, Notice
from tests.helpers import require_postgres
from tests.reminders.conftest import MONDAY, assign, at, make_person

pytestmark = pytest.mark.django_db(transaction=True)

TUESDAY = MONDAY + datetime.timedelta(days=1)


def run_at_once(func, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        barrier.wait()
        try:
            results.append(func())
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("attempt", range(2))
def test_two_workers_sending_at_once_send_each_email_once(world, monkeypatch, attempt):
    require_postgres()
    people = [make_person(world.unit if n % 2 else world.other) for n in range(12)]
    for person in people:
        assign(person, world.course, TUESDAY - datetime.timedelta(days=1))
        assign(person, world.second_course, TUESDAY + datetime.timedelta(days=3))
    services.sweep(today=TUESDAY)
    original = EmailMultiAlternatives.send

    def slow_send(self, *args, **kwargs):
        time.sleep(0.02)  # a mail server takes a moment: the workers overlap
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)

    results = run_at_once(lambda: services.send_due(now=at(TUESDAY, 9)))

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(p.user.email for p in people)
    assert sum(r.sent for r in results) == 12
    assert all(r.sent for r in results), "both workers should have sent some"
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_two_sweeps_at_once_decide_each_reminder_once(world):
    require_postgres()
    for n in range(20):
        assign(make_person(world.unit), world.course, TUESDAY + datetime.timedelta(days=n % 5))
    run_at_once(lambda: services.sweep(today=TUESDAY))
    assert Notice.objects.count() == 20
    assert Delivery.objects.count() == 20
    assert not Notice.objects.filter(delivery__isnull=True).exists()
