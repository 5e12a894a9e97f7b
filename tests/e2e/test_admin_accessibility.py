"""axe-core on the editors' admin, at both widths and in both colour schemes: no critical
or serious violation (issue 12). Every form control has an accessible name, links are
told apart by more than colour, targets are big enough, and no page scrolls sideways.

Only critical and serious findings count here: Django's tabular inlines keep an empty
first column header (axe "empty-table-header", minor), which only a copy of Django's
template would fill."""

import pytest
from django.urls import reverse

from movies import history, services
from movies.models import Person
from tests.e2e import data
from tests.factories import UserFactory


def _admin_pages(film):
    versions = list(history.movie_versions(film))
    person = Person.objects.get(name="Zhang Yimou")
    return {
        "index": reverse("admin:index"),
        "film-list": reverse("admin:movies_movie_changelist"),
        "film-form": reverse("admin:movies_movie_change", args=[film.pk]),
        "person-form": reverse("admin:movies_person_change", args=[person.pk]),
        "reviews-list": reverse("admin:reviews_review_changelist"),
        "history": reverse("admin:movies_movie_history", args=[film.pk]),
        "compare": reverse("admin:movies_movie_compare", args=[film.pk])
        + f"?a={versions[1].pk}&b={versions[0].pk}",
    }


SERIOUS = ("critical", "serious")
PAGES = ["index", "film-list", "film-form", "person-form", "reviews-list", "history", "compare"]


@pytest.fixture
def film_with_history():
    film = data.catalogue()
    editor = UserFactory(username="editor", is_staff=True, is_superuser=True)
    services.movie_save(movie=film, editor=editor)
    film.budget = 1_500_000
    services.movie_save(movie=film, editor=editor)
    return film, editor


@pytest.mark.parametrize("name", PAGES)
def test_admin_page_has_no_accessibility_violations(
    page, name, film_with_history, shoot, assert_accessible, no_horizontal_overflow, log_in
):
    film, editor = film_with_history
    log_in(page, editor)

    response = page.goto(_admin_pages(film)[name])

    assert response.status == 200
    assert page.locator("h1").count() == 1
    shoot(page, f"admin-{name}")
    no_horizontal_overflow(page)
    assert_accessible(page, impacts=SERIOUS)


def test_admin_login_has_a_heading_and_no_accessibility_violations(
    page, shoot, assert_accessible, no_horizontal_overflow
):
    response = page.goto(reverse("admin:login"))

    assert response.status == 200
    assert page.get_by_role("heading", level=1).count() == 1
    shoot(page, "admin-login")
    no_horizontal_overflow(page)
    assert_accessible(page, impacts=SERIOUS)
