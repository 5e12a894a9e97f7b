"""Background tasks (django-tasks; `manage.py db_worker` runs them, docs/operations.md).

Each task takes JSON-serialisable arguments (ids, not objects) and calls a service: the
same code runs whether a worker or a request does the work.
"""

from django_tasks import task

from movies import services
from movies.importing import jobs


@task()
def check_import_job(job_id: int) -> str:
    """The dry run of a large file uploaded on the admin's import screen."""
    return jobs.job_dry_run(job_id)


@task()
def import_job(job_id: int) -> str:
    """Imports a confirmed file from the admin's import screen; returns the job's state."""
    return jobs.job_run(job_id)


@task()
def refresh_scores(only_leaning: bool = False) -> int:
    """Recomputes films' scores (movies.services.scores_refresh); returns how many changed."""
    return services.scores_refresh(only_leaning=only_leaning)


@task()
def publish_scheduled() -> int:
    """Publishes the drafts whose time has come (movies.services.publish_due_drafts), as
    `manage.py publish_scheduled` does; enqueued for each draft's time when it is scheduled."""
    return services.publish_due_drafts()
