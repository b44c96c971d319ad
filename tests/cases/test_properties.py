"""Property tests: whatever sequence of service calls people make, a case is never closed as resolved
without a confirming worker validation, and never escalated to a buyer outside the chain."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilm.cases import services
from ilm.cases.models import Case, CaseStatus, Escalation, IssueCategory
from ilm.network.selectors import chain_supplier_ids
from tests.factories import OrganisationFactory
from tests.worlds import build_world

STEPS = st.lists(
    st.sampled_from(
        [
            "assess",
            "share",
            "respond",
            "action",
            "request_validation",
            "validate_yes",
            "validate_no",
            "close_resolved",
            "close_unresolved",
            "reopen",
            "escalate_chain",
            "escalate_stranger",
            "note",
            "rate",
        ]
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=STEPS)
def test_no_sequence_resolves_without_validation_or_escalates_outside_the_chain(steps):
    with transaction.atomic():  # each example in its own savepoint, rolled back
        _run(steps)
        transaction.set_rollback(True)


def _run(steps: list[str]) -> None:
    world = build_world()
    cso = world.members[("cso", "caseworker")]
    supplier = world.members[("supplier", "responder")]
    stranger = OrganisationFactory(kind="buyer")
    case = services.case_open(actor=cso, summary="Wages withheld.")
    services.case_add_business(actor=cso, case=case, organisation=world.orgs["supplier"])
    issue = services.issue_add(actor=cso, case=case, category=IssueCategory.objects.get(code="withholding_of_wages"))
    confirmed_since_reopen = False
    for step in steps:
        case = Case.objects.get(pk=case.pk)
        try:
            if step == "assess":
                services.case_assess(actor=cso, case=case)
            elif step == "share":
                services.case_share(actor=cso, case=case, acknowledge_small_groups=True)
            elif step == "respond":
                services.case_respond(actor=supplier, case=case, text="We are paying.")
            elif step == "action":
                services.action_add(actor=supplier, case=case, description="Pay", responsible=world.orgs["supplier"])
            elif step == "request_validation":
                services.case_request_validation(actor=cso, case=case)
            elif step in ("validate_yes", "validate_no"):
                case.is_collective = True
                case.save(update_fields=["is_collective"])
                services.validation_record(
                    actor=cso, case=case, method="phone", satisfaction=3, confirms_remediation=step == "validate_yes"
                )
                confirmed_since_reopen |= step == "validate_yes"
            elif step == "close_resolved":
                services.case_close(actor=cso, case=case, closure="resolved")
                assert confirmed_since_reopen, "closed as resolved without a confirming validation"
            elif step == "close_unresolved":
                services.case_close(actor=cso, case=case, closure="unresolved", reason="Stalled")
            elif step == "reopen":
                services.case_reopen(actor=cso, case=case, reason="Again")
                confirmed_since_reopen = False
            elif step == "escalate_chain":
                services.case_escalate(actor=cso, case=case, buyer=world.orgs["buyer"], reason="Help")
            elif step == "escalate_stranger":
                services.case_escalate(actor=cso, case=case, buyer=stranger, reason="Help")
            elif step == "note":
                services.case_note(actor=cso, case=case, text="Called the worker")
            elif step == "rate":
                services.issue_rate(actor=cso, issue=issue, rating="good")
        except (ValidationError, PermissionDenied):
            pass
        case = Case.objects.get(pk=case.pk)
        if case.status == CaseStatus.CLOSED and case.closure == "resolved":
            assert case.validations.filter(confirms_remediation=True).exists()
        for escalation in Escalation.objects.filter(case=case):
            assert world.orgs["supplier"].pk in chain_supplier_ids(escalation.buyer_id)
