from celery import shared_task

from . import services


@shared_task(
    name="diplomas.render_diploma",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def render_diploma(diploma_id: int) -> None:
    services.diploma_render(diploma_id=diploma_id)


@shared_task(name="diplomas.sweep", ignore_result=True, expires=540)
def sweep() -> None:
    services.diplomas_sweep()
