"""Two editors on one film: the later save of a stale form is refused, nothing is lost."""

from django.test import Client

from movies import history
from movies.models import Movie
from tests.factories import UserFactory
from tests.movies.browser_form import form_data
from tests.movies.test_admin import change_url


def test_the_second_editor_is_told_who_changed_the_film_and_nothing_is_overwritten(
    editor_client, one_second
):
    from django.contrib.auth.models import Group

    other = UserFactory(username="second-editor", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    second = Client()
    second.force_login(other)

    mine = editor_client.get(change_url(one_second))
    theirs = second.get(change_url(one_second))

    saved = second.post(change_url(one_second), form_data(theirs, "movie_form", budget="2000000"))
    assert saved.status_code == 302

    refused = editor_client.post(
        change_url(one_second), form_data(mine, "movie_form", synopsis="My new synopsis.")
    )
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "second-editor changed this film on" in text
    assert "Nothing was saved" in text
    versions = list(history.movie_versions(one_second))
    compare = f"?a={versions[1].pk}&amp;b={versions[0].pk}"
    assert compare in text  # a link to compare theirs with the version I opened

    one_second.refresh_from_db()
    assert one_second.budget == 2_000_000
    assert one_second.synopsis != "My new synopsis."

    fresh = editor_client.get(change_url(one_second))  # reloaded: my save goes through
    again = editor_client.post(
        change_url(one_second), form_data(fresh, "movie_form", synopsis="My new synopsis.")
    )
    assert again.status_code == 302
    assert Movie.objects.get(pk=one_second.pk).synopsis == "My new synopsis."
    assert Movie.objects.get(pk=one_second.pk).budget == 2_000_000


def test_a_damaged_opened_at_is_refused_not_a_500(editor_client, one_second):
    page = editor_client.get(change_url(one_second))
    response = editor_client.post(
        change_url(one_second), form_data(page, "movie_form", opened_at="yesterday")
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
