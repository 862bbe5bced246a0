from celery import shared_task
from django.core.management import call_command

from . import services

HEARTBEAT_TASK = "lms.heartbeat"


@shared_task(name=HEARTBEAT_TASK, bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Record that a worker is consuming tasks. Fired by beat every HEARTBEAT_INTERVAL_SECONDS."""
    services.heartbeat_record_worker(hostname=self.request.hostname or "")


@shared_task(name="lms.publish_scheduled", ignore_result=True)
def publish_scheduled() -> None:
    """Publish and unpublish what editors scheduled (Wagtail's go-live and expiry dates)."""
    call_command("publish_scheduled", verbosity=0)
