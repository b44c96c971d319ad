from django.urls import path

from ilm.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("new/", views.survey_create_view, name="survey_create"),
    path("<int:pk>/", views.survey_detail_view, name="survey_detail"),
    path("<int:pk>/close/", views.survey_close_view, name="survey_close"),
    path("<int:pk>/responses/new/", views.response_enter_view, name="response_enter"),
    path("<int:pk>/results/", views.survey_results_view, name="survey_results"),
    path("<int:pk>/results.csv", views.survey_export_view, name="survey_export"),
    # The public link a worker answers on, without signing in: the token is the key (tests/test_tenancy_matrix.py
    # lists these as TOKEN_ROUTES).
    path("r/<str:token>/", views.public_survey_view, name="public"),
    path("r/<str:token>/thanks/", views.public_thanks_view, name="public_thanks"),
]
