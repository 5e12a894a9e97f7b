"""A reader's public profile, and allauth's sign-up with one more rate limit (the
account flows themselves are django-allauth's)."""

from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import ListView

from movies.pagination import ForgivingPaginationMixin
from reviews.models import Review


class ProfileView(ForgivingPaginationMixin, ListView):
    """A reader's public page: their published written reviews, newest first. Never
    their email address."""

    template_name = "accounts/profile.html"
    context_object_name = "reviews"
    paginate_by = 20

    @cached_property
    def profile_user(self):
        return get_object_or_404(get_user_model(), username=self.kwargs["username"], is_active=True)

    def get_queryset(self):
        return (
            Review.objects.public_written()
            .filter(user=self.profile_user)
            .select_related("movie", "user")
            .with_reader_flags(self.request.user)
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        unpublished = []
        if self.request.user.pk == self.profile_user.pk:
            # Only to their author: the reviews an editor has yet to approve or turned down.
            unpublished = list(
                Review.objects.exclude(status=Review.Status.PUBLISHED)
                .on_public_films()
                .filter(user=self.profile_user)
                .select_related("movie")
                .order_by("status", "-updated_at", "-pk")
            )
        return super().get_context_data(
            profile_user=self.profile_user,
            rating_total=Review.objects.counted()
            .on_public_films()
            .filter(user=self.profile_user)
            .count(),
            unpublished=unpublished,
            pending_total=sum(r.status == Review.Status.PENDING for r in unpublished),
            rejected_total=sum(r.status == Review.Status.REJECTED for r in unpublished),
            **kwargs,
        )


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, also limited per email address ("signup_email" in
    ACCOUNT_RATE_LIMITS): allauth limits sign-ups per client address only, and many
    addresses signing up one mailbox is the other half of a throwaway-account run."""

    def form_valid(self, form):
        email = (form.cleaned_data.get("email") or "").casefold()
        if email:
            response = ratelimit.consume_or_429(self.request, action="signup_email", key=email)
            if response is not None:
                return response
        return super().form_valid(form)
