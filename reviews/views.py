"""Writing reviews, reading them, voting and reporting.

Thin views: reads come from reviews.selectors and the QuerySet methods, writes from
reviews.services. A reader's own review is addressed by film and reader
(/movies/<slug>/review/), so there is no URL through which anyone else could edit it.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from movies.models import Movie
from movies.pagination import keyset_after, whole_id
from reviews import services, trust
from reviews.forms import RatingForm, ReportForm, ReviewForm
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

    @cached_property
    def rejected_before(self):
        """An editor rejected this reader's earlier, since deleted, review of the film."""
        return self.own_review is None and services.review_was_rejected(
            movie=self.movie, user=self.request.user
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.own_review}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            own_review=self.own_review,
            text_waits=services.review_text_waits_for_editor(
                user=self.request.user, review=self.own_review, rejected_before=self.rejected_before
            ),
            rejected_before=self.rejected_before,
            email_unconfirmed=not trust.email_confirmed(self.request.user),
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
    if review.standing == "unconfirmed":
        text = ""
        if review.status == Review.Status.PENDING:
            text = " Your written review is waiting for an editor and appears once approved."
        return (
            f"Saved: {rating} counts once you confirm your email address (follow the link "
            f"we sent you).{text}"
        )
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


class ReviewListView(PublicMovieMixin, ListView):
    """All published written reviews of a film, sorted as the reader asks, a page at a
    time: "More reviews" links to the reviews after the page's last one (?after=<id>),
    so page 600 costs what page 1 does. A cursor that is not one of the film's readable
    reviews (deleted, hidden, made up) shows the first page and says so."""

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    page_size = 20

    @cached_property
    def sort(self):
        sort = self.request.GET.get("sort", "")
        return sort if sort in Review.SORTS else "helpful"

    @cached_property
    def readable(self):
        return Review.objects.readable().filter(movie=self.movie)

    @cached_property
    def cursor(self):
        """(the review this page starts after or None, whether a cursor was given but
        not found)."""
        raw = self.request.GET.get("after")
        if raw is None:
            return None, False
        pk = whole_id(raw)
        order = Review.SORTS[self.sort][1]
        fields = [key.lstrip("-") for key in order]
        row = self.readable.filter(pk=pk).values(*fields).first() if pk is not None else None
        return row, row is None

    def get_queryset(self):
        reviews = self.readable
        row, _ = self.cursor
        if row is not None:
            reviews = reviews.filter(keyset_after(Review, Review.SORTS[self.sort][1], row))
        return (
            reviews.select_related("user")
            .with_reader_flags(self.request.user)
            .sorted_by(self.sort)[: self.page_size + 1]
        )

    def get_context_data(self, **kwargs):
        rows = list(self.object_list)
        page, more = rows[: self.page_size], len(rows) > self.page_size
        row, lost = self.cursor
        return super().get_context_data(
            reviews=page,
            review_count=self.readable.count(),
            later_page=row is not None,
            cursor_lost=lost,
            next_query=urlencode({"sort": self.sort, "after": page[-1].pk}) if more else "",
            sort=self.sort,
            sorts=[(key, label) for key, (label, _) in Review.SORTS.items()],
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
