"""A sending worker for the xAPI crash test: a separate process that runs the Celery task's
body once (`learning_records.tasks.send_statements`) against the test database and LRS given
in its environment (DATABASE_URL, LRS_ENDPOINT, LRS_KEY, LRS_SECRET, LRS_BATCH_SIZE)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django

django.setup()

from learning_records.tasks import send_statements  # noqa: E402

print("sent", send_statements(), flush=True)
