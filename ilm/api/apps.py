from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ilm.api"
    label = "api"
    verbose_name = "API"
