"""Generating the seeded rows from one random generator, in the order they are written:
people, readers, reviews (counting each film's aggregate), votes, then the films with
their aggregate and score, their genres and credits."""

import datetime
import random
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.seeding.plan import (
    FIRST_NAMES,
    GENRES,
    LAST_NAMES,
    PHRASES,
    READER_PREFIX,
    SEED_MARK,
    TITLE_HEADS,
    TITLE_NOUNS,
    TITLE_TAILS,
    WRITTEN_SHARE,
    Plan,
)
from accounts.seeding.tables import TableWriter, table_name
from accounts.usernames import skeleton
from movies import verdicts
from movies.models import Credit, Genre, Movie, Person
from movies.search import search_document
from movies.selectors import site_mean
from reviews.models import HelpfulVote, Review


class Seeder:
    """Generates and writes one Plan. `progress(stage, total)` returns a callable that
    advances a progress bar for that stage."""

    def __init__(self, plan: Plan, progress):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.progress = progress
        self.now = timezone.now()

    def run(self) -> dict[str, int]:
        """Everything in one transaction: all or nothing. Films are written last, with
        their aggregates and score counted from the reviews as they were generated, so
        no UPDATE of 100,000 films follows (each would recompute the stored search
        vector)."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                self._tune_for_bulk_load()
            genre_ids = self._genres()
            person_ids = self._people()
            film_first = TableWriter(Movie, ["id"]).first_id()
            film_ids = list(range(film_first, film_first + self.plan.films))
            reader_ids = self._readers()
            written = self._reviews(film_ids, reader_ids)
            votes = self._votes(written, reader_ids)
            self._films(film_ids, genre_ids, person_ids)
        site_mean(fresh=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Movie, Person, Credit, get_user_model(), Review, HelpfulVote):
                    # The films vacuumed too, where it may run (outside a transaction: not
                    # in tests): search's popularity walk is an index-only scan only over
                    # pages the visibility map marks all-visible (movies/search.py).
                    vacuum = model is Movie and not connection.in_atomic_block
                    cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {table_name(model)}")
        return {
            "films": len(film_ids),
            "people": len(person_ids),
            "readers": len(reader_ids),
            "reviews": self.review_count,
            "helpful votes": votes,
        }

    @staticmethod
    def _tune_for_bulk_load():
        """PostgreSQL, for this transaction: memory to build indexes in one sort and,
        where the role may (a superuser, as on a development machine), no per-row foreign
        key checks: every reference is valid by construction, and millions of checks at
        commit would cost more than the writing."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # No foreign key check waits for the commit (PostgreSQL refuses to build an
            # index on a table with pending trigger events): earlier writes in this
            # transaction are checked now, and any check of ours runs per row.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            pass

    def _genres(self) -> list[int]:
        for name in GENRES:
            if not Genre.objects.filter(name=name).exists():
                Genre(name=name).save()
        return list(Genre.objects.filter(name__in=GENRES).values_list("pk", flat=True))

    def _people(self) -> list[int]:
        writer = TableWriter(
            Person, ["id", "name", "slug", "external_id", "created_at", "updated_at"]
        )
        first = writer.first_id()
        count = self.plan.people
        names = []

        def rows() -> Iterator[tuple]:
            rng = self.rng
            for n in range(count):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                names.append(name)
                slug = f"{slugify(name)}-{SEED_MARK}{self.plan.seed}-{n}"
                yield (first + n, name, slug, f"{SEED_MARK}{n}", self.now, self.now)

        writer.write(rows(), self.progress("people", count))
        self.person_names = names
        return list(range(first, first + count))

    def _films(self, film_ids, genre_ids, person_ids) -> None:
        """Films and their genres and credits, with the audience aggregate and score of
        the reviews generated for them. People are picked with a long tail: a few have
        hundreds of credits (the person pages to measure), most a handful."""
        plan, rng, now = self.plan, self.rng, self.now
        columns = [
            "id", "title", "slug", "year", "runtime_minutes", "external_id", "search_document",
            "logline", "synopsis", "status", "published_at", "is_featured", "created_at",
            "updated_at", "budget", "worldwide_gross", "currency", "external_rating",
            "external_rating_votes", "external_rating_source", "box_office_multiple",
            "outside_rating", "rating_count", "rating_sum", *Movie.RATING_FIELDS,
            "audience_rating", "score",
        ]  # fmt: skip
        writer = TableWriter(Movie, columns)
        first = film_ids[0]
        mean = self._site_mean()
        credit_writer = TableWriter(
            Credit, ["movie_id", "person_id", "role", "character_name", "billing_order"]
        )
        genre_writer = TableWriter(Movie.genres.through, ["movie_id", "genre_id"])
        credits, links = [], []
        featured_every = max(1, plan.films // 12)
        people = len(person_ids)

        def person():
            return person_ids[int(people * rng.random() ** 1.5)]

        def rows() -> Iterator[tuple]:
            for n in range(plan.films):
                pk = first + n
                title = (
                    f"{rng.choice(TITLE_HEADS)} {rng.choice(TITLE_NOUNS)}{rng.choice(TITLE_TAILS)}"
                )
                year = min(2025, int(1930 + 95 * rng.random() ** 0.6))
                published_at = now - datetime.timedelta(minutes=rng.randrange(1, 60 * 24 * 3650))
                updated_at = min(now, published_at + datetime.timedelta(days=rng.randrange(0, 60)))
                budget = gross = None
                if rng.random() < 0.6:
                    budget = rng.randrange(1, 200) * 1_000_000
                    gross = int(budget * rng.lognormvariate(0.3, 1.0))
                rated = rng.random() < 0.7
                values = {
                    "status": Movie.Status.PUBLISHED,
                    "published_at": published_at,
                    "budget": budget,
                    "worldwide_gross": gross,
                    "external_rating": round(min(10.0, max(1.0, rng.gauss(6.4, 1.2))), 1)
                    if rated
                    else None,
                }
                derived = Movie.derived_values(values, now=now)
                counts = self.aggregates.get(pk) or [0] * 12
                count, total = counts[0], counts[1]
                score = verdicts.film_score(
                    rating_sum=total,
                    rating_count=count,
                    outside=derived["outside_rating"],
                    outside_weight=settings.SCORE_OUTSIDE_WEIGHT,
                    site_mean=mean,
                    site_weight=settings.WEIGHTED_RATING_MIN_VOTES,
                )
                cast = []
                film_credits = [(pk, person(), Credit.Role.DIRECTOR, "", None)]
                seen = {film_credits[0][1]}
                for billing in range(1, rng.randrange(4, 14)):
                    who = person()
                    if who not in seen:
                        seen.add(who)
                        cast.append(who)
                        film_credits.append(
                            (pk, who, Credit.Role.CAST, rng.choice(FIRST_NAMES), billing)
                        )
                credits.extend(film_credits)
                links.extend((pk, g) for g in rng.sample(genre_ids, rng.randrange(1, 4)))
                document = search_document(
                    [
                        (role, billing, self.person_names[who - person_ids[0]])
                        for _, who, role, _, billing in film_credits
                    ]
                )
                yield (
                    pk, title, f"{slugify(title)}-{year}-{SEED_MARK}{plan.seed}-{n}", year,
                    rng.randrange(75, 200), f"{SEED_MARK}{n}", document,
                    f"{title}: a story told in {year}.", "A synthetic film for measuring pages.",
                    Movie.Status.PUBLISHED, published_at, n % featured_every == 0, published_at,
                    updated_at, budget, gross, "USD", values["external_rating"],
                    rng.randrange(100, 900_000) if rated else None, "IMDb" if rated else "",
                    derived["box_office_multiple"], derived["outside_rating"], *counts,
                    total / count if count else None, score,
                )  # fmt: skip

        writer.write(rows(), self.progress("films", plan.films))
        genre_writer.write(iter(links), self.progress("film genres", len(links)))
        credit_writer.write(iter(credits), self.progress("credits", len(credits)))

    def _site_mean(self):
        """The site mean the scores lean on: every counted rating of a published film,
        the ones already there and the ones seeded."""
        totals = Movie.objects.published().aggregate(
            count=models.Sum("rating_count"), total=models.Sum("rating_sum")
        )
        count = (totals["count"] or 0) + sum(c[0] for c in self.aggregates.values())
        total = (totals["total"] or 0) + sum(c[1] for c in self.aggregates.values())
        return total / count if count else None

    def _readers(self) -> list[int]:
        user_model = get_user_model()
        writer = TableWriter(
            user_model,
            [
                "id",
                "username",
                "username_skeleton",
                "email",
                "password",
                "is_active",
                "date_joined",
            ],
        )
        first = writer.first_id()
        count = self.plan.readers
        tag = f"{self.plan.seed}-"

        def rows() -> Iterator[tuple]:
            for n in range(count):
                username = f"{READER_PREFIX}{tag}{n}"
                yield (
                    first + n, username, skeleton(username), f"{username}@example.invalid",
                    "!seeded", True, self.now,
                )  # fmt: skip

        writer.write(rows(), self.progress("readers", count))
        return list(range(first, first + count))

    def _reviews(self, film_ids, reader_ids) -> list[tuple[int, int, int]]:
        """Reviews: the very popular films reviewed by the first readers, the rest spread
        over the other films with a long tail (a few films have thousands, most none).
        Returns the written reviews as (id, author, helpful_count), for the votes."""
        plan, rng, now = self.plan, self.rng, self.now
        writer = TableWriter(
            Review,
            [
                "id", "movie_id", "user_id", "rating", "headline", "body", "contains_spoilers",
                "status", "rating_counted", "helpful_count", "created_at", "updated_at",
            ],
        )  # fmt: skip
        first = writer.first_id()
        popular = film_ids[:: max(1, len(film_ids) // plan.popular_films)][: plan.popular_films]
        chosen = set(popular)
        tail = [pk for pk in film_ids if pk not in chosen]
        rng.shuffle(tail)
        bias = {pk: rng.gauss(0, 1.2) for pk in film_ids}
        readers = len(reader_ids)
        rest = max(0, plan.reviews - plan.popular_reviews * len(popular))
        written = []
        self.aggregates = {}  # film id -> [count, sum, rating_1 .. rating_10]

        def pairs() -> Iterator[tuple[int, int, bool]]:
            for film in popular:
                for n in range(plan.popular_reviews):
                    yield film, n, True
            if not tail:
                return
            each, extra = divmod(rest, readers)
            for n in range(readers):
                wanted = min(len(tail), each + (1 if n < extra else 0))
                chosen = set()
                while len(chosen) < wanted:
                    chosen.add(tail[int(len(tail) * rng.random() ** 2.5)])
                for film in chosen:
                    yield film, n, False

        def rows() -> Iterator[tuple]:
            pk = first
            for film, n, is_popular in pairs():
                rating = min(10, max(1, round(6.5 + bias[film] + rng.gauss(0, 1.8))))
                counts = self.aggregates.setdefault(film, [0] * 12)
                counts[0] += 1
                counts[1] += rating
                counts[1 + rating] += 1
                created = now - datetime.timedelta(minutes=rng.randrange(1, 60 * 24 * 1000))
                body, headline, helpful = "", "", 0
                if rng.random() < WRITTEN_SHARE:
                    headline = rng.choice(PHRASES)[:60]
                    body = " ".join(rng.sample(PHRASES, 3))
                    helpful = int(rng.random() ** (4 if is_popular else 8) * 40)
                    helpful = min(helpful, readers - 1)
                    written.append((pk, n, helpful))
                yield (
                    pk, film, reader_ids[n], rating, headline, body, rng.random() < 0.05,
                    Review.Status.PUBLISHED, True, helpful, created, created,
                )  # fmt: skip
                pk += 1
            self.review_count = pk - first

        writer.write(rows(), self.progress("reviews", plan.reviews))
        return written

    def _votes(self, written, reader_ids) -> int:
        """Helpful votes matching each review's helpful_count: from the readers after its
        author (never the author)."""
        writer = TableWriter(HelpfulVote, ["review_id", "user_id", "created_at"])
        readers = len(reader_ids)
        total = sum(h for _, _, h in written)

        def rows() -> Iterator[tuple]:
            for review, author, helpful in written:
                for k in range(1, helpful + 1):
                    yield (review, reader_ids[(author + k) % readers], self.now)

        writer.write(rows(), self.progress("helpful votes", total))
        return total
