from django.urls import path

from . import views

app_name = "legacy"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("publications/<slug:slug>/", views.publication_detail, name="publication"),
    path("<str:code>/", views.recommendation_detail, name="recommendation"),
]
