"""Pages of the Ethical Performance Scores (DOMAIN.md §7) and the impact and reach indicators (§8)."""

from django.urls import path

from ilm.indicators import views as eps_views
from ilm.indicators import views_impact

app_name = "indicators"

urlpatterns: list = [
    # Ethical Performance Scores (ilm/indicators/views.py)
    path("scores/", eps_views.score_list_view, name="eps_list"),
    path("scores/new/", eps_views.assessment_create_view, name="eps_create"),
    path("scores/businesses/<int:pk>/", eps_views.business_scores_view, name="eps_business"),
    path("scores/assessments/<int:pk>/", eps_views.assessment_detail_view, name="eps_detail"),
    path("scores/assessments/<int:pk>/edit/", eps_views.assessment_edit_view, name="eps_edit"),
    path("scores/assessments/<int:pk>/publish/", eps_views.assessment_publish_view, name="eps_publish"),
    # Impact and reach indicators (ilm/indicators/views_impact.py)
    path("impact/", views_impact.impact_view, name="impact"),
    path("impact/impact.csv", views_impact.impact_csv_view, name="impact_csv"),
    path("reach/", views_impact.reach_view, name="reach"),
    path("reach/reach.csv", views_impact.reach_csv_view, name="reach_csv"),
]
