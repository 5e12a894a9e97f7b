"""The verdict page's parts cached on their own (movies/fragments.py): a page the page
cache cannot serve (a signed-in reader, a miss after a write) is put together from the
parts that did not change; every part follows the writes that change what it shows; a
reader's own review and buttons are never shared; staff previews never read or store one.
"""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lists.models import ListEntry
from movies import services
from movies.models import Credit, Movie
from reviews import services as review_services
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    MovieFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

COLD = {"X-Page-Cache": "cold"}
RENDER = {"X-Page-Cache": "bypass"}


@pytest.fixture
def bypass(page_cache, settings):
    settings.PAGE_CACHE_ALLOW_BYPASS = True


def queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


@pytest.mark.usefixtures("bypass")
def test_a_page_from_cached_parts_is_the_page_rendered_whole(client, one_second):
    ReviewFactory(movie=one_second, headline="A quiet marvel", rating=9)
    url = one_second.get_absolute_url()
    whole, cold_queries = queries(client, url, headers=COLD)
    first, _ = queries(client, url, headers=RENDER)  # renders the parts and stores them
    again, warm_queries = queries(client, url, headers=RENDER)
    assert first.content == whole.content == again.content
    assert b"A quiet marvel" in again.content and b"Zhang Yimou" in again.content
    # The film alone: its genres, credits, offers, grosses, advisories, reviews and
    # shelves, and the ladder, are read only by parts that render.
    assert warm_queries == 1 < cold_queries


@pytest.mark.usefixtures("bypass")
def test_a_page_from_cached_parts_costs_the_same_queries_for_a_big_film(client, one_second):
    url = one_second.get_absolute_url()
    client.get(url, headers=RENDER)
    _, small = queries(client, url, headers=RENDER)
    for n in range(30):
        CreditFactory(movie=one_second, person=PersonFactory(), role=Credit.Role.CAST)
        ReviewFactory(movie=one_second, headline=f"Review {n}")
    AvailabilityFactory.create_batch(5, movie=one_second)
    cache.clear()
    client.get(url, headers=RENDER)
    _, big = queries(client, url, headers=RENDER)
    assert big == small


def test_the_cold_header_needs_the_bypass_setting(client, one_second):
    """Without PAGE_CACHE_ALLOW_BYPASS (production), the header changes nothing."""
    url = one_second.get_absolute_url()
    client.get(url)
    assert client.get(url, headers=COLD)["X-Page-Cache"] == "hit"


def test_a_signed_in_reader_gets_shared_parts_and_their_own_review(client, one_second):
    reader = UserFactory(username="ada")
    ReviewFactory(movie=one_second, user=reader, rating=9, headline="My own take")
    ReviewFactory(movie=one_second, rating=4, headline="Someone else's view")
    zhang = Credit.objects.get(movie=one_second, role=Credit.Role.DIRECTOR).person
    hero = MovieFactory(title="Hero")  # on the "More from Zhang Yimou" shelf
    CreditFactory(movie=hero, person=zhang, role=Credit.Role.DIRECTOR)
    url = one_second.get_absolute_url()
    anonymous = client.get(url).content.decode()
    assert "You rated it" not in anonymous
    client.force_login(reader)
    _, first = queries(client, url)
    page, again = queries(client, url)
    text = page.content.decode()
    assert "You rated it <strong>9/10</strong>" in text
    assert 'Add to watchlist<span class="visually-hidden">: Hero' in text  # on the shelf
    assert "Zhang Yimou" in text and "Someone else&#x27;s view" in text
    assert again <= first
    client.logout()
    # What the reader's render stored is nobody else's: a page not cached yet (another
    # address of it) put together from the parts.
    response = client.get(url + "?from=elsewhere")
    assert response["X-Page-Cache"] == "miss"
    assert b"You rated it" not in response.content
    assert b"More from Zhang Yimou" in response.content
    assert b"Add to watchlist" not in response.content


def test_a_reader_sees_each_write_in_the_part_that_shows_it(client, one_second, commit):
    """Signed-in readers never get a cached page, so only the parts' keys keep them
    current: each write below must show at once."""
    reader = UserFactory(username="bea")
    client.force_login(reader)
    url = one_second.get_absolute_url()
    assert "104 minutes" in client.get(url).content.decode()

    one_second.runtime_minutes = 111
    commit(services.movie_save, movie=one_second)
    assert "111 minutes" in client.get(url).content.decode()  # the facts

    zhang = Credit.objects.get(movie=one_second, role=Credit.Role.DIRECTOR).person
    zhang.name = "Zhang Yimou (renamed)"
    commit(services.person_save, person=zhang)
    assert "Zhang Yimou (renamed)" in client.get(url).content.decode()  # facts, shelves

    commit(ReviewFactory, movie=one_second, rating=2, headline="Not for me at all")
    text = client.get(url).content.decode()
    assert "Not for me at all" in text  # the reviews
    assert "from 1 rating" in text  # the rating summary

    other = UserFactory()
    commit(ReviewFactory, movie=one_second, user=other, rating=10, headline="Loved it")
    assert "from 2 ratings" in client.get(url).content.decode()
    review = one_second.reviews.get(headline="Loved it")
    commit(review_services.review_delete, review=review, user=other)
    assert "from 1 rating" in client.get(url).content.decode()


def test_a_staff_draft_preview_never_reads_or_stores_parts(drafted_client, one_second):
    client, preview = drafted_client
    url = one_second.get_absolute_url()
    live = client.get(url).content.decode()  # stores the live parts
    assert "A drafted synopsis." not in live
    drafted = client.get(preview).content.decode()
    assert "A drafted synopsis." in drafted
    client.logout()
    assert "A drafted synopsis." not in client.get(url).content.decode()


@pytest.fixture
def drafted_client(editor_client, one_second):
    page = editor_client.get(reverse("admin:movies_movie_change", args=[one_second.pk]))
    from tests.movies.browser_form import form_data

    data = form_data(page, "movie_form", synopsis="A drafted synopsis.")
    data["_savedraft"] = "Save as draft"
    response = editor_client.post(reverse("admin:movies_movie_change", args=[one_second.pk]), data)
    assert response.status_code == 302
    return editor_client, f"{one_second.get_absolute_url()}?preview=draft"


def test_parts_are_rendered_when_the_cache_does_not_answer(client, one_second, monkeypatch):
    from movies import fragments

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    client.force_login(UserFactory())
    monkeypatch.setattr(fragments, "cache", Down())
    response = client.get(one_second.get_absolute_url())
    assert response.status_code == 200
    assert b"Zhang Yimou" in response.content and b"Where to watch" in response.content


def test_each_country_gets_its_own_where_to_watch(client, one_second):
    client.force_login(UserFactory())
    url = one_second.get_absolute_url()
    us = client.get(url + "?country=US").content.decode()
    gb = client.get(url + "?country=GB").content.decode()
    assert "Where to watch in United States" in us and "Where to watch in United Kingdom" in gb
    assert us.count("selected>United States") == 1
    assert gb.count("selected>United Kingdom") == 1


def test_the_json_ld_is_the_same_for_every_reader(client, one_second):
    """Structured data is for search engines, who come anonymous: one version, shared."""
    reader = UserFactory(username="cy")
    ReviewFactory(movie=one_second, user=reader, rating=8, headline="Cy's review")
    url = one_second.get_absolute_url()

    def json_ld(response):
        text = response.content.decode()
        return text[text.index('<script type="application/ld+json">') :].split("</script>")[0]

    anonymous = json_ld(client.get(url))
    assert "Cy&#x27;s review" in anonymous or "Cy's review" in anonymous
    client.force_login(reader)
    assert json_ld(client.get(url)) == anonymous
    assert json_ld(client.get(url + "?from=elsewhere")) == anonymous


PART_ONLY_TABLES = ("movies_availability", "movies_regionalgross", "movies_contentadvisory")


def test_a_films_save_leaves_the_other_films_parts_cached(client, one_second, commit):
    """A film's save moves every page on (its card is on the lists), but another film's
    page is then put together from its parts: only its shelves (other films) render."""
    other = MovieFactory(title="Hero")
    first = client.get(other.get_absolute_url()).content
    one_second.logline = "Saved by an editor."
    commit(services.movie_save, movie=one_second)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(other.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and page.content == first
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert not any(table in read for table in PART_ONLY_TABLES)
    assert "reviews_review" not in read


def test_a_genre_renamed_in_the_admin_shows_on_every_films_parts(
    client, editor, one_second, django_capture_on_commit_callbacks
):
    """A genre is a shared row: its rename moves every film's parts on."""
    url = one_second.get_absolute_url()
    client.force_login(UserFactory())  # a signed-in reader: never a cached page
    assert "History" in client.get(url).content.decode()
    genre = one_second.genres.get(name="History")
    admin = Client()
    admin.force_login(editor)
    change = reverse("admin:movies_genre_change", args=[genre.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(change, {"name": "Chronicle", "slug": genre.slug})
    assert response.status_code == 302
    text = client.get(url).content.decode()
    assert "Chronicle" in text and ">History<" not in text


def test_a_person_deleted_in_the_admin_leaves_the_films_pages(
    client, editor, one_second, django_capture_on_commit_callbacks
):
    """Found beside the parts: deleting a person (and so their credits) moved no page
    on, so their name stayed on their films' cached pages for up to ten minutes."""
    url = one_second.get_absolute_url()
    assert "Fan Wei" in client.get(url).content.decode()  # stored for anonymous readers
    fan_wei = Credit.objects.get(movie=one_second, person__name="Fan Wei").person
    admin = Client()
    admin.force_login(editor)
    delete = reverse("admin:movies_person_delete", args=[fan_wei.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert "Fan Wei" not in client.get(url).content.decode()
    one_second.refresh_from_db()
    assert "fan wei" not in one_second.search_document.lower()


def without_tokens(html):
    """A page's bytes without its CSRF tokens (masked afresh on every render)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


@pytest.mark.usefixtures("bypass")
def test_a_signed_in_readers_page_from_parts_is_theirs(client, one_second):
    """The shelves are one part for every reader, with each reader's watchlist buttons
    filled into it: the page is the one rendered whole for them, their marks included."""
    zhang = Credit.objects.get(movie=one_second, role=Credit.Role.DIRECTOR).person
    hero = MovieFactory(title="Hero")
    CreditFactory(movie=hero, person=zhang, role=Credit.Role.DIRECTOR)
    url = one_second.get_absolute_url()
    client.get(url)  # an anonymous visit stores the shared shelves
    reader = UserFactory(username="dee")
    ListEntry.objects.create(user=reader, movie=hero, kind=ListEntry.Kind.WATCHLIST)
    client.force_login(reader)
    cold = client.get(url, headers=COLD).content
    with CaptureQueriesContext(connection) as ctx:
        parts = client.get(url).content
    assert without_tokens(parts) == without_tokens(cold)
    assert b'On your watchlist<span class="visually-hidden">: remove Hero' in parts
    assert b"ww-hole" not in parts
    shelf_reads = [q for q in ctx.captured_queries if "movies_similarfilm" in q["sql"]]
    assert not shelf_reads  # the shelves came from the cache
    client.logout()
    anonymous = client.get(url + "?from=elsewhere").content
    assert b"On your watchlist" not in anonymous and b"ww-hole" not in anonymous


def test_shelves_first_rendered_for_a_signed_in_reader_hold_nothing_of_theirs(client, one_second):
    zhang = Credit.objects.get(movie=one_second, role=Credit.Role.DIRECTOR).person
    hero = MovieFactory(title="Hero")
    CreditFactory(movie=hero, person=zhang, role=Credit.Role.DIRECTOR)
    reader = UserFactory(username="eve")
    ListEntry.objects.create(user=reader, movie=hero, kind=ListEntry.Kind.SEEN)
    url = one_second.get_absolute_url()
    client.force_login(reader)
    mine = client.get(url).content  # renders and stores the shared shelves
    assert b'Seen<span class="visually-hidden">: unmark Hero' in mine
    client.logout()
    other = UserFactory(username="fay")
    client.force_login(other)
    theirs = client.get(url).content
    assert b"More from Zhang Yimou" in theirs
    assert b'Add to watchlist<span class="visually-hidden">: Hero' in theirs
    assert b"unmark Hero" not in theirs
    client.logout()
    anonymous = client.get(url).content
    assert b"More from Zhang Yimou" in anonymous and b"csrfmiddlewaretoken" not in anonymous


def test_the_hourly_score_refresh_moves_only_the_parts_showing_the_score(
    client, one_second, commit
):
    """refresh_scores runs every hour: it must not make every film's facts, cast, box
    office and offers render again, only what shows the film's score."""
    url = one_second.get_absolute_url()
    assert "7.3/10" in client.get(url).content.decode()  # the outside rating alone
    # As an import of outside ratings writes them (no save, no updated_at).
    Movie.objects.filter(pk=one_second.pk).update(
        external_rating=Decimal("8.9"), outside_rating=Decimal("8.9")
    )
    commit(services.scores_refresh)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    text = page.content.decode()
    assert "Score <strong>8.9/10</strong>" in text  # the hero, rendered every time
    assert "The score, 8.9/10" in text  # the rating part, moved on
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert not any(table in read for table in PART_ONLY_TABLES)


def test_a_page_stores_the_parts_it_rendered_in_one_write(client, one_second, monkeypatch):
    """One round trip to Redis, one transaction on the database cache, not one a part."""
    from movies import fragments

    writes = []
    real = fragments.cache

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def set(self, *args, **kwargs):
            writes.append("set")
            return real.set(*args, **kwargs)

        def set_many(self, data, *args, **kwargs):
            writes.append(len(data))
            return real.set_many(data, *args, **kwargs)

    monkeypatch.setattr(fragments, "cache", Spy())
    client.force_login(UserFactory())
    client.get(one_second.get_absolute_url())
    assert len(writes) == 1 and writes[0] >= 8  # every part but the reader's reviews
    client.get(one_second.get_absolute_url())
    assert len(writes) == 1  # nothing new to store


# --- Found by a review of the parts (each failed before its fix) -----------------------


@pytest.mark.usefixtures("bypass")
def test_a_visitors_query_string_stays_out_of_the_shared_reviews(client, one_second):
    """The reviews' "Log in to vote or report" link came back to the page's full
    address: the first visitor's query string (a tracking token) went into the part
    every visitor then got."""
    ReviewFactory(movie=one_second, headline="Fine film")
    url = one_second.get_absolute_url()
    client.get(url + "?utm_campaign=SECRET-TOKEN-123")
    page = client.get(url + "?x=1")
    assert page["X-Page-Cache"] == "miss"
    assert b"SECRET-TOKEN-123" not in page.content
    assert page.content == client.get(url + "?x=1", headers=COLD).content


def test_an_editor_renamed_shows_on_the_assessments_they_signed(client, one_second, editor, commit):
    editor.first_name, editor.last_name = "Old", "Name"
    editor.save()
    one_second.assessment_by = editor
    commit(services.movie_save, movie=one_second)
    client.force_login(UserFactory(username="reader1"))
    url = one_second.get_absolute_url()
    assert "Old Name" in client.get(url).content.decode()
    editor.first_name = "New"
    commit(editor.save)
    assert "New Name" in client.get(url).content.decode()


def test_a_closed_or_renamed_reviewer_leaves_every_page_at_once(client, one_second, commit):
    reviewer = UserFactory(username="realname-jane")
    ReviewFactory(movie=one_second, user=reviewer, headline="Bye")
    url = one_second.get_absolute_url()
    assert b"/users/realname-jane/" in client.get(url).content
    reviewer.username = "anon-42"
    commit(reviewer.save)
    assert b"realname-jane" not in client.get(url).content  # page and JSON-LD
    reviewer.is_active = False
    commit(reviewer.save)
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert b"anon-42 (account closed)" in page.content
    reviews = client.get(reverse("reviews:list", args=[one_second.slug])).content
    assert b"anon-42 (account closed)" in reviews


def test_a_sign_in_moves_no_page(client, one_second):
    """Signing in saves the account's last_login: no page moves for it."""
    from django.contrib.auth.models import update_last_login

    reader = UserFactory(username="gil")
    ReviewFactory(movie=one_second, user=reader, headline="Mine")
    url = one_second.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        update_last_login(None, reader)  # what a sign-in does (user_logged_in)
    assert len(ctx.captured_queries) == 1  # the UPDATE alone: no look-up for the pages
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_filling_leaves_a_marker_that_is_not_one_of_the_parts_holes():
    """Only the part's own holes are filled: text that looks like a marker but names no
    hole of the part (it could only come from our own markup) stays as it was."""
    from movies import fragments

    fragments.register_hole("probe", lambda request, payload: f"<b>{payload}</b>")
    holes = fragments.Holes()
    html = f"a{holes.add('probe', 'x')}b<!--ww-hole:7-->c"
    assert fragments.fill(None, html, holes.items) == "a<b>x</b>b<!--ww-hole:7-->c"
