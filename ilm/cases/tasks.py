"""Background work for cases, run by the task worker: notification e-mails and the SLA sweep.

The SLA sweep re-enqueues itself (`run_after`), so one `db_worker` keeps it going; `make run` and the
`schedule_tasks` command start it. Reminders are idempotent per case and deadline (dedupe keys).
"""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

SWEEP_EVERY = datetime.timedelta(hours=1)


@task()
def email_notifications(notification_ids: list[int]) -> int:
    from ilm.cases.models import Notification

    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        if notification.user.email and notification.user.is_active:
            send_mail(f"ILM: {notification.message[:120]}", notification.message, None, [notification.user.email])
            sent += 1
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


@task()
def sla_sweep(reschedule: bool = True) -> int:
    """Remind businesses of cases shared without a response for ILM_SLA_RESPONSE_DAYS, and caseworkers of
    open cases without an update for ILM_SLA_STALE_DAYS. Then run again in an hour."""
    from ilm.cases.sla import send_sla_reminders

    sent = send_sla_reminders()
    if reschedule:
        sla_sweep.using(run_after=timezone.now() + SWEEP_EVERY).enqueue(True)
    return sent
