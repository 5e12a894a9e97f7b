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
