import time

import pytest
from django.conf import settings

from lms.models import Heartbeat
from lms.tasks import heartbeat
from tests.helpers import IN_CI


def test_ci_uses_redis_broker_and_postgres():
    # In CI these tests are about the production services; catch a run that silently fell back.
    if not IN_CI:
        pytest.skip("only meaningful in CI")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_task_runs_on_real_worker_and_writes_to_database(celery_worker):
    assert not Heartbeat.objects.exists()
    heartbeat.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        row = Heartbeat.objects.filter(worker_seen_at__isnull=False).first()
        if row:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the heartbeat task within 20 s")
    assert row.worker_hostname  # the worker that ran it says who it is
    # Publishing recorded the send time too (the signal that beat relies on).
    assert row.beat_sent_at is not None
    assert row.beat_sent_at <= row.worker_seen_at


def test_redis_visibility_timeout_exceeds_every_tasks_hard_time_limit():
    # acks_late: Redis gives an unacknowledged message to another worker after the visibility
    # timeout, so a task still running at that point would run twice.
    from lms.celery import app

    app.loader.import_default_modules()  # every app's tasks.py
    limits = {
        name: task.time_limit or app.conf.task_time_limit
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    }
    assert "lms.heartbeat" in limits
    assert app.conf.task_acks_late
    longest = max(limits.values())
    assert longest < settings.CELERY_BROKER_VISIBILITY_TIMEOUT, limits
    if settings.CELERY_BROKER_URL.startswith("redis"):
        options = app.conf.broker_transport_options
        assert options["visibility_timeout"] == settings.CELERY_BROKER_VISIBILITY_TIMEOUT


def _load_settings(**environment: str):
    """Load the settings in a process of their own with these environment variables."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_VISIBILITY_TIMEOUT, "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS.get('visibility_timeout'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.test",
            "REDIS_URL": "redis://127.0.0.1:6379/0",  # never connected to: only read
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_raised_import_time_limit_raises_the_default_visibility_timeout():
    # The import's hard limit is configurable: left at its default, the visibility timeout
    # follows the longest limit, so a long import is not handed to a second worker.
    result = _load_settings(EMPLOYEE_IMPORT_TIME_LIMIT="3600")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["7200", "7200"]


def test_a_visibility_timeout_not_above_the_longest_time_limit_refuses_to_start():
    result = _load_settings(
        EMPLOYEE_IMPORT_TIME_LIMIT="3600", CELERY_BROKER_VISIBILITY_TIMEOUT="3600"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CELERY_BROKER_VISIBILITY_TIMEOUT (3600 s) must be above" in result.stderr
    assert _load_settings(CELERY_BROKER_VISIBILITY_TIMEOUT="3601").returncode == 0
