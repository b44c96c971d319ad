from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "ilm.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
