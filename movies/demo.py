"""The demo catalogue: the films of movies/fixtures/demo_films.toml, and a demo editor.

`load_demo()` is what `manage.py load_demo` runs. Idempotent: every row is looked up by
its natural key (a film by its slug, a credit by film, person and role, an offer by film,
provider, country and kind) and written only when something differs, so a second run
changes nothing, not even "last updated". Films and people are saved through
movies.services, which keeps their search documents. Posters are plain title cards drawn
with Pillow and stored through the same pipeline as an editor's upload (movies.images).
"""

import datetime
import io
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote_plus

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from movies import images, services
from movies.models import Availability, Credit, Genre, Movie, Person, Provider, RegionalGross

FILMS_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_films.toml"
EDITOR = "editor"
DEFAULT_PASSWORD = "watch-one-second"

# What a film in the file may say; anything else is a typo the loader names.
FILM_KEYS = {
    "title", "original_title", "year", "release_date", "runtime_minutes", "certification",
    "genres", "main_genre", "director", "writers", "composers", "cast", "featured",
    "days_ago", "scheduled_in_days", "draft", "poster", "budget", "worldwide_gross",
    "domestic_gross", "box_office_source", "box_office_as_of", "regional_grosses",
    "external_rating", "external_rating_votes", "offers", "accuracy_label", "watch_if",
    "logline", "synopsis", "plot_summary", "ending_breakdown", "historical_accuracy",
    "performance_analysis", "editorial_assessment",
}  # fmt: skip
REQUIRED_FILM_KEYS = {"title", "year", "genres", "main_genre", "director", "poster"}
PROSE_KEYS = {
    "logline", "synopsis", "plot_summary", "ending_breakdown", "historical_accuracy",
    "performance_analysis", "editorial_assessment",
}  # fmt: skip


class DemoDataError(Exception):
    """A demo data file that cannot be read or says something the loader cannot write."""


def prose(text):
    """Text as written in a data file's '''-quoted block: each paragraph's lines joined with
    spaces, paragraphs (separated by a blank line) kept apart by one blank line."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def read_toml(path):
    """The parsed TOML file at `path`; a syntax error names the file, line and column."""
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path}: {error}") from None


def read_films(path=None):
    """The demo file's contents, with prose reflowed and each film's keys checked."""
    path = path or FILMS_FILE
    data = read_toml(path)
    for number, film in enumerate(data.get("films", []), 1):
        name = f"{path.name}, film {number} ({film.get('title', 'no title')})"
        if unknown := sorted(set(film) - FILM_KEYS):
            raise DemoDataError(f"{name}: unknown key {', '.join(unknown)}")
        if missing := sorted(REQUIRED_FILM_KEYS - set(film)):
            raise DemoDataError(f"{name}: missing {', '.join(missing)}")
        if film["main_genre"] not in film["genres"]:
            raise DemoDataError(f"{name}: main_genre {film['main_genre']!r} is not in genres")
        for offer in film.get("offers", []):
            if offer.get("provider") not in data.get("providers", {}):
                raise DemoDataError(f"{name}: no provider {offer.get('provider')!r} in providers")
        for key in PROSE_KEYS & set(film):
            film[key] = prose(film[key])
    return data


def demo_movies(path=None):
    """The demo file's films as they are in the database, oldest first."""
    slugs = [slugify(f"{f['title']} {f['year']}") for f in read_films(path).get("films", [])]
    return Movie.objects.filter(slug__in=slugs).order_by("pk")


@dataclass
class Loaded:
    films: int  # how many films the file holds
    changed: int  # rows written (0 when the database already matched the file)
    editor: object  # the demo editor account


def load_demo(*, editor_password=DEFAULT_PASSWORD, path=None) -> Loaded:
    """Write the demo file's providers and films, and the demo editor; see the module."""
    path = path or FILMS_FILE
    data = read_films(path)
    loader = _Loader(data)
    with transaction.atomic():
        for slug, provider in data.get("providers", {}).items():
            loader.provider(slug, provider)
        for film in data.get("films", []):
            try:
                loader.film(film)
            except ValidationError as error:
                said = error.message_dict.items()
                problems = "; ".join(f"{field} {' '.join(texts)}" for field, texts in said)
                raise DemoDataError(f"{path.name}, {film['title']}: {problems}") from None
        editor = loader.editor(editor_password)
    return Loaded(films=len(data.get("films", [])), changed=loader.changed, editor=editor)


class _Loader:
    def __init__(self, data):
        self.data = data
        self.providers = {}
        self.changed = 0

    def sync(self, model, lookup, values=None, save=None):
        """The row matching `lookup`, created or updated so that it has `values`;
        saved (by `save(obj)` if given) only when it is new or differs."""
        values = values or {}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
        else:
            differing = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if not differing:
                return obj
            for key, value in differing.items():
                setattr(obj, key, value)
        obj.full_clean()
        save(obj) if save else obj.save()
        self.changed += 1
        return obj

    def provider(self, slug, provider):
        values = {"name": provider["name"], "homepage": provider["homepage"]}
        self.providers[slug] = (self.sync(Provider, {"slug": slug}, values), provider["search"])

    def person(self, name):
        return self.sync(
            Person,
            {"slug": slugify(name)},
            {"name": name},
            save=lambda person: services.person_save(person=person),
        )

    def genre(self, name):
        genre = Genre.objects.filter(name=name).first()
        return genre or self.sync(Genre, {"slug": slugify(name)}, {"name": name})

    def film(self, film):
        genres = [self.genre(name) for name in film["genres"]]
        slug = slugify(f"{film['title']} {film['year']}")
        values = film_values(film, genres)
        movie = Movie.objects.filter(slug=slug).first()
        if movie is None:
            movie, dirty = Movie(slug=slug, **values, published_at=publish_time(film)), True
        else:
            differing = {k: v for k, v in values.items() if getattr(movie, k) != v}
            for key, value in differing.items():
                setattr(movie, key, value)
            dirty = bool(differing)
        if not movie.poster or not default_storage.exists(movie.poster.name):  # lost meanwhile
            jpeg = poster_jpeg(film["title"], film["year"], film["director"], film["poster"])
            processed = images.process_upload(ContentFile(jpeg, name=f"{slug}.jpg"))
            images.attach(movie, "poster", processed)
            dirty = True
        if dirty:
            movie.full_clean()
            services.movie_save(movie=movie, save_related=lambda: self.related(movie, film, genres))
            self.changed += 1
        else:
            before = self.changed
            self.related(movie, film, genres)
            if self.changed != before:  # a credit or a name the search document holds
                services.refresh_search_documents([movie.pk])
        return movie

    def related(self, movie, film, genres):
        """The film's genres, credits, regional grosses and where-to-watch offers."""
        if set(movie.genres.all()) != set(genres):
            movie.genres.set(genres)
            self.changed += 1
        credits = [(film["director"], Credit.Role.DIRECTOR, "", None)]
        credits += [(name, Credit.Role.WRITER, "", None) for name in film.get("writers", [])]
        credits += [(name, Credit.Role.COMPOSER, "", None) for name in film.get("composers", [])]
        credits += [
            (cast["name"], Credit.Role.CAST, cast["character"], order)
            for order, cast in enumerate(film.get("cast", []), 1)
        ]
        for name, role, character, order in credits:
            self.sync(
                Credit,
                {"movie": movie, "person": self.person(name), "role": role},
                {"character_name": character, "billing_order": order},
            )
        for gross in film.get("regional_grosses", []):
            self.sync(
                RegionalGross,
                {"movie": movie, "region": gross["region"]},
                {"amount": gross["amount"]},
            )
        if film.get("draft") or "scheduled_in_days" in film:
            return
        for offer in film.get("offers", self.data["standard_offers"]):
            provider, search = self.providers[offer["provider"]]
            self.sync(
                Availability,
                {
                    "movie": movie,
                    "provider": provider,
                    "country": offer["country"],
                    "kind": offer["kind"],
                },
                {
                    "link": search.format(q=quote_plus(film["title"])),
                    "last_checked": self.data["checked"],
                },
            )

    def editor(self, password):
        User = get_user_model()
        user = User.objects.filter(username=EDITOR).first()
        if user is None:
            user = User(username=EDITOR, email="editor@example.com")
        wanted = {"is_staff": True, "is_superuser": False, "is_active": True}
        dirty = user.pk is None or any(getattr(user, k) != v for k, v in wanted.items())
        for key, value in wanted.items():
            setattr(user, key, value)
        if not user.check_password(password):
            user.set_password(password)
            dirty = True
        if dirty:
            user.save()
            self.changed += 1
        editors = Group.objects.get(name="Editors")
        if not user.groups.filter(pk=editors.pk).exists():
            user.groups.add(editors)
            self.changed += 1
        return user


def film_values(film, genres):
    """The Movie fields the file sets (all but the publish time, which is set once)."""
    rating = film.get("external_rating")
    return {
        "title": film["title"],
        "original_title": film.get("original_title", ""),
        "year": film["year"],
        "release_date": film.get("release_date"),
        "runtime_minutes": film.get("runtime_minutes"),
        "certification": film.get("certification", ""),
        "main_genre": next(g for g in genres if g.name == film["main_genre"]),
        **{key: film.get(key, "") for key in sorted(PROSE_KEYS)},
        "accuracy_label": film.get("accuracy_label", ""),
        "watch_if": "\n".join(film.get("watch_if", [])),
        "currency": "USD",
        "budget": film.get("budget"),
        "worldwide_gross": film.get("worldwide_gross"),
        "domestic_gross": film.get("domestic_gross"),
        "box_office_source": film.get("box_office_source", ""),
        "box_office_as_of": film.get("box_office_as_of", ""),
        "external_rating": None if rating is None else Decimal(str(rating)),
        "external_rating_votes": film.get("external_rating_votes"),
        "external_rating_source": "IMDb" if rating else "",
        "is_featured": film.get("featured", False),
        "status": Movie.Status.DRAFT if film.get("draft") else Movie.Status.PUBLISHED,
    }


def publish_time(film):
    """When a new demo film becomes public: `days_ago` (default 30) or `scheduled_in_days`."""
    if film.get("draft"):
        return None
    if "scheduled_in_days" in film:
        return timezone.now() + datetime.timedelta(days=film["scheduled_in_days"])
    return timezone.now() - datetime.timedelta(days=film.get("days_ago", 30))


def _font(size):
    return ImageFont.load_default(size=size)


def _fit_title(title, *, max_width):
    """The largest font (and its lines) that sets `title` in at most four lines."""
    for size in (150, 132, 116, 100, 88, 76, 64):
        font, lines = _font(size), []
        for word in title.split():
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and font.getlength(candidate) <= max_width:
                lines[-1] = candidate
            else:
                lines.append(word)
        if len(lines) <= 4 and all(font.getlength(line) <= max_width for line in lines):
            return font, lines
    return font, lines


def poster_jpeg(title, year, director, colours):
    """A plain 2:3 title card: a coloured background, a rule, the title, the year.

    `colours`: {"background": "#rrggbb", "ink": "#rrggbb"}.
    """
    background, ink = colours["background"], colours["ink"]
    width, height = 1000, 1500
    card = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(card)
    margin = 70
    draw.rectangle([margin // 2, margin // 2, width - margin // 2, height - margin // 2],
                   outline=ink, width=4)  # fmt: skip
    draw.text((width // 2, 190), "A FILM BY", font=_font(34), fill=ink, anchor="mm")
    draw.text((width // 2, 250), director.upper(), font=_font(46), fill=ink, anchor="mm")

    font, lines = _fit_title(title.upper(), max_width=width - 4 * margin)
    line_height = int(font.size * 1.12)
    top = 800 - (len(lines) - 1) * line_height // 2
    for i, line in enumerate(lines):
        draw.text((width // 2, top + i * line_height), line, font=font, fill=ink, anchor="mm")
    draw.line([width // 2 - 120, 1180, width // 2 + 120, 1180], fill=ink, width=4)
    draw.text((width // 2, 1270), str(year), font=_font(70), fill=ink, anchor="mm")
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()
