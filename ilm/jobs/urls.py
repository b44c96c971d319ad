from django.urls import path

from ilm.jobs import views

app_name = "jobs"

urlpatterns = [
    # Public, no account needed (only published vacancies; the status link is a secret token).
    path("", views.public_list_view, name="public_list"),
    path("<int:pk>/", views.public_detail_view, name="public_detail"),
    path("<int:pk>/apply/", views.public_apply_view, name="public_apply"),
    path("status/<str:token>/", views.application_status_view, name="application_status"),
    # Employers, CSOs and the technical partner.
    path("vacancies/", views.vacancy_list_view, name="vacancy_list"),
    path("vacancies/new/", views.vacancy_create_view, name="vacancy_create"),
    path("vacancies/<int:pk>/", views.vacancy_detail_view, name="vacancy_detail"),
    path("vacancies/<int:pk>/edit/", views.vacancy_edit_view, name="vacancy_edit"),
    path("vacancies/<int:pk>/publish/", views.vacancy_publish_view, name="vacancy_publish"),
    path("vacancies/<int:pk>/close/", views.vacancy_close_view, name="vacancy_close"),
    path("vacancies/<int:pk>/translate/", views.vacancy_translate_view, name="vacancy_translate"),
    path("applications/", views.application_list_view, name="application_list"),
    path("applications/<int:pk>/", views.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/move/", views.application_move_view, name="application_move"),
    path("applications/<int:pk>/message/", views.application_message_view, name="application_message"),
    path("applications/<int:pk>/confirm/", views.application_confirm_view, name="application_confirm"),
    path("applications/<int:pk>/review/", views.application_review_view, name="application_review"),
]
