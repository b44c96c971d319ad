from django.urls import path

from ilm.recruitment import views, views_ern

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
    # Ethical Recruitment Networks (views_ern.py)
    path("networks/", views_ern.network_list_view, name="network_list"),
    path("networks/new/", views_ern.network_create_view, name="network_create"),
    path("networks/<int:pk>/", views_ern.network_detail_view, name="network_detail"),
    path("networks/<int:pk>/edit/", views_ern.network_edit_view, name="network_edit"),
    path("networks/<int:pk>/members/new/", views_ern.member_add_view, name="member_add"),
    path("networks/<int:pk>/broker-reports/new/", views_ern.broker_report_create_view, name="broker_report_create"),
    path("networks/<int:pk>/outreach/new/", views_ern.outreach_event_create_view, name="outreach_event_create"),
    path("networks/<int:pk>/referrals/new/", views_ern.referral_create_view, name="referral_create"),
    path("networks/members/<int:pk>/", views_ern.member_edit_view, name="member_edit"),
    path("networks/broker-reports/", views_ern.broker_report_list_view, name="broker_report_list"),
    path("networks/broker-reports/<int:pk>/", views_ern.broker_report_detail_view, name="broker_report_detail"),
    path("networks/broker-reports/<int:pk>/edit/", views_ern.broker_report_edit_view, name="broker_report_edit"),
    path("networks/outreach/", views_ern.outreach_event_list_view, name="outreach_event_list"),
    path("networks/outreach/<int:pk>/edit/", views_ern.outreach_event_edit_view, name="outreach_event_edit"),
    path("networks/referrals/", views_ern.referral_list_view, name="referral_list"),
    path("networks/referrals/<int:pk>/edit/", views_ern.referral_edit_view, name="referral_edit"),
]
