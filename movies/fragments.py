"""Parts of the verdict page kept in the shared cache, so a page the page cache cannot
serve is put together from the parts that did not change.

A page-cache miss (a review moved the film's page on, any film's save moved the lists on,
a signed-in reader, a new country) used to render the whole page: its facts, cast and
crew, plot, box office, where to watch and the "more like this" shelves, most of the
render's cost, though such a write changes none of them. `{% film_fragment %}`
(movies_tags) keeps each part's HTML under a key of what it shows:

- every part: the film's own rows, by its `updated_at` (every editorial save moves it),
  and the *shared* generation (people's names, genres, providers, the verdict ladder,
  the scores: movies.pagecache.shared_changed), so one film's save leaves the other
  films' parts alone;
- `film`: the film's reviews and ratings too (its page-cache generation);
- `others`: other films too (the shelves: the catalogue and scores generations).

As for whole pages, nothing is ever deleted: a write moves a generation on and the next
render stores the part under the new key. The generations are read once per request,
before the film is (`VerdictFragments` is made at the start of the view): a part
rendered from rows read before a write is stored under the generation before it.

Never used for staff previews (a draft, a film not yet public), when the page cache is
off (settings.PAGE_CACHE), for a part that holds something of the reader's own (their
review, the shelves' watchlist buttons) unless the reader is anonymous, or for a request
sent with `X-Page-Cache: cold` while settings.PAGE_CACHE_ALLOW_BYPASS is on (the
benchmark's "nothing cached" render). A cache that does not answer costs a log line:
the part is rendered.
"""

import contextlib
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

from movies import pagecache

logger = logging.getLogger(__name__)

FRAGMENT_KEY = "fragment:{}"

# --- Holes: a reader's own bits inside a shared part ----------------------------------

HOLE_RE = re.compile(r"<!--ww-hole:(\d+)-->")
_fillers = {}


def register_hole(kind, fill) -> None:
    """`fill(request, payload)` renders a hole of `kind` for this request's reader (an app
    that depends on movies registers it: lists, for its buttons)."""
    _fillers[kind] = fill


class Holes:
    """What a shared part's holes will hold, in order: [(kind, payload)]."""

    def __init__(self):
        self.items = []

    def add(self, kind, payload):
        """The marker standing for this hole in the part's HTML (no reader's text can
        hold it: their `<` is escaped)."""
        self.items.append((kind, payload))
        return mark_safe(f"<!--ww-hole:{len(self.items) - 1}-->")  # noqa: S308


@contextlib.contextmanager
def collecting(request, holes):
    """While a part is rendered for sharing, a tag that would render something of the
    reader's own (lists' watchlist buttons) asks holes_for(request) and leaves a hole
    instead. On the request, not the template context: inclusion tags start a new one."""
    request._fragment_holes = holes
    try:
        yield
    finally:
        del request._fragment_holes


def holes_for(request):
    """The Holes of the shared part being rendered for `request`, else None."""
    return getattr(request, "_fragment_holes", None)


def fill(request, html, holes):
    """`html` with each hole rendered for this request's reader."""
    if not holes:
        return mark_safe(html)  # noqa: S308 (our own render, stored as rendered)
    pieces = HOLE_RE.split(html)
    for i in range(1, len(pieces), 2):
        n = int(pieces[i])
        if n < len(holes):  # else not one of ours: left as it was
            kind, payload = holes[n]
            pieces[i] = str(_fillers[kind](request, payload))
        else:
            pieces[i] = f"<!--ww-hole:{n}-->"
    return mark_safe("".join(pieces))  # noqa: S308


#: `X-Page-Cache: cold` (with PAGE_CACHE_ALLOW_BYPASS): neither the page nor its parts
#: come from the cache.
COLD = "cold"


def cold(request) -> bool:
    return pagecache.bypass_asked(request) == COLD


class VerdictFragments:
    """One verdict page's cached parts. `enabled=False`: every part is rendered."""

    def __init__(self, request, film_slug, *, enabled=True):
        self.request = request
        self.anonymous = not request.user.is_authenticated
        self.enabled = enabled and settings.PAGE_CACHE and not cold(request)
        self.generations = None
        self.found = None  # key -> (HTML, holes), the parts read ahead (prefetch)
        self.rendered = {}  # key -> (HTML, holes), the parts this page rendered (store)
        # Parts name the site's address (canonical and social links): one set per host.
        self.origin = request.build_absolute_uri("/")
        if self.enabled:
            try:
                self.generations = pagecache.generations(request, film_slug)
            except Exception:
                logger.warning("fragment cache unavailable", exc_info=True)
                self.enabled = False

    def disable(self):
        """A staff preview: the page shows what readers do not see."""
        self.enabled = False

    def key(self, name, movie, vary, *, others=False, film=False, score=False, **_sharing):
        catalogue, scores, film_generation, shared, scoring = self.generations
        # The film's own rows (its save moves updated_at) and the shared rows it names.
        version = movie.updated_at.isoformat()
        parts = [name, self.origin, str(movie.pk), version, f"r{shared}"]
        parts += [str(v) for v in vary]
        if others:
            parts.append(f"c{catalogue}s{scores}")
        if film:
            parts.append(f"f{film_generation}")
        if score:
            parts.append(f"g{scoring}")
        raw = "|".join(parts)
        return FRAGMENT_KEY.format(hashlib.sha256(raw.encode()).hexdigest())

    def shareable(self, personal):
        """Whether this reader's copy of a part may come from (and go to) the cache."""
        return self.enabled and not (personal and not self.anonymous)

    def prefetch(self, movie, parts):
        """Read every part the page will ask for in one round trip: `parts` is
        [(name, vary, flags)], as get_or_render gets them."""
        keys = [
            self.key(name, movie, vary, **flags)
            for name, vary, flags in parts
            if self.shareable(flags.get("personal", False))
        ]
        try:
            self.found = cache.get_many(keys)
        except Exception:
            logger.warning("fragment cache unavailable", exc_info=True)
            self.found = {}

    def get_or_render(
        self,
        name,
        movie,
        vary,
        render,
        *,
        others=False,
        film=False,
        score=False,
        personal=False,
        holes=False,
    ):
        """The part's HTML from the cache, else `render(holes)`, stored for the others.
        Every part depends on the film's own rows and the shared rows it names; `others`:
        it shows other films (their titles, posters, scores); `film`: the film's reviews
        and ratings; `score`: the film's score or answer (bulk score refreshes);
        `personal`: for a signed-in reader it holds their own (review, forms), so it is
        shared among anonymous readers only; `holes`: it holds a reader's own buttons,
        left as holes in the shared part and filled for each reader (register_hole)."""
        if not self.shareable(personal):
            return render(None)
        key = self.key(name, movie, vary, others=others, film=film, score=score)
        if self.found is not None:
            entry = self.found.get(key)
        else:
            try:
                entry = cache.get(key)
            except Exception:
                logger.warning("fragment cache unavailable", exc_info=True)
                return render(None)
        if entry is None:
            collected = Holes() if holes else None
            entry = (str(render(collected)), collected.items if holes else [])
            self.rendered[key] = entry
        return fill(self.request, *entry)

    def store(self):
        """Keep the parts this page rendered, in one write (the view calls it once the
        page is rendered): one round trip to Redis, one transaction on the database
        cache, not one per part."""
        if not self.rendered:
            return
        try:
            cache.set_many(self.rendered, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("fragment cache unavailable", exc_info=True)
        self.rendered = {}
