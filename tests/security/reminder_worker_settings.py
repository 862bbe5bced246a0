"""Settings of the crash test's worker processes: the test settings with the slow backend."""

from lms.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.security.reminder_worker.SlowEmailBackend"
