from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from ilm.accounts.middleware import SESSION_MEMBERSHIP, SESSION_SIGNED_IN_AT
from ilm.accounts.models import Membership, TOTPDevice


def sign_in(client: Client, membership: Membership, *, verified: bool = True) -> Client:
    """Sign `membership.user` in, acting for `membership`, with two-factor verified (unless told not)."""
    import time

    user = membership.user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_MEMBERSHIP] = membership.pk
    session[SESSION_SIGNED_IN_AT] = time.time()
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _set_audit_triggers(enabled: bool) -> None:
    """Transactional tests end with a flush of every table, which the append-only audit log refuses.
    Around those tests only, the triggers are lifted for the flush and restored before the next test."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("ilm.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif connection.vendor == "sqlite":
            statements = migration.SQLITE_UP if enabled else migration.SQLITE_DOWN
            for statement in statements:
                cursor.execute(statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS "))


@pytest.fixture(autouse=True)
def _audit_log_flushable(request: pytest.FixtureRequest) -> Any:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        if marker is not None:
            request.getfixturevalue("db")
            _set_audit_triggers(True)  # inside the test's transaction: undone with it
        yield
        return
    request.getfixturevalue("transactional_db")  # set up inside this fixture, so torn down (flushed) after it
    _set_audit_triggers(True)
    yield
    _set_audit_triggers(False)


@pytest.fixture
def signed_in(client: Client) -> Any:
    def _sign_in(membership: Membership, **kwargs: Any) -> Client:
        return sign_in(client, membership, **kwargs)

    return _sign_in
