from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from config import views

admin.site.site_header = "Worth Watching editors"
admin.site.site_title = "Worth Watching admin"
admin.site.index_title = "Catalogue and moderation"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("reviews.urls")),
    path("", include("movies.urls")),
]

if settings.SERVE_MEDIA:
    # The demo serves uploads itself; production puts a CDN or the proxy in front.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
