"""Data for a scratch database, and a snapshot of what it holds.

    python -m tests.load.seed seed --films 20 --accounts 50 [--reviews 2 --votes --poster]
    python -m tests.load.seed snapshot      (JSON on stdout, as every command)
    python -m tests.load.seed reviews | sessions USERNAME...

Run with DATABASE_URL (and DJANGO_MEDIA_ROOT) pointing at the scratch database. Reviews
and votes go through reviews.services, so every aggregate is what the site would store.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import sys

PASSWORD = "a load run's password 42"
ACCOUNT_PREFIX = "load"


def review_text(username, slug, version):
    """A written review that says who wrote it, about what, and which edit it is."""
    return (
        f"{username} on {slug}, version {version}. A patient film about why we go to "
        "the cinema at all; the last reel earns every minute and the leads are superb."
    )


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed(*, films, accounts, reviews=0, votes=False, poster=False):
    """`films` published films with a credited person each, `accounts` readers a year
    old (so their reviews are published at once) sharing PASSWORD; optionally `reviews`
    reviews per reader, helpful votes from the next two readers, and a poster."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from reviews import services
    from reviews.models import Review
    from tests.factories import CreditFactory, MovieFactory, ReviewFactory

    movies = MovieFactory.create_batch(films)
    for movie in movies:
        CreditFactory(movie=movie)
    user_model = get_user_model()
    hashed = make_password(PASSWORD)  # once: hashing is slow on purpose
    joined = timezone.now() - datetime.timedelta(days=365)
    users = user_model.objects.bulk_create(
        user_model(
            **{user_model.USERNAME_FIELD: f"{ACCOUNT_PREFIX}{i:02d}"},
            email=f"{ACCOUNT_PREFIX}{i:02d}@example.com",
            password=hashed,
            date_joined=joined,
        )
        for i in range(accounts)
    )
    users = list(user_model.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))
    for i, user in enumerate(users):
        for k in range(reviews):
            movie = movies[(i + k) % len(movies)]
            written = (i + k) % 3 != 0
            ReviewFactory(
                movie=movie,
                user=user,
                rating=1 + (3 * i + k) % 10,
                headline="Worth it" if written else "",
                body=review_text(user.get_username(), movie.slug, 1) if written else "",
            )
    if votes:
        for i, review in enumerate(Review.objects.readable().order_by("pk")):
            for voter in (users[(i + 1) % len(users)], users[(i + 2) % len(users)]):
                if voter.pk != review.user_id:
                    services.review_toggle_helpful(review=review, user=voter)
    if poster:
        _attach_poster(movies[0])
    return {"films": [m.slug for m in movies], "accounts": [u.get_username() for u in users]}


def _attach_poster(movie):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from movies import images

    buffer = io.BytesIO()
    Image.new("RGB", (400, 600), (120, 30, 30)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("poster.jpg", buffer.getvalue())
    images.attach(movie, "poster", images.process_upload(upload))
    movie.save()


def snapshot():
    """Every film (with its aggregate), person, credit, review, helpful vote and
    account, field by field, and every media file's checksum."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import serializers

    from movies.models import Credit, Movie, Person
    from reviews.models import HelpfulVote, Review

    rows = {
        model._meta.label: json.loads(
            serializers.serialize("json", model._default_manager.order_by("pk"))
        )
        for model in (Movie, Person, Credit, Review, HelpfulVote, get_user_model())
    }
    media = Path(settings.MEDIA_ROOT)
    rows["media"] = {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    }
    return rows


def sessions(usernames):
    """Signed-in session cookies for `usernames`, minted as Django's test client does:
    for accounts that the login form could not sign in (its fields are moving to
    django-allauth)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    minted = {}
    for user in get_user_model().objects.filter(
        **{f"{get_user_model().USERNAME_FIELD}__in": usernames}
    ):
        client = Client()
        client.force_login(user)
        minted[user.get_username()] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"cookie": settings.SESSION_COOKIE_NAME, "sessions": minted}


def reviews_written():
    """[username, film slug, rating, body] of every review."""
    from reviews.models import Review

    return [
        [review.user.get_username(), review.movie.slug, review.rating, review.body]
        for review in Review.objects.select_related("user", "movie").order_by("pk")
    ]


def main(argv=None):
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("seed")
    make.add_argument("--films", type=int, default=20)
    make.add_argument("--accounts", type=int, default=50)
    make.add_argument("--reviews", type=int, default=0)
    make.add_argument("--votes", action="store_true")
    make.add_argument("--poster", action="store_true")
    commands.add_parser("snapshot")
    commands.add_parser("reviews")
    mint = commands.add_parser("sessions")
    mint.add_argument("usernames", nargs="*")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "sessions":
        made = sessions(args.usernames)
    elif args.command == "reviews":
        made = reviews_written()
    elif args.command == "seed":
        made = seed(
            films=args.films,
            accounts=args.accounts,
            reviews=args.reviews,
            votes=args.votes,
            poster=args.poster,
        )
    else:
        made = snapshot()
    json.dump(made, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
