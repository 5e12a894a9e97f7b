"""The film form fits the work (issue 12): sections in the page's order that fold, a panel
with what the page says from the saved figures, offers whose currency comes from their
country, and a name for every control of every inline row."""

import re

import pytest
from django.urls import reverse

from movies import history
from movies.currencies import currency_for_country
from movies.models import Availability
from tests.factories import AvailabilityFactory, MovieFactory, ProviderFactory
from tests.movies.browser_form import form_data
from tests.movies.test_admin import change_url

# --- currency from the country ---------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "currency"),
    [("GB", "GBP"), ("CA", "CAD"), ("US", "USD"), ("FR", "EUR"), ("DE", "EUR"), ("IE", "EUR")],
)
def test_each_country_has_its_own_currency(country, currency):
    assert currency_for_country(country) == currency


def test_an_unlisted_country_gives_no_currency():
    assert currency_for_country("AQ") == ""
    assert currency_for_country("") == ""
    assert currency_for_country(None) == ""


def test_a_blank_currency_is_filled_from_the_country_and_an_explicit_one_is_kept(db):
    movie = MovieFactory()
    uk = AvailabilityFactory(movie=movie, country="GB", price_currency="")
    canada = AvailabilityFactory(movie=movie, country="CA", price_currency="")
    explicit = AvailabilityFactory(movie=movie, country="GB", price_currency="USD", kind="buy")
    unknown = AvailabilityFactory(movie=movie, country="AQ", price_currency="")

    assert Availability.objects.get(pk=uk.pk).price_currency == "GBP"
    assert Availability.objects.get(pk=canada.pk).price_currency == "CAD"
    assert Availability.objects.get(pk=explicit.pk).price_currency == "USD"
    assert Availability.objects.get(pk=unknown.pk).price_currency == ""


def test_one_seconds_uk_offer_is_in_pounds_not_dollars(one_second):
    currencies = {o.country.code: o.price_currency for o in one_second.availabilities.all()}
    assert currencies == {"US": "USD", "GB": "GBP"}


def test_the_form_suggests_each_rows_country_currency_and_a_blank_box_saves_it(
    editor_client, one_second
):
    Availability.objects.filter(movie=one_second).update(price_currency="")  # older rows
    page = editor_client.get(change_url(one_second))
    html = page.content.decode()
    uk = Availability.objects.get(movie=one_second, country="GB")
    row = next(n for n in range(4) if f'name="availabilities-{n}-id" value="{uk.pk}"' in html)
    box = html.split(f'name="availabilities-{row}-price_currency"')[1].split(">")[0]
    assert 'placeholder="GBP"' in box
    assert "USD" not in box

    data = form_data(page, "movie_form")
    data[f"availabilities-{row}-price"] = "7.99"
    canada = {
        "provider": str(ProviderFactory(name="Crave").pk),
        "kind": "rent",
        "country": "CA",
        "price": "4.99",
        "price_currency": "",
        "link": "",
        "last_checked": "2026-01-01",
    }
    new = int(data["availabilities-TOTAL_FORMS"]) - 1  # the empty extra row
    data.update({f"availabilities-{new}-{k}": v for k, v in canada.items()})
    response = editor_client.post(change_url(one_second), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    uk.refresh_from_db()
    assert (str(uk.price), uk.price_currency) == ("7.99", "GBP")
    assert Availability.objects.get(movie=one_second, country="CA").price_currency == "CAD"


# --- sections, the verdict panel --------------------------------------------------------


def sections(html):
    """[(title, folded)] of the form's fieldsets, in order."""
    found = []
    for match in re.finditer(
        r'<fieldset class="module aligned ([^"]*)".*?class="fieldset-heading">([^<]+)</h2>',
        html,
        flags=re.S,
    ):
        found.append((match.group(2), "collapse" in match.group(1)))
    return found


def test_the_change_form_leads_with_the_verdict_and_folds_the_rarely_edited(
    editor_client, one_second
):
    html = editor_client.get(change_url(one_second)).content.decode()
    found = sections(html)
    titles = [title for title, _ in found]
    assert titles[0] == "What the page says now"
    assert titles.index("Plot") < titles.index("Ending (spoiler)") < titles.index("Box office")
    folded = {title for title, is_folded in found if is_folded}
    assert {"Plot", "Ending (spoiler)", "Assessment", "What critics say"} <= folded
    assert not {"Identity and facts", "Box office", "Publishing"} & folded
    assert "<details><summary>" in html  # folds open without JavaScript


def test_a_new_film_shows_every_section_open(editor_client):
    html = editor_client.get(reverse("admin:movies_movie_add")).content.decode()
    found = sections(html)
    assert found and not any(folded for _, folded in found)
    assert "What the page says now" not in html


def test_the_panel_shows_the_verdict_multiple_and_score_from_the_saved_figures(
    editor_client, one_second
):
    html = editor_client.get(change_url(one_second)).content.decode()
    panel = html.split("What the page says now")[1].split("</fieldset>")[0]
    assert "Blockbuster" in panel
    assert "8.3x its $1.3M budget" in panel
    assert "7.3/10" in panel  # the outside rating alone: no readers yet
    assert "Yes, if you enjoy drama" in panel


def test_the_panel_ignores_figures_typed_but_not_saved(editor_client, one_second):
    page = editor_client.get(change_url(one_second))
    data = form_data(page, "movie_form", budget="50000000", runtime_minutes="0")
    response = editor_client.post(change_url(one_second), data)

    assert response.status_code == 200  # refused: a runtime of 0
    panel = response.content.decode().split("What the page says now")[1].split("</fieldset>")[0]
    assert "Blockbuster" in panel and "8.3x" in panel


def test_a_folded_section_with_an_error_opens(editor_client, one_second):
    page = editor_client.get(change_url(one_second))
    data = form_data(page, "movie_form", external_rating="11")
    response = editor_client.post(change_url(one_second), data)

    assert response.status_code == 200
    found = dict(sections(response.content.decode()))
    assert found["External rating"] is False  # it holds the error: open
    assert found["Plot"] is True


# --- every control has a name -----------------------------------------------------------


def test_every_inline_control_is_named_by_its_column_and_row(editor_client, one_second):
    html = editor_client.get(change_url(one_second)).content.decode()
    for label in [
        "Role, credit 1",
        "Character name, credit 2",
        "Billing order, credit 3",
        "Delete credit 1",
        "Person, new credit",
        "Provider, offer 1",
        "Currency, offer 4",
        "Last checked, offer 2",
        "Region, regional gross 1",
    ]:
        assert f'aria-label="{label}' in html, label
    assert 'aria-label="Publish date"' in html and 'aria-label="Publish time"' in html


def test_money_boxes_are_text_boxes_showing_the_separators(editor_client, one_second):
    """The admin's number box replaced MoneyField's text box: Chromium shows "1,300,000" in
    a number box as empty, so saving One Second's form blanked its budget."""
    html = editor_client.get(change_url(one_second)).content.decode()
    for name, shown in [("budget", "1,300,000"), ("worldwide_gross", "10,800,000")]:
        box = (
            html.split(f'name="{name}"')[0].rsplit("<input", 1)[1]
            + html.split(f'name="{name}"')[1].split(">")[0]
        )
        assert 'type="text"' in box and f'value="{shown}"' in box, box


def test_a_browser_save_of_multi_line_texts_changes_nothing_it_did_not_change(
    editor_client, one_second
):
    """Browsers send a textarea's lines joined by CR LF: each save of One Second from the
    browser logged "Changed Worth watching if you…" though nobody had touched it."""
    page = editor_client.get(change_url(one_second))
    data = form_data(page, "movie_form", budget="2,500,000")
    data = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
    response = editor_client.post(change_url(one_second), data)

    assert response.status_code == 302
    assert history.movie_versions(one_second).first().revision.comment == (
        "Changed Production budget."
    )
    one_second.refresh_from_db()
    assert "\r" not in one_second.watch_if and len(one_second.watch_if_points) == 2
