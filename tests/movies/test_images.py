"""Poster, photo and logo uploads: checked by content, re-encoded, cut into renditions."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from movies import images
from movies.forms import MovieAdminForm, PersonAdminForm, ProviderAdminForm
from movies.models import Movie
from tests.factories import MovieFactory


def image_bytes(fmt="JPEG", size=(600, 900), color=(180, 40, 40), mode="RGB", **save_kwargs):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def upload(data, name="poster.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_claiming(width, height):
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb."""

    def chunk(kind, payload):
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def movie_form(movie, files):
    data = {
        "title": movie.title,
        "slug": movie.slug,
        "year": movie.year,
        "currency": "USD",
        "status": movie.status,
        "published_at_0": "",
        "published_at_1": "",
    }
    return MovieAdminForm(data=data, files=files, instance=movie)


def person_form(files, **data):
    return PersonAdminForm(data={"name": "Liu Haocun", "slug": "liu-haocun", **data}, files=files)


# --- refused uploads -------------------------------------------------------------


@pytest.mark.django_db
def test_decompression_bomb_is_a_form_error():
    form = person_form({"photo": upload(png_claiming(20_000, 20_000), "bomb.png")})
    assert not form.is_valid()
    assert "decompression bomb" in form.errors["photo"][0]


@pytest.mark.django_db
def test_image_over_40_megapixels_is_refused_before_decoding():
    form = person_form({"photo": upload(png_claiming(8_000, 6_000), "huge.png")})
    assert not form.is_valid()
    assert form.errors["photo"] == [
        "This image is 8000×6000 pixels (48 megapixels); the limit is 40 megapixels. "
        "Resize it first."
    ]


@pytest.mark.django_db
def test_gif_is_refused_by_content():
    gif = image_bytes("GIF", mode="P", color=1)
    form = person_form({"photo": upload(gif, "innocent.jpg")})
    assert not form.is_valid()
    assert form.errors["photo"] == ["This is a GIF image. Upload a JPEG, PNG or WebP file instead."]


@pytest.mark.django_db
def test_text_file_renamed_jpg_is_refused():
    form = person_form({"photo": upload(b"<?php echo 'hello'; ?>\n" * 20, "photo.jpg")})
    assert not form.is_valid()
    assert form.errors["photo"] == [images.NOT_AN_IMAGE]


@pytest.mark.django_db
def test_file_over_10_mb_is_refused():
    """A real JPEG padded past 10 MB (decoders ignore trailing bytes): refused on size alone."""
    data = image_bytes("JPEG") + b"\x00" * (10 * 1024 * 1024)
    form = person_form({"photo": upload(data, "big.jpg")})
    assert not form.is_valid()
    assert form.errors["photo"] == [
        "This file is 10.0 MB; the limit is 10 MB. Export a smaller JPEG, PNG or WebP."
    ]


@pytest.mark.django_db
def test_truncated_image_is_a_form_error():
    noisy = Image.effect_noise((400, 600), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    data = buffer.getvalue()
    form = person_form({"photo": upload(data[: len(data) // 2], "cut.png")})
    assert not form.is_valid()
    assert form.errors["photo"][0].startswith("This image is damaged or incomplete")


@pytest.mark.django_db
def test_empty_file_is_a_form_error():
    form = person_form({"photo": upload(b"", "empty.jpg")})
    assert not form.is_valid()
    assert form.errors["photo"] == ["The submitted file is empty."]


# --- accepted uploads ------------------------------------------------------------


@pytest.mark.django_db
def test_valid_poster_is_stored_with_both_renditions():
    movie = MovieFactory(title="One Second", year=2020)
    form = movie_form(movie, {"poster": upload(image_bytes("JPEG", (1000, 1500)))})
    assert form.is_valid(), form.errors
    form.save()

    movie.refresh_from_db()
    assert (movie.poster_width, movie.poster_height) == (1000, 1500)
    for field, size in [("poster_small", (200, 300)), ("poster_large", (500, 750))]:
        file = getattr(movie, field)
        assert default_storage.exists(file.name), field
        with default_storage.open(file.name) as stored, Image.open(stored) as rendition:
            assert rendition.size == size
            assert rendition.format == "WEBP"
    assert movie.poster.name.startswith("posters/poster")
    assert movie.poster.name.endswith(".jpg")


@pytest.mark.django_db
def test_poster_of_another_shape_is_cropped_to_2_3():
    movie = MovieFactory()
    form = movie_form(movie, {"poster": upload(image_bytes("PNG", (1600, 900)), "wide.png")})
    assert form.is_valid(), form.errors
    form.save()
    movie.refresh_from_db()
    assert (movie.poster_width, movie.poster_height) == (1600, 900)
    with Image.open(movie.poster_small.path) as small:
        assert small.size == (200, 300)


@pytest.mark.django_db
def test_exif_is_stripped_and_orientation_applied():
    """A phone photo stored sideways with orientation 6 and a camera make in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # make
    data = image_bytes("JPEG", (900, 600), exif=exif.tobytes())
    movie = MovieFactory()
    form = movie_form(movie, {"poster": upload(data, "phone.jpg")})
    assert form.is_valid(), form.errors
    form.save()
    movie.refresh_from_db()
    assert (movie.poster_width, movie.poster_height) == (600, 900)
    with Image.open(movie.poster.path) as stored:
        assert not stored.getexif()
    with open(movie.poster.path, "rb") as stored:
        assert b"SpyCam" not in stored.read()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_large_upload_is_stored_at_3000_pixels_upright_with_its_colours(fmt):
    """Shrunk while decoding (JPEG) or a band at a time (PNG): the stored image is the
    whole picture, turned by its EXIF orientation, with nothing lost at band edges."""
    picture = Image.new("RGB", (7000, 2000), (200, 20, 20))
    picture.paste((20, 20, 200), (3500, 0, 7000, 2000))  # right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # display turned 90° clockwise: the red half ends on top
    buffer = io.BytesIO()
    picture.save(buffer, fmt, exif=exif.tobytes())

    stored = images.process_upload(upload(buffer.getvalue(), f"wide.{fmt.lower()}")).image

    assert stored.size == (857, 3000)
    top, bottom = stored.getpixel((428, 100)), stored.getpixel((428, 2900))
    assert top[0] > 150 and top[2] < 60
    assert bottom[2] > 150 and bottom[0] < 60


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_reducing_a_band_at_a_time_gives_the_pixels_of_reducing_at_once(mode):
    noise = Image.merge(mode, [Image.effect_noise((701, 1003), 90)] * len(mode))
    assert images._reduce_in_bands(noise, 3).tobytes() == noise.reduce(3).tobytes()


@pytest.mark.django_db
def test_png_keeps_transparency_and_jpeg_becomes_rgb():
    logo = image_bytes("PNG", (1200, 600), color=(0, 0, 0, 0), mode="RGBA")
    form = ProviderAdminForm(
        data={"name": "Apple TV", "slug": "apple-tv", "homepage": "https://tv.apple.com/"},
        files={"logo": upload(logo, "apple.png", "image/png")},
    )
    assert form.is_valid(), form.errors
    provider = form.save()
    with Image.open(provider.logo.path) as stored:
        assert stored.mode == "RGBA"
        assert stored.size == (256, 128)  # shrunk to fit 256×256, shape kept

    cmyk = image_bytes("JPEG", (300, 450), color=(0, 0, 0, 0), mode="CMYK")
    processed = images.process_upload(upload(cmyk))
    assert processed.image.mode == "RGB"


@pytest.mark.django_db
def test_webp_photo_gets_a_thumbnail():
    form = person_form({"photo": upload(image_bytes("WEBP", (400, 400)), "face.webp")})
    assert form.is_valid(), form.errors
    person = form.save()
    assert (person.photo_width, person.photo_height) == (400, 400)
    assert person.photo.name.endswith(".webp")
    with Image.open(person.photo_thumb.path) as thumb:
        assert thumb.size == (200, 300)


@pytest.mark.django_db
def test_clearing_the_poster_clears_its_renditions():
    movie = MovieFactory()
    form = movie_form(movie, {"poster": upload(image_bytes("JPEG"))})
    assert form.is_valid(), form.errors
    form.save()
    movie.refresh_from_db()
    assert movie.poster_small

    form = movie_form(movie, {})
    form.data = {**form.data, "poster-clear": "on"}
    assert form.is_valid(), form.errors
    form.save()
    movie = Movie.objects.get(pk=movie.pk)
    assert not movie.poster and not movie.poster_small and not movie.poster_large
    assert movie.poster_width is None


@pytest.mark.django_db
def test_replacing_a_poster_deletes_the_old_files(django_capture_on_commit_callbacks):
    movie = MovieFactory()
    with django_capture_on_commit_callbacks(execute=True):
        form = movie_form(movie, {"poster": upload(image_bytes("JPEG"), "first.jpg")})
        assert form.is_valid(), form.errors
        form.save()
    movie.refresh_from_db()
    old = [movie.poster.name, movie.poster_small.name, movie.poster_large.name]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        form = movie_form(movie, {"poster": upload(image_bytes("PNG"), "second.png")})
        assert form.is_valid(), form.errors
        form.save()
    assert len(callbacks) == 1
    movie.refresh_from_db()
    assert movie.poster.name.startswith("posters/second-")
    assert movie.poster.name.endswith(".png")
    for name in old:
        assert not default_storage.exists(name), name
    for file in [movie.poster, movie.poster_small, movie.poster_large]:
        assert default_storage.exists(file.name)
