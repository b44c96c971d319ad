from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ilm.core"
    label = "core"
    verbose_name = _("ILM core")

    def ready(self) -> None:
        from ilm.core import checks  # noqa: F401
