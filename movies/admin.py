"""The editors' admin: films with their credits, offers and box office; people, genres,
providers and the verdict ladder.

Editors (the "Editors" group) see exactly these models. The film list runs a constant
number of queries however many films it shows (tests/movies/test_admin.py).
"""

import json
import re

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Max, Min, Q, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from movies import (
    admin_import,  # noqa: F401  (registers the import screen)
    pagecache,
    selectors,
    services,
    verdicts,
)
from movies.admin_drafts import MovieDraftMixin
from movies.admin_history import MovieHistoryMixin
from movies.admin_inlines import (
    AvailabilityInline,
    ContentAdvisoryInline,
    CreditInline,
    RegionalGrossInline,
)
from movies.admin_layout import MovieFormLayoutMixin
from movies.forms import (
    MOVIE_SECTIONS,
    MovieAdminForm,
    PersonAdminForm,
    ProviderAdminForm,
)
from movies.models import (
    Availability,
    Genre,
    Movie,
    Person,
    Provider,
    VerdictBand,
    forget_ladder,
)
from movies.text import plural as _plural


def _thumbnail(file, width, height):
    """A small <img> of a 2:3 rendition, sized by attributes (no inline styles)."""
    if not file:
        return "—"
    return format_html('<img src="{}" width="{}" height="{}" alt="">', file.url, width, height)


def _change_message(model_admin, request, form, formsets, change):
    """The admin's own words for a save ("Changed Production budget."), as its log says them:
    the comment of the version it makes."""
    message = model_admin.construct_change_message(request, form, formsets, not change)
    return LogEntry(change_message=json.dumps(message)).get_change_message() or "Saved."


# --- Search: the closest match first ----------------------------------------------


class ClosestFirstSearchMixin:
    """Django's admin search (every word somewhere in `search_fields`), with the rows whose
    `rank_field` equals the search first, then those starting with it, then the rest.

    Without it, "one second" lists every film with "one" and "second" anywhere, newest edit
    first, and the person autocomplete offers "Xinyi Zhang" before "Zhang Yi". The rank is
    one CASE in the same query; a column the editor sorts by (?o=) still wins.
    """

    rank_fields = ()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = " ".join(search_term.replace('"', " ").replace("'", " ").split())
        if not term or not self.rank_fields or request.GET.get(ORDER_VAR):
            return queryset, may_have_duplicates
        exact = Q.create([(f"{name}__iexact", term) for name in self.rank_fields], Q.OR)
        prefix = Q.create([(f"{name}__istartswith", term) for name in self.rank_fields], Q.OR)
        queryset = queryset.annotate(
            search_rank=Case(
                When(exact, then=Value(2)),
                When(prefix, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        return queryset.order_by("-search_rank", *queryset.query.order_by), may_have_duplicates


# --- Film list filters ---------------------------------------------------------


class PublicationFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("public", "Public"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "public":
            return queryset.published()
        if value == "scheduled":
            return queryset.filter(status=Movie.Status.PUBLISHED, published_at__gt=timezone.now())
        if value == "draft":
            return queryset.filter(status=Movie.Status.DRAFT)
        return queryset


class MissingFilter(admin.SimpleListFilter):
    """Films missing a figure or text readers look for; the most rated first
    (MovieAdmin.get_ordering), since those are the pages most read."""

    title = "missing"
    parameter_name = "missing"
    MISSING = {
        "budget": ("A budget", Q(budget__isnull=True)),
        "gross": ("A worldwide gross", Q(worldwide_gross__isnull=True)),
        "poster": ("A poster", Q(poster="")),
        "synopsis": ("A synopsis", Q(synopsis="")),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.MISSING.items()]

    def queryset(self, request, queryset):
        missing = self.MISSING.get(self.value())
        return queryset.filter(missing[1]) if missing else queryset


class StaleOffersFilter(admin.SimpleListFilter):
    title = "where to watch"
    parameter_name = "offers"

    def lookups(self, request, model_admin):
        return [("stale", f"Not checked for {selectors.OFFER_CHECK_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() != "stale":
            return queryset
        stale = Availability.objects.filter(last_checked__lt=selectors.stale_offers_cutoff())
        return queryset.filter(pk__in=stale.values("movie"))


class VerdictBandFilter(admin.SimpleListFilter):
    """The trade verdict the figures give (editors' overrides aside), band by band."""

    title = "trade verdict (from the figures)"
    parameter_name = "band"
    NONE = "none"

    def lookups(self, request, model_admin):
        ladder = VerdictBand.objects.ladder()
        return [(band.slug, f"{band.name} ({band.min_multiple:g}x and up)") for band in ladder] + [
            (self.NONE, "No verdict (budget or gross unknown)")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NONE:
            return queryset.filter(box_office_multiple__isnull=True)
        ladder = VerdictBand.objects.ladder()
        band = next((b for b in ladder if b.slug == value), None)
        return queryset.in_band(band, ladder) if band else queryset


class DecadeFilter(admin.SimpleListFilter):
    title = "decade"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        years = Movie.objects.aggregate(first=Min("year"), last=Max("year"))
        if years["first"] is None:
            return []
        first, last = years["first"] // 10 * 10, years["last"] // 10 * 10
        return [(str(d), f"{d}s") for d in range(last, first - 1, -10)]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if not re.fullmatch(r"[0-9]{1,4}", value):  # isdigit() takes "²", int() does not
            return queryset
        decade = int(value) // 10 * 10
        return queryset.filter(year__gte=decade, year__lt=decade + 10)


# --- Films --------------------------------------------------------------------

#: Read-only lines shown inside the form's sections.
MOVIE_SECTION_EXTRAS = {
    "Box office": ["box_office_summary"],
    "Poster": ["poster_preview"],
    "Publishing": ["created_at", "updated_at", "opened_at"],
}
#: Notes shown at the top of the form's sections.
MOVIE_SECTION_DESCRIPTIONS = {
    "Answer and overrides": (
        "Leave these empty to let the ratings and box-office figures decide. An override "
        "needs a reason: readers see it beside the editors' call."
    ),
}


class MovieChangeList(ChangeList):
    """The film list, handing its rows the verdict ladder read once for the whole page.

    The ladder lives in the shared cache, which by default is the database: read per row,
    it would cost a query per film.
    """

    def get_results(self, request):
        super().get_results(request)
        ladder = VerdictBand.objects.ladder()
        for movie in self.result_list:
            movie.ladder = ladder


@admin.register(Movie)
class MovieAdmin(
    MovieDraftMixin,
    MovieFormLayoutMixin,
    MovieHistoryMixin,
    ClosestFirstSearchMixin,
    admin.ModelAdmin,
):
    form = MovieAdminForm
    inlines = [CreditInline, AvailabilityInline, RegionalGrossInline, ContentAdvisoryInline]
    search_fields = ["title", "original_title", "credits__person__name"]
    rank_fields = ["title", "original_title"]
    search_help_text = "Title, original title, or the name of anyone in the credits."
    list_display = [
        "poster_thumbnail",
        "title",
        "year",
        "verdict",
        "rating",
        "publication",
        "updated",
        "page_link",
    ]
    list_display_links = ["title"]
    list_filter = [
        PublicationFilter,
        ("genres", admin.RelatedFieldListFilter),
        VerdictBandFilter,
        DecadeFilter,
        MissingFilter,
        StaleOffersFilter,
        "is_featured",
    ]
    ordering = ["-updated_at"]
    prepopulated_fields = {"slug": ("title", "year")}
    readonly_fields = [
        "poster_preview",
        "box_office_summary",
        "created_at",
        "updated_at",
        *MovieFormLayoutMixin.panel_fields,
    ]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (
            title,
            {
                "fields": names + MOVIE_SECTION_EXTRAS.get(title, []),
                "description": MOVIE_SECTION_DESCRIPTIONS.get(title),
            },
        )
        for title, names in MOVIE_SECTIONS
    ]

    def get_changelist(self, request, **kwargs):
        return MovieChangeList

    def get_ordering(self, request):
        if request.GET.get(MissingFilter.parameter_name):
            return ["-rating_count", "-updated_at"]  # the most rated pages first
        return super().get_ordering(request)

    def save_model(self, request, obj, form, change):
        """The film is written with its inlines in save_related(), through the service."""

    def save_related(self, request, form, formsets, change):
        if self.save_draft(request, form, formsets, change):  # "Save as draft": admin_drafts
            return
        services.movie_save(
            movie=form.instance,
            save_related=lambda: super(MovieAdmin, self).save_related(
                request, form, formsets, change
            ),
            editor=request.user,
            changed=form.changed_data,
            comment=lambda: _change_message(self, request, form, formsets, change),
        )
        warning = form.poster_crop_warning()
        if warning:
            self.message_user(request, warning, messages.WARNING)

    def view_on_site(self, obj):
        """Public films only: drafts and scheduled films get "Preview" instead."""
        return obj.get_absolute_url() if obj.is_public else None

    # --- list columns

    @admin.display(description="poster")
    def poster_thumbnail(self, obj):
        return _thumbnail(obj.poster_small, 40, 60)

    @admin.display(description="trade verdict", ordering="box_office_multiple")
    def verdict(self, obj):
        override = next((b for b in obj.ladder if b.pk == obj.verdict_override_id), None)
        if override:
            return f"{override.name} (editors' call)"
        band = verdicts.band_for(obj.box_office_multiple, obj.ladder)
        if band is None:
            return "—"
        return f"{band.name} ({verdicts.format_multiple(obj.box_office_multiple, obj.ladder)})"

    @admin.display(description="rating")
    def rating(self, obj):
        if obj.rating_count and obj.audience_rating is not None:
            return f"{obj.audience_rating:.1f}/10 ({_plural(obj.rating_count, 'reader')})"
        if obj.external_rating is not None:
            return f"{obj.external_rating}/10 ({obj.external_rating_source or 'external'})"
        return "—"

    @admin.display(description="publication", ordering="published_at")
    def publication(self, obj):
        if obj.status == Movie.Status.DRAFT:
            return "Draft"
        if obj.is_public:
            return "Public"
        return f"Scheduled for {date_format(timezone.localtime(obj.published_at), 'j M Y H:i')}"

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj):
        """The day alone: the admin's "Nov. 30, 2026, 11:25 p.m." pushed the list past 1280 px."""
        return date_format(timezone.localtime(obj.updated_at), "j M Y")

    @admin.display(description="page")
    def page_link(self, obj):
        label = "View" if obj.is_public else "Preview"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), label)

    # --- change form extras

    @admin.display(description="current poster")
    def poster_preview(self, obj):
        return _thumbnail(obj.poster_large, 200, 300)

    @admin.display(description="multiple")
    def box_office_summary(self, obj):
        if obj.box_office_multiple is None:
            return "No multiple: it needs both the budget and the worldwide gross."
        return (
            f"{verdicts.format_multiple(obj.box_office_multiple)} the budget (worked out on save)"
        )

    # --- actions

    @admin.action(description="Publish the selected films", permissions=["change"])
    def publish(self, request, queryset):
        try:
            result = services.publish_movies(movies=queryset, editor=request.user)
        except ValidationError as exc:
            self.message_user(
                request, f"Nothing was published: {'; '.join(exc.messages)}", messages.ERROR
            )
            return
        for movie in result.published + result.scheduled:
            self.log_change(request, movie, "Published from the film list.")
        parts = []
        if result.published:
            parts.append(f"Published {_plural(len(result.published), 'film')}.")
        if result.scheduled:
            parts.append(
                f"{_plural(len(result.scheduled), 'film')} scheduled: public from the publish "
                "time set on " + ("it." if len(result.scheduled) == 1 else "each.")
            )
        if result.unchanged:
            parts.append(
                f"{_plural(len(result.unchanged), 'film was', 'films were')} already published."
            )
        level = messages.SUCCESS if result.published or result.scheduled else messages.WARNING
        self.message_user(request, " ".join(parts), level)

    @admin.action(
        description="Unpublish the selected films (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        try:
            changed = services.unpublish_movies(movies=queryset, editor=request.user)
        except ValidationError as exc:
            self.message_user(
                request, f"Nothing was unpublished: {'; '.join(exc.messages)}", messages.ERROR
            )
            return
        for movie in changed:
            self.log_change(request, movie, "Unpublished from the film list.")
        skipped = queryset.count() - len(changed)
        text = f"Unpublished {_plural(len(changed), 'film')}: hidden from readers until published."
        if skipped:
            text += f" {_plural(skipped, 'film was', 'films were')} already a draft."
        self.message_user(request, text, messages.SUCCESS if changed else messages.WARNING)


# --- People, genres, providers --------------------------------------------------


@admin.register(Person)
class PersonAdmin(ClosestFirstSearchMixin, admin.ModelAdmin):
    form = PersonAdminForm
    search_fields = ["name"]
    rank_fields = ["name"]
    list_display = ["photo_thumbnail", "name", "credit_count", "updated_at"]
    ordering = ["name"]
    list_display_links = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    fields = [
        "name",
        "slug",
        "photo",
        "photo_preview",
        ("birth_date", "birth_place"),
        ("death_date", "death_place"),
        "bio",
        "external_id",
    ]
    readonly_fields = ["photo_preview"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(credit_count=Count("credits"))

    def save_model(self, request, obj, form, change):
        services.person_save(
            person=obj,
            editor=request.user,
            comment=_change_message(self, request, form, [], change),
        )

    def delete_model(self, request, obj):
        services.people_delete(people=Person.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.people_delete(people=queryset)

    @admin.display(description="photo")
    def photo_thumbnail(self, obj):
        return _thumbnail(obj.photo_thumb, 40, 60)

    @admin.display(description="current photo")
    def photo_preview(self, obj):
        return _thumbnail(obj.photo_thumb, 200, 300)

    @admin.display(description="credits", ordering="credit_count")
    def credit_count(self, obj):
        return obj.credit_count


class CataloguePagesMixin:
    """Readers' pages show these rows (a genre's name on every card, a provider's on the
    verdict pages): a save or a delete moves the page cache on (movies.pagecache)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.shared_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.shared_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.shared_changed()


@admin.register(Genre)
class GenreAdmin(CataloguePagesMixin, admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "slug", "film_count"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("movies"))

    @admin.display(description="films", ordering="film_count")
    def film_count(self, obj):
        return obj.film_count


@admin.register(Provider)
class ProviderAdmin(CataloguePagesMixin, VersionAdmin):
    form = ProviderAdminForm
    search_fields = ["name"]
    list_display = ["name", "homepage", "offer_count"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offer_count=Count("availabilities"))

    @admin.display(description="offers", ordering="offer_count")
    def offer_count(self, obj):
        return obj.offer_count


# --- The verdict ladder -----------------------------------------------------------


@admin.register(VerdictBand)
class VerdictBandAdmin(VersionAdmin):
    """One band at a time (no list editing): each save is checked against the others by
    VerdictBand.clean, and deletions that would leave a gap are refused."""

    list_display = ["name", "min_multiple", "order", "tone"]
    ordering = ["order"]
    prepopulated_fields = {"slug": ("name",)}
    actions = ["delete_bands"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_bands, which checks the ladder
        return actions

    @staticmethod
    def ladder_problems_without(pks):
        remaining = VerdictBand.objects.exclude(pk__in=pks)
        return verdicts.ladder_problems([(b.name, b.min_multiple, b.order) for b in remaining])

    def _refuse(self, request, problems):
        self.message_user(
            request,
            "Not deleted: the ladder would have a gap. "
            + " ".join(problems)
            + " Lower the next band's minimum to 0 first, or delete a higher band.",
            messages.ERROR,
        )

    @admin.action(description="Delete the selected verdict bands", permissions=["delete"])
    def delete_bands(self, request, queryset):
        problems = self.ladder_problems_without(list(queryset.values_list("pk", flat=True)))
        if problems:
            self._refuse(request, problems)
            return None
        return delete_selected(self, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        band = self.get_object(request, unquote(object_id))
        if band is not None:
            problems = self.ladder_problems_without([band.pk])
            if problems:
                self._refuse(request, problems)
                return redirect(reverse("admin:movies_verdictband_change", args=[band.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        forget_ladder()  # a bulk delete skips VerdictBand.delete()
