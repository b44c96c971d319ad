"""Benchmark users: a member signed in with verified two-factor (session client) and with an API token."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any


def make_actor(key: str, organisation: Any, role: str = "admin") -> dict[str, Any]:
    """A member of `organisation`, signed in with verified two-factor (session client) and with an API token."""
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from ilm.accounts.middleware import SESSION_MEMBERSHIP, SESSION_SIGNED_IN_AT
    from ilm.accounts.models import Membership, TOTPDevice, User
    from ilm.accounts.services import api_token_create

    user = User.objects.create_user(
        username=f"bench-{key}", email=f"bench-{key}@bench.invalid", password=None
    )  # unusable: the benchmark signs in with force_login
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session_client = Client()
    session_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = session_client.session
    session[SESSION_MEMBERSHIP] = membership.pk
    session[SESSION_SIGNED_IN_AT] = time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    _token, secret = api_token_create(actor=membership, name="bench", expires_at=timezone.now() + timedelta(days=30))
    return {
        "membership": membership,
        "session": session_client,
        "token": Client(),
        "bearer": {"Authorization": f"Bearer {secret}"},
    }
