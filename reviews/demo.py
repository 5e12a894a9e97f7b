"""Demo readers, ratings and a few written reviews, so the demo shows audience ratings.

`load_demo_reviews()` is called by `manage.py load_demo` after the films exist. Everything
goes through reviews.services (the aggregates stay exact) and is idempotent: a review
that already says the same thing is left alone, so a second run writes nothing.
Demo readers have no usable password: nobody can log in as them.
"""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from movies.models import Movie
from reviews import services
from reviews.models import Review

READERS = ["mei_reads", "tomasz", "priya.k", "olu", "samfilm", "jules", "kenji_w", "ana_b"]
# Spread around each film's outside rating; the mean of any prefix stays close to it.
OFFSETS = [0, 1, -1, 2, -2, 0, 1, -1]
FALLBACK_RATING = 6.5

# (film title, year, reader, rating, headline, review, contains spoilers)
WRITTEN = [
    ("One Second", 2020, "mei_reads", 9, "A love letter to celluloid",
     "Zhang Yimou strips everything back to a man, a girl and a can of film, and it works. "
     "The scene where the whole village washes the print strip by strip is the best thing "
     "I have seen about why cinema mattered to people who had very little else. Liu Haocun "
     "is a find.", False),
    ("One Second", 2020, "tomasz", 7, "Beautiful, but the ending feels trimmed",
     "For an hour this is close to a masterpiece: the desert, the chase, Fan Wei's pompous "
     "projectionist. Then the last ten minutes rush to a coda that feels bolted on, and you "
     "can sense the cuts. Still worth it for the projection booth scene alone.", False),
    ("One Second", 2020, "priya.k", 8, "Those two frames",
     "The ending wrecked me. When Mr. Movie hands him the two frames of his daughter and "
     "the sand takes them on the dunes, the whole film folds into that one image: a second "
     "of a life, and even that can be lost. I wish the released version had stopped there.",
     True),
    ("Parasite", 2019, "olu", 10, "Funny until it very much is not",
     "Bong Joon-ho controls tone like almost nobody else: the first hour plays as a caper "
     "and you laugh along, then the rain sequence turns everything over. Every staircase "
     "in that house means something. Rewatch it and you see how early it all starts.",
     False),
    ("Parasite", 2019, "jules", 9, "Earns every award",
     "A thriller, a satire and a family drama at once, with not a wasted shot. The cast "
     "is superb across the board, and the production design is a character in its own "
     "right. The final act is brutal but it is exactly where the film was always going.",
     False),
    ("Cats", 2019, "samfilm", 2, "I wanted to like it",
     "The songs are the songs and a couple of the dancers are wonderful, but the digital "
     "fur and the shifting scale of everything make it impossible to settle into. Judi "
     "Dench does her best. As a late-night curiosity with friends it has some value.",
     False),
    ("Arrival", 2016, "kenji_w", 9, "Science fiction about grief",
     "Quiet, patient and intelligent: the linguistics are taken seriously, Amy Adams is "
     "extraordinary, and Jóhann Jóhannsson's score does half the storytelling. It asks "
     "you to pay attention and repays it, and the structure makes a second viewing a "
     "completely different film.", False),
    ("The Iron Giant", 1999, "ana_b", 9, "Still makes grown-ups cry",
     "Brad Bird's first feature is a Cold War story told at a child's height, with hand "
     "drawn animation that has aged better than most computer work since. The giant's "
     "choice at the end is earned, and 'you are who you choose to be' lands every time.",
     False),
]  # fmt: skip


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


def load_demo_reviews(*, movies=None) -> int:
    """Rate each of `movies` (default: the first 30 public films) from six to eight demo
    readers, and add the written reviews to the films they name.

    Returns how many reviews were written or changed (0 on a second run).
    """
    if movies is None:
        movies = Movie.objects.published().order_by("pk")[:30]
    readers = {name: _reader(name) for name in READERS}
    existing = {
        (movie_id, user_id): tuple(said)
        for movie_id, user_id, *said in Review.objects.filter(
            user__in=readers.values()
        ).values_list("movie_id", "user_id", "rating", "headline", "body", "contains_spoilers")
    }
    written = {(title, year, name) for title, year, name, *_ in WRITTEN}
    changed = 0
    for index, movie in enumerate(movies):
        base = float(movie.external_rating) if movie.external_rating else FALLBACK_RATING
        for name, offset in list(zip(READERS, OFFSETS, strict=True))[: 8 - index % 3]:
            if (movie.title, movie.year, name) in written:
                continue
            rating = min(10, max(1, round(base + offset)))
            changed += _submit(existing, movie=movie, user=readers[name], rating=rating)
    named = Q()
    for title, year, *_ in WRITTEN:
        named |= Q(title=title, year=year)
    films = {(m.title, m.year): m for m in Movie.objects.published().filter(named)}
    for title, year, name, rating, headline, body, spoilers in WRITTEN:
        if movie := films.get((title, year)):
            changed += _submit(
                existing,
                movie=movie,
                user=readers[name],
                rating=rating,
                headline=headline,
                body=body,
                contains_spoilers=spoilers,
            )
    return changed
