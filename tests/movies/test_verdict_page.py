import datetime
import re

import pytest
from django.utils import timezone

from movies.models import Credit, Movie
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    RegionalGrossFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's visible text, whitespace collapsed, tags dropped."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ([,.;:])", r"\1", text)


def test_one_second_lives_at_title_and_year_slug(one_second):
    assert one_second.slug == "one-second-2020"
    assert one_second.get_absolute_url() == "/movies/one-second-2020/"


def test_verdict_page_has_every_section_with_the_seed_facts(client, one_second):
    response = client.get(one_second.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Is One Second worth watching?" in text
    assert "Yes, if you enjoy Drama." in text
    # 10.8M / 1.3M = 8.3x: the default ladder says Blockbuster (6x and up), never a Flop.
    assert "Trade verdict: Blockbuster" in text
    assert "Grossed 8.3x its $1.3M budget; break-even is about 2.5x." in text
    assert "104 minutes" in text
    assert "Drama, History" in text
    assert "PG-13" in text
    assert "IMDb: 7.3/10 from 8,500 votes" in text
    assert "Liu Haocun as Liu" in text and "Zhang Yi as Zhang Jiusheng" in text
    assert "Fan Wei as Mr. Movie" in text
    assert "Zhang Yimou" in text
    for heading in [
        "Key facts",
        "Rating",
        "Cast and crew",
        "Plot",
        "Ending explained",
        "Historical accuracy",
        "Dramatized",
        "Performances",
        "Our assessment",
        "Worth watching if you…",
        "Box office",
        "Where to watch in United States",
        "Reader reviews",
        "Last updated",
    ]:
        assert heading in text, heading
    assert "love films about cinema" in text
    assert "$10.8M" in text and "China" in text
    for provider in ["Apple TV", "Google Play Movies", "Amazon Prime Video"]:
        assert provider in text


def test_sections_appear_in_the_page_order(client, one_second):
    text = text_of(client.get(one_second.get_absolute_url()))
    order = [
        "Is One Second worth watching?",
        "Yes, if you enjoy Drama.",
        "Trade verdict:",
        "Key facts",
        "Our readers",
        "Cast and crew",
        "Plot summary",
        "Ending explained",
        "Historical accuracy",
        "Performances",
        "Our assessment",
        "Worth watching if you…",
        "Production budget",
        "Where to watch",
        "Reader reviews",
        "Last updated",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_ending_is_behind_a_spoiler_disclosure(client, one_second):
    html = client.get(one_second.get_absolute_url()).content.decode()
    details = re.search(r"<details class=\"spoiler\">(.*?)</details>", html, re.S).group(1)
    assert "Spoiler warning: show how it ends" in details.split("</summary>")[0]
    assert "the frame of his daughter is lost again" in details
    assert html.count("the frame of his daughter is lost again") == 1


def test_page_has_no_filler_or_repeated_paragraphs(client, one_second):
    html = client.get(one_second.get_absolute_url()).content.decode()
    assert "multi-source verification" not in html
    paragraphs = [p.strip() for p in re.findall(r"<p[^>]*>(.*?)</p>", html, re.S) if p.strip()]
    repeated = {p for p in paragraphs if paragraphs.count(p) > 1}
    assert not repeated


def test_empty_editorial_sections_are_left_out(client):
    movie = MovieFactory(title="Bare", watch_if="", ending_breakdown="", historical_accuracy="")
    text = text_of(client.get(movie.get_absolute_url()))
    assert "Worth watching if you" not in text
    assert "Ending explained" not in text
    assert "Historical accuracy" not in text


def test_film_without_budget_says_why_it_has_no_trade_verdict(client):
    movie = MovieFactory(title="No Budget", budget=None, worldwide_gross=5_000_000)
    text = text_of(client.get(movie.get_absolute_url()))
    assert "No trade verdict: the production budget is not known." in text


def test_film_without_ratings_says_it_is_too_early(client):
    movie = MovieFactory(title="Unrated")
    text = text_of(client.get(movie.get_absolute_url()))
    assert "Too early to say" in text


def test_editors_override_is_shown_with_reason(client, one_second):
    one_second.answer_override = Movie.Answer.MAYBE
    one_second.override_reason = "The pacing sags in the middle act."
    one_second.save()
    text = text_of(client.get(one_second.get_absolute_url()))
    assert "Maybe" in text
    assert "The editors' call (answer): The pacing sags in the middle act." in text


def test_unknown_slug_is_404_in_the_site_look(client):
    response = client.get("/movies/no-such-film-1999/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


class TestVisibility:
    def test_draft_is_404_for_the_public(self, client):
        movie = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
        assert client.get(movie.get_absolute_url()).status_code == 404

    def test_scheduled_film_is_404_until_its_time(self, client):
        movie = MovieFactory(published_at=timezone.now() + datetime.timedelta(days=2))
        assert client.get(movie.get_absolute_url()).status_code == 404
        Movie.objects.filter(pk=movie.pk).update(
            published_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        assert client.get(movie.get_absolute_url()).status_code == 200

    def test_staff_preview_draft_with_banner(self, client):
        movie = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
        client.force_login(UserFactory(is_staff=True))
        response = client.get(movie.get_absolute_url())
        assert response.status_code == 200
        assert "Draft preview" in text_of(response)
        assert '<meta name="robots" content="noindex">' in response.content.decode()

    def test_public_page_has_no_preview_banner(self, client, one_second):
        assert "Draft preview" not in text_of(client.get(one_second.get_absolute_url()))

    def test_non_staff_user_cannot_preview(self, client):
        movie = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
        client.force_login(UserFactory())
        assert client.get(movie.get_absolute_url()).status_code == 404


class TestWhereToWatch:
    def test_country_comes_from_accept_language(self, client, one_second):
        response = client.get(one_second.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
        text = text_of(response)
        assert "Where to watch in United Kingdom" in text
        assert "Buy" in text
        assert "Google Play Movies" not in text.split("Where to watch")[1].split("Show offers")[0]

    def test_picker_overrides_the_browser_without_javascript(self, client, one_second):
        url = one_second.get_absolute_url() + "?country=gb"
        text = text_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en-US"))
        assert "Where to watch in United Kingdom" in text

    def test_default_country_when_browser_names_none(self, client, one_second, settings):
        settings.DEFAULT_COUNTRY = "US"
        text = text_of(client.get(one_second.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
        assert "Where to watch in United States" in text
        assert "Offers last checked" in text

    def test_unknown_country_falls_back_and_says_when_nothing_is_offered(self, client, one_second):
        response = client.get(
            one_second.get_absolute_url() + "?country=ZZ", HTTP_ACCEPT_LANGUAGE="fr-FR"
        )
        assert response.status_code == 200
        assert "We know of no streaming, rental or purchase offers in France" in text_of(response)


def _film_with(n_cast, n_extra):
    genres = [GenreFactory() for _ in range(n_extra)]
    movie = MovieFactory(genres=genres, budget=1_000_000, worldwide_gross=3_000_000)
    for _ in range(n_cast):
        CreditFactory(movie=movie)
    CreditFactory(movie=movie, role=Credit.Role.DIRECTOR, billing_order=None)
    for _ in range(n_extra):
        AvailabilityFactory(movie=movie)
        RegionalGrossFactory(movie=movie)
    return movie


@pytest.mark.parametrize("n_cast,n_extra", [(2, 1), (40, 12)])
def test_verdict_page_query_budget(client, django_assert_max_num_queries, n_cast, n_extra):
    """Guards against N+1: the query count must not grow with cast, genres, offers or regions.

    9: the 6 of the film and its reviews, its parents' guide, and the two onward shelves."""
    movie = _film_with(n_cast, n_extra)
    client.get(movie.get_absolute_url())  # warm the shared ladder cache
    with django_assert_max_num_queries(9):
        response = client.get(movie.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('<li><a href="/people/') == n_cast + 1  # + director


def test_verdict_page_query_count_is_the_same_for_2_and_40_cast(client, django_assert_num_queries):
    """Guards against N+1: a big cast costs exactly what a small one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for movie in (_film_with(2, 1), _film_with(40, 12)):
        client.get(movie.get_absolute_url())
        with CaptureQueriesContext(connection) as ctx:
            client.get(movie.get_absolute_url())
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_histogram_is_a_table_with_counts_and_bars_relative_to_the_peak(client):
    movie = MovieFactory(title="Rated")
    Movie.objects.filter(pk=movie.pk).update(
        rating_count=6, rating_sum=9 * 4 + 5 * 2, rating_9=4, rating_5=2
    )
    html = client.get(movie.get_absolute_url()).content.decode()
    assert "<caption>How our readers rated it</caption>" in html
    rows = dict(re.findall(r'<th scope="row">(\d+)/10</th><td class="num">(\d+)</td>', html))
    assert rows["9"] == "4" and rows["5"] == "2" and rows["10"] == "0"
    assert 'class="bar bar--w100"' in html  # the 9s, the peak
    assert 'class="bar bar--w50"' in html  # the 5s, half the peak
