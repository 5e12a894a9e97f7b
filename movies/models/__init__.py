"""The catalogue: films, people, credits, genres, box office, where to watch, verdict bands.

One module a model family (movies/models/*.py); everything is importable from here.
"""

from movies.models.bands import (
    LADDER_CACHE_KEY,
    LADDER_CACHE_SECONDS,
    VerdictBand,
    VerdictBandQuerySet,
    forget_ladder,
)
from movies.models.base import (
    CURRENCY_CODE,
    Publication,
    cached,
    next_free_slug,
    published_q,
    slug_base,
    unique_slug,
)
from movies.models.drafts import MovieDraft
from movies.models.film_rows import ContentAdvisory, RegionalGross, SimilarFilm
from movies.models.films import Movie, MovieQuerySet, verdict_part_prefetches
from movies.models.genres import Genre, genres_in_source_order, prefetch_genres
from movies.models.imports import ImportJob, ImportLock
from movies.models.people import Credit, CreditQuerySet, Person, PersonQuerySet
from movies.models.watch import Availability, Provider

__all__ = [
    "CURRENCY_CODE",
    "LADDER_CACHE_KEY",
    "LADDER_CACHE_SECONDS",
    "Availability",
    "ContentAdvisory",
    "Credit",
    "CreditQuerySet",
    "Genre",
    "ImportJob",
    "ImportLock",
    "Movie",
    "MovieDraft",
    "MovieQuerySet",
    "Person",
    "PersonQuerySet",
    "Provider",
    "Publication",
    "RegionalGross",
    "SimilarFilm",
    "VerdictBand",
    "VerdictBandQuerySet",
    "cached",
    "forget_ladder",
    "genres_in_source_order",
    "next_free_slug",
    "prefetch_genres",
    "published_q",
    "slug_base",
    "unique_slug",
    "verdict_part_prefetches",
]
