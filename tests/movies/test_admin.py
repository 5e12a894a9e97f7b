"""The editors' admin through the test client, as an editor (not a superuser) uses it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movies.forms import crop_warning
from movies.models import LADDER_CACHE_KEY, Credit, Movie, Provider, VerdictBand
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    ProviderFactory,
)
from tests.movies.test_images import image_bytes, png_claiming, upload

ADD_URL = reverse("admin:movies_movie_add")
LIST_URL = reverse("admin:movies_movie_changelist")


def change_url(movie):
    return reverse("admin:movies_movie_change", args=[movie.pk])


def inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def movie_post(*, credits=(), offers=(), regions=(), initial=(0, 0, 0), **fields):
    """The admin's film form as a browser would post it, with its three inlines."""
    data = {
        "title": "One Second",
        "original_title": "一秒钟",
        "year": "2020",
        "slug": "",
        "release_date": "2020-11-27",
        "runtime_minutes": "104",
        "certification": "",
        "logline": "A fugitive crosses the desert for one second of film.",
        "synopsis": "",
        "plot_summary": "",
        "ending_breakdown": "",
        "accuracy_label": "",
        "historical_accuracy": "",
        "performance_analysis": "",
        "editorial_assessment": "",
        "watch_if": "",
        "answer_override": "",
        "verdict_override": "",
        "override_reason": "",
        "external_rating": "7.3",
        "external_rating_votes": "8500",
        "external_rating_source": "IMDb",
        "currency": "USD",
        "budget": "1300000",
        "worldwide_gross": "10800000",
        "domestic_gross": "",
        "box_office_source": "",
        "box_office_as_of": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "external_id": "",
    }
    data.update(fields)
    data.update(inline("credits", list(credits), initial[0]))
    data.update(inline("availabilities", list(offers), initial[1]))
    data.update(inline("regional_grosses", list(regions), initial[2]))
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- access -----------------------------------------------------------------------


def test_editors_reach_the_catalogue_but_not_users(editor_client):
    assert editor_client.get(LIST_URL).status_code == 200
    for name in ["person", "genre", "provider", "verdictband"]:
        assert editor_client.get(reverse(f"admin:movies_{name}_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_editors_group_has_exactly_the_catalogue_and_moderation_permissions(db):
    """The migrations grant these and nothing else: no say over accounts or groups."""
    catalogue = [
        "movie", "genre", "person", "credit", "regionalgross", "provider", "availability",
        "verdictband",
    ]  # fmt: skip
    expected = {
        f"movies.{action}_{model}"
        for model in catalogue
        for action in ("add", "change", "delete", "view")
    } | {
        f"reviews.{action}_{model}"
        for model in ("review", "reviewreport")
        for action in ("change", "delete", "view")
    }
    granted = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == expected


# --- create and edit ----------------------------------------------------------------


def test_create_then_edit_a_film_with_its_inlines(editor_client):
    drama, history = GenreFactory(name="Drama"), GenreFactory(name="History")
    zhang_yi, liu = PersonFactory(name="Zhang Yi"), PersonFactory(name="Liu Haocun")
    apple = ProviderFactory(name="Apple TV")

    response = editor_client.post(
        ADD_URL,
        movie_post(
            genres=[drama.pk, history.pk],
            main_genre=drama.pk,
            credits=[
                {
                    "person": liu.pk,
                    "role": "cast",
                    "character_name": "Liu Girl",
                    "billing_order": "1",
                },
                {
                    "person": zhang_yi.pk,
                    "role": "cast",
                    "character_name": "Zhang Jiusheng",
                    "billing_order": "2",
                },
            ],
            offers=[
                {
                    "provider": apple.pk,
                    "country": "US",
                    "kind": "rent",
                    "link": "https://tv.apple.com/",
                    "price": "",
                    "price_currency": "",
                    "last_checked": "2026-01-18",
                }
            ],
            regions=[{"region": "China", "amount": "10600000", "as_of": ""}],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    movie = Movie.objects.get()
    assert movie.slug == "one-second-2020"  # made from title and year when left empty
    assert movie.box_office_multiple == pytest.approx(8.3077, abs=1e-3)
    assert [c.person.name for c in movie.credits.order_by("billing_order")] == [
        "Liu Haocun",
        "Zhang Yi",
    ]
    assert movie.availabilities.get().provider == apple
    assert movie.regional_grosses.get().amount == 10_600_000

    lead = movie.credits.get(billing_order=1)
    second = movie.credits.get(billing_order=2)
    offer = movie.availabilities.get()
    region = movie.regional_grosses.get()
    fan_wei = PersonFactory(name="Fan Wei")
    response = editor_client.post(
        change_url(movie),
        movie_post(
            slug=movie.slug,
            runtime_minutes="105",
            genres=[drama.pk, history.pk],
            main_genre=drama.pk,
            initial=(2, 1, 1),
            credits=[
                {
                    "id": lead.pk,
                    "movie": movie.pk,
                    "person": liu.pk,
                    "role": "cast",
                    "character_name": "Orphan Liu",
                    "billing_order": "1",
                },
                {
                    "id": second.pk,
                    "movie": movie.pk,
                    "person": zhang_yi.pk,
                    "role": "cast",
                    "character_name": "Zhang Jiusheng",
                    "billing_order": "2",
                },
                {
                    "person": fan_wei.pk,
                    "role": "cast",
                    "character_name": "Mr. Movie",
                    "billing_order": "3",
                },
            ],
            offers=[
                {
                    "id": offer.pk,
                    "movie": movie.pk,
                    "provider": apple.pk,
                    "country": "US",
                    "kind": "rent",
                    "link": "https://tv.apple.com/",
                    "price": "3.99",
                    "price_currency": "USD",
                    "last_checked": "2026-01-18",
                }
            ],
            regions=[
                {
                    "id": region.pk,
                    "movie": movie.pk,
                    "region": "China",
                    "amount": "10600000",
                    "as_of": "",
                }
            ],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    movie.refresh_from_db()
    assert movie.runtime_minutes == 105
    assert movie.credits.count() == 3
    assert movie.credits.get(billing_order=1).character_name == "Orphan Liu"
    assert movie.availabilities.get().price == Decimal("3.99")
    assert "fan wei" in movie.search_document.splitlines()  # public search finds the new cast


def test_renaming_a_person_updates_their_films_search(editor_client):
    movie = MovieFactory()
    person = PersonFactory(name="Zhang Yi")
    CreditFactory(movie=movie, person=person)
    response = editor_client.post(
        reverse("admin:movies_person_change", args=[person.pk]),
        {"name": "Zhāng Yì", "slug": person.slug, "external_id": ""},
    )
    assert response.status_code == 302
    movie.refresh_from_db()
    assert movie.search_document == "zhang yi"


# --- refusals, each with a clear message ----------------------------------------------


def form_errors(response):
    assert response.status_code == 200, "the form should be shown again with errors"
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "budget",
            "-5",
            "A budget cannot be negative: enter 0 or more, in whole units of the currency.",
        ),
        (
            "worldwide_gross",
            "-1",
            "A worldwide gross cannot be negative: enter 0 or more, in "
            "whole units of the currency.",
        ),
        ("domestic_gross", "-1", "A domestic gross cannot be negative"),
        ("runtime_minutes", "0", "A runtime must be at least 1 minute."),
        ("runtime_minutes", "-10", "A runtime must be at least 1 minute."),
    ],
)
def test_impossible_figures_are_refused(editor_client, field, value, message):
    response = editor_client.post(ADD_URL, movie_post(**{field: value}))
    assert form_errors(response)[field][0].startswith(message)
    assert not Movie.objects.exists()


def test_main_genre_must_be_one_of_the_genres(editor_client):
    drama, history = GenreFactory(name="Drama"), GenreFactory(name="History")
    response = editor_client.post(ADD_URL, movie_post(genres=[history.pk], main_genre=drama.pk))
    assert form_errors(response)["main_genre"] == [
        "The main genre must be one of the film's genres: tick Drama under Genres, or pick "
        "another main genre."
    ]


def test_override_needs_a_reason(editor_client):
    response = editor_client.post(ADD_URL, movie_post(answer_override="yes"))
    assert "readers see it" in form_errors(response)["override_reason"][0]


def test_duplicate_credit_is_refused_naming_the_person(editor_client):
    zhang_yi = PersonFactory(name="Zhang Yi")
    row = {"person": zhang_yi.pk, "role": "cast", "character_name": "", "billing_order": ""}
    response = editor_client.post(ADD_URL, movie_post(credits=[row, dict(row)]))
    assert response.status_code == 200
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "credits"
    ).formset
    assert formset.non_form_errors() == ["Zhang Yi is listed twice as Cast."]
    assert "Zhang Yi is listed twice as Cast." in response.content.decode()
    assert not Movie.objects.exists() and not Credit.objects.exists()


def test_same_person_may_direct_and_act(editor_client):
    person = PersonFactory(name="Jiang Wen")
    response = editor_client.post(
        ADD_URL,
        movie_post(
            credits=[
                {"person": person.pk, "role": "cast", "character_name": "", "billing_order": "1"},
                {
                    "person": person.pk,
                    "role": "director",
                    "character_name": "",
                    "billing_order": "",
                },
            ]
        ),
    )
    assert response.status_code == 302


def test_duplicate_offer_and_region_are_refused(editor_client):
    apple = ProviderFactory(name="Apple TV")
    offer = {
        "provider": apple.pk,
        "country": "GB",
        "kind": "buy",
        "link": "",
        "price": "",
        "price_currency": "",
        "last_checked": "2026-01-18",
    }
    response = editor_client.post(
        ADD_URL,
        movie_post(
            offers=[offer, dict(offer)],
            regions=[
                {"region": "China", "amount": "1", "as_of": ""},
                {"region": "china", "amount": "2", "as_of": ""},
            ],
        ),
    )
    page = response.content.decode()
    assert "The offer to buy on Apple TV in United Kingdom is listed twice." in page
    assert "The region china is listed twice." in page
    assert not Movie.objects.exists()


# --- the film list ------------------------------------------------------------------------


def make_films(count):
    drama = GenreFactory(name="Drama")
    for n in range(count):
        movie = MovieFactory(
            budget=1_000_000,
            worldwide_gross=(n + 1) * 700_000,
            external_rating=Decimal("7.1"),
            external_rating_source="IMDb",
            genres=[drama, GenreFactory(name=f"Genre {n % 5}")],
        )
        for order in range(1, 4):
            CreditFactory(movie=movie, billing_order=order)


def changelist_queries(client, **params):
    cache.delete(LADDER_CACHE_KEY)
    client.get(LIST_URL, params)  # warm the session and the ladder cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return len(captured), response


def test_film_list_queries_do_not_grow_with_the_films(editor_client):
    """Guards against N+1 in the film list: poster, verdict, rating and status per row
    come from the row itself and the verdict ladder, read once for the page."""
    make_films(2)
    few, _ = changelist_queries(editor_client)
    make_films(40)
    many, response = changelist_queries(editor_client)
    assert many == few
    assert response.context["cl"].result_count == 42


def test_film_list_reads_the_ladder_once_from_the_database_cache(editor_client):
    """Guards against N+1 with the default cache (the database): the verdict column reads
    the ladder once for the page, not once per film."""
    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
    with override_settings(CACHES=database_cache):
        call_command("createcachetable", verbosity=0)
        make_films(2)
        few, _ = changelist_queries(editor_client)
        make_films(40)
        many, response = changelist_queries(editor_client)
    assert many == few
    assert response.context["cl"].result_count == 42


def test_film_list_query_budget(editor_client, django_assert_max_num_queries):
    """Guards against N+1 in the film list, with filters and search on, with 40 films."""
    make_films(40)
    editor_client.get(LIST_URL)
    with django_assert_max_num_queries(10):
        response = editor_client.get(LIST_URL, {"q": "Film", "band": "hit", "decade": "2020"})
    assert response.status_code == 200


def test_film_list_columns(editor_client):
    draft = MovieFactory(title="Cliff Walkers", status=Movie.Status.DRAFT, published_at=None)
    scheduled = MovieFactory(
        title="Shadow", published_at=timezone.now() + datetime.timedelta(days=7)
    )
    public = MovieFactory(
        title="One Second",
        budget=1_300_000,
        worldwide_gross=10_800_000,
        external_rating=Decimal("7.3"),
        external_rating_source="IMDb",
    )
    page = editor_client.get(LIST_URL).content.decode()
    assert "Blockbuster (8.3x)" in page
    assert "7.3/10 (IMDb)" in page
    assert "Draft" in page and "Scheduled for" in page and "Public" in page
    assert f'<a href="{draft.get_absolute_url()}">Preview</a>' in page
    assert f'<a href="{scheduled.get_absolute_url()}">Preview</a>' in page
    assert f'<a href="{public.get_absolute_url()}">View</a>' in page
    assert "style=" not in page.split('id="result_list"')[1].split("</table>")[0]


def test_search_finds_films_by_person(editor_client):
    one_second = MovieFactory(title="One Second")
    CreditFactory(movie=one_second, person=PersonFactory(name="Zhang Yi"))
    CreditFactory(movie=one_second, person=PersonFactory(name="Fan Wei"))
    MovieFactory(title="Parasite", original_title="기생충")
    response = editor_client.get(LIST_URL, {"q": "zhang yi"})
    assert list(response.context["cl"].result_list) == [one_second]
    response = editor_client.get(LIST_URL, {"q": "기생충"})
    assert [m.title for m in response.context["cl"].result_list] == ["Parasite"]


def test_search_lists_the_exact_title_first_then_titles_starting_with_it(editor_client):
    """Editors looking for One Second should not scroll past films that merely contain
    "one" and "second" somewhere (and were edited more recently)."""
    one_second = MovieFactory(title="One Second")
    starts = MovieFactory(title="One Second Chance")
    contains = MovieFactory(title="Second Life of One")
    by_original = MovieFactory(title="Yi miao zhong", original_title="One Second", year=2021)
    for movie in (starts, contains):  # edited last: first in the default order
        movie.save()

    response = editor_client.get(LIST_URL, {"q": "one second"})

    found = list(response.context["cl"].result_list)
    assert found[:2] == [one_second, by_original] or found[:2] == [by_original, one_second]
    assert found[2:] == [starts, contains]
    assert response.context["cl"].result_count == 4  # nothing new found, nothing lost

    # A column the editor sorts by still decides the order.
    response = editor_client.get(LIST_URL, {"q": "one second", "o": "-2"})  # title, Z to A
    assert [m.title for m in response.context["cl"].result_list] == [
        "Yi miao zhong",
        "Second Life of One",
        "One Second Chance",
        "One Second",
    ]


def test_search_ranking_keeps_the_person_search_and_its_duplicates_away(editor_client):
    one_second = MovieFactory(title="One Second")
    for name in ("Zhang Yi", "Zhang Yimou"):  # two credits that both match: one row
        CreditFactory(movie=one_second, person=PersonFactory(name=name))
    zhang = MovieFactory(title="Zhang")

    response = editor_client.get(LIST_URL, {"q": "zhang"})

    assert list(response.context["cl"].result_list) == [zhang, one_second]


def test_filters_by_band_decade_publication_and_genre(editor_client):
    drama = GenreFactory(name="Drama")
    hit = MovieFactory(title="Hit", year=2006, budget=40, worldwide_gross=110, genres=[drama])
    flop = MovieFactory(title="Flop", year=2019, budget=95, worldwide_gross=75)
    draft = MovieFactory(title="Draft", year=1999, status=Movie.Status.DRAFT, published_at=None)
    scheduled = MovieFactory(
        title="Later", published_at=timezone.now() + datetime.timedelta(days=3)
    )

    def titles(**params):
        return {m.title for m in editor_client.get(LIST_URL, params).context["cl"].result_list}

    assert titles(band="hit") == {hit.title}
    assert titles(band="flop") == {flop.title}
    assert titles(band="none") == {draft.title, scheduled.title}
    assert titles(decade="2000") == {hit.title}
    assert titles(decade="1990") == {draft.title}
    assert titles(publication="draft") == {draft.title}
    assert titles(publication="scheduled") == {scheduled.title}
    assert titles(publication="public") == {hit.title, flop.title}
    assert titles(genres__id__exact=drama.pk) == {hit.title}


@pytest.mark.parametrize(
    "params", [{"band": "nonsense"}, {"decade": "19x0"}, {"publication": "??"}]
)
def test_unknown_filter_values_do_not_break_the_list(editor_client, params):
    movie = MovieFactory()
    response = editor_client.get(LIST_URL, params)
    assert response.status_code == 200  # not the admin's ?e=1 "bad lookup" redirect
    assert list(response.context["cl"].result_list) == [movie]


# --- actions ------------------------------------------------------------------------------


def test_publish_action(editor_client):
    drafts = [MovieFactory(status=Movie.Status.DRAFT, published_at=None) for _ in range(2)]
    later = timezone.now() + datetime.timedelta(days=10)
    scheduled_draft = MovieFactory(status=Movie.Status.DRAFT, published_at=later)
    already = MovieFactory()
    response = editor_client.post(
        LIST_URL,
        {
            "action": "publish",
            "_selected_action": [m.pk for m in [*drafts, scheduled_draft, already]],
        },
        follow=True,
    )
    assert messages_of(response) == [
        "Published 2 films. 1 film scheduled: public from the publish time set on it. "
        "1 film was already published."
    ]
    for movie in drafts:
        movie.refresh_from_db()
        assert movie.is_public
        assert timezone.now() - movie.published_at < datetime.timedelta(minutes=1)
    scheduled_draft.refresh_from_db()
    assert scheduled_draft.status == Movie.Status.PUBLISHED
    assert scheduled_draft.published_at == later and not scheduled_draft.is_public


def test_unpublish_action(editor_client):
    public = [MovieFactory() for _ in range(3)]
    draft = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
    response = editor_client.post(
        LIST_URL,
        {
            "action": "unpublish",
            "_selected_action": [m.pk for m in [*public, draft]],
        },
        follow=True,
    )
    assert messages_of(response) == [
        "Unpublished 3 films: hidden from readers until published. 1 film was already a draft."
    ]
    assert not Movie.objects.published().exists()


# --- view on site and preview ---------------------------------------------------------------


def test_scheduled_film_has_a_scheduled_preview_link(editor_client):
    scheduled = MovieFactory(published_at=timezone.now() + datetime.timedelta(days=3))
    page = editor_client.get(change_url(scheduled)).content.decode()
    assert (
        f'href="{scheduled.get_absolute_url()}" class="viewsitelink">Preview (scheduled)</a>'
        in page
    )
    assert "View on site" not in page and "Preview draft" not in page


def test_draft_has_a_preview_link_and_public_film_a_view_on_site_link(editor_client):
    draft = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
    page = editor_client.get(change_url(draft)).content.decode()
    assert f'href="{draft.get_absolute_url()}" class="viewsitelink">Preview draft</a>' in page
    assert "View on site" not in page
    assert editor_client.get(draft.get_absolute_url()).status_code == 200  # staff preview

    public = MovieFactory()
    page = editor_client.get(change_url(public)).content.decode()
    assert "View on site" in page and "Preview draft" not in page


def test_person_autocomplete_for_credits(editor_client):
    PersonFactory(name="Zhang Yi")
    PersonFactory(name="Zhang Yimou")
    PersonFactory(name="Fan Wei")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "movies",
            "model_name": "credit",
            "field_name": "person",
            "term": "zhang",
        },
    )
    assert sorted(r["text"] for r in response.json()["results"]) == ["Zhang Yi", "Zhang Yimou"]


def test_person_autocomplete_offers_the_exact_name_first(editor_client):
    """Typing "Zhang Yi" in a credit row must offer Zhang Yi, not Xinyi Zhang, first."""
    for name in ("Xinyi Zhang", "Yi Zhang", "Zhang Yimou", "Zhang Yi", "Aaron Zhang Yi"):
        PersonFactory(name=name)

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "movies", "model_name": "credit", "field_name": "person", "term": "Zhang Yi"},
    )

    offered = [r["text"] for r in response.json()["results"]]
    assert offered == ["Zhang Yi", "Zhang Yimou", "Aaron Zhang Yi", "Xinyi Zhang", "Yi Zhang"]

    people = editor_client.get(reverse("admin:movies_person_changelist"), {"q": "zhang yi"})
    assert [p.name for p in people.context["cl"].result_list][0] == "Zhang Yi"


# --- the verdict ladder ----------------------------------------------------------------------


def band_post(band, **changes):
    data = {
        "name": band.name,
        "slug": band.slug,
        "min_multiple": str(band.min_multiple),
        "order": str(band.order),
        "tone": band.tone,
    }
    data.update(changes)
    return data


def test_overlapping_band_is_refused(editor_client):
    hit = VerdictBand.objects.get(slug="hit")
    response = editor_client.post(
        reverse("admin:movies_verdictband_change", args=[hit.pk]),
        band_post(hit, min_multiple="4.5"),  # above Super hit's 4x
    )
    assert "Overlaps “Super hit”" in form_errors(response)["min_multiple"][0]
    hit.refresh_from_db()
    assert hit.min_multiple == Decimal("2.5")


def test_deleting_the_lowest_band_is_refused(editor_client):
    disaster = VerdictBand.objects.get(slug="disaster")
    url = reverse("admin:movies_verdictband_delete", args=[disaster.pk])
    response = editor_client.post(url, {"post": "yes"}, follow=True)
    assert VerdictBand.objects.filter(pk=disaster.pk).exists()
    assert messages_of(response)[0].startswith(
        "Not deleted: the ladder would have a gap. The lowest band, Flop, starts at 0.50x"
    )

    response = editor_client.post(
        reverse("admin:movies_verdictband_changelist"),
        {
            "action": "delete_bands",
            "_selected_action": [disaster.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert VerdictBand.objects.filter(pk=disaster.pk).exists()
    assert "the ladder would have a gap" in messages_of(response)[0]


def test_deleting_a_top_band_works_and_refreshes_the_ladder(editor_client):
    assert any(b.slug == "blockbuster" for b in VerdictBand.objects.ladder())
    top = VerdictBand.objects.get(slug="blockbuster")
    editor_client.post(
        reverse("admin:movies_verdictband_changelist"),
        {
            "action": "delete_bands",
            "_selected_action": [top.pk],
            "post": "yes",
        },
    )
    assert not VerdictBand.objects.filter(slug="blockbuster").exists()
    assert [b.slug for b in VerdictBand.objects.ladder()][-1] == "super-hit"


def change_view_queries(client, movie):
    client.get(change_url(movie))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(change_url(movie))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.slow  # renders 40 inline credit rows
def test_film_form_queries_do_not_grow_with_the_cast(editor_client, django_assert_max_num_queries):
    """Guards against N+1 in the film form: each credit row's person autocomplete and each
    offer row's provider list would otherwise cost a query per row. The verdict panel at the
    top reads the film's genres once (its answer names them)."""
    counts = []
    for cast in (2, 40):
        movie = MovieFactory()
        CreditFactory.create_batch(cast, movie=movie)
        for n, country in enumerate(["US", "GB", "FR", "DE", "CA"][: cast // 8 + 1]):
            provider = ProviderFactory(name=f"Provider {cast}-{n}")
            AvailabilityFactory(movie=movie, provider=provider, country=country)
        counts.append(change_view_queries(editor_client, movie))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(17):
        editor_client.get(change_url(movie))


def test_bad_poster_is_a_form_error_not_a_server_error(editor_client, settings):
    response = editor_client.post(
        ADD_URL, movie_post(poster=upload(png_claiming(20_000, 20_000), "bomb.png"))
    )
    assert "decompression bomb" in form_errors(response)["poster"][0]
    assert not Movie.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*")), "a refused upload writes nothing"


def test_lowest_band_must_start_at_zero(editor_client):
    disaster = VerdictBand.objects.get(slug="disaster")
    response = editor_client.post(
        reverse("admin:movies_verdictband_change", args=[disaster.pk]),
        band_post(disaster, min_multiple="0.2"),
    )
    assert form_errors(response)["min_multiple"] == [
        "The lowest band would be “Disaster” from 0.2x: the ladder must start at 0x, "
        "or films below it fall in a gap with no verdict."
    ]


# --- posters that are not 2:3 -------------------------------------------------------------


def test_a_square_poster_is_saved_with_a_warning_about_the_crop(editor_client):
    response = editor_client.post(
        ADD_URL, movie_post(poster=upload(image_bytes(size=(900, 900)))), follow=True
    )

    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "The poster is 900×900 pixels, not 2:3, so the page shows it cropped to 2:3: 33% of "
        "its width (left and right edges) is cut off. Upload a 2:3 image (e.g. 1000×1500) to "
        "show all of it."
    ]
    assert Movie.objects.get().poster_large  # saved all the same
    assert "cut off" in response.content.decode()  # shown on the page the editor lands on


@pytest.mark.parametrize(
    ("size", "warned"),
    [((600, 900), False), ((600, 820), False), ((600, 1300), True), ((1600, 900), True)],
)
def test_only_posters_far_from_2_3_get_a_crop_warning(editor_client, size, warned):
    response = editor_client.post(ADD_URL, movie_post(poster=upload(image_bytes(size=size))))

    assert response.status_code == 302
    assert any("cut off" in m for m in messages_of(response)) is warned


def test_saving_without_a_new_poster_does_not_warn_again(editor_client):
    editor_client.post(
        ADD_URL, movie_post(poster=upload(image_bytes(size=(900, 900)))), follow=True
    )  # the first warning is read
    movie = Movie.objects.get()

    response = editor_client.post(change_url(movie), movie_post(slug=movie.slug))

    assert response.status_code == 302
    assert not any("cut off" in m for m in messages_of(response))


def test_crop_warning_says_how_much_and_which_way():
    assert crop_warning(1000, 1500) == ""
    assert crop_warning(1000, 1000).split(": ")[1].startswith("33% of its width")
    assert "50% of its height" in crop_warning(500, 1500)
    assert "62% of its width" in crop_warning(1920, 1080)
    assert crop_warning(0, 0) == ""


# --- where to watch -------------------------------------------------------------------------


def test_offers_are_a_table_of_one_line_each_with_short_inputs(editor_client):
    """A compact table: stacked, twelve offers made the One Second form about 9,900 px
    tall at 1280 px; the narrow boxes (static/css/admin.css) keep the table within the
    page's width (tests/e2e/test_admin_fit.py measures both in Chromium)."""
    movie = MovieFactory()
    AvailabilityFactory(movie=movie, provider=ProviderFactory(name="Apple TV"), country="US")

    page = editor_client.get(change_url(movie)).content.decode()

    group = page.split('id="availabilities-group"')[1].split('id="regional_grosses-group"')[0]
    assert 'data-inline-type="tabular"' in group and "<table" in group
    assert 'name="availabilities-0-price_currency"' in group
    assert 'size="4"' in group.split('name="availabilities-0-price_currency"')[1].split(">")[0]
    assert "Currently:" not in group  # the admin's link widget repeats the link


def test_offer_country_has_help_that_says_something(editor_client):
    movie = MovieFactory()
    AvailabilityFactory(movie=movie, provider=ProviderFactory(name="Apple TV"), country="US")
    page = editor_client.get(change_url(movie)).content.decode()
    assert "Where this offer holds: one row per country." in page
    assert "ISO 3166-1" not in page


# --- posters, from the upload to the pages --------------------------------------------------


def add_film_with_poster(client):
    response = client.post(
        ADD_URL,
        movie_post(
            poster=upload(image_bytes(size=(1000, 1500))),
            status="published",
            published_at_0="2026-01-01",
            published_at_1="12:00:00",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Movie.objects.get()


def test_film_list_shows_each_posters_thumbnail(editor_client):
    movie = add_film_with_poster(editor_client)
    page = editor_client.get(LIST_URL).content.decode()
    assert f'<img src="{movie.poster_small.url}" width="40" height="60" alt="">' in page


def test_public_page_poster_has_both_renditions_and_its_size(editor_client, client):
    movie = add_film_with_poster(editor_client)
    page = client.get(movie.get_absolute_url()).content.decode()
    img = page.split(f'<img src="{movie.poster_small.url}"')[1].split(">")[0]
    assert f'srcset="{movie.poster_small.url} 200w, {movie.poster_large.url} 500w"' in img
    assert 'width="200" height="300"' in img
    assert client.get(movie.poster_large.url).status_code in (200, 404)  # served in prod only


# --- providers --------------------------------------------------------------------------


def test_provider_homepage_without_a_scheme_is_https(editor_client):
    response = editor_client.post(
        reverse("admin:movies_provider_add"),
        {"name": "Apple TV", "slug": "apple-tv", "homepage": "tv.apple.com"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Provider.objects.get().homepage == "https://tv.apple.com"


def test_changing_the_assessment_signs_it_with_the_editor_and_today(editor_client, editor):
    response = editor_client.post(
        ADD_URL, movie_post(editorial_assessment="A love letter to cinema.")
    )
    assert response.status_code == 302
    movie = Movie.objects.get(title="One Second")
    assert movie.assessment_by == editor
    assert movie.assessment_reviewed_on == timezone.localdate()


def test_an_edit_that_leaves_the_assessment_alone_keeps_its_signature(editor_client, editor):
    signed_on = timezone.localdate() - datetime.timedelta(days=30)
    movie = MovieFactory(
        title="One Second", editorial_assessment="Still good.", assessment_reviewed_on=signed_on
    )
    url = reverse("admin:movies_movie_change", args=[movie.pk])
    data = movie_post(
        slug=movie.slug,
        editorial_assessment="Still good.",
        assessment_reviewed_on=signed_on.isoformat(),
        runtime_minutes="105",
    )
    assert editor_client.post(url, data).status_code == 302
    movie.refresh_from_db()
    assert (movie.assessment_by, movie.assessment_reviewed_on) == (None, signed_on)


@pytest.mark.parametrize("typed", ["1,300,000", "1 300 000", "1300000", " 1_300_000 "])
def test_money_is_typed_with_or_without_thousands_separators(editor_client, typed):
    response = editor_client.post(ADD_URL, movie_post(budget=typed))
    assert response.status_code == 302, form_errors(response)
    movie = Movie.objects.get()
    assert movie.budget == 1_300_000
    page = editor_client.get(change_url(movie)).content.decode()
    assert 'name="budget" value="1,300,000"' in page


def test_money_that_is_not_a_number_is_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, movie_post(budget="1.3 million"))
    assert form_errors(response)["budget"] == ["Enter a whole number."]
