"""The catalogue's bounds, stated once: the models, the forms, the importer, search and the
messages readers and editors see all read them from here."""

#: The first film (Roundhay Garden Scene, 1888, or Muybridge's 1878 horse) to a far future:
#: release years outside are typing mistakes.
FIRST_YEAR = 1878
LAST_YEAR = 2100

#: Uploaded images (posters, photos): checked before decoding (movies.images).
UPLOAD_MAX_MB = 10
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
UPLOAD_MAX_MEGAPIXELS = 40
UPLOAD_MAX_PIXELS = UPLOAD_MAX_MEGAPIXELS * 1_000_000

#: Runtime in whole minutes (the longest released films run about 85 hours).
MAX_RUNTIME_MINUTES = 6000

#: The longest genre name (the column's max_length).
GENRE_NAME_MAX_LENGTH = 60

YEARS_TEXT = f"{FIRST_YEAR} to {LAST_YEAR}"
UPLOAD_LIMIT_TEXT = f"at most {UPLOAD_MAX_MB} MB"
IMAGE_LIMIT_TEXT = f"at most {UPLOAD_MAX_MB} MB and {UPLOAD_MAX_MEGAPIXELS} megapixels"
