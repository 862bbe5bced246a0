"""Fixed-window rate limits in Django's cache (Redis in production, so every process counts).

Used by public and machine-facing endpoints (diploma verification, registration, problem
reports, the API). Login throttling stays with django-axes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from .security import client_ip


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def hit(scope: str, key: str, *, limit: int, window: int) -> Verdict:
    """Count one request for (scope, key) in the current window of `window` seconds.

    The `limit`-th request in a window is still allowed; the next one is refused until the
    window ends. `cache.add` then `incr` is atomic on Redis and on the local-memory cache.
    """
    now = int(time.time())
    start = now - now % window
    cache_key = f"rl:{scope}:{key}:{start}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return Verdict(False, count, max(1, start + window - now))
    return Verdict(True, count, 0)


def hit_client(request: HttpRequest, scope: str, *, limit: int, window: int) -> Verdict:
    """`hit` keyed by the client's address (behind TRUSTED_PROXY_COUNT proxies)."""
    return hit(scope, client_ip(request) or "unknown", limit=limit, window=window)
