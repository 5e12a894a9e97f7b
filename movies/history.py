"""Versions of the catalogue, kept by django-reversion: who changed what, when and why.

Every write path records a revision (movies.services, the importer, the admin of providers
and verdict bands), and each revision of a film holds that one film with its inlines
(credits, offers, regional grosses, parents' guide), so a film's history is its versions
and two of them compare row by row. The importer writes its versions in bulk
(`record_movie_versions`): reversion's per-object API costs a query per inline per film,
which the 17,000-film catalogue cannot afford.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import is_protected_type
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.models import Revision, Version

from movies.models import (
    Availability,
    ContentAdvisory,
    Credit,
    Movie,
    Person,
    Provider,
    RegionalGross,
    VerdictBand,
)

#: A film's inlines, versioned with it: {reverse accessor: model}.
MOVIE_INLINES = {
    "credits": Credit,
    "availabilities": Availability,
    "regional_grosses": RegionalGross,
    "advisories": ContentAdvisory,
}
#: Columns the readers, the jobs or the clock own: a restore must not bring back old
#: ratings or scores, and a compare would show them changing at every save.
MOVIE_UNVERSIONED = {
    "search_document",
    "rating_count",
    "rating_sum",
    *Movie.RATING_FIELDS,
    "audience_rating",
    "outside_rating",
    "score",
    "created_at",
    "updated_at",
}
TIMESTAMPS = {"created_at", "updated_at"}


def _fields(model, exclude=()):
    opts = model._meta
    names = [f.name for f in opts.local_fields + opts.local_many_to_many]
    return tuple(name for name in names if name not in exclude)


#: What each versioned model keeps: {model: (fields, follow)}.
VERSIONED = {
    Movie: (_fields(Movie, MOVIE_UNVERSIONED), tuple(MOVIE_INLINES)),
    **{model: (_fields(model), ()) for model in MOVIE_INLINES.values()},
    Person: (_fields(Person, TIMESTAMPS), ()),
    Provider: (_fields(Provider), ()),
    VerdictBand: (_fields(VerdictBand), ()),
}


def register():
    """Called once from MoviesConfig.ready()."""
    for model, (fields, follow) in VERSIONED.items():
        if not reversion.is_registered(model):
            reversion.register(model, fields=fields, follow=follow)


@contextmanager
def revision(*, user=None, comment):
    """A revision of what the block passes to `reversion.add_to_revision`, signed by `user`.
    `comment`: its text, or a function giving it once the block has run (the admin words
    its change message after the inlines are saved).

    Saves inside the block are not picked up by themselves (manage_manually): the caller
    adds the object once it and its inlines are written, so the version shows the result.
    """
    with reversion.create_revision(manage_manually=True):
        yield
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment() if callable(comment) else comment)


def edit_conflict(movie, opened_at: str):
    """Why a form opened when the film was last updated at `opened_at` (isoformat) may not
    save it, or None: someone saved the film since. Locks the film's row until the end of
    the transaction, so no save can slip in between this check and the form's own save.
    """
    current = (
        Movie.objects.select_for_update().filter(pk=movie.pk).values_list("updated_at").first()
    )
    if current is None or current[0].isoformat() == opened_at:
        return None
    versions = movie_versions(movie)
    latest = versions.first()
    who = latest.revision.user if latest else None
    when = timezone.localtime(current[0])
    link = reverse("admin:movies_movie_history", args=[movie.pk])
    try:
        opened = datetime.fromisoformat(opened_at)
    except ValueError:
        opened = None
    if opened is not None and latest is not None:
        seen = versions.filter(revision__date_created__lte=opened).first()
        if seen is not None and seen.pk != latest.pk:
            link = reverse("admin:movies_movie_compare", args=[movie.pk])
            link += f"?a={seen.pk}&b={latest.pk}"
    return format_html(
        "{} changed this film on {} at {}, after you opened it. Nothing was saved: "
        '<a href="{}">compare their version with the one you opened</a>, then reload the '
        "film and make your changes again.",
        who.get_username() if who else "Someone",
        date_format(when, "j F Y"),
        date_format(when, "H:i"),
        link,
    )


def has_versions(obj) -> bool:
    return Version.objects.get_for_object(obj).exists()


def record_movie_versions(movie_ids, *, comment: str, user=None, as_of_update=False) -> int:
    """One revision per film of `movie_ids`, with its inlines, in a handful of bulk queries.

    The data is what reversion itself writes (its JSON, its fields), so these versions
    compare and restore like the others. `as_of_update`: date each version when its film
    was last updated (a film's state from before history was kept), not now. Returns how
    many films got a version.
    """
    movie_ids, recorded = sorted(movie_ids), 0
    for start in range(0, len(movie_ids), 500):  # SQLite's limits on a query's parameters
        recorded += _record_movies(movie_ids[start : start + 500], comment, user, as_of_update)
    return recorded


def _record_movies(movie_ids, comment, user, as_of_update):
    movies = {m.pk: m for m in Movie.objects.filter(pk__in=movie_ids).order_by("pk")}
    if not movies:
        return 0
    genres = {pk: [] for pk in movies}
    for movie_id, genre_id in Movie.genres.through.objects.filter(
        movie_id__in=movie_ids
    ).values_list("movie_id", "genre_id"):
        genres[movie_id].append(genre_id)
    now = timezone.now()
    revisions = [
        Revision(date_created=m.updated_at if as_of_update else now, user=user, comment=comment)
        for m in movies.values()
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        revisions = Revision.objects.bulk_create(revisions)
    else:
        for rev in revisions:
            rev.save()
    revision_of = {pk: rev.pk for pk, rev in zip(movies, revisions, strict=True)}
    types = ContentType.objects.get_for_models(Movie, *MOVIE_INLINES.values())
    rows = [
        (revision_of[pk], types[Movie].pk, pk, _serialize(m, {"genres": genres[pk]}), str(m))
        for pk, m in movies.items()
    ]
    # The inline rows as plain values: every one of their fields is a plain column, and
    # building 200,000 model instances would double an import's time.
    for model in MOVIE_INLINES.values():
        fields = VERSIONED[model][0]
        columns = [model._meta.get_field(name).attname for name in fields]
        label = f"{model._meta.verbose_name} of "
        for values in model.objects.filter(movie_id__in=movie_ids).values_list(*columns):
            data = dict(zip(fields, values, strict=True))
            pk, movie_id = data.pop("id"), data["movie"]
            text = json.dumps(
                [{"model": model._meta.label_lower, "pk": pk, "fields": data}],
                cls=DjangoJSONEncoder,
            )
            rows.append(
                (revision_of[movie_id], types[model].pk, pk, text, label + movies[movie_id].title)
            )
    _insert_versions(rows)
    return len(movies)


def _insert_versions(rows):
    """[(revision id, content type id, object id, JSON, repr)] in one statement per 500."""
    table = connection.ops.quote_name(Version._meta.db_table)
    sql = (
        f"INSERT INTO {table} (revision_id, content_type_id, object_id, db, format, "
        "serialized_data, object_repr) VALUES (%s, %s, %s, 'default', 'json', %s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            cursor.executemany(
                sql,
                [(r, t, str(o), d, text[:191]) for r, t, o, d, text in rows[start : start + 500]],
            )


def _serialize(obj, many):
    """What `serializers.serialize("json", [obj], fields=...)` writes, without its set-up
    per object; `many`: the many-to-many values, {name: [pks]}."""
    fields = {}
    for name in VERSIONED[type(obj)][0]:
        if name in many:
            fields[name] = many[name]
            continue
        f = obj._meta.get_field(name)
        if f.primary_key:
            continue
        value = getattr(obj, f.attname) if f.is_relation else f.value_from_object(obj)
        fields[name] = value if is_protected_type(value) else f.value_to_string(obj)
    data = [{"model": obj._meta.label_lower, "pk": obj.pk, "fields": fields}]
    return json.dumps(data, cls=DjangoJSONEncoder)


# --- Reading a film's history -----------------------------------------------------


def movie_versions(movie):
    """The film's versions, newest first, each with its revision and the editor."""
    return Version.objects.get_for_object(movie).select_related("revision__user")


def inline_versions(movie, revision_ids):
    """{revision id: {model: {pk: field dict}}}: the film's inline rows in those revisions."""
    types = ContentType.objects.get_for_models(*MOVIE_INLINES.values())
    models_by_type = {ct.pk: model for model, ct in types.items()}
    found = {rid: {model: {} for model in MOVIE_INLINES.values()} for rid in revision_ids}
    rows = Version.objects.filter(
        revision_id__in=revision_ids, content_type_id__in=list(models_by_type)
    )
    for version in rows:
        data = version.field_dict
        if data.get("movie_id") == movie.pk:
            model = models_by_type[version.content_type_id]
            found[version.revision_id][model][data["id"]] = data
    return found


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    status: str  # "added", "removed" or "changed"
    label: str
    changes: list = field(default_factory=list)


@dataclass
class Comparison:
    fields: list  # [Change]
    inlines: list  # [(title, [RowChange])]

    @property
    def is_empty(self):
        return not self.fields and not any(rows for _, rows in self.inlines)


class _Names:
    """Shows foreign keys and many-to-many values by name: one query per related model."""

    def __init__(self, dicts_by_model):
        wanted = {}
        for model, dicts in dicts_by_model:
            for f in _relations(model):
                for data in dicts:
                    value = data.get(f.attname)
                    values = value if isinstance(value, list) else [value]
                    wanted.setdefault(f.related_model, set()).update(
                        v for v in values if v is not None
                    )
        self.names = {
            model: {pk: str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}
            for model, pks in wanted.items()
            if pks
        }

    def show(self, f, value):
        if value in (None, "", []):
            return "—"
        if f.is_relation:
            names = self.names.get(f.related_model, {})
            values = value if isinstance(value, list) else [value]
            return ", ".join(sorted(names.get(v, f"#{v} (deleted)") for v in values))
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)


def _relations(model):
    return [
        f
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and f.name in VERSIONED[model][0] and f.name != "movie"
    ]


def _changes(model, old, new, names):
    changes = []
    for name in VERSIONED[model][0]:
        f = model._meta.get_field(name)
        if name == "movie" or f.primary_key:
            continue
        a, b = old.get(f.attname), new.get(f.attname)
        if isinstance(a, list) and isinstance(b, list):
            a, b = sorted(a), sorted(b)
        if a != b:
            changes.append(Change(str(f.verbose_name), names.show(f, a), names.show(f, b)))
    return changes


def _row_label(model, data, names):
    parts = []
    for name in VERSIONED[model][0][:3]:
        f = model._meta.get_field(name)
        if name != "movie" and not f.primary_key:
            parts.append(names.show(f, data.get(f.attname)))
    return " · ".join(parts)


def compare(movie, old, new) -> Comparison:
    """What changed from version `old` to version `new` of `movie`: its fields, then its
    inlines row by row (added, removed, changed with the fields that differ)."""
    inlines = inline_versions(movie, [old.revision_id, new.revision_id])
    return compare_states(
        (old.field_dict, inlines[old.revision_id]), (new.field_dict, inlines[new.revision_id])
    )


def compare_states(old, new) -> Comparison:
    """What changed from state `old` to state `new` of a film, each (its field dict, by
    attname, genres a list of ids; {inline model: {row key: field dict}}): a version's or a
    draft's (movies.drafts). Rows with the same key are the same row."""
    (old_film, before), (new_film, after) = old, new
    names = _Names(
        [(Movie, [old_film, new_film])]
        + [(m, [*before[m].values(), *after[m].values()]) for m in MOVIE_INLINES.values()]
    )
    result = Comparison(fields=_changes(Movie, old_film, new_film, names), inlines=[])
    for model in MOVIE_INLINES.values():
        rows = []
        a, b = before[model], after[model]
        for pk in sorted(a.keys() | b.keys()):
            if pk not in a:
                rows.append(RowChange("added", _row_label(model, b[pk], names)))
            elif pk not in b:
                rows.append(RowChange("removed", _row_label(model, a[pk], names)))
            else:
                changes = _changes(model, a[pk], b[pk], names)
                if changes:
                    rows.append(RowChange("changed", _row_label(model, b[pk], names), changes))
        result.inlines.append((str(model._meta.verbose_name_plural).capitalize(), rows))
    return result


def restorable_values(version) -> tuple[dict, list, dict]:
    """What a restore writes back: (the film's field values by attname, its genre ids,
    {model: [unsaved inline rows]}). References to rows deleted since are dropped: an
    emptied optional link, a credit or offer left out."""
    data = dict(version.field_dict)
    genres = data.pop("genres", [])
    data.pop("id", None)
    rows = {
        model: [model(**row) for row in found.values()]
        for model, found in inline_versions(
            Movie(pk=int(version.object_id)), [version.revision_id]
        )[version.revision_id].items()
    }
    return existing_only(data, genres, rows)


def existing_only(data, genres, rows) -> tuple[dict, list, dict]:
    """(data, genres, rows) as restorable_values gives them, without the references to
    rows deleted since (a version's or a draft's: movies.drafts)."""
    wanted = {}  # {related model: pks}, read once each
    for model, objs in [(Movie, [data | {"genres": genres}])] + [
        (m, [vars(o) for o in objs]) for m, objs in rows.items()
    ]:
        for f in _relations(model):
            for values in objs:
                value = values.get(f.attname)
                wanted.setdefault(f.related_model, set()).update(
                    value if isinstance(value, list) else [value]
                )
    existing = {
        model: set(model._default_manager.filter(pk__in=pks - {None}).values_list("pk", flat=True))
        for model, pks in wanted.items()
    }

    def exists(f, pk):
        return pk in existing[f.related_model]

    for f in _relations(Movie):
        if isinstance(f, models.ManyToManyField):
            genres = [pk for pk in genres if exists(f, pk)]
        elif data.get(f.attname) is not None and not exists(f, data[f.attname]):
            data[f.attname] = None
    for model, objs in rows.items():
        rels = _relations(model)
        rows[model] = [o for o in objs if all(exists(f, getattr(o, f.attname)) for f in rels)]
    return data, genres, rows
