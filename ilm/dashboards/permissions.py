"""Who has a dashboard of worker-reported issues: one rule for the page (ilm/dashboards/views.py) and the
API (ilm/dashboards/api.py).

The kinds that read cases (the technical partner, CSOs, suppliers, recruitment agencies, buyers) each see
their issues on the dashboard; every other kind (government, industry body, academic) has none (403). What
each of them counts is the selectors' business (ilm/dashboards/selectors.py). Who may ask for a quarterly
report is decided in ilm/dashboards/reports.py (`may_request_reports`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ilm.core.permissions import OrgKind

# The kinds that read cases: the home page counts them, and each has a dashboard of them.
CASE_KINDS = (OrgKind.TECHNICAL_PARTNER, OrgKind.CSO, OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY, OrgKind.BUYER)
DASHBOARD_KINDS = CASE_KINDS


def has_dashboard(membership: Any) -> bool:
    return membership is not None and membership.organisation_kind in DASHBOARD_KINDS


def require_dashboard(membership: Any) -> Any:
    """The membership, when its organisation has a dashboard; 403 otherwise."""
    if not has_dashboard(membership):
        raise PermissionDenied(_("Your organisation has no dashboard of worker-reported issues."))
    return membership
