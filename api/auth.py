"""`Authorization: Bearer nlms_…` and nothing else: a browser session never opens the API.

One check per request, in this order: the token (401), its rate limit (429), the scope of the
endpoint group (403). From the moment the token is known, the request is logged against it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from lms.ratelimit import hit, hit_client

from . import services
from .errors import ApiError
from .models import IntegrationToken

# Query parameters that would put a secret into server and proxy logs.
SECRET_PARAMETERS = ("token", "access_token", "api_key", "apikey", "key", "bearer")


def activate_language(request: HttpRequest) -> None:
    """Swedish, unless Accept-Language prefers English (machines send no language cookie)."""
    language = settings.LANGUAGE_CODE
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("sv", "en"):
            language = code
            break
    translation.activate(language)
    request.LANGUAGE_CODE = language


def unauthorised(code: str, message: str) -> ApiError:
    return ApiError(401, code, message)


class TokenAuth(HttpBearer):
    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> IntegrationToken:
        request.api_started = time.monotonic()
        activate_language(request)
        if any(name in request.GET for name in SECRET_PARAMETERS):
            raise unauthorised(
                "token_in_query",
                _("Send the token in the Authorization header, never in the address."),
            )
        header = request.headers.get("Authorization", "")
        scheme, _space, secret = header.partition(" ")
        if not header:
            raise unauthorised("token_missing", _("An Authorization: Bearer token is required."))
        if scheme.lower() != "bearer" or not secret.strip():
            raise unauthorised("token_invalid", _("The token is not valid."))
        token = services.token_for_secret(secret.strip())
        if token is None:
            # Guessing is throttled per address, so the log cannot be flooded by strangers.
            verdict = hit_client(request, "api-bad-token", limit=settings.API_RATE_LIMIT, window=60)
            if not verdict.allowed:
                raise self._too_many(verdict.retry_after)
            raise unauthorised("token_invalid", _("The token is not valid."))
        # Logged from here on, refusals too: an administrator sees a system still calling.
        request.api_token = token
        if token.is_revoked:
            raise unauthorised("token_revoked", _("The token has been revoked."))
        if token.is_expired:
            raise unauthorised("token_expired", _("The token has expired."))
        verdict = hit("api", str(token.pk), limit=settings.API_RATE_LIMIT, window=60)
        if not verdict.allowed:
            raise self._too_many(verdict.retry_after)
        if self.scope not in token.scopes:
            raise ApiError(
                403,
                "scope_missing",
                _("The token does not include the scope “%(scope)s”.") % {"scope": self.scope},
            )
        return token

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - unused
        raise NotImplementedError

    @staticmethod
    def _too_many(retry_after: int) -> ApiError:
        return ApiError(
            429,
            "rate_limited",
            _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after},
            retry_after=retry_after,
        )
