"""The film change form's layout: a panel at the top with what the page says from the
saved figures, and the sections an edit rarely needs folded (MovieAdmin mixes it in)."""

import copy

from django.contrib import admin
from django.contrib.admin.utils import flatten

from movies.models import VerdictBand

#: The change form's sections left open; the others fold (Django's "collapse": a <details>
#: that opens without JavaScript), and open by themselves when they hold an error.
MOVIE_OPEN_SECTIONS = {"Identity and facts", "Box office", "Publishing"}
#: The read-only panel at the top of the change form: what the page says from the saved figures.
SAVED_VERDICT_FIELDSET = (
    "What the page says now",
    {
        "fields": ["saved_answer", "saved_score", "saved_trade_verdict"],
        "description": "From the figures as last saved: a change below shows here once saved.",
    },
)


class MovieFormLayoutMixin:
    panel_fields = SAVED_VERDICT_FIELDSET[1]["fields"]

    def get_fieldsets(self, request, obj=None):
        """A new film shows every section open; a saved one leads with the verdict panel
        and folds the sections an edit rarely needs."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        folded = [
            (
                title,
                options if title in MOVIE_OPEN_SECTIONS else {**options, "classes": ["collapse"]},
            )
            for title, options in fieldsets
        ]
        return [SAVED_VERDICT_FIELDSET, *folded]

    def get_object(self, request, object_id, from_field=None):
        movie = super().get_object(request, object_id, from_field)
        if movie is not None:
            # The form writes what was typed into `movie` before it is saved; the verdict
            # panel reads this copy of the saved figures.
            movie.saved_figures = copy.copy(movie)
        return movie

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A folded section holding an error opens, so the editor sees what to fix."""
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.errors:
            wrong = set(adminform.form.errors)
            adminform.fieldsets = [
                (title, {**options, "classes": []})
                if wrong & set(flatten(options["fields"]))
                else (title, options)
                for title, options in adminform.fieldsets
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the verdict panel: the rules of movies.verdicts on the saved figures

    def _saved_assessment(self, obj):
        saved = getattr(obj, "saved_figures", obj)
        if not hasattr(saved, "saved_assessment"):
            saved.saved_assessment = saved.verdict(VerdictBand.objects.ladder())
        return saved.saved_assessment

    @admin.display(description="answer")
    def saved_answer(self, obj):
        assessment = self._saved_assessment(obj)
        editors = " (the editors' call)" if assessment.answer_by_editors else ""
        return f"{assessment.answer_text}{editors}"

    @admin.display(description="score")
    def saved_score(self, obj):
        rating = self._saved_assessment(obj).rating
        if rating is None:
            return "No score yet: no ratings from our readers or from outside."
        return f"{rating.value:.1f}/10, from {rating.basis}."

    @admin.display(description="trade verdict")
    def saved_trade_verdict(self, obj):
        assessment = self._saved_assessment(obj)
        if assessment.band is None:
            return assessment.trade_text
        editors = " (the editors' call)" if assessment.band_by_editors else ""
        return f"{assessment.band.name}{editors}: {assessment.trade_text}"
