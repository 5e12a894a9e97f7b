"""The admin fits the screen (issue 12), measured in Chromium at 1280 px: the film list
shows every column without scrolling (it was cut at "last updated"), and One Second's
change form with its twelve offers is a fraction of the ~10,500 px it was with the offers
stacked and every section open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from movies.models import Availability
from tests.e2e import data
from tests.factories import AvailabilityFactory, MovieFactory, ProviderFactory, UserFactory

#: One Second's twelve offers in the demo (movies/fixtures/demo_films.toml).
TWELVE_OFFERS = [
    (provider, country, kind)
    for country, offers in {
        "US": [(p, k) for p in ("Apple TV", "Google Play Movies", "Amazon Prime Video")
               for k in ("rent", "buy")],
        "GB": [(p, k) for p in ("Apple TV", "Amazon Prime Video") for k in ("rent", "buy")],
        "CA": [("Apple TV", "buy"), ("Google Play Movies", "buy")],
    }.items()
    for provider, kind in offers
]  # fmt: skip
#: The change form's height at 1280 px must stay under this (it was ~9,900 px).
FORM_HEIGHT_LIMIT = 5_000


def one_second_as_in_the_demo():
    film = data.catalogue()
    for provider, country, kind in TWELVE_OFFERS:
        if not Availability.objects.filter(
            movie=film, provider__name=provider, country=country, kind=kind
        ).exists():
            AvailabilityFactory(
                movie=film, provider=ProviderFactory(name=provider), country=country, kind=kind
            )
    assert film.availabilities.count() == 12
    return film


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_one_seconds_form_is_short_and_no_wider_than_the_screen(
    page, log_in, shoot, no_horizontal_overflow
):
    film = one_second_as_in_the_demo()
    log_in(page, UserFactory(username="editor", is_staff=True, is_superuser=True))

    page.goto(reverse("admin:movies_movie_change", args=[film.pk]))

    height = page.evaluate("document.documentElement.scrollHeight")
    shoot(page, "admin-one-second-form")
    print(f"One Second's change form at 1280 px: {height} px tall")
    assert height < FORM_HEIGHT_LIMIT
    no_horizontal_overflow(page)
    # One line an offer: the twelve rows of the table, each one row tall.
    rows = page.locator("#availabilities-group tbody tr.has_original")
    assert rows.count() == 12
    heights = {round(box["height"]) for box in rows.evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect())")}  # fmt: skip
    assert max(heights) < 80, heights
    # The folded sections open without a script, on a click of their summary.
    plot = page.locator("details", has=page.get_by_role("heading", name="Plot"))
    expect_closed = plot.evaluate("d => d.open")
    assert expect_closed is False
    plot.locator("summary").click()
    assert plot.evaluate("d => d.open") is True


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_film_list_fits_1280_px(page, log_in, shoot, no_horizontal_overflow):
    one_second_as_in_the_demo()
    log_in(page, UserFactory(username="editor", is_staff=True, is_superuser=True))

    MovieFactory(
        title="The Assassination of Jesse James by the Coward Robert Ford",
        published_at=timezone.now() + datetime.timedelta(days=3),
    )

    page.goto(reverse("admin:movies_movie_changelist"))

    shoot(page, "admin-film-list")
    no_horizontal_overflow(page)
    # The table scrolls inside its own box when too wide: every column must show.
    wide, shown = page.locator("#changelist .results").evaluate(
        "box => [box.scrollWidth, box.clientWidth]"
    )
    print(f"film list table at 1280 px: {wide} px wide in a {shown} px box")
    assert wide <= shown
