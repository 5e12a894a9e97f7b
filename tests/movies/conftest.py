import pytest
from django.contrib.auth.models import Group

from movies import demo
from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    """A member of the Editors group (staff, not a superuser), as editors really are."""
    user = UserFactory(username="editor-in-test", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def demo_file(tmp_path, monkeypatch):
    """Call with (old, new): load_demo then reads a copy of the demo films file with `old`
    (which must occur once) replaced by `new`."""

    def edit(old, new):
        text = demo.FILMS_FILE.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path = tmp_path / "demo_films.toml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        monkeypatch.setattr(demo, "FILMS_FILE", path)

    return edit


@pytest.fixture
def page_cache(settings):
    """The page cache on: the suite runs with it off (tests/conftest.py); the page-cache
    tests turn it on (`pytest.mark.usefixtures("page_cache")`)."""
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_ALLOW_BYPASS = False


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: its on_commit invalidation runs."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run
