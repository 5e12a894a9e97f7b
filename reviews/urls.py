from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("movies/<slug:slug>/review/", views.ReviewEditView.as_view(), name="edit"),
    path("movies/<slug:slug>/rate/", views.RateView.as_view(), name="rate"),
    path("movies/<slug:slug>/review/delete/", views.ReviewDeleteView.as_view(), name="delete"),
    path("movies/<slug:slug>/reviews/", views.ReviewListView.as_view(), name="list"),
    path("movies/<slug:slug>/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="detail"),
    path("reviews/<int:pk>/helpful/", views.HelpfulVoteView.as_view(), name="helpful"),
    path("reviews/<int:pk>/report/", views.ReportView.as_view(), name="report"),
]
