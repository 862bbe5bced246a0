from celery.signals import after_task_publish

from .tasks import HEARTBEAT_TASK


@after_task_publish.connect
def record_heartbeat_sent(sender: str | None = None, **kwargs) -> None:
    # Runs in the process that publishes: beat, for the scheduled heartbeat.
    if sender == HEARTBEAT_TASK:
        from . import services

        services.heartbeat_record_beat()
