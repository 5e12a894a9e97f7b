"""Readers' ratings and reviews, helpful votes and reports.

A review is one reader's say on one film: a rating from 1 to 10, with or without a
written review. A review's rating is counted in the film's audience aggregate
(Movie.rating_count, rating_sum, rating_1..rating_10, audience_rating) while its
`rating_counted` flag is set (see reviews/services.py for when), and only
reviews/services.py writes reviews, so the aggregate moves in the same transaction as the
review.

Accounts with activity are deactivated rather than deleted (Django's own advice for
`is_active`): reviews, votes and reports protect their author, so deleting an account
can never leave an aggregate or a counter silently wrong.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from movies.models import Movie, published_q

REVIEW_BODY_MAX_LENGTH = 10_000


def readable_q():
    """The condition of `ReviewQuerySet.readable()`, for queries that combine it with
    others (the author's own review, a filtered count)."""
    return Q(status="published") & ~Q(body="")  # Review.Status.PUBLISHED


# ?sort= value: (label, ordering)
REVIEW_SORTS = {
    "helpful": ("Most helpful", ("-helpful_count", "-created_at", "-pk")),
    "newest": ("Newest", ("-created_at", "-pk")),
    "highest": ("Highest rated", ("-rating", "-helpful_count", "-pk")),
    "lowest": ("Lowest rated", ("rating", "-helpful_count", "-pk")),
}


def _sort_indexes():
    """A film's readable reviews in each of REVIEW_SORTS' orders: the list's pages (and its
    keyset "next page") and the verdict page's preview and count read a few index
    entries, whatever the film's number of reviews."""
    columns = {"pk": "id"}
    return [
        models.Index(
            F("movie"),
            *(
                F(columns.get(key.lstrip("-"), key.lstrip("-"))).desc()
                if key.startswith("-")
                else F(columns.get(key, key))
                for key in order
            ),
            condition=readable_q(),
            name=f"review_readable_{sort}",
        )
        for sort, (_, order) in REVIEW_SORTS.items()
    ]


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Review.Status.PUBLISHED)

    def readable(self):
        """Reviews anyone may read: published, with text (rating-only reviews have
        nothing to read). The single definition for pages, votes and reports."""
        return self.filter(readable_q())

    def on_public_films(self):
        """Reviews of films the public can see (a join, not a subquery)."""
        return self.filter(published_q("movie__"))

    def counted(self):
        """Reviews whose rating is in their film's audience aggregate."""
        return self.filter(rating_counted=True)

    def public_written(self):
        """What readers can read: readable reviews on public films."""
        return self.readable().on_public_films()

    def with_reader_flags(self, user):
        """Annotate `user_found_helpful` and `user_reported` for `user` (False if anonymous),
        in the same query, so a list of reviews needs no query per review."""
        if not user.is_authenticated:
            return self.annotate(
                user_found_helpful=models.Value(False), user_reported=models.Value(False)
            )
        return self.annotate(
            user_found_helpful=Exists(HelpfulVote.objects.filter(review=OuterRef("pk"), user=user)),
            user_reported=Exists(ReviewReport.objects.filter(review=OuterRef("pk"), user=user)),
        )

    def sorted_by(self, sort):
        return self.order_by(*Review.SORTS.get(sort, Review.SORTS["helpful"])[1])


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)], help_text="1 to 10."
    )
    headline = models.CharField(max_length=150, blank=True)
    body = models.TextField(
        "review",
        blank=True,
        validators=[MaxLengthValidator(REVIEW_BODY_MAX_LENGTH)],
        help_text="Empty for a rating without a written review.",
    )
    contains_spoilers = models.BooleanField(
        default=False, help_text="Collapsed on the page until the reader opens it."
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
        help_text="Only published reviews are shown. A pending review's rating counts "
        "unless reports or an editor sent it back; a rejected review's never does.",
    )
    rating_counted = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether the rating is in the film's audience rating: from the start, even "
        "while the text waits for an editor, unless the review is rejected, reported "
        "back to pending or returned to pending by an editor.",
    )
    rating_awaits_email = models.BooleanField(
        default=False,
        editable=False,
        help_text="The rating is stored but counts only once its author confirms their "
        "email address (then it joins the audience rating at once).",
    )
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    report_count = models.PositiveIntegerField(
        "open reports",
        default=0,
        editable=False,
        help_text="Reports since the last moderation decision.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ReviewQuerySet.as_manager()

    SORTS = REVIEW_SORTS

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "user"],
                name="review_one_per_user_per_movie",
                violation_error_message="You have already reviewed this film.",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=10), name="review_rating_1_to_10"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), REVIEW_BODY_MAX_LENGTH),
                name="review_body_max_length",
            ),
        ]
        indexes = [
            models.Index(fields=["movie", "status", "-helpful_count"]),
            models.Index(fields=["user", "created_at"]),
            *_sort_indexes(),
        ]

    def __str__(self):
        return f"{self.user} on {self.movie}: {self.rating}/10"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.movie.slug, self.pk])

    @property
    def is_written(self):
        return bool(self.body)

    @property
    def standing(self) -> str:
        """Where the review stands, as its author is told (the saved message, the verdict
        page, the review form and the profile each put it in their own words):

        - "rejected": an editor did not publish it; the rating does not count;
        - "unconfirmed": the rating counts once the author confirms their email address
          (written text may wait for an editor too);
        - "withheld": its text is back with the editors and the rating is out until one
          approves it (reported, returned, or a rejected review rewritten);
        - "rating_withheld": the same for a rating without text;
        - "waiting": its text waits for an editor; the rating counts;
        - "published": published with text; the rating counts;
        - "rating": a rating without text; it counts.
        """
        if self.status == Review.Status.REJECTED:
            return "rejected"
        if self.rating_awaits_email:
            return "unconfirmed"
        if not self.rating_counted:
            return "withheld" if self.is_written else "rating_withheld"
        if self.status == Review.Status.PENDING:
            return "waiting"
        return "published" if self.is_written else "rating"


class HelpfulVote(models.Model):
    """One reader found a review helpful (never their own)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="helpful_vote_once"),
        ]

    def __str__(self):
        return f"{self.user} found review {self.review_id} helpful"


class ReviewReport(models.Model):
    """A reader's report of a review; enough open reports send it back to moderation."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or hateful"
        SPOILERS = "spoilers", "Spoilers not marked"
        OFF_TOPIC = "off-topic", "Not about this film"
        OTHER = "other", "Something else"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_reports"
    )
    reason = models.CharField(max_length=10, choices=Reason, default=Reason.OTHER)
    is_open = models.BooleanField(
        default=True, help_text="Closed when an editor approves or rejects the review."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="report_once_per_reader"),
        ]

    def __str__(self):
        return f"{self.user} reported review {self.review_id} ({self.get_reason_display()})"


class ReviewRejection(models.Model):
    """An editor rejected this reader's review of this film. It outlives the review, so
    deleting a rejected review and rating the film again does not bring the rating back
    at once: the new review waits for an editor."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["movie", "user"], name="review_rejection_once"),
        ]

    def __str__(self):
        return f"{self.user}'s review of {self.movie} was rejected"


class ReviewPosting(models.Model):
    """A review written, or its text rewritten, by a reader: what the hourly spam limit
    (REVIEWS_PER_HOUR) counts.

    Kept apart from the review so that deleting a review and posting it again still
    counts twice; rows older than an hour are deleted as the reader posts again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.user} posted at {self.created_at:%Y-%m-%d %H:%M}"
