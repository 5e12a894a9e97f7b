from django.urls import path

from movies.pagecache import page_cache
from reviews import views

app_name = "reviews"

urlpatterns = [
    path("movies/<slug:slug>/review/", views.ReviewEditView.as_view(), name="edit"),
    path("movies/<slug:slug>/rate/", views.RateView.as_view(), name="rate"),
    path("movies/<slug:slug>/review/delete/", views.ReviewDeleteView.as_view(), name="delete"),
    path(
        "movies/<slug:slug>/reviews/",
        page_cache(views.ReviewListView.as_view(), film_slug_kwarg="slug", shows_scores=False),
        name="list",
    ),
    path(
        "movies/<slug:slug>/reviews/<int:pk>/",
        page_cache(views.ReviewDetailView.as_view(), film_slug_kwarg="slug", shows_scores=False),
        name="detail",
    ),
    path("reviews/<int:pk>/helpful/", views.HelpfulVoteView.as_view(), name="helpful"),
    path("reviews/<int:pk>/report/", views.ReportView.as_view(), name="report"),
]
