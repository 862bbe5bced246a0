"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of the embedded default (SQLite file, broker queue, demo mail). Git-ignored.
DATA_DIR = Path(os.environ.get("LMS_DATA_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


SECRET_KEY = env("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "home",
    "courses",
    "modules",
    "quizzes",
    "progress",
    "people",
    "assignments",
    "reminders",
    "reports",
    "accessibility",
    "diplomas",
    "certification",
    "api",
    "learning_records",
    "workplace_meetings",
    "external_organisations",
    # django-ninja: its Swagger UI assets are served from our static files, not a CDN.
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_celery_beat",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "lms.logs.RequestLogMiddleware",
    "lms.middleware.ContentCacheScopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lms.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.middleware.LoginRequiredMiddleware",
    "lms.middleware.CachedSiteMiddleware",
    "lms.replica.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that it sees the outcome of the authentication backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"

# Browser security headers (lms/headers.py). Staff-only admin paths get 'unsafe-inline' for
# scripts and styles, which Wagtail's admin still needs; everything else is strict.
CSP_RELAXED_PREFIXES = ["/admin/", "/django-admin/"]
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# Film players that may be framed (frame-src); modules.Film.embed_url must be on one of them.
CSP_FRAME_SRC = env_list(
    "CSP_FRAME_SRC", "https://www.youtube-nocookie.com,https://player.vimeo.com"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "people.context_processors.sso",
                "reports.context_processors.navigation",
                "external_organisations.context_processors.navigation",
                "lms.context_processors.navigation",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A PostgreSQL read replica for the dashboards and the API (lms/replica.py), when configured.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
REPLICA_READS = bool(DATABASE_REPLICA_URL)
# The learner pages' compiled queries (lms/compiled_query.py) are prepared on PostgreSQL, once
# per connection. Set DB_PREPARED_STATEMENTS=off behind a pooler that cannot keep them (PgBouncer
# in transaction mode before 1.21).
DB_PREPARED_STATEMENTS = env("DB_PREPARED_STATEMENTS", "on") == "on"
if DB_PREPARED_STATEMENTS:
    for _alias in DATABASES.values():
        if _alias["ENGINE"].startswith("django.db.backends.postgresql"):
            # psycopg prepares nothing while this is None (Django's default). The ORM's own
            # cursors bind on the client and never prepare; only the compiled queries ask to.
            _alias.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 1_000_000_000)
# PostgreSQL's JIT compiler: off for our connections unless DB_JIT=on. The dashboard aggregates
# are planned as expensive (a state per assignment) but run in about 0.1 s; compiling them took
# 0.7 s more on the full synthetic municipality (bench/dashboards.py, EXPLAIN ANALYZE).
if env("DB_JIT", "off") != "on":
    for _alias in DATABASES.values():
        if _alias["ENGINE"].startswith("django.db.backends.postgresql"):
            _options = _alias.setdefault("OPTIONS", {})
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# Only the dashboards' read pages, their exports and the API; goal editing
# (/admin/coverage/goals/) reads the primary so an editor sees the goal just saved.
REPLICA_READ_PATHS = ["/admin/coverage/"]
REPLICA_READ_PREFIXES = ["/admin/coverage/units/", "/admin/coverage/export/", "/api/"]
# The active-measures report and its files only read (reports/active_measures.py).
REPLICA_READ_PREFIXES += ["/admin/active-measures/"]
DATABASE_ROUTERS = ["lms.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any other backend is asked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Login throttling: ten failures for one account from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "lms.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the app whose X-Forwarded-For may be trusted (0: none).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "lms.security.client_ip"
# SSO callbacks carry no username: counting refusals would lock out a whole office's address.
AXES_WHITELIST_CALLABLE = "lms.security.not_throttled"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
# Our Swedish date formats (lms/formats/sv/formats.py) before Django's own.
FORMAT_MODULE_PATH = ["lms.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STATICFILES_DIRS = [BASE_DIR / "lms" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Internal nginx location for uploaded media; empty: Django streams the files itself.
MEDIA_X_ACCEL_REDIRECT = env("MEDIA_X_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media on S3-compatible object storage when LMS_S3_BUCKET is set (lms/storage.py; production
# applies the same after its own STORAGES). The bucket stays private: see lms/media.py.
from lms.storage import media_origin, storages_from_env  # noqa: E402

STORAGES = storages_from_env(os.environ, STORAGES)
MEDIA_ORIGIN = media_origin(os.environ)
if MEDIA_ORIGIN:
    # Documents stream through Wagtail's privacy-checked view, never a bucket address.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Email. Demo and development write mails to files so that they can be read.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds per operation on the SMTP connection: a mail server that hangs cannot hold a reminder
# email (or a task) for ever.
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Normkritik LMS <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Redis in production; without a URL, Kombu's filesystem transport, which needs no server.
REDIS_URL = env("REDIS_URL", "")

# Django's cache: shared by every web process through Redis when configured (CACHE_URL, else
# REDIS_URL), so that rate limits and cached page structure hold across processes; local
# memory in the one-process demo.
CACHE_URL = env("CACHE_URL", "") or REDIS_URL
CACHES = {
    "default": (
        {
            "BACKEND": "lms.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lms"),
            "TIMEOUT": 300,
        }
        if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lms"}
    )
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# DatabaseScheduler behind a lock (lms/beat.py): a second beat waits instead of sending
# everything twice.
CELERY_BEAT_SCHEDULER = "lms.beat:LockedDatabaseScheduler"
# The worker logs through Django's LOGGING (JSON in production, with the task id).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Write each entry's last run time right after sending it, so that a beat taking over from one
# that died knows what was already sent.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BROKER_HEALTH_TIMEOUT = float(env("CELERY_BROKER_HEALTH_TIMEOUT", "3"))
# A worker child whose memory has grown past this (KiB) is replaced after its task: one large
# file cannot leave a bloated process behind for every task after it.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(env("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "512000"))

# Health: a worker or beat not heard from within this many seconds counts as down.
HEARTBEAT_INTERVAL_SECONDS = int(env("HEARTBEAT_INTERVAL_SECONDS", "60"))
HEARTBEAT_MAX_AGE_SECONDS = int(
    env("HEARTBEAT_MAX_AGE_SECONDS", str(3 * HEARTBEAT_INTERVAL_SECONDS))
)

# Films: the server credits no more played time than could have passed since the viewer's
# previous report (or since the page showed the film), at the fastest rate the player offers,
# plus this much slack for network delays. The player refuses faster rates.
FILM_MAX_PLAYBACK_RATE = float(env("FILM_MAX_PLAYBACK_RATE", "2"))
FILM_CREDIT_SLACK_SECONDS = float(env("FILM_CREDIT_SLACK_SECONDS", "2"))

# GDPR: people who left this many days ago are anonymised by a nightly task.
GDPR_RETENTION_DAYS = int(env("GDPR_RETENTION_DAYS", str(2 * 365)))
# Employee files with more rows than this are checked and applied by a Celery worker.
EMPLOYEE_IMPORT_SYNC_MAX_ROWS = int(env("EMPLOYEE_IMPORT_SYNC_MAX_ROWS", "2000"))
# Time limits (seconds) for checking or applying one file in the worker: at the soft limit the
# import ends as failed; at the hard limit the worker process is killed.
EMPLOYEE_IMPORT_SOFT_TIME_LIMIT = float(env("EMPLOYEE_IMPORT_SOFT_TIME_LIMIT", "600"))
EMPLOYEE_IMPORT_TIME_LIMIT = float(
    env("EMPLOYEE_IMPORT_TIME_LIMIT", str(EMPLOYEE_IMPORT_SOFT_TIME_LIMIT + 60))
)
# An import waiting, checking or applying for longer than this is ended as failed by a periodic
# task (its worker died or its task was lost). Above the hard limit, so that none still runs.
EMPLOYEE_IMPORT_STUCK_MINUTES = int(
    env("EMPLOYEE_IMPORT_STUCK_MINUTES", str(int(EMPLOYEE_IMPORT_TIME_LIMIT // 60) + 5))
)

# Tasks are acknowledged when they end (acks_late), so Redis hands a message to another worker
# once it has been unacknowledged this long: it must exceed the longest hard time limit, or a
# task still running would be started a second time. A lower value only redelivers sooner the
# messages of a worker that died (kill -9). Defined after every limit set here (the import's can
# be raised); tests/lms/test_celery.py checks every task's limit, including those set in code.
_LONGEST_TASK_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT, EMPLOYEE_IMPORT_TIME_LIMIT)
CELERY_BROKER_VISIBILITY_TIMEOUT = int(
    env("CELERY_BROKER_VISIBILITY_TIMEOUT", str(int(2 * _LONGEST_TASK_TIME_LIMIT)))
)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= _LONGEST_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_VISIBILITY_TIMEOUT ({CELERY_BROKER_VISIBILITY_TIMEOUT} s) must be above "
        f"the longest task time limit ({_LONGEST_TASK_TIME_LIMIT:g} s), or a task still running "
        "is started a second time by another worker."
    )
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_BROKER_VISIBILITY_TIMEOUT

# Wagtail
WAGTAIL_SITE_NAME = "Normkritik LMS"
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://localhost:8000")
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAILADMIN_PERMITTED_LANGUAGES = [("sv", "Svenska"), ("en", "English")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "txt", "vtt", "csv"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from Gravatar: the URL carries a hash of the user's email address to a third party
# (and breaks offline). Wagtail shows its default avatar or one uploaded in the account settings.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# Logs go to stdout. LOG_FORMAT=json (the production default) writes one JSON object per line
# with the request id, the user id and timings (lms/logs.py); "text" is for a terminal.
LOG_FORMAT = env("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "lms.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "lms.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Page-created/published and background-task chatter: the audit log keeps those.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per request from lms.logs.RequestLogMiddleware; Django's own would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "lms.request": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
    },
}

# Errors to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set. No
# personal data: user ids only, no request bodies, no cookies.
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as error:  # pragma: no cover - the image installs it
        raise ImproperlyConfigured("SENTRY_DSN is set but sentry-sdk is not installed") from error
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # Stack frames' local variables hold passwords, tokens and personal data.
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )


from .sso import *  # noqa: E402, F403

_after_axes = AUTHENTICATION_BACKENDS.index("axes.backends.AxesStandaloneBackend") + 1
AUTHENTICATION_BACKENDS[_after_axes:_after_axes] = SSO_AUTHENTICATION_BACKENDS  # noqa: F405

# Diplomas: at most this many in one ZIP of a unit (HR is asked to choose a smaller unit).
DIPLOMA_ZIP_MAX = int(env("DIPLOMA_ZIP_MAX", "2000"))

# Workplace certification (certification/): the largest evidence file a manager may upload.
CERTIFICATION_EVIDENCE_MAX_BYTES = int(env("CERTIFICATION_EVIDENCE_MAX_BYTES", str(10 * 2**20)))

# The accessibility statement's problem reports (accessibility/): emailed to the address in the
# site setting, or to this one; a client may send this many per window (seconds).
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", "")
ACCESSIBILITY_REPORTS_PER_CLIENT = int(env("ACCESSIBILITY_REPORTS_PER_CLIENT", "5"))
ACCESSIBILITY_REPORT_WINDOW = int(env("ACCESSIBILITY_REPORT_WINDOW", "900"))

# Reminders (reminders/): a daily sweep decides what to tell whom; emails go out on weekdays
# within the send hours (local time), never on Swedish public holidays or their eves.
REMINDER_DUE_SOON_DAYS = int(env("REMINDER_DUE_SOON_DAYS", "14"))
REMINDER_RENEWAL_DAYS = int(env("REMINDER_RENEWAL_DAYS", "30"))
# "8-17": from 08:00 up to 17:00 (the last email leaves before 17:00).
REMINDER_SEND_HOURS = tuple(int(h) for h in env("REMINDER_SEND_HOURS", "8-17").split("-", 1))
REMINDER_TIME_ZONE = env("REMINDER_TIME_ZONE", "Europe/Stockholm")
REMINDER_HOLIDAY_COUNTRY = env("REMINDER_HOLIDAY_COUNTRY", "SE")
# People listed by name in a manager's weekly summary (the rest are counted).
REMINDER_DIGEST_MAX_PEOPLE = int(env("REMINDER_DIGEST_MAX_PEOPLE", "50"))
# Absolute links in the emails start with this address.
REMINDER_BASE_URL = env("REMINDER_BASE_URL", WAGTAILADMIN_BASE_URL)
# Seconds after which an email left "sending" by a worker that is gone is marked in doubt.
REMINDER_CLAIM_TIMEOUT = int(env("REMINDER_CLAIM_TIMEOUT", "300"))

# Integration API (api/): requests per token per minute, and days the request log is kept.
API_RATE_LIMIT = int(env("API_RATE_LIMIT", "120"))
API_LOG_RETENTION_DAYS = int(env("API_LOG_RETENTION_DAYS", "90"))

# xAPI (learning_records/): statements are always recorded in the outbox; they are sent to a
# Learning Record Store only when LRS_ENDPOINT is set (its xAPI base URL, e.g.
# https://lrs.example/xapi/), with HTTP Basic LRS_KEY / LRS_SECRET.
LRS_ENDPOINT = env("LRS_ENDPOINT", "")
LRS_KEY = env("LRS_KEY", "")
LRS_SECRET = env("LRS_SECRET", "")
LRS_TIMEOUT = float(env("LRS_TIMEOUT", "10"))
LRS_BATCH_SIZE = int(env("LRS_BATCH_SIZE", "50"))
# After a 5xx or a timeout: wait LRS_BACKOFF_SECONDS, then twice as long each time (at most
# LRS_BACKOFF_MAX_SECONDS); after LRS_MAX_ATTEMPTS the batch is marked failed.
LRS_BACKOFF_SECONDS = float(env("LRS_BACKOFF_SECONDS", "30"))
LRS_BACKOFF_MAX_SECONDS = float(env("LRS_BACKOFF_MAX_SECONDS", "3600"))
LRS_MAX_ATTEMPTS = int(env("LRS_MAX_ATTEMPTS", "12"))
# The actor's account: home page (default BASE_URL) and the key of the pseudonymous name.
XAPI_HOME_PAGE = env("XAPI_HOME_PAGE", "")
XAPI_ACTOR_KEY = env("XAPI_ACTOR_KEY", "")

# Workplace meetings (APT): how many days after a meeting its manager may still correct the
# attendance, and how far back a held meeting counts for HR's figures and the reminders.
WORKPLACE_MEETING_CORRECTION_DAYS = int(env("WORKPLACE_MEETING_CORRECTION_DAYS", "14"))
WORKPLACE_MEETING_PERIOD_MONTHS = int(env("WORKPLACE_MEETING_PERIOD_MONTHS", "12"))
