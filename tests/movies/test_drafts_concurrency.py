"""Two servers run manage.py publish_scheduled in the same minute: the draft is published
once, with one version (PostgreSQL: the row lock with SKIP LOCKED)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from movies import drafts, history, services
from movies.models import Movie, MovieDraft
from tests.factories import MovieFactory, UserFactory


def _due_draft():
    movie = MovieFactory(title="Contested", synopsis="Live synopsis.")
    services.movie_save(movie=movie, comment="First.")
    movie.synopsis = "Drafted synopsis."
    data = drafts.build(movie=movie, genres=[], rows=[])
    movie.refresh_from_db()
    draft = services.draft_save(
        movie=movie, data=data, form_data={"synopsis": [movie.synopsis]}, editor=UserFactory()
    )
    MovieDraft.objects.filter(pk=draft.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return movie


@pytest.mark.slow  # threads with their own connections, on a committed database
@pytest.mark.django_db(transaction=True)
def test_two_publishers_at_once_publish_the_draft_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock is PostgreSQL's; SQLite serialises writers itself")
    movie = _due_draft()
    versions_before = history.movie_versions(movie).count()

    inside, release = threading.Event(), threading.Event()
    real_movie_save = services.movie_save

    def held_movie_save(**kwargs):
        inside.set()  # publisher A holds the draft's row lock from here...
        assert release.wait(20)  # ...until publisher B has looked for due drafts
        return real_movie_save(**kwargs)

    monkeypatch.setattr(services, "movie_save", held_movie_save)
    results = {}

    def publisher(name):
        try:
            results[name] = services.publish_due_drafts()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=publisher, args=("A",))
    first.start()
    assert inside.wait(20)
    second = threading.Thread(target=publisher, args=("B",))
    second.start()
    second.join(20)
    blocked = second.is_alive()  # B waiting on A's lock instead of skipping it
    release.set()
    first.join(20)
    second.join(20)

    assert not blocked, "the second publisher waited for the first instead of skipping"
    assert results == {"A": 1, "B": 0}
    assert Movie.objects.get(pk=movie.pk).synopsis == "Drafted synopsis."
    assert not MovieDraft.objects.exists()
    assert history.movie_versions(movie).count() == versions_before + 1
