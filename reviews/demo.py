"""Demo readers, ratings and a few written reviews, so the demo shows audience ratings.

The data is reviews/fixtures/demo_reviews.toml. `load_demo_reviews()` is what
`manage.py load_demo_reviews` runs after `load_demo` has written the films. Everything
goes through reviews.services (the aggregates stay exact) and is idempotent: a review
that already says the same thing is left alone, so a second run writes nothing.
Demo readers have no usable password: nobody can log in as them.
"""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from movies.demo import demo_movies, prose, read_toml
from movies.models import Movie
from reviews import services
from reviews.models import Review

REVIEWS_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_reviews.toml"


def read_reviews(path=REVIEWS_FILE):
    """The demo reviews file, review bodies reflowed (movies.demo.prose)."""
    data = read_toml(path)
    for review in data.get("reviews", []):
        review["body"] = prose(review["body"])
        review.setdefault("contains_spoilers", False)
    return data


def _reader(username):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username.replace('.', '_')}@demo.invalid",
            "date_joined": timezone.now() - datetime.timedelta(days=400),
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        # Confirmed, as a real reader's would be, so their ratings count (reviews/trust.py).
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _submit(existing, *, movie, user, rating, headline="", body="", contains_spoilers=False):
    """Write the review unless `existing` (the demo readers' reviews, read once by
    load_demo_reviews()) shows it already says the same thing."""
    if existing.get((movie.pk, user.pk)) == (rating, headline, body, contains_spoilers):
        return False
    services.review_submit(
        movie=movie,
        user=user,
        rating=rating,
        headline=headline,
        body=body,
        contains_spoilers=contains_spoilers,
        check_rate_limit=False,
    )
    return True


def load_demo_reviews(*, movies=None, path=REVIEWS_FILE) -> int:
    """Rate each of `movies` (default: the first 30 public films) from six to eight demo
    readers, and add the written reviews to the films they name.

    Returns how many reviews were written or changed (0 on a second run).
    """
    data = read_reviews(path)
    if movies is None:
        movies = Movie.objects.published().order_by("pk")[:30]
    readers = {reader["username"]: _reader(reader["username"]) for reader in data["readers"]}
    existing = {
        (movie_id, user_id): tuple(said)
        for movie_id, user_id, *said in Review.objects.filter(
            user__in=readers.values()
        ).values_list("movie_id", "user_id", "rating", "headline", "body", "contains_spoilers")
    }
    reviews = data.get("reviews", [])
    written = {(r["film"], r["year"], r["reader"]) for r in reviews}
    changed = 0
    for index, movie in enumerate(movies):
        base = float(movie.external_rating) if movie.external_rating else data["fallback_rating"]
        for reader in data["readers"][: 8 - index % 3]:
            if (movie.title, movie.year, reader["username"]) in written:
                continue
            rating = min(10, max(1, round(base + reader["offset"])))
            changed += _submit(
                existing, movie=movie, user=readers[reader["username"]], rating=rating
            )
    named = Q()
    for review in reviews:
        named |= Q(title=review["film"], year=review["year"])
    films = {(m.title, m.year): m for m in Movie.objects.published().filter(named)}
    for review in reviews:
        if movie := films.get((review["film"], review["year"])):
            changed += _submit(
                existing,
                movie=movie,
                user=readers[review["reader"]],
                rating=review["rating"],
                headline=review["headline"],
                body=review["body"],
                contains_spoilers=review["contains_spoilers"],
            )
    return changed


def demo_films_to_rate(path=REVIEWS_FILE):
    """The demo films (movies.demo) but those the reviews file leaves unrated."""
    unrated = Q()
    for film in read_reviews(path).get("unrated", []):
        unrated |= Q(title=film["film"], year=film["year"])
    return demo_movies().exclude(unrated) if unrated else demo_movies()
