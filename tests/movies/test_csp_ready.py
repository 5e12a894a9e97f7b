"""Guards the coming strict Content-Security-Policy: no inline scripts, no style= attributes."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/movies/",
        "/movies/one-second-2020/",
        "/movies/one-second-2020/reviews/",
        "/genres/drama/",
        "/people/liu-haocun/",
        "/search/?q=one",
        "/accounts/login/",
        "/accounts/signup/",
        "/movies/one-second-2020/review/",
    ],
)
def test_pages_need_no_inline_script_or_style(client, one_second, path):
    if path.endswith("/review/"):
        client.force_login(UserFactory(username="csp-reader"))
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"\sstyle\s*=", html), "style= attribute"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", html), "inline event handler"
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert 'type="application/ld+json"' in attributes or "src=" in attributes
    assert "<style" not in html
