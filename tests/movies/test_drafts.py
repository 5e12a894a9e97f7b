"""Drafts of changes to live films: saved aside, previewed by staff only, published now or
at a time, refused when the live film changed meanwhile (movies.admin_drafts, movies.drafts,
services.draft_*, manage.py publish_scheduled)."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movies import history, services
from movies.models import Credit, Movie, MovieDraft
from tests.factories import (
    AvailabilityFactory,
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    UserFactory,
    one_second_film,
)
from tests.movies.browser_form import form_data
from tests.movies.test_admin import change_url

LIST = reverse("admin:movies_movie_changelist")


def draft_url(movie):
    return reverse("admin:movies_movie_draft", args=[movie.pk])


def preview(movie):
    return f"{movie.get_absolute_url()}?preview=draft"


def save_draft(client, movie, **changes):
    """Open the film's form as an editor does and press "Save as draft" with `changes`."""
    page = client.get(change_url(movie))
    data = form_data(page, "movie_form", **changes)
    data["_savedraft"] = "Save as draft"
    return client.post(change_url(movie), data)


@pytest.fixture
def drafted(editor_client, one_second):
    """One Second with a draft: a new synopsis, Fan Wei's credit removed, a new cast
    member added, and the budget raised."""
    page = editor_client.get(change_url(one_second))
    data = form_data(page, "movie_form", synopsis="A drafted synopsis.", budget="2,600,000")
    fan_wei = one_second.credits.get(person__name="Fan Wei")
    row = next(k for k, v in data.items() if k.endswith("-id") and v == str(fan_wei.pk))
    data[row.removesuffix("-id") + "-DELETE"] = "on"
    extra = data["credits-TOTAL_FORMS"]
    newcomer = PersonFactory(name="Newcomer Drafted")
    data.update(
        {
            f"credits-{extra}-person": str(newcomer.pk),
            f"credits-{extra}-role": Credit.Role.CAST,
            f"credits-{extra}-billing_order": "4",
            f"credits-{extra}-character_name": "Projectionist",
            "credits-TOTAL_FORMS": str(int(extra) + 1),
            "_savedraft": "Save as draft",
        }
    )
    response = editor_client.post(change_url(one_second), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return one_second


def test_save_as_draft_keeps_the_live_film_and_its_page(drafted, editor):
    live = Movie.objects.get(pk=drafted.pk)
    assert live.synopsis != "A drafted synopsis."
    assert live.budget == 1_300_000
    assert live.credits.filter(person__name="Fan Wei").exists()
    assert not live.credits.filter(person__name="Newcomer Drafted").exists()
    draft = MovieDraft.objects.get(movie=drafted)
    assert draft.author == editor

    public = Client().get(drafted.get_absolute_url()).content.decode()
    assert "A drafted synopsis." not in public and "Fan Wei" in public


def test_the_save_as_draft_button_is_on_published_films_only(editor_client, one_second):
    assert 'name="_savedraft"' in editor_client.get(change_url(one_second)).content.decode()
    unpublished = MovieFactory(status=Movie.Status.DRAFT)
    assert 'name="_savedraft"' not in editor_client.get(change_url(unpublished)).content.decode()


def test_staff_preview_the_draft_with_a_banner_and_no_caching(drafted, editor_client):
    response = editor_client.get(preview(drafted))
    text = response.content.decode()
    assert "Draft preview: readers see the live version." in text
    assert "A drafted synopsis." in text
    assert "Newcomer Drafted" in text and "Fan Wei" not in text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert 'name="robots" content="noindex"' in text
    # Without the parameter, staff too see the live page.
    assert (
        "A drafted synopsis." not in editor_client.get(drafted.get_absolute_url()).content.decode()
    )


def test_anonymous_readers_and_staff_without_rights_get_the_live_page(drafted):
    client = Client()  # not the editor's
    for user in (None, UserFactory(is_staff=True)):
        if user:
            client.force_login(user)
        response = client.get(preview(drafted))
        text = response.content.decode()
        assert response.status_code == 200
        assert "A drafted synopsis." not in text and "Draft preview" not in text
        assert "Fan Wei" in text
        assert "no-store" in response["Cache-Control"]


def test_reopening_the_form_says_a_draft_is_pending_and_edits_it(drafted, editor_client):
    text = editor_client.get(change_url(drafted)).content.decode()
    assert "A draft of a change is pending" in text
    assert preview(drafted) in text and draft_url(drafted) in text
    assert "A drafted synopsis." not in text  # the live film's form

    editing = editor_client.get(change_url(drafted) + "?draft=edit")
    text = editing.content.decode()
    assert "You are editing the draft of a change" in text
    assert "A drafted synopsis." in text and "Projectionist" in text

    # Save as draft again from the draft's form: the draft changes, the live film does not.
    data = form_data(editing, "movie_form", logline="A drafted logline.")
    data["_savedraft"] = "Save as draft"
    assert editor_client.post(change_url(drafted) + "?draft=edit", data).status_code == 302
    assert "A drafted logline." in editor_client.get(preview(drafted)).content.decode()
    assert Movie.objects.get(pk=drafted.pk).logline != "A drafted logline."
    assert MovieDraft.objects.count() == 1


def test_saving_the_drafts_form_publishes_it_and_drops_the_draft(drafted, editor_client):
    editing = editor_client.get(change_url(drafted) + "?draft=edit")
    data = form_data(editing, "movie_form")
    data["_save"] = "Save"
    assert editor_client.post(change_url(drafted) + "?draft=edit", data).status_code == 302
    live = Movie.objects.get(pk=drafted.pk)
    assert live.synopsis == "A drafted synopsis." and live.budget == 2_600_000
    assert not MovieDraft.objects.exists()


def test_publish_now_applies_the_draft_as_a_new_version(drafted, editor_client):
    response = editor_client.post(draft_url(drafted), {"publish": "on"})
    assert response.status_code == 302
    live = Movie.objects.get(pk=drafted.pk)
    assert live.synopsis == "A drafted synopsis."
    assert live.budget == 2_600_000
    assert live.box_office_multiple == pytest.approx(10_800_000 / 2_600_000, rel=1e-3)
    names = set(live.credits.values_list("person__name", flat=True))
    assert "Fan Wei" not in names and "Newcomer Drafted" in names
    assert set(live.genres.values_list("name", flat=True)) == {"Drama", "History"}
    assert not MovieDraft.objects.exists()
    version = history.movie_versions(live).first()
    assert version.revision.user.username == "editor-in-test"
    assert "Published the draft editor-in-test saved on" in version.revision.comment
    assert "A drafted synopsis." in Client().get(live.get_absolute_url()).content.decode()


def test_discard_drops_the_draft_and_keeps_the_live_film(drafted, editor_client):
    editor_client.post(draft_url(drafted), {"discard": "on"})
    assert not MovieDraft.objects.exists()
    assert Movie.objects.get(pk=drafted.pk).synopsis != "A drafted synopsis."
    follow = editor_client.get(draft_url(drafted), follow=True)
    assert "no pending draft" in follow.content.decode()


@pytest.mark.parametrize(
    "value,message",
    [
        ("", "Give the date and time the change should go live."),
        ("next tuesday", "Give a date and time such as 2026-12-07 09:00."),
        ("2026-13-45T25:00", "Give a date and time such as 2026-12-07 09:00."),
        ("2001-01-01T09:00", "That time has passed"),
    ],
)
def test_schedule_refuses_a_past_or_malformed_time(drafted, editor_client, value, message):
    response = editor_client.post(draft_url(drafted), {"schedule": "on", "publish_at": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert MovieDraft.objects.get().publish_at is None


def test_schedule_reads_the_time_in_the_sites_timezone(drafted, editor_client, settings):
    when = timezone.localtime() + datetime.timedelta(days=2)
    typed = when.strftime("%Y-%m-%dT%H:%M")
    response = editor_client.post(draft_url(drafted), {"schedule": "on", "publish_at": typed})
    assert response.status_code == 302
    scheduled = MovieDraft.objects.get().publish_at
    assert timezone.localtime(scheduled).strftime("%Y-%m-%dT%H:%M") == typed
    text = editor_client.get(draft_url(drafted)).content.decode()
    assert "Scheduled for" in text


def test_the_command_publishes_due_drafts_once(drafted, editor):
    draft = MovieDraft.objects.get()
    soon = timezone.now() + datetime.timedelta(minutes=5)
    services.draft_schedule(draft=draft, publish_at=soon, editor=editor)
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "Published 0 scheduled drafts." in out.getvalue()
    assert Movie.objects.get(pk=drafted.pk).synopsis != "A drafted synopsis."

    assert services.publish_due_drafts(now=soon + datetime.timedelta(seconds=1)) == 1
    versions = history.movie_versions(drafted).count()
    assert services.publish_due_drafts(now=soon + datetime.timedelta(seconds=2)) == 0
    assert Movie.objects.get(pk=drafted.pk).synopsis == "A drafted synopsis."
    assert history.movie_versions(drafted).count() == versions
    comments = [v.revision.comment for v in history.movie_versions(drafted)]
    assert sum(c.startswith("Published the draft") for c in comments) == 1
    latest = history.movie_versions(drafted).first()
    assert latest.revision.user == editor  # who scheduled it


def test_a_draft_of_a_film_changed_since_is_refused_until_confirmed(drafted, editor_client):
    colleague = UserFactory(username="colleague", is_staff=True)
    colleague.groups.add(Group.objects.get(name="Editors"))
    live = Movie.objects.get(pk=drafted.pk)
    live.worldwide_gross = 20_000_000
    services.movie_save(movie=live, editor=colleague, comment="New gross.")

    refused = editor_client.post(draft_url(drafted), {"publish": "on"}, follow=True)
    text = refused.content.decode()
    assert "Not published: colleague changed the live film on" in text
    assert MovieDraft.objects.exists()
    assert Movie.objects.get(pk=drafted.pk).synopsis != "A drafted synopsis."
    assert "Publish anyway" in text

    editor_client.post(draft_url(drafted), {"confirm": "on"})
    assert Movie.objects.get(pk=drafted.pk).synopsis == "A drafted synopsis."
    assert not MovieDraft.objects.exists()


def test_the_command_refuses_a_stale_draft_and_says_why_in_the_admin(
    drafted, editor_client, editor
):
    draft = MovieDraft.objects.get()
    soon = timezone.now() + datetime.timedelta(minutes=1)
    services.draft_schedule(draft=draft, publish_at=soon, editor=editor)
    live = Movie.objects.get(pk=drafted.pk)
    live.synopsis = "Changed live meanwhile."
    services.movie_save(movie=live, editor=UserFactory(username="colleague"))

    assert services.publish_due_drafts(now=soon) == 0
    assert Movie.objects.get(pk=drafted.pk).synopsis == "Changed live meanwhile."
    draft.refresh_from_db()
    assert draft.problem.startswith("Not published at")
    assert "colleague changed the live film" in draft.problem
    assert services.publish_due_drafts(now=soon) == 0  # not retried every minute
    for page in (change_url(drafted), draft_url(drafted)):
        assert "colleague changed the live film" in editor_client.get(page).content.decode()
    refused = editor_client.get(f"{LIST}?pending=refused")
    assert [m.pk for m in refused.context["cl"].result_list] == [drafted.pk]
    assert "Scheduled change refused" in refused.content.decode()


def test_the_film_list_shows_and_filters_pending_changes(drafted, editor_client, editor):
    other = MovieFactory(title="Untouched")
    response = editor_client.get(LIST)
    text = response.content.decode()
    assert f'Public<br><a href="{draft_url(drafted)}">Draft of a change</a>' in text
    pending = editor_client.get(f"{LIST}?pending=draft").context["cl"].result_list
    assert [m.pk for m in pending] == [drafted.pk]
    assert other.pk not in [m.pk for m in pending]

    services.draft_schedule(
        draft=MovieDraft.objects.get(),
        publish_at=timezone.now() + datetime.timedelta(days=3),
        editor=editor,
    )
    assert "Change on " in editor_client.get(LIST).content.decode()
    week = editor_client.get(f"{LIST}?pending=week").context["cl"].result_list
    assert [m.pk for m in week] == [drafted.pk]


def test_the_work_queue_counts_drafts_and_this_weeks_changes(drafted, editor_client, editor):
    from tests.movies.test_work_queue import queue_row

    later = MovieFactory(title="Later")
    save_draft(editor_client, later, synopsis="Later draft.")
    services.draft_schedule(
        draft=MovieDraft.objects.get(movie=later),
        publish_at=timezone.now() + datetime.timedelta(days=10),
        editor=editor,
    )
    services.draft_schedule(
        draft=MovieDraft.objects.get(movie=drafted),
        publish_at=timezone.now() + datetime.timedelta(days=2),
        editor=editor,
    )
    text = editor_client.get(reverse("admin:index")).content.decode()
    assert queue_row(text, "Drafts of live films") == 2
    assert queue_row(text, "Changes scheduled this week") == 1
    assert f'href="{LIST}?pending=week"' in text


@pytest.mark.parametrize("n_cast,n_offers", [(2, 1), (40, 12)])
def test_draft_preview_query_budget(editor_client, n_cast, n_offers):
    """Guards against N+1: the preview costs the same whatever the draft's cast and offers."""
    movie = MovieFactory(genres=[GenreFactory(), GenreFactory()])
    for _ in range(n_cast):
        CreditFactory(movie=movie)
    for _ in range(n_offers):
        AvailabilityFactory(movie=movie)
    assert save_draft(editor_client, movie, synopsis="Previewed.").status_code == 302
    editor_client.get(preview(movie))  # warm the shared caches
    with CaptureQueriesContext(connection) as live:
        editor_client.get(movie.get_absolute_url())
    with CaptureQueriesContext(connection) as drafted:
        response = editor_client.get(preview(movie))
    assert "Previewed." in response.content.decode()
    # The permission check (the user's and their groups'), the draft, and the genres,
    # people and providers it names: one read each.
    assert len(drafted.captured_queries) <= len(live.captured_queries) + 6


def test_draft_preview_query_count_is_the_same_for_2_and_40_cast(editor_client):
    """Guards against N+1: a big drafted cast costs exactly what a small one does."""
    counts = []
    for n in (2, 40):
        movie = MovieFactory()
        for _ in range(n):
            CreditFactory(movie=movie)
            AvailabilityFactory(movie=movie)
        save_draft(editor_client, movie, synopsis="Previewed.")
        editor_client.get(preview(movie))
        with CaptureQueriesContext(connection) as ctx:
            editor_client.get(preview(movie))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_change_form_with_a_draft_query_count_does_not_grow(editor_client):
    """Guards against N+1: the change form, live or filled from the draft, costs the same
    with 2 or 40 credits."""
    counts = []
    for n in (2, 40):
        movie = MovieFactory()
        for _ in range(n):
            CreditFactory(movie=movie)
        save_draft(editor_client, movie, synopsis="Drafted.")
        for url in (change_url(movie), change_url(movie) + "?draft=edit"):
            editor_client.get(url)
        with CaptureQueriesContext(connection) as plain:
            editor_client.get(change_url(movie))
        with CaptureQueriesContext(connection) as editing:
            editor_client.get(change_url(movie) + "?draft=edit")
        counts.append((len(plain.captured_queries), len(editing.captured_queries)))
    assert counts[0] == counts[1]


def test_a_second_client_cannot_publish_a_draft_already_published(drafted, editor_client):
    other = Client()
    other.force_login(UserFactory(is_staff=True, is_superuser=True))
    draft_page = other.get(draft_url(drafted))
    assert draft_page.status_code == 200
    editor_client.post(draft_url(drafted), {"publish": "on"})
    late = other.post(draft_url(drafted), {"publish": "on"}, follow=True)
    assert late.status_code == 200
    assert "no pending draft" in late.content.decode()


def test_a_person_deleted_since_the_draft_is_left_out_not_a_500(drafted, editor_client):
    from movies.models import Person

    Person.objects.filter(name="Newcomer Drafted").delete()
    response = editor_client.get(preview(drafted))
    assert response.status_code == 200
    assert "A drafted synopsis." in response.content.decode()
    assert "Newcomer Drafted" not in response.content.decode()
    assert editor_client.get(change_url(drafted) + "?draft=edit").status_code == 200
    editor_client.post(draft_url(drafted), {"publish": "on"})
    live = Movie.objects.get(pk=drafted.pk)
    assert live.synopsis == "A drafted synopsis."
    assert not live.credits.filter(person__name="Fan Wei").exists()


def test_the_draft_page_of_a_film_without_a_draft_or_of_no_film(editor_client, one_second):
    response = editor_client.get(draft_url(one_second), follow=True)
    assert "no pending draft" in response.content.decode()
    missing = reverse("admin:movies_movie_draft", args=["nonsense"])
    assert editor_client.get(missing).status_code == 404
    assert editor_client.post(missing, {"publish": "on"}).status_code == 404


def test_a_new_draft_from_the_live_form_replaces_the_pending_one(drafted, editor_client):
    colleague = UserFactory(username="colleague")
    live = Movie.objects.get(pk=drafted.pk)
    live.logline = "Changed live."
    services.movie_save(movie=live, editor=colleague)
    assert (
        "colleague changed the live film" in editor_client.get(draft_url(drafted)).content.decode()
    )

    response = save_draft(editor_client, drafted, synopsis="Started again from the live film.")
    shown = editor_client.get(response.url).content.decode()
    assert "This replaced the film&#x27;s pending draft" in shown
    assert MovieDraft.objects.count() == 1
    text = editor_client.get(draft_url(drafted)).content.decode()
    assert "colleague changed the live film" not in text  # it starts from their version now
    editor_client.post(draft_url(drafted), {"publish": "on"})
    live.refresh_from_db()
    assert live.synopsis == "Started again from the live film." and live.logline == "Changed live."


def test_the_drafts_page_shows_what_publishing_would_change(drafted, editor_client):
    text = editor_client.get(draft_url(drafted)).content.decode()
    assert "What the draft changes" in text
    assert "<ins>A drafted synopsis.</ins>" in text
    assert "<ins>2,600,000</ins>" in text
    assert "Added:</strong> Newcomer Drafted" in text
    assert "Removed:</strong> Fan Wei" in text
    changes = text.split("What the draft changes", 1)[1]
    assert "Zhang Yi" not in changes  # unchanged rows
    assert "publish" not in changes.split("<h2>Publish now</h2>")[0].lower()  # nor the time


@pytest.mark.parametrize("n", [2, 40])
def test_draft_page_query_budget(editor_client, n, django_assert_max_num_queries):
    """Guards against N+1: the draft's page and its comparison cost the same at any cast."""
    movie = MovieFactory()
    for _ in range(n):
        CreditFactory(movie=movie)
        AvailabilityFactory(movie=movie)
    save_draft(editor_client, movie, synopsis="Drafted.")
    with django_assert_max_num_queries(24):
        response = editor_client.get(draft_url(movie))
    assert "<ins>Drafted.</ins>" in response.content.decode()


def test_with_the_page_cache_a_preview_is_never_stored_and_publishing_moves_it_on(
    drafted, editor_client, page_cache, django_capture_on_commit_callbacks
):
    reader = Client()
    for _ in range(2):
        response = reader.get(preview(drafted))
        assert response["X-Page-Cache"] != "hit"
        assert "no-store" in response["Cache-Control"]
    staff = editor_client.get(preview(drafted))
    assert staff["X-Page-Cache"] == "bypass" and "A drafted synopsis." in staff.content.decode()

    reader.get(drafted.get_absolute_url())
    assert reader.get(drafted.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(draft_url(drafted), {"publish": "on"})
    assert "A drafted synopsis." in reader.get(drafted.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_scheduling_asks_the_task_worker_to_publish_on_time(client, settings):
    """`make run` has a task worker and no cron: scheduling leaves a task waiting for the
    draft's time in the database backend, and the worker publishes the draft then."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    film = one_second_film()
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)
    assert save_draft(client, film, synopsis="A drafted synopsis.").status_code == 302
    draft = MovieDraft.objects.get()
    soon = timezone.now() + datetime.timedelta(hours=1)
    services.draft_schedule(draft=draft, publish_at=soon, editor=editor)

    waiting = DBTaskResult.objects.get()
    assert waiting.task_path == "movies.tasks.publish_scheduled"
    assert waiting.run_after == soon
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert Movie.objects.get(pk=film.pk).synopsis != "A drafted synopsis."  # not yet

    # The hour passes.
    MovieDraft.objects.filter(pk=draft.pk).update(publish_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    waiting.refresh_from_db()
    assert waiting.status == "SUCCESSFUL" and waiting.return_value == 1
    assert Movie.objects.get(pk=film.pk).synopsis == "A drafted synopsis."
