from django.urls import path

from ilm.recruitment import views

app_name = "recruitment"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("new/", views.survey_create_view, name="survey_create"),
    path("totals/", views.totals_view, name="totals"),
    path("import-template.xlsx", views.import_template_view, name="import_template"),
    path("<int:pk>/", views.survey_detail_view, name="survey_detail"),
    path("<int:pk>/responses/new/", views.response_create_view, name="response_create"),
    path("<int:pk>/import/", views.import_view, name="import"),
    path("responses/<int:pk>/", views.response_detail_view, name="response_detail"),
    path("responses/<int:pk>/edit/", views.response_edit_view, name="response_edit"),
    path("responses/<int:pk>/repayments/new/", views.repayment_add_view, name="repayment_add"),
    path("responses/<int:pk>/documents/new/", views.document_add_view, name="document_add"),
    path("documents/<int:pk>/", views.document_download_view, name="document_download"),
    path("lines/<int:pk>/eligibility/", views.line_override_view, name="line_override"),
    path("repayments/<int:pk>/verify/", views.repayment_verify_view, name="repayment_verify"),
    path("businesses/<int:pk>/policy/", views.policy_view, name="policy"),
]
