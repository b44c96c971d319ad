"""`manage.py bootstrap` creates the first technical partner and its administrator, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ilm.accounts.models import Membership, User
from ilm.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_bootstrap_creates_the_technical_partner_once(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("ILM_BOOTSTRAP_PASSWORD", "a long enough passphrase 42")
    call_command("bootstrap", organisation="Secretariat", username="ana", email="ana@example.org", verbosity=0)
    membership = Membership.objects.get(user__username="ana")
    assert membership.role == "admin" and membership.organisation.kind == "technical_partner"
    assert AuditEvent.objects.filter(action="organisation.bootstrapped").exists()
    with pytest.raises(CommandError):
        call_command("bootstrap", organisation="Second", username="bo", email="bo@example.org", verbosity=0)
    assert not User.objects.filter(username="bo").exists()
