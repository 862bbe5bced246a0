from celery import shared_task

from . import services


@shared_task(name="learning_records.send_statements", soft_time_limit=240, time_limit=300)
def send_statements() -> int:
    """Send what is due (after an event commits, and every minute from beat)."""
    return services.send_pending().sent
