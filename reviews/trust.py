"""Whose ratings count and whose reports weigh: the rules that keep throwaway accounts
from swinging a film's answer (reviews/services.py applies them).

- A rating counts once its author has confirmed an email address (allauth's
  verification; RATINGS_NEED_CONFIRMED_EMAIL), staff always.
- A report sends a review back to moderation only from staff, or from a confirmed
  account older than REVIEWS_REPORT_MIN_ACCOUNT_DAYS; editors still see every report.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reviews.models import Review, ReviewReport


def confirmed_q(prefix: str = "") -> Q:
    """Users (through `prefix`, e.g. "user__") whose ratings count: staff, or anyone
    with a confirmed email address."""
    confirmed = EmailAddress.objects.filter(user=OuterRef(f"{prefix}pk"), verified=True)
    return Q(**{f"{prefix}is_staff": True}) | Q(Exists(confirmed))


def email_confirmed(user) -> bool:
    if not settings.RATINGS_NEED_CONFIRMED_EMAIL or user.is_staff:
        return True
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def confirmed_user_ids(user_ids) -> set[int]:
    if not settings.RATINGS_NEED_CONFIRMED_EMAIL:
        return set(user_ids)
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return set(users.filter(confirmed_q()).values_list("pk", flat=True))


def trusted_open_reports(review: Review) -> int:
    """Open reports from readers whose word can take a review off the site: staff, or a
    confirmed email on an account older than REVIEWS_REPORT_MIN_ACCOUNT_DAYS. Three new
    throwaway accounts cannot hide an established reader's review."""
    joined_before = timezone.now() - datetime.timedelta(
        days=settings.REVIEWS_REPORT_MIN_ACCOUNT_DAYS
    )
    trusted = Q(user__is_staff=True) | (
        confirmed_q("user__") & Q(user__date_joined__lte=joined_before)
    )
    return ReviewReport.objects.filter(trusted, review=review, is_open=True).count()
