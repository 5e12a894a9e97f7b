"""Editors' forms: the admin's film, person and provider forms and their inline formsets.

Every refusal says what is wrong and what to do, in the editor's words; nothing an
editor can type or upload ends in a server error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django_countries import countries

from movies import history, images, limits
from movies.models import Availability, Credit, Movie, Person, Provider

ACCEPTED_TYPES = "image/jpeg,image/png,image/webp"


class UploadImageField(forms.ImageField):
    """An image upload checked by content and decoded once (see movies.images).

    The cleaned value is the upload with a `processed` attribute; `ImageUploadsMixin.save`
    stores the re-encoded image and its renditions instead of the raw bytes.
    """

    # The file name's extension says nothing about the content: Pillow decides.
    default_validators = []

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)  # empty file, missing name
        if upload is None:
            return None
        upload.processed = images.process_upload(upload)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPTED_TYPES
        return attrs


class NameListField(forms.CharField):
    """A list of names (a JSON list on the model), edited one name per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):  # JSONField's options
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        lines = (line.strip() for line in super().to_python(value).splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class ImageUploadsMixin:
    """Stores uploads from `UploadImageField`s re-encoded, with their renditions.

    Done in the form's save path, not a signal: the files are written by the model's
    save, with the row, and a refused upload never reaches storage.
    """

    def save(self, commit=True):
        replaced = []
        for name, field in self.fields.items():
            if not isinstance(field, UploadImageField) or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if getattr(value, "processed", None) is None and value is not False:
                continue
            replaced += [self.initial.get(name)] + [
                getattr(self.instance, rendition) for rendition in images.renditions_of(
                    self.instance, name)
            ]  # fmt: skip
            if value is False:  # "Clear" ticked
                images.detach(self.instance, name)
            else:
                images.attach(self.instance, name, value.processed)
        images.delete_after_commit([file.name for file in replaced if file])
        return super().save(commit)


POSTER_HELP = (
    f"JPEG, PNG or WebP, {limits.IMAGE_LIMIT_TEXT}. Re-encoded without its metadata; "
    "the page shows 2:3 crops of it, 200×300 and 500×750 pixels, so a 2:3 poster fits best."
)
PHOTO_HELP = (
    f"JPEG, PNG or WebP, {limits.IMAGE_LIMIT_TEXT}. Re-encoded without its metadata; "
    "shown as a 200×300 (2:3) crop."
)
LOGO_HELP = (
    f"JPEG, PNG or WebP, {limits.UPLOAD_LIMIT_TEXT}. Re-encoded and shrunk to fit 256×256 pixels; "
    "PNG and WebP keep their transparency."
)


#: Posters whose shape is further than this from 2:3 lose enough to a crop to mention it.
CROP_WARNING_TOLERANCE = 0.15


def crop_warning(width, height):
    """What a 2:3 crop of a `width`x`height` image cuts off, for the editor; "" if little.

    The renditions are 2:3 crops (movies.images): a square poster loses a third of its
    width, and an editor would otherwise find out only on the public page.
    """
    if not width or not height:
        return ""
    ratio = (width / height) / (2 / 3)
    if abs(ratio - 1) <= CROP_WARNING_TOLERANCE:
        return ""
    if ratio > 1:  # too wide: the sides go
        lost, side = 1 - 1 / ratio, "width (left and right edges)"
    else:  # too tall: the top and bottom go
        lost, side = 1 - ratio, "height (top and bottom)"
    return (
        f"The poster is {width}×{height} pixels, not 2:3, so the page shows it cropped to 2:3: "
        f"{lost:.0%} of its {side} is cut off. Upload a 2:3 image (e.g. 1000×1500) to show "
        "all of it."
    )


class MoneyField(forms.IntegerField):
    """A whole amount of money, typed and shown with thousands separators: "1,300,000"
    (spaces and underscores are taken too). A text box, since a number box refuses commas."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 16})
    SEPARATORS = str.maketrans("", "", ", \u00a0\u202f_")  # and no-break spaces

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(self.SEPARATORS)
        return super().to_python(value)

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value


class MultiLineField(forms.CharField):
    """A text box's text with the line breaks the model stores: browsers send a textarea's
    lines joined by CR LF, which made every save of a film from the browser "change" each
    text of more than one line (in the admin's log and the film's history)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def _amount_error(label):
    return {
        "min_value": f"{label} cannot be negative: enter 0 or more, in whole units of the currency."
    }


#: The film form's sections, in the order of the public page: (title, fields).
MOVIE_SECTIONS = [
    (
        "Identity and facts",
        [
            "title",
            "original_title",
            "year",
            "slug",
            "release_date",
            "runtime_minutes",
            "certification",
            "genres",
            "main_genre",
            "external_id",
        ],
    ),
    ("Answer and overrides", ["answer_override", "verdict_override", "override_reason"]),
    ("Plot", ["logline", "synopsis", "plot_summary"]),
    ("Ending (spoiler)", ["ending_breakdown"]),
    ("Historical accuracy", ["accuracy_label", "historical_accuracy"]),
    ("Performance", ["performance_analysis"]),
    ("Assessment", ["editorial_assessment", "assessment_by", "assessment_reviewed_on"]),
    ("Worth watching if you…", ["watch_if"]),
    (
        "Box office",
        [
            "currency",
            "budget",
            "worldwide_gross",
            "domestic_gross",
            "box_office_source",
            "box_office_as_of",
        ],
    ),
    ("External rating", ["external_rating", "external_rating_votes", "external_rating_source"]),
    (
        "What critics say",
        [
            "critics_positive_pct",
            "critics_fresh",
            "critics_rotten",
            "critics_average",
            "metacritic",
            "critics_source",
            "critics_as_of",
        ],
    ),
    ("Awards", ["awards", "oscars_won", "oscars_nominated"]),
    ("Origins", ["languages", "countries", "production_companies"]),
    ("Poster", ["poster"]),
    ("Publishing", ["status", "published_at", "is_featured"]),
]


class MovieAdminForm(ImageUploadsMixin, forms.ModelForm):
    #: When the film was last updated as this form was opened: a save is refused if
    #: someone saved the film since (history.edit_conflict), instead of overwriting them.
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Movie
        fields = [name for _, names in MOVIE_SECTIONS for name in names]
        field_classes = {
            "poster": UploadImageField,
            "languages": NameListField,
            "countries": NameListField,
            "production_companies": NameListField,
            "budget": MoneyField,
            "worldwide_gross": MoneyField,
            "domestic_gross": MoneyField,
        } | {f.name: MultiLineField for f in Movie._meta.fields if isinstance(f, models.TextField)}
        widgets = {
            "genres": forms.CheckboxSelectMultiple,
            "logline": forms.TextInput(attrs={"size": 80}),
            # Named here, or the admin's number box (its widget for big integers) replaces
            # MoneyField's text box: a browser shows "1,300,000" in a number box as empty,
            # and a save then blanks the figure.
            "budget": MoneyField.widget,
            "worldwide_gross": MoneyField.widget,
            "domestic_gross": MoneyField.widget,
        }
        help_texts = {
            "poster": POSTER_HELP,
            "languages": "One per line, the main one first.",
            "countries": "One per line, the main one first.",
            "production_companies": "One per line.",
            "slug": "The web address: title and year, e.g. one-second-2020. "
            "Left empty, it is made from the title and year.",
        }
        error_messages = {
            "runtime_minutes": {"min_value": "A runtime must be at least 1 minute."},
            "budget": _amount_error("A budget"),
            "worldwide_gross": _amount_error("A worldwide gross"),
            "domestic_gross": _amount_error("A domestic gross"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False  # Movie.save makes it from the title and year
        if self.instance.pk is not None:
            self.fields["opened_at"].initial = self.instance.updated_at.isoformat()
        published = self.fields.get("published_at")
        if published is not None and isinstance(published.widget, forms.MultiWidget):
            # The admin's date and time boxes sit under one legend, each without a label.
            for part, widget in zip(("date", "time"), published.widget.widgets, strict=False):
                widget.attrs["aria-label"] = f"Publish {part}"

    def poster_crop_warning(self):
        """After a save: what the 2:3 crop cut off a newly uploaded poster, or ""."""
        poster = self.cleaned_data.get("poster")
        processed = getattr(poster, "processed", None)
        if processed is None:
            return ""
        return crop_warning(*processed.image.size)

    def clean(self):
        cleaned = super().clean()
        opened_at = cleaned.get("opened_at")
        if self.instance.pk is not None and opened_at:
            conflict = history.edit_conflict(self.instance, opened_at)
            if conflict:
                raise ValidationError(conflict, code="edit_conflict")
        genres, main = cleaned.get("genres"), cleaned.get("main_genre")
        if main is not None and genres is not None and main not in genres:
            self.add_error(
                "main_genre",
                f"The main genre must be one of the film's genres: tick {main} under "
                "Genres, or pick another main genre.",
            )
        return cleaned


class PersonAdminForm(ImageUploadsMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "slug", "photo", "external_id"]
        field_classes = {"photo": UploadImageField}
        help_texts = {"photo": PHOTO_HELP}


class ProviderAdminForm(ImageUploadsMixin, forms.ModelForm):
    # Declared so that "tv.apple.com" means https://tv.apple.com, in the admin and out.
    homepage = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=Provider._meta.get_field("homepage").max_length,
        widget=forms.URLInput(attrs={"size": 60, "placeholder": "https://"}),
    )

    class Meta:
        model = Provider
        fields = ["name", "slug", "logo", "homepage"]
        field_classes = {"logo": UploadImageField}
        help_texts = {"logo": LOGO_HELP}


class DuplicateRowsFormSet(BaseInlineFormSet):
    """Refuses two rows that say the same thing, naming them.

    Django's own check would say "Please correct the duplicate data for movie, person
    and role"; editors get "Zhang Yi is listed twice as Cast" instead.
    """

    key_fields = ()

    def describe(self, data):
        raise NotImplementedError

    def _key(self, data):
        key = []
        for name in self.key_fields:
            value = data.get(name)
            if value in (None, ""):
                return None
            key.append(value.casefold() if isinstance(value, str) else getattr(value, "pk", value))
        return tuple(key)

    def clean(self):
        seen, problems = set(), []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            key = self._key(form.cleaned_data)
            if key is None:
                continue
            if key in seen:
                message = self.describe(form.cleaned_data)
                problems.append(message)
                form.add_error(None, f"{message} Remove this row or change it.")
            seen.add(key)
        if problems:
            raise ValidationError(problems)
        super().clean()


class CreditFormSet(DuplicateRowsFormSet):
    key_fields = ("person", "role")

    def describe(self, data):
        role = dict(Credit.Role.choices).get(data["role"], data["role"])
        return f"{data['person']} is listed twice as {role}."


class AvailabilityFormSet(DuplicateRowsFormSet):
    key_fields = ("provider", "country", "kind")

    def describe(self, data):
        kind = dict(Availability.Kind.choices).get(data["kind"], data["kind"]).lower()
        country = countries.name(data["country"]) or data["country"]
        return f"The offer to {kind} on {data['provider']} in {country} is listed twice."


class RegionalGrossFormSet(DuplicateRowsFormSet):
    key_fields = ("region",)

    def describe(self, data):
        return f"The region {data['region']} is listed twice."
