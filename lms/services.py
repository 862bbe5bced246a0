"""Writes of the platform's own operational state."""

from django.utils import timezone

from .models import Heartbeat

HEARTBEAT_NAME = "celery"


def heartbeat_record_beat(*, name: str = HEARTBEAT_NAME) -> None:
    # update_or_create keeps one row per name; beat and worker touch different columns.
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_sent_at": timezone.now()})


def heartbeat_record_worker(*, hostname: str, name: str = HEARTBEAT_NAME) -> None:
    Heartbeat.objects.update_or_create(
        name=name, defaults={"worker_seen_at": timezone.now(), "worker_hostname": hostname[:255]}
    )
