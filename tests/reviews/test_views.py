"""Writing, editing, deleting, reading, voting on and reporting reviews, as a reader would."""

import datetime
import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews import services
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


def messages_of(response) -> list[str]:
    """The flash messages the page shows, as text."""
    return [re.sub(r"<[^>]+>", "", str(m)) for m in response.context["messages"]]


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
    assert response["Location"] == movie.get_absolute_url()
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
    assert messages_of(response) == [
        "Saved: your rating of 8/10 counts now. Your written review is waiting for an "
        "editor and appears once approved. See your review."
    ]
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


def test_a_review_created_meanwhile_by_another_request_is_a_form_error(
    client, reader, movie, monkeypatch
):
    """Two submits racing for the reader's first review: the loser's INSERT hits the
    one-review-per-film constraint. It gets a clear form error, and nothing of its own
    attempt stays (no review, no counted rating, no posting against the hourly limit)."""
    from reviews.models import ReviewPosting

    real_save = Review.save
    raced = []

    def save_losing_the_race_once(self, *args, **kwargs):
        if not raced:
            raced.append(self)
            raise IntegrityError("UNIQUE constraint failed: review_one_per_user_per_movie")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Review, "save", save_losing_the_race_once)
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data())
    assert response.status_code == 200
    assert (
        "You have already reviewed this film: reload the page to edit your review."
        in response.content.decode()
    )
    assert raced
    assert not Review.objects.exists()
    assert not ReviewPosting.objects.exists()
    assert aggregate(movie)["count"] == 0
    assert client.post(edit_url(movie), form_data()).status_code == 302  # a retry works


def test_honeypot_filled_in_is_refused_with_a_message(client, reader, movie):
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(website="http://spam.example"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "looks automated" in html
    assert not Review.objects.exists()
    # Hidden from people, and its error in the summary is not a link to a hidden field.
    assert re.search(
        r'<div class="field visually-hidden" aria-hidden="true">.*?id_website', html, re.S
    )
    assert "<li>This form looks automated: please leave the last field empty.</li>" in html


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
        reverse("accounts:profile", args=[Review.objects.get().user.username]),
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


def _walk(client, movie, sort):
    """Every review of the list in order, following "More reviews" from the first page."""
    seen, params = [], {"sort": sort}
    while True:
        response = _list(client, movie, **params)
        seen += [r.pk for r in response.context["reviews"]]
        if not response.context["next_query"]:
            return seen, response
        assert 'rel="next"' in response.content.decode()
        params = dict(pair.split("=") for pair in response.context["next_query"].split("&"))


@pytest.mark.parametrize("sort", ["helpful", "newest", "highest", "lowest"])
def test_more_reviews_pages_through_every_review_once_in_order(client, movie, sort):
    """Keyset pages (?after=<id>): following "More reviews" gives each review once, in the
    sort's order, with ties on every key (same ratings, helpful counts and times)."""
    for n in range(45):
        ReviewFactory(movie=movie, rating=n % 3 + 4)
    Review.objects.filter(pk__in=Review.objects.order_by("pk").values("pk")[:10]).update(
        helpful_count=2
    )
    Review.objects.update(created_at=Review.objects.order_by("pk").first().created_at)
    expected = list(Review.objects.filter(movie=movie).sorted_by(sort).values_list("pk", flat=True))
    seen, last = _walk(client, movie, sort)
    assert seen == expected
    html = last.content.decode()
    assert "← First reviews" in html and "More reviews" not in html
    assert "45 written reviews" in html


@pytest.mark.parametrize("after", ["zz", "-1", "999999", "１２", "1e3", "", "9" * 40])
def test_a_cursor_that_is_not_a_review_of_the_film_shows_the_first_page(client, movie, after):
    first = ReviewFactory(movie=movie, headline="The only one")
    other = ReviewFactory(headline="Another film's")
    for cursor in (after, str(other.pk)):
        response = _list(client, movie, after=cursor)
        assert response.status_code == 200
        assert [r.pk for r in response.context["reviews"]] == [first.pk]
        assert "here are the first ones" in response.content.decode()


def test_a_hidden_review_as_cursor_shows_the_first_page(client, movie):
    shown = ReviewFactory(movie=movie)
    hidden = ReviewFactory(movie=movie, status="rejected")
    response = _list(client, movie, after=hidden.pk)
    assert [r.pk for r in response.context["reviews"]] == [shown.pk]
    assert response.context["cursor_lost"]


def test_old_page_numbers_show_the_first_page(client, movie):
    for _ in range(21):
        ReviewFactory(movie=movie)
    response = _list(client, movie, page=2)
    assert response.status_code == 200 and len(response.context["reviews"]) == 20
    assert 'rel="next"' in response.content.decode()


@pytest.mark.parametrize("n", [2, 40])
def test_list_query_budget_holds_as_reviews_grow(
    client, movie, reader, n, django_assert_max_num_queries
):
    """Guards against N+1: authors and the reader's vote flags come in the page query;
    a later page adds only its cursor's look-up."""
    for _ in range(n):
        ReviewFactory(movie=movie)
    client.force_login(reader)
    with django_assert_max_num_queries(5):
        assert _list(client, movie).status_code == 200
    cursor = Review.objects.filter(movie=movie).sorted_by("helpful").first()
    with django_assert_max_num_queries(6):
        assert _list(client, movie, after=cursor.pk).status_code == 200


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
    response = client.get(reverse("accounts:profile", args=[newcomer.username]))
    html = response.content.decode()
    assert "Visible" in html and "Hidden" not in html
    assert newcomer.email not in html
    assert "3 ratings, 1 written review" in html  # the pending review's rating counts


def test_profile_of_unknown_or_inactive_user_is_404(client):
    UserFactory(username="gone", is_active=False)
    assert client.get(reverse("accounts:profile", args=["gone"])).status_code == 404
    assert client.get(reverse("accounts:profile", args=["nobody"])).status_code == 404


def test_deactivated_authors_reviews_stay_without_a_link_to_their_closed_profile(
    client, movie, reader
):
    """A closed account's reviews stay (editors reject them if they must go); its name
    no longer links to a profile page that would be a 404."""
    review = ReviewFactory(movie=movie, user=reader, headline="Still worth reading")
    profile = reverse("accounts:profile", args=[reader.username])
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
        assert client.get(reverse("accounts:profile", args=[reader.username])).status_code == 200


# --- helpful votes and reports ------------------------------------------------------


def test_helpful_button_is_a_toggle_that_returns_to_the_page(client, reader, movie):
    review = ReviewFactory(movie=movie, user=UserFactory(username="grace"))
    ReviewFactory(movie=movie).helpful_votes.create(user=UserFactory())  # another review
    client.force_login(reader)
    url = reverse("reviews:helpful", args=[review.pk])
    back = reverse("reviews:list", args=[movie.slug])

    response = client.post(url, {"next": back})
    assert response["Location"] == back
    page = client.get(back)
    assert messages_of(page) == ["Thanks: you marked grace's review as helpful."]
    html = page.content.decode()
    assert html.count('aria-pressed="true"') == 1
    assert "1 reader found this helpful" in html and "You found it helpful" in html
    review.refresh_from_db()
    assert review.helpful_count == 1

    again = client.post(url, {"next": back}, follow=True)
    assert messages_of(again) == ["Your helpful vote on grace's review is taken back."]
    html = again.content.decode()
    assert 'aria-pressed="true"' not in html and "You found it helpful" not in html
    review.refresh_from_db()
    assert review.helpful_count == 0
    assert not HelpfulVote.objects.filter(user=reader).exists()

    client.post(url, {"next": back})  # and back again: still one vote, counted once
    review.refresh_from_db()
    assert review.helpful_count == 1 == review.helpful_votes.count()


def test_helpful_vote_refuses_offsite_next(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    response = client.post(
        reverse("reviews:helpful", args=[review.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == review.get_absolute_url()


def test_helpful_vote_over_https_refuses_a_plain_http_next(client, reader, movie):
    review = ReviewFactory(movie=movie)
    client.force_login(reader)
    response = client.post(
        reverse("reviews:helpful", args=[review.pk]),
        {"next": f"http://testserver{movie.get_absolute_url()}"},
        secure=True,
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


def test_report_needs_the_csrf_token(movie, reader):
    review = ReviewFactory(movie=movie)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    response = strict.post(reverse("reviews:report", args=[review.pk]), {"reason": "spam"})
    assert response.status_code == 403
    assert not ReviewReport.objects.exists()
    review.refresh_from_db()
    assert review.report_count == 0


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
    load one review, however many the film has (session, user, film, review; the form
    also asks whether the reader's email is confirmed, which says whether a rating
    counts)."""
    mine = ReviewFactory(movie=movie, user=reader)
    others = [ReviewFactory(movie=movie) for _ in range(n)]
    client.force_login(reader)
    for url, budget in [
        (edit_url(movie), 5),
        (reverse("reviews:delete", args=[movie.slug]), 4),
        (mine.get_absolute_url(), 4),
        (reverse("reviews:report", args=[others[0].pk]), 4),
    ]:
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
    client.logout()
    with django_assert_max_num_queries(0):
        assert client.get(reverse("account_signup")).status_code == 200


# --- the review form says what saving will do, and then what it did ----------------


def test_form_tells_a_new_account_that_text_waits_and_does_not_promise_publishing(
    client, newcomer, movie
):
    client.force_login(newcomer)
    html = client.get(edit_url(movie)).content.decode()
    assert "Because your account is new, a written review is checked by an editor" in html
    assert "Your rating counts as soon as you save." in html
    assert ">Submit</button>" in html and "Publish" not in html
    assert 'aria-describedby="review-form-note"' in html and 'id="review-form-note"' in html


def test_form_tells_an_established_reader_everything_appears_at_once(client, reader, movie):
    client.force_login(reader)
    html = client.get(edit_url(movie)).content.decode()
    assert "Your rating counts, and a written review appears, as soon as you save." in html
    assert ">Publish</button>" in html
    assert "checked by an editor" not in html


def test_form_for_a_pending_review_says_it_waits_and_the_button_saves(client, newcomer, movie):
    ReviewFactory(movie=movie, user=newcomer)
    client.force_login(newcomer)
    html = client.get(edit_url(movie)).content.decode()
    assert "Your written review is waiting for an editor" in html
    assert ">Save changes</button>" in html


def test_form_for_a_rejected_review_says_what_an_edit_does(client, reader, movie):
    ReviewFactory(movie=movie, user=reader, status="rejected")
    client.force_login(reader)
    html = client.get(edit_url(movie)).content.decode()
    assert "An editor did not publish this review, so your rating does not count." in html
    assert "or remove it to leave just a rating, the review goes back to the editors" in html


@pytest.mark.parametrize(
    ("author", "data", "expected"),
    [
        ("reader", {}, "Saved: your rating of 8/10 counts and your review is published."),
        ("reader", {"headline": "", "body": ""}, "Saved: your rating of 8/10 counts."),
        ("newcomer", {"headline": "", "body": ""}, "Saved: your rating of 8/10 counts."),
        (
            "newcomer",
            {},
            "Saved: your rating of 8/10 counts now. Your written review is waiting for an "
            "editor and appears once approved.",
        ),
    ],
)
def test_saved_message_says_exactly_what_happened(client, request, movie, author, data, expected):
    client.force_login(request.getfixturevalue(author))
    response = client.post(edit_url(movie), form_data(**data), follow=True)
    assert messages_of(response) == [f"{expected} See your review."]


def test_saved_message_sits_at_the_top_of_the_page_with_a_link_to_the_review(client, reader, movie):
    """The redirect lands at the top of the film's page, where the message is (not far
    down at #your-review, with the message out of sight); its link leads to the review."""
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(), follow=True)
    assert response.redirect_chain == [(movie.get_absolute_url(), 302)]
    html = response.content.decode()
    messages_at = html.index('class="wrap messages" role="status"')
    assert f'<a href="{movie.get_absolute_url()}#your-review">See your review</a>' in html
    assert messages_at < html.index('id="your-review"')


def test_rejected_review_changing_only_the_rating_is_told_it_does_not_count(client, reader, movie):
    ReviewFactory(movie=movie, user=reader, rating=3, status="rejected")
    client.force_login(reader)
    review = Review.objects.get()
    response = client.post(
        edit_url(movie),
        {"rating": "9", "headline": review.headline, "body": review.body},
        follow=True,
    )
    assert messages_of(response) == [
        "Saved, but your rating of 9/10 does not count: an editor did not publish this "
        "review. Change the text and it goes back to the editors. See your review."
    ]
    assert aggregate(movie)["count"] == 0


def test_rejected_review_emptied_to_a_rating_goes_back_to_the_editors(
    client, reader, editor, movie
):
    """The loophole: emptying a rejected review's text must not publish and count it.
    It returns to the editors' queue, rating not counted, until one approves it."""
    RatingFactory(movie=movie, rating=4)
    ReviewFactory(movie=movie, user=reader, rating=10, status="rejected")
    client.force_login(reader)
    response = client.post(
        edit_url(movie), {"rating": "10", "headline": "", "body": ""}, follow=True
    )
    assert messages_of(response) == [
        "Saved: your rating of 10/10 goes to the editors first and counts once one "
        "approves it. See your review."
    ]
    assert "Your rating is with the editors and will count once one approves it" in (
        response.content.decode()
    )
    review = Review.objects.get(user=reader)
    assert (review.status, review.rating_counted, review.body) == ("pending", False, "")
    assert aggregate(movie) == {"count": 1, "sum": 4, "histogram": {4: 1}, "mean": 4.0}
    services.reviews_moderate(reviews=[review], status="published", moderator=editor)
    assert aggregate(movie) == {"count": 2, "sum": 14, "histogram": {4: 1, 10: 1}, "mean": 7.0}


# Each standing in the words of the saved message, the verdict page and the review form.
STANDING_WORDS = {
    "rejected": (
        "Saved, but your rating of 8/10 does not count: an editor did not publish this review.",
        "An editor did not publish your review, so your rating is not counted",
        "An editor did not publish this review, so your rating does not count.",
    ),
    "withheld": (
        "Saved: your review is back with the editors. It appears, and your rating of 8/10 "
        "counts, once an editor approves it.",
        "Your review is waiting for an editor; it will appear, and your rating will count",
        "Your review is back with the editors. It appears, and your rating counts",
    ),
    "rating_withheld": (
        "Saved: your rating of 8/10 goes to the editors first",
        "Your rating is with the editors and will count once one approves it",
        "Your review is back with the editors. It appears, and your rating counts",
    ),
    "waiting": (
        "Saved: your rating of 8/10 counts now. Your written review is waiting",
        "your rating counts, and your review is waiting for an editor",
        "Your written review is waiting for an editor and appears once approved",
    ),
    "published": (
        "Saved: your rating of 8/10 counts and your review is published.",
        "</strong>; your review is published.",
        "Your rating counts, and a written review appears, as soon as you save.",
    ),
    "rating": (
        "Saved: your rating of 8/10 counts. See",
        "</strong>; your rating counts.",
        "Your rating counts, and a written review appears, as soon as you save.",
    ),
}


@pytest.mark.parametrize("standing", list(STANDING_WORDS))
def test_every_standing_is_told_the_same_way_on_every_page(client, movie, editor, standing):
    """Saving again without a change keeps the standing; the message, the film's page and
    the form each say what it means."""
    author = UserFactory(
        date_joined=timezone.now() - datetime.timedelta(hours=1 if standing == "waiting" else 999)
    )
    factory = RatingFactory if standing.startswith("rating") else ReviewFactory
    status = {"rejected": "rejected", "withheld": "pending", "rating_withheld": "pending"}
    review = factory(movie=movie, user=author, status=status.get(standing))
    assert review.standing == standing
    saved, section, form = STANDING_WORDS[standing]
    client.force_login(author)
    data = {"rating": "8", "headline": review.headline, "body": review.body}
    response = client.post(edit_url(movie), data, follow=True)
    assert Review.objects.get(pk=review.pk).standing == standing
    assert saved in " ".join(messages_of(response))
    assert section in response.content.decode()
    assert form in client.get(edit_url(movie)).content.decode()


# --- error summary on the review form ------------------------------------------------


def test_review_form_errors_are_summarised_at_the_top_with_links(client, reader, movie):
    client.force_login(reader)
    response = client.post(edit_url(movie), form_data(rating="", body="Too short."))
    html = response.content.decode()
    summary = html[html.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#id_rating_0">Your rating: This field is required.</a>' in summary
    assert '<a href="#id_body">Your review (optional): A written review needs at least' in summary
    assert html.index("error-summary") < html.index('name="rating"')  # at the top
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    assert 'id="id_body_error"' in html


def test_spam_limit_refusal_is_in_the_summary(client, reader, settings):
    settings.REVIEWS_PER_HOUR = 1
    RatingFactory(user=reader)
    client.force_login(reader)
    html = client.post(edit_url(MovieFactory()), form_data()).content.decode()
    summary = html[html.index('<div class="error-summary"') :]
    assert "<li>You have written or rewritten 1 reviews in the last hour" in summary


# --- spoilers, sorting, profile ----------------------------------------------------


def test_spoiler_summary_says_show_when_closed_and_hide_when_open(client, movie):
    ReviewFactory(movie=movie, contains_spoilers=True)
    html = client.get(reverse("reviews:list", args=[movie.slug])).content.decode()
    assert (
        '<summary><span class="when-closed">This review contains spoilers: show it</span>'
        '<span class="when-open">Hide the spoilers</span></summary>'
    ) in html


@pytest.mark.parametrize(("sort", "label"), [("", "Most helpful"), ("lowest", "Lowest rated")])
def test_sort_links_mark_the_active_sort_with_aria_current(client, movie, sort, label):
    html = _list(client, movie, sort=sort).content.decode()
    nav = html[html.index('<nav class="review-sorts"') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.count("aria-current") == 1
    assert re.search(rf'aria-current="true">{label}</a>', nav)
    assert nav.count("<a ") == 4


def test_profile_shows_its_owner_their_reviews_awaiting_approval(client, newcomer, editor):
    ReviewFactory(user=newcomer, headline="Still waiting", movie=MovieFactory(title="Ran"))
    ReviewFactory(user=newcomer, headline="Turned down", status="rejected")
    ReviewFactory(user=newcomer, headline="Out there", status="published")
    ReviewFactory(user=newcomer, headline="Draft film", movie=MovieFactory(status="draft"))
    url = reverse("accounts:profile", args=[newcomer.username])

    client.force_login(newcomer)
    html = client.get(url).content.decode()
    assert "1 review awaiting approval; 1 not published by an editor." in html
    assert "“Still waiting”" in html and "“Turned down”" in html
    assert "Awaiting approval (your rating counts)" in html
    assert "<strong>Not published by an editor</strong>" in html
    assert "Draft film" not in html

    staff = Client()
    staff.force_login(editor)
    for other in (Client(), staff):
        html = other.get(url).content.decode()
        assert "awaiting approval" not in html
        assert "Still waiting" not in html and "Turned down" not in html
        assert "Out there" in html


@pytest.mark.parametrize("n", [2, 40])
def test_own_profile_query_budget_holds_as_unpublished_reviews_grow(
    client, newcomer, n, django_assert_max_num_queries
):
    """Guards against N+1: the owner's reviews awaiting approval come in one query with
    their films."""
    for _ in range(n):
        ReviewFactory(user=newcomer)
    client.force_login(newcomer)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("accounts:profile", args=[newcomer.username]))
    assert f"{n} reviews awaiting approval" in response.content.decode()


def test_review_permalink_heading_follows_the_pages_h1(client, movie):
    """The review's title is the page's second level (axe's heading-order), not an h3."""
    review = ReviewFactory(movie=movie, headline="On its own")
    html = client.get(review.get_absolute_url()).content.decode()
    assert re.search(r'<h2 class="review__title"[^>]*>On its own</h2>', html)
