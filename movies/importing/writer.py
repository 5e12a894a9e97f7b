"""The bulk writer: validated records become films, people, credits and genres.

`import_records()` matches each record to an existing film (external id, else title and
year), works out what changed, and writes in batches with bulk queries, one transaction per
batch. If a batch fails in the database, its rows are retried one by one, each in its own
savepoint, so one refused row is reported and the others land. Any other exception is a
bug and propagates. One import runs at a time (movies.importing.lock).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from movies import history, pagecache, services
from movies.importing.catalogue import CATALOGUE_EXTRA, Catalogue
from movies.importing.format import FIELD_COLUMNS
from movies.importing.lock import import_lock
from movies.importing.validation import MovieRecord
from movies.models import Credit, Genre, Movie, Person, next_free_slug, slug_base
from movies.search import fold, search_document

# Refresh the database's statistics after writing at least this many films.
ANALYZE_AFTER = 1000
#: The credits an import writes; others (producers, composers) are the editors'.
IMPORTED_ROLES = (Credit.Role.DIRECTOR, Credit.Role.WRITER, Credit.Role.CAST)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # existing films left alone because of new_only
    failed: list = field(default_factory=list)  # [(where, reason)]
    warnings: list = field(default_factory=list)  # [(where, doubt)]: imported all the same
    dry_run: bool = False

    def summary(self):
        verb = "would be " if self.dry_run else ""
        warned = len(self.warnings)
        return (
            f"{self.created:,} {verb}created, {self.updated:,} {verb}updated, "
            f"{self.unchanged:,} unchanged, {len(self.failed):,} failed"
            + (f", {warned:,} with a warning" if warned else "")
            + (f"; {self.kept:,} films already here left as they are" if self.kept else "")
        )


def _unique_slug(text, taken, max_length):
    """A slug for `text` not in `taken` (the catalogue's slugs, so no query), which it joins."""
    slug = next_free_slug(slug_base(text, max_length), taken, max_length)
    taken.add(slug)
    return slug


@dataclass(eq=False)
class _Plan:
    record: MovieRecord
    pk: int | None  # None for a new film until it is written
    values: dict  # every scalar field's new value (for bulk_update) or the new film's fields
    changed: set  # model fields that change
    genres: list | None = None  # genre names (casefolded keys) when they change
    credits: dict | None = None  # {role: [(name, billing)]} for roles that change
    is_new: bool = False  # a film the catalogue does not have yet: written with an INSERT


def _derived(values, now):
    """The film's derived columns, by the same rule as Movie.save() (Movie.derived_values)."""
    return Movie.derived_values(values, now=now)


def _credit_key(credits):
    return {
        role: sorted((fold(name), billing or 0) for name, billing in items)
        for role, items in credits.items()
        if items
    }


def _plan(record, catalogue, now, publish):
    pk = catalogue.match(record)
    existing = catalogue.movies.get(pk, {})
    fields = dict(record.fields)
    if "external_id" in fields and not fields["external_id"]:
        # An empty id cell means "no id in this file", not "forget the film's id": a
        # spreadsheet of titles and budgets must not cut films loose from their source.
        del fields["external_id"]
    old_credits = catalogue.credits.get(pk, {}) if pk else {}
    new_credits = {role: list(items) for role, items in old_credits.items()}
    if record.directors is not None:
        new_credits[Credit.Role.DIRECTOR] = [(name, None) for name in record.directors]
    if record.writers is not None:
        new_credits[Credit.Role.WRITER] = [(name, None) for name in record.writers]
    if record.cast is not None:
        new_credits[Credit.Role.CAST] = [
            (name, position if record.cast_billed else None)
            for position, name in enumerate(record.cast, start=1)
        ]
    credits_change = _credit_key(new_credits) != _credit_key(old_credits)
    fields["search_document"] = search_document(
        (role, billing, name) for role, items in new_credits.items() for name, billing in items
    )
    genre_keys = None
    if record.genres is not None:
        genre_keys = [name.casefold() for name in record.genres]
    if pk is None:
        fields["slug"] = _unique_slug(f"{record.title} {record.year}", catalogue.movie_slugs, 200)
        fields["status"] = Movie.Status.PUBLISHED if publish else Movie.Status.DRAFT
        fields.update(_derived(fields, now))
        return _Plan(
            record,
            None,
            fields,
            set(fields),
            genres=genre_keys,
            credits={r: new_credits[r] for r in new_credits if new_credits[r]},
            is_new=True,
        )
    merged = {name: existing[name] for name in (*FIELD_COLUMNS, *CATALOGUE_EXTRA)}
    merged.update(fields)
    merged.update(_derived(merged, now))
    changed = {name for name in merged if merged[name] != existing[name]}
    genres_change = None
    if genre_keys is not None:
        current = catalogue.movie_genres.get(pk, set())
        wanted = {catalogue.genres.get(key) for key in genre_keys}
        if None in wanted or wanted != current:
            genres_change = genre_keys
    credits = None
    if credits_change:
        roles = {
            r
            for r in IMPORTED_ROLES
            if _credit_key({r: new_credits.get(r, [])}) != _credit_key({r: old_credits.get(r, [])})
        }
        credits = {role: new_credits.get(role, []) for role in roles}
    return _Plan(record, pk, merged, changed, genres=genres_change, credits=credits)


def _write(plans, catalogue, now):
    """Writes `plans` with bulk queries; the caller holds the transaction.

    Returns the genres and people it created ({casefold name: (pk, slug)}), for the caller
    to add to the catalogue once the transaction has committed.
    """
    new_genres, new_people = {}, {}
    genre_names = {}
    person_names = {}
    for plan in plans:
        for name in plan.record.genres or []:
            genre_names.setdefault(name.casefold(), name)
        for items in (plan.credits or {}).values():
            for name, _ in items:
                person_names.setdefault(name.casefold(), name)
    missing = [name for key, name in genre_names.items() if key not in catalogue.genres]
    if missing:
        slugs = set(catalogue.genre_slugs)
        created = Genre.objects.bulk_create(
            [
                Genre(name=name, slug=_unique_slug(name.replace("/", " "), slugs, 80))
                for name in missing
            ]
        )
        new_genres = {genre.name.casefold(): (genre.pk, genre.slug) for genre in created}
    missing = [name for key, name in person_names.items() if key not in catalogue.people]
    if missing:
        slugs = set(catalogue.person_slugs)
        created = Person.objects.bulk_create(
            [Person(name=name, slug=_unique_slug(name, slugs, 200)) for name in missing],
            batch_size=500,
        )
        new_people = {person.name.casefold(): (person.pk, person.slug) for person in created}
    genres = {**catalogue.genres, **{key: pk for key, (pk, _) in new_genres.items()}}
    people = {**catalogue.people, **{key: pk for key, (pk, _) in new_people.items()}}

    new = [plan for plan in plans if plan.is_new]
    if new:
        movies = Movie.objects.bulk_create([Movie(**plan.values) for plan in new], batch_size=500)
        for plan, movie in zip(new, movies, strict=True):
            plan.pk = movie.pk
    changed = [plan for plan in plans if not plan.is_new and plan.changed]
    if changed:
        names = sorted(set().union(*(plan.changed for plan in changed)) | {"updated_at"})
        Movie.objects.bulk_update(
            [Movie(pk=plan.pk, updated_at=now, **plan.values) for plan in changed],
            names,
            batch_size=500,
        )
    regenred = [plan for plan in plans if plan.genres is not None]
    if regenred:
        through = Movie.genres.through
        through.objects.filter(movie_id__in=[p.pk for p in regenred if not p.is_new]).delete()
        _insert(
            through,
            ["movie_id", "genre_id"],
            [(plan.pk, genres[key]) for plan in regenred for key in dict.fromkeys(plan.genres)],
        )
    recredited = [plan for plan in plans if plan.credits]
    if recredited:
        for role in IMPORTED_ROLES:
            ids = [p.pk for p in recredited if not p.is_new and role in p.credits]
            if ids:
                Credit.objects.filter(movie_id__in=ids, role=role).delete()
        _insert(
            Credit,
            ["movie_id", "person_id", "role", "character_name", "billing_order"],
            [
                (plan.pk, people[name.casefold()], role, "", billing)
                for plan in recredited
                for role, items in plan.credits.items()
                for name, billing in items
            ],
        )
    return new_genres, new_people


def _insert(model, columns, rows):
    """INSERT many plain rows with executemany: for the 200,000 credits of a big catalogue,
    bulk_create's model instances cost more than the database work. The rows are built from
    validated records and foreign keys the catalogue knows, so there is nothing to clean."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _remember(plans, catalogue, new_genres, new_people):
    """After a commit: what was written becomes part of the catalogue for later batches."""
    for names, slugs, created in (
        (catalogue.genres, catalogue.genre_slugs, new_genres),
        (catalogue.people, catalogue.person_slugs, new_people),
    ):
        for key, (pk, slug) in created.items():
            names[key] = pk
            slugs.add(slug)
    for plan in plans:
        row = {**catalogue.movies.get(plan.pk, {}), **plan.values, "pk": plan.pk}
        catalogue.movies[plan.pk] = row
        if row.get("external_id"):
            catalogue.by_external_id[row["external_id"]] = plan.pk
        key = (row["title"].casefold(), row["year"])
        if plan.pk not in catalogue.by_title_year.setdefault(key, []):
            catalogue.by_title_year[key].append(plan.pk)
        if plan.genres is not None:
            catalogue.movie_genres[plan.pk] = {catalogue.genres[k] for k in plan.genres}
        if plan.credits:
            catalogue.credits.setdefault(plan.pk, {}).update(plan.credits)


def import_records(
    records: list[MovieRecord],
    *,
    publish: bool = False,
    dry_run: bool = False,
    new_only: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    source: str = "",
    editor=None,
) -> ImportResult:
    """Creates or updates a film for each record; see the module docstring.

    `publish` makes new films public at once (existing films keep their status); with
    `new_only`, films already in the catalogue are left exactly as they are. A record
    that describes the same film as an earlier one in the same source fails. With `dry_run`
    nothing is written and the result says what would change. Raises ImportBusy, before
    writing anything, while another import is writing.

    Each film written gets a new version (movies.history) signed by `editor`, its comment
    naming `source` (the file).
    """
    version = {"comment": f"Imported from {source}." if source else "Imported.", "user": editor}
    if dry_run:
        return _import(records, publish, dry_run, new_only, batch_size, progress, version)
    with import_lock():
        return _import(records, publish, dry_run, new_only, batch_size, progress, version)


def _import(records, publish, dry_run, new_only, batch_size, progress, version):
    result = ImportResult(dry_run=dry_run)
    result.warnings = [(r.where, doubt) for r in records for doubt in r.warnings]
    catalogue = Catalogue()
    now = timezone.now()
    claimed = {}  # ("pk" | "ext" | "title", key) -> where
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        plans = []
        for record in batch:
            plan = _plan(record, catalogue, now, publish)
            earlier = _claim(claimed, plan)
            if earlier:
                result.failed.append((record.where, f"same film as {earlier}"))
                continue
            if new_only and not plan.is_new:
                result.kept += 1
                continue
            plans.append(plan)
        to_write = [p for p in plans if p.changed or p.genres is not None or p.credits]
        result.unchanged += len(plans) - len(to_write)
        written = to_write
        if to_write and not dry_run:
            written = _write_batch(to_write, catalogue, now, result, version)
        result.created += sum(1 for p in written if p.is_new)
        result.updated += sum(1 for p in written if not p.is_new)
        if progress:
            progress(len(batch))
    if not dry_run and result.created + result.updated:
        # New outside ratings move scores, and new films need theirs: one set-based UPDATE.
        services.scores_refresh()
        # Credits and genres written without a change of the film's own fields leave
        # its updated_at: every film page's parts move on (movies.fragments).
        pagecache.shared_changed()
    if not dry_run and result.created + result.updated >= ANALYZE_AFTER:
        _analyze()
    return result


def _analyze():
    """Fresh planner statistics after a big load: without them PostgreSQL plans searches for
    the empty tables it last saw (sequential scans instead of the search indexes)."""
    tables = [model._meta.db_table for model in (Movie, Person, Credit, Genre)]
    tables.append(Movie.genres.through._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _claim(claimed, plan):
    """Where an earlier record of this source described the same film, else None (and claims it).

    The rule mirrors `Catalogue.match`: same external id, or same title and year when
    one of the two has no external id.
    """
    record = plan.record
    if not plan.is_new:
        keys, checks = [("pk", plan.pk)], [("pk", plan.pk)]
    else:
        title = (record.title.casefold(), record.year)
        if record.external_id:
            checks = [("ext", record.external_id), ("title-no-id", title)]
            keys = [("ext", record.external_id), ("title", title)]
        else:
            checks = [("title", title)]
            keys = [("title", title), ("title-no-id", title)]
    for key in checks:
        if key in claimed:
            return claimed[key]
    for key in keys:
        claimed.setdefault(key, record.where)
    return None


def _write_batch(plans, catalogue, now, result, version):
    """Writes a batch in one transaction, with a version of each film; if the database
    refuses it, each row in its own savepoint. Only database errors are caught: anything
    else is a bug, and propagates."""
    try:
        with transaction.atomic():
            created = _write(plans, catalogue, now)
            history.record_movie_versions([p.pk for p in plans], **version)
    except DatabaseError:
        for plan in plans:
            if plan.is_new:
                plan.pk = None  # the key the rolled-back insert gave it is gone
        written = []
        for plan in plans:
            try:
                with transaction.atomic():
                    created = _write([plan], catalogue, now)
                    history.record_movie_versions([plan.pk], **version)
            except DatabaseError as exc:
                result.failed.append((plan.record.where, f"the database refused it: {exc}"))
                continue
            _remember([plan], catalogue, *created)
            written.append(plan)
        return written
    _remember(plans, catalogue, *created)
    return plans
