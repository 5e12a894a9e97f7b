"""Usernames that look like another's are refused like taken ones."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.usernames import skeleton
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("look_alike", "original"),
    [
        ("\u0435ditor", "editor"),  # Cyrillic е
        ("\u0435dit\u043er", "Editor"),  # Cyrillic е and о, any case
        ("ｅｄｉｔｏｒ", "editor"),  # full-width
        ("edit0r", "editor"),  # a zero for an o
        ("admin1", "adminl"),
        ("modern", "modem"),  # "rn" reads as "m"
        ("jos\u00e9", "jose"),  # accents aside
        ("\u03b1da", "ada"),  # Greek alpha
    ],
)
def test_look_alikes_share_a_skeleton(look_alike, original):
    assert skeleton(look_alike) == skeleton(original)


@pytest.mark.parametrize(("one", "other"), [("editor", "editors"), ("ada", "eda")])
def test_different_names_stay_different(one, other):
    assert skeleton(one) != skeleton(other)


@pytest.mark.django_db
@pytest.mark.parametrize("look_alike", ["\u0435ditor", "EDIT0R", "ｅｄｉｔｏｒ"])
def test_signup_refuses_a_name_that_looks_like_anothers(look_alike):
    UserFactory(username="editor")
    response = Client().post(
        "/accounts/signup/",
        {
            "username": look_alike,
            "email": "someone@example.com",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_the_skeleton_follows_a_renamed_user():
    user = UserFactory(username="ada")
    user.username = "\u0435ditor"
    user.save(update_fields=["username"])
    user.refresh_from_db()
    assert user.username_skeleton == "editor"
