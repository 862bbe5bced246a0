from celery import shared_task

from . import services

SWEEP_TASK = "reminders.sweep"
SEND_TASK = "reminders.send_due"


# The full municipality's sweep takes under half a minute (README, Performance).
@shared_task(name=SWEEP_TASK, ignore_result=True, soft_time_limit=14 * 60, time_limit=15 * 60)
def sweep() -> None:
    """Daily: decide who is to be reminded of what, and plan the emails."""
    services.sweep()


# A run stops claiming after SEND_RUN_SECONDS; the hard limit bounds how long a claim can live
# (services.recover_claims relies on it).
@shared_task(
    name=SEND_TASK,
    ignore_result=True,
    soft_time_limit=services.SEND_SOFT_TIME_LIMIT,
    time_limit=services.SEND_TIME_LIMIT,
)
def send_due() -> None:
    """Every 15 minutes: send the planned emails, within the send window only."""
    services.send_due()
