"""Reads that pages share: the verdict page's reviews block."""

from django.db.models import BooleanField, Case, Count, Q, Value, When, Window
from django.urls import reverse

from movies.models import Movie
from reviews.models import Review, readable_q

# How many reviews the verdict page shows before "Read all N reviews".
VERDICT_PAGE_REVIEWS = 3


def verdict_page_reviews(*, movie: Movie, user) -> dict:
    """The context of templates/includes/reviews_section.html and the rating summary.

    One query, however many reviews the film has: the most helpful published written
    reviews, the reader's own review (sorted first, whatever its status), the reader's
    helpful/report flags and the total of published written reviews (a window count).
    """
    readable = readable_q()
    reviews = Review.objects.filter(movie=movie).select_related("user")
    if user.is_authenticated:
        reviews = reviews.filter(readable | Q(user=user)).annotate(
            is_own=Case(
                When(user=user, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    else:
        reviews = reviews.filter(readable).annotate(
            is_own=Value(False, output_field=BooleanField())
        )
    rows = list(
        reviews.with_reader_flags(user)
        .annotate(written_total=Window(Count("pk", filter=readable)))
        .order_by("-is_own", "-helpful_count", "-created_at", "-pk")[: VERDICT_PAGE_REVIEWS + 1]
    )
    own = rows[0] if rows and rows[0].is_own else None
    others = [r for r in rows if not r.is_own][:VERDICT_PAGE_REVIEWS]
    return {
        "reviews_preview": others,
        "own_review": own,
        "review_total": rows[0].written_total if rows else 0,
        "reviews_url": reverse("reviews:list", args=[movie.slug]),
        "review_form_url": reverse("reviews:edit", args=[movie.slug]),
        "rating_scale": range(1, 11),
    }
