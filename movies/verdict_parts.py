"""What the verdict page's film-only parts show (movies.fragments), read only when a part
is rendered rather than served from the cache."""

from django.db.models import prefetch_related_objects
from django.utils.functional import cached_property
from django_countries import countries

from movies.models import Availability, Credit, verdict_part_prefetches

#: Cast names shown before "Show all N" when the billing is not known (imported casts are
#: alphabetical: the first dozen are a sample, not the leads).
UNBILLED_SHOWN = 12


def split_unbilled(credits):
    """(the first dozen, the rest) of a cast without billing; () when there is none."""
    return (credits[:UNBILLED_SHOWN], credits[UNBILLED_SHOWN:]) if credits else ()


def unknowns(movie, *, cast):
    """What a reader would look for on the page and we do not know yet, in a few words."""
    missing = []
    if not (movie.budget or movie.worldwide_gross or movie.domestic_gross):
        missing.append("box-office figures")
    if not (movie.synopsis or movie.plot_summary):
        missing.append("a plot summary")
    if not cast:
        missing.append("the cast")
    return missing


class VerdictParts:
    """What only the verdict page's film-only parts show (the credits, advisories,
    regional grosses and offers), read when a part is rendered, not when it comes from
    the cache (movies.fragments): one query each (verdict_part_prefetches)."""

    def __init__(self, movie, country):
        self.movie = movie
        self.country = country

    def _read(self, relation):
        """The film's `relation` (verdict_part_prefetches), read once: a no-op for a film
        read with its parts, or a draft preview, which holds its own."""
        prefetch_related_objects([self.movie], verdict_part_prefetches()[relation])
        return list(getattr(self.movie, relation).all())

    @cached_property
    def film(self):
        """The film with its credits read (the head's markup names its people)."""
        self.credits  # noqa: B018
        return self.movie

    @cached_property
    def credits(self):
        return self._read("credits")

    @cached_property
    def advisories(self):
        return self._read("advisories")

    @cached_property
    def cast(self):
        return [c for c in self.credits if c.role == Credit.Role.CAST]

    @cached_property
    def leads(self):
        return [c for c in self.cast if c.billing_order == 1]

    @cached_property
    def supporting(self):
        return [c for c in self.cast if c.billing_order and c.billing_order > 1]

    @cached_property
    def unbilled(self):
        return split_unbilled([c for c in self.cast if not c.billing_order])

    @cached_property
    def crew(self):
        return [c for c in self.credits if c.role != Credit.Role.CAST]

    @cached_property
    def directors(self):
        return [c for c in self.credits if c.role == Credit.Role.DIRECTOR]

    @cached_property
    def writers(self):
        return [c for c in self.credits if c.role == Credit.Role.WRITER]

    @cached_property
    def unknowns(self):
        return unknowns(self.movie, cast=self.cast)

    @cached_property
    def regions(self):
        return self._read("regional_grosses")

    @cached_property
    def availabilities(self):
        return self._read("availabilities")

    @cached_property
    def offers(self):
        return [a for a in self.availabilities if a.country.code == self.country]

    @cached_property
    def offers_by_kind(self):
        offers = self.offers
        return [
            (label, [o for o in offers if o.kind == kind])
            for kind, label in Availability.Kind.choices
            if any(o.kind == kind for o in offers)
        ]

    @cached_property
    def offers_checked(self):
        return max((o.last_checked for o in self.offers), default=None)

    @cached_property
    def offer_countries(self):
        codes = {a.country.code for a in self.availabilities} | {self.country}
        return [(code, countries.name(code)) for code in sorted(codes, key=countries.name)]
