"""Print the current two-factor code of a user (development only: refused unless DEBUG is on).

manage.py totp_code th-voice-caseworker
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ilm.accounts.models import TOTPDevice


class Command(BaseCommand):
    help = "Print a user's current TOTP code (development machines only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("totp_code works only with DEBUG on (development); use an authenticator app.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no confirmed authenticator.")
        self.stdout.write(device.current_token())
