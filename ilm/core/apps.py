from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ilm.core"
    label = "core"
    verbose_name = "ILM core"
