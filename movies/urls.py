from django.urls import path

from movies import views

app_name = "movies"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("movies/", views.MovieListView.as_view(), name="list"),
    path("movies/<slug:slug>/", views.MovieDetailView.as_view(), name="detail"),
    path("genres/<slug:slug>/", views.GenreDetailView.as_view(), name="genre"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("how-we-decide/", views.HowWeDecideView.as_view(), name="how-we-decide"),
]
