from django.urls import path

from ilm.network import views

app_name = "network"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", views.organisation_create_view, name="organisation_create"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit_view, name="organisation_edit"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/new/", views.site_create_view, name="site_create"),
    path("sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit_view, name="site_edit"),
    path("sites/<int:pk>/headcount/", views.headcount_create_view, name="headcount_create"),
    path("links/", views.LinkListView.as_view(), name="link_list"),
    path("links/new/", views.link_create_view, name="link_create"),
    path("links/<int:pk>/", views.LinkDetailView.as_view(), name="link_detail"),
    path("links/<int:pk>/edit/", views.link_edit_view, name="link_edit"),
    path("links/<int:pk>/confirm/", views.link_confirm_view, {"accept": True}, name="link_confirm"),
    path("links/<int:pk>/decline/", views.link_confirm_view, {"accept": False}, name="link_decline"),
    path("channels/", views.ChannelListView.as_view(), name="channel_list"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template_view, name="import_template"),
]
