from django.urls import path

from ilm.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
]
