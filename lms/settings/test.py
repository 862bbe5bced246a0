"""Test settings: PostgreSQL and Redis when their URLs are set, SQLite and the file broker else."""

from .base import *  # noqa: F403
from .base import env

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
