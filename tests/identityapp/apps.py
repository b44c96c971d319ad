from django.apps import AppConfig


class IdentityAppConfig(AppConfig):
    name = "tests.identityapp"
    label = "identityapp"
