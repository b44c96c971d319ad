"""Sign-ins, sign-outs, failures and lockouts go to the audit log (never the password tried)."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ilm.core import audit


@receiver(user_logged_in)
def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from ilm.accounts.middleware import SESSION_SIGNED_IN_AT

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGNED_IN_AT] = time.time()
    audit.record("auth.signed_in", user=user, object_type="accounts.user", object_id=user.pk)


@receiver(user_logged_out)
def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("auth.signed_out", user=user, object_type="accounts.user", object_id=user.pk)


@receiver(user_login_failed)
def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The name typed is kept only when it is a real username: people sometimes type their password
    # into the username box, and the audit log must not keep it.
    from ilm.accounts.models import User

    typed = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=typed).exists()
    audit.record("auth.sign_in_failed", actor_label=typed if known else "", detail={"known_username": known})


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any) -> None:
    audit.record("auth.locked_out", actor_label=str(username or "")[:150])
