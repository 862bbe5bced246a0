from celery import shared_task

from . import services


@shared_task(
    name="accessibility.notify_responsible",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def notify_responsible(report_id: int) -> None:
    services.notify_responsible(report_id)


@shared_task(
    name="accessibility.notify_pending",
    ignore_result=True,
    expires=540,
    soft_time_limit=240,
    time_limit=300,
)
def notify_pending() -> None:
    services.notify_pending()
