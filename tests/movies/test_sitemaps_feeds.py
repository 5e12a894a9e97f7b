"""Sitemaps, robots.txt and the verdict feeds: only public films, valid documents."""

import datetime
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from movies.models import Credit, Movie
from movies.sitemaps import MovieSitemap, PersonSitemap
from tests.factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Émigré "Quotes" & <b>bold</b> </script><!-- 🎬 فيلم'


def _draft(**kwargs):
    return MovieFactory(status=Movie.Status.DRAFT, published_at=None, **kwargs)


def _scheduled(**kwargs):
    return MovieFactory(published_at=timezone.now() + datetime.timedelta(days=3), **kwargs)


def _locs(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    return {url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod") for url in root.iter(f"{SM}url")}


def _section_urls(client, section):
    """Every <loc> of every page of a sitemap section, following the index."""
    root = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [
        loc.text.removeprefix("http://testserver")
        for loc in root.iter(f"{SM}loc")
        if f"/sitemap-{section}.xml" in loc.text
    ]
    found = {}
    for page in pages:
        found.update(_locs(client, page))
    return found


# --- sitemap ---------------------------------------------------------------------


def test_sitemap_index_names_the_three_sections_with_absolute_urls(client):
    MovieFactory(genres=[GenreFactory()])
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SM}sitemapindex"
    locs = [loc.text for loc in root.iter(f"{SM}loc")]
    assert locs == [
        "http://testserver/sitemap-films.xml",
        "http://testserver/sitemap-people.xml",
        "http://testserver/sitemap-genres.xml",
    ]


def test_films_sitemap_lists_exactly_the_public_films(client):
    public = [MovieFactory(), MovieFactory(title="Second")]
    _draft(title="Draft film")
    _scheduled(title="Scheduled film")

    found = _section_urls(client, "films")

    assert set(found) == {f"http://testserver{m.get_absolute_url()}" for m in public}
    for movie in public:
        movie.refresh_from_db()
        lastmod = found[f"http://testserver{movie.get_absolute_url()}"]
        assert lastmod == movie.updated_at.date().isoformat()


def test_films_sitemap_paginates_and_the_index_lists_every_page(client, monkeypatch):
    monkeypatch.setattr(MovieSitemap, "limit", 2)
    films = [MovieFactory() for _ in range(5)]
    _draft()

    index = ET.fromstring(client.get("/sitemap.xml").content)
    film_pages = [loc.text for loc in index.iter(f"{SM}loc") if "sitemap-films" in loc.text]
    assert film_pages == [
        "http://testserver/sitemap-films.xml",
        "http://testserver/sitemap-films.xml?p=2",
        "http://testserver/sitemap-films.xml?p=3",
    ]
    assert set(_section_urls(client, "films")) == {
        f"http://testserver{m.get_absolute_url()}" for m in films
    }
    assert client.get("/sitemap-films.xml?p=4").status_code == 404


def test_a_person_or_genre_known_only_through_unpublished_films_is_left_out(client):
    shown, hidden = PersonFactory(name="Shown Person"), PersonFactory(name="Hidden Person")
    drama, secret = GenreFactory(name="Drama"), GenreFactory(name="Secret genre")
    public = MovieFactory(genres=[drama])
    CreditFactory(movie=public, person=shown)
    CreditFactory(movie=_draft(genres=[secret]), person=hidden)
    CreditFactory(movie=_scheduled(genres=[secret]), person=hidden)

    assert set(_section_urls(client, "people")) == {f"http://testserver/people/{shown.slug}/"}
    assert set(_section_urls(client, "genres")) == {f"http://testserver/genres/{drama.slug}/"}


def test_people_pages_read_only_the_people_table_and_give_no_lastmod(
    client, django_assert_max_num_queries
):
    """A page of people costs the same whatever their credits: who is in the section is
    kept in the cache with the page starts, and the page reads its id range of people
    only. No lastmod: it has no source that is both honest and cheap (PersonSitemap)."""
    for _ in range(3):
        CreditFactory(movie=MovieFactory())
    client.get("/sitemap-people.xml")  # the section's ids into the cache

    with CaptureQueriesContext(connection) as queries:
        lastmods = _locs(client, "/sitemap-people.xml")

    assert len(lastmods) == 3 and set(lastmods.values()) == {None}
    (listing,) = [q["sql"] for q in queries]
    assert "movies_credit" not in listing and "movies_movie" not in listing, listing


def test_a_person_joins_the_section_when_their_film_is_published(client):
    person = PersonFactory()
    draft = _draft()
    CreditFactory(movie=draft, person=person)
    assert f"http://testserver{person.get_absolute_url()}" not in _section_urls(client, "people")

    from movies.selectors import forget_filter_options

    Movie.objects.filter(pk=draft.pk).update(
        status=Movie.Status.PUBLISHED, published_at=timezone.now()
    )
    forget_filter_options()  # what a film's save through the services does

    assert f"http://testserver{person.get_absolute_url()}" in _section_urls(client, "people")


def test_a_person_with_several_public_credits_is_listed_once_and_pages_count_people(
    client, monkeypatch
):
    monkeypatch.setattr(PersonSitemap, "limit", 2)
    people = [PersonFactory() for _ in range(3)]
    films = [MovieFactory() for _ in range(3)]
    for film in films:  # every person on every film, one of them in two roles
        for person in people:
            CreditFactory(movie=film, person=person)
    CreditFactory(movie=films[0], person=people[0], role=Credit.Role.DIRECTOR)

    index = ET.fromstring(client.get("/sitemap.xml").content)
    people_pages = [loc.text for loc in index.iter(f"{SM}loc") if "sitemap-people" in loc.text]
    found = _section_urls(client, "people")

    assert people_pages == [
        "http://testserver/sitemap-people.xml",
        "http://testserver/sitemap-people.xml?p=2",
    ]
    assert set(found) == {f"http://testserver{p.get_absolute_url()}" for p in people}
    assert len(found) == 3


def test_genre_lastmod_is_its_latest_public_film_and_not_a_draft(client):
    """One small subquery per genre (a few dozen of them), not a join over every film."""
    drama = GenreFactory()
    old = MovieFactory(genres=[drama])
    Movie.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    _draft(genres=[drama])  # updated just now, must not count
    old.refresh_from_db()

    lastmods = _section_urls(client, "genres")

    assert lastmods[f"http://testserver{drama.get_absolute_url()}"] == (
        old.updated_at.date().isoformat()
    )


def test_a_hostile_title_reaches_the_sitemap_only_as_a_safe_slug(client):
    """A sitemap lists addresses, never titles: the title's markup, quotes and scripts
    stop at the slug, and the section still parses as XML (_section_urls parses it)."""
    movie = MovieFactory(title=HOSTILE)

    found = _section_urls(client, "films")

    assert f"http://testserver{movie.get_absolute_url()}" in found
    assert re.fullmatch(r"[a-z0-9-]+", movie.slug), movie.slug


@pytest.mark.parametrize("section", ["films", "people", "genres"])
def test_sitemap_queries_do_not_grow_with_the_catalogue(
    client, django_assert_max_num_queries, section
):
    """Guards against N+1: a page of any section costs the same few queries for 3 or 40 films."""
    genre = GenreFactory()
    for count in (3, 40):
        for _ in range(count):
            CreditFactory(movie=MovieFactory(genres=[genre]))
        with django_assert_max_num_queries(4):
            assert client.get(f"/sitemap-{section}.xml").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get("/sitemap.xml").status_code == 200


# --- robots.txt ------------------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for path in ("/admin/", "/accounts/", "/search/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines


# --- feeds -----------------------------------------------------------------------


def _rss(client):
    response = client.get("/feeds/verdicts/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content)


def _atom(client):
    response = client.get("/feeds/verdicts/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_rss_feed_is_valid_rss_2_and_lists_only_public_films(client):
    drama = GenreFactory(name="Drama")
    public = MovieFactory(
        title="One Second",
        budget=10_000_000,
        worldwide_gross=30_000_000,
        genres=[drama],
        external_rating="7.6",
        external_rating_source="IMDb",
        external_rating_votes=1000,
    )
    _draft(title="Draft film")
    _scheduled(title="Scheduled film")

    root = _rss(client)

    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Is One Second (2020) worth watching? Yes"
    ]
    item = items[0]
    assert item.findtext("link") == f"http://testserver{public.get_absolute_url()}"
    assert item.findtext("guid") == item.findtext("link")
    assert item.findtext("pubDate")
    assert [c.text for c in item.findall("category")] == ["Drama"]
    description = item.findtext("description")
    assert "Yes, if you enjoy drama." in description
    assert "Trade verdict: <strong>Hit</strong>: Grossed 3.0x its $10M budget" in (
        html.unescape(description)
    )


def test_atom_feed_has_the_required_elements_and_only_public_films(client):
    public = MovieFactory(title="One Second")
    _draft(title="Draft film")
    _scheduled(title="Scheduled film")

    root = _atom(client)

    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}"), required
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/feeds/verdicts/atom/"
    # RFC 4287 §4.1.1: the feed (or every entry) names an author.
    author = root.find(f"{ATOM}author")
    assert author is not None
    assert author.findtext(f"{ATOM}name") == "Worth Watching"
    assert author.findtext(f"{ATOM}uri") == "http://testserver/"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    for required in ("id", "title", "updated"):
        assert entry.findtext(f"{ATOM}{required}"), required
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver{public.get_absolute_url()}"
    )
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "Too early to say" in summary.text
    assert "No trade verdict" in summary.text


def test_feed_puts_the_latest_published_or_updated_verdict_first(client):
    now = timezone.now()
    old = MovieFactory(title="Old", published_at=now - datetime.timedelta(days=20))
    fresh = MovieFactory(title="Fresh", published_at=now - datetime.timedelta(days=2))
    updated = MovieFactory(title="Updated", published_at=now - datetime.timedelta(days=40))
    Movie.objects.filter(pk__in=[old.pk, fresh.pk]).update(
        updated_at=now - datetime.timedelta(days=50)
    )
    Movie.objects.filter(pk=updated.pk).update(updated_at=now - datetime.timedelta(hours=1))

    titles = [item.findtext("title") for item in _rss(client).iter("item")]

    assert [t.split(" (")[0].removeprefix("Is ") for t in titles] == ["Updated", "Fresh", "Old"]


@pytest.mark.parametrize("parse", [_rss, _atom])
def test_hostile_text_survives_the_feeds_as_text(client, parse):
    MovieFactory(title=HOSTILE, logline=HOSTILE)

    root = parse(client)

    titles = [el.text for el in root.iter() if el.tag in ("title", f"{ATOM}title")]
    assert f"Is {HOSTILE} (2020) worth watching? Too early to say" in titles
    body = next(
        el.text
        for el in root.iter()
        if el.tag in ("description", f"{ATOM}summary") and el.text and "Too early" in el.text
    )
    # The description is HTML: the hostile text is escaped inside it, never markup.
    assert "<b>bold</b>" not in body and "</script>" not in body
    assert html.escape(HOSTILE, quote=False) in body.replace("&quot;", '"').replace("&#x27;", "'")


def test_feed_queries_do_not_grow_with_the_catalogue(client, django_assert_max_num_queries):
    """Guards against N+1: the feed costs the same few queries for 3 or 40 films."""
    genre = GenreFactory()
    client.get("/feeds/verdicts/")  # warms the shared cache's verdict ladder
    for count in (3, 40):
        for _ in range(count):
            MovieFactory(genres=[genre, GenreFactory()])
        with django_assert_max_num_queries(3):
            assert client.get("/feeds/verdicts/").status_code == 200


def test_sitemap_addresses_are_the_pages_own_addresses(client):
    """The sections build addresses by string (no reverse() per row): the same as
    get_absolute_url, for films and people."""
    credit = CreditFactory(movie=MovieFactory())
    films = _section_urls(client, "films")
    people = _section_urls(client, "people")
    assert f"http://testserver{credit.movie.get_absolute_url()}" in films
    assert f"http://testserver{credit.person.get_absolute_url()}" in people


def test_sitemap_pages_are_id_ranges_kept_in_the_cache(
    client, monkeypatch, django_assert_max_num_queries
):
    """Each page reads its own id range: a film added after the pages were computed
    joins once a film is saved through the services (the cache is forgotten)."""
    monkeypatch.setattr(MovieSitemap, "limit", 2)
    films = [MovieFactory() for _ in range(5)]
    assert set(_section_urls(client, "films")) == {
        f"http://testserver{m.get_absolute_url()}" for m in films
    }
    with django_assert_max_num_queries(2):  # the page, the index's lastmod: no count
        assert client.get("/sitemap-films.xml?p=3").status_code == 200
    assert client.get("/sitemap-films.xml?p=4").status_code == 404
    assert client.get("/sitemap-films.xml?p=x").status_code == 404
    from movies.selectors import forget_filter_options

    late = MovieFactory()
    forget_filter_options()
    assert f"http://testserver{late.get_absolute_url()}" in _section_urls(client, "films")
