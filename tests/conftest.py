import pytest


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Uploads go to a temporary folder; the cache starts empty; static files need no build;
    sessions are saved when they change.

    The cache is per-process memory here (the shared database cache needs
    createcachetable); multi-process tests configure their own.
    """
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The idle-limit refresh is one session UPDATE per signed-in request, a constant the
    # query budgets (which guard against N+1) need not count; tests/security proves it.
    settings.SESSION_SAVE_EVERY_REQUEST = False
    cache.clear()
    yield
    cache.clear()
