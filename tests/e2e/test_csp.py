"""The strict Content-Security-Policy blocks nothing the site or the admin needs.

The `page` fixture fails on any violation Chromium reports, so every browser test checks
the policy; these visit the admin pages with the most machinery (change forms with their
widgets, autocomplete and inlines) and prove a violation is noticed at all.
"""

import pytest

from tests.e2e import data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PAGES = [
    "/admin/",
    "/admin/movies/movie/",
    "/admin/movies/movie/add/",
    "/admin/movies/person/add/",
    "/admin/reviews/review/",
    "/admin/accounts/user/add/",
    "/admin/password_change/",
]


def test_admin_pages_run_under_the_policy(page, log_in):
    film = data.catalogue()
    log_in(page, UserFactory(is_staff=True, is_superuser=True))
    for path in [*ADMIN_PAGES, f"/admin/movies/movie/{film.pk}/change/"]:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")


def test_an_inline_script_is_reported(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    found = []
    page.on("console", lambda message: found.append(message.text))
    page.goto("/movies/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.x = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    context.close()
    assert any("Content Security Policy" in text for text in found)
