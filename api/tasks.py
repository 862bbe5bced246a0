from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="api.prune_request_log")
def prune_request_log() -> int:
    return services.request_log_prune(older_than_days=settings.API_LOG_RETENTION_DAYS)
