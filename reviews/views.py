"""Accounts, writing reviews, reading them, voting and reporting.

Thin views: reads come from reviews.selectors and the QuerySet methods, writes from
reviews.services. A reader's own review is addressed by film and reader
(/movies/<slug>/review/), so there is no URL through which anyone else could edit it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from movies.models import Movie
from movies.pagination import ForgivingPaginationMixin
from reviews import services
from reviews.forms import LoginForm, RatingForm, ReportForm, ReviewForm, SignupForm
from reviews.models import Review, readable_q


class PublicMovieMixin:
    """The film named by the URL's slug; 404 unless the public can see it."""

    @cached_property
    def movie(self):
        return get_object_or_404(Movie.objects.published(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(movie=self.movie, **kwargs)


class ReviewEditView(LoginRequiredMixin, PublicMovieMixin, FormView):
    """Write, or edit, your review of a film."""

    template_name = "reviews/review_form.html"
    form_class = ReviewForm

    @cached_property
    def own_review(self):
        return Review.objects.filter(movie=self.movie, user=self.request.user).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.own_review}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            own_review=self.own_review,
            text_waits=services.review_text_waits_for_editor(
                user=self.request.user, review=self.own_review
            ),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = services.review_submit(
                movie=self.movie,
                user=self.request.user,
                rating=data["rating"],
                headline=data["headline"],
                body=data["body"],
                contains_spoilers=data["contains_spoilers"],
            )
        except ValidationError as error:
            # Field errors land on their fields (the service validates the form's fields
            # only), the rest above the form.
            form.add_error(None, error)
            status = 429 if isinstance(error, services.ReviewRateLimited) else 200
            return self.render_to_response(self.get_context_data(form=form), status=status)
        # The message shows at the top of the film's page, where the redirect lands; its
        # link leads down to the reader's review.
        messages.success(
            self.request,
            format_html(
                '{} <a href="{}#your-review">See your review</a>.',
                _saved_message(review),
                self.movie.get_absolute_url(),
            ),
        )
        return redirect(self.movie.get_absolute_url())


class RateView(LoginRequiredMixin, PublicMovieMixin, View):
    """The verdict page's one-step rating (POST 1-10): sets or changes the reader's rating
    and keeps any written review as it is, then back to the film's page. GET (after
    logging in) leads there too."""

    def get(self, request, *args, **kwargs):
        return redirect(self.movie.get_absolute_url() + "#your-review")

    def post(self, request, *args, **kwargs):
        form = RatingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a rating from 1 to 10, then press Rate.")
            return redirect(self.movie.get_absolute_url() + "#your-review")
        own = Review.objects.filter(movie=self.movie, user=request.user).first()
        try:
            review = services.review_submit(
                movie=self.movie,
                user=request.user,
                rating=form.cleaned_data["rating"],
                headline=own.headline if own else "",
                body=own.body if own else "",
                contains_spoilers=own.contains_spoilers if own else False,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _saved_message(review))
        return redirect(self.movie.get_absolute_url() + "#your-review")


def _saved_message(review: Review) -> str:
    """Exactly what saving did: whether the rating counts, whether the text is public."""
    rating = f"your rating of {review.rating}/10"
    return {
        "rejected": (
            f"Saved, but {rating} does not count: an editor did not publish this review. "
            "Change the text and it goes back to the editors."
        ),
        "withheld": (
            "Saved: your review is back with the editors. It appears, and "
            f"{rating} counts, once an editor approves it."
        ),
        "rating_withheld": (
            f"Saved: {rating} goes to the editors first and counts once one approves it."
        ),
        "waiting": (
            f"Saved: {rating} counts now. Your written review is waiting for an editor "
            "and appears once approved."
        ),
        "published": f"Saved: {rating} counts and your review is published.",
        "rating": f"Saved: {rating} counts.",
    }[review.standing]


class ReviewDeleteView(LoginRequiredMixin, PublicMovieMixin, TemplateView):
    """Confirm (GET), then delete (POST) your own review of a film."""

    template_name = "reviews/review_confirm_delete.html"

    @cached_property
    def own_review(self):
        return get_object_or_404(Review, movie=self.movie, user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.own_review, **kwargs)

    def post(self, request, *args, **kwargs):
        services.review_delete(review=self.own_review, user=request.user)
        messages.success(request, "Your review and rating are deleted.")
        return redirect(self.movie.get_absolute_url())


class ReviewListView(PublicMovieMixin, ForgivingPaginationMixin, ListView):
    """All published written reviews of a film, sorted as the reader asks."""

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = 20

    @cached_property
    def sort(self):
        sort = self.request.GET.get("sort", "")
        return sort if sort in Review.SORTS else "helpful"

    def get_queryset(self):
        return (
            Review.objects.readable()
            .filter(movie=self.movie)
            .select_related("user")
            .with_reader_flags(self.request.user)
            .sorted_by(self.sort)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sort=self.sort,
            sorts=[(key, label) for key, (label, _) in Review.SORTS.items()],
            querystring=f"sort={self.sort}",
            **kwargs,
        )


class ReviewDetailView(PublicMovieMixin, TemplateView):
    """One review on its own page: its permalink, and where votes and reports return to."""

    template_name = "reviews/review_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        visible = readable_q()
        if user.is_authenticated:
            visible |= Q(user=user)  # authors see their own review whatever its status
        review = get_object_or_404(
            Review.objects.filter(visible, movie=self.movie, pk=self.kwargs["pk"])
            .select_related("user")
            .with_reader_flags(user)
        )
        return super().get_context_data(review=review, **kwargs)


class ReviewActionMixin(LoginRequiredMixin):
    """A POST about someone's published review; GET (after logging in) shows the review."""

    @cached_property
    def review(self):
        return get_object_or_404(
            Review.objects.public_written().select_related("movie", "user"), pk=self.kwargs["pk"]
        )


class HelpfulVoteView(RedirectURLMixin, ReviewActionMixin, View):
    """Back to the page the vote was given on (the form's safe `next`), else the review."""

    def get_default_redirect_url(self):
        return self.review.get_absolute_url()

    def get(self, request, *args, **kwargs):
        return redirect(self.review.get_absolute_url())

    def post(self, request, *args, **kwargs):
        """Mark the review helpful; a second POST takes the vote back."""
        try:
            _, voted = services.review_toggle_helpful(review=self.review, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            author = self.review.user.get_username()
            if voted:
                messages.success(request, f"Thanks: you marked {author}'s review as helpful.")
            else:
                messages.success(request, f"Your helpful vote on {author}'s review is taken back.")
        return HttpResponseRedirect(self.get_success_url())


class ReportView(ReviewActionMixin, FormView):
    template_name = "reviews/report_form.html"
    form_class = ReportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, movie=self.review.movie, **kwargs)

    def form_valid(self, form):
        try:
            services.review_report(
                review=self.review, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(self.request, "Thank you: an editor will look at this review.")
        return redirect(self.review.movie.get_absolute_url())


def _tell_owner_of_a_reused_email(request, user) -> None:
    """Mail the address's earlier account(s) that a new account uses it too.

    Signing up with an address another account uses succeeds like any other signup, so
    the page never reveals which addresses have accounts (a signup form that says "this
    email is taken" answers that question for anyone). The mailbox's owner hears of it
    and gets a password-reset link; password reset mails every account of the address.
    """
    earlier = set(
        get_user_model()
        .objects.filter(email__iexact=user.email, is_active=True)
        .exclude(pk=user.pk)
        .values_list("email", flat=True)
    )
    if not earlier:
        return
    body = render_to_string(
        "registration/email_in_use_email.txt",
        {
            "site_name": settings.SITE_NAME,
            "new_username": user.get_username(),
            "reset_url": request.build_absolute_uri(reverse("password_reset")),
        },
    )
    send_mail(f"A new {settings.SITE_NAME} account uses your email", body, None, sorted(earlier))


class SignupView(RedirectURLMixin, FormView):
    """Create an account, log in, and go back to the form's safe `next` (Django's rule, as
    for logging in), else to the new reader's profile."""

    template_name = "registration/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("reviews:profile", username=request.user.get_username())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.save()
        _tell_owner_of_a_reused_email(self.request, user)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"Welcome, {user.get_username()}: you are logged in.")
        return HttpResponseRedirect(self.get_success_url())

    def get_default_redirect_url(self):
        return reverse("reviews:profile", args=[self.request.user.get_username()])

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)


class ProfileView(ForgivingPaginationMixin, ListView):
    """A reader's public page: their published written reviews, newest first."""

    template_name = "reviews/profile.html"
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


class LoginView(auth_views.LoginView):
    """Django's login view with the error summary's form (reviews.forms.LoginForm)."""

    authentication_form = LoginForm
