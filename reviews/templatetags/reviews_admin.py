"""The admin front page's moderation work queue ({% moderation_queue as rows %}): the
front page is the movies app's template, which knows nothing of reviews but this tag."""

from django import template
from django.db.models import Count, Q
from django.urls import reverse

from reviews.models import Review, ReviewReport

register = template.Library()


@register.simple_tag
def moderation_queue():
    """[(label, count, filtered list URL)] for reviews awaiting moderation and open reports:
    two queries."""
    pending = Review.objects.aggregate(n=Count("pk", filter=Q(status=Review.Status.PENDING)))
    reports = ReviewReport.objects.filter(is_open=True).count()
    reviews = reverse("admin:reviews_review_changelist")
    return [
        ("Reviews awaiting moderation", pending["n"], f"{reviews}?status__exact=pending"),
        (
            "Open reports",
            reports,
            reverse("admin:reviews_reviewreport_changelist") + "?is_open__exact=1",
        ),
    ]
