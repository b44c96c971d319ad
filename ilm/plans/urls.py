from django.urls import path

from ilm.plans import views, views_documents, views_progress
from ilm.plans.models import PlanKind
from ilm.plans.urls_training import urlpatterns as academy_urlpatterns

app_name = "plans"

C, B = PlanKind.COUNTRY, PlanKind.BUSINESS

urlpatterns = [
    path("", views.index_view, name="index"),
    path("activities/", views.activity_list_view, name="activity_list"),
    path("country/", views.CountryPlanListView.as_view(), name="country_plan_list"),
    path("country/new/", views.plan_create_view, {"kind": C}, name="country_plan_create"),
    path("country/<int:pk>/", views.plan_detail_views[C], name="country_plan_detail"),
    path("country/<int:pk>/status/", views.plan_status_views[C], name="country_plan_status"),
    path("country/<int:pk>/rows/new/", views.row_add_views[C], name="country_plan_row_add"),
    path("country/<int:pk>/check-ins/new/", views.checkin_add_views[C], name="country_plan_checkin_add"),
    path("country/<int:pk>/export/", views.plan_export_views[C], name="country_plan_export"),
    path("business/", views.BusinessPlanListView.as_view(), name="business_plan_list"),
    path("business/new/", views.plan_create_view, {"kind": B}, name="business_plan_create"),
    path("business/<int:pk>/", views.plan_detail_views[B], name="business_plan_detail"),
    path("business/<int:pk>/status/", views.plan_status_views[B], name="business_plan_status"),
    path("business/<int:pk>/rows/new/", views.row_add_views[B], name="business_plan_row_add"),
    path("business/<int:pk>/check-ins/new/", views.checkin_add_views[B], name="business_plan_checkin_add"),
    path("business/<int:pk>/export/", views.plan_export_views[B], name="business_plan_export"),
    path("rows/<int:pk>/", views.row_view, name="row"),
    path("rows/<int:pk>/edit/", views.row_edit_view, name="row_edit"),
    path("rows/<int:pk>/delete/", views.row_delete_view, name="row_delete"),
    path("businesses/<int:pk>/baseline/", views.baseline_view, name="baseline"),
    path("businesses/<int:pk>/baseline/edit/", views.baseline_edit_view, name="baseline_edit"),
    path("businesses/<int:pk>/focal-points/new/", views.focal_point_add_view, name="focal_point_add"),
    path(
        "businesses/<int:pk>/baseline/documents/new/",
        views_documents.policy_document_add_view,
        name="policy_document_add",
    ),
    path("baseline-documents/<int:pk>/", views_documents.policy_document_download_view, name="policy_document"),
    path(
        "baseline-documents/<int:pk>/remove/",
        views_documents.policy_document_remove_view,
        name="policy_document_remove",
    ),
    path("focal-points/<int:pk>/edit/", views.focal_point_edit_view, name="focal_point_edit"),
    path("focal-points/<int:pk>/delete/", views.focal_point_delete_view, name="focal_point_delete"),
    path("progress/", views_progress.progress_grid_view, name="progress_grid"),
    path("progress/export.csv", views_progress.progress_export_view, {"fmt": "csv"}, name="progress_export_csv"),
    path("progress/export.xlsx", views_progress.progress_export_view, {"fmt": "xlsx"}, name="progress_export_xlsx"),
    path("progress/<int:pk>/", views_progress.progress_detail_view, name="progress_detail"),
    path("suggestions/<int:pk>/decide/", views_progress.suggestion_decide_view, name="suggestion_decide"),
]

# The Academy: courses and training sessions.
urlpatterns += academy_urlpatterns
