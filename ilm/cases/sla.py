"""Service-level reminders: no business response after 7 days, no update on an open case after 14."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ilm.cases import notifications
from ilm.cases.models import Case, CaseStatus
from ilm.core import audit


def send_sla_reminders(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    response_days = getattr(settings, "ILM_SLA_RESPONSE_DAYS", 7)
    stale_days = getattr(settings, "ILM_SLA_STALE_DAYS", 14)
    sent = 0
    waiting = Case.objects.filter(
        status=CaseStatus.SHARED,
        first_response_at__isnull=True,
        shared_at__lte=now - datetime.timedelta(days=response_days),
    )
    for case in waiting.select_related("assigned_to__user"):
        with transaction.atomic():
            count = notifications.sla_reminder(
                case=case,
                kind="sla.no_business_response",
                to_business=True,
                dedupe_key=f"sla-response-{case.pk}-{case.shared_at:%Y%m%d}",
            )
            if count:
                audit.record(
                    "case.sla_reminder",
                    obj=case,
                    actor_label="task worker",
                    detail={"kind": "no_business_response", "recipients": count},
                )
            sent += count
    stale = Case.objects.exclude(status=CaseStatus.CLOSED).filter(
        last_activity_at__lte=now - datetime.timedelta(days=stale_days)
    )
    for case in stale.select_related("assigned_to__user"):
        with transaction.atomic():
            count = notifications.sla_reminder(
                case=case,
                kind="sla.no_update",
                to_business=False,
                dedupe_key=f"sla-stale-{case.pk}-{case.last_activity_at:%Y%m%d}",
            )
            if count:
                audit.record(
                    "case.sla_reminder",
                    obj=case,
                    actor_label="task worker",
                    detail={"kind": "no_update", "recipients": count},
                )
            sent += count
    return sent
