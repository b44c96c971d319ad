from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ilm.channels"
    label = "channels"
    verbose_name = "Channels"
