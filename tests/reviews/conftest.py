import datetime

import pytest
from django.utils import timezone

from tests.factories import UserFactory


@pytest.fixture
def movie(one_second):
    """The film the reviews are about: the shared One Second (tests/conftest.py)."""
    return one_second


@pytest.fixture
def reader(db):
    """An established account: its written reviews are published at once."""
    return UserFactory(username="ada")


@pytest.fixture
def newcomer(db):
    """An account made today: its written reviews wait for an editor."""
    return UserFactory(username="newbie", date_joined=timezone.now() - datetime.timedelta(hours=1))


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def aggregate(movie):
    """The film's stored aggregate, fresh from the database."""
    movie.refresh_from_db()
    return {
        "count": movie.rating_count,
        "sum": movie.rating_sum,
        "histogram": {n: c for n, c in movie.histogram if c},
        "mean": movie.audience_rating,
    }
