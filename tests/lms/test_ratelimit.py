"""The shared rate limiter: the limit-th request passes, the next waits for the next window."""

import time_machine
from django.test import RequestFactory

from lms.ratelimit import hit, hit_client


def test_limit_then_refusal_then_new_window():
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        verdicts = [hit("t", "a", limit=3, window=60) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[-1].retry_after == 60
        assert hit("t", "b", limit=3, window=60).allowed, "another key has its own count"
        clock.shift(61)
        assert hit("t", "a", limit=3, window=60).allowed


def test_client_address_is_the_key(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    rf = RequestFactory()
    one = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1", REMOTE_ADDR="127.0.0.1")
    two = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.2", REMOTE_ADDR="127.0.0.1")
    assert hit_client(one, "v", limit=1, window=60).allowed
    assert not hit_client(one, "v", limit=1, window=60).allowed
    assert hit_client(two, "v", limit=1, window=60).allowed
