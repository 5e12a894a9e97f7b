"""The film form's inlines: cast and crew, where to watch, gross by region and the
parents' guide, with the widgets they need (movies.admin's MovieAdmin lists them).

Every control in a row has an accessible name that says which row it is in ("Role,
credit 3"): a table's column heading is not a label, and screen readers and axe-core
found dozens of unnamed boxes on the film form.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.text import capfirst

from movies.currencies import currency_for_country
from movies.forms import AvailabilityFormSet, CreditFormSet, RegionalGrossFormSet
from movies.models import Availability, ContentAdvisory, Credit, RegionalGross


class LabelledRowsFormSetMixin:
    """Names each control of each row: "<column>, <row name> <n>" ("Role, credit 3"),
    "Delete credit 3", and "<column>, new <row name>" in the template row that "Add
    another" copies. `row_name` is the inline's verbose_name (LabelledRowsInline)."""

    row_name = "row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = f"new {self.row_name}" if index is None else f"{self.row_name} {index + 1}"
        for name, field in form.fields.items():
            if name == DELETION_FIELD_NAME:
                label = f"Delete {row}"
            else:
                label = f"{capfirst(field.label or name)}, {row}"
            widget = getattr(field.widget, "widget", field.widget)  # the +/edit wrapper
            if isinstance(widget, forms.MultiWidget):
                for part, subwidget in zip(("date", "time"), widget.widgets, strict=False):
                    subwidget.attrs["aria-label"] = f"{label} ({part})"
            elif not widget.is_hidden:
                widget.attrs["aria-label"] = label


class LabelledRowsInline:
    """An inline whose formset names every control by its column and row."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            formset.__name__,
            (LabelledRowsFormSetMixin, formset),
            {"row_name": str(self.verbose_name)},
        )


class KnownPeopleAutocomplete(AutocompleteSelect):
    """The person autocomplete, labelling already-credited people without a query each.

    Django's widget looks up the selected person once per row; with 40 cast members that
    is 40 queries. `known` ({pk: name}) is read once per page by CreditInline.get_formset.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not selected or any(pk not in self.known for pk in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options.append(
            self.create_option(name, selected[0], self.known[selected[0]], True, len(options))
        )
        return [(None, options, 0)]


class CreditInline(LabelledRowsInline, admin.TabularInline):
    model = Credit
    formset = CreditFormSet
    autocomplete_fields = ["person"]
    fields = ["person", "role", "character_name", "billing_order"]
    ordering = ["role", "billing_order", "id"]
    extra = 1
    verbose_name = "credit"
    verbose_name_plural = "Cast and crew (billing 1 is the lead; the rest are supporting)"

    class Media:
        # Names the person boxes that select2 draws over the labelled <select>s.
        js = [
            "admin/js/vendor/jquery/jquery.js",
            "admin/js/jquery.init.js",
            "js/admin-autocomplete-names.js",
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "movie")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        person = formset.form.base_fields.get("person")  # absent when the editor may only view
        if obj and person:
            # The formset class is built per request, so its widget is too.
            widget = getattr(person.widget, "widget", person.widget)  # inside the +/edit wrapper
            widget.known = {
                str(pk): name for pk, name in obj.credits.values_list("person", "person__name")
            }
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs["widget"] = KnownPeopleAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CurrencyPlaceholderFormSet(AvailabilityFormSet):
    """Each offer's currency box shows, greyed, the currency a blank box gets on save: its
    country's (Availability.save), so a UK offer reads GBP, not USD."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        currency = form.fields.get("price_currency")
        if currency is not None:
            currency.widget.attrs["placeholder"] = currency_for_country(form.instance.country)


class AvailabilityInline(LabelledRowsInline, admin.TabularInline):
    """A compact table, one line an offer: narrow boxes (CSS in static/css/admin.css) so
    its columns fit the admin's content column at 1280 px; the country's currency fills a
    blank currency."""

    model = Availability
    formset = CurrencyPlaceholderFormSet
    fields = ["provider", "kind", "country", "price", "price_currency", "link", "last_checked"]
    ordering = ["country", "kind", "provider__name"]
    extra = 1
    verbose_name = "offer"
    # Plain, sized inputs: the admin's link widget repeats the link above the box, and its
    # text inputs are 20em wide even for a 3-letter currency (formfield_for_dbfield).
    formfield_overrides = {
        models.URLField: {
            "assume_scheme": "https",
            "widget": forms.URLInput(attrs={"size": 24, "placeholder": "https://"}),
        },
    }
    verbose_name_plural = "Where to watch"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider", "movie")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "provider":
            # Read the providers once for all rows, not once per row's <select>.
            field.choices = list(field.choices)
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price_currency":
            kwargs["widget"] = forms.TextInput(attrs={"size": 4, "maxlength": 3})
        if db_field.name == "price":
            kwargs["widget"] = forms.NumberInput(attrs={"step": "0.01", "min": "0"})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "provider" and field is not None:
            # No add/change/view icons under each row's box: they made each offer a line
            # taller. Providers are edited under Providers.
            wrapper = field.widget
            wrapper.can_add_related = wrapper.can_change_related = False
            wrapper.can_view_related = wrapper.can_delete_related = False
        return field


class RegionalGrossInline(LabelledRowsInline, admin.TabularInline):
    model = RegionalGross
    formset = RegionalGrossFormSet
    fields = ["region", "amount", "as_of"]
    extra = 1
    verbose_name_plural = "Gross by region (in the film's currency)"


class ContentAdvisoryInline(LabelledRowsInline, admin.TabularInline):
    model = ContentAdvisory
    fields = ["category", "severity", "note"]
    extra = 0
    max_num = len(ContentAdvisory.Category)
    verbose_name_plural = "Parents' guide (one row per kind of content)"
