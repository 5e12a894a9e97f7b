"""Ratings that count: throwaway accounts cannot swing a film's answer (issue 10)."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewReport
from tests.factories import MovieFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def rate(movie, user, rating):
    return services.review_submit(movie=movie, user=user, rating=rating, check_rate_limit=False)


@pytest.fixture
def rated_film():
    """12 Angry Men with five confirmed readers' 9s."""
    film = MovieFactory(title="12 Angry Men", year=1957)
    for n in range(5):
        rate(film, UserFactory(username=f"fan{n}"), 9)
    film.refresh_from_db()
    assert (film.rating_count, film.audience_rating) == (5, 9.0)
    return film


def test_six_new_unconfirmed_accounts_rating_1_do_not_move_the_aggregate(rated_film):
    for n in range(6):
        review = rate(rated_film, UserFactory(username=f"throwaway{n}", email_confirmed=False), 1)
        assert review.standing == "unconfirmed"
        assert not review.rating_counted
    rated_film.refresh_from_db()
    assert (rated_film.rating_count, rated_film.audience_rating) == (5, 9.0)
    assert Review.objects.filter(movie=rated_film).count() == 11  # stored all the same


def test_six_confirmed_accounts_rating_1_move_it_by_the_formula(rated_film):
    for n in range(6):
        rate(rated_film, UserFactory(username=f"critic{n}"), 1)
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 11
    assert rated_film.audience_rating == pytest.approx((5 * 9 + 6 * 1) / 11)


def test_a_waiting_rating_counts_the_moment_the_reader_confirms(client, rated_film):
    client.post(
        "/accounts/signup/",
        {
            "username": "grace",
            "email": "grace@example.com",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
        },
    )
    saved = client.post(
        f"/movies/{rated_film.slug}/review/", {"rating": "4", "headline": "", "body": ""}
    )
    page = client.get(saved["Location"]).content.decode()
    assert "your rating of 4/10 counts once you confirm your email address" in page
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 5

    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert client.post(link.group(1)).status_code == 302
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 6
    assert rated_film.audience_rating == pytest.approx((45 + 4) / 6)
    assert services.ratings_count_confirmed(user=saved.wsgi_request.user) == 0  # once only


def test_the_review_form_says_an_unconfirmed_rating_waits(client, rated_film):
    client.force_login(UserFactory(username="fresh", email_confirmed=False))
    html = client.get(f"/movies/{rated_film.slug}/review/").content.decode()
    assert "counts once you confirm your email address" in html
    assert 'href="/accounts/email/"' in html


def test_an_editor_publishing_does_not_count_an_unconfirmed_rating(rated_film):
    editor = UserFactory(username="editor", is_staff=True)
    newcomer = UserFactory(username="newbie", email_confirmed=False, date_joined=timezone.now())
    review = ReviewFactory(movie=rated_film, user=newcomer, rating=1)
    assert review.status == Review.Status.PENDING
    services.reviews_moderate(reviews=[review], status=Review.Status.PUBLISHED, moderator=editor)
    review.refresh_from_db()
    assert (review.status, review.rating_counted, review.standing) == (
        "published",
        False,
        "unconfirmed",
    )
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 5
    services.ratings_count_confirmed(user=newcomer)
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 6


# --- reports ------------------------------------------------------------------------


@pytest.fixture
def established_review(rated_film):
    return ReviewFactory(movie=rated_film, user=UserFactory(username="established"), rating=10)


def report_by(review, users):
    for user in users:
        services.review_report(review=review, user=user, reason=ReviewReport.Reason.SPAM)
    review.refresh_from_db()
    return review


def test_reports_from_new_accounts_do_not_hide_a_review(established_review, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 3
    now = timezone.now()
    new = [UserFactory(username=f"new{n}", date_joined=now) for n in range(3)]
    review = report_by(established_review, new)
    assert review.status == Review.Status.PUBLISHED and review.rating_counted
    assert review.report_count == 3  # the editors still see every report
    assert ReviewReport.objects.filter(review=review, is_open=True).count() == 3


def test_reports_from_unconfirmed_accounts_do_not_hide_a_review(established_review):
    old_unconfirmed = [UserFactory(username=f"u{n}", email_confirmed=False) for n in range(3)]
    review = report_by(established_review, old_unconfirmed)
    assert review.status == Review.Status.PUBLISHED


def test_reports_from_confirmed_established_accounts_send_it_back(established_review, settings):
    settings.REVIEWS_REPORT_MIN_ACCOUNT_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    review = report_by(
        established_review, [UserFactory(username=f"o{n}", date_joined=old) for n in range(3)]
    )
    assert review.status == Review.Status.PENDING and not review.rating_counted


# --- a rejected reader rating again ---------------------------------------------


def test_a_new_rating_after_a_rejected_review_was_deleted_waits_for_an_editor(rated_film):
    editor = UserFactory(username="editor", is_staff=True)
    troll = UserFactory(username="troll")
    review = ReviewFactory(movie=rated_film, user=troll, rating=1)
    services.reviews_moderate(reviews=[review], status=Review.Status.REJECTED, moderator=editor)
    services.review_delete(review=review, user=troll)

    again = rate(rated_film, troll, 1)
    assert (again.status, again.rating_counted) == ("pending", False)
    rated_film.refresh_from_db()
    assert rated_film.rating_count == 5
    # On another film the same reader's rating counts as usual.
    assert rate(MovieFactory(), troll, 1).rating_counted


def test_the_form_says_so_before_the_rejected_reader_rates_again(client, rated_film):
    editor = UserFactory(username="editor", is_staff=True)
    troll = UserFactory(username="troll")
    review = ReviewFactory(movie=rated_film, user=troll, rating=1)
    services.reviews_moderate(reviews=[review], status=Review.Status.REJECTED, moderator=editor)
    services.review_delete(review=review, user=troll)
    client.force_login(troll)
    html = client.get(f"/movies/{rated_film.slug}/review/").content.decode()
    assert "Your rating counts as soon as you save" not in html
    assert "rating included, waits for an editor" in html
    assert "Submit" in html  # not "Publish": it waits for an editor


# --- rate limits ------------------------------------------------------------------


def signup(username, email, address):
    return Client().post(
        "/accounts/signup/",
        {
            "username": username,
            "email": email,
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
        },
        REMOTE_ADDR=address,
    )


def limits(settings, **rates):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **rates}


def test_signups_per_client_address_are_limited(settings):
    limits(settings, signup="3/h/ip")
    for n in range(3):
        assert signup(f"r{n}", f"r{n}@example.com", "10.0.0.1").status_code == 302
    refused = signup("r3", "r3@example.com", "10.0.0.1")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert signup("r4", "r4@example.com", "10.0.0.2").status_code == 302


def test_signups_naming_one_email_are_limited_from_any_address(settings):
    limits(settings, signup_email="2/h/key")
    assert signup("a", "same@example.com", "10.0.0.1").status_code == 302
    assert signup("b", "SAME@example.com", "10.0.0.2").status_code == 302
    assert signup("c", "same@example.com", "10.0.0.3").status_code == 429


def test_logins_per_client_address_are_limited(settings):
    limits(settings, login="2/m/ip")
    UserFactory(username="ada")
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"login": "nobody", "password": "x"})
    assert client.post("/accounts/login/", {"login": "ada", "password": "x"}).status_code == 429


def test_password_resets_per_email_and_per_address_are_limited(settings):
    limits(settings, reset_password="3/h/ip,1/h/key")
    UserFactory(username="ada", email="ada@example.com")
    reset = "/accounts/password/reset/"
    first = Client().post(reset, {"email": "ada@example.com"}, REMOTE_ADDR="10.0.0.1")
    assert first.status_code == 302
    again = Client().post(reset, {"email": "ada@example.com"}, REMOTE_ADDR="10.0.0.2")
    assert again.status_code == 429
    for n in range(2):
        Client().post(reset, {"email": f"x{n}@example.com"}, REMOTE_ADDR="10.0.0.3")
    flood = Client().post(reset, {"email": "x9@example.com"}, REMOTE_ADDR="10.0.0.3")
    assert flood.status_code == 302
    flood = Client().post(reset, {"email": "x8@example.com"}, REMOTE_ADDR="10.0.0.3")
    assert flood.status_code == 429
