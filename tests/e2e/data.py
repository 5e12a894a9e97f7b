"""A small catalogue for the browser tests: one richly filled verdict page and company."""

import datetime

from django.utils import timezone

from movies.models import Movie, VerdictBand
from movies.verdicts import DEFAULT_LADDER
from reviews.models import Review
from reviews.recompute import ratings_recompute
from tests.factories import (
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    UserFactory,
    one_second_film,
)

PASSWORD = "correct horse battery staple"
REVIEWS_ON_FILM = 23  # more than one page of the reviews list (20 a page)
REVIEW_TEXT = (
    "A patient, funny and finally moving film about what the cinema meant to a town "
    "that had nothing else; the projection scene alone is worth the ticket."
)


def catalogue():
    """Returns the film the journeys visit: the shared "One Second" (2020), featured, with
    23 readers' reviews; three other films and a draft around it."""
    # Browser tests run against a flushed database (transactional_db), which also
    # drops the ladder the migrations seeded.
    if not VerdictBand.objects.exists():
        for name, minimum, order, tone in DEFAULT_LADDER:
            VerdictBand.objects.create(name=name, min_multiple=minimum, order=order, tone=tone)
    film = one_second_film()
    Movie.objects.filter(pk=film.pk).update(is_featured=True)

    long_ago = timezone.now() - datetime.timedelta(days=400)
    ratings = [8, 9, 7, 8, 6, 9, 10, 7, 8, 8, 5, 9, 8, 7, 9, 8, 6, 8, 9, 7, 8, 10, 7]
    assert len(ratings) == REVIEWS_ON_FILM
    for n, rating in enumerate(ratings):
        review = Review.objects.create(
            movie=film,
            user=UserFactory(username=f"critic{n:02d}"),
            rating=rating,
            headline=f"Review number {n + 1}",
            body=REVIEW_TEXT,
            status=Review.Status.PUBLISHED,
            rating_counted=True,
            helpful_count=REVIEWS_ON_FILM - n,
        )
        Review.objects.filter(pk=review.pk).update(created_at=long_ago)
    # The reviews were written directly (to backdate them and set helpful counts): the
    # film's rating totals come from them the way the site's own check rebuilds them.
    ratings_recompute()

    comedy, drama = GenreFactory(name="Comedy"), GenreFactory(name="Drama")
    for n, (title, gross) in enumerate(
        [("Paper Moon", 30_000_000), ("The Long Goodbye", 4_000_000), ("Tampopo", None)]
    ):
        other = MovieFactory(
            title=title,
            year=1973 + n * 6,
            genres=[comedy, drama],
            budget=5_000_000 if gross else None,
            worldwide_gross=gross,
        )
        CreditFactory(movie=other, person=PersonFactory(name=f"Actor {n}"), billing_order=1)
    MovieFactory(title="Unfinished Draft", status=Movie.Status.DRAFT, published_at=None)
    film.refresh_from_db()
    return film


def reader(username="newcomer"):
    """An account old enough that its written reviews are published at once."""
    return UserFactory(
        username=username,
        password=PASSWORD,
        date_joined=timezone.now() - datetime.timedelta(days=365),
    )
