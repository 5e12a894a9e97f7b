"""Imports from the admin (ImportJob): an uploaded file is checked by a dry run, then, once
an editor confirms, imported by the same reader and writer as `manage.py import_movies`.

Small files are checked and imported in the request; from settings.IMPORT_BACKGROUND_ROWS
films the dry run and the import are background tasks (movies.tasks), which count their
progress in the job's row after each batch, for the job page to show.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from movies.importing.format import ImportFileError, read_data
from movies.importing.lock import ImportBusy, import_lock
from movies.importing.validation import parse_rows
from movies.importing.writer import ImportResult, import_records
from movies.models import ImportJob

logger = logging.getLogger(__name__)

#: Failed rows kept in a job (the count is always whole); the page lists fewer.
ERRORS_KEPT = 1000
#: The fewest films per batch (one transaction, one step of progress) in a job.
JOB_BATCH_SIZE = 250
#: A job running longer than this with the import lock free has lost its worker.
ABANDONED_AFTER = datetime.timedelta(minutes=10)
ABANDONED = (
    "The worker running this import stopped before it finished (it was killed or its "
    "server restarted); batches written before that are kept. Upload the file again to "
    "import the rest: films already imported come out unchanged."
)
BUSY_JOB = (
    "Another import is {doing} ({name}, uploaded {started:%Y-%m-%d %H:%M %Z}): this one "
    "was not started. Confirm it again when that one has finished."
)


def _read(name, data):
    """Records and failed rows of a file, by the readers import_movies uses."""
    return _validate(read_data(name, data))


def _validate(rows):
    records, errors = parse_rows(rows)
    return records, [(e.where, "; ".join(e.reasons)) for e in errors]


def _outcome(result: ImportResult, row_failures):
    failures = [*row_failures, *result.failed]
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "kept": result.kept,
        "failed": len(failures),
        "warnings": [list(w) for w in result.warnings[:ERRORS_KEPT]],
        "warning_count": len(result.warnings),
    }, [list(f) for f in failures[:ERRORS_KEPT]]


COUNT_FIELDS = ["created_count", "updated_count", "unchanged_count", "failed_count"]


def _set_counts(job, outcome, errors):
    job.created_count = outcome["created"]
    job.updated_count = outcome["updated"]
    job.unchanged_count = outcome["unchanged"]
    job.failed_count = outcome["failed"]
    job.errors = errors


def job_check(*, name: str, data: bytes, user, publish=False, new_only=False) -> ImportJob:
    """Reads the file and keeps it in a new job with its dry run: run at once for a small
    file, else as a background task (the job is "checking" until it is done).

    Raises ImportFileError (no job) when the file cannot be read as a whole: that takes
    a fraction of a second even for 17,000 films; checking each row takes longer.
    """
    rows = list(read_data(name, data))
    job = ImportJob.objects.create(
        file_name=name,
        data=data,
        uploaded_by=user,
        publish=publish,
        new_only=new_only,
        total=len(rows),
        state=ImportJob.State.CHECKING,
    )
    if runs_in_background(job):
        from movies.tasks import check_import_job  # the task module imports this one

        _enqueue(job, check_import_job)
    else:
        _dry_run(job, *_validate(rows))
    job.refresh_from_db()
    return job


def job_dry_run(job_id: int) -> str:
    """The dry run of a "checking" job (the background task's half of job_check)."""
    jobs = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.CHECKING)
    job = jobs.first()
    if job is None:
        return ImportJob.objects.get(pk=job_id).state  # cancelled, or a task run twice
    try:
        _dry_run(job, *_read(job.file_name, bytes(job.data)), progress=_progress(jobs))
    except Exception as exc:
        _failed(jobs, job, exc, "The dry run stopped")
        raise
    return ImportJob.State.CHECKED


def _dry_run(job, records, row_failures, progress=None):
    job.total = len(records)
    ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    result = import_records(
        records,
        publish=job.publish,
        new_only=job.new_only,
        dry_run=True,
        batch_size=_batch_size(job),
        progress=progress,
    )
    outcome, errors = _outcome(result, row_failures)
    _set_counts(job, outcome, errors)
    job.summary = {"dry_run": outcome}
    job.state = ImportJob.State.CHECKED
    job.rows_done = 0
    job.save(update_fields=[*COUNT_FIELDS, "errors", "summary", "state", "rows_done", "total"])


def runs_in_background(job: ImportJob) -> bool:
    return job.total >= settings.IMPORT_BACKGROUND_ROWS


def _batch_size(job):
    """Films per batch: about twenty steps of progress, each of at least JOB_BATCH_SIZE."""
    return max(JOB_BATCH_SIZE, job.total // 20)


def _progress(jobs):
    def advance(rows):
        jobs.update(rows_done=F("rows_done") + rows)

    return advance


def _enqueue(job, task):
    result = task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def _failed(jobs, job, exc, what):
    logger.exception("Import job %s failed", job.pk)
    jobs.update(
        state=ImportJob.State.FAILED,
        message=f"{what} on an unexpected error ({type(exc).__name__}). "
        "The error is in the server's log.",
        finished_at=timezone.now(),
    )


def job_confirm(*, job: ImportJob) -> ImportJob:
    """Starts a checked job: at once for a small file, else as a background task.

    Raises ImportBusy, starting nothing, while another job is queued or running (an import
    from the command line is refused by the import lock when the job runs).
    """
    other = (
        ImportJob.objects.filter(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING])
        .exclude(pk=job.pk)
        .only("file_name", "created_at", "state", "started_at")
        .first()
    )
    if other is not None and _abandoned(other):
        ImportJob.objects.filter(pk=other.pk, state=ImportJob.State.RUNNING).update(
            state=ImportJob.State.FAILED,
            message=ABANDONED,
            finished_at=timezone.now(),
        )
        other = None
    if other is not None:
        doing = "running" if other.state == ImportJob.State.RUNNING else "waiting for the worker"
        raise ImportBusy(
            BUSY_JOB.format(doing=doing, name=other.file_name, started=other.created_at)
        )
    # Claims the job: of two confirmations (a double click), only one starts it.
    if not ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
        state=ImportJob.State.QUEUED, message=""
    ):
        job.refresh_from_db()
        return job
    if not runs_in_background(job):
        job_run(job.pk)
        job.refresh_from_db()
        return job
    from movies.tasks import import_job  # the task module imports this one

    _enqueue(job, import_job)
    job.refresh_from_db()
    return job


def _abandoned(job):
    """True for a job "running" for a while although no import holds the lock: the worker
    that ran it was killed (the lock goes with its process or connection). A young job
    may not have taken the lock yet: it reads and checks its file first."""
    if job.state != ImportJob.State.RUNNING or job.started_at is None:
        return False
    if job.started_at > timezone.now() - ABANDONED_AFTER:
        return False
    try:
        with import_lock():
            return True
    except ImportBusy:
        return False


def job_cancel(*, job: ImportJob) -> bool:
    """Cancels a job that has not started; False if it already has."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.CANCELLED, finished_at=timezone.now()
        )
    )


def job_run(job_id: int) -> str:
    """Imports a confirmed job's file; returns the job's final state.

    Another import holding the lock sends the job back to "checked" with the reason, so the
    editor can confirm it again; an unexpected error marks it failed and propagates.
    """
    jobs = ImportJob.objects.filter(pk=job_id)
    if not jobs.filter(state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now(), rows_done=0
    ):
        return jobs.get().state  # cancelled, or already run (a task delivered twice)
    job = jobs.get()
    try:
        records, row_failures = _read(job.file_name, bytes(job.data))
        job.total = len(records)
        jobs.update(total=job.total)
        result = import_records(
            records,
            publish=job.publish,
            new_only=job.new_only,
            batch_size=_batch_size(job),
            progress=_progress(jobs),
            source=job.file_name,
            editor=job.uploaded_by,
        )
    except ImportBusy as exc:
        jobs.update(state=ImportJob.State.CHECKED, message=str(exc), started_at=None)
        return ImportJob.State.CHECKED
    except ImportFileError as exc:  # the file was read at upload; only a changed reader
        jobs.update(state=ImportJob.State.FAILED, message=str(exc), finished_at=timezone.now())
        return ImportJob.State.FAILED
    except Exception as exc:
        _failed(jobs, job, exc, "The import stopped (batches written before it are kept)")
        raise
    outcome, errors = _outcome(result, row_failures)
    job.refresh_from_db()
    _set_counts(job, outcome, errors)
    job.summary = {**job.summary, "result": outcome}
    job.state = ImportJob.State.DONE
    job.rows_done = job.total
    job.finished_at = timezone.now()
    job.save(
        update_fields=[*COUNT_FIELDS, "errors", "summary", "state", "rows_done", "finished_at"]
    )
    return job.state
