"""axe-core on every page type, at both widths and in both colour schemes, with screenshots."""

import pytest

from tests.e2e import data

PAGES = {
    "home": "/",
    "list": "/movies/",
    "verdict": "/movies/one-second-2020/",
    "person": "/people/zhang-yimou/",
    "genre": "/genres/drama/",
    "search": "/search/?q=second",
    "reviews": "/movies/one-second-2020/reviews/",
    "signup": "/accounts/signup/",
    "login": "/accounts/login/",
    "review-form": "/movies/one-second-2020/review/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_accessibility_violations(
    page, name, shoot, assert_accessible, no_horizontal_overflow, log_in
):
    data.catalogue()
    if name == "review-form":
        log_in(page, data.reader())

    response = page.goto(PAGES[name])

    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    shoot(page, name)
    no_horizontal_overflow(page)
    assert_accessible(page)
