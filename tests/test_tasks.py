"""E-mails leave through the task worker: the real `db_worker` run loop picks them up from the database."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from ilm.accounts import services
from tests.worlds import build_world

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_invitation_email_is_queued_then_sent_by_the_worker():
    with override_settings(TASKS=DATABASE_TASKS):
        from django.tasks import task_backends

        task_backends._settings = None  # type: ignore[attr-defined]
        task_backends.__dict__.pop("settings", None)
        world = build_world()
        services.invitation_create(
            actor=world.members[("supplier", "admin")],
            organisation=world.orgs["supplier"],
            email="new.person@example.org",
            role="viewer",
            base_url="https://ilm.example",
        )
        assert mail.outbox == []  # queued in the database, not sent inline
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.person@example.org"]
        assert "https://ilm.example/accounts/invitation/" in message.body
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert datetime.date.today()
