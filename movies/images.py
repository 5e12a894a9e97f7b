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
  WebP keep their transparency when they have any. It is at most `STORED_MAX_SIDE`
  pixels on its long side: pages show 500×750 at most and social cards 1200 wide.
* Memory: a 40-megapixel upload costs a worker about 110 MB (JPEG) or 200 MB (PNG)
  above its idle size, 600 MB before; a 36-megapixel square one about 185 MB
  (tests/movies/test_image_memory.py measures them).
  A JPEG is decoded straight at a reduced scale (`Image.draft`, the decoder's own 1/2,
  1/4 or 1/8 scaling), so it never exists at full size in memory; a PNG or WebP must be
  decoded whole (4 bytes a pixel: 160 MB at 40 megapixels), is reduced a band at a
  time and its full-size pixels are freed before anything else runs.

Renditions are fixed 2:3 crops (centre-weighted slightly towards the top, where titles
and faces usually are), so templates can state width and height without extra columns:
posters 200x300 and 500x750, people's photos 200x300 (WebP).

The form field (`movies.forms.UploadImageField`) calls `process_upload()` while the form
is cleaned, so every problem is a form error; `attach()` then puts the re-encoded file
and its renditions on the instance, to be written when the instance is saved.
"""

import hashlib
import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.text import slugify
from PIL import ExifTags, Image, ImageOps

from movies import limits

MAX_BYTES = limits.UPLOAD_MAX_BYTES
MAX_PIXELS = limits.UPLOAD_MAX_PIXELS
#: The stored image's longest side, in pixels: larger uploads are shrunk to it.
STORED_MAX_SIDE = 3000
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
        """The re-encoded image as a ContentFile named `<stem>-<hash>.<ext>`."""
        image = self.image
        if fit_within:
            image = image.copy()
            image.thumbnail(fit_within, Image.Resampling.LANCZOS)
        return _named(_encode(image, self.format), self.stem, FORMATS[self.format])

    def rendition(self, size):
        """A `size` (width, height) crop of the image as WebP, `<stem>-<w>x<h>-<hash>.webp`."""
        cut = ImageOps.fit(self.image, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        width, height = size
        return _named(_encode(cut, "WEBP"), f"{self.stem}-{width}x{height}", "webp")


#: Hex digits of the content hash in a stored file's name.
HASH_LENGTH = 12


def _named(data, stem, extension):
    """`data` as a ContentFile whose name carries a hash of its bytes.

    Several app servers write into one store (a shared folder or bucket): two uploads
    named poster.jpg on two servers get different names, so one server replacing (and
    deleting) its poster never touches the file another server's page shows, and a name
    means one content for ever (CDNs and browsers may keep it a year). The same bytes
    twice still get two files: the storage adds a suffix to a name already taken, so
    deleting one never breaks the other.
    """
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return ContentFile(data, name=f"{stem}-{digest}.{extension}")


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

    fmt = source.format
    if fmt not in FORMATS:
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
        image = _clean_mode(_decode_shrunk(source))  # truncated or corrupt data fails here
    except Exception as exc:
        raise ValidationError(
            DAMAGED, code="damaged", params={"problem": str(exc)[:80] or type(exc).__name__}
        ) from None

    stem = slugify(Path(getattr(upload, "name", "") or "image").stem)[:60] or "image"
    return ProcessedImage(image=image, format=fmt, stem=stem)


def _decode_shrunk(source):
    """Decode `source` (opened, header read) to at most STORED_MAX_SIDE on its long side,
    holding as few full-size pixels as the format allows (see the module's docstring),
    and turned the way its EXIF orientation says."""
    turn = _ORIENTATION.get(source.getexif().get(ExifTags.Base.Orientation))
    width, height = source.size
    scale = STORED_MAX_SIDE / max(width, height)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if scale < 1 and source.format == "JPEG":
        # The decoder scales by 1/2, 1/4 or 1/8 as it decodes, to the smallest size that
        # is still at least `target`.
        source.draft(source.mode, target)
    source.load()
    image = source
    if scale < 1:
        factor = min(image.width // target[0], image.height // target[1])
        if factor < 2 and image.width * image.height > 2 * STORED_MAX_SIDE**2:
            # Less than twice too big, but big (a 6000×6000 PNG): a resize would hold two
            # full-size copies (RGBA is premultiplied first); halving a band at a time
            # holds none, and the result is within STORED_MAX_SIDE already.
            factor = 2
        if factor >= 2:
            image = _reduce_in_bands(image, factor)
            source.close()  # releases the full-size pixels now
        if max(image.size) > STORED_MAX_SIDE:
            image = image.resize(target, Image.Resampling.LANCZOS)
    return image.transpose(turn) if turn is not None else image


#: EXIF orientation -> the turn that undoes it (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _reduce_in_bands(image, factor):
    """`image.reduce(factor)`, a band of rows at a time: reduce() averages factor×factor
    blocks, so bands whose height is a multiple of `factor` give the same pixels, and
    only one band's working copy (reduce converts RGBA to premultiplied first) exists
    at a time instead of a second full-size image."""
    reduced = Image.new(image.mode, (-(-image.width // factor), -(-image.height // factor)))
    band = 128 * factor
    for top in range(0, image.height, band):
        part = image.crop((0, top, image.width, min(top + band, image.height)))
        reduced.paste(part.reduce(factor), (0, top // factor))
    return reduced


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
    With `MEDIA_DELETE_REPLACED_AFTER` above 0 (the default for a shared bucket) nothing
    is deleted here either: pages in a shared cache or a CDN still link the old files,
    and `manage.py prune_media` deletes them once no row names them and they are that old.
    """
    if settings.MEDIA_DELETE_REPLACED_AFTER > 0:
        return
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
