"""Django's Redis cache backend with one redis client per connection pool.

Django builds a new `redis.Redis` for every cache call, and redis-py copies its table of about
170 response callbacks into each new client: on a learner page with a dozen cache reads that
was about a millisecond of CPU. A client is safe to share between threads (it takes a
connection from the pool for each command) and after a fork (the pool notices the new
process), so one per pool is kept.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
