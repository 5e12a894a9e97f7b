from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.static import serve

from accounts import views as accounts_views
from config import views
from movies.feeds import LatestVerdictsAtomFeed, LatestVerdictsFeed
from movies.pagecache import page_cache
from movies.sitemaps import SITEMAPS, robots_txt

handler500 = "config.views.server_error"

admin.site.site_header = "Worth Watching editors"
admin.site.site_title = "Worth Watching admin"
admin.site.index_title = "Catalogue and moderation"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "",
        include(
            (
                [
                    path(
                        "about/",
                        page_cache(
                            TemplateView.as_view(template_name="pages/about.html"),
                            shows_scores=False,
                        ),
                        name="about",
                    ),
                    path(
                        "contact/",
                        page_cache(
                            TemplateView.as_view(template_name="pages/contact.html"),
                            shows_scores=False,
                        ),
                        name="contact",
                    ),
                    path(
                        "privacy/",
                        page_cache(
                            TemplateView.as_view(template_name="pages/privacy.html"),
                            shows_scores=False,
                        ),
                        name="privacy",
                    ),
                ],
                "pages",
            )
        ),
    ),
    path("admin/", admin.site.urls),
    # Crawlers and feed readers (movies/sitemaps.py, movies/feeds.py), from the page cache
    # like every anonymous page (movies/pagecache.py).
    path("robots.txt", page_cache(robots_txt, shows_scores=False), name="robots-txt"),
    path(
        "sitemap.xml",
        page_cache(sitemap_views.index, shows_scores=False),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        page_cache(sitemap_views.sitemap, shows_scores=False),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "feeds/",
        include(
            (
                [
                    path("verdicts/", page_cache(LatestVerdictsFeed()), name="verdicts"),
                    path(
                        "verdicts/atom/", page_cache(LatestVerdictsAtomFeed()), name="verdicts-atom"
                    ),
                ],
                "feeds",
            )
        ),
    ),
    # Sign-up, login, logout, password reset and change, email addresses (allauth).
    path("accounts/signup/", accounts_views.SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("lists.urls")),
    path("", include("reviews.urls")),
    path("", include("movies.urls")),
]

if settings.BENCH_BARE_VIEW:
    urlpatterns += [path("_bench/bare", views.bench_bare)]

if settings.SERVE_MEDIA:
    # The demo serves uploads itself; production puts a CDN or the proxy in front.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
