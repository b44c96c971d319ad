"""Demo progress indicators for `manage.py demo` (loaded by ilm/plans/demo.py): every demo supplier and
agency has a history on most of the 13 indicators, set by its administrator or the technical partner over
the past months, so the buyer's grid and each business's trend have something to show."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ilm.core.permissions import OrgKind
from ilm.plans import services
from ilm.plans.models import IndicatorValue, ProgressIndicator

# (indicator, the steps it went through: status and how many days ago), per kind of business.
SUPPLIER_STEPS = [
    ("WV1", [("partial", 150), ("completed", 40)]),
    ("WV2", [("partial", 120)]),
    ("WV3", [("not_initiated", 160), ("partial", 30)]),
    ("ER1", [("partial", 100), ("completed", 20)]),
    ("ER3", [("not_initiated", 90)]),
    ("ER4", [("partial", 60)]),
    ("ER6", [("partial", 75), ("completed", 10)]),
    ("WORK1", [("not_initiated", 140), ("partial", 50)]),
    ("WORK2", [("partial", 35)]),
]
AGENCY_STEPS = [
    ("WV1", [("partial", 130)]),
    ("ER1", [("partial", 110), ("completed", 25)]),
    ("ER2", [("partial", 80)]),
    ("ER5", [("not_initiated", 120), ("partial", 45)]),
    ("ER7", [("partial", 70), ("completed", 15)]),
]
EVIDENCE = {
    "not_initiated": "Discussed at the planning meeting; not started.",
    "partial": "Started: see the action plan row and the documents shared with the technical partner.",
    "completed": "Done and checked by the technical partner; kept up since.",
}


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    technical_partner = next(
        m for (slug, role), m in members.items() if role == "admin" and m.organisation.kind == OrgKind.TECHNICAL_PARTNER
    )
    created = 0
    for slug, organisation in sorted(orgs.items()):
        if organisation.kind not in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY):
            continue
        if IndicatorValue.objects.filter(organisation=organisation).exists():
            continue
        steps = SUPPLIER_STEPS if organisation.kind == OrgKind.SUPPLIER else AGENCY_STEPS
        for number, (indicator, history) in enumerate(steps):
            for step, (status, days_ago) in enumerate(history):
                actor = members[(slug, "admin")] if (number + step) % 2 == 0 else technical_partner
                value = services.indicator_set(
                    actor=actor,
                    organisation=organisation,
                    indicator=indicator,
                    status=status,
                    evidence=EVIDENCE[status],
                )
                _backdate(value, timezone.now() - datetime.timedelta(days=days_ago))
            created += 1
    total = IndicatorValue.objects.count()
    return f"{created or total} progress indicators ({len(ProgressIndicator.values)} per business at most)"


def _backdate(value: IndicatorValue, when: datetime.datetime) -> None:
    """The demo's history happened over months, not in the second the demo loads."""
    IndicatorValue.objects.filter(pk=value.pk).update(set_at=when)
    latest = IndicatorValue.history.filter(id=value.pk).order_by("-history_id").first()
    if latest is not None:
        IndicatorValue.history.filter(history_id=latest.history_id).update(history_date=when, set_at=when)
