"""Try the channel loop on one machine: send a worker's message to a running ILM, receive its replies.

manage.py channel_simulator list
    the channels that have a webhook, with their ids
manage.py channel_simulator send --channel 3 --sender +959123456789 --text "..." [--url http://127.0.0.1:8000]
    post a correctly signed text message, as the channel's provider would; with --media photo|voice|payslip
    a media message whose file the `serve` fake provides (ILM's task worker downloads it from there)
manage.py channel_simulator serve [--port 8025]
    imitate the providers' send APIs and print every reply ILM sends (dev settings send replies here)
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ilm.channels import simulator
from ilm.channels.fake_provider import FakeProviderServer
from ilm.channels.providers import PROVIDERS
from ilm.channels.services import channel_credentials
from ilm.network.models import Channel

DEFAULT_SENDERS = {
    "whatsapp": "+959123456789",
    "messenger": "7384920165432198",
    "line": "U4af4980629a1b2c3d4e5f60718293a4b",
    "viber": "01234567890A=",
    "telegram": "523456789",
    "sms": "+66812345678",
}


class Command(BaseCommand):
    help = "Send simulated worker messages to a running ILM and receive its replies (no internet needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="channels with a webhook")
        send = sub.add_parser("send", help="post one signed text message to ILM")
        send.add_argument("--channel", required=True, help="the channel's id (see `list`)")
        send.add_argument("--sender", help="the worker's number or id on the app (a made-up default)")
        send.add_argument("--name", default="", help="the worker's display name on the app")
        send.add_argument("--text", default="", help="the message (a caption with --media)")
        send.add_argument("--media", choices=simulator.MEDIA, default="", help="send a photo, voice note or PDF")
        send.add_argument("--url", default="http://127.0.0.1:8000", help="where ILM runs")
        serve = sub.add_parser("serve", help="receive ILM's replies")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8025)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list()
        elif action == "send":
            self._send(options)
        else:
            self._serve(options["host"], options["port"])

    def _list(self) -> None:
        # A developer's tool on their own database: every channel, whoever runs it.
        for channel in Channel.objects.filter(provider__in=PROVIDERS).select_related("cso").order_by("pk"):
            state = "" if channel.is_active else " (switched off)"
            self.stdout.write(f"{channel.pk:>4}  {channel.provider:<9} {channel.name} · {channel.cso.name}{state}")

    def _send(self, options: dict[str, Any]) -> None:
        channel = Channel.objects.filter(pk=options["channel"]).first()
        if channel is None or channel.provider not in PROVIDERS:
            raise CommandError("No channel with a webhook has this id: see `channel_simulator list`.")
        url = f"{options['url'].rstrip('/')}/channels/hooks/{channel.webhook_key}/"
        sender = options["sender"] or DEFAULT_SENDERS[channel.provider]
        if not options["text"] and not options["media"]:
            raise CommandError("Give --text, --media or both.")
        media_base = getattr(settings, "ILM_CHANNEL_API_BASES", {}).get(channel.provider, "")
        if options["media"] and not media_base:
            raise CommandError("ILM_CHANNEL_API_BASES does not point at `channel_simulator serve`: no media to fetch.")
        request = simulator.inbound_request(
            channel.provider,
            url=url,
            credentials=channel_credentials(channel),
            sender=sender,
            text=options["text"],
            name=options["name"],
            media=options["media"],
            media_base=media_base,
        )
        try:
            status, body = simulator.send_inbound(url, request)
        except OSError as exc:
            raise CommandError(f"ILM did not answer at {options['url']}: {exc}. Is `make run` running?") from exc
        if status != 200:
            raise CommandError(f"ILM answered {status}: {body[:200]!r}")
        self.stdout.write(self.style.SUCCESS(f"Delivered to {channel.name} as {sender}: ILM answered 200."))

    def _serve(self, host: str, port: int) -> None:
        def show(message: dict[str, Any]) -> None:
            self.stdout.write(json.dumps(message, ensure_ascii=False, default=str))

        bases = getattr(settings, "ILM_CHANNEL_API_BASES", {})
        with FakeProviderServer(host=host, port=port, on_message=show):
            self.stdout.write(f"Receiving replies on http://{host}:{port}/ (Ctrl-C stops).")
            if not bases:
                self.stdout.write(
                    self.style.WARNING("ILM_CHANNEL_API_BASES is empty here: ILM would send replies to the real APIs.")
                )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                self.stdout.write("Stopped.")
