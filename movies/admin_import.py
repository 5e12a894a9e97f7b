"""The admin's import screen: upload a file in the documented format, read its dry run,
then confirm or cancel (movies.importing.jobs); the list of past imports.

Editors who may add and change films may import. "Add" is the upload form and a job's
"change" page is its summary, or its progress while it runs, refreshing itself (an HTTP
Refresh, no script; the reader may turn it off) until the job is done.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse

from movies.importing import ImportBusy, ImportFileError
from movies.importing import jobs as import_jobs
from movies.models import ImportJob

#: Failed rows and warnings the job page lists; it says how many more there are.
ROWS_SHOWN = 100
#: Seconds between two refreshes of a running job's page.
REFRESH_SECONDS = 3


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A .csv (UTF-8) or .jsonl file in the documented format, version 1.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson"}),
    )
    publish = forms.BooleanField(
        label="Publish new films at once",
        required=False,
        help_text="Otherwise new films are drafts. Films already here keep their status.",
    )
    new_only = forms.BooleanField(
        label="Only add new films",
        required=False,
        help_text="Leave films the catalogue already has exactly as they are.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {filesizeformat(upload.size)}; this screen takes files up "
                f"to {filesizeformat(limit)}. Split the file, or import it with "
                "manage.py import_movies."
            )
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "state",
        "uploaded_by",
        "created_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "failed_count",
    ]
    list_filter = ["state"]
    list_select_related = ["uploaded_by"]
    search_fields = ["file_name"]
    change_list_template = "admin/movies/import/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    # Who may import: editors who may add and change films (no permissions of its own).
    def _may_import(self, request):
        return request.user.has_perms(["movies.add_movie", "movies.change_movie"])

    def has_module_permission(self, request):
        return self._may_import(request)

    def has_view_permission(self, request, obj=None):
        return self._may_import(request)

    def has_add_permission(self, request):
        return self._may_import(request)

    def has_change_permission(self, request, obj=None):
        return self._may_import(request)

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "max_upload": filesizeformat(settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024),
            **extra,
        }

    def add_view(self, request, form_url="", extra_context=None):
        """The upload form; a readable file is dry-run and its job page shown."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_jobs.job_check(
                    name=upload.name,
                    data=upload.read(),
                    user=request.user,
                    publish=form.cleaned_data["publish"],
                    new_only=form.cleaned_data["new_only"],
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(job.get_absolute_url())
        return TemplateResponse(
            request,
            "admin/movies/import/upload.html",
            self._context(request, "Import films", form=form),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A job: its dry run with Confirm and Cancel, its progress, or its result."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        job = (
            ImportJob.objects.defer("data")
            .select_related("uploaded_by")
            .filter(pk=unquote(object_id) if str(object_id).isdigit() else None)
            .first()
        )
        if job is None:
            raise Http404("No such import.")
        if request.method == "POST":
            return self._act(request, job)
        summary = job.summary.get("result") or job.summary.get("dry_run") or {}
        refresh = job.in_progress and request.GET.get("refresh") != "off"
        response = TemplateResponse(
            request,
            "admin/movies/import/job.html",
            self._context(
                request,
                f"Import of {job.file_name}",
                job=job,
                summary=summary,
                dry_run="result" not in job.summary,
                background=import_jobs.runs_in_background(job),
                errors=job.errors[:ROWS_SHOWN],
                more_errors=job.failed_count - min(len(job.errors), ROWS_SHOWN),
                warnings=summary.get("warnings", [])[:ROWS_SHOWN],
                more_warnings=summary.get("warning_count", 0)
                - min(len(summary.get("warnings", [])), ROWS_SHOWN),
                refresh=REFRESH_SECONDS if refresh else None,
            ),
        )
        if refresh:
            # The page reloads itself without script. An HTTP Refresh rather than a <meta>
            # one, with a "Stop refreshing" link before the figures: a reader who needs the
            # page still (a screen reader's place in it) turns it off (WCAG 2.2.1).
            response["Refresh"] = str(REFRESH_SECONDS)
        return response

    def _act(self, request, job):
        if "cancel" in request.POST:
            if import_jobs.job_cancel(job=job):
                messages.info(
                    request, f"Cancelled the import of {job.file_name}; nothing was written."
                )
            else:
                messages.error(request, "This import has already started; it cannot be cancelled.")
            return redirect(job.get_absolute_url())
        if "confirm" not in request.POST:
            return redirect(job.get_absolute_url())
        if job.state != ImportJob.State.CHECKED:
            messages.error(request, f"This import is {job.get_state_display().lower()} already.")
            return redirect(job.get_absolute_url())
        try:
            job = import_jobs.job_confirm(job=job)
        except ImportBusy as exc:
            messages.error(request, str(exc))
            return redirect(job.get_absolute_url())
        if job.state == ImportJob.State.CHECKED and job.message:
            messages.error(request, job.message)
        elif job.state == ImportJob.State.DONE:
            messages.success(request, f"Imported {job.file_name}.")
        elif job.in_progress:
            messages.info(
                request,
                f"Importing {job.file_name} in the background; this page follows it.",
            )
        return redirect(job.get_absolute_url())
