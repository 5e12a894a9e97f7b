"""Drafts of changes to live films (MovieDraft): what a draft holds, how a page shows it.

A draft is the film as the editor's form would make it (its fields, genres and inline
rows), in Django's own serialization, the format of the film's versions (movies.history):
publishing it is a restore of that state through movies.services.movie_save. Posters are
not drafted: an upload is stored at once, so a draft always keeps the live poster.
"""

import copy
import datetime
import json

from django.core import serializers
from django.utils import timezone
from django.utils.formats import date_format

from movies import history
from movies.models import Availability, Credit, Genre, Movie, Person, Provider

#: Columns a draft never changes: the poster and its renditions stay the live ones.
POSTER_FIELDS = {"poster", "poster_width", "poster_height", "poster_small", "poster_large"}
#: The form's own fields that are not the film's (buttons, the token, the edit check).
NOT_FORM_DATA = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_savedraft"}


def _movie_fields():
    fields = history.VERSIONED[Movie][0]
    return [name for name in fields if name not in POSTER_FIELDS and name != "genres"]


def build(*, movie, genres, rows) -> dict:
    """The draft's data: `movie` (unsaved changes applied), its genre ids, and `rows`, the
    inline rows it would have (unsaved or changed model instances)."""
    (film,) = json.loads(serializers.serialize("json", [movie], fields=_movie_fields()))
    film["fields"]["genres"] = [genre.pk for genre in genres]
    inline = []
    for row in rows:
        fields = [name for name in history.VERSIONED[type(row)][0] if name != "id"]
        inline += json.loads(serializers.serialize("json", [row], fields=fields))
    return {"objects": [film, *inline]}


def form_data(post) -> dict:
    """The submitted change form as {name: [values]}, to bind the form to it again."""
    return {key: post.getlist(key) for key in post if key not in NOT_FORM_DATA}


def read(data) -> tuple[dict, list, dict]:
    """(the film's values by attname, its genre ids, {model: [unsaved rows]}), references
    to rows deleted since the draft was saved left out (history.existing_only)."""
    return history.existing_only(*_read(data))


def _read(data):
    film, *inline = serializers.deserialize("python", data["objects"])
    values = {
        Movie._meta.get_field(name).attname: getattr(
            film.object, Movie._meta.get_field(name).attname
        )
        for name in _movie_fields()
        if name != "id"
    }
    rows = {model: [] for model in history.MOVIE_INLINES.values()}
    for row in inline:
        rows[type(row.object)].append(row.object)
    return values, film.m2m_data.get("genres", []), rows


def latest_version_id(movie):
    return history.movie_versions(movie).values_list("pk", flat=True).first()


def staleness(draft):
    """Why publishing `draft` would overwrite a newer change to the live film, or "": the
    film has a version made after the draft was started."""
    latest = history.movie_versions(draft.movie).first()
    if latest is None or latest.pk == draft.base_version:
        return ""
    when = timezone.localtime(latest.revision.date_created)
    who = latest.revision.user.get_username() if latest.revision.user else "An import"
    return (
        f"{who} changed the live film on {date_format(when, 'j F Y')} at "
        f"{date_format(when, 'H:i')}, after this draft was started: publishing the draft "
        "would undo that change."
    )


def _cached(model, objs):
    """A queryset that yields `objs` without a query, as prefetch_related leaves one."""
    queryset = model._default_manager.all()
    queryset._result_cache = list(objs)
    queryset._prefetch_done = True
    return queryset


def preview(movie, draft) -> Movie:
    """`movie` (read by Movie.objects.for_verdict_page()) as its draft would make it, in
    memory: nothing is written. A constant number of queries: the genres, people and
    providers the draft names, one read each."""
    values, genre_ids, rows = _read(draft.data)
    for attname, value in values.items():
        setattr(movie, attname, value)
    columns = {f.attname: getattr(movie, f.attname) for f in Movie._meta.concrete_fields}
    for attname, value in Movie.derived_values(columns, now=timezone.now()).items():
        setattr(movie, attname, value)
    genres = Genre.objects.in_bulk(genre_ids)
    people = Person.objects.in_bulk([c.person_id for c in rows[Credit]])
    providers = Provider.objects.in_bulk([a.provider_id for a in rows[Availability]])
    if movie.main_genre_id not in genres:
        movie.main_genre_id = None  # deleted since (the form keeps it among the genres)
    # Rows naming a person or provider deleted since are left out, as publishing would.
    rows[Credit] = [c for c in rows[Credit] if c.person_id in people]
    rows[Availability] = [a for a in rows[Availability] if a.provider_id in providers]
    for credit in rows[Credit]:
        credit.person = people[credit.person_id]
    for offer in rows[Availability]:
        offer.provider = providers[offer.provider_id]
    for model_rows in rows.values():
        for row in model_rows:
            row.movie = movie
    # The orders of Movie.objects.for_verdict_page()'s prefetches.
    credits = sorted(
        rows[Credit],
        key=lambda c: (c.role, c.billing_order is None, c.billing_order or 0, c.person.name),
    )
    offers = sorted(rows[Availability], key=lambda a: (a.country.code, a.kind, a.provider.name))
    caches = movie._prefetched_objects_cache
    caches["genres"] = _cached(Genre, [genres[pk] for pk in genre_ids if pk in genres])
    caches["credits"] = _cached(Credit, credits)
    caches["availabilities"] = _cached(Availability, offers)
    grosses = sorted(rows[history.MOVIE_INLINES["regional_grosses"]], key=lambda g: -g.amount)
    caches["regional_grosses"] = _cached(history.MOVIE_INLINES["regional_grosses"], grosses)
    advisories = rows[history.MOVIE_INLINES["advisories"]]
    caches["advisories"] = _cached(history.MOVIE_INLINES["advisories"], advisories)
    for name in ("genre_list", "display_genre", "leading_genres"):
        movie.__dict__.pop(name, None)  # cached_property values of the live film
    return movie


def preview_url(movie) -> str:
    """Where staff preview the film's draft: its public address (movies.views)."""
    return f"{movie.get_absolute_url()}?preview=draft"


def _values(obj):
    """An object's versioned fields by attname, as the database holds them; times to the
    second, as the admin's form gives them (a live publish time keeps its microseconds)."""
    values = {}
    for name in history.VERSIONED[type(obj)][0]:
        f = obj._meta.get_field(name)
        if not f.many_to_many:
            value = f.get_prep_value(getattr(obj, f.attname))
            if isinstance(value, datetime.datetime):
                value = value.replace(microsecond=0)
            values[f.attname] = value
    return values


def changes(draft) -> history.Comparison:
    """What publishing `draft` would change in the live film: its fields, then its inline
    rows (history.compare_states). A few queries whatever the film's size."""
    movie = draft.movie
    values, genres, rows = read(draft.data)
    drafted = copy.copy(movie)
    for attname, value in values.items():
        setattr(drafted, attname, value)
    live = {
        model: {row.pk: _values(row) for row in getattr(movie, name).all()}
        for name, model in history.MOVIE_INLINES.items()
    }
    new_rows = {model: {} for model in history.MOVIE_INLINES.values()}
    for model, objs in rows.items():
        for n, row in enumerate(objs, 1):
            new_rows[model][row.pk if row.pk is not None else -n] = _values(row)
    live_genres = list(movie.genres.values_list("pk", flat=True))
    return history.compare_states(
        (_values(movie) | {"genres": live_genres}, live),
        (_values(drafted) | {"genres": list(genres)}, new_rows),
    )
