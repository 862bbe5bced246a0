"""Local development and the demo started by `python3 dev.py start`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
# Development only; production refuses to start without SECRET_KEY from the environment.
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
