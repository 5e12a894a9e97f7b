"""Writing, editing, deleting, reading, voting on and reporting reviews, as a reader would."""

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import HelpfulVote, Review, ReviewReport
from tests.factories import (
    REVIEW_TEXT,
    MovieFactory,
    RatingFactory,
    ReviewFactory,
    UserFactory,
)
from tests.reviews.conftest import aggregate

pytestmark = pytest.mark.django_db


def edit_url(movie):
    return reverse("reviews:edit", args=[movie.slug])


def form_data(**overrides):
    return {"rating": "8", "headline": "Worth it", "body": REVIEW_TEXT, **overrides}


# --- writing -------------------------------------------------------------------


def test_review_page_asks_anonymous_readers_to_log_in(client, movie):
    response = client.get(edit_url(movie))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_review_page_404_for_a_draft_film(client, reader):
    draft = MovieFactory(status="draft")
    client.force_login(reader)
    assert client.get(edit_url(draft)).status_code == 404


def test_reader_writes_a_review_and_the_film_counts_it(client, reader, movie):
    client.force_login(reader)
    form = client.get(edit_url(movie))
    assert b'name="rating"' in form.content and b'name="body"' in form.content
    response = client.post(edit_url(movie), form_data())
    assert response.status_code == 302
    assert response["Location"] == f"{movie.get_absolute_url()}#your-review"
    review = Review.objects.get()
    assert (review.user, review.rating, review.status) == (reader, 8, "published")
    assert aggregate(movie)["count"] == 1
    page = client.get(movie.get_absolute_url())
    assert "Your review" in page.content.decode()
    assert "Worth it" in page.content.decode()


def test_editing_prefills_and_updates_the_same_review(client, reader, movie):
    ReviewFactory(movie=movie, user=reader, rating=4, headline="Too slow")
    client.force_login(reader)
    assert "Too slow" in client.get(edit_url(movie)).content.decode()
    client.post(edit_url(movie), form_data(rating="9", headline="Grew on me"))
    review = Review.objects.get()
    assert (review.rating, review.headline) == (9, "Grew on me")
    assert aggregate(movie) == {"count": 1, "sum": 9, "histogram": {9: 1}, "mean": 9.0}


def test_short_review_gets_a_clear_error_tied_to_the_field(client, reader, movie):
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(body="Great."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "at least 100 characters" in html
    assert 'id="id_body_error"' in html
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    assert not Review.objects.exists()


def test_missing_rating_is_a_form_error(client, reader, movie):
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(rating=""))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Review.objects.exists()


def test_new_account_is_told_the_review_waits_for_an_editor(client, newcomer, movie):
    client.force_login(newcomer)
    response = client.post(edit_url(movie), form_data(), follow=True)
    html = response.content.decode()
    assert "your rating counts now" in html and "waiting for an editor" in html
    assert aggregate(movie)["count"] == 1  # the rating counts at once; the words wait


def test_mass_assignment_of_user_movie_status_and_counters_changes_nothing(
    client, reader, newcomer, movie
):
    other_movie = MovieFactory()
    client.force_login(newcomer)
    client.post(
        edit_url(movie),
        form_data(
            user=reader.pk,
            movie=other_movie.pk,
            status="published",
            helpful_count="999",
            report_count="0",
            rating_count="1000",
            rating_sum="10000",
            audience_rating="10",
        ),
    )
    review = Review.objects.get()
    assert (review.user, review.movie, review.status) == (newcomer, movie, "pending")
    assert review.helpful_count == 0
    assert aggregate(movie)["count"] == 1  # the newcomer's own rating, once
    assert aggregate(movie)["sum"] == review.rating
    assert aggregate(other_movie)["count"] == 0


def test_honeypot_filled_in_is_refused_with_a_message(client, reader, movie):
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(website="http://spam.example"))
    assert response.status_code == 200
    assert "looks automated" in response.content.decode()
    assert not Review.objects.exists()


def test_spam_limit_answers_429_with_a_form_error(client, reader, settings):
    settings.REVIEWS_PER_HOUR = 2
    RatingFactory(user=reader)
    RatingFactory(user=reader)
    movie = MovieFactory()
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data())
    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert not Review.objects.filter(movie=movie).exists()


def test_csrf_is_enforced_on_review_writes(reader, movie):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(edit_url(movie), form_data()).status_code == 403
    assert not Review.objects.exists()


def test_xss_in_headline_and_body_comes_out_escaped(client, reader, movie):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ReviewFactory(movie=movie, headline=payload, body=payload + " " + REVIEW_TEXT)
    for url in [
        movie.get_absolute_url(),
        reverse("reviews:list", args=[movie.slug]),
        reverse("reviews:profile", args=[Review.objects.get().user.username]),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


def test_spoiler_review_is_collapsed_in_details(client, movie):
    ReviewFactory(movie=movie, contains_spoilers=True)
    html = client.get(reverse("reviews:list", args=[movie.slug])).content.decode()
    assert '<details class="review__spoilers">' in html
    assert "contains spoilers" in html


# --- permissions: only the author edits or deletes -------------------------------


def test_another_reader_cannot_touch_my_review(client, reader, movie):
    mine = ReviewFactory(movie=movie, user=reader, rating=9, headline="Mine")
    intruder = UserFactory()
    client.force_login(intruder)
    # The review URLs address the logged-in reader's own review: the intruder's POST
    # creates the intruder's own review, and deleting finds nothing of theirs.
    assert client.get(reverse("reviews:delete", args=[movie.slug])).status_code == 404
    assert client.post(reverse("reviews:delete", args=[movie.slug])).status_code == 404
    client.post(edit_url(movie), form_data(rating="1", headline="Hacked", user=reader.pk))
    mine.refresh_from_db()
    assert (mine.user, mine.rating, mine.headline) == (reader, 9, "Mine")
    assert Review.objects.filter(user=intruder).count() == 1


def test_delete_asks_for_confirmation_then_deletes(client, reader, movie):
    RatingFactory(movie=movie, rating=3)
    ReviewFactory(movie=movie, user=reader, rating=9)
    client.force_login(reader)
    url = reverse("reviews:delete", args=[movie.slug])
    confirm = client.get(url)
    assert "Yes, delete it" in confirm.content.decode()
    assert Review.objects.filter(user=reader).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Review.objects.filter(user=reader).exists()
    assert aggregate(movie) == {"count": 1, "sum": 3, "histogram": {3: 1}, "mean": 3.0}


def test_delete_needs_csrf(reader, movie):
    ReviewFactory(movie=movie, user=reader)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(reverse("reviews:delete", args=[movie.slug])).status_code == 403
    assert Review.objects.exists()


# --- the reviews list --------------------------------------------------------------


def _list(client, movie, **params):
    return client.get(reverse("reviews:list", args=[movie.slug]), params)


def test_list_sorts_by_helpful_newest_highest_lowest(client, movie):
    low = ReviewFactory(movie=movie, rating=2, headline="Low")
    high = ReviewFactory(movie=movie, rating=10, headline="High")
    newest = ReviewFactory(movie=movie, rating=6, headline="Newest")
    Review.objects.filter(pk=low.pk).update(helpful_count=5)

    def order(sort):
        return [r.pk for r in _list(client, movie, sort=sort).context["reviews"]]

    assert order("helpful")[0] == low.pk
    assert order("newest")[0] == newest.pk
    assert order("highest") == [high.pk, newest.pk, low.pk]
    assert order("lowest") == [low.pk, newest.pk, high.pk]
    assert order("nonsense")[0] == low.pk  # unknown sort: most helpful


def test_list_shows_only_published_written_reviews(client, movie, newcomer):
    ReviewFactory(movie=movie, headline="Published one")
    ReviewFactory(movie=movie, user=newcomer, headline="Pending one")
    ReviewFactory(movie=movie, headline="Rejected one", status="rejected")
    RatingFactory(movie=movie)
    html = _list(client, movie).content.decode()
    assert "Published one" in html
    assert "Pending one" not in html and "Rejected one" not in html
    assert "1 written review;" in html


def test_list_paginates_and_forgives_bad_pages(client, movie):
    for _ in range(21):
        ReviewFactory(movie=movie)
    assert len(_list(client, movie).context["reviews"]) == 20
    assert len(_list(client, movie, page=2).context["reviews"]) == 1
    assert _list(client, movie, page="zz").status_code == 200
    assert _list(client, movie, page=99).context["page_obj"].number == 2


@pytest.mark.parametrize("n", [2, 40])
def test_list_query_budget_holds_as_reviews_grow(
    client, movie, reader, n, django_assert_max_num_queries
):
    """Guards against N+1: authors and the reader's vote flags come in the page query."""
    for _ in range(n):
        ReviewFactory(movie=movie)
    client.force_login(reader)
    with django_assert_max_num_queries(6):
        assert _list(client, movie).status_code == 200


# --- the single review and the profile --------------------------------------------


def test_review_permalink_shows_published_and_hides_pending_from_others(client, movie, newcomer):
    published = ReviewFactory(movie=movie, headline="Out there")
    pending = ReviewFactory(movie=movie, user=newcomer)
    assert "Out there" in client.get(published.get_absolute_url()).content.decode()
    assert client.get(pending.get_absolute_url()).status_code == 404
    client.force_login(newcomer)
    assert client.get(pending.get_absolute_url()).status_code == 200


def test_profile_lists_published_reviews_only(client, newcomer):
    ReviewFactory(user=newcomer, headline="Visible", status="published")
    ReviewFactory(user=newcomer, headline="Hidden")
    RatingFactory(user=newcomer)
    response = client.get(reverse("reviews:profile", args=[newcomer.username]))
    html = response.content.decode()
    assert "Visible" in html and "Hidden" not in html
    assert newcomer.email not in html
    assert "3 ratings, 1 written review" in html  # the pending review's rating counts


def test_profile_of_unknown_or_inactive_user_is_404(client):
    UserFactory(username="gone", is_active=False)
    assert client.get(reverse("reviews:profile", args=["gone"])).status_code == 404
    assert client.get(reverse("reviews:profile", args=["nobody"])).status_code == 404


def test_deactivated_authors_reviews_stay_without_a_link_to_their_closed_profile(
    client, movie, reader
):
    """A closed account's reviews stay (editors reject them if they must go); its name
    no longer links to a profile page that would be a 404."""
    review = ReviewFactory(movie=movie, user=reader, headline="Still worth reading")
    profile = reverse("reviews:profile", args=[reader.username])
    type(reader).objects.filter(pk=reader.pk).update(is_active=False)
    for url in (
        movie.get_absolute_url(),
        reverse("reviews:list", args=[movie.slug]),
        review.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert "Still worth reading" in html, url
        assert f'href="{profile}"' not in html, url
        assert "ada (account closed)" in html, url
    assert client.get(profile).status_code == 404
    assert aggregate(movie)["count"] == 1  # the rating still counts


@pytest.mark.parametrize("n", [2, 40])
def test_profile_query_budget_holds_as_reviews_grow(
    client, reader, n, django_assert_max_num_queries
):
    """Guards against N+1: each review's film and author come in the page query."""
    for _ in range(n):
        ReviewFactory(user=reader)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("reviews:profile", args=[reader.username])).status_code == 200


# --- helpful votes and reports ------------------------------------------------------


def test_helpful_button_counts_once_and_returns_to_the_page(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    url = reverse("reviews:helpful", args=[review.pk])
    back = reverse("reviews:list", args=[movie.slug])
    response = client.post(url, {"next": back})
    assert response["Location"] == back
    again = client.post(url, {"next": back}, follow=True)
    assert "already marked" in again.content.decode()
    review.refresh_from_db()
    assert review.helpful_count == 1
    assert "You found it helpful" in client.get(back).content.decode()


def test_helpful_vote_refuses_offsite_next(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    response = client.post(
        reverse("reviews:helpful", args=[review.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == review.get_absolute_url()


def test_no_helpful_vote_on_own_review_through_the_site(client, reader, movie):
    review = ReviewFactory(movie=movie, user=reader)
    client.force_login(reader)
    response = client.post(reverse("reviews:helpful", args=[review.pk]), follow=True)
    assert "your own review" in response.content.decode()
    assert not HelpfulVote.objects.exists()


def test_helpful_vote_needs_login_and_csrf(movie, reader):
    review = ReviewFactory(movie=movie)
    anonymous = Client()
    assert anonymous.post(reverse("reviews:helpful", args=[review.pk])).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(reverse("reviews:helpful", args=[review.pk])).status_code == 403
    assert not HelpfulVote.objects.exists()


def test_report_form_records_one_report_per_reader(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    url = reverse("reviews:report", args=[review.pk])
    assert "What is wrong with this review?" in client.get(url).content.decode()
    client.post(url, {"reason": "spam"})
    second = client.post(url, {"reason": "abuse"}, follow=True)
    assert "already reported" in second.content.decode()
    assert ReviewReport.objects.filter(review=review).count() == 1


def test_report_with_a_bad_reason_is_a_form_error(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    response = client.post(reverse("reviews:report", args=[review.pk]), {"reason": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReviewReport.objects.exists()


def test_actions_on_a_missing_review_are_404(client, reader):
    client.force_login(reader)
    assert client.post(reverse("reviews:helpful", args=[999])).status_code == 404
    assert client.get(reverse("reviews:report", args=[999])).status_code == 404


@pytest.mark.parametrize("n", [2, 40])
def test_single_review_pages_query_budget_holds_as_reviews_grow(
    client, reader, movie, n, django_assert_max_num_queries
):
    """Guards against N+1: the form, the confirmation, the permalink and the report form
    load one review, however many the film has."""
    mine = ReviewFactory(movie=movie, user=reader)
    others = [ReviewFactory(movie=movie) for _ in range(n)]
    client.force_login(reader)
    for url in [
        edit_url(movie),
        reverse("reviews:delete", args=[movie.slug]),
        mine.get_absolute_url(),
        reverse("reviews:report", args=[others[0].pk]),
        reverse("reviews:signup"),
    ]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code in (200, 302), url
