import re

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView
from django_countries import countries

from movies import drafts, fragments, limits, search, verdicts
from movies.models import (
    ContentAdvisory,
    Credit,
    Genre,
    Movie,
    MovieDraft,
    Person,
    Provider,
)
from movies.pagination import CappedPaginator, ForgivingPaginationMixin
from movies.selectors import list_filter_options, verdict_inputs
from movies.verdict_parts import VerdictParts


def whole_number(text):
    """ "1994" -> 1994; anything else (" ", "1e3", "²", "٣") -> None.

    str.isdigit() is not enough: it accepts "²", which int() then refuses.
    """
    text = text.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None


def reader_country(request):
    """The reader's country: the picker's choice, else Accept-Language's region, else default.

    `?country=GB` comes from the no-JavaScript picker; "en-GB,en;q=0.9" gives GB.
    """
    chosen = request.GET.get("country", "").strip().upper()
    if chosen and chosen in countries:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip()
        pieces = tag.replace("_", "-").split("-")
        if len(pieces) >= 2 and len(pieces[-1]) == 2 and pieces[-1].upper() in countries:
            return pieces[-1].upper()
    return settings.DEFAULT_COUNTRY


# The film list's parents' guide filter: "at most" each level below severe.
ADVISORY_LEVELS = {0: "No {}", 1: "Mild {} at most", 2: "No severe {}"}


class VerdictInputsMixin:
    """The trade-verdict ladder from the shared cache (movies.selectors.verdict_inputs)."""

    @cached_property
    def verdict_inputs(self):
        return verdict_inputs()

    @cached_property
    def ladder(self):
        return self.verdict_inputs.ladder

    def assess(self, movies):
        return self.verdict_inputs.assess_all(movies)


class HomeView(VerdictInputsMixin, TemplateView):
    template_name = "movies/home.html"
    shelf_size = 8

    def get_context_data(self, **kwargs):
        public = Movie.objects.published().for_cards()
        n = self.shelf_size
        shelves = [
            ("featured", "Featured verdicts", public.featured()[:n]),
            ("latest", "Recently updated", public.recently_updated()[:n]),
            (
                "top-rated",
                "Top rated",
                public.top_rated()[:n],
            ),
            ("hits", "Biggest hits", public.biggest_hits()[:n]),
        ]
        shelves = [(key, title, self.assess(list(qs))) for key, title, qs in shelves]
        return super().get_context_data(shelves=[shelf for shelf in shelves if shelf[2]], **kwargs)


class MovieListView(VerdictInputsMixin, ForgivingPaginationMixin, ListView):
    """The catalogue with filters. Unknown filter values are ignored, never an error."""

    template_name = "movies/movie_list.html"
    context_object_name = "movies"
    paginate_by = 24
    paginator_class = CappedPaginator
    SORTS = {
        "rating": ("Rating", None),
        # NULLs last on every database (PostgreSQL sorts them first when descending).
        "newest": ("Newest", ("-year", F("release_date").desc(nulls_last=True), "title")),
        "multiple": (
            "Box-office multiple",
            (F("box_office_multiple").desc(nulls_last=True), "title"),
        ),
        "title": ("Title", ("title", "year")),
    }
    DEFAULT_SORT = "rating"

    @cached_property
    def filters(self):
        """The valid filters of this request, as {name: value}; invalid ones are dropped."""
        get, found = self.request.GET, {}
        genre_slug = get.get("genre", "").strip()
        if genre_slug:
            genre = Genre.objects.filter(slug=genre_slug).first()
            if genre:
                found["genre"] = genre
        year = whole_number(get.get("year", ""))
        if year is not None and limits.FIRST_YEAR <= year <= limits.LAST_YEAR:
            found["year"] = year
        decade = whole_number(get.get("decade", "").strip().removesuffix("s"))
        if (
            decade is not None
            and limits.FIRST_YEAR // 10 * 10 <= decade <= limits.LAST_YEAR
            and decade % 10 == 0
        ):
            found["decade"] = decade
        band_slug = get.get("band", "").strip()
        band = next((b for b in self.ladder if b.slug == band_slug), None)
        if band:
            found["band"] = band
        provider_slugs = [s.strip() for s in get.getlist("provider") if s.strip()][:50]
        if provider_slugs:
            providers = list(Provider.objects.filter(slug__in=provider_slugs))
            if providers:
                found["providers"] = providers
                found["country"] = reader_country(self.request)
        category, _, level = get.get("advisory", "").partition(":")
        level = whole_number(level)
        if category in ContentAdvisory.Category.values and level in (0, 1, 2):
            label = ContentAdvisory.Category(category).label.lower()
            found["advisory"] = (category, level, ADVISORY_LEVELS[level].format(label))
        sort = get.get("sort", "")
        found["sort"] = sort if sort in self.SORTS else self.DEFAULT_SORT
        return found

    def base_queryset(self):
        return Movie.objects.published()

    def get_queryset(self):
        qs = self.base_queryset().for_cards()
        f = self.filters
        if "genre" in f:
            qs = qs.filter(genres=f["genre"])
        if "year" in f:
            qs = qs.filter(year=f["year"])
        if "decade" in f:
            qs = qs.filter(year__gte=f["decade"], year__lt=f["decade"] + 10)
        if "band" in f:
            qs = qs.in_band(f["band"], self.ladder)
        if "advisory" in f:
            qs = qs.advisory_at_most(*f["advisory"][:2])
        if "providers" in f:
            qs = qs.available_on(f["providers"], country=f["country"])
        order = self.SORTS[f["sort"]][1]
        if order is None:
            return qs.by_rating()
        return qs.order_by(*order)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.assess(context["movies"])
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        context.update(
            filters=self.filters,
            first_year=limits.FIRST_YEAR,
            last_year=limits.LAST_YEAR,
            **list_filter_options(),
            ladder=self.ladder,
            sorts=[(key, label) for key, (label, _) in self.SORTS.items()],
            querystring=query.urlencode(),
            advisory_options=[
                (label, [(f"{value}:{n}", text.format(label.lower())) for n, text in levels])
                for value, label in ContentAdvisory.Category.choices
                for levels in [ADVISORY_LEVELS.items()]
            ],
            advisory_selected="{}:{}".format(*self.filters["advisory"][:2])
            if "advisory" in self.filters
            else "",
        )
        return context


class GenreDetailView(MovieListView):
    template_name = "movies/genre_detail.html"

    @cached_property
    def genre(self):
        """404 for a genre without a public film: its page would be empty."""
        has_public_film = models.Exists(
            Movie.objects.published().filter(genres=models.OuterRef("pk"))
        )
        return get_object_or_404(Genre.objects.filter(has_public_film), slug=self.kwargs["slug"])

    def base_queryset(self):
        return Movie.objects.published().filter(genres=self.genre)

    def get_context_data(self, **kwargs):
        return super().get_context_data(genre=self.genre, **kwargs)


class PersonDetailView(VerdictInputsMixin, DetailView):
    """A person's page: Known for, then their films by role, FILMOGRAPHY_PAGE credits a
    page (?page=N; a bad or too large number shows the first or last page). The queries
    read only this person's credits, whatever the catalogue's size; a filmography of one
    page costs what it did before pages."""

    template_name = "movies/person_detail.html"
    context_object_name = "person"
    FILMOGRAPHY_PAGE = 100
    KNOWN_FOR = 4

    def get_queryset(self):
        return Person.objects.public()

    def get_context_data(self, **kwargs):
        credits = Credit.objects.filmography(self.object)
        first = list(credits[: self.FILMOGRAPHY_PAGE + 1])
        if len(first) <= self.FILMOGRAPHY_PAGE:
            page_credits, role_counts, page_obj = first, None, None
            known_for = self._best([c.movie for c in first])
        else:
            role_counts = dict(
                credits.order_by().values_list("role").annotate(n=models.Count("pk"))
            )
            paginator = Paginator(credits, self.FILMOGRAPHY_PAGE)
            paginator.count = sum(role_counts.values())  # no second count
            page_obj = paginator.get_page(self.request.GET.get("page"))
            page_credits = first[: self.FILMOGRAPHY_PAGE] if page_obj.number == 1 else page_obj
            best = credits.filter(movie__score__isnull=False).order_by(
                "-movie__score", "movie__title", "pk"
            )[: self.KNOWN_FOR * 3]
            known_for = self._best([c.movie for c in best])
        groups, labels = {}, dict(Credit.Role.choices)
        for credit in page_credits:
            credit.movie.assessment = self.verdict_inputs.assess(credit.movie)
            groups.setdefault(credit.role, []).append(credit)
        for movie in known_for:
            movie.assessment = self.verdict_inputs.assess(movie)
        filmography = {
            labels[role]: (role_counts[role] if role_counts else len(items), items)
            for role, items in groups.items()
        }
        return super().get_context_data(
            filmography=filmography,
            known_for=known_for,
            page_obj=page_obj,
            is_paginated=page_obj is not None,
            **kwargs,
        )

    def _best(self, movies):
        """Known for: their best-scored films (the same stored score as every list sort),
        each once (a director who also wrote it has two credits)."""
        films = {m.pk: m for m in movies if m.score is not None}
        return sorted(films.values(), key=lambda m: (-m.score, m.title))[: self.KNOWN_FOR]


class MovieDetailView(VerdictInputsMixin, DetailView):
    """The verdict page. Staff may preview drafts and scheduled films; others get 404."""

    template_name = "movies/movie_detail.html"
    context_object_name = "movie"

    def get(self, request, *args, **kwargs):
        # Before the film is read: a part rendered from it is stored under the
        # generations of that moment (movies.fragments).
        self.fragments = fragments.VerdictFragments(
            request, kwargs.get(self.slug_url_kwarg), enabled=not self.wants_draft
        )
        response = super().get(request, *args, **kwargs)
        response.add_post_render_callback(lambda rendered: self.fragments.store())
        return response

    def get_queryset(self):
        visible = Movie.objects.visible_to(self.request.user)
        return visible.for_verdict_page(parts=not self.fragments.enabled)

    def get_object(self, queryset=None):
        try:
            movie = super().get_object(queryset)
        except Http404:
            raise Http404("No film has that address.") from None
        self.draft = None
        if self.wants_draft and self.request.user.has_perm("movies.change_movie"):
            self.draft = MovieDraft.objects.filter(movie=movie).first()
            if self.draft is not None:
                movie = drafts.preview(movie, self.draft)
        if not movie.is_public:
            self.fragments.disable()  # a staff preview of a film readers cannot see
        return movie

    @cached_property
    def wants_draft(self):
        return self.request.GET.get("preview") == "draft"

    def dispatch(self, request, *args, **kwargs):
        """`?preview=draft`: staff who may change films see the film's pending draft (a
        banner says so); everyone else gets the live page. Never stored by any cache."""
        response = super().dispatch(request, *args, **kwargs)
        if self.wants_draft:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        movie = self.object
        country = reader_country(self.request)
        # The reviews block comes from the reviews app's template tag (verdict_reviews).
        return super().get_context_data(
            # Read only by parts: a page from cached parts needs neither the film's
            # genres (its answer names them) nor the ladder.
            assessment=SimpleLazyObject(lambda: self.verdict_inputs.assess(movie)),
            country=country,
            country_name=countries.name(country),
            parts=VerdictParts(movie, country),
            fragments=self.fragments,
            is_preview=not movie.is_public,
            draft_preview=self.draft,
            break_even=settings.BREAK_EVEN_MULTIPLE,
            **kwargs,
        )


class SearchResultsPaginator(CappedPaginator):
    """A search shows its best RESULTS_LIMIT films ("200+"): PostgreSQL ranks only that
    many candidates of each kind (movies.search.PostgresSearch)."""

    CAP = search.RESULTS_LIMIT


class SearchView(VerdictInputsMixin, ForgivingPaginationMixin, ListView):
    """/search/?q=: films (paginated) with people beside them. Never an error for odd input."""

    template_name = "movies/search.html"
    context_object_name = "movies"
    paginate_by = 20
    paginator_class = SearchResultsPaginator

    def get_queryset(self):
        """The ids of the best RESULTS_LIMIT (+1) matches, ranked: one ranking query gives
        the count and every page (counting and then paging ran it twice, the candidates
        gathered each time: half of a search's SQL)."""
        self.query = search.Query.parse(self.request.GET.get("q", ""))
        if not self.query.is_searchable:
            return []
        ranked = search.backend().films(self.query)
        return list(ranked.values_list("pk", flat=True)[: self.paginator_class.CAP + 1])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        ids = list(page.object_list) if page is not None else []
        found = {m.pk: m for m in Movie.objects.filter(pk__in=ids).for_cards()}
        films = [found[pk] for pk in ids if pk in found]  # in rank order
        if page is not None:
            page.object_list = films
        context.update(movies=films, object_list=films)
        self.assess(films)
        people = list(search.backend().people(self.query)) if self.query.is_searchable else []
        context.update(
            query=self.query,
            people=people,
            querystring=urlencode({"q": self.query.text}) if self.query.text else "",
        )
        return context


class HowWeDecideView(VerdictInputsMixin, TemplateView):
    """How the answer, the score and the trade verdict are reached, with the constants and
    the ladder in force (so the page can never disagree with the rules it explains)."""

    template_name = "movies/how_we_decide.html"

    def get_context_data(self, **kwargs):
        ladder = sorted(self.ladder, key=lambda band: band.min_multiple)
        bands = [(band, *verdicts.band_range(band, ladder)) for band in ladder]
        return super().get_context_data(
            bands=bands,
            outside_weight=settings.SCORE_OUTSIDE_WEIGHT,
            site_weight=settings.WEIGHTED_RATING_MIN_VOTES,
            yes_min=settings.WORTH_YES_MIN_RATING,
            maybe_min=settings.WORTH_MAYBE_MIN_RATING,
            min_ratings=settings.MIN_RATINGS_FOR_VERDICT,
            break_even=settings.BREAK_EVEN_MULTIPLE,
            **kwargs,
        )
