"""Catalogue writes that touch several rows (HackSoft style: keyword-only, atomic, validated).

The one write path for films: a film's own derived columns come from Movie.derived_values()
(a pure rule the importer's bulk writer applies too), and its search document, which
depends on other rows (credits, people's names), is rebuilt here after every write that
can change it. Nobody refreshes anything by hand.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from movies import drafts, history, pagecache, similar
from movies.models import Credit, Movie, MovieDraft, Person, SimilarFilm
from movies.search import search_document
from movies.selectors import forget_filter_options, site_mean


def refresh_search_documents(movie_ids: Iterable[int]) -> None:
    """Rebuild Movie.search_document from the credits of these films."""
    movie_ids = list(movie_ids)
    credits = {}
    rows = Credit.objects.filter(movie_id__in=movie_ids).values_list(
        "movie_id", "role", "billing_order", "person__name"
    )
    for movie_id, *credit in rows:
        credits.setdefault(movie_id, []).append(credit)
    movies = [
        Movie(pk=pk, search_document=search_document(credits.get(pk, []))) for pk in movie_ids
    ]
    Movie.objects.bulk_update(movies, ["search_document"], batch_size=500)


#: The editorial text a reader trusts because an editor signs it (Movie.assessment_by).
SIGNED_FIELDS = {"editorial_assessment", "watch_if", "answer_override", "override_reason"}


@transaction.atomic
def movie_save(
    *,
    movie: Movie,
    save_related: Callable[[], None] | None = None,
    editor=None,
    changed: Iterable[str] = (),
    comment: str | Callable[[], str] = "",
) -> Movie:
    """Save an editor's film, then its related rows (`save_related`, e.g. the admin's
    inlines), then rebuild its search document from the credits as saved, and record the
    result as a new version signed by `editor` with `comment` (movies.history).

    When `editor` changed (`changed`: the form's changed field names) the signed
    assessment and did not name its author or date themselves, the page names them, today.
    """
    if movie.pk is not None and not history.has_versions(movie):
        # A film from before history was kept: its state until now is the first version.
        history.record_movie_versions(
            [movie.pk], comment="As it was before history was kept.", as_of_update=True
        )
    with history.revision(user=editor, comment=comment or _describe(changed, movie)):
        _movie_save(movie, save_related, editor, set(changed))
        reversion.add_to_revision(movie)
    return movie


def _describe(changed, movie):
    if not changed:
        return "Saved."
    labels = []
    for name in changed:
        try:
            labels.append(str(Movie._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            continue
    return f"Changed {', '.join(sorted(labels))}." if labels else "Saved."


def sign_assessment(movie, editor, changed) -> None:
    """The editor who changed the signed assessment signs it, today, unless the form
    named its author or date itself (`changed`: the form's changed field names)."""
    if editor is not None and SIGNED_FIELDS & set(changed):
        if "assessment_by" not in changed:
            movie.assessment_by = editor
        if "assessment_reviewed_on" not in changed:
            movie.assessment_reviewed_on = timezone.localdate()


def _movie_save(movie, save_related, editor, changed):
    sign_assessment(movie, editor, changed)
    movie.save()
    if save_related is not None:
        save_related()
    refresh_search_documents([movie.pk])
    Movie.objects.filter(pk=movie.pk).refresh_scores(site_mean=site_mean())
    similar_films_refresh(movies=[movie], with_neighbours=True)
    transaction.on_commit(forget_filter_options)  # its genres, year or publication
    pagecache.catalogue_changed()  # its page, its cards, its neighbours' shelves
    if movie.status == Movie.Status.PUBLISHED:
        pagecache.scheduled(movie.published_at)  # public later: the lists follow then


@transaction.atomic
def scores_refresh(*, movies: models.QuerySet | None = None, only_leaning: bool = False) -> int:
    """Recompute films' scores in one set-based UPDATE, with the site mean recomputed now.

    `only_leaning`: just the films that lean on the site mean (no outside evidence, some
    readers), the ones a move of the mean changes. Returns how many films were updated.
    """
    movies = Movie.objects.all() if movies is None else movies
    if only_leaning:
        movies = movies.filter(outside_rating__isnull=True, rating_count__gt=0)
    pagecache.scoring_changed()  # scores and answers on every page, through the site mean
    return movies.refresh_scores(site_mean=site_mean(fresh=True))


@transaction.atomic
def person_save(*, person: Person, editor=None, comment: str = "Saved.") -> Person:
    """Save a person, as a new version signed by `editor`; the films crediting them are
    found by name, so their search documents follow a change of name."""
    renamed = (
        person.pk is not None
        and Person.objects.filter(pk=person.pk).exclude(name=person.name).exists()
    )
    with history.revision(user=editor, comment=comment):
        person.save()
        reversion.add_to_revision(person)
    if renamed:
        refresh_search_documents(person.credits.values_list("movie_id", flat=True))
    pagecache.shared_changed()  # their page, and the cast and crew of their films
    return person


@transaction.atomic
def people_delete(*, people) -> int:
    """Delete people (a queryset) and their credits; the films that credited them
    rebuild their search documents without them. Returns how many people went."""
    ids = list(people.values_list("pk", flat=True))  # without the admin's annotations
    movie_ids = set(Credit.objects.filter(person__in=ids).values_list("movie_id", flat=True))
    deleted = Person.objects.filter(pk__in=ids).delete()[1].get(Person._meta.label, 0)
    refresh_search_documents(movie_ids)
    pagecache.shared_changed()  # their page, and the cast and crew of their films
    return deleted


@dataclass
class PublishResult:
    published: list = field(default_factory=list)  # now public
    scheduled: list = field(default_factory=list)  # published, public from a future time
    unchanged: list = field(default_factory=list)  # already published


def _locked(movies):
    """The films of `movies` (a queryset), locked for this transaction, in title order."""
    pks = list(movies.values_list("pk", flat=True))
    return Movie.objects.select_for_update().filter(pk__in=pks).order_by("title", "pk")


@transaction.atomic
def publish_movies(*, movies: models.QuerySet, editor=None) -> PublishResult:
    """Publish `movies`: status Published, and the publish time now unless one is set.
    Each film changed gets a new version signed by `editor`.

    A film whose publish time is in the future stays scheduled until then.
    """
    now, result = timezone.now(), PublishResult()
    for movie in _locked(movies):
        if movie.status == Movie.Status.PUBLISHED:
            result.unchanged.append(movie)
            continue
        movie.status = Movie.Status.PUBLISHED
        if movie.published_at is None:
            movie.published_at = now
        movie.full_clean()
        with history.revision(user=editor, comment="Published."):
            movie.save(update_fields=["status", "published_at", "updated_at"])
            reversion.add_to_revision(movie)
        (result.scheduled if movie.published_at > now else result.published).append(movie)
    similar_films_refresh(movies=result.published + result.scheduled, with_neighbours=True)
    transaction.on_commit(forget_filter_options)
    if result.published or result.scheduled:
        pagecache.catalogue_changed()
    if result.scheduled:
        pagecache.scheduled(min(movie.published_at for movie in result.scheduled))
    return result


@transaction.atomic
def unpublish_movies(*, movies: models.QuerySet, editor=None) -> list[Movie]:
    """Make published `movies` drafts again (hidden from readers); returns those changed.
    Each gets a new version signed by `editor`.

    The publish time is kept, so publishing again restores the original date.
    """
    changed = []
    for movie in _locked(movies):
        if movie.status == Movie.Status.DRAFT:
            continue
        movie.status = Movie.Status.DRAFT
        movie.full_clean()
        with history.revision(user=editor, comment="Unpublished."):
            movie.save(update_fields=["status", "updated_at"])
            reversion.add_to_revision(movie)
        changed.append(movie)
    transaction.on_commit(forget_filter_options)
    if changed:
        pagecache.catalogue_changed()
    return changed


@transaction.atomic
def movie_restore(*, version, editor=None) -> Movie:
    """Make a film as it was in `version` (its fields, genres and inlines), saved as a new
    version: the one it replaces stays in the history, so a restore is undone by another.

    Readers' ratings and scores are not versioned and stay as they are now.
    """
    movie = Movie.objects.select_for_update().get(pk=version.object_id)
    when = timezone.localtime(version.revision.date_created)
    return _movie_save_state(
        movie,
        history.restorable_values(version),
        editor=editor,
        comment=f"Restored the version of {when:%d %b %Y %H:%M} (“{version.revision.comment}”).",
    )


def _movie_save_state(movie, state, *, editor, comment):
    """Make `movie` as `state` says ((values by attname, genre ids, {model: rows}), from a
    version or a draft), its inlines replaced, through movie_save."""
    values, genres, rows = state
    for attname, value in values.items():
        setattr(movie, attname, value)

    def save_related():
        movie.genres.set(genres)
        for name, model in history.MOVIE_INLINES.items():
            getattr(movie, name).all().delete()
            model.objects.bulk_create(rows[model])

    return movie_save(movie=movie, save_related=save_related, editor=editor, comment=comment)


@transaction.atomic
def similar_films_refresh(*, movies: Iterable[Movie], with_neighbours: bool = False) -> int:
    """Recompute and store the "more like this" neighbours of `movies` (movies.similar);
    returns how many neighbour rows were written.

    `with_neighbours`: also refresh the films that were or now are their neighbours, so
    a film an editor changes or publishes joins (or leaves) its neighbours' shelves at
    once; the rest of the catalogue follows at the next `rebuild_similar_films`.
    """
    movies = list(movies)
    if with_neighbours:
        ids = {m.pk for m in movies}
        before = set(SimilarFilm.objects.filter(movie__in=movies).values_list("similar", flat=True))
        written = similar_films_refresh(movies=movies)
        after = set(SimilarFilm.objects.filter(movie__in=movies).values_list("similar", flat=True))
        others = Movie.objects.filter(pk__in=(before | after) - ids)
        return written + similar_films_refresh(movies=others)
    written = 0
    for movie in movies:
        SimilarFilm.objects.filter(movie=movie).delete()
        rows = [
            SimilarFilm(movie=movie, similar_id=pk, affinity=affinity)
            for pk, affinity in similar.neighbours(movie)
        ]
        SimilarFilm.objects.bulk_create(rows)
        written += len(rows)
    return written


# --- Drafts of live films (movies.drafts) ------------------------------------------


class StaleDraft(Exception):
    """The live film changed after the draft was started (movies.drafts.staleness)."""


@transaction.atomic
def draft_save(
    *, movie: Movie, data: dict, form_data: dict, editor=None, from_live: bool = True
) -> MovieDraft:
    """Keep a change to `movie` as its draft (one per film): the live film is untouched.

    The draft remembers the film's latest version, so publishing it later can tell whether
    someone changed the live film meanwhile. `from_live`: the change was made on the live
    film's form, so it starts from the latest version (replacing any pending draft); else
    it continues the draft's own form, which keeps the version the draft started from.
    """
    draft = MovieDraft.objects.select_for_update().filter(movie=movie).first()
    if draft is None:
        draft = MovieDraft(movie=movie)
    if draft.pk is None or from_live:
        draft.base_version = drafts.latest_version_id(movie)
    draft.data, draft.form_data, draft.author = data, form_data, editor
    draft.problem = ""
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def draft_publish(*, draft: MovieDraft, editor=None, confirm: bool = False) -> Movie:
    """Apply `draft` to its film through movie_save (a new version whose comment names the
    draft and its author) and delete it.

    Raises StaleDraft, keeping the draft, when the live film changed after the draft was
    started, unless `confirm` (the editor saw the change and publishes over it).
    """
    draft = (
        MovieDraft.objects.select_for_update(of=("self",)).select_related("author").get(pk=draft.pk)
    )
    movie = Movie.objects.select_for_update().get(pk=draft.movie_id)
    draft.movie = movie
    problem = drafts.staleness(draft)
    if problem and not confirm:
        raise StaleDraft(problem)
    author = draft.author.get_username() if draft.author else "someone"
    when = timezone.localtime(draft.updated_at)
    state = drafts.read(draft.data)
    draft.delete()
    return _movie_save_state(
        movie,
        state,
        editor=editor,
        comment=f"Published the draft {author} saved on {when:%d %b %Y %H:%M}.",
    )


def draft_discard(*, movie: Movie) -> bool:
    """Drop `movie`'s pending draft, if any (discarded, or its form saved live); the live
    film is untouched. Returns whether there was one."""
    deleted, _ = MovieDraft.objects.filter(movie=movie).delete()
    return bool(deleted)


@transaction.atomic
def draft_schedule(*, draft: MovieDraft, publish_at, editor=None) -> MovieDraft:
    """Have `draft` published at `publish_at` (None: unschedule), by the task worker or
    by manage.py publish_scheduled, whichever comes first."""
    if publish_at is not None and publish_at <= timezone.now():
        raise ValidationError({"publish_at": "That time has passed: pick a time to come."})
    draft.publish_at, draft.scheduled_by, draft.problem = publish_at, editor, ""
    draft.save(update_fields=["publish_at", "scheduled_by", "problem", "updated_at"])
    if publish_at is not None:
        transaction.on_commit(lambda: _publish_scheduled_at(publish_at))
    return draft


def _publish_scheduled_at(when) -> None:
    """Ask the task worker to run publish_due_drafts at `when`, where the task backend can
    wait (the database backend does): `make run` then publishes on time with no cron. The
    cron line (docs/operations.md) stays the safety net; either publishes each draft once."""
    from movies import tasks  # movies.tasks imports this module

    if tasks.publish_scheduled.get_backend().supports_defer:
        tasks.publish_scheduled.using(run_after=when).enqueue()


def publish_due_drafts(*, now=None) -> int:
    """Publish every draft whose publish time has come; returns how many were published.

    Safe to run on several servers at once: each draft is taken in its own transaction,
    its row locked (SKIP LOCKED on PostgreSQL, so another publisher takes the next one; on
    SQLite the write lock serialises them) and published once. A draft whose film changed
    since it was started is not published: its `problem` says why, for an editor to see.
    """
    now, published = now or timezone.now(), 0
    while True:
        with transaction.atomic():
            due = MovieDraft.objects.filter(publish_at__lte=now, problem="")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            draft = due.select_related("scheduled_by").order_by("publish_at", "pk").first()
            if draft is None:
                return published
            try:
                draft_publish(draft=draft, editor=draft.scheduled_by)
            except (StaleDraft, ValidationError, IntegrityError) as exc:
                # Rolled back to draft_publish's savepoint: the draft waits for an editor
                # instead of failing every minute and holding up the drafts after it.
                problem = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                MovieDraft.objects.filter(pk=draft.pk).update(
                    problem=f"Not published at {timezone.localtime(now):%d %b %Y %H:%M}: {problem}"
                )
                continue
            published += 1
