"""The admin's import screen (movies/admin_import.py): upload, dry run, confirm or cancel,
background imports with progress, as an editor uses it through the test client."""

import contextlib
import datetime
import html
import re
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movies import history, importing
from movies.importing import jobs
from movies.models import ImportJob, Movie
from tests.factories import UserFactory

DATA = Path(__file__).parent / "data"
UPLOAD_URL = reverse("admin:movies_importjob_add")
LIST_URL = reverse("admin:movies_importjob_changelist")


@pytest.fixture
def importer_client(client, db):
    """Staff who may add and change films; for tests that flush the database (the Editors
    group comes from a data migration, which a flush removes)."""
    user = UserFactory(username="importer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_movie", "change_movie"])
    )
    client.force_login(user)
    return client


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def upload(client, name, content, **options):
    data = content if isinstance(content, bytes) else content.encode()
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data), **options}, follow=True)


def films_csv():
    return (DATA / "films.csv").read_bytes()


def page_text(response):
    """The page's words as a reader sees them (tags dropped, entities decoded)."""
    body = response.content.decode().partition("<body")[2].partition(">")[2]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def confirm(client, job, **extra):
    return client.post(job.get_absolute_url(), {"confirm": "1", **extra}, follow=True)


# --- dry run, confirm, cancel ------------------------------------------------------


def test_upload_shows_the_dry_run_and_writes_nothing(editor_client):
    response = upload(editor_client, "films.csv", films_csv())

    assert response.status_code == 200
    text = page_text(response)
    assert "Dry run: what the import would do (nothing written yet)" in text
    assert "Would be created 2" in text
    assert 'name="confirm"' in response.content.decode()
    assert not Movie.objects.exists()
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED and job.file_name == "films.csv"
    assert bytes(job.data) == films_csv()  # kept in the database, for any server to read


def test_confirm_imports_the_file_and_shows_what_it_did(editor_client, editor):
    upload(editor_client, "films.csv", films_csv(), publish="on")
    job = ImportJob.objects.get()

    response = confirm(editor_client, job)

    text = page_text(response)
    assert "Imported films.csv." in text
    assert "What the import did" in text and "Created 2" in text
    assert 'name="confirm"' not in response.content.decode()
    film = Movie.objects.get(external_id="tt11214558")
    assert film.status == Movie.Status.PUBLISHED
    # The same writer as import_movies: a version named after the file, signed by the editor.
    version = history.movie_versions(film).first()
    assert version.revision.comment == "Imported from films.csv."
    assert version.revision.user == editor
    job.refresh_from_db()
    assert (job.state, job.created_count, job.rows_done, job.total) == ("done", 2, 2, 2)


def test_a_second_confirm_imports_nothing_twice(editor_client):
    upload(editor_client, "films.csv", films_csv())
    job = ImportJob.objects.get()
    confirm(editor_client, job)

    response = confirm(editor_client, job)

    assert "This import is done already." in page_text(response)
    assert Movie.objects.count() == 2


def test_cancel_writes_nothing_and_cannot_be_confirmed_after(editor_client):
    upload(editor_client, "films.csv", films_csv())
    job = ImportJob.objects.get()

    response = editor_client.post(job.get_absolute_url(), {"cancel": "1"}, follow=True)

    assert "Cancelled the import of films.csv; nothing was written." in page_text(response)
    confirm(editor_client, job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CANCELLED
    assert not Movie.objects.exists()


def test_failed_rows_are_listed_with_their_reasons_and_the_rest_imported(editor_client):
    content = "title,year,runtime_minutes\nGood,2001,90\n,1500,-3\nAlso good,2002,\n"
    response = upload(editor_client, "mixed.csv", content)

    text = page_text(response)
    assert "Would be created 2" in text and "Failed 1" in text
    assert "line 3" in text and "missing title" in text and "year 1500 is impossible" in text
    assert "Failed rows are left out; the others are imported." in text

    response = confirm(editor_client, ImportJob.objects.get())
    assert "Created 2" in page_text(response) and "Failed 1" in page_text(response)
    assert sorted(Movie.objects.values_list("title", flat=True)) == ["Also good", "Good"]


def test_a_long_list_of_failed_rows_is_capped_with_a_count(editor_client):
    rows = "".join(f"Film {n},1500\n" for n in range(130))
    response = upload(editor_client, "bad.csv", "title,year\n" + rows)

    text = page_text(response)
    assert "Failed rows: the first 100 of 130" in text
    assert "30 more failed rows not listed here" in text
    assert text.count("is impossible") == 100


# --- files refused ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.csv", (DATA / "latin1.csv").read_bytes(), "is not UTF-8 text"),
        ("films.txt", b"title,year\nA,2001\n", "unknown file type '.txt'"),
        ("films.xlsx", b"PK\x03\x04binary", "unknown file type '.xlsx'"),
        (
            "v2.csv",
            b"#format: worth-watching-movies/2\ntitle,year\nA,2001\n",
            "is in format version 2; this site reads version 1",
        ),
        ("odd.csv", b"#format: something-else/1\ntitle,year\n", "is not a format line"),
        ("cols.csv", b"title,year,budgett\nA,2001,1\n", "did you mean 'budget'?"),
        ("empty.jsonl", b"   \n", "empty.jsonl is empty"),
        ("truncated.jsonl", (DATA / "truncated.jsonl").read_bytes(), "looks truncated"),
    ],
)
def test_a_file_that_is_not_the_format_gets_a_message_and_no_job(
    editor_client, name, content, message
):
    response = upload(editor_client, name, content)

    assert response.status_code == 200
    assert "Please correct the error below." in page_text(response)
    assert message in page_text(response)
    assert not ImportJob.objects.exists() and not Movie.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(editor_client, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    content = b"title,year\n" + b"A film,2001\n" * 100_000  # 1.2 MB

    response = upload(editor_client, "big.csv", content)

    text = page_text(response)
    assert "big.csv is 1.1" in text and "this screen takes files up to 1.0 MB" in text
    assert "manage.py import_movies" in text
    assert not ImportJob.objects.exists()


def test_no_file_is_a_form_error(editor_client):
    response = editor_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


# --- who may import --------------------------------------------------------------------


def test_visitors_are_sent_to_the_login(client, db):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_film_permissions_are_refused(client, db, editor_client):
    upload(editor_client, "films.csv", films_csv())
    job = ImportJob.objects.get()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_movie"))  # no add
    client.force_login(staff)

    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, {"file": SimpleUploadedFile("a.csv", b"x")}).status_code == 403
    assert client.get(job.get_absolute_url()).status_code == 403
    assert client.post(job.get_absolute_url(), {"confirm": "1"}).status_code == 403
    assert client.get(LIST_URL).status_code == 403
    assert not Movie.objects.exists()


def test_the_film_list_and_the_admin_index_link_to_the_import_screen(editor_client):
    films = editor_client.get(reverse("admin:movies_movie_changelist")).content.decode()
    assert f'<a href="{UPLOAD_URL}">Import films</a>' in films
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert LIST_URL in index


# --- one import at a time ----------------------------------------------------------


def test_confirm_is_refused_while_another_job_runs(editor_client):
    ImportJob.objects.create(file_name="other.csv", data=b"", state=ImportJob.State.RUNNING)
    upload(editor_client, "films.csv", films_csv())
    job = ImportJob.objects.get(file_name="films.csv")

    response = confirm(editor_client, job)

    assert "Another import is running (other.csv, uploaded" in page_text(response)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED
    assert not Movie.objects.exists()


def test_confirm_is_refused_while_another_job_waits_for_the_worker(editor_client):
    ImportJob.objects.create(file_name="next.csv", data=b"", state=ImportJob.State.QUEUED)
    upload(editor_client, "films.csv", films_csv())

    response = confirm(editor_client, ImportJob.objects.get(file_name="films.csv"))

    assert "Another import is waiting for the worker (next.csv, uploaded" in page_text(response)
    assert not Movie.objects.exists()


def test_a_job_whose_worker_died_does_not_block_the_next(editor_client):
    """A job left "running" by a killed worker (the lock went with it) is marked failed
    when the next import is confirmed, which then runs."""
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    stale = ImportJob.objects.create(
        file_name="old.csv", data=b"", state=ImportJob.State.RUNNING, started_at=an_hour_ago
    )
    upload(editor_client, "films.csv", films_csv())

    response = confirm(editor_client, ImportJob.objects.get(file_name="films.csv"))

    assert "Imported films.csv." in page_text(response)
    stale.refresh_from_db()
    assert stale.state == ImportJob.State.FAILED
    assert "The worker running this import stopped before it finished" in stale.message


@pytest.mark.django_db(transaction=True)
def test_a_long_import_that_holds_the_lock_is_not_taken_for_dead(importer_client):
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    running = ImportJob.objects.create(
        file_name="long.csv", data=b"", state=ImportJob.State.RUNNING, started_at=an_hour_ago
    )
    upload(importer_client, "films.csv", films_csv())
    job = ImportJob.objects.get(file_name="films.csv")

    with holding_the_lock():
        response = confirm(importer_client, job)

    assert "Another import is running (long.csv" in page_text(response)
    running.refresh_from_db()
    assert running.state == ImportJob.State.RUNNING
    assert not Movie.objects.exists()


@contextlib.contextmanager
def holding_the_lock():
    """The import lock held by another database connection, as by an import elsewhere."""
    held, finish = threading.Event(), threading.Event()

    def other_import():
        try:
            with importing.import_lock():
                held.set()
                finish.wait(30)
        finally:
            held.set()
            connection.close()

    holder = threading.Thread(target=other_import)
    holder.start()
    try:
        assert held.wait(30)
        yield
    finally:
        finish.set()
        holder.join(30)


@pytest.mark.django_db(transaction=True)
def test_confirm_is_refused_while_the_command_holds_the_lock(importer_client):
    """An import_movies run elsewhere (here another database connection) holds the lock:
    the job says so, writes nothing and can be confirmed again afterwards."""
    upload(importer_client, "films.csv", films_csv())
    job = ImportJob.objects.get()

    with holding_the_lock():
        response = confirm(importer_client, job)

    assert "Another import is running" in page_text(response)
    assert 'name="confirm"' in response.content.decode()
    assert not Movie.objects.exists()
    response = confirm(importer_client, job)
    assert "Imported films.csv." in page_text(response)
    assert Movie.objects.count() == 2


# --- background imports --------------------------------------------------------------


def run_worker():
    """What `make run`'s worker does, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_the_database_worker_with_progress(
    importer_client, settings, monkeypatch
):
    """The dry run and the import are tasks in the database, run by `db_worker`; the job
    page shows progress as each batch is done, refreshing itself until the result is in."""
    settings.TASKS = DB_TASKS
    settings.IMPORT_BACKGROUND_ROWS = 3
    monkeypatch.setattr(jobs, "JOB_BATCH_SIZE", 1)
    content = "title,year\n" + "".join(f"Film {n},{2000 + n}\n" for n in range(4))

    response = upload(importer_client, "four.csv", content)

    job = ImportJob.objects.get()
    assert "State: Checking the file (dry run)" in page_text(response)
    assert response["Refresh"] == "3"
    assert "Films checked" in page_text(response) and "0 of 4 (0%)" in page_text(response)
    run_worker()
    response = importer_client.get(job.get_absolute_url())
    assert not response.has_header("Refresh")
    assert "Would be created 4" in page_text(response)

    response = confirm(importer_client, job)

    text = page_text(response)
    assert "Importing four.csv in the background" in text
    assert response["Refresh"] == "3"
    assert "Waiting for the background worker" in text and "0 of 4 (0%)" in text
    assert not Movie.objects.exists()

    seen = []
    real_import = jobs.import_records

    def watched(records, *, progress, **kwargs):
        def step(rows):
            progress(rows)
            seen.append(page_text(importer_client.get(job.get_absolute_url())))

        return real_import(records, progress=step, **kwargs)

    monkeypatch.setattr(jobs, "import_records", watched)
    run_worker()

    assert "Films imported" in seen[0]
    assert "1 of 4 (25%)" in seen[0] and "2 of 4 (50%)" in seen[1]
    assert all("State: Importing" in page for page in seen)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.created_count == 4
    assert Movie.objects.count() == 4
    response = importer_client.get(job.get_absolute_url())
    assert not response.has_header("Refresh")
    assert "What the import did" in page_text(response) and "Created 4" in page_text(response)


@pytest.mark.django_db(transaction=True)
def test_a_background_import_that_breaks_is_marked_failed(importer_client, settings, monkeypatch):
    settings.TASKS = DB_TASKS
    settings.IMPORT_BACKGROUND_ROWS = 1
    upload(importer_client, "films.csv", films_csv())
    run_worker()
    job = ImportJob.objects.get()
    confirm(importer_client, job)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "import_records", broken)
    run_worker()

    text = page_text(importer_client.get(job.get_absolute_url()))
    assert "State: Stopped by an error" in text
    assert "The import stopped (batches written before it are kept) on an unexpected" in text
    assert "(RuntimeError)" in text
    assert not Movie.objects.exists()


def test_the_reader_may_stop_a_running_job_page_refreshing(editor_client):
    job = ImportJob.objects.create(
        file_name="big.csv", data=b"", state=ImportJob.State.RUNNING, total=10
    )

    following = editor_client.get(job.get_absolute_url())
    still = editor_client.get(job.get_absolute_url(), {"refresh": "off"})

    assert following["Refresh"] == "3"
    assert "Stop refreshing" in page_text(following)
    assert not still.has_header("Refresh")
    assert "This page does not refresh itself." in page_text(still)
    assert "Refresh automatically" in page_text(still)


# --- query budgets --------------------------------------------------------------------


def queries(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_import_pages_cost_the_same_queries_however_many_rows_and_jobs(editor_client):
    """Guards against N+1: the job page reads its row once, whatever it lists; the list of
    imports does not grow with the imports."""
    upload(editor_client, "few.csv", "title,year\nA,1500\n")
    few_job = ImportJob.objects.get()
    upload(editor_client, "many.csv", "title,year\n" + "A,1500\n" * 300)
    many_job = ImportJob.objects.exclude(pk=few_job.pk).get()
    few_list = queries(editor_client, LIST_URL)

    assert queries(editor_client, few_job.get_absolute_url()) == queries(
        editor_client, many_job.get_absolute_url()
    )
    for n in range(20):
        ImportJob.objects.create(file_name=f"{n}.csv", data=b"x" * 1000, uploaded_by=None)
    assert queries(editor_client, LIST_URL) == few_list
    assert queries(editor_client, UPLOAD_URL) <= 6


def test_a_task_delivered_twice_imports_once(editor_client):
    upload(editor_client, "films.csv", films_csv())
    job = ImportJob.objects.get()
    confirm(editor_client, job)

    assert jobs.job_run(job.pk) == ImportJob.State.DONE
    assert jobs.job_dry_run(job.pk) == ImportJob.State.DONE
    assert Movie.objects.count() == 2
    job.refresh_from_db()
    assert job.summary["result"]["created"] == 2
