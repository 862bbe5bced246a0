"""Django's cache through lms.cache.RedisCache, on the real Redis server (CI sets REDIS_URL):
what the content cache and the rate limits rely on, with one client reused per pool."""

import os
import threading
import uuid

import pytest

from lms.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis server (REDIS_URL)"
)


@pytest.fixture
def cache():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.clear()


def test_values_counters_and_many_at_once_round_trip(cache):
    cache.set("page", {"title": "Kurs", "ids": [1, 2]}, 60)
    assert cache.get("page") == {"title": "Kurs", "ids": [1, 2]}
    assert cache.add("counter", 1, None)
    assert cache.incr("counter") == 2
    cache.set_many({"a": 1, "b": "två"}, 60)
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": "två"}
    cache.delete("a")
    assert cache.get("a") is None


def test_one_client_per_pool_shared_by_threads(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", i, 60)
                assert cache.get(f"t{n}:{i}") == i
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
