"""The Celery tasks, their beat schedules, and a run through a real worker."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django_celery_beat.models import PeriodicTask

from reminders import calendar, tasks
from reminders.models import Delivery, DeliveryStatus, Notice
from tests.helpers import require_postgres, wait_for
from tests.reminders.conftest import assign, make_person


@pytest.mark.django_db
def test_beat_runs_the_sweep_daily_at_six_and_the_sender_every_quarter_hour():
    migration = importlib.import_module("reminders.migrations.0002_reminder_schedules")
    migration.create_schedules(apps, None)  # idempotent: also after a test flushed the table
    migration.create_schedules(apps, None)
    sweep = PeriodicTask.objects.get(task=tasks.SWEEP_TASK)
    assert (sweep.crontab.minute, sweep.crontab.hour) == ("0", "6")
    assert str(sweep.crontab.timezone) == "Europe/Stockholm"
    send = PeriodicTask.objects.get(task=tasks.SEND_TASK)
    assert (send.crontab.minute, send.crontab.hour) == ("*/15", "*")
    assert sweep.expire_seconds and send.expire_seconds
    assert sweep.enabled and send.enabled


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_and_sends(celery_worker, world, settings, monkeypatch):
    # The worker writes while this thread polls: SQLite's shared in-memory test database
    # answers that with "table is locked" instead of waiting, so this needs PostgreSQL.
    require_postgres()
    # Whatever day the test runs on, let the window be open (the worker runs in this process).
    settings.REMINDER_SEND_HOURS = (0, 24)
    monkeypatch.setattr(calendar, "is_send_day", lambda day: True)
    person = make_person(world.unit)
    today = calendar.local().date()
    assign(person, world.course, today - datetime.timedelta(days=1))

    tasks.sweep.delay()
    assert wait_for(lambda: Delivery.objects.filter(user=person.user).exists())
    assert Notice.objects.filter(user=person.user, kind="overdue").exists()
    tasks.send_due.delay()
    assert wait_for(
        lambda: Delivery.objects.filter(user=person.user, status=DeliveryStatus.SENT).exists()
    )
    assert [m.to for m in mail.outbox if m.to == [person.user.email]] == [[person.user.email]]
