"""The set-based score refresh at 100,000 films (PostgreSQL).

When the site mean moves, `manage.py refresh_scores` recomputes the score of every film
leaning on it in one UPDATE (movies.services.scores_refresh). This seeds N published
films (a third with outside ratings, most with readers' counters) with bulk inserts,
then times, in the same run on the same rows: the set-based refresh of the films leaning
on the site mean, of all films (--all), and the baseline, a per-film loop of
verdicts.film_score() and save(update_fields=["score"]) on a sample, scaled to N.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ww_score_bench \\
        .venv/bin/python benchmarks/score_refresh.py [--films 100000]
"""

import argparse
import os
import random
import time

from _setup import django_on, machine
from search_latency import ensure_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ww_score_bench"
SAMPLE = 2_000


def seed(films):
    from django.utils import timezone

    from movies.models import Movie

    Movie.objects.all().delete()
    rng, now = random.Random(7), timezone.now()
    rows = []
    for n in range(films):
        count = rng.choice([0, 0, 1, 3, 8, 40, 400])
        total = sum(rng.randint(1, 10) for _ in range(min(count, 50))) * max(1, count // 50)
        total = min(max(total, count), count * 10)
        outside = round(rng.uniform(2, 9.5), 1) if n % 3 == 0 else None
        rows.append(
            Movie(
                title=f"Film {n}",
                year=1930 + n % 95,
                slug=f"film-{n}",
                status=Movie.Status.PUBLISHED,
                published_at=now,
                rating_count=count,
                rating_sum=total,
                external_rating=outside,
                external_rating_source="IMDb" if outside else "",
                outside_rating=outside,
            )
        )
    Movie.objects.bulk_create(rows, batch_size=5_000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    django_on(url)
    from django.conf import settings

    from movies import services, verdicts
    from movies.models import Movie
    from movies.selectors import site_mean

    print(f"Seeding {args.films:,} films ...", flush=True)
    seed(args.films)

    started = time.perf_counter()
    leaning = services.scores_refresh(only_leaning=True)
    leaning_seconds = time.perf_counter() - started
    started = time.perf_counter()
    every = services.scores_refresh()
    all_seconds = time.perf_counter() - started

    mean = site_mean()
    sample = list(Movie.objects.order_by("?")[:SAMPLE])
    started = time.perf_counter()
    for movie in sample:
        movie.score = verdicts.film_score(
            rating_sum=movie.rating_sum,
            rating_count=movie.rating_count,
            outside=movie.outside_rating,
            outside_weight=settings.SCORE_OUTSIDE_WEIGHT,
            site_mean=mean,
            site_weight=settings.WEIGHTED_RATING_MIN_VOTES,
        )
        movie.save(update_fields=["score"])
    per_film = (time.perf_counter() - started) / len(sample)
    baseline = per_film * args.films

    print(
        f"Set-based refresh, films leaning on the site mean: {leaning:,} in {leaning_seconds:.2f} s"
    )
    print(f"Set-based refresh, every film: {every:,} in {all_seconds:.2f} s")
    print(
        f"Baseline, one save per film: {per_film * 1000:.2f} ms a film, "
        f"{baseline:.1f} s for {args.films:,}"
    )
    print(f"Ratio: the set-based refresh of every film is {baseline / all_seconds:.0f}x faster.")
    print(machine())


if __name__ == "__main__":
    main()
