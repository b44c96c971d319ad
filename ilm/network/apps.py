from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "ilm.network"
    label = "network"
    verbose_name = "Network"
