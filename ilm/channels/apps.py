from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ilm.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from ilm.cases.signals import worker_erased
        from ilm.channels.erasure import erase_worker_conversations

        def on_worker_erased(sender: object, **kwargs: object) -> dict[str, int]:
            return erase_worker_conversations(**kwargs)  # type: ignore[arg-type]

        worker_erased.connect(on_worker_erased, weak=False, dispatch_uid="channels.erase_worker_conversations")
