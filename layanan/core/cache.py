"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache operation; building
one fills a table of some 170 response callbacks — about a third of a millisecond per `cache.get`
on a 2-core server, paid by every request (rate limits, the generations of what processes keep,
login lockouts). A redis-py client is safe to share between threads (it takes a connection from
its pool per command), so one per pool is enough. Everything else is Django's own backend.

    CACHES = {"default": {"BACKEND": "layanan.core.cache.RedisCache", "LOCATION": REDIS_URL}}
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def add_each(self, keys, value, timeout) -> list[bool]:
        """`add` of several keys in one round trip (a pipeline, not a transaction)."""
        client = self.get_client(None, write=True)
        value = self._serializer.dumps(value)
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(key, value, ex=timeout, nx=True)
            return [bool(done) for done in pipe.execute()]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def add_each(self, keys, value, timeout=DEFAULT_TIMEOUT, version=None) -> list[bool]:
        """cache.add() of each key, in one round trip to Redis: [was added, …] (core/wakes.py)."""
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        return self._cache.add_each(made, value, self.get_backend_timeout(timeout))
