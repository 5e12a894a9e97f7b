"""A film's history in the admin: every save makes a version; compare two; restore one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from movies import history, services
from movies.models import Movie, Person, Provider
from tests.factories import CreditFactory, MovieFactory, PersonFactory
from tests.movies.browser_form import form_data
from tests.movies.test_admin import change_url, messages_of


def history_url(movie):
    return reverse("admin:movies_movie_history", args=[movie.pk])


def compare_url(movie, old, new):
    return reverse("admin:movies_movie_compare", args=[movie.pk]) + f"?a={old.pk}&b={new.pk}"


def save_in_admin(client, movie, **changes):
    page = client.get(change_url(movie))
    response = client.post(change_url(movie), form_data(page, "movie_form", **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_change_compare_and_restore_one_seconds_budget(editor_client, editor, one_second):
    save_in_admin(editor_client, one_second, budget="2500000")
    versions = list(history.movie_versions(one_second))
    # The state before the first save is kept too, so the change can be undone.
    assert [v.revision.comment for v in versions] == [
        "Changed Production budget.",
        "As it was before history was kept.",
    ]
    assert versions[0].revision.user == editor

    page = editor_client.get(history_url(one_second))
    assert "Changed Production budget." in page.content.decode()
    compare = editor_client.get(compare_url(one_second, versions[1], versions[0]))
    text = compare.content.decode()
    assert "Production budget" in text
    assert "1,300,000" in text and "2,500,000" in text
    assert "<h2>Credits</h2>" not in text  # no credit changed: no inline section

    response = editor_client.post(
        reverse("admin:movies_movie_restore", args=[one_second.pk, versions[1].pk])
    )
    assert response.status_code == 302
    assert "as a new version" in messages_of(response)[0]
    one_second.refresh_from_db()
    assert one_second.budget == 1_300_000
    assert one_second.box_office_multiple == pytest.approx(10_800_000 / 1_300_000)
    after = list(history.movie_versions(one_second))
    assert len(after) == 3  # a new version; the one it replaced is kept
    assert after[0].revision.comment.startswith("Restored the version of")
    assert after[1].pk == versions[0].pk


def test_compare_shows_inlines_row_by_row_and_restore_brings_them_back(editor, one_second):
    services.movie_save(movie=one_second, editor=editor)
    before = history.movie_versions(one_second).first()
    lead = one_second.credits.get(billing_order=1)
    lead.character_name = "Liu Girl"
    lead.save()
    one_second.credits.get(person__name="Fan Wei").delete()
    CreditFactory(movie=one_second, person=PersonFactory(name="Yu Ailei"), billing_order=4)
    services.movie_save(movie=one_second, editor=editor)
    after = history.movie_versions(one_second).first()

    comparison = history.compare(one_second, before, after)
    assert comparison.fields == []
    title, rows = comparison.inlines[0]
    assert title == "Credits"
    shown = {(row.status, row.label.split(" · ")[0]) for row in rows}
    assert shown == {("changed", "Liu Haocun"), ("removed", "Fan Wei"), ("added", "Yu Ailei")}
    changed = next(row for row in rows if row.status == "changed")
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("character name", "Liu", "Liu Girl")
    ]

    services.movie_restore(version=before, editor=editor)
    names = set(one_second.credits.values_list("person__name", flat=True))
    assert names == {"Zhang Yimou", "Liu Haocun", "Zhang Yi", "Fan Wei"}
    assert one_second.credits.get(billing_order=1).character_name == "Liu"


def test_restore_leaves_readers_ratings_alone(editor, one_second):
    services.movie_save(movie=one_second, editor=editor)
    old = history.movie_versions(one_second).first()
    Movie.objects.filter(pk=one_second.pk).update(rating_count=3, rating_sum=24)
    services.movie_restore(version=old, editor=editor)
    one_second.refresh_from_db()
    assert (one_second.rating_count, one_second.rating_sum) == (3, 24)


def test_restore_drops_links_to_people_deleted_since(editor, one_second):
    services.movie_save(movie=one_second, editor=editor)
    old = history.movie_versions(one_second).first()
    Person.objects.filter(name="Fan Wei").delete()
    services.movie_restore(version=old, editor=editor)
    assert one_second.credits.count() == 3


def test_publish_and_unpublish_record_versions_by_the_editor(editor, one_second):
    services.unpublish_movies(movies=Movie.objects.all(), editor=editor)
    services.publish_movies(movies=Movie.objects.all(), editor=editor)
    comments = [v.revision.comment for v in history.movie_versions(one_second)]
    assert comments == ["Published.", "Unpublished."]


def test_person_and_provider_saves_are_versioned(editor_client, editor, one_second):
    person = Person.objects.get(name="Fan Wei")
    services.person_save(person=person, editor=editor, comment="Changed name.")
    assert Version.objects.get_for_object(person).get().revision.user == editor
    provider = Provider.objects.first()
    page = editor_client.get(reverse("admin:movies_provider_change", args=[provider.pk]))
    editor_client.post(
        reverse("admin:movies_provider_change", args=[provider.pk]),
        form_data(page, "provider_form", name="Apple TV+"),
    )
    assert Version.objects.get_for_object(provider).get().field_dict["name"] == "Apple TV+"


def test_import_records_a_version_per_film_named_after_the_file(db, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "films.csv"
    path.write_text("title,year,budget\nOne Second,2020,1300000\nHero,2002,31000000\n")
    call_command("import_movies", str(path), verbosity=0)
    for movie in Movie.objects.all():
        version = history.movie_versions(movie).get()
        assert version.revision.comment == "Imported from films.csv."
        assert version.field_dict["title"] == movie.title


def test_compare_refuses_a_version_of_another_film(editor_client, editor, one_second):
    other = MovieFactory(title="Hero")
    services.movie_save(movie=other, editor=editor)
    services.movie_save(movie=one_second, editor=editor)
    theirs = history.movie_versions(other).first()
    ours = history.movie_versions(one_second).first()
    response = editor_client.get(compare_url(one_second, theirs, ours))
    assert response.status_code == 302
    assert "Pick two different versions" in messages_of(response)[0]
    garbage = reverse("admin:movies_movie_compare", args=[one_second.pk]) + "?a=x&b=²"
    assert editor_client.get(garbage).status_code == 302


def test_restore_needs_a_post(editor_client, editor, one_second):
    services.movie_save(movie=one_second, editor=editor)
    version = history.movie_versions(one_second).first()
    url = reverse("admin:movies_movie_restore", args=[one_second.pk, version.pk])
    assert editor_client.get(url).status_code == 405


@pytest.mark.parametrize("saves", [2, 40])
def test_history_and_compare_query_budget(
    editor_client, editor, one_second, saves, django_assert_max_num_queries
):
    """Guards against N+1: the history and compare pages cost the same at 2 or 40 versions
    and whatever the film's cast."""
    for n in range(saves):
        one_second.budget = 1_000_000 + n
        services.movie_save(movie=one_second, editor=editor)
    versions = list(history.movie_versions(one_second))
    with django_assert_max_num_queries(8):
        assert editor_client.get(history_url(one_second)).status_code == 200
    with django_assert_max_num_queries(14):
        response = editor_client.get(compare_url(one_second, versions[-1], versions[0]))
        assert response.status_code == 200


def test_compare_costs_the_same_however_many_inline_rows_changed(editor_client, editor):
    """Guards against N+1 in the compare page's inlines: naming each changed credit's
    person (and each offer's provider) is one query per kind of row, not one per row."""
    counts = []
    for cast in (2, 40):
        movie = MovieFactory()
        services.movie_save(movie=movie, editor=editor)
        for n in range(cast):
            CreditFactory(movie=movie, person=PersonFactory(name=f"Actor {cast}-{n}"))
        services.movie_save(movie=movie, editor=editor)
        new, old = list(history.movie_versions(movie))[:2]
        editor_client.get(compare_url(movie, old, new))  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.get(compare_url(movie, old, new))
        assert response.status_code == 200
        assert response.content.decode().count("Added:") == cast
        counts.append(len(captured))
    assert counts[0] == counts[1]
