"""Create the network's technical partner and its first administrator on a new installation.

    manage.py bootstrap --organisation "ILM Network Secretariat" --username ana --email ana@example.org

The password is asked for interactively (or read from ILM_BOOTSTRAP_PASSWORD). The administrator
sets up two-factor sign-in at first sign-in. Refused once a technical partner exists.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ilm.accounts import services as account_services
from ilm.accounts.models import User
from ilm.network import services


class Command(BaseCommand):
    help = "Create the technical partner organisation and its first administrator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, organisation: str, username: str, email: str, **options: Any) -> None:
        password = os.environ.get("ILM_BOOTSTRAP_PASSWORD") or getpass.getpass("Password for the administrator: ")
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
            user.set_password(password)
            user.full_clean()
            with transaction.atomic():
                org = services.technical_partner_bootstrap(name=organisation)
                user.save()
                account_services.membership_create(actor=None, user=user, organisation=org, role="admin")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {org.name} and administrator {username}. Sign in to set up two-factor sign-in."
            )
        )
