from django.urls import path

from lists import views
from lists.models import ListEntry

app_name = "lists"

urlpatterns = [
    path("me/watchlist/", views.ListPageView.as_view(), name="watchlist"),
    path(
        "me/seen/",
        views.ListPageView.as_view(kind=ListEntry.Kind.SEEN),
        name="seen",
    ),
    path("me/services/", views.ServicesView.as_view(), name="services"),
    path("me/lists/<slug:slug>/", views.MarkView.as_view(), name="mark"),
    # Someone else's list does not exist as far as anyone can tell: 404 (yours works).
    path("users/<str:username>/watchlist/", views.ListPageView.as_view(), name="user-watchlist"),
]
