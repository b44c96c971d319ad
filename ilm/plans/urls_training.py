"""Routes of the Academy (courses and training sessions), added to the plans app's urls (namespace "plans")."""

from django.urls import path

from ilm.plans import views_training

urlpatterns = [
    path("academy/", views_training.course_list_view, name="course_list"),
    path("academy/courses/new/", views_training.course_create_view, name="course_create"),
    path("academy/courses/<int:pk>/", views_training.course_detail_view, name="course_detail"),
    path("academy/courses/<int:pk>/edit/", views_training.course_edit_view, name="course_edit"),
    path("academy/courses/<int:pk>/sessions/new/", views_training.session_create_view, name="session_create"),
    path("academy/sessions/", views_training.session_list_view, name="session_list"),
    path("academy/sessions/export/", views_training.session_export_view, name="session_export"),
    path("academy/sessions/<int:pk>/", views_training.session_detail_view, name="session_detail"),
    path("academy/sessions/<int:pk>/edit/", views_training.session_edit_view, name="session_edit"),
    path("academy/sessions/<int:pk>/delete/", views_training.session_delete_view, name="session_delete"),
]
