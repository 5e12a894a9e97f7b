"""Structured data, descriptions, canonical links and social cards (movies/seo.py)."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.utils import timezone

from movies import seo
from movies.models import Credit, Movie, VerdictBand
from reviews.models import Review
from tests.factories import (
    REVIEW_TEXT,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
)

HOSTILE = 'Émigré "Quotes" & <b>bold</b> </script><script>alert(1)</script> <!-- 🎬 فيلم \u2028'
SCRIPT_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def absolute(path):
    return f"https://ww.example{path}"


def _film(**kwargs):
    drama = GenreFactory(name="Drama")
    defaults = {
        "title": "One Second",
        "year": 2020,
        "release_date": datetime.date(2020, 11, 27),
        "runtime_minutes": 104,
        "certification": "PG-13",
        "logline": "A fugitive and an orphan chase a reel of film across the desert.",
        "genres": [drama],
        "main_genre": drama,
    }
    movie = MovieFactory(**{**defaults, **kwargs})
    CreditFactory(
        movie=movie,
        person=PersonFactory(name="Zhang Yimou"),
        role=Credit.Role.DIRECTOR,
        billing_order=None,
    )
    CreditFactory(movie=movie, person=PersonFactory(name="Zhang Yi"), billing_order=1)
    CreditFactory(movie=movie, person=PersonFactory(name="Liu Haocun"), billing_order=2)
    return Movie.objects.for_verdict_page().get(pk=movie.pk)


def _assess(movie):
    return movie.verdict(VerdictBand.objects.ladder())


# --- the script block ------------------------------------------------------------


def test_iso_duration():
    assert seo.iso_duration(104) == "PT1H44M"
    assert seo.iso_duration(120) == "PT2H"
    assert seo.iso_duration(45) == "PT45M"
    assert seo.iso_duration(None) is None


def test_jsonld_script_cannot_be_broken_out_of_and_parses_back_to_the_same_data():
    data = {"name": HOSTILE, "nested": [{"text": "a && b > c </SCRIPT >"}]}

    html = str(seo.jsonld_script(data))

    assert html.count("</script>") == 1 and html.endswith("</script>")
    inner = SCRIPT_RE.fullmatch(html).group(1)
    for raw in ("<", ">", "&", "\u2028"):
        assert raw not in inner
    assert json.loads(inner) == data


# --- the Movie -------------------------------------------------------------------


@pytest.mark.django_db
def test_movie_jsonld_has_every_required_property():
    movie = _film()

    graph = seo.movie_jsonld(movie, absolute=absolute)

    assert graph["@context"] == "https://schema.org"
    film, trail = graph["@graph"]
    assert film["@type"] == "Movie"
    assert film["name"] == "One Second"
    assert film["url"] == f"https://ww.example/movies/{movie.slug}/"
    assert film["image"].startswith("https://ww.example/")  # no poster: the site's card
    assert film["datePublished"] == "2020-11-27"
    assert film["duration"] == "PT1H44M"
    assert film["genre"] == ["Drama"]
    assert film["contentRating"] == "PG-13"
    assert film["director"] == [
        {"@type": "Person", "name": "Zhang Yimou", "url": "https://ww.example/people/zhang-yimou/"}
    ]
    assert [a["name"] for a in film["actor"]] == ["Zhang Yi", "Liu Haocun"]
    assert all(a["url"].startswith("https://ww.example/people/") for a in film["actor"])
    assert trail["@type"] == "BreadcrumbList"
    assert [i["name"] for i in trail["itemListElement"]] == [
        "Worth Watching",
        "Films",
        "One Second (2020)",
    ]
    assert [i["position"] for i in trail["itemListElement"]] == [1, 2, 3]
    assert trail["itemListElement"][-1]["item"] == film["url"]


@pytest.mark.django_db
def test_movie_without_poster_or_release_date_falls_back_to_the_year_and_the_site_card():
    movie = _film(release_date=None)
    film = seo.movie_jsonld(movie, absolute=absolute)["@graph"][0]
    assert film["datePublished"] == "2020"
    # The image is required: the default social card, absolute, as OpenGraph shows it.
    assert film["image"] == "https://ww.example/static/img/social-card.png"


@pytest.mark.django_db
def test_no_aggregate_rating_below_the_threshold_even_with_a_high_external_rating(settings):
    settings.JSONLD_MIN_RATINGS = 5
    movie = _film(
        external_rating="9.1",
        external_rating_votes=250_000,
        external_rating_source="IMDb",
        rating_count=4,
        rating_sum=36,
    )
    film = seo.movie_jsonld(movie, absolute=absolute)["@graph"][0]
    assert "aggregateRating" not in film
    assert "9.1" not in json.dumps(film)


@pytest.mark.django_db
def test_aggregate_rating_is_our_readers_mean_once_there_are_enough(settings):
    settings.JSONLD_MIN_RATINGS = 5
    movie = _film(
        external_rating="9.1",
        external_rating_votes=250_000,
        external_rating_source="IMDb",
        rating_count=6,
        rating_sum=41,
    )
    film = seo.movie_jsonld(movie, absolute=absolute)["@graph"][0]
    assert film["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 6.8,
        "ratingCount": 6,
        "bestRating": 10,
        "worstRating": 1,
    }


@pytest.mark.django_db
def test_reviews_are_marked_up_with_author_date_rating_and_body():
    movie = _film()
    review = ReviewFactory(
        movie=movie,
        user=UserFactory(username="cinephile"),
        rating=8,
        headline="Worth the trip",
        body=f"{HOSTILE} {REVIEW_TEXT}",
    )
    review.created_at = timezone.make_aware(datetime.datetime(2024, 3, 2, 12))

    film = seo.movie_jsonld(movie, absolute=absolute, reviews=[review])["@graph"][0]

    assert film["review"] == [
        {
            "@type": "Review",
            "author": {"@type": "Person", "name": "cinephile"},
            "datePublished": "2024-03-02",
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": 8,
                "bestRating": 10,
                "worstRating": 1,
            },
            "name": "Worth the trip",
            "reviewBody": " ".join(f"{HOSTILE} {REVIEW_TEXT}".split()),
        }
    ]


@pytest.mark.django_db
def test_hostile_title_and_names_survive_the_script_block():
    movie = _film(title=HOSTILE, original_title="原题 ‏עברית")
    CreditFactory(movie=movie, person=PersonFactory(name='O\'Neil "<Joe>" 😀'), billing_order=3)
    movie = Movie.objects.for_verdict_page().get(pk=movie.pk)

    html = str(seo.jsonld_script(seo.movie_jsonld(movie, absolute=absolute)))

    film = json.loads(SCRIPT_RE.fullmatch(html).group(1))["@graph"][0]
    assert film["name"] == HOSTILE
    assert film["alternateName"] == "原题 ‏עברית"
    assert 'O\'Neil "<Joe>" 😀' in [a["name"] for a in film["actor"]]


# --- descriptions and cards --------------------------------------------------------


@pytest.mark.django_db
def test_meta_description_leads_with_the_answer():
    movie = _film(external_rating="7.6", external_rating_source="IMDb", external_rating_votes=1000)
    text = seo.movie_description(movie, _assess(movie))
    assert text == (
        "Is One Second (2020) worth watching? Yes, if you enjoy drama: "
        "A fugitive and an orphan chase a reel of film across the desert."
    )


@pytest.mark.django_db
def test_meta_description_is_cut_at_a_word_within_160_characters():
    movie = _film(logline="word " * 55, external_rating="5.8", external_rating_source="IMDb")
    text = seo.movie_description(movie, _assess(movie))
    assert len(text) <= 160
    assert text.startswith("Is One Second (2020) worth watching? Maybe: worth a look")
    assert text.endswith("…")


@pytest.mark.django_db
def test_meta_description_without_enough_ratings_says_too_early():
    movie = _film(logline="")
    text = seo.movie_description(movie, _assess(movie))
    assert text == (
        "Is One Second (2020) worth watching? Too early to say: No trade verdict: "
        "neither the budget nor the worldwide gross is known."
    )


@pytest.mark.django_db
def test_verdict_page_cards_are_video_movie_with_a_sized_image():
    movie = _film(budget=10_000_000, worldwide_gross=30_000_000)
    tags = {
        (attr, key): value
        for attr, key, value in seo.movie_social_meta(movie, _assess(movie), absolute=absolute)
    }
    assert tags["property", "og:type"] == "video.movie"
    assert tags["property", "og:title"] == "Is One Second (2020) worth watching? Too early to say"
    assert tags["property", "og:url"] == f"https://ww.example/movies/{movie.slug}/"
    assert tags["property", "og:site_name"] == "Worth Watching"
    assert tags["property", "og:image"] == "https://ww.example/static/img/social-card.png"
    assert (tags["property", "og:image:width"], tags["property", "og:image:height"]) == (
        "1200",
        "630",
    )
    assert tags["property", "video:duration"] == "6240"
    assert tags["property", "video:release_date"] == "2020-11-27"
    assert tags["name", "twitter:card"] == "summary_large_image"
    assert tags["name", "twitter:title"] == tags["property", "og:title"]


@pytest.mark.django_db
def test_a_poster_makes_a_portrait_summary_card():
    movie = _film()
    movie.poster_large.name = "posters/thumbs/one-second-500.jpg"
    tags = {
        key: value
        for _, key, value in seo.movie_social_meta(movie, _assess(movie), absolute=absolute)
    }
    assert tags["og:image"] == "https://ww.example/media/posters/thumbs/one-second-500.jpg"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("500", "750")
    assert tags["twitter:card"] == "summary"


@pytest.mark.parametrize(
    ("query", "page", "expected"),
    [
        ("", 1, "/movies/"),
        ("page=1", 1, "/movies/"),
        ("page=3", 3, "/movies/?page=3"),
        ("page=99", 7, "/movies/?page=7"),  # clamped to the last page
        ("genre=drama&page=2", 2, "/movies/"),
        ("sort=title&page=2", 2, "/movies/"),
        ("sort=&page=2", 2, "/movies/?page=2"),  # an empty parameter changes nothing
        ("country=GB", None, "/movies/"),
        # Tracking tags change nothing on the page: page 2 stays page 2.
        ("page=2&utm_source=x&utm_medium=social", 2, "/movies/?page=2"),
        ("page=2&fbclid=abc&gclid=def&msclkid=g&UTM_Campaign=y", 2, "/movies/?page=2"),
        ("genre=drama&page=2&utm_source=x", 2, "/movies/"),
    ],
)
def test_canonical_path(query, page, expected):
    assert seo.canonical_path("/movies/", QueryDict(query), page_number=page) == expected


# --- on the pages ----------------------------------------------------------------


class _Head(HTMLParser):
    """The <head>'s title, metas, links and JSON-LD blocks, with entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.links, self.jsonld = "", {}, {}, []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, attrs["content"])
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), attrs.get("href"))
        elif tag == "title" or (tag == "script" and attrs.get("type") == "application/ld+json"):
            self._in = tag
            if tag == "script":
                self.jsonld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.jsonld[-1] += data


def _head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    head = _Head()
    head.feed(response.content.decode())
    return head


@pytest.mark.django_db
def test_verdict_page_carries_one_json_ld_block_and_its_cards_with_hostile_text(client):
    movie = _film(title=HOSTILE)

    head = _head(client, f"{movie.get_absolute_url()}?country=GB")

    assert len(head.jsonld) == 1
    film = json.loads(head.jsonld[0])["@graph"][0]
    assert film["name"] == HOSTILE
    assert head.title.startswith(f"Is {HOSTILE} (2020) worth watching?")
    assert head.meta["og:title"] == f"Is {HOSTILE} (2020) worth watching? Too early to say"
    assert head.meta["og:type"] == "video.movie"
    assert head.meta["description"].startswith(f"Is {' '.join(HOSTILE.split())} (2020)")
    assert head.links["canonical"] == f"http://testserver{movie.get_absolute_url()}"
    assert head.meta["og:url"] == head.links["canonical"]
    assert head.links["alternate"] == "/feeds/verdicts/"


@pytest.mark.django_db
def test_verdict_page_marks_up_our_rating_and_published_reviews(client, settings):
    from reviews.models import Review

    settings.JSONLD_MIN_RATINGS = 2
    movie = _film()
    for n, rating in enumerate([9, 6]):
        Review.objects.create(
            movie=movie,
            user=UserFactory(username=f"critic{n}"),
            rating=rating,
            body=f"Review {n} </script>",
            status=Review.Status.PUBLISHED,
        )
    Review.objects.create(
        movie=movie, user=UserFactory(), rating=1, body="Pending", status=Review.Status.PENDING
    )
    Movie.objects.filter(pk=movie.pk).update(rating_count=2, rating_sum=15)

    film = json.loads(_head(client, movie.get_absolute_url()).jsonld[0])["@graph"][0]

    assert film["aggregateRating"]["ratingValue"] == 7.5
    assert film["aggregateRating"]["ratingCount"] == 2
    assert sorted(r["reviewBody"] for r in film["review"]) == [
        "Review 0 </script>",
        "Review 1 </script>",
    ]
    assert {r["author"]["name"] for r in film["review"]} == {"critic0", "critic1"}


@pytest.mark.django_db
def test_every_page_type_has_its_own_title_description_and_canonical(client):
    movie = _film()
    for _ in range(25):  # two pages of the list
        MovieFactory()
    person = movie.credits.first().person
    urls = [
        "/",
        "/movies/",
        "/movies/?page=2",
        "/genres/drama/",
        person.get_absolute_url(),
        movie.get_absolute_url(),
    ]

    heads = {url: _head(client, url) for url in urls}

    assert len({h.title for h in heads.values()}) == len(urls)
    assert len({h.meta["description"] for h in heads.values()}) == len(urls)
    assert {url: h.links["canonical"] for url, h in heads.items()} == {
        url: f"http://testserver{url}" for url in urls
    }
    for head in heads.values():
        for key in (
            "og:title",
            "og:description",
            "og:url",
            "og:image",
            "og:image:width",
            "og:image:height",
            "og:site_name",
            "twitter:card",
        ):
            assert head.meta.get(key), key


@pytest.mark.django_db
def test_filtered_lists_canonicalise_to_the_plain_list(client):
    MovieFactory(genres=[GenreFactory(name="Drama")])
    head = _head(client, "/movies/?genre=drama&sort=title&page=1")
    assert head.links["canonical"] == "http://testserver/movies/"


@pytest.mark.django_db
def test_reviews_list_canonical_keeps_only_the_cursor_and_a_later_page_has_its_own_head(client):
    movie = _film()
    for _ in range(21):  # two pages of 20
        ReviewFactory(movie=movie)
    url = f"/movies/{movie.slug}/reviews/"
    last_of_first = Review.objects.filter(movie=movie).sorted_by("helpful")[19]

    first = _head(client, f"{url}?sort=newest&utm_source=newsletter")
    second = _head(client, f"{url}?sort=helpful&after={last_of_first.pk}&fbclid=abc")

    assert first.links["canonical"] == f"http://testserver{url}"
    assert second.links["canonical"] == f"http://testserver{url}?after={last_of_first.pk}"
    assert first.title != second.title and "more" in second.title
    assert first.meta["description"] != second.meta["description"]


@pytest.mark.django_db
def test_account_pages_each_have_their_own_description(client):
    urls = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]

    descriptions = [_head(client, url).meta["description"] for url in urls]

    assert len(set(descriptions)) == len(urls), descriptions
    assert all(0 < len(d) <= 160 for d in descriptions)
