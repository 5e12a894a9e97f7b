"""Background tasks (movies/tasks.py) through django-tasks: what each one does when a
worker runs it. The database backend's own path is in tests/movies/test_admin_import.py
(an import run by `db_worker`) and tests/ops/test_run_site.py (`make run`'s worker)."""

import pytest
from django.core.management import call_command

from movies.models import Movie
from movies.tasks import refresh_scores
from tests.factories import one_second_film

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_refresh_scores_gives_films_their_score_back(one_second, settings):
    settings.TASKS = IMMEDIATE
    Movie.objects.filter(pk=one_second.pk).update(score=None)

    result = refresh_scores.enqueue()

    assert result.status == "SUCCESSFUL" and result.return_value == 1
    one_second.refresh_from_db()
    assert one_second.score is not None


@pytest.mark.django_db(transaction=True)
def test_a_task_waits_in_the_database_until_the_worker_runs_it(settings):
    settings.TASKS = DATABASE
    film = one_second_film()
    Movie.objects.filter(pk=film.pk).update(score=None)

    result = refresh_scores.enqueue()

    assert result.status == "READY"
    film.refresh_from_db()
    assert film.score is None
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    film.refresh_from_db()
    assert film.score is not None
