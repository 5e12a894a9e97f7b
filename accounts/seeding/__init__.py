"""Synthetic data at scale (`manage.py seed_scale`): films with genres and credits, people,
readers, a long tail of reviews with a few very popular films, and helpful votes, to
measure pages and plans at the size of a large site (docs/performance.md).

Rows are generated in Python from one seeded random generator (the same --seed gives the
same data; generate.py) with explicit primary keys, and written in one transaction by COPY
on PostgreSQL (a million rows in seconds) or executemany on SQLite (tables.py). The films
are written last, with the aggregate and score of the reviews generated for them, as
`recompute_ratings` would write them. How much, and the words used: plan.py.

Everything seeded is marked, so it can be found and removed (`--reset`) without touching
real data: films' and people's `external_id` start with SEED_MARK, readers' usernames with
READER_PREFIX.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from accounts.seeding.generate import Seeder
from accounts.seeding.plan import READER_PREFIX, SEED_MARK, Plan
from accounts.seeding.tables import table_name
from movies.models import Credit, Movie, Person
from reviews.models import HelpfulVote, Review

__all__ = ["Plan", "reset", "seed", "seeded_counts"]


def seeded_counts() -> dict[str, int]:
    """What an earlier seed_scale left: films, people and readers it marked."""
    return {
        "films": Movie.objects.filter(external_id__startswith=SEED_MARK).count(),
        "people": Person.objects.filter(external_id__startswith=SEED_MARK).count(),
        "readers": get_user_model().objects.filter(username__startswith=READER_PREFIX).count(),
    }


def reset() -> None:
    """Remove everything seed_scale wrote: the readers' votes and reviews, the films (with
    their credits and genres), the people and the readers. Big tables by plain DELETEs
    (Django's collector would load a million reviews), the rest through the ORM."""
    user_table = table_name(get_user_model())
    readers = f"SELECT id FROM {user_table} WHERE username LIKE %s"
    films = f"SELECT id FROM {table_name(Movie)} WHERE external_id LIKE %s"
    reader_like, film_like = READER_PREFIX + "%", SEED_MARK + "%"
    genre_links = table_name(Movie.genres.through)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table_name(HelpfulVote)} WHERE user_id IN ({readers})", [reader_like]
        )
        cursor.execute(
            f"DELETE FROM {table_name(HelpfulVote)} WHERE review_id IN "
            f"(SELECT id FROM {table_name(Review)} WHERE movie_id IN ({films}))",
            [film_like],
        )
        cursor.execute(
            f"DELETE FROM {table_name(Review)} WHERE user_id IN ({readers})", [reader_like]
        )
        cursor.execute(f"DELETE FROM {table_name(Review)} WHERE movie_id IN ({films})", [film_like])
        cursor.execute(f"DELETE FROM {table_name(Credit)} WHERE movie_id IN ({films})", [film_like])
        cursor.execute(f"DELETE FROM {genre_links} WHERE movie_id IN ({films})", [film_like])
        Movie.objects.filter(external_id__startswith=SEED_MARK).delete()
        Person.objects.filter(external_id__startswith=SEED_MARK, credits__isnull=True).delete()
        get_user_model().objects.filter(username__startswith=READER_PREFIX).delete()


def seed(plan: Plan, progress) -> dict[str, int]:
    return Seeder(plan, progress).run()
