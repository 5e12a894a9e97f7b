"""Django's Redis cache backend, keeping one redis client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, and with
redis-py 5 and later each one fills a case-insensitive table of about 170 reply
callbacks: 0.09 ms of CPU a call (timeit, on the shared benchmark machine). A page
served from the page cache makes two calls (the generations, then the page), so the
clients cost about a fifth of the app's CPU for that page (0.65 to 0.9 ms in process,
docs/performance.md). `redis.Redis` is thread-safe over its pool, and
the pools stay Django's (one per server, created on first use in each process), so
keeping the client changes nothing else. CACHE_URL=redis://... selects this backend
(config/settings.py).
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
