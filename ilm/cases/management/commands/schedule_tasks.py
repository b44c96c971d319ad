"""Start the recurring background work once: the SLA sweep and the surveys' closing sweep re-enqueue
themselves every hour after that, and the channels' delivery sweep (unparsed webhook bodies queued again)
every five minutes.

`make run` calls it before starting the task worker; production runs it once per deployment (it does
nothing when a sweep is already waiting in the queue).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ilm.cases.tasks import sla_sweep
from ilm.channels.tasks import requeue_deliveries
from ilm.surveys.tasks import close_due_surveys


class Command(BaseCommand):
    help = "Enqueue the recurring sweeps (SLA reminders, unparsed deliveries, survey closing) unless already waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.models import DBTaskResult

        for task, name, every in (
            (sla_sweep, "The SLA sweep", "hour"),
            (requeue_deliveries, "The delivery sweep", "five minutes"),
            (close_due_surveys, "The surveys' closing sweep", "hour"),
        ):
            path = task.module_path
            waiting = DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"])
            if waiting.exists():
                self.stdout.write(f"{name} is already scheduled.")
                continue
            task.enqueue(True)
            self.stdout.write(self.style.SUCCESS(f"{name} is scheduled (then every {every})."))
