"""Demo Ethical Performance Scores for `manage.py demo`: published assessments of every demo supplier and
recruitment agency for the four calendar quarters before the current one, improving over time (some
businesses faster than others), with some sub-indicators n/a. The current quarter is left for people to
assess. Idempotent: a business and quarter already assessed is left alone.

Everything goes through the services, acting as the technical partner's administrator.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ilm.core.permissions import OrgKind
from ilm.indicators import services
from ilm.indicators.models import AXIS_OF, Assessment, Axis, SubIndicator, quarter_label, quarter_of

QUARTERS = 4
# Sub-indicators a recruitment agency is not scored on in the demo (no sites, no surveys there).
AGENCY_NOT_APPLICABLE = {SubIndicator.MANAGEMENT_SATISFACTION, SubIndicator.QUALITY_PRODUCTION}
# Openness leads, timeliness lags.
LIFT: dict[str, int] = {Axis.OPENNESS: 1, Axis.TIMELINESS: -1}
COMMENTS = {
    1: "Poor: no reply to the network's requests this quarter.",
    2: "Weak: replies came late and remediation was partial.",
    3: "Fair: responses came, some after reminders.",
    4: "Good: prompt and constructive.",
    5: "Excellent: a model for the network.",
}


def _quarters() -> list[tuple[int, int]]:
    """The QUARTERS quarters before the current one, oldest first."""
    year, quarter = quarter_of(timezone.localdate())
    found = []
    for _i in range(QUARTERS):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        found.append((year, quarter))
    return list(reversed(found))


def _value(index: int, step: int, code: str, position: int) -> int:
    """A score that rises with the quarter (`step`), from a start that depends on the business; the
    timeliness axis lags a little, openness leads."""
    start = 2 + index % 3
    rise = (step * (1 + index % 2)) // 2
    lift = LIFT.get(AXIS_OF[code], 0)
    dip = 1 if (position + step) % 3 == 0 else 0
    return max(1, min(5, start + rise + lift - dip))


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    assessor = members[("secretariat", "admin")]
    businesses = sorted(
        (slug, org) for slug, org in orgs.items() if org.kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY)
    )
    created = 0
    for index, (_slug, business) in enumerate(businesses):
        for step, (year, quarter) in enumerate(_quarters()):
            label = quarter_label(year, quarter)
            if Assessment.objects.filter(business=business, period_label=label).exists():
                continue
            assessment = services.assessment_create(
                actor=assessor,
                business=business,
                period=label,
                summary="Quarterly assessment by the secretariat, from cases, surveys and meetings.",
            )
            scores = []
            for position, code in enumerate(SubIndicator.values):
                value: int | None = _value(index, step, code, position)
                if business.kind == OrgKind.RECRUITMENT_AGENCY and code in AGENCY_NOT_APPLICABLE:
                    value = None
                elif code == SubIndicator.TIME_TO_REVERT and step == 0:
                    value = None  # no action-plan items yet in the first quarter
                scores.append(
                    {
                        "sub_indicator": code,
                        "value": value,
                        "comment": COMMENTS[value] if value is not None else "Not applicable this quarter.",
                    }
                )
            services.assessment_score(actor=assessor, assessment=assessment, scores=scores)
            services.assessment_publish(actor=assessor, assessment=assessment)
            created += 1
    total = Assessment.objects.count()
    return f"{created or total} EPS assessments"
