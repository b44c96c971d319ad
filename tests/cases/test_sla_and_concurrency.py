"""SLA reminders through the real task worker, and concurrent edits of one case on PostgreSQL."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from ilm.cases import services
from ilm.cases.models import Case, Notification
from ilm.core.errors import Conflict
from tests.cases.helpers import CANARY_NAME, canary_worker, open_case
from tests.worlds import build_world

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)
def test_sla_sweep_reminds_through_the_worker_once_and_reschedules():
    from django_tasks_db.models import DBTaskResult

    from ilm.cases.tasks import sla_sweep

    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    Case.objects.filter(pk=case.pk).update(shared_at=eight_days_ago, last_activity_at=eight_days_ago)
    mail.outbox.clear()
    sla_sweep.enqueue(True)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    reminders = Notification.objects.filter(kind="sla.no_business_response", case=case)
    recipients = {n.user.username for n in reminders}
    assert recipients == {"supplier-admin", "supplier-responder"}
    assert {m.to[0] for m in mail.outbox} >= {n.user.email for n in reminders}
    assert all(CANARY_NAME not in m.body and CANARY_NAME not in m.subject for m in mail.outbox)
    # The sweep scheduled its next run, an hour on; running the sweep again sends nothing new.
    pending = DBTaskResult.objects.filter(status="READY")
    assert pending.count() == 1 and pending.get().run_after > timezone.now() + datetime.timedelta(minutes=50)
    sla_sweep.call(False)
    assert Notification.objects.filter(kind="sla.no_business_response", case=case).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_edits_each_land_or_conflict():
    world = build_world()
    case = open_case(world)
    actor = world.members[("cso", "caseworker")]
    start_version = Case.objects.get(pk=case.pk).version
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def edit(n: int) -> None:
        try:
            barrier.wait() if n < 20 else None
            current = Case.objects.get(pk=case.pk)
            try:
                services.case_update(actor=actor, case=current, expected_version=current.version, summary=f"edit {n}")
                result = f"landed {n}"
            except Conflict:
                result = "conflict"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    landed = [o for o in outcomes if o.startswith("landed")]
    assert len(outcomes) == 100 and len(landed) >= 1
    final = Case.objects.get(pk=case.pk)
    assert final.version == start_version + len(landed)  # every landed edit counted, none lost or doubled
    history = set(Case.history.filter(id=case.pk).values_list("summary", flat=True))
    assert {f"edit {o.split()[1]}" for o in landed} <= history


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)
def test_schedule_tasks_starts_the_sweep_once():
    from django_tasks_db.models import DBTaskResult

    call_command("schedule_tasks", verbosity=0)
    call_command("schedule_tasks", verbosity=0)
    assert DBTaskResult.objects.filter(task_path__endswith="sla_sweep").count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="requeue_deliveries").count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="close_due_surveys").count() == 1
