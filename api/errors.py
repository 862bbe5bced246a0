"""The API's errors: always JSON `{"code": "...", "message": "..."}`, the message in Swedish
unless the client's Accept-Language prefers English. Codes are stable; messages may change."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Schema


class Error(Schema):
    code: str
    message: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def not_found(kind: str) -> ApiError:
    messages = {
        "unit": _("No unit with this id in the token's scope."),
        "course": _("No published course with this id."),
        "module": _("No published module with this id in this course."),
    }
    return ApiError(404, "not_found", messages[kind])


def bad_filter(code: str, message: str) -> ApiError:
    return ApiError(422, code, message)


# Every operation declares these, so that clients (and the schema test) know their shape.
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
