"""Every write to reviews, and the film aggregates that follow from them.

The rule the aggregate keeps: a film's rating_count, rating_sum and rating_1..rating_10
count exactly the ratings of its reviews with `rating_counted` set, and audience_rating
is rating_sum / rating_count (NULL without ratings). When a rating counts:

- A confirmed reader's rating counts at once (see the email rule below): a rating
  without text is published at once, and a written review from a new account
  (REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS) waits in pending for an editor while its rating
  counts from the start. Only the words wait.
- A rejected review's rating does not count; editing its text, or emptying it to leave
  a rating only, sends it back to pending, still not counted, until an editor publishes
  it (an editor's rejection is undone only by an editor). Changing only its rating keeps
  it rejected.
- A review that collects REVIEWS_REPORT_THRESHOLD open reports from trusted readers
  (confirmed email, account older than REVIEWS_REPORT_MIN_ACCOUNT_DAYS), or that an
  editor returns to pending, goes to pending and its rating leaves the aggregate until an
  editor publishes it again. Every report is kept for the editors.
- A rating counts only once its author has confirmed an email address (allauth's
  verification; staff always count). Until then it is stored with `rating_awaits_email`
  and joins the aggregate the moment the address is confirmed (ratings_count_confirmed).
- A new review of a film on which an editor rejected the reader's earlier review
  (ReviewRejection) waits for an editor, rating and all.

Concurrency: each function runs in one transaction that locks the review rows first
(select_for_update; SQLite's IMMEDIATE transactions serialise writers anyway) and then
moves the film's counters with F() expressions, so the database adds to the value it
holds, never to a value a worker read earlier. Reviews before films, always in that
order, so two writers cannot wait on each other.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from movies import pagecache
from movies.models import Movie
from movies.selectors import site_mean
from reviews import trust
from reviews.models import HelpfulVote, Review, ReviewPosting, ReviewRejection, ReviewReport


class ReviewRateLimited(ValidationError):
    """The reader has posted REVIEWS_PER_HOUR reviews in the last hour."""


def _contribution(review: Review) -> int | None:
    """The rating this review adds to its film's aggregate, or None."""
    return review.rating if review.rating_counted else None


def _apply_to_aggregates(moves: Iterable[tuple[int, int | None, int | None]]) -> set[int]:
    """Apply rating moves `(movie_id, before, after)` to the films' aggregates: the rating
    `before` (None: none) leaves the film's counters and `after` (None: none) joins them.

    One UPDATE per film in the caller's transaction. The counters move by F(), and the
    mean and the score are computed in the same statement from the new counters (SET
    expressions read the row's values before the update, so the deltas are added there
    too). Returns the ids of the films whose counters moved.
    """
    mean = site_mean()
    changes: dict[int, Counter] = defaultdict(Counter)
    for movie_id, before, after in moves:
        if before is not None:
            changes[movie_id][before] -= 1
        if after is not None:
            changes[movie_id][after] += 1
    moved = set()
    for movie_id in sorted(changes):
        deltas = {rating: n for rating, n in changes[movie_id].items() if n}
        if not deltas:
            continue
        moved.add(movie_id)
        count = sum(deltas.values())
        total = sum(rating * n for rating, n in deltas.items())
        new_count, new_sum = F("rating_count") + count, F("rating_sum") + total
        Movie.objects.filter(pk=movie_id).update(
            rating_count=new_count,
            rating_sum=new_sum,
            audience_rating=Cast(new_sum, FloatField())
            / NullIf(Cast(new_count, FloatField()), Value(0.0)),
            score=Movie.score_expression(
                site_mean=mean, rating_sum=new_sum, rating_count=new_count
            ),
            **{f"rating_{rating}": F(f"rating_{rating}") + n for rating, n in deltas.items()},
        )
    return moved


def _is_new_account(user) -> bool:
    days = settings.REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS
    if days <= 0 or user.is_staff:
        return False
    return user.date_joined > timezone.now() - datetime.timedelta(days=days)


def _is_withheld(review: Review) -> bool:
    """Rejected, reported back to pending or returned to pending by an editor: the
    rating is out of the aggregate until an editor publishes the review. (A rating that
    only waits for its author's email confirmation is not withheld.)"""
    return not review.rating_counted and not review.rating_awaits_email


def _set_counting(review: Review, *, counts: bool, confirmed: bool) -> None:
    """A rating that would count counts now if its author is confirmed, else waits."""
    review.rating_counted = counts and confirmed
    review.rating_awaits_email = counts and not confirmed


def review_was_rejected(*, movie: Movie, user) -> bool:
    """Whether an editor rejected `user`'s review of `movie`, even one since deleted: a
    new review of it then waits for an editor, rating and all (a read, for the form)."""
    return _was_rejected(movie_id=movie.pk, user=user)


def _was_rejected(*, movie_id: int, user) -> bool:
    return ReviewRejection.objects.filter(movie_id=movie_id, user=user).exists()


def _state_after_save(
    *, withheld: bool, text_changed: bool, written: bool, new_account: bool
) -> tuple[str, bool] | None:
    """The (status, rating_counted) a reader's save gives their review; None: unchanged.

    `withheld`: the saved review was withheld (see _is_withheld; never for a new one).
    `text_changed`: new, or headline, text or spoiler flag differ. `written`: the text
    saved is not empty. `new_account`: see REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS.
    """
    if withheld:
        # Back to the editors, and the rating with it, when the text changes. Emptying
        # the text counts as a change: an editor's rejection is never undone by turning
        # the review into a rating-only one; an editor looks again. Otherwise (only the
        # rating changed) it stays as the editors left it.
        return (Review.Status.PENDING, False) if text_changed else None
    if not written:
        return Review.Status.PUBLISHED, True
    if text_changed:
        # A new account's words wait for an editor; the rating counts at once.
        return (Review.Status.PENDING if new_account else Review.Status.PUBLISHED), True
    return None


def review_text_waits_for_editor(
    *, user, review: Review | None = None, rejected_before: bool = False
) -> bool:
    """Whether written text that `user` saves now (on `review`, their existing review of
    the film, if any) waits for an editor before it appears (a read, for the form's copy).

    The rule review_submit() applies: true for new accounts
    (REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS) and for a review that is withheld (rejected or
    back in moderation).
    """
    if review is not None and review.pk is not None:
        withheld = _is_withheld(review)
    else:
        withheld = rejected_before
    state = _state_after_save(
        withheld=withheld,
        text_changed=True,
        written=True,
        new_account=_is_new_account(user),
    )
    return state[0] == Review.Status.PENDING


def _record_posting(user, *, check_rate_limit: bool) -> None:
    """Count one review written or rewritten against `user`'s hourly limit.

    The attempts live in their own table (ReviewPosting), so deleting a review and
    posting it again still counts. The reader's user row is locked first, so two
    requests of one reader count one after the other and cannot both pass the last slot
    (SQLite's IMMEDIATE transactions serialise them anyway). Raises ReviewRateLimited,
    recording nothing, when the limit is reached.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    now = timezone.now()
    since = now - datetime.timedelta(hours=1)
    ReviewPosting.objects.filter(user=user, created_at__lt=since).delete()
    limit = settings.REVIEWS_PER_HOUR
    if check_rate_limit and ReviewPosting.objects.filter(user=user).count() >= limit:
        raise ReviewRateLimited(
            f"You have written or rewritten {limit} reviews in the last hour, the most we "
            "accept. Please try again later.",
            code="rate_limited",
        )
    ReviewPosting.objects.create(user=user, created_at=now)


@transaction.atomic
def review_submit(
    *,
    movie: Movie,
    user,
    rating: int,
    headline: str = "",
    body: str = "",
    contains_spoilers: bool = False,
    check_rate_limit: bool = True,
) -> Review:
    """Create or update `user`'s review of `movie` and move the film's aggregate with it.

    Raises ValidationError for bad input (nothing is written) and ReviewRateLimited when
    a new review would pass the hourly limit (`check_rate_limit=False` is for demo and
    test data, never for a reader's request).
    """
    headline, body = headline.strip(), body.strip()
    review = Review.objects.select_for_update().filter(movie=movie, user=user).first()
    is_new = review is None
    if is_new:
        review = Review(movie=movie, user=user)
    before = None if is_new else _contribution(review)
    text_changed = is_new or (
        (review.headline, review.body, review.contains_spoilers)
        != (headline, body, contains_spoilers)
    )
    if is_new or (body and (review.headline, review.body) != (headline, body)):
        # Creations and rewrites of the words count; changing only the rating or the
        # spoiler flag, or emptying the text (nothing new to read), does not.
        _record_posting(user, check_rate_limit=check_rate_limit)

    withheld = _was_rejected(movie_id=movie.pk, user=user) if is_new else _is_withheld(review)
    state = _state_after_save(
        withheld=withheld,
        text_changed=text_changed,
        written=bool(body),
        new_account=_is_new_account(user),
    )
    review.rating = rating
    review.headline = headline
    review.body = body
    review.contains_spoilers = contains_spoilers
    if state is not None:
        review.status, counts = state
        _set_counting(review, counts=counts, confirmed=trust.email_confirmed(user))
    review_text_validate(headline=headline, body=body)
    review.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # Another request by the same reader created the review a moment ago.
        raise ValidationError(
            "You have already reviewed this film: reload the page to edit your review.",
            code="duplicate",
        ) from None
    moved = _apply_to_aggregates([(movie.pk, before, _contribution(review))])
    # Its page shows the reader's words; its cards show the score and the readers' count.
    pagecache.films_changed([movie.slug], cards=bool(moved))
    return review


def review_text_validate(*, headline: str, body: str) -> None:
    """Raise ValidationError (by field) for text review_submit() would refuse; the review
    form runs it too, so a missing rating and a short text are reported together."""
    headline, body = headline.strip(), body.strip()
    errors = {}
    minimum = settings.REVIEW_MIN_LENGTH
    if body and len(body) < minimum:
        errors["body"] = (
            f"A written review needs at least {minimum} characters (this one has "
            f"{len(body)}). Write a little more, or empty the box to leave just "
            "your rating."
        )
    if headline and not body:
        errors["headline"] = "A headline needs a review under it: write one, or remove it."
    if errors:
        raise ValidationError(errors)


def _delete(reviews: list[Review]) -> int:
    Review.objects.filter(pk__in=[r.pk for r in reviews]).delete()
    moved = _apply_to_aggregates((r.movie_id, _contribution(r), None) for r in reviews)
    _pages_change(reviews, moved)
    return len(reviews)


def _pages_change(reviews: Iterable[Review], moved: set[int]) -> None:
    """The page cache moves on for the films of `reviews` (after commit): their verdict
    and reviews pages, and the lists too for those whose counters `moved`."""
    film_ids = {r.movie_id for r in reviews}
    pagecache.film_ids_changed(moved, cards=True)
    pagecache.film_ids_changed(film_ids - moved)


@transaction.atomic
def review_delete(*, review: Review, user) -> None:
    """Delete `user`'s own review; anyone else gets PermissionDenied and nothing changes."""
    locked = Review.objects.select_for_update().filter(pk=review.pk).first()
    if locked is None:
        return
    if locked.user_id != user.pk:
        raise PermissionDenied("Only the author can delete a review.")
    _delete([locked])


@transaction.atomic
def reviews_delete(*, reviews: Iterable[Review]) -> int:
    """Delete reviews on an editor's behalf (the admin), keeping the aggregates exact."""
    pks = [r.pk for r in reviews]
    return _delete(list(Review.objects.select_for_update().filter(pk__in=pks).order_by("pk")))


@transaction.atomic
def reviews_moderate(*, reviews: Iterable[Review], status: str, moderator) -> int:
    """Publish or reject reviews (pending returns them to the queue); closes their reports.

    Returns how many reviews changed status. Approving an already published review
    dismisses its open reports.
    """
    if status not in Review.Status.values:
        raise ValidationError(f"Unknown review status {status!r}.")
    pks = [r.pk for r in reviews]
    locked = list(Review.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    moves = []
    changed, now = 0, timezone.now()
    confirmed = trust.confirmed_user_ids(r.user_id for r in locked)
    for review in locked:
        before = _contribution(review)
        if review.status != status:
            changed += 1
        review.status = status
        # Published: counted (once the author's email is confirmed). Rejected, or returned
        # to pending: out until published.
        _set_counting(
            review,
            counts=status == Review.Status.PUBLISHED,
            confirmed=review.user_id in confirmed,
        )
        if status != Review.Status.PENDING:
            review.report_count = 0
        review.moderated_at, review.moderated_by = now, moderator
        review.save(
            update_fields=[
                "status",
                "rating_counted",
                "rating_awaits_email",
                "report_count",
                "moderated_at",
                "moderated_by",
            ]
        )
        moves.append((review.movie_id, before, _contribution(review)))
    if status != Review.Status.PENDING:
        ReviewReport.objects.filter(review__in=locked, is_open=True).update(is_open=False)
    if status == Review.Status.REJECTED:
        ReviewRejection.objects.bulk_create(
            [ReviewRejection(movie_id=r.movie_id, user_id=r.user_id) for r in locked],
            ignore_conflicts=True,
        )
    _pages_change(locked, _apply_to_aggregates(moves))
    return changed


@transaction.atomic
def ratings_count_confirmed(*, user) -> int:
    """`user` has confirmed an email address: their waiting ratings join the films'
    aggregates now (allauth's email_confirmed signal calls this; accounts/apps.py).
    Returns how many ratings started to count."""
    waiting = list(
        Review.objects.select_for_update()
        .filter(user=user, rating_awaits_email=True)
        .order_by("pk")
    )
    if not waiting:
        return 0
    Review.objects.filter(pk__in=[r.pk for r in waiting]).update(
        rating_counted=True, rating_awaits_email=False
    )
    _pages_change(waiting, _apply_to_aggregates((r.movie_id, None, r.rating) for r in waiting))
    return len(waiting)


def _readable_review(review_pk: int, user) -> Review:
    review = Review.objects.select_for_update().readable().filter(pk=review_pk).first()
    if review is None:
        raise ValidationError("That review is not published.", code="not_found")
    if review.user_id == user.pk:
        raise ValidationError("That is your own review.", code="own_review")
    return review


@transaction.atomic
def review_toggle_helpful(*, review: Review, user) -> tuple[Review, bool]:
    """Mark `review` helpful for `user`, or take the vote back if they had given it.

    Returns the review with its fresh helpful_count and whether the vote now stands.
    Still one vote per reader and never on their own review: the review row is locked
    first, so two clicks of one reader are counted one after the other, and the counter
    moves by F() with the vote row in the same transaction.
    """
    review = _readable_review(review.pk, user)
    removed, _ = HelpfulVote.objects.filter(review=review, user=user).delete()
    if removed:
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") - removed)
    else:
        HelpfulVote.objects.create(review=review, user=user)
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    review.refresh_from_db(fields=["helpful_count"])
    _pages_change([review], set())  # the count under the review
    return review, not removed


@transaction.atomic
def review_report(*, review: Review, user, reason: str) -> Review:
    """Record `user`'s report (once each). At the threshold, back to moderation it goes."""
    review = _readable_review(review.pk, user)
    report = ReviewReport(review=review, user=user, reason=reason)
    report.full_clean(validate_unique=False, validate_constraints=False)
    if ReviewReport.objects.filter(review=review, user=user).exists():
        raise ValidationError("You have already reported this review.", code="again")
    report.save()
    review.report_count += 1  # every report, for the editors
    if trust.trusted_open_reports(review) >= settings.REVIEWS_REPORT_THRESHOLD:
        before = _contribution(review)
        review.status, review.rating_counted = Review.Status.PENDING, False
        review.rating_awaits_email = False
        _pages_change([review], _apply_to_aggregates([(review.movie_id, before, None)]))
    review.save(update_fields=["report_count", "status", "rating_counted", "rating_awaits_email"])
    return review
