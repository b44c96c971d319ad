"""The outsider supplier's published EPS assessment, for the generated tenancy matrix (tests/worlds.py calls
`outsiders`). Written straight to the models: the outsider cluster has no technical partner to act as the
assessor, and the matrix only needs the rows."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ilm.core.permissions import OrgKind
from ilm.indicators.models import Assessment, Score, SubIndicator
from ilm.network.models import Organisation

OUTSIDER_COMMENT = "Outsider EPS comment"
OUTSIDER_SUMMARY = "Outsider EPS overall comment"
OUTSIDER_NAMES = [OUTSIDER_COMMENT, OUTSIDER_SUMMARY]


def outsiders(*, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]) -> dict[str, list]:
    assessor = Organisation.objects.filter(kind=OrgKind.TECHNICAL_PARTNER).first() or cso
    assessment = Assessment.objects.create(
        business=supplier,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        period_label="2026-Q1",
        status="published",
        published_at=timezone.now(),
        summary=OUTSIDER_SUMMARY,
        assessor_organisation=assessor,
    )
    Score.objects.bulk_create(
        Score(assessment=assessment, sub_indicator=code, value=3, comment=OUTSIDER_COMMENT)
        for code in SubIndicator.values
    )
    return {"assessment": [assessment]}
