"""Reads that may go to a PostgreSQL read replica: the dashboards and the API.

With DATABASE_REPLICA_URL set, GET and HEAD requests under REPLICA_READ_PREFIXES (and on the
exact paths in REPLICA_READ_PATHS) read through the "replica" alias. Everything else (writes,
learner pages, goal editing, sign-in, sessions, the worker, API token lookups) stays on the
primary, so that nobody reads their own write from a replica that lags. A replica
lags by seconds: dashboard figures may be that old, which the dashboards already say ("at the
time of the request").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("lms_replica_reads", default=False)
# Identity and bookkeeping tables always come from the primary: a session or a lockout counter
# written a moment ago must be seen.
PRIMARY_ONLY_APPS = {"sessions", "auth", "axes", "admin", "contenttypes", "django_celery_beat"}


def replica_enabled() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in settings.DATABASES


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reading.get() and replica_enabled() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.method in ("GET", "HEAD") and (
            path in getattr(settings, "REPLICA_READ_PATHS", ())
            or path.startswith(tuple(settings.REPLICA_READ_PREFIXES))
        ):
            with reading_from_replica():
                return self.get_response(request)
        return self.get_response(request)
