"""The audit log is append-only: the model, the queryset and the database itself refuse changes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from ilm.core import audit
from ilm.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_model_and_queryset_refuse_changes():
    event = audit.record("test.event", actor_label="someone")
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
)
def test_database_trigger_rejects_update_and_delete(statement):
    event = audit.record("test.event", actor_label="someone")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_postgres_rejects_truncate():
    audit.record("test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")


def test_org_admin_sees_events_about_its_data_without_the_other_organisations_people(client):
    from ilm.network import services
    from tests.conftest import sign_in
    from tests.worlds import build_world

    world = build_world()
    services.site_update(actor=world.members[("tp", "admin")], site=world.sites["supplier"], name="Renamed by TP")
    sign_in(client, world.members[("supplier", "admin")])
    page = client.get("/audit/?action=site.").content.decode()
    assert "site.changed" in page and "tp-admin" not in page and "another organisation" in page
    import datetime

    from django.utils import timezone

    from ilm.accounts.services import api_token_create

    _token, secret = api_token_create(
        actor=world.members[("supplier", "admin")], name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    rows = client.get("/api/v1/audit-events/?action=site.changed", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert rows["results"][0]["actor_label"] == "" and rows["results"][0]["ip"] is None
    assert rows["results"][0]["organisation_id"] == world.orgs["tp"].pk
