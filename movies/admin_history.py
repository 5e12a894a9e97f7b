"""A film's history in the admin: its versions (the "History" button), a compare of any
two of them, and restore (movies.history, movies.services.movie_restore)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from movies import history, services

#: The history page lists this many versions, newest first.
HISTORY_LENGTH = 200


class MovieHistoryMixin:
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _film(self, request, object_id):
        movie = self.get_object(request, unquote(object_id))
        if movie is None:
            raise Http404("No such film.")
        if not self.has_view_or_change_permission(request, movie):
            raise PermissionDenied
        return movie

    def _url(self, name, movie, *args):
        return reverse(f"admin:movies_movie_{name}", args=[movie.pk, *args])

    def _context(self, request, movie, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": movie,
            "title": title,
            "history_url": self._url("history", movie),
            "change_url": self._url("change", movie),
            "can_restore": self.has_change_permission(request, movie),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every version of the film, newest first: pick two to compare, or restore one."""
        movie = self._film(request, object_id)
        versions = list(history.movie_versions(movie)[:HISTORY_LENGTH])
        compare_url = self._url("compare", movie)
        rows = [
            (version, f"{compare_url}?a={older.pk}&b={version.pk}" if older else None)
            for version, older in zip(versions, [*versions[1:], None], strict=True)
        ]
        context = self._context(
            request,
            movie,
            f"History of {movie}",
            rows=rows,
            compare_url=compare_url,
            newest=versions[0].pk if versions else None,
            previous=versions[1].pk if len(versions) > 1 else None,
        )
        return TemplateResponse(request, "admin/movies/movie/versions.html", context)

    def compare_view(self, request, object_id):
        """Two versions side by side: the film's fields, then its inlines row by row."""
        movie = self._film(request, object_id)
        ids = []
        for key in ("a", "b"):
            value = request.GET.get(key, "")
            if value.isascii() and value.isdigit() and len(value) < 19:
                ids.append(int(value))
        found = list(
            history.movie_versions(movie).filter(pk__in=ids).order_by("revision__date_created")
        )
        if len(ids) != 2 or len(found) != 2:
            self.message_user(
                request,
                "Pick two different versions of this film to compare.",
                messages.WARNING,
            )
            return redirect(self._url("history", movie))
        old, new = found
        context = self._context(
            request,
            movie,
            f"{movie}: what changed",
            old=old,
            new=new,
            comparison=history.compare(movie, old, new),
            restore_url=self._url("restore", movie, old.pk),
        )
        return TemplateResponse(request, "admin/movies/movie/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        """Restores a version as a new one: the version it replaces stays in the history."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        movie = self._film(request, object_id)
        if not self.has_change_permission(request, movie):
            raise PermissionDenied
        version = (
            history.movie_versions(movie).filter(pk=version_id).select_related("revision").first()
        )
        if version is None:
            raise Http404("No such version of this film.")
        when = f"{timezone.localtime(version.revision.date_created):%d %b %Y %H:%M}"
        services.movie_restore(version=version, editor=request.user)
        self.log_change(request, movie, f"Restored the version of {when}.")
        self.message_user(
            request,
            f"Restored the version of {when} as a new version; the one it replaced is kept "
            "in the history.",
            messages.SUCCESS,
        )
        return redirect(self._url("change", movie))
