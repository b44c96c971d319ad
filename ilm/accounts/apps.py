from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ilm.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from ilm.accounts import signals  # noqa: F401
