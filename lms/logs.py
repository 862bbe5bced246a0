"""Structured logs on stdout: one JSON object per line in production, with the request id, the
user id (never a name or an email) and timings, so that a log platform can follow a request
or a task without personal data in the logs."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("lms_request_id", default="")
user_id: ContextVar[int | None] = ContextVar("lms_user_id", default=None)

# An id from the proxy in front is kept when it looks like one (no log injection).
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# A path segment that may be a secret or an id (a reset token, a diploma code, a number).
_SECRETISH = re.compile(r"\d|^[^/]{25,}$")


def loggable_path(request: HttpRequest, status: int) -> str:
    """The route pattern the request matched, never the concrete path: paths carry secrets
    (password-reset tokens, diploma verification codes). Wagtail pages are public slugs and
    keep their path when found; anything unresolved gets its secret-looking segments masked."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name != "wagtail_serve":
        return "/" + (match.route or match.view_name or "").lstrip("^")
    if match is not None and status < 400:
        return request.path
    segments = request.path.split("/")
    return "/".join("*" if _SECRETISH.search(part) else part for part in segments)


access_log = logging.getLogger("lms.request")


class ContextFilter(logging.Filter):
    """Adds the current request (or Celery task) id and user id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        return True


class JsonFormatter(logging.Formatter):
    EXTRA = ("method", "path", "status", "duration_ms", "task")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "user_id": getattr(record, "user_id", None),
        }
        for key in self.EXTRA:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """First in the chain: gives each request an id (X-Request-ID in and out) and logs one line
    when it ends: method, route (see loggable_path), status, duration and user id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        rid_token = request_id.set(rid)
        user_token = user_id.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_id.set(user.pk)
            response["X-Request-ID"] = rid
            path = loggable_path(request, response.status_code)
            access_log.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(rid_token)
            user_id.reset(user_token)


def bind_task(task_id: str | None, task_name: str | None) -> None:
    """Celery: the task id stands in for the request id in the worker's log lines."""
    request_id.set(task_id or "")
    user_id.set(None)
