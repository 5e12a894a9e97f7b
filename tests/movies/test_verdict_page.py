import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from movies import services
from movies.models import Credit, Movie
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
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
    assert "Yes, if you enjoy drama." in text
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
        "Updated",  # who says so, and when, before the answer (the seed shows it first)
        "How we decide",
        "Yes, if you enjoy drama.",
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


# --- Who says so ------------------------------------------------------------------


def test_the_editor_who_signed_the_assessment_is_named_with_the_date_at_the_top(client, one_second):
    """The page names the editor and the day beside the answer, and the JSON-LD names
    the editors' review's author."""
    editor = UserFactory(username="jane", first_name="Jane", last_name="Editor", is_staff=True)
    one_second.editorial_assessment = "A love letter to cinema, and worth your evening."
    services.movie_save(movie=one_second, editor=editor, changed=["editorial_assessment"])
    html = client.get(one_second.get_absolute_url()).content.decode()
    today = timezone.localdate()
    byline = html.split('class="byline')[1].split("</p>")[0]
    assert "Assessment by <strong>Jane Editor</strong>" in byline
    assert f'<time datetime="{today:%Y-%m-%d}">' in byline
    jsonld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    [editors] = [r for r in jsonld["@graph"][0]["review"] if r["author"]["name"] == "Jane Editor"]
    assert editors["datePublished"] == today.isoformat()


def test_an_unsigned_assessment_names_no_one(client, one_second):
    html = client.get(one_second.get_absolute_url()).content.decode()
    assert "Assessment by" not in html


def test_how_we_decide_states_the_formula_constants_and_ladder(client, settings):
    settings.SCORE_OUTSIDE_WEIGHT = 12
    html = client.get(reverse("movies:how-we-decide")).content.decode()
    assert "score = (v × R + k × E) ÷ (v + k)" in html
    assert "<strong>k = 12</strong>" in html
    assert "from 2.5× to below 4×" in html  # Hit, on the default ladder
    assert "Blockbuster</th><td>6× or more" in html


@pytest.mark.parametrize("name", ["about", "contact", "privacy"])
def test_footer_pages_exist_and_are_linked_from_every_page(client, name):
    url = reverse(f"pages:{name}")
    assert client.get(url).status_code == 200
    assert f'href="{url}"' in client.get(reverse("movies:home")).content.decode()


def test_the_answer_names_the_genres_in_the_order_the_source_gave_them(client):
    film = MovieFactory(title="Casablanca", external_rating="8.5", external_rating_source="IMDb")
    for name in ["War", "Romance", "Drama", "Crime"]:  # as the importer adds them
        film.genres.add(GenreFactory(name=name))
    html = text_of(client.get(film.get_absolute_url()))
    assert "Yes, if you enjoy war films, romance and drama." in html
    listed = client.get(reverse("movies:list")).context["movies"]
    assert listed[0].display_genre.name == "War"  # cards name the first genre given


def test_the_editors_main_genre_is_named_alone(client):
    drama, war = GenreFactory(name="Drama"), GenreFactory(name="War")
    film = MovieFactory(external_rating="8.5", external_rating_source="IMDb", main_genre=drama)
    film.genres.add(war, drama)
    assert "Yes, if you enjoy drama." in text_of(client.get(film.get_absolute_url()))


# --- Pages without holes (the imported catalogue) ----------------------------------


@pytest.fixture
def imported_film():
    """Casablanca as the bokeh import leaves it: critics' figures, an alphabetical cast
    without billing, no budget, no poster, no plot."""
    film = MovieFactory(
        title="Casablanca",
        year=1942,
        logline="",
        critics_positive_pct=97,
        critics_fresh=131,
        critics_rotten=4,
        critics_average="9.4",
        critics_source="Rotten Tomatoes",
        critics_as_of=datetime.date(2016, 1, 12),
        metacritic=100,
        awards="Won 3 Oscars. Another 5 wins & 9 nominations.",
        languages=["English", "French", "German"],
        countries=["USA"],
    )
    CreditFactory(movie=film, role=Credit.Role.DIRECTOR, billing_order=None,
                  person=PersonFactory(name="Michael Curtiz"))  # fmt: skip
    for n in range(50):
        CreditFactory(movie=film, billing_order=None, person=PersonFactory(name=f"Actor {n:02}"))
    return film


def test_critics_are_shown_as_reviews_with_their_source_and_date(client, imported_film):
    text = text_of(client.get(imported_film.get_absolute_url()))
    assert (
        "97% of 135 critics positive (131 positive and 4 negative reviews); "
        "average 9.4/10; Metacritic 100/100." in text
    )
    assert "Source: Rotten Tomatoes, as of 12 January 2016." in text
    assert "votes" not in text.split("What critics say")[1].split("Source:")[0]
    assert "from critics (9.4) and Metacritic (10.0)." in text
    assert "Awards Won 3 Oscars." in text and "Languages English, French, German" in text


def test_a_cast_without_billing_says_so_and_shows_a_dozen_names_first(client, imported_film):
    html = client.get(imported_film.get_absolute_url()).content.decode()
    assert 'Cast <span class="muted small">(billing order not known)</span>' in html
    shown, rest = html.split('<details class="more-cast">')
    assert "Actor 11" in shown and "Actor 12" not in shown.split("(billing order not known)")[1]
    assert "Show 38 more names" in rest and "Actor 49" in rest


def test_a_film_without_figures_says_what_is_missing_once(client, imported_film):
    text = text_of(client.get(imported_film.get_absolute_url()))
    assert "Box office" not in text  # no empty section
    assert text.count("No trade verdict:") == 1
    assert "What we do not know yet: box-office figures and a plot summary." in text


def test_a_film_without_a_poster_gets_a_title_card_not_a_letter(client, imported_film):
    html = client.get(imported_film.get_absolute_url()).content.decode()
    card = html.split('class="title-card title-card--')[1].split("</span></span>")[0]
    assert '<span class="title-card__title">Casablanca</span>' in card
    assert '<span class="title-card__year">1942</span>' in card
    assert '<span class="title-card__by">Michael Curtiz' in card
    assert 'style="' not in html  # the palette is a class, under the CSP
