"""Uploaded images: checked by content, re-encoded, and cut into fixed-size renditions.

Every poster, photo and logo goes through `process_upload()` before it reaches storage:

* Only JPEG, PNG and WebP, as Pillow detects them from the bytes (a GIF renamed .jpg or
  a text file renamed .png is refused); at most `MAX_BYTES` and `MAX_PIXELS`.
* The pixel count is checked from the header, before any pixel is decoded, so a
  "decompression bomb" (a small file claiming 20000x20000 pixels) costs nothing.
  Pillow's own DecompressionBombError (raised while the header is read) is caught too.
* A truncated or corrupt file fails while decoding and becomes a form error.
* The stored image is re-encoded from the decoded pixels: EXIF orientation applied,
  every piece of metadata (EXIF, GPS, XMP, comments) dropped; JPEG becomes RGB, PNG and
  WebP keep their transparency when they have any.

Renditions are fixed 2:3 crops (centre-weighted slightly towards the top, where titles
and faces usually are), so templates can state width and height without extra columns:
posters 200x300 and 500x750, people's photos 200x300 (WebP).

The form field (`movies.forms.UploadImageField`) calls `process_upload()` while the form
is cleaned, so every problem is a form error; `attach()` then puts the re-encoded file
and its renditions on the instance, to be written when the instance is saved.
"""

import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.text import slugify
from PIL import Image, ImageOps

from movies import limits

MAX_BYTES = limits.UPLOAD_MAX_BYTES
MAX_PIXELS = limits.UPLOAD_MAX_PIXELS
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

POSTER_SMALL = (200, 300)
POSTER_LARGE = (500, 750)
PHOTO_THUMB = (200, 300)
LOGO_BOX = (256, 256)


@dataclass(frozen=True)
class UploadSpec:
    """What is stored for one upload field: its 2:3 renditions, and a box that the stored
    image is shrunk to fit (logos are shown small), if any."""

    renditions: dict  # {rendition field: (width, height)}
    fit_within: tuple | None = None


#: Every model field that takes uploads.
UPLOADS = {
    ("movies.movie", "poster"): UploadSpec(
        renditions={"poster_small": POSTER_SMALL, "poster_large": POSTER_LARGE}
    ),
    ("movies.person", "photo"): UploadSpec(renditions={"photo_thumb": PHOTO_THUMB}),
    ("movies.provider", "logo"): UploadSpec(renditions={}, fit_within=LOGO_BOX),
}


def _spec(instance, field_name):
    return UPLOADS[(instance._meta.label_lower, field_name)]


# Messages editors see under the field.
TOO_BIG = (
    "This file is %(size)s; the limit is "
    f"{limits.UPLOAD_MAX_MB} MB. Export a smaller JPEG, PNG or WebP."
)
TOO_MANY_PIXELS = (
    "This image is %(width)s×%(height)s pixels (%(megapixels)s megapixels); the limit is "
    f"{limits.UPLOAD_MAX_MEGAPIXELS} megapixels. Resize it first."
)
NOT_AN_IMAGE = "This file is not an image we can read. Upload a JPEG, PNG or WebP file."
WRONG_FORMAT = "This is a %(format)s image. Upload a JPEG, PNG or WebP file instead."
BOMB = (
    "This image claims far too many pixels to be a real poster or photo (a "
    "“decompression bomb”). Upload a normal JPEG, PNG or WebP file."
)
DAMAGED = "This image is damaged or incomplete (%(problem)s). Export it again and re-upload."


@dataclass
class ProcessedImage:
    """A checked upload, decoded, oriented and stripped: ready to encode and to cut."""

    image: Image.Image
    format: str  # JPEG, PNG or WEBP
    stem: str  # a safe file-name stem taken from the upload's name

    def encoded(self, *, fit_within=None):
        """The re-encoded image as a ContentFile named `<stem>.<ext>`."""
        image = self.image
        if fit_within:
            image = image.copy()
            image.thumbnail(fit_within, Image.Resampling.LANCZOS)
        return ContentFile(_encode(image, self.format), name=f"{self.stem}.{FORMATS[self.format]}")

    def rendition(self, size):
        """A `size` (width, height) crop of the image as WebP, named `<stem>-<w>x<h>.webp`."""
        cut = ImageOps.fit(self.image, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        width, height = size
        return ContentFile(_encode(cut, "WEBP"), name=f"{self.stem}-{width}x{height}.webp")


def _encode(image, fmt):
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=85, method=4)
    return buffer.getvalue()


def _human_size(size):
    return f"{size / (1024 * 1024):.1f} MB"


def process_upload(upload):
    """Check `upload` (any Django File) and decode it; raise ValidationError if unusable.

    Never lets a Pillow exception escape: any failure to read becomes a clear message.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big", params={"size": _human_size(size)})

    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the reported size was missing or wrong
        raise ValidationError(
            TOO_BIG, code="too_big", params={"size": f"over {limits.UPLOAD_MAX_MB} MB"}
        )

    try:
        # Reads the header only: the size is known before any pixel is decoded.
        source = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ValidationError(BOMB, code="bomb") from None
    except Exception:  # Pillow raises many types for non-images (UnidentifiedImageError, …)
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None

    if source.format not in FORMATS:
        raise ValidationError(
            WRONG_FORMAT, code="wrong_format", params={"format": source.format or "unknown"}
        )
    width, height = source.size
    if width * height > MAX_PIXELS:
        raise ValidationError(
            TOO_MANY_PIXELS,
            code="too_many_pixels",
            params={"width": width, "height": height, "megapixels": round(width * height / 1e6)},
        )
    if not width or not height:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")

    try:
        source.load()  # decodes every pixel: truncated or corrupt data fails here
        image = ImageOps.exif_transpose(source)  # turn the pixels the way the camera meant
        image = _clean_mode(image)
    except Exception as exc:
        raise ValidationError(
            DAMAGED, code="damaged", params={"problem": str(exc)[:80] or type(exc).__name__}
        ) from None

    stem = slugify(Path(getattr(upload, "name", "") or "image").stem)[:60] or "image"
    return ProcessedImage(image=image, format=source.format, stem=stem)


def _clean_mode(image):
    """Pixels only, in RGB or RGBA: a fresh image carries no metadata from the upload."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in {"I;16", "I", "F"}:
        image = ImageOps.autocontrast(image.convert("L"))
    converted = image.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and converted.getextrema()[3][0] == 255:
        converted = converted.convert("RGB")  # an alpha channel with nothing transparent
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    return clean


def renditions_of(instance, field_name):
    """The names of the rendition fields cut from `field_name` of `instance`."""
    return list(_spec(instance, field_name).renditions)


def delete_after_commit(names):
    """Delete replaced files once the row pointing at their successors is committed.

    Outside a transaction nothing is deleted: the files could still be in use if the
    save failed, and an orphaned file is harmless while a missing one is a broken page.
    """
    if names and connection.in_atomic_block:
        transaction.on_commit(partial(_delete_files, list(names)))


def _delete_files(names):
    for name in names:
        default_storage.delete(name)


def attach(instance, field_name, processed):
    """Put the re-encoded `processed` image and its renditions on `instance` (unsaved).

    The files are written by the model's save, together with the row, and the
    ImageField's width/height fields are filled from the re-encoded file.
    """
    spec = _spec(instance, field_name)
    setattr(instance, field_name, processed.encoded(fit_within=spec.fit_within))
    for rendition_field, size in spec.renditions.items():
        setattr(instance, rendition_field, processed.rendition(size))


def detach(instance, field_name):
    """Clear an image field and its renditions on `instance` (unsaved)."""
    setattr(instance, field_name, "")
    for rendition_field in renditions_of(instance, field_name):
        setattr(instance, rendition_field, "")
