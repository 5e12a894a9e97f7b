"""A catalogue at a chosen scale for the page benchmark (benchmarks/pages.py).

`seed(films=..., reviews=...)` runs `manage.py seed_scale` when the project has it (the
realistic generator of issue 14), else the small bulk seeder below: published films with
a search document and a stored score, readers a year old, and reviews spread like real
ones (a few films get most of them), aggregates recomputed from the rows. Switch by
removing `_bulk_seed` once seed_scale is on main.
"""

import datetime
import itertools
import random

BENCH_PASSWORD = "a bench reader's password 42"
BENCH_PREFIX = "bench"
BODY = (
    "A patient film about why we go to the cinema at all; the last reel earns every "
    "minute, the leads are superb and the score stays with you on the way home."
)


def seed(*, films, reviews):
    from django.core.management import call_command, get_commands

    if "seed_scale" in get_commands():
        call_command("seed_scale", films=films, reviews=reviews)
    else:
        _bulk_seed(films, reviews)
    return bench_reader()


def bench_reader():
    """A confirmed reader a year old, for the review-submission run (its username)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: f"{BENCH_PREFIX}-writer"},
        defaults={
            "email": "bench-writer@example.com",
            "password": make_password(BENCH_PASSWORD),
            "date_joined": timezone.now() - datetime.timedelta(days=365),
        },
    )
    if created:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user.get_username()


def _bulk_seed(films, reviews):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from tqdm import tqdm

    from movies import services
    from movies.models import Movie
    from reviews import recompute
    from reviews.models import Review

    rng = random.Random(14)
    now = timezone.now()
    words = [
        "night",
        "river",
        "last",
        "city",
        "summer",
        "glass",
        "silent",
        "red",
        "long",
        "road",
        "king",
        "garden",
    ]
    movies = []
    for i in range(films):
        title = f"{rng.choice(words).title()} {rng.choice(words).title()} {i}"
        movie = Movie(
            title=title,
            slug=f"bench-{i}",
            year=1950 + i % 75,
            runtime_minutes=90 + i % 60,
            logline="A projectionist guards the last reel in town.",
            status=Movie.Status.PUBLISHED,
            published_at=now - datetime.timedelta(minutes=i),
            worldwide_gross=(i % 7) * 10_000_000 or None,
            budget=(i % 5 + 1) * 5_000_000,
        )
        for name, value in Movie.derived_values(
            {f.attname: getattr(movie, f.attname) for f in Movie._meta.concrete_fields}, now=now
        ).items():
            setattr(movie, name, value)
        movies.append(movie)
    Movie.objects.bulk_create(movies, batch_size=2000)
    ids = list(Movie.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    services.refresh_search_documents(ids)

    user_model = get_user_model()
    accounts = max(50, reviews // 10)
    hashed = make_password(BENCH_PASSWORD)
    joined = now - datetime.timedelta(days=365)
    user_model.objects.bulk_create(
        (
            user_model(
                **{user_model.USERNAME_FIELD: f"{BENCH_PREFIX}{i:06d}"},
                email=f"{BENCH_PREFIX}{i:06d}@example.com",
                password=hashed,
                date_joined=joined,
            )
            for i in range(accounts)
        ),
        batch_size=5000,
    )
    users = list(
        user_model.objects.filter(
            **{f"{user_model.USERNAME_FIELD}__startswith": BENCH_PREFIX}
        ).values_list("pk", flat=True)
    )
    # A long tail: film k gets about 1/(k+1) of the reviews (the first few are the
    # "popular" films whose verdict pages the benchmark loads).
    cumulative = list(itertools.accumulate(1 / (k + 1) for k in range(len(ids))))
    rows, taken = [], set()
    for _ in tqdm(range(reviews), desc="reviews", unit="row", mininterval=2):
        for _attempt in range(20):
            movie_id = rng.choices(ids, cum_weights=cumulative)[0]
            user_id = rng.choice(users)
            if (movie_id, user_id) not in taken:
                taken.add((movie_id, user_id))
                break
        else:
            continue
        written = rng.random() < 0.4
        rows.append(
            Review(
                movie_id=movie_id,
                user_id=user_id,
                rating=rng.randint(1, 10),
                headline="Worth it" if written else "",
                body=BODY if written else "",
                status=Review.Status.PUBLISHED,
                rating_counted=True,
            )
        )
    Review.objects.bulk_create(rows, batch_size=5000)
    recompute.ratings_recompute()
    services.scores_refresh(movies=Movie.objects.filter(pk__in=ids))
