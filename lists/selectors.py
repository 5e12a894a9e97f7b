"""Named reads of a reader's lists and services."""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch

from lists.models import ListEntry, ReaderServices
from movies.models import Availability, Movie

WATCHLIST_SORTS = {
    "added": "Recently added",
    "score": "Best first",
    "available": "On my services first",
}


@dataclass
class Services:
    """A reader's services as pages use them: the country, and the providers' ids."""

    country: str = ""
    providers: list = field(default_factory=list)

    @property
    def provider_ids(self):
        return {p.pk for p in self.providers}

    def first(self, offers):
        """`offers` with those on the reader's services first (each marked `is_mine`)."""
        mine = self.provider_ids
        for offer in offers:
            offer.is_mine = offer.provider_id in mine
        return sorted(offers, key=lambda offer: not offer.is_mine)


def reader_services(user) -> Services:
    """`user`'s services (two queries for a reader who chose some; none when logged out)."""
    if not user.is_authenticated:
        return Services()
    chosen = ReaderServices.objects.filter(user=user).prefetch_related("providers").first()
    if chosen is None:
        return Services()
    return Services(country=chosen.country.code or "", providers=list(chosen.providers.all()))


def marks(user) -> dict[int, set[str]]:
    """{film id: {"watchlist", "seen"}} of every film on `user`'s lists (one query)."""
    found = {}
    if user.is_authenticated:
        for movie_id, kind in ListEntry.objects.filter(user=user).values_list("movie_id", "kind"):
            found.setdefault(movie_id, set()).add(kind)
    return found


def list_films(*, user, kind: str, country: str, services: Services, sort: str):
    """The public films on `user`'s `kind` list, sorted, each with the offers in `country`
    (`movie.offers_here`) ready for the page. Drafts never show."""
    on_my_services = Exists(
        Availability.objects.filter(
            movie=OuterRef("pk"), country=country, provider__in=services.provider_ids
        )
    )
    entries = ListEntry.objects.filter(user=user, kind=kind, movie=OuterRef("pk"))
    films = (
        Movie.objects.published()
        .filter(Exists(entries))
        .annotate(
            added_at=entries.values("added_at")[:1],
            on_my_services=on_my_services,
        )
        .for_cards()
        .prefetch_related(
            Prefetch(
                "availabilities",
                queryset=Availability.objects.filter(country=country)
                .select_related("provider")
                .order_by("kind", "provider__name"),
                to_attr="offers_here",
            )
        )
    )
    if sort == "score":
        return films.by_rating()
    if sort == "available":
        return films.order_by("-on_my_services", F("score").desc(nulls_last=True), "title")
    return films.order_by("-added_at", "-pk")
