from celery import shared_task

from . import services

SWEEP_TASK = "reminders.sweep"
SEND_TASK = "reminders.send_due"


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep() -> None:
    """Daily: decide who is to be reminded of what, and plan the emails."""
    services.sweep()


@shared_task(name=SEND_TASK, ignore_result=True)
def send_due() -> None:
    """Every 15 minutes: send the planned emails, within the send window only."""
    services.send_due()
