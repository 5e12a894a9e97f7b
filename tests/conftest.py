import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from movies.models import Availability, Credit, Movie
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    ProviderFactory,
    RegionalGrossFactory,
)


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
    }


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Uploads go to a temporary folder; the cache starts empty; static files need no build.

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
    """One Second (2020) with the facts of the seed page, as an editor would enter them.

    The one film most tests use: its verdict is a Blockbuster (8.3x its budget) with a
    7.3 outside rating, credits, a regional gross and offers in two countries."""
    drama, history = GenreFactory(name="Drama"), GenreFactory(name="History")
    movie = MovieFactory(
        title="One Second",
        original_title="一秒钟",
        year=2020,
        runtime_minutes=104,
        certification="PG-13",
        main_genre=drama,
        genres=[drama, history],
        logline="A labour-camp escapee crosses the desert to see his daughter in one second "
        "of a newsreel.",
        synopsis="During the Cultural Revolution a prisoner escapes to see a newsreel.",
        plot_summary="Zhang escapes a labour camp and chases a reel of film across the desert.",
        ending_breakdown="The reel is found, and the frame of his daughter is lost again.",
        accuracy_label=Movie.Accuracy.DRAMATIZED,
        historical_accuracy="The labour camps and travelling projectionists are real history.",
        performance_analysis="Zhang Yi carries the film; Liu Haocun matches him.",
        editorial_assessment="A small, moving film about what cinema meant.",
        watch_if="love films about cinema\nwant to see Zhang Yimou in a quieter key",
        budget=1_300_000,
        worldwide_gross=10_800_000,
        currency="USD",
        external_rating=Decimal("7.3"),
        external_rating_votes=8_500,
        external_rating_source="IMDb",
        box_office_source="Maoyan",
    )
    CreditFactory(
        movie=movie,
        person=PersonFactory(name="Zhang Yimou"),
        role=Credit.Role.DIRECTOR,
        billing_order=None,
    )
    for order, (name, character) in enumerate(
        [("Liu Haocun", "Liu"), ("Zhang Yi", "Zhang Jiusheng"), ("Fan Wei", "Mr. Movie")], 1
    ):
        CreditFactory(
            movie=movie,
            person=PersonFactory(name=name),
            character_name=character,
            billing_order=order,
        )
    RegionalGrossFactory(movie=movie, region="China", amount=10_700_000)
    checked = timezone.localdate() - datetime.timedelta(days=3)
    for provider in ["Apple TV", "Google Play Movies", "Amazon Prime Video"]:
        AvailabilityFactory(
            movie=movie,
            provider=ProviderFactory(name=provider),
            country="US",
            kind=Availability.Kind.RENT,
            last_checked=checked,
        )
    AvailabilityFactory(
        movie=movie,
        provider=ProviderFactory(name="Apple TV"),
        country="GB",
        kind=Availability.Kind.BUY,
        last_checked=checked,
    )
    return movie
