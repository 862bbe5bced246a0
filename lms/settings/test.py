"""Test settings: PostgreSQL and Redis when their URLs are set, SQLite and the file broker else."""

import os
import re
from pathlib import Path

# pytest-xdist runs the suite in several processes (dev.py test). Each process gets a Redis
# database and a data folder of its own, so that one process's Celery worker never takes
# another's tasks and media, broker folders and SQLite files never collide. This runs before
# the base settings read the environment.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and not os.environ.get("LMS_XDIST_SETTINGS"):
    os.environ["LMS_XDIST_SETTINGS"] = _WORKER  # once: subprocesses inherit the result
    _number = int(_WORKER[2:])
    for _name in ("REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        _match = re.fullmatch(r"(rediss?://[^/]+)(?:/(\d+))?", os.environ.get(_name, ""))
        if _match:
            os.environ[_name] = f"{_match[1]}/{(int(_match[2] or 0) + 1 + _number) % 16}"
    _data = Path(os.environ.get("LMS_DATA_DIR", Path(__file__).resolve().parents[2] / "var"))
    os.environ["LMS_DATA_DIR"] = str(_data / f"xdist-{_WORKER}")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test starts with an empty cache (conftest clears it); a process-local cache keeps test
# runs on one Redis from seeing each other's rate-limit counters.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lms-test"}
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405
STATIC_ROOT = DATA_DIR / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A second alias for the read-replica routing tests (tests/lms/test_replica.py): a test mirror
# of the primary, used only where a test turns REPLICA_READS on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False

# One line per request is for production logs; in tests (and the benchmarks, which print their
# rows on stdout) it is noise. tests/lms/test_logs.py turns it on where it is tested.
LOGGING["loggers"]["lms.request"]["level"] = env("REQUEST_LOG_LEVEL", "WARNING")  # noqa: F405
