"""Background work for surveys, run by the task worker: surveys close on their closing date.

The sweep re-enqueues itself (`run_after`), like the cases' SLA sweep; `schedule_tasks` starts it.
"""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

SWEEP_EVERY = datetime.timedelta(hours=1)


@task()
def close_due_surveys(reschedule: bool = True) -> int:
    """Close the open surveys whose closing date has passed, then run again in an hour."""
    from ilm.surveys.services import surveys_close_due

    closed = surveys_close_due()
    if reschedule:
        close_due_surveys.using(run_after=timezone.now() + SWEEP_EVERY).enqueue(True)
    return closed
