"""Uploads in a store several app servers share: a local folder or an S3 bucket.

Names carry a hash of the content, so two servers writing "poster.jpg" never meet; a
replaced file is kept for pages that still link it (a shared bucket's default) until
`prune_media` finds it unreferenced and old. The bucket is moto's, in this process.
"""

import datetime
import os

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from moto import mock_aws

from movies import images
from tests.factories import MovieFactory
from tests.movies.test_images import image_bytes, movie_form, upload

BUCKET = "ww-media-test"


def replace_poster(movie, data, name="poster.jpg"):
    form = movie_form(movie, {"poster": upload(data, name)})
    assert form.is_valid(), form.errors
    form.save()
    movie.refresh_from_db()
    return [movie.poster.name, movie.poster_small.name, movie.poster_large.name]


@pytest.fixture
def bucket(settings, monkeypatch):
    """MEDIA_STORAGE=s3's storage (config/settings.py) on a moto bucket."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "custom_domain": "ww.example/media",
                    "url_protocol": "https:",
                    "querystring_auth": False,
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        settings.MEDIA_DELETE_REPLACED_AFTER = 86400
        yield boto3.client("s3", region_name="us-east-1")


def keys(client):
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_names_carry_a_hash_of_the_content():
    first = images.process_upload(upload(image_bytes("JPEG", color=(1, 2, 3))))
    second = images.process_upload(upload(image_bytes("JPEG", color=(200, 2, 3))))
    a, b = first.encoded().name, second.encoded().name
    assert a.startswith("poster-") and a.endswith(".jpg")
    assert a != b  # same upload name, other pixels: another stored name
    assert first.encoded().name == a  # the same bytes: the same name
    assert first.rendition((200, 300)).name.startswith("poster-200x300-")


@pytest.mark.django_db
def test_poster_uploaded_to_the_bucket_is_linked_where_readers_fetch_it(bucket, one_second):
    stored = replace_poster(one_second, image_bytes("JPEG", (1000, 1500)))

    assert set(stored) <= keys(bucket)
    assert stored[0].startswith("posters/poster-")
    page = Client().get(one_second.get_absolute_url()).content.decode()
    assert f"https://ww.example/media/{stored[2]}" in page


@pytest.mark.django_db
def test_two_servers_uploading_poster_jpg_never_share_or_delete_a_file(bucket):
    """Server A and server B each upload "poster.jpg" (the same picture, even) for two
    films; A then replaces its poster: B's film still shows its files."""
    film_a, film_b = MovieFactory(), MovieFactory()
    same_picture = image_bytes("JPEG")
    a_files = replace_poster(film_a, same_picture)
    b_files = replace_poster(film_b, same_picture)
    assert not set(a_files) & set(b_files)

    replace_poster(film_a, image_bytes("PNG"), "new.png")

    assert set(b_files) <= keys(bucket)
    assert set(a_files) <= keys(bucket)  # kept for pages that still link them


@pytest.mark.django_db
def test_prune_media_deletes_only_old_unreferenced_files(bucket, monkeypatch):
    film = MovieFactory()
    old = replace_poster(film, image_bytes("JPEG"))
    current = replace_poster(film, image_bytes("PNG"), "new.png")

    call_command("prune_media")  # a day by default: everything is younger
    assert set(old) | set(current) <= keys(bucket)

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    call_command("prune_media")
    assert not set(old) & keys(bucket)
    assert set(current) <= keys(bucket)


@pytest.mark.django_db
def test_local_folder_deletes_replaced_files_at_commit_without_touching_a_twin(
    django_capture_on_commit_callbacks,
):
    """The laptop default: one server, so replaced files go at once, but only its own."""
    film_a, film_b = MovieFactory(), MovieFactory()
    same_picture = image_bytes("JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        a_files = replace_poster(film_a, same_picture)
        b_files = replace_poster(film_b, same_picture)
        replace_poster(film_a, image_bytes("PNG"), "new.png")

    assert not any(default_storage.exists(name) for name in a_files)
    assert all(default_storage.exists(name) for name in b_files)


@pytest.mark.django_db
def test_prune_media_on_the_local_folder(settings):
    settings.MEDIA_DELETE_REPLACED_AFTER = 3600
    film = MovieFactory()
    old = replace_poster(film, image_bytes("JPEG"))
    current = replace_poster(film, image_bytes("PNG"), "new.png")
    assert all(default_storage.exists(name) for name in old)
    two_hours_ago = (datetime.datetime.now() - datetime.timedelta(hours=2)).timestamp()
    for name in old + current:
        os.utime(default_storage.path(name), (two_hours_ago, two_hours_ago))

    call_command("prune_media", "--dry-run")
    assert all(default_storage.exists(name) for name in old)
    call_command("prune_media")
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in current)


def test_prune_media_refuses_an_age_that_could_catch_an_upload_in_flight():
    with pytest.raises(CommandError, match="at least 60"):
        call_command("prune_media", "--older-than", "5")
