import pytest

from tests.factories import one_second_film


def isolated_settings(media_root):
    """What every test runs with (also for data set up once per module)."""
    from django.conf import settings

    return {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "MEDIA_ROOT": media_root,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The idle-limit push is a session UPDATE every few minutes per signed-in reader,
        # a constant the query budgets (which guard against N+1) need not count;
        # tests/security proves it.
        "SESSION_REFRESH_SECONDS": None,
        # Most tests change rows with factories (no service, so no invalidation) and read
        # the page again: the page cache is on only where a test asks for it
        # (tests/movies/test_page_cache*.py, the browser tests).
        "PAGE_CACHE": False,
    }


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Uploads go to a temporary folder; the cache starts empty; static files need no build;
    sessions are saved when they change.

    The cache is per-process memory here (the shared database cache needs
    createcachetable); multi-process tests configure their own.
    """
    from django.core.cache import cache

    for name, value in isolated_settings(tmp_path / "media").items():
        setattr(settings, name, value)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_second(db):
    """One Second (2020) with the facts of the seed page (tests.factories.one_second_film)."""
    return one_second_film()
