from django import forms
from django.conf import settings

from reviews import services
from reviews.models import REVIEW_BODY_MAX_LENGTH, Review, ReviewReport


class ErrorSummaryMixin:
    """After a failed submit, the page's focus belongs to the error summary at the top of
    the form (templates/reviews/includes/error_summary.html), not to the first field:
    a field's autofocus would skip the summary and, for a screen-reader user, every
    problem but the one in that field."""

    def full_clean(self):
        super().full_clean()
        if self._errors:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)


def _refuse_anything(value):
    # Validators run on non-empty values only: anything typed in the honeypot is refused.
    raise forms.ValidationError("This form looks automated: please leave the last field empty.")


class HoneypotMixin:
    """A field people never see (hidden by CSS, skipped by keyboard and screen readers)
    and bots fill in. Filled in: a form error, nothing saved.

    `honeypot_name` is the field's only spelling: the form templates find the field by
    `form.honeypot_name` (reviews/includes/form_fields.html, error_summary.html).
    """

    honeypot_name = "website"

    def add_honeypot(self):
        self.fields[self.honeypot_name] = forms.CharField(
            label="Leave this field empty",
            required=False,
            validators=[_refuse_anything],
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


RATING_CHOICES = [(n, str(n)) for n in range(1, 11)]


class RatingForm(forms.Form):
    """The verdict page's one-step rating: a whole number from 1 to 10."""

    rating = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int)


class ReviewForm(ErrorSummaryMixin, HoneypotMixin, forms.ModelForm):
    """Rating, and optionally a written review. Only these fields: posting `user`,
    `movie`, `status` or counters changes nothing (the view passes the rest)."""

    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(n, str(n)) for n in range(10, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="10 is a masterpiece, 1 a waste of time.",
    )

    class Meta:
        model = Review
        fields = ["rating", "headline", "body", "contains_spoilers"]
        labels = {
            "headline": "Headline (optional)",
            "body": "Your review (optional)",
            "contains_spoilers": "My review gives away plot points (spoilers)",
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10, "maxlength": REVIEW_BODY_MAX_LENGTH}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = (
            f"Leave empty to just rate the film. A written review needs at least "
            f"{settings.REVIEW_MIN_LENGTH} characters, at most {REVIEW_BODY_MAX_LENGTH:,}."
        )
        self.fields[
            "contains_spoilers"
        ].help_text = "Readers see a collapsed review and open it only if they want to."
        self.add_honeypot()

    def clean(self):
        # The text rules are the service's (review_submit() checks them again); checked
        # here too so that every problem shows at once, with or without a rating.
        cleaned = super().clean()
        try:
            services.review_text_validate(
                headline=cleaned.get("headline") or "", body=cleaned.get("body") or ""
            )
        except forms.ValidationError as error:
            for field, errors in error.error_dict.items():
                if field not in self.errors:
                    self.add_error(field, errors)
        return cleaned

    def _post_clean(self):
        # reviews.services.review_submit() validates the review it builds and the view
        # puts its errors on these fields.
        pass


class ReportForm(ErrorSummaryMixin, forms.ModelForm):
    class Meta:
        model = ReviewReport
        fields = ["reason"]
        labels = {"reason": "What is wrong with this review?"}
        widgets = {"reason": forms.RadioSelect}

    def _post_clean(self):
        pass
