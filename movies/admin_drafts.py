"""Drafts of live films in the admin: "Save as draft" on the change form, the draft's page
(preview, publish now, schedule, discard), editing the draft again, and the film list's
column and filter (movies.drafts, movies.services.draft_*)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from movies import drafts, history, selectors, services
from movies.models import MovieDraft

#: The change form's query parameter that opens it filled from the film's draft.
EDIT_DRAFT = "draft"
#: The draft page's buttons, by name.
DRAFT_ACTIONS = ("publish", "confirm", "schedule", "unschedule", "discard")


def _when(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i")


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-describedby": "publish-at-help"},
            format="%Y-%m-%dT%H:%M",
        ),
        error_messages={
            "required": "Give the date and time the change should go live.",
            "invalid": "Give a date and time such as 2026-12-07 09:00.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = (
            f"In the site's time ({timezone.get_current_timezone_name()}). The publishing "
            "job runs every minute."
        )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError(
                "That time has passed: pick a time to come, or use Publish now.", code="past"
            )
        return value


def _shown_unchecked(form):
    """Mark a form bound to a draft as checked and clean: it is only shown (each row's
    checks would cost queries); the draft was checked when saved, and is again on save."""
    form._errors, form.cleaned_data = ErrorDict(), {}
    return form._errors


class PendingChangeFilter(admin.SimpleListFilter):
    title = "pending change"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [
            ("draft", "A draft of a change"),
            ("scheduled", "A scheduled change"),
            ("week", "A change scheduled this week"),
            ("refused", "A scheduled change that was refused"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "draft":
            return queryset.filter(draft__isnull=False)
        if value == "scheduled":
            return queryset.filter(draft__publish_at__isnull=False)
        if value == "week":
            return queryset.filter(selectors.scheduled_this_week_q("draft__"))
        if value == "refused":
            return queryset.exclude(draft__problem="").filter(draft__isnull=False)
        return queryset


class MovieDraftMixin:
    """For MovieAdmin: a change to a film may be kept as a draft instead of going live."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/draft/",
                self.admin_site.admin_view(self.draft_view),
                name="{}_{}_draft".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("draft")

    def get_list_display(self, request):
        """The publication column also names a pending change (a column of its own would
        not fit the list at 1280 px); without that column, one of its own."""
        names = list(super().get_list_display(request))
        if "publication" not in names:
            return [*names, "publication_and_draft"]
        return ["publication_and_draft" if name == "publication" else name for name in names]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), PendingChangeFilter]

    @admin.display(description="publication", ordering="published_at")
    def publication_and_draft(self, obj):
        shown = self.publication(obj) if hasattr(self, "publication") else ""
        draft = getattr(obj, "draft", None)
        if draft is None:
            return shown or "—"
        url = reverse("admin:movies_movie_draft", args=[obj.pk])
        if draft.problem:
            label = "Scheduled change refused"
        elif draft.publish_at:
            label = f"Change on {_when(draft.publish_at)}"
        else:
            label = "Draft of a change"
        return format_html('{}<br><a href="{}">{}</a>', shown, url, label)

    # --- the change form

    def _draft(self, obj):
        if obj is None or obj.pk is None:
            return None
        return getattr(obj, "draft", None)

    def _editing_draft(self, request, obj):
        return request.GET.get(EDIT_DRAFT) == "edit" and self._draft(obj) is not None

    def _draft_data(self, request, obj):
        """The draft's form data to bind the change form to, on a GET in edit mode; the edit
        check (opened_at) starts from the live film as it is now."""
        if request.method != "GET" or not self._editing_draft(request, obj):
            return None
        data = QueryDict(mutable=True)
        for key, values in obj.draft.form_data.items():
            data.setlist(key, values)
        data["opened_at"] = obj.updated_at.isoformat()
        return data

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        data = self._draft_data(request, obj)
        if data is None:
            return form

        class DraftBoundForm(form):
            def __init__(self, *args, **kwargs):
                if not args and "data" not in kwargs:
                    kwargs["data"] = data
                super().__init__(*args, **kwargs)
                _shown_unchecked(self)

        DraftBoundForm.__name__ = form.__name__
        return DraftBoundForm

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        if self._draft_data(request, obj) is not None:
            for formset in formsets:
                formset._errors = [_shown_unchecked(form) for form in formset.forms]
                formset._non_form_errors = formset.error_class()
        return super().get_inline_formsets(request, formsets, inline_instances, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        data = self._draft_data(request, obj)
        if data is not None:
            kwargs["data"] = data
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        draft = self._draft(obj)
        if draft is not None:
            context.update(
                pending_draft=draft,
                draft_url=reverse("admin:movies_movie_draft", args=[obj.pk]),
                editing_draft=self._editing_draft(request, obj),
                draft_stale=drafts.staleness(draft),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_draft(self, request, form, formsets, change) -> bool:
        """Called first by MovieAdmin.save_related: on "Save as draft", keep the change as
        the film's draft instead of saving it, and say so (True)."""
        if not (change and "_savedraft" in request.POST):
            return False
        self._save_draft(request, form, formsets)
        return True

    def _save_draft(self, request, form, formsets):
        movie = form.instance
        from_live = not self._editing_draft(request, movie)
        if from_live and self._draft(movie) is not None:
            self.message_user(
                request,
                "This replaced the film's pending draft: the form you saved was the live film's.",
                messages.WARNING,
            )
        services.sign_assessment(movie, request.user, form.changed_data)
        rows = []
        for formset in formsets:
            if formset.model not in history.MOVIE_INLINES.values():
                continue
            for row in formset.forms:
                if formset.can_delete and formset._should_delete_form(row):
                    continue
                if row.instance.pk is None and not row.has_changed():
                    continue
                rows.append(row.instance)
        genres = form.cleaned_data.get("genres", movie.genres.all())
        services.draft_save(
            movie=movie,
            data=drafts.build(movie=movie, genres=genres, rows=rows),
            form_data=drafts.form_data(request.POST),
            editor=request.user,
            from_live=from_live,
        )
        if "poster" in form.changed_data:
            self.message_user(
                request,
                "The new poster was not kept in the draft: drafts keep the live poster. "
                "Upload it again when the change is published.",
                messages.WARNING,
            )

    def construct_change_message(self, request, form, formsets, add=False):
        if "_savedraft" in request.POST:  # nothing was saved: the inlines were not written
            return "Saved a draft of a change (not live)."
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if "_savedraft" not in request.POST:
            if self._editing_draft(request, obj):  # the draft's own form, saved: now live
                services.draft_discard(movie=obj)
            return super().response_change(request, obj)
        draft_url = reverse("admin:movies_movie_draft", args=[obj.pk])
        self.message_user(
            request,
            format_html(
                "Saved as a draft: readers still see the live film. "
                '<a href="{}">Preview it</a>, or <a href="{}">publish or schedule it</a>.',
                drafts.preview_url(obj),
                draft_url,
            ),
            messages.SUCCESS,
        )
        change_url = reverse("admin:movies_movie_change", args=[obj.pk])
        return redirect(f"{change_url}?{EDIT_DRAFT}=edit")

    # --- the draft's page

    def draft_view(self, request, object_id):
        """The pending draft: preview, edit, publish now, schedule, discard."""
        movie = self._film(request, object_id)  # MovieHistoryMixin: 404 or 403
        change_url = reverse("admin:movies_movie_change", args=[movie.pk])
        draft = self._draft(movie)
        if draft is None:
            self.message_user(
                request,
                "This film has no pending draft: it was published or discarded.",
                messages.WARNING,
            )
            return redirect(change_url)
        can_change = self.has_change_permission(request, movie)
        initial = {"publish_at": timezone.localtime(draft.publish_at)} if draft.publish_at else {}
        schedule_form = ScheduleForm(initial=initial)
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            action = next((name for name in DRAFT_ACTIONS if name in request.POST), None)
            if action in ("publish", "confirm"):
                return self._publish(request, movie, draft, confirm=action == "confirm")
            if action == "discard":
                services.draft_discard(movie=movie)
                self.log_change(request, movie, "Discarded the draft of a change.")
                self.message_user(request, "Draft discarded: the live film is as it was.")
                return redirect(change_url)
            if action == "unschedule":
                services.draft_schedule(draft=draft, publish_at=None, editor=request.user)
                self.message_user(request, "No longer scheduled: the draft waits for an editor.")
                return redirect(request.path)
            if action == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    when = schedule_form.cleaned_data["publish_at"]
                    services.draft_schedule(draft=draft, publish_at=when, editor=request.user)
                    self.log_change(request, movie, f"Scheduled the draft for {_when(when)}.")
                    self.message_user(
                        request,
                        f"Scheduled: the change goes live on {_when(when)}.",
                        messages.SUCCESS,
                    )
                    return redirect(request.path)
        context = self._context(
            request,
            movie,
            f"Draft of a change to {movie}",
            draft=draft,
            stale=drafts.staleness(draft),
            comparison=drafts.changes(draft),
            preview_url=drafts.preview_url(movie),
            edit_url=f"{change_url}?{EDIT_DRAFT}=edit",
            schedule_form=schedule_form,
            can_change=can_change,
        )
        return TemplateResponse(request, "admin/movies/movie/draft.html", context)

    def _publish(self, request, movie, draft, confirm):
        change_url = reverse("admin:movies_movie_change", args=[movie.pk])
        try:
            services.draft_publish(draft=draft, editor=request.user, confirm=confirm)
        except MovieDraft.DoesNotExist:
            self.message_user(
                request, "This draft was already published or discarded.", messages.WARNING
            )
            return redirect(change_url)
        except services.StaleDraft as exc:
            self.message_user(
                request,
                f"Not published: {exc} Compare the history, then publish anyway if the "
                "draft should win.",
                messages.ERROR,
            )
            return redirect(request.path)
        except ValidationError as exc:
            self.message_user(request, f"Not published: {'; '.join(exc.messages)}", messages.ERROR)
            return redirect(request.path)
        self.log_change(request, movie, "Published a draft of a change.")
        self.message_user(request, "Published: readers see the change now.", messages.SUCCESS)
        return redirect(change_url)
