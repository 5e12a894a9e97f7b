"""The aggregate rule: a film counts exactly the ratings of its published reviews."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import recompute, services
from reviews.models import HelpfulVote, Review, ReviewReport
from tests.factories import REVIEW_TEXT, RatingFactory, ReviewFactory, UserFactory
from tests.reviews.conftest import aggregate

pytestmark = pytest.mark.django_db


def test_rating_only_counts_at_once_even_from_a_new_account(movie, newcomer):
    review = services.review_submit(movie=movie, user=newcomer, rating=7)
    assert review.status == Review.Status.PUBLISHED
    assert aggregate(movie) == {"count": 1, "sum": 7, "histogram": {7: 1}, "mean": 7.0}


def test_established_reader_review_is_published_and_counted(movie, reader):
    services.review_submit(movie=movie, user=reader, rating=9, headline="Yes", body=REVIEW_TEXT)
    assert Review.objects.get().status == Review.Status.PUBLISHED
    assert aggregate(movie)["count"] == 1


def test_new_account_text_review_waits_but_its_rating_counts_at_once(movie, newcomer, editor):
    review = services.review_submit(movie=movie, user=newcomer, rating=3, body=REVIEW_TEXT)
    assert review.status == Review.Status.PENDING
    assert aggregate(movie) == {"count": 1, "sum": 3, "histogram": {3: 1}, "mean": 3.0}

    services.reviews_moderate(reviews=[review], status=Review.Status.PUBLISHED, moderator=editor)
    assert aggregate(movie) == {"count": 1, "sum": 3, "histogram": {3: 1}, "mean": 3.0}


def test_aggregate_stays_exact_through_every_transition(movie, newcomer, editor, settings):
    """Counted from the start; out when rejected, reported or returned by an editor; back
    when published; edits and deletion move it exactly. Checked against a recount."""
    settings.REVIEWS_REPORT_THRESHOLD = 1
    RatingFactory(movie=movie, rating=6)

    def check(count, total):
        assert (aggregate(movie)["count"], aggregate(movie)["sum"]) == (count, total)
        assert recompute.ratings_differences() == []

    def moderate(review, status):
        services.reviews_moderate(reviews=[review], status=status, moderator=editor)

    review = services.review_submit(movie=movie, user=newcomer, rating=3, body=REVIEW_TEXT)
    check(2, 9)  # pending text, counted rating
    review = services.review_submit(movie=movie, user=newcomer, rating=4, body=REVIEW_TEXT)
    check(2, 10)  # pending: a new rating moves the bucket
    moderate(review, Review.Status.REJECTED)
    check(1, 6)
    review = services.review_submit(
        movie=movie, user=newcomer, rating=4, body=REVIEW_TEXT + " Edited."
    )
    assert review.status == Review.Status.PENDING
    check(1, 6)  # a rejected review's rewrite waits, uncounted
    moderate(review, Review.Status.PUBLISHED)
    check(2, 10)
    services.review_report(review=review, user=UserFactory(), reason="spam")
    check(1, 6)  # reported back to pending
    review = services.review_submit(
        movie=movie, user=newcomer, rating=5, body=REVIEW_TEXT + " Edited again."
    )
    check(1, 6)  # editing a reported review does not bring its rating back
    moderate(review, Review.Status.PUBLISHED)
    check(2, 11)
    moderate(review, Review.Status.PENDING)
    check(1, 6)  # an editor returned it: out until published
    moderate(review, Review.Status.PUBLISHED)
    check(2, 11)
    services.review_delete(review=Review.objects.get(pk=review.pk), user=newcomer)
    check(1, 6)


def test_deleting_a_pending_review_removes_its_counted_rating(movie, newcomer):
    review = services.review_submit(movie=movie, user=newcomer, rating=9, body=REVIEW_TEXT)
    services.review_delete(review=review, user=newcomer)
    assert aggregate(movie)["count"] == 0
    assert recompute.ratings_differences() == []


def test_moderation_of_new_accounts_can_be_switched_off(movie, newcomer, settings):
    settings.REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS = 0
    review = services.review_submit(movie=movie, user=newcomer, rating=3, body=REVIEW_TEXT)
    assert review.status == Review.Status.PUBLISHED


def test_editing_the_rating_moves_it_between_buckets(movie, reader):
    RatingFactory(movie=movie, rating=5)
    services.review_submit(movie=movie, user=reader, rating=8)
    services.review_submit(movie=movie, user=reader, rating=10)
    assert aggregate(movie) == {"count": 2, "sum": 15, "histogram": {5: 1, 10: 1}, "mean": 7.5}
    assert Review.objects.filter(user=reader).count() == 1


def test_deleting_removes_the_rating(movie, reader):
    RatingFactory(movie=movie, rating=4)
    review = services.review_submit(movie=movie, user=reader, rating=8)
    services.review_delete(review=review, user=reader)
    assert aggregate(movie) == {"count": 1, "sum": 4, "histogram": {4: 1}, "mean": 4.0}


def test_last_rating_deleted_leaves_no_mean(movie, reader):
    review = services.review_submit(movie=movie, user=reader, rating=8)
    services.review_delete(review=review, user=reader)
    assert aggregate(movie) == {"count": 0, "sum": 0, "histogram": {}, "mean": None}


def test_only_the_author_can_delete(movie, reader):
    review = services.review_submit(movie=movie, user=reader, rating=8)
    with pytest.raises(PermissionDenied):
        services.review_delete(review=review, user=UserFactory())
    assert Review.objects.filter(pk=review.pk).exists()
    assert aggregate(movie)["count"] == 1


@pytest.mark.parametrize("rating", [0, 11, -1])
def test_rating_outside_1_to_10_is_refused_and_nothing_written(movie, reader, rating):
    with pytest.raises(ValidationError):
        services.review_submit(movie=movie, user=reader, rating=rating)
    assert not Review.objects.exists()
    assert aggregate(movie)["count"] == 0


def test_short_text_is_refused_with_the_minimum_named(movie, reader):
    with pytest.raises(ValidationError) as caught:
        services.review_submit(movie=movie, user=reader, rating=8, body="Loved it.")
    assert "at least 100 characters" in caught.value.message_dict["body"][0]
    assert not Review.objects.exists()


def test_text_over_10000_characters_is_refused(movie, reader):
    with pytest.raises(ValidationError):
        services.review_submit(movie=movie, user=reader, rating=8, body="x" * 10_001)
    assert not Review.objects.exists()


def test_rejected_review_edited_goes_back_to_pending_not_published(movie, reader, editor):
    review = ReviewFactory(movie=movie, user=reader, rating=2)
    services.reviews_moderate(reviews=[review], status=Review.Status.REJECTED, moderator=editor)
    assert aggregate(movie)["count"] == 0
    review = services.review_submit(
        movie=movie, user=reader, rating=2, body=REVIEW_TEXT + " Edited."
    )
    assert review.status == Review.Status.PENDING
    assert aggregate(movie)["count"] == 0


def test_rejected_review_changing_only_the_rating_stays_rejected(movie, reader, editor):
    review = ReviewFactory(movie=movie, user=reader, rating=2, status=Review.Status.REJECTED)
    review = services.review_submit(
        movie=movie, user=reader, rating=9, headline=review.headline, body=review.body
    )
    assert review.status == Review.Status.REJECTED
    assert aggregate(movie)["count"] == 0


def test_moderating_twice_does_not_count_twice(movie, newcomer, editor):
    review = ReviewFactory(movie=movie, user=newcomer, rating=6)
    for _ in range(2):
        services.reviews_moderate(
            reviews=[review], status=Review.Status.PUBLISHED, moderator=editor
        )
    assert aggregate(movie)["count"] == 1


def test_spam_limit_refuses_the_eleventh_review_in_an_hour(reader, settings):
    settings.REVIEWS_PER_HOUR = 10
    for _ in range(10):
        RatingFactory(user=reader)
    extra = RatingFactory.build().movie
    extra.save()
    with pytest.raises(services.ReviewRateLimited):
        services.review_submit(movie=extra, user=reader, rating=5)
    assert Review.objects.filter(user=reader).count() == 10


def test_spam_limit_does_not_stop_editing_an_existing_review(movie, reader, settings):
    settings.REVIEWS_PER_HOUR = 1
    services.review_submit(movie=movie, user=reader, rating=5)
    services.review_submit(movie=movie, user=reader, rating=6)
    assert aggregate(movie)["sum"] == 6


def test_spam_limit_cannot_be_bypassed_by_deleting_and_posting_again(reader, settings):
    """Deleting a review does not give its slot back: the limit counts postings."""
    settings.REVIEWS_PER_HOUR = 3
    films = [RatingFactory.build().movie for _ in range(3)]
    for film in films:
        film.save()
    for _ in range(3):
        review = services.review_submit(movie=films[0], user=reader, rating=5)
        services.review_delete(review=review, user=reader)
    with pytest.raises(services.ReviewRateLimited):
        services.review_submit(movie=films[1], user=reader, rating=5)
    assert not Review.objects.filter(user=reader).exists()


def test_spam_limit_counts_rewriting_the_text_but_not_changing_the_rating(movie, reader, settings):
    settings.REVIEWS_PER_HOUR = 2
    services.review_submit(movie=movie, user=reader, rating=5, body=REVIEW_TEXT)
    services.review_submit(movie=movie, user=reader, rating=6, body=REVIEW_TEXT)  # rating only
    services.review_submit(movie=movie, user=reader, rating=6, body=REVIEW_TEXT + " More.")
    with pytest.raises(services.ReviewRateLimited):
        services.review_submit(movie=movie, user=reader, rating=6, body=REVIEW_TEXT + " Again.")
    review = Review.objects.get(user=reader)
    assert review.body == REVIEW_TEXT + " More."  # the refused rewrite changed nothing
    assert aggregate(movie)["sum"] == 6


def test_spam_limit_forgets_postings_older_than_an_hour(movie, reader, settings):
    import datetime

    from django.utils import timezone

    from reviews.models import ReviewPosting

    settings.REVIEWS_PER_HOUR = 1
    RatingFactory(user=reader)
    ReviewPosting.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    services.review_submit(movie=movie, user=reader, rating=5)
    assert ReviewPosting.objects.filter(user=reader).count() == 1


# --- reports -----------------------------------------------------------------


def test_reports_once_each_and_the_threshold_returns_the_review_to_pending(movie, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 2
    review = ReviewFactory(movie=movie, rating=9)
    first = UserFactory()
    services.review_report(review=review, user=first, reason="spam")
    with pytest.raises(ValidationError, match="already"):
        services.review_report(review=review, user=first, reason="spam")
    review.refresh_from_db()
    assert (review.status, review.report_count) == (Review.Status.PUBLISHED, 1)
    assert aggregate(movie)["count"] == 1

    services.review_report(review=review, user=UserFactory(), reason="abuse")
    review.refresh_from_db()
    assert (review.status, review.report_count) == (Review.Status.PENDING, 2)
    assert aggregate(movie)["count"] == 0


def test_approving_a_reported_review_closes_reports_and_counts_it_again(movie, editor, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 1
    review = ReviewFactory(movie=movie, rating=9)
    services.review_report(review=review, user=UserFactory(), reason="spam")
    services.reviews_moderate(reviews=[review], status=Review.Status.PUBLISHED, moderator=editor)
    review.refresh_from_db()
    assert (review.status, review.report_count) == (Review.Status.PUBLISHED, 0)
    assert not ReviewReport.objects.filter(is_open=True).exists()
    assert aggregate(movie)["count"] == 1
    # A new reader's report counts afresh; the first reader still cannot report twice.
    services.review_report(review=review, user=UserFactory(), reason="spam")
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_an_author_whose_review_was_reported_cannot_republish_it_by_editing(movie, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 1
    review = ReviewFactory(movie=movie)
    services.review_report(review=review, user=UserFactory(), reason="abuse")
    edited = services.review_submit(
        movie=movie, user=review.user, rating=8, body=REVIEW_TEXT + " Changed."
    )
    assert edited.status == Review.Status.PENDING


# --- recomputing -------------------------------------------------------------


def test_recompute_finds_and_fixes_a_tampered_aggregate(movie):
    RatingFactory(movie=movie, rating=6)
    RatingFactory(movie=movie, rating=8)
    type(movie).objects.filter(pk=movie.pk).update(rating_count=3, rating_sum=20, rating_6=2)
    [difference] = recompute.ratings_differences()
    assert "rating_count 3 -> 2" in difference.describe()
    recompute.ratings_recompute()
    assert recompute.ratings_differences() == []
    assert aggregate(movie) == {"count": 2, "sum": 14, "histogram": {6: 1, 8: 1}, "mean": 7.0}


# --- helpful votes are a toggle --------------------------------------------------------


def test_helpful_toggle_adds_then_takes_back_the_vote_keeping_the_count_exact(movie, reader):
    review = ReviewFactory(movie=movie)
    other = UserFactory()
    services.review_toggle_helpful(review=review, user=other)
    review, voted = services.review_toggle_helpful(review=review, user=reader)
    assert (voted, review.helpful_count) == (True, 2)
    review, voted = services.review_toggle_helpful(review=review, user=reader)
    assert (voted, review.helpful_count) == (False, 1)
    assert list(HelpfulVote.objects.values_list("user", flat=True)) == [other.pk]
    review, voted = services.review_toggle_helpful(review=review, user=reader)
    assert (voted, review.helpful_count) == (True, 2)
    assert review.helpful_votes.count() == 2


def test_helpful_toggle_still_refuses_your_own_and_unpublished_reviews(movie, reader, newcomer):
    own = ReviewFactory(movie=movie, user=reader)
    with pytest.raises(ValidationError, match="own"):
        services.review_toggle_helpful(review=own, user=reader)
    pending = ReviewFactory(movie=movie, user=newcomer)
    with pytest.raises(ValidationError, match="not published"):
        services.review_toggle_helpful(review=pending, user=reader)
    assert not HelpfulVote.objects.exists()
    assert list(Review.objects.values_list("helpful_count", flat=True)) == [0, 0]


# --- a rejected review cannot be republished by emptying its text ------------------------


def test_rejected_review_emptied_to_a_rating_waits_for_an_editor_uncounted(movie, reader, editor):
    review = ReviewFactory(movie=movie, user=reader, rating=1, status=Review.Status.REJECTED)
    review = services.review_submit(movie=movie, user=reader, rating=1)
    assert (review.status, review.rating_counted) == (Review.Status.PENDING, False)
    assert aggregate(movie)["count"] == 0
    # Changing only the rating of the withheld rating keeps it withheld.
    review = services.review_submit(movie=movie, user=reader, rating=2)
    assert (review.status, review.rating_counted) == (Review.Status.PENDING, False)
    assert aggregate(movie)["count"] == 0
    services.reviews_moderate(reviews=[review], status=Review.Status.PUBLISHED, moderator=editor)
    assert aggregate(movie) == {"count": 1, "sum": 2, "histogram": {2: 1}, "mean": 2.0}
    assert recompute.ratings_differences() == []


def test_reported_review_emptied_to_a_rating_waits_for_an_editor_uncounted(movie, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 1
    review = ReviewFactory(movie=movie, rating=10)
    services.review_report(review=review, user=UserFactory(), reason="abuse")
    review = services.review_submit(movie=movie, user=review.user, rating=10)
    assert (review.status, review.rating_counted) == (Review.Status.PENDING, False)
    assert aggregate(movie)["count"] == 0


def test_a_rating_only_review_of_a_reader_in_good_standing_still_counts_at_once(movie, reader):
    ReviewFactory(movie=movie, user=reader, rating=6)
    review = services.review_submit(movie=movie, user=reader, rating=7)
    assert (review.status, review.rating_counted) == (Review.Status.PUBLISHED, True)
    assert aggregate(movie) == {"count": 1, "sum": 7, "histogram": {7: 1}, "mean": 7.0}


def test_text_waits_for_editor_follows_the_submit_rule(movie, reader, newcomer, editor):
    assert services.review_text_waits_for_editor(user=newcomer) is True
    assert services.review_text_waits_for_editor(user=reader) is False
    review = ReviewFactory(movie=movie, user=reader)
    assert services.review_text_waits_for_editor(user=reader, review=review) is False
    services.reviews_moderate(reviews=[review], status=Review.Status.REJECTED, moderator=editor)
    review.refresh_from_db()
    assert services.review_text_waits_for_editor(user=reader, review=review) is True


def test_a_rejected_reviews_rating_never_counts_whatever_path_led_there(
    movie, reader, newcomer, editor, settings
):
    """review_submit() reads "withheld" from rating_counted alone: that holds only if no
    path leaves a rejected review counted. Walk them all, checking after each step."""
    settings.REVIEWS_REPORT_THRESHOLD = 1

    def check():
        assert not Review.objects.filter(
            status=Review.Status.REJECTED, rating_counted=True
        ).exists()
        assert recompute.ratings_differences() == []

    def moderate(review, status):
        services.reviews_moderate(reviews=[review], status=status, moderator=editor)
        check()

    for user, body in [(reader, REVIEW_TEXT), (newcomer, REVIEW_TEXT), (reader, "")]:
        review = services.review_submit(movie=movie, user=user, rating=6, body=body)
        moderate(review, Review.Status.REJECTED)
        # Only the rating (and the spoiler flag stays): still rejected, still uncounted.
        review = services.review_submit(movie=movie, user=user, rating=9, body=body)
        assert review.status == Review.Status.REJECTED
        check()
        moderate(review, Review.Status.PUBLISHED)
        if body:  # only written reviews can be reported
            services.review_report(review=review, user=UserFactory(), reason="spam")
            check()
        moderate(review, Review.Status.PENDING)
        moderate(review, Review.Status.REJECTED)
        review = services.review_submit(
            movie=movie, user=user, rating=2, body=REVIEW_TEXT + " Again."
        )
        assert (review.status, review.rating_counted) == (Review.Status.PENDING, False)
        check()
        moderate(review, Review.Status.REJECTED)
        services.review_delete(review=review, user=user)
        check()


@pytest.mark.parametrize("start", ["none", "published", "waiting", "rejected", "reported"])
@pytest.mark.parametrize("account", ["reader", "newcomer"])
def test_the_forms_promise_matches_what_saving_a_text_does(
    movie, editor, settings, request, start, account
):
    """review_text_waits_for_editor() (the form's copy) and review_submit() share one
    rule: the text waits exactly when the form said it would."""
    settings.REVIEWS_REPORT_THRESHOLD = 1
    user = request.getfixturevalue(account)
    review = None
    if start != "none":
        review = ReviewFactory(movie=movie, user=user)
        if start == "published":
            services.reviews_moderate(
                reviews=[review], status=Review.Status.PUBLISHED, moderator=editor
            )
        elif start == "rejected":
            services.reviews_moderate(
                reviews=[review], status=Review.Status.REJECTED, moderator=editor
            )
        elif start == "reported":
            services.reviews_moderate(
                reviews=[review], status=Review.Status.PUBLISHED, moderator=editor
            )
            services.review_report(review=review, user=UserFactory(), reason="spam")
        review.refresh_from_db()
    waits = services.review_text_waits_for_editor(user=user, review=review)
    saved = services.review_submit(
        movie=movie, user=user, rating=7, headline="New", body=REVIEW_TEXT + " Rewritten."
    )
    assert (saved.status == Review.Status.PENDING) == waits


def test_a_review_moves_its_films_aggregate_and_mean_in_one_update(movie, reader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RatingFactory(movie=movie, rating=6)
    with CaptureQueriesContext(connection) as queries:
        services.review_submit(movie=movie, user=reader, rating=9)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "movies_movie"')]
    assert len(updates) == 1, updates
    assert aggregate(movie)["mean"] == 7.5
    services.review_delete(review=Review.objects.get(user=reader), user=reader)
    assert aggregate(movie)["mean"] == 6.0
    services.review_delete(review=Review.objects.get(), user=Review.objects.get().user)
    assert aggregate(movie) == {"count": 0, "sum": 0, "histogram": {}, "mean": None}
