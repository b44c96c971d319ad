from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "ilm.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from ilm.network import signals  # noqa: F401
