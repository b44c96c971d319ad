from django.urls import path

from ilm.dashboards import views, views_reports

app_name = "dashboards"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/reports/", views_reports.reports_view, name="reports"),
    path("dashboard/reports/<int:pk>/", views_reports.report_detail_view, name="report_detail"),
    path("dashboard/reports/<int:pk>/download/", views_reports.report_download_view, name="report_download"),
]
