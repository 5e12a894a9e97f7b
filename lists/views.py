"""A reader's watchlist, seen list and services. Thin views: reads in lists.selectors,
writes in lists.services. Every page is the logged-in reader's own."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView

from lists import selectors, services
from lists.forms import ServicesForm
from lists.models import ListEntry
from movies.models import Movie
from movies.pagination import ForgivingPaginationMixin
from movies.selectors import verdict_inputs
from movies.views import reader_country

MESSAGES = {
    (ListEntry.Kind.WATCHLIST, "add"): "{title} is on your watchlist.",
    (ListEntry.Kind.WATCHLIST, "remove"): "{title} is off your watchlist.",
    (ListEntry.Kind.SEEN, "add"): "{title} is marked as seen.",
    (ListEntry.Kind.SEEN, "remove"): "{title} is no longer marked as seen.",
}


def safe_next(request, default):
    """The form's `next` when it is a page of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class MarkView(LoginRequiredMixin, View):
    """POST: add a film to, or take it off, the reader's watchlist or seen list, then back
    to the page the button was on (post-redirect-get). GET (after logging in) goes to the
    film."""

    http_method_names = ["get", "post"]

    @cached_property
    def movie(self):
        return get_object_or_404(Movie.objects.published(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        return redirect(self.movie)

    def post(self, request, *args, **kwargs):
        kind, action = request.POST.get("kind"), request.POST.get("action")
        if kind not in ListEntry.Kind.values or action not in {"add", "remove"}:
            messages.error(request, "That list action is not one we know; nothing changed.")
        else:
            if action == "add":
                services.list_entry_add(user=request.user, movie=self.movie, kind=kind)
            else:
                services.list_entry_remove(user=request.user, movie=self.movie, kind=kind)
            messages.success(request, MESSAGES[kind, action].format(title=self.movie.title))
        return HttpResponseRedirect(safe_next(request, self.movie.get_absolute_url()))


class ListPageView(LoginRequiredMixin, ForgivingPaginationMixin, ListView):
    """/me/watchlist/ and /me/seen/: the reader's films with each one's answer and where it
    streams in their country, sortable by score and by "on my services"."""

    template_name = "lists/list_page.html"
    context_object_name = "movies"
    paginate_by = 50
    kind = ListEntry.Kind.WATCHLIST

    def dispatch(self, request, *args, **kwargs):
        username = kwargs.get("username")
        if username is not None and (
            not request.user.is_authenticated or request.user.get_username() != username
        ):
            raise Http404("Lists are private.")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def services(self):
        return selectors.reader_services(self.request.user)

    @cached_property
    def country(self):
        if self.services.country and "country" not in self.request.GET:
            return self.services.country
        return reader_country(self.request)

    @cached_property
    def sort(self):
        sort = self.request.GET.get("sort", "")
        return sort if sort in selectors.WATCHLIST_SORTS else "added"

    def get_queryset(self):
        return selectors.list_films(
            user=self.request.user,
            kind=self.kind,
            country=self.country,
            services=self.services,
            sort=self.sort,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        verdict_inputs().assess_all(context["movies"])
        for movie in context["movies"]:
            movie.offers_here = self.services.first(movie.offers_here)
        context.update(
            kind=self.kind,
            kind_label=ListEntry.Kind(self.kind).label,
            country=self.country,
            services=self.services,
            sort=self.sort,
            sorts=list(selectors.WATCHLIST_SORTS.items()),
            querystring=f"sort={self.sort}",
        )
        return context


class ServicesView(LoginRequiredMixin, FormView):
    """/me/services/: the streaming services a reader has and the country they watch in."""

    template_name = "lists/services_form.html"
    form_class = ServicesForm

    def get_initial(self):
        chosen = selectors.reader_services(self.request.user)
        return {"country": chosen.country, "providers": chosen.providers}

    def form_valid(self, form):
        services.reader_services_save(
            user=self.request.user,
            country=form.cleaned_data["country"],
            providers=form.cleaned_data["providers"],
        )
        messages.success(self.request, "Your services are saved: their offers now come first.")
        return HttpResponseRedirect(safe_next(self.request, self.request.path))
