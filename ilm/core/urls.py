from django.urls import path

from ilm.core import views

app_name = "core"

urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="audit"),
]
