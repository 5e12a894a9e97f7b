"""RSS 2.0 and Atom feeds of the latest published or updated verdicts.

Items come from `Movie.objects.published()`, so a draft or scheduled film never shows.
A film re-enters the top of the feed when it is published or an editor updates it (its
`updated_at`); readers' ratings do not bump it.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from movies import seo
from movies.models import Movie
from movies.selectors import verdict_inputs

FEED_SIZE = 30


class LatestVerdictsFeed(Feed):
    title = "Worth Watching: latest verdicts"
    description = "Films newly published or updated: is each worth watching, and how it did."
    description_template = None

    def link(self):
        return reverse("movies:list")

    def author_name(self):
        # Atom requires an author for the feed or every entry (RFC 4287 §4.1.1): the
        # verdicts are the site's, so the site is the author of the feed.
        return settings.SITE_NAME

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django leaves author_link as given; an Atom <uri> must be absolute. Set per
        # request here (the Feed instance is shared by every request).
        feed.feed["author_link"] = request.build_absolute_uri(reverse("movies:home"))
        return feed

    def feed_url(self):
        return reverse("feeds:verdicts")

    def items(self):
        movies = list(
            Movie.objects.published()
            .for_cards()
            .annotate(last_change=Greatest("published_at", "updated_at"))
            .order_by("-last_change", "-pk")[:FEED_SIZE]
        )
        inputs = verdict_inputs()  # the answer on the film's card and verdict page
        for movie in movies:
            movie.assessment = inputs.assess(movie)
        return movies

    def item_title(self, movie):
        return seo.movie_title(movie, movie.assessment)

    def item_description(self, movie):
        """HTML (feed readers render it): the answer, the trade verdict, the logline.

        Every value is escaped here, and the feed's XML writer escapes the result again,
        so a title holding `<` or `</script>` reaches the reader as text.
        """
        assessment = movie.assessment
        trade = (
            format_html("<strong>{}</strong>: {}", assessment.band.name, assessment.trade_text)
            if assessment.band
            else assessment.trade_text
        )
        answer = (
            format_html("<p>{}</p>", assessment.answer_text)
            if assessment.answer_text.startswith(assessment.answer_label)  # "Yes, if…"
            else format_html(
                "<p><strong>{}</strong>: {}</p>", assessment.answer_label, assessment.answer_text
            )
        )
        parts = [answer, format_html("<p>Trade verdict: {}</p>", trade)]
        if movie.logline:
            parts.append(format_html("<p>{}</p>", movie.logline))
        return "".join(parts)

    def item_link(self, movie):
        return movie.get_absolute_url()

    def item_pubdate(self, movie):
        return movie.published_at

    def item_updateddate(self, movie):
        return movie.last_change

    def item_categories(self, movie):
        return [genre.name for genre in movie.genre_list]


class LatestVerdictsAtomFeed(LatestVerdictsFeed):
    feed_type = Atom1Feed
    subtitle = LatestVerdictsFeed.description

    def feed_url(self):
        return reverse("feeds:verdicts-atom")
