"""The client's address behind trusted reverse proxies, for login throttling."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address they were given.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so the client is the entry TRUSTED_PROXY_COUNT places from the end. Entries before that
    were written by the client and are not trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-count] if len(hops) >= count else hops[0]
    return request.META.get("REMOTE_ADDR", "")


def not_throttled(request: HttpRequest, credentials=None) -> bool:
    """Requests that django-axes should not count: the identity provider's callback.

    The provider has already authenticated the person; a refusal here (unknown employee
    number, left) is not a password guess.
    """
    return request.path_info.startswith("/oidc/")
