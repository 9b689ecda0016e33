"""The shared cache in production is Redis through layanan.core.cache.RedisCache: Django's own
backend, with one redis-py client per connection pool. What the site keeps there — rate limits,
login lockouts, the generations of what each process keeps — works as with Django's backend."""

import pytest

from layanan.core.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own on the shared Redis


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-cache-backend"})
    try:
        cache.clear()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for this test: {exc}")
    yield cache
    cache.clear()


def test_what_rate_limits_and_generations_use_works(redis_cache):
    assert redis_cache.get("published-standards-generation") is None
    assert redis_cache.add("published-standards-generation", "a1", None) is True
    assert redis_cache.add("published-standards-generation", "b2", None) is False  # first writer wins
    assert redis_cache.get("published-standards-generation") == "a1"
    redis_cache.set("rl:lacak:10.0.0.1", 1, 60)
    assert redis_cache.incr("rl:lacak:10.0.0.1") == 2
    assert redis_cache.get_many(["rl:lacak:10.0.0.1", "missing"]) == {"rl:lacak:10.0.0.1": 2}
    assert redis_cache.touch("rl:lacak:10.0.0.1", 120) is True
    redis_cache.delete("rl:lacak:10.0.0.1")
    assert redis_cache.get("rl:lacak:10.0.0.1") is None


def test_one_client_serves_every_call(redis_cache):
    clients = {id(redis_cache._cache.get_client(write=write)) for write in (True, False) for _ in range(5)}
    assert len(clients) == 1  # one server: one pool, one client (Django builds one per call)
