"""What search engines and social previews read: JSON-LD, meta descriptions, cards.

Functions of plain values, no request and no queries of their own: the caller passes
`absolute` (e.g. `request.build_absolute_uri`) to turn paths into full URLs, and films
come with their genres and credits prefetched (`Movie.objects.for_verdict_page()`).

Ratings in the markup are only ever our readers' (see `aggregate_rating`): the external
rating a film carries (IMDb's, say) is a fact we quote on the page, not our rating, and
marking it up as ours would misstate it to search engines.
"""

import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from movies import verdicts
from movies.models import Credit

SCHEMA = "https://schema.org"
DESCRIPTION_LENGTH = 160
REVIEW_BODY_LENGTH = 1000
MAX_ACTORS = 10

# The card shown when a page has no picture of its own (a film without a poster).
DEFAULT_IMAGE = {"path": "img/social-card.png", "width": 1200, "height": 630}

# JSON inside <script> ends at the first "</script>" or opens a comment at "<!--",
# whatever the JSON quoting says; Django's json_script escapes <, > and & for that
# reason. U+2028/2029 are escaped as well: legal in JSON, line breaks to older JS.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def jsonld_script(data):
    """`<script type="application/ld+json">` holding `data`, safe to put in a page.

    A data block, never executed, so a strict Content-Security-Policy (no inline
    script) leaves it alone.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        SafeString(text.translate(_SCRIPT_ESCAPES)),
    )


def iso_duration(minutes):
    """104 -> "PT1H44M", 90 -> "PT1H30M", 45 -> "PT45M", None -> None."""
    if not minutes:
        return None
    hours, mins = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins or not hours else "")


def _truncate(text, length):
    return Truncator(" ".join(text.split())).chars(length)


def _person(person, absolute):
    return {"@type": "Person", "name": person.name, "url": absolute(person.get_absolute_url())}


def person_jsonld(person, *, absolute, known_for=()):
    """The person page's `Person`: only what is known (dates, places, bio, photo, the
    films they are known for)."""
    data = {"@context": SCHEMA, **_person(person, absolute)}
    if person.bio:
        data["description"] = _truncate(person.bio, DESCRIPTION_LENGTH)
    if person.photo_thumb:
        data["image"] = absolute(person.photo_thumb.url)
    for key, value in (("birthDate", person.birth_date), ("deathDate", person.death_date)):
        if value:
            data[key] = value.isoformat()
    for key, value in (("birthPlace", person.birth_place), ("deathPlace", person.death_place)):
        if value:
            data[key] = {"@type": "Place", "name": value}
    if known_for:
        data["subjectOf"] = [
            {"@type": "Movie", "name": m.title, "url": absolute(m.get_absolute_url())}
            for m in known_for
        ]
    return data


def aggregate_rating(movie, *, min_ratings=None):
    """schema.org AggregateRating from our readers' ratings, or None below the threshold.

    ratingValue is the plain mean of the ratings (`Movie.raw_audience_mean`), not the
    film's score, which also weighs the outside ratings (movies.verdicts.film_score). Only
    our readers' own ratings go to search engines as ours.
    """
    min_ratings = settings.JSONLD_MIN_RATINGS if min_ratings is None else min_ratings
    count = movie.rating_count or 0
    if count < max(min_ratings, 1):
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": round(movie.raw_audience_mean, 1),
        "ratingCount": count,
        "bestRating": 10,
        "worstRating": 1,
    }


def review_jsonld(review):
    """A reader's review (reviews.models.Review, published) as a schema.org Review;
    without reviewBody when the review is marked as containing spoilers."""
    item = {
        "@type": "Review",
        "author": {"@type": "Person", "name": review.user.get_username()},
        "datePublished": review.created_at.date().isoformat(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": 10,
            "worstRating": 1,
        },
    }
    if review.headline:
        item["name"] = review.headline
    # A spoiler review stays collapsed on the page; search results would show its text
    # to everyone, so its body is left out (the rating and headline stay).
    if review.body and not review.contains_spoilers:
        item["reviewBody"] = _truncate(review.body, REVIEW_BODY_LENGTH)
    return item


def image_for(movie, absolute):
    """The film's share image as {"url", "width", "height", "alt"}: the 500x750 poster
    rendition, else the original upload, else the site's default card."""
    if movie.poster_large:
        return {
            "url": absolute(movie.poster_large.url),
            "width": 500,
            "height": 750,
            "alt": f"Poster of {movie.title}",
        }
    if movie.poster and movie.poster_width and movie.poster_height:
        return {
            "url": absolute(movie.poster.url),
            "width": movie.poster_width,
            "height": movie.poster_height,
            "alt": f"Poster of {movie.title}",
        }
    return default_image(absolute)


def default_image(absolute):
    return {
        "url": absolute(static(DEFAULT_IMAGE["path"])),
        "width": DEFAULT_IMAGE["width"],
        "height": DEFAULT_IMAGE["height"],
        "alt": settings.SITE_NAME,
    }


def editors_review_jsonld(movie):
    """The editors' assessment as a schema.org Review, naming the editor who signed it."""
    editor = movie.assessment_by
    review = {
        "@type": "Review",
        "author": {"@type": "Person", "name": editor.get_full_name() or editor.get_username()},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if movie.assessment_reviewed_on:
        review["datePublished"] = movie.assessment_reviewed_on.isoformat()
    if movie.editorial_assessment:
        review["reviewBody"] = _truncate(movie.editorial_assessment, 500)
    return review


def breadcrumbs_jsonld(trail):
    """schema.org BreadcrumbList from [(name, absolute url), ...], outermost first."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }


def _directors_and_actors(movie):
    """The film's directors and its first MAX_ACTORS cast members (in billing order), as
    people: the credits the markup names."""
    credits = list(movie.credits.all())
    directors = [c.person for c in credits if c.role == Credit.Role.DIRECTOR]
    actors = [c.person for c in credits if c.role == Credit.Role.CAST][:MAX_ACTORS]
    return directors, actors


def movie_jsonld(movie, *, absolute, reviews=(), min_ratings=None):
    """The verdict page's JSON-LD: a schema.org Movie and the page's BreadcrumbList.

    `reviews` are the first published reviews the page shows (at most a handful).
    """
    url = absolute(movie.get_absolute_url())
    directors, actors = _directors_and_actors(movie)
    data = {
        "@type": "Movie",
        "@id": f"{url}#movie",
        "name": movie.title,
        "url": url,
        "datePublished": (
            movie.release_date.isoformat() if movie.release_date else str(movie.year)
        ),
    }
    if movie.original_title and movie.original_title != movie.title:
        data["alternateName"] = movie.original_title
    # Search engines expect an image on a Movie: the poster, else the site's card (the
    # same picture OpenGraph shows).
    data["image"] = image_for(movie, absolute)["url"]
    if movie.logline or movie.synopsis:
        data["description"] = _truncate(movie.logline or movie.synopsis, 300)
    if duration := iso_duration(movie.runtime_minutes):
        data["duration"] = duration
    if genres := [genre.name for genre in movie.genre_list]:
        data["genre"] = genres
    if movie.certification:
        data["contentRating"] = movie.certification
    if directors:
        data["director"] = [_person(p, absolute) for p in directors]
    if actors:
        data["actor"] = [_person(p, absolute) for p in actors]
    if rating := aggregate_rating(movie, min_ratings=min_ratings):
        data["aggregateRating"] = rating
    editors = [editors_review_jsonld(movie)] if movie.assessment_by_id else []
    if editors or reviews:
        data["review"] = editors + [review_jsonld(review) for review in reviews]
    trail = breadcrumbs_jsonld(
        [
            (settings.SITE_NAME, absolute(reverse("movies:home"))),
            ("Films", absolute(reverse("movies:list"))),
            (f"{movie.title} ({movie.year})", url),
        ]
    )
    return {"@context": SCHEMA, "@graph": [data, trail]}


def movie_title(movie, assessment):
    """ "Is One Second (2020) worth watching? Yes": the page's title and card title."""
    return f"Is {movie.title} ({movie.year}) worth watching? {assessment.answer_label}"


def movie_description(movie, assessment, *, length=DESCRIPTION_LENGTH):
    """ "Is One Second (2020) worth watching? Yes, if you enjoy drama: <logline>".

    At most `length` characters, cut at a word; the answer comes first so a search
    result shows it even when the logline is cut.
    """
    question = f"Is {movie.title} ({movie.year}) worth watching?"
    if assessment.answer == verdicts.UNKNOWN:
        answer = assessment.answer_label
    else:
        answer = assessment.answer_text.rstrip(".")
    detail = movie.logline or (
        f"Trade verdict: {assessment.band.name}." if assessment.band else assessment.trade_text
    )
    joiner = ". " if ":" in answer else ": "
    return _truncate(f"{question} {answer}{joiner}{detail}", length)


def genre_description(genre, film_count, *, length=DESCRIPTION_LENGTH):
    films = f"{film_count} {genre.name} film{'s' if film_count != 1 else ''}"
    return _truncate(
        f"Which {genre.name} films are worth watching? {films}, each with a straight answer "
        "from box-office figures and our readers' ratings.",
        length,
    )


def social_meta(*, title, description, url, image, kind="website", extra=()):
    """OpenGraph and Twitter card tags as (attribute, key, value) triples, in page order.

    `image` is an `image_for` / `default_image` dict. A portrait poster makes a
    "summary" card; the wide default card a "summary_large_image" one.
    """
    tags = [
        ("property", "og:type", kind),
        ("property", "og:site_name", settings.SITE_NAME),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:image", image["url"]),
        ("property", "og:image:width", str(image["width"])),
        ("property", "og:image:height", str(image["height"])),
        ("property", "og:image:alt", image["alt"]),
        ("property", "og:locale", "en_US"),
        *extra,
    ]
    wide = image["width"] >= 1.5 * image["height"]
    tags += [
        ("name", "twitter:card", "summary_large_image" if wide else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image["url"]),
        ("name", "twitter:image:alt", image["alt"]),
    ]
    return tags


def movie_social_meta(movie, assessment, *, absolute):
    """Cards for a verdict page: og:type video.movie with its release date, runtime and
    director and actor pages."""
    directors, actors = _directors_and_actors(movie)
    extra = []
    if movie.release_date:
        extra.append(("property", "video:release_date", movie.release_date.isoformat()))
    if movie.runtime_minutes:
        extra.append(("property", "video:duration", str(movie.runtime_minutes * 60)))
    extra += [("property", "video:director", absolute(p.get_absolute_url())) for p in directors]
    extra += [("property", "video:actor", absolute(p.get_absolute_url())) for p in actors]
    extra += [("property", "video:tag", genre.name) for genre in movie.genre_list]
    return social_meta(
        title=movie_title(movie, assessment),
        description=movie_description(movie, assessment),
        url=absolute(movie.get_absolute_url()),
        image=image_for(movie, absolute),
        kind="video.movie",
        extra=extra,
    )


# Tags that campaign and ad links add to a URL; they never change what the page shows.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid"}
    | {"igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src"}
)


def _is_tracking_parameter(key):
    key = key.lower()
    return key.startswith("utm_") or key in TRACKING_PARAMETERS


def canonical_path(path, query, *, page_number=None, ignore=()):
    """The canonical address of a page: its path, plus ?page=N for page 2 and later of
    an unfiltered list.

    `ignore` names parameters a page chooses to leave out like tracking tags, keeping
    its ?page=N: the reviews list ignores its sort order, so every sorted page N of a
    film's reviews points at page N.

    A keyset page (?after=<id>, the reviews' "More reviews") keeps its cursor.

    Filtered and re-sorted lists (any other parameter) canonicalise to the plain list:
    their combinations are endless and show the same films as the list and genre pages.
    Parameters that do not change the content (?country= on a verdict page) drop out,
    and so do the tracking tags links arrive with (utm_*, fbclid, gclid, ...): shared
    page 2 of the list stays page 2.
    """
    others = {
        key
        for key, value in query.items()
        if value and key != "page" and key not in ignore and not _is_tracking_parameter(key)
    }
    if page_number and page_number > 1 and not others:
        return f"{path}?page={page_number}"
    if others == {"after"} and query["after"].isdigit():
        # A keyset page ("More reviews"): its own content, canonical to itself.
        return f"{path}?after={query['after']}"
    return path
