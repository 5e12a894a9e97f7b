"""From a verdict page a reader acts (rates, saves, marks seen) and moves on, on a phone
and a desktop, with plain forms, and the pages they reach pass axe."""

from playwright.sync_api import expect

from tests.e2e import data


def test_a_reader_saves_rates_and_finds_the_film_on_their_watchlist(
    page, log_in, assert_accessible, no_horizontal_overflow, shoot
):
    film = data.catalogue()
    log_in(page, data.reader())
    page.goto(film.get_absolute_url())

    page.get_by_role("button", name="Add to watchlist").first.click()
    expect(page).to_have_url(f"{page.url.split('/movies/')[0]}{film.get_absolute_url()}")
    expect(page.get_by_role("button", name="On your watchlist").first).to_be_visible()

    page.locator('label[for="rate-8"]').click()  # the visible button-like label
    expect(page.get_by_label("8 out of 10")).to_be_checked()
    page.get_by_role("button", name="Rate", exact=True).click()
    expect(page.get_by_text("You rated it 8/10")).to_be_visible()

    page.goto("/me/watchlist/")
    expect(page.get_by_role("link", name=film.title).first).to_be_visible()
    shoot(page, "watchlist")
    no_horizontal_overflow(page)
    assert_accessible(page)


def test_a_reader_picks_their_services(page, log_in, assert_accessible, no_horizontal_overflow):
    data.catalogue()
    log_in(page, data.reader())
    response = page.goto("/me/services/")
    assert response.status == 200
    no_horizontal_overflow(page)
    assert_accessible(page)


def test_a_reader_adds_a_film_from_the_more_like_this_shelf(page, log_in):
    """The shelves are one cached part for every reader, with each reader's buttons
    filled in (movies/fragments.py): the button can be clicked (the card's stretched
    title link covered it) and shows the reader's own state."""
    from movies import services

    film = data.catalogue()
    services.similar_films_refresh(movies=[film])
    log_in(page, data.reader())
    page.goto(film.get_absolute_url())
    card = page.locator("#more-like-this article.card").first
    title = card.locator(".card__title a").inner_text()
    card.get_by_role("button", name="Add to watchlist").click()
    expect(page).to_have_url(f"{page.url.split('/movies/')[0]}{film.get_absolute_url()}")
    card = page.locator("#more-like-this article.card").first
    expect(card.get_by_role("button", name="On your watchlist")).to_be_visible()
    page.goto("/me/watchlist/")
    expect(page.get_by_role("link", name=title).first).to_be_visible()
