"""The outsider cluster's quarterly report, for the generated tenancy matrix (tests/worlds.py calls `outsiders`)."""

from __future__ import annotations

from typing import Any

from ilm.dashboards.models import QuarterlyReport

OUTSIDER_NAMES: list[str] = []


def outsiders(*, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]) -> dict[str, list]:
    buyer_admin = next(m for m in members if m.organisation_id == buyer.pk)
    report = QuarterlyReport.objects.create(
        organisation=buyer, requested_by=buyer_admin, quarter="2026-Q1", language="en"
    )
    return {"quarterlyreport": [report]}
