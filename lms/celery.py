"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _log_with_task_id(task_id=None, task=None, **kwargs) -> None:
    # Each task's log lines carry its id, as a request's carry the request id.
    from lms.logs import bind_task

    bind_task(task_id, getattr(task, "name", None))
