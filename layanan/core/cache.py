"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache operation; building
one fills a table of some 170 response callbacks — about a third of a millisecond per `cache.get`
on a 2-core server, paid by every request (rate limits, the generations of what processes keep,
login lockouts). A redis-py client is safe to share between threads (it takes a connection from
its pool per command), so one per pool is enough. Everything else is Django's own backend.

    CACHES = {"default": {"BACKEND": "layanan.core.cache.RedisCache", "LOCATION": REDIS_URL}}
"""

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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
