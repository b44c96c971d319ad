"""Start the recurring background work once: the SLA sweep re-enqueues itself every hour after that.

`make run` calls it before starting the task worker; production runs it once per deployment (it does
nothing when a sweep is already waiting in the queue).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ilm.cases.tasks import sla_sweep


class Command(BaseCommand):
    help = "Enqueue the hourly SLA reminder sweep unless one is already waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(task_path__endswith="sla_sweep", status__in=["READY", "RUNNING"])
        if waiting.exists():
            self.stdout.write("The SLA sweep is already scheduled.")
            return
        sla_sweep.enqueue(True)
        self.stdout.write(self.style.SUCCESS("The SLA sweep is scheduled (then every hour)."))
