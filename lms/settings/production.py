"""Production: everything secret or site-specific comes from the environment."""

from .base import *  # noqa: F403
from .base import env, env_bool, env_list, env_required

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
env_required("ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
env_required("DATABASE_URL")
# Links in emails and the admin must point at the real site.
WAGTAILADMIN_BASE_URL = env_required("BASE_URL")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STORAGES = storages_from_env(os.environ, STORAGES)  # noqa: F405  (S3 media: lms/storage.py)

# TLS ends at the reverse proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Container health checks call /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# One JSON object per log line for the log platform (lms/logs.py); LOG_FORMAT=text to read by eye.
LOG_FORMAT = env("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"  # noqa: F405

# With a Learning Record Store, the learners' pseudonyms and activity ids must outlive a
# SECRET_KEY rotation or a change of address: they get their own settings, not the defaults.
if LRS_ENDPOINT:  # noqa: F405
    XAPI_ACTOR_KEY = env_required("XAPI_ACTOR_KEY")
    XAPI_HOME_PAGE = env_required("XAPI_HOME_PAGE")
