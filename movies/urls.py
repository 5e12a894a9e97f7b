from django.urls import path

from movies import views
from movies.pagecache import page_cache

app_name = "movies"

# page_cache: anonymous readers get these pages from the shared cache (movies/pagecache.py).
urlpatterns = [
    path("", page_cache(views.HomeView.as_view()), name="home"),
    path("movies/", page_cache(views.MovieListView.as_view()), name="list"),
    path(
        "movies/<slug:slug>/",
        page_cache(views.MovieDetailView.as_view(), film_slug_kwarg="slug"),
        name="detail",
    ),
    path("genres/<slug:slug>/", page_cache(views.GenreDetailView.as_view()), name="genre"),
    path("people/<slug:slug>/", page_cache(views.PersonDetailView.as_view()), name="person"),
    path("search/", views.SearchView.as_view(), name="search"),
    path(
        "how-we-decide/",
        page_cache(views.HowWeDecideView.as_view(), shows_scores=False),
        name="how-we-decide",
    ),
]
