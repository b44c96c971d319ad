"""The public site: anonymised, aggregated statistics without sign-in (DOMAIN.md §11, docs/public.md)."""

from django.urls import path

from ilm.public import views

app_name = "public"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("data.json", views.data_json_view, name="data_json"),
    path("data.csv", views.data_csv_view, name="data_csv"),
]
