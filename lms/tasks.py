from celery import shared_task

from . import services

HEARTBEAT_TASK = "lms.heartbeat"


@shared_task(name=HEARTBEAT_TASK, bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Record that a worker is consuming tasks. Fired by beat every HEARTBEAT_INTERVAL_SECONDS."""
    services.heartbeat_record_worker(hostname=self.request.hostname or "")
