"""Child process for tests/movies/test_image_memory.py (`python -m tests.movies.upload_memory`).

`make FORMAT WIDTHxHEIGHT PATH`: write a test image of that size (a gradient, with a
transparent corner for PNG, so its alpha channel is kept). Written by its own
process: drawing it costs more memory than the measurement allows.

`measure PATH`: put the file through the editors' form path (movies.images.process_upload,
then attach() to a film, which re-encodes it and cuts its renditions) and print, as JSON,
the process's peak resident memory above what it held just before, in MB.
"""

import io
import json
import resource
import sys

import django


def make(fmt, size, path):
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(tuple(map(int, size.split("x"))))
    if fmt == "PNG":
        image = Image.merge("RGBA", (gradient, gradient.transpose(0), gradient, gradient))
        image.paste((0, 0, 0, 0), (0, 0, 64, 64))
        image.save(path, "PNG", compress_level=1)
    else:
        image = Image.merge("RGB", (gradient, gradient.transpose(0), gradient))
        image.save(path, "JPEG", quality=60)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure(path):
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from movies import images
    from movies.models import Movie

    with open(path, "rb") as file:
        upload = SimpleUploadedFile(path.rsplit("/", 1)[-1], file.read())
    io.BytesIO(b"warm-up")  # everything imported and the file read: this is the baseline
    baseline = peak_mb()
    processed = images.process_upload(upload)
    movie = Movie(title="Memory")
    images.attach(movie, "poster", processed)
    print(
        json.dumps(
            {
                "extra_mb": round(peak_mb() - baseline, 1),
                "stored": list(processed.image.size),
                "renditions": [movie.poster_small.name, movie.poster_large.name],
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(*sys.argv[2:5])
    else:
        measure(sys.argv[2])
