"""config/cache.py: Django's Redis backend, one redis client per pool instead of per call."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from tests.servers import needs_redis

pytestmark = needs_redis

REDIS = {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/2"}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES={"default": REDIS}):
        cache = caches.create_connection("default")
        cache.clear()
        yield cache
        cache.clear()


def test_calls_share_one_client_and_its_pool(redis_cache):
    """A new redis.Redis a call cost 0.09 ms of CPU, two a cached page: a fifth of a hit."""
    redis_cache.set("a", 1)
    first = redis_cache._cache.get_client()
    redis_cache.get_many(["a", "b"])
    assert redis_cache._cache.get_client(write=True) is first
    assert len(redis_cache._cache._pools) == 1


def test_it_still_behaves_as_djangos_redis_cache(redis_cache):
    """What the page cache relies on: values, counters, add-if-absent, many at once."""
    redis_cache.set("page", {"content": b"<html>", "etag": "x"}, 60)
    redis_cache.set("generation", 5, None)
    assert redis_cache.incr("generation") == 6
    assert redis_cache.add("lock", 1, 10) is True
    assert redis_cache.add("lock", 1, 10) is False
    assert redis_cache.get_many(["page", "generation", "missing"]) == {
        "page": {"content": b"<html>", "etag": "x"},
        "generation": 6,
    }
    redis_cache.delete("lock")
    assert redis_cache.get("lock") is None
