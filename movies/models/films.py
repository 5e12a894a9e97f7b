"""The film: its queryset, its columns in the page's order and what the page derives from
them. One model family, over 400 lines because Movie is: each column is an editor's
field with its help text, in the page's order."""

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Greatest, NullIf
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from movies import limits, verdicts
from movies.models.bands import VerdictBand
from movies.models.base import CURRENCY_CODE, Publication, published_q, unique_slug
from movies.models.film_rows import ContentAdvisory, RegionalGross
from movies.models.genres import Genre, genres_in_source_order, prefetch_genres
from movies.models.people import Credit
from movies.models.watch import Availability


def verdict_part_prefetches():
    """What only the verdict page's film-only parts read (for_verdict_page), by name."""
    return {
        "credits": models.Prefetch(
            "credits",
            queryset=Credit.objects.select_related("person").order_by(
                "role", models.F("billing_order").asc(nulls_last=True), "person__name"
            ),
        ),
        "regional_grosses": models.Prefetch(
            "regional_grosses", queryset=RegionalGross.objects.order_by("-amount")
        ),
        "advisories": "advisories",
        "availabilities": models.Prefetch(
            "availabilities",
            queryset=Availability.objects.select_related("provider").order_by(
                "country", "kind", "provider__name"
            ),
        ),
    }


class MovieQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, with a publish time that has come.

        The single definition of "public" for pages, lists, sitemaps, feeds and search.
        """
        return self.filter(published_q())

    def visible_to(self, user):
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    #: What no card, feed item or list reads: the long texts, the search document (half a
    #: row's bytes at scale) and the verdict page's facts.
    NOT_ON_CARDS = (
        "synopsis",
        "plot_summary",
        "ending_breakdown",
        "historical_accuracy",
        "performance_analysis",
        "editorial_assessment",
        "watch_if",
        "override_reason",
        "search_document",
        "awards",
        "languages",
        "countries",
        "production_companies",
        "box_office_source",
        "box_office_as_of",
        "critics_source",
    )

    def for_cards(self):
        """Enough for a film card in any list: genres, without the columns no card shows
        (NOT_ON_CARDS)."""
        return self.defer(*self.NOT_ON_CARDS).prefetch_related(prefetch_genres())

    def for_verdict_page(self, *, parts=True):
        """The verdict page's film with what its parts read (its genres, the editor who
        signed the assessment, verdict_part_prefetches). `parts=False` leaves those out,
        and the search document: the view reads them only when a part is rendered rather
        than served from the cache (movies.fragments)."""
        if parts:
            return self.select_related("assessment_by").prefetch_related(
                prefetch_genres(), *verdict_part_prefetches().values()
            )
        return self.defer("search_document")

    def in_band(self, band, ladder):
        """Films whose box-office multiple falls in `band` of `ladder`."""
        low, high = verdicts.band_range(band, ladder)
        qs = self.filter(box_office_multiple__gte=low)
        if high is not None:
            qs = qs.filter(box_office_multiple__lt=high)
        return qs

    def available_on(self, providers, *, country):
        """Films offered on any of `providers` in `country` (one EXISTS per film row)."""
        return self.filter(
            models.Exists(
                Availability.objects.filter(
                    movie=models.OuterRef("pk"), provider__in=providers, country=country
                )
            )
        )

    def advisory_at_most(self, category, severity):
        """Films whose parents' guide records `category` at `severity` or less (films
        without a record for it are left out: unknown is not "none")."""
        return self.filter(
            models.Exists(
                ContentAdvisory.objects.filter(
                    movie=models.OuterRef("pk"), category=category, severity__lte=severity
                )
            )
        )

    def decades(self):
        """The decades these films were made in, newest first (1990 for the 1990s): the
        list's decade filter offers only what the catalogue holds."""
        decade = models.ExpressionWrapper(
            models.F("year") / 10 * 10, output_field=models.IntegerField()
        )
        return (
            self.annotate(decade=decade)
            .order_by("-decade")
            .values_list("decade", flat=True)
            .distinct()
        )

    def featured(self):
        return self.filter(is_featured=True).order_by("-published_at")

    def recently_updated(self):
        return self.order_by("-updated_at")

    def biggest_hits(self):
        """Films whose trade verdict is a hit or better, biggest multiple first: at or above
        the lowest band of good tone (Hit on the default ladder), and not overruled by the
        editors into a lesser band. The ladder is read in the same query."""
        good = VerdictBand.objects.filter(tone=VerdictBand.Tone.GOOD).order_by("min_multiple")
        return self.filter(
            Q(verdict_override__isnull=True) | Q(verdict_override__tone=VerdictBand.Tone.GOOD),
            box_office_multiple__gte=models.Subquery(good.values("min_multiple")[:1]),
        ).order_by("-box_office_multiple")

    def top_rated(self):
        """Films with a score, best first (see by_rating)."""
        return self.filter(score__isnull=False).by_rating()

    def by_rating(self):
        """Best first by the stored score (Movie.score, indexed), films without one last."""
        return self.order_by(models.F("score").desc(nulls_last=True), "title")

    def refresh_scores(self, *, site_mean):
        """Recompute these films' score in one UPDATE (after the site mean moved, an
        import, or an editor's change to the outside ratings); returns the count."""
        return self.update(score=Movie.score_expression(site_mean=site_mean))


class Movie(models.Model):
    Status = Publication

    class Accuracy(models.TextChoices):
        FAITHFUL = "faithful", "Faithful"
        DRAMATIZED = "dramatized", "Dramatized"
        LOOSELY_BASED = "loosely-based", "Loosely based"
        FICTION = "fiction", "Fiction"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Maybe"
        NO = "no", "No"

    # Identity
    title = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        help_text="Web address: the title and year, e.g. one-second-2020.",
    )
    original_title = models.CharField(
        max_length=200, blank=True, help_text="Title in the original language, if different."
    )
    year = models.PositiveSmallIntegerField(
        "release year",
        db_index=True,
        validators=[MinValueValidator(limits.FIRST_YEAR), MaxValueValidator(limits.LAST_YEAR)],
    )
    release_date = models.DateField(null=True, blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(
        "runtime (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_RUNTIME_MINUTES)],
        help_text=f"Whole minutes, 1 to {limits.MAX_RUNTIME_MINUTES:,}.",
    )
    certification = models.CharField(max_length=20, blank=True, help_text="e.g. PG-13, R, 12A.")
    genres = models.ManyToManyField(
        Genre,
        related_name="movies",
        blank=True,
        help_text="Kept in the order given; the answer names the first three unless a main "
        "genre is set below.",
    )
    main_genre = models.ForeignKey(
        Genre,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Named alone in the answer (“Yes, if you enjoy drama.”); without it the "
        "answer names the first three genres as given.",
    )
    poster = models.ImageField(
        upload_to="posters/",
        blank=True,
        width_field="poster_width",
        height_field="poster_height",
        help_text=f"JPEG, PNG or WebP, {limits.IMAGE_LIMIT_TEXT}.",
    )
    poster_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    poster_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    poster_small = models.ImageField(upload_to="posters/thumbs/", blank=True, editable=False)
    poster_large = models.ImageField(upload_to="posters/thumbs/", blank=True, editable=False)
    external_id = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="Identifier in an imported catalogue (e.g. tt…).",
    )
    search_document = models.TextField(
        blank=True,
        editable=False,
        help_text="The film's people, lower-cased and unaccented, for search (movies.search).",
    )

    # Editorial text, in the page's order
    logline = models.CharField(max_length=300, blank=True, help_text="One sentence.")
    synopsis = models.TextField(blank=True, help_text="A spoiler-free paragraph or two.")
    plot_summary = models.TextField(blank=True)
    ending_breakdown = models.TextField(
        blank=True, help_text="Spoilers: hidden on the page until the reader opens it."
    )
    accuracy_label = models.CharField(max_length=16, choices=Accuracy, blank=True)
    historical_accuracy = models.TextField(blank=True)
    performance_analysis = models.TextField(blank=True)
    editorial_assessment = models.TextField(blank=True)
    assessment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name="assessment by",
        help_text="The editor who wrote or last reviewed the assessment; named on the page. "
        "Set to you when you change the assessment.",
    )
    assessment_reviewed_on = models.DateField(
        "assessment reviewed on",
        null=True,
        blank=True,
        help_text="Shown beside the answer. Set to today when the assessment changes.",
    )
    watch_if = models.TextField(
        "worth watching if you…",
        blank=True,
        help_text="One point per line, in the order to show them, e.g. “love films about cinema”.",
    )

    # Editors' call
    answer_override = models.CharField(
        max_length=8,
        choices=Answer,
        blank=True,
        help_text="Leave empty to let the rating decide. Needs a reason.",
    )
    verdict_override = models.ForeignKey(
        VerdictBand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty to let the box-office figures decide. Needs a reason.",
    )
    override_reason = models.TextField(blank=True, help_text="Shown on the page beside the call.")

    # External rating: a fact, never mixed into our audience rating
    external_rating = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
        help_text="Out of 10.",
    )
    external_rating_votes = models.PositiveIntegerField(null=True, blank=True)
    external_rating_source = models.CharField(max_length=60, blank=True, help_text="e.g. IMDb.")

    # What critics and the industry say: facts from the source, shown with it and its date
    critics_positive_pct = models.PositiveSmallIntegerField(
        "critics positive (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Share of critics' reviews that are positive, 0 to 100 (Rotten Tomatoes' meter).",
    )
    critics_fresh = models.PositiveIntegerField(
        "positive reviews", null=True, blank=True, help_text="Critics' reviews counted positive."
    )
    critics_rotten = models.PositiveIntegerField(
        "negative reviews", null=True, blank=True, help_text="Critics' reviews counted negative."
    )
    critics_average = models.DecimalField(
        "critics' average",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
        help_text="The critics' average score, out of 10.",
    )
    critics_source = models.CharField(
        max_length=100, blank=True, help_text="Where the critics' figures come from."
    )
    critics_as_of = models.DateField(
        "critics' figures as of", null=True, blank=True, help_text="When they were collected."
    )
    metacritic = models.PositiveSmallIntegerField(
        "Metacritic score",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="0 to 100.",
    )
    awards = models.CharField(
        max_length=300, blank=True, help_text="e.g. “Won 3 Oscars. Nominated for 8 Oscars.”"
    )
    oscars_won = models.PositiveSmallIntegerField("Oscars won", null=True, blank=True)
    oscars_nominated = models.PositiveSmallIntegerField("Oscar nominations", null=True, blank=True)
    languages = models.JSONField(
        default=list, blank=True, help_text="Spoken languages, the main one first."
    )
    countries = models.JSONField(
        "production countries", default=list, blank=True, help_text="The main one first."
    )
    production_companies = models.JSONField(default=list, blank=True)

    # Box office
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[CURRENCY_CODE],
        help_text="ISO 4217 code of the budget and grosses, e.g. USD, EUR, CNY.",
    )
    budget = models.PositiveBigIntegerField("production budget", null=True, blank=True)
    worldwide_gross = models.PositiveBigIntegerField(null=True, blank=True)
    domestic_gross = models.PositiveBigIntegerField(null=True, blank=True)
    box_office_source = models.CharField(
        max_length=200, blank=True, help_text="Where the figures come from."
    )
    box_office_as_of = models.CharField(
        "box office as of", max_length=100, blank=True, help_text="e.g. “final, March 2021”."
    )
    box_office_multiple = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Worldwide gross / budget; derived on save.",
    )

    # Audience aggregate, kept exact by reviews.services in the review's transaction
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    rating_1 = models.PositiveIntegerField(default=0, editable=False)
    rating_2 = models.PositiveIntegerField(default=0, editable=False)
    rating_3 = models.PositiveIntegerField(default=0, editable=False)
    rating_4 = models.PositiveIntegerField(default=0, editable=False)
    rating_5 = models.PositiveIntegerField(default=0, editable=False)
    rating_6 = models.PositiveIntegerField(default=0, editable=False)
    rating_7 = models.PositiveIntegerField(default=0, editable=False)
    rating_8 = models.PositiveIntegerField(default=0, editable=False)
    rating_9 = models.PositiveIntegerField(default=0, editable=False)
    rating_10 = models.PositiveIntegerField(default=0, editable=False)
    audience_rating = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Mean of published audience ratings (rating_sum / rating_count).",
    )
    outside_rating = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="The outside consensus E: mean of the labelled outside ratings, out of 10.",
    )
    score = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="The film's score from our readers and the outside consensus "
        "(movies.verdicts.film_score); every card, sort and answer reads it.",
    )

    # Publishing
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        db_index=True,
        help_text="A published film is public from this time; set a future time to schedule.",
    )
    is_featured = models.BooleanField(default=False, help_text="Shown first on the home page.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(
        "last updated",
        auto_now=True,
        db_index=True,
        help_text="When an editor last changed the film (ratings do not touch it).",
    )

    objects = MovieQuerySet.as_manager()

    RATING_FIELDS = [f"rating_{n}" for n in range(1, 11)]

    class Meta:
        ordering = ["title", "year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(runtime_minutes__isnull=True) | Q(runtime_minutes__gt=0),
                name="movie_runtime_positive",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=limits.FIRST_YEAR) & Q(year__lte=limits.LAST_YEAR),
                name="movie_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(rating_sum__gte=models.F("rating_count"))
                & Q(rating_sum__lte=models.F("rating_count") * 10),
                name="movie_rating_sum_in_range",
            ),
            models.CheckConstraint(
                condition=Q(metacritic__isnull=True) | Q(metacritic__lte=100),
                name="movie_metacritic_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(critics_positive_pct__isnull=True) | Q(critics_positive_pct__lte=100),
                name="movie_critics_positive_pct_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(critics_average__isnull=True)
                | (Q(critics_average__gte=0) & Q(critics_average__lte=10)),
                name="movie_critics_average_out_of_10",
            ),
        ]
        # The rating sort's index, (score DESC NULLS LAST, title), is created by migration
        # 0007 in SQL: SQLite cannot declare NULLS LAST in an index (its DESC puts NULLs
        # last anyway) and Django's Index cannot vary by database.
        # So do the list's "multiple" and "newest" sorts' indexes (migration 0017).
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # The home page's featured shelf: a handful of rows among every film.
            models.Index(
                F("published_at").desc(),
                condition=Q(is_featured=True),
                name="movie_featured_recent",
            ),
            # The feed: newest publication or editorial change first.
            models.Index(
                Greatest("published_at", "updated_at").desc(),
                F("id").desc(),
                name="movie_feed_order",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Movie, f"{self.title} {self.year}", exclude_pk=self.pk, max_length=200
            )
        values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
        for name, value in self.derived_values(values, now=timezone.now()).items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is None and not self._state.adding and not kwargs.get("force_insert"):
            # An editor's form holds the film for seconds (a poster upload, a long edit);
            # writing its stale copy of the audience aggregate or the search document
            # would undo ratings and credits saved meanwhile. Those columns are written
            # only by reviews.services and movies.search, with UPDATEs of their own.
            kwargs["update_fields"] = self.editorial_field_names()
        elif update_fields is not None and {"worldwide_gross", "budget"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "box_office_multiple"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("movies:detail", args=[self.slug])

    @classmethod
    def derived_values(cls, values, *, now) -> dict:
        """The columns a film derives from its own figures (`values`, its columns by name;
        absent ones count as empty): the box-office multiple, the publish time a published
        film without one gets, and the outside consensus its score weighs our readers
        against. A pure rule (no database): save() applies it to one film, the importer's
        bulk writer to thousands."""
        published_at = values.get("published_at")
        if values.get("status") == cls.Status.PUBLISHED and published_at is None:
            published_at = now
        figures = SimpleNamespace(**{name: values.get(name) for name in verdicts.OUTSIDE_FIELDS})
        return {
            "box_office_multiple": verdicts.box_office_multiple(
                values.get("worldwide_gross"), values.get("budget")
            ),
            "published_at": published_at,
            "outside_rating": verdicts.outside_consensus(verdicts.outside_evidence(figures)),
        }

    @classmethod
    def editorial_field_names(cls):
        """Every column an ordinary save() writes: all but the derived, separately kept ones."""
        kept_elsewhere = {
            "rating_count",
            "rating_sum",
            "audience_rating",
            "score",
            "search_document",
            *cls.RATING_FIELDS,
        }
        return [
            f.name
            for f in cls._meta.concrete_fields
            if not f.primary_key and f.name not in kept_elsewhere
        ]

    def clean(self):
        errors = {}
        if (self.answer_override or self.verdict_override_id) and not self.override_reason.strip():
            errors["override_reason"] = "Say why the editors overrule the data: readers see it."
        if errors:
            raise ValidationError(errors)

    # --- What the page shows ---------------------------------------------------

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def watch_if_points(self):
        return [line.strip(" -•\t") for line in self.watch_if.splitlines() if line.strip(" -•\t")]

    @property
    def histogram(self):
        """Counts for ratings 1..10, as [(rating, count), ...]."""
        return [(n, getattr(self, f"rating_{n}")) for n in range(1, 11)]

    @property
    def histogram_peak(self):
        """The largest bucket: histogram bars are drawn relative to it."""
        return max(count for _, count in self.histogram)

    @property
    def raw_audience_mean(self):
        return self.rating_sum / self.rating_count if self.rating_count else None

    @cached_property
    def genre_list(self):
        """The film's genres in the order they were given (genres_in_source_order)."""
        if "genres" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.genres.all())
        return list(genres_in_source_order().filter(movies=self))

    @cached_property
    def display_genre(self):
        """The genre cards name: the editors' main genre, else the first given."""
        return self.leading_genres[0] if self.leading_genres else None

    @cached_property
    def leading_genres(self):
        """The genres the answer names: the editors' main genre alone where set, else the
        first three as the source gave them ("war films, romance and drama")."""
        main = [g for g in self.genre_list if g.pk == self.main_genre_id]
        return main or self.genre_list[:3]

    @staticmethod
    def score_expression(*, site_mean, rating_sum=None, rating_count=None):
        """verdicts.film_score() as SQL, for UPDATEs: S = (rating_sum + k·E) / (rating_count
        + k) with E = outside_rating; without it the site mean C with weight m, or the
        readers' plain mean while the site has no mean. `rating_sum`/`rating_count` may
        be expressions of the row's new counters (reviews.services moves them by F())."""
        rating_sum = models.F("rating_sum") if rating_sum is None else rating_sum
        rating_count = models.F("rating_count") if rating_count is None else rating_count
        total = Cast(rating_sum, models.FloatField())
        count = Cast(rating_count, models.FloatField())
        k = models.Value(float(settings.SCORE_OUTSIDE_WEIGHT))
        if site_mean is None:
            leaning = total / NullIf(count, models.Value(0.0))
        else:
            m = models.Value(float(settings.WEIGHTED_RATING_MIN_VOTES))
            leaning = (total + m * models.Value(float(site_mean))) / (count + m)
        return models.Case(
            models.When(
                outside_rating__isnull=False,
                then=(total + k * models.F("outside_rating")) / (count + k),
            ),
            models.When(GreaterThan(rating_count, 0), then=leaning),
            default=models.Value(None),
            output_field=models.FloatField(),
        )

    def verdict(self, ladder, **kwargs):
        """Everything the verdict rules say about this film (see movies/verdicts.py)."""
        band_override = next((b for b in ladder if b.pk == self.verdict_override_id), None)
        return verdicts.assess(
            self,
            ladder,
            band_override=band_override,
            break_even=settings.BREAK_EVEN_MULTIPLE,
            yes_min=settings.WORTH_YES_MIN_RATING,
            maybe_min=settings.WORTH_MAYBE_MIN_RATING,
            min_ratings=settings.MIN_RATINGS_FOR_VERDICT,
            **kwargs,
        )
