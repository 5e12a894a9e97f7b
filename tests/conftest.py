import os

import pytest


def pytest_configure(config):
    # Tests use per-process memory for the cache (the shared database cache needs
    # createcachetable), and plain static storage (no collectstatic manifest).
    os.environ.setdefault("CACHE_URL", "locmemcache://tests")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Uploads go to a temporary folder; the cache starts empty; static files need no build."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
