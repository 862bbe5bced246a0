from celery.signals import before_task_publish

from .tasks import HEARTBEAT_TASK


@before_task_publish.connect
def record_heartbeat_sent(sender: str | None = None, **kwargs) -> None:
    # Runs in the process that publishes (beat, for the scheduled heartbeat), before the
    # message leaves, so the recorded send time never comes after the worker's run.
    if sender == HEARTBEAT_TASK:
        from . import services

        services.heartbeat_record_beat()
