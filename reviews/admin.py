"""The editors' moderation queue.

Every change that moves a film's aggregate (status, deletion) goes through
reviews.services, from the change form, the bulk actions and the delete views alike;
readers' words and ratings are read-only here.
"""

from django.contrib import admin, messages
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html

from movies.text import plural
from reviews import services
from reviews.models import Review, ReviewReport


class OpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("open", "Has open reports"), ("none", "No open reports")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(report_count__gt=0)
        if self.value() == "none":
            return queryset.filter(report_count=0)
        return queryset


class WrittenFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("written", "Written review"), ("rating", "Rating only")]

    def queryset(self, request, queryset):
        if self.value() == "written":
            return queryset.exclude(body="")
        if self.value() == "rating":
            return queryset.filter(body="")
        return queryset


class ReportInline(admin.TabularInline):
    model = ReviewReport
    fields = ["user", "reason", "is_open", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "summary",
        "film",
        "user",
        "rating",
        "status",
        "report_count",
        "helpful_count",
        "created_at",
    ]
    list_filter = [
        "status",
        OpenReportsFilter,
        WrittenFilter,
        "contains_spoilers",
        ("user__is_active", admin.BooleanFieldListFilter),
        "created_at",
    ]
    list_select_related = ["movie", "user"]
    search_fields = ["headline", "body", "user__username", "movie__title"]
    date_hierarchy = "created_at"
    ordering = ["-report_count", "-created_at"]
    actions = ["approve", "reject", "return_to_pending"]
    fields = [
        "status",
        "film",
        "user",
        "rating",
        "headline",
        "body",
        "contains_spoilers",
        "helpful_count",
        "report_count",
        "created_at",
        "updated_at",
        "moderated_at",
        "moderated_by",
    ]
    readonly_fields = [f for f in fields if f != "status"]
    inlines = [ReportInline]

    @admin.display(description="review")
    def summary(self, review):
        if not review.body:
            return "(rating only)"
        return review.headline or truncatechars(review.body, 60)

    @admin.display(description="film", ordering="movie__title")
    def film(self, review):
        return format_html(
            '{} · <a href="{}">page</a>', review.movie, review.movie.get_absolute_url()
        )

    def has_add_permission(self, request):
        return False  # readers write reviews, on the site

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            services.reviews_moderate(reviews=[obj], status=obj.status, moderator=request.user)

    def delete_model(self, request, obj):
        services.reviews_delete(reviews=[obj])

    def delete_queryset(self, request, queryset):
        services.reviews_delete(reviews=list(queryset))

    def _moderate(self, request, queryset, status, verb):
        reviews = list(queryset)
        moving = [review for review in reviews if review.status != status]
        changed = services.reviews_moderate(reviews=reviews, status=status, moderator=request.user)
        for review in moving:  # in the admin's history, as publishing a film is
            self.log_change(request, review, f"{verb.capitalize()} from the review list.")
        closed = " Their open reports are closed." if status != Review.Status.PENDING else ""
        self.message_user(
            request,
            f"{plural(changed, 'review')} {verb}.{closed}",
            messages.SUCCESS,
        )

    @admin.action(description="Approve (publish) selected reviews", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Review.Status.PUBLISHED, "published")

    @admin.action(description="Reject selected reviews", permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, Review.Status.REJECTED, "rejected")

    @admin.action(description="Return selected reviews to pending", permissions=["change"])
    def return_to_pending(self, request, queryset):
        self._moderate(request, queryset, Review.Status.PENDING, "returned to pending")


@admin.register(ReviewReport)
class ReviewReportAdmin(admin.ModelAdmin):
    """Reports, read-only: editors act on the review (approve or reject closes them)."""

    list_display = ["review_link", "user", "reason", "is_open", "created_at"]
    list_filter = ["is_open", "reason", "created_at"]
    list_select_related = ["review__movie", "user"]
    search_fields = ["review__headline", "user__username"]

    @admin.display(description="review")
    def review_link(self, report):
        url = reverse("admin:reviews_review_change", args=[report.review_id])
        return format_html('<a href="{}">{}</a>', url, report.review.movie)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
