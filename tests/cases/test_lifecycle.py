"""The case lifecycle and its guards."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ilm.cases import services
from ilm.cases.models import Case, CaseStatus, IssueCategory, Payment, UpdateKind
from ilm.core.errors import Conflict
from ilm.core.models import AuditEvent
from tests.cases.helpers import canary_worker, open_case, validate_and_close
from tests.factories import LinkFactory, OrganisationFactory
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_full_lifecycle_from_intake_to_resolved():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    assert case.status == CaseStatus.SHARED and case.shared_at
    supplier = world.members[("supplier", "responder")]
    services.case_respond(actor=supplier, case=case, text="We will return all passports this week.")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REMEDIATION and case.first_response_at
    action = services.action_add(
        actor=supplier,
        case=case,
        description="Return passports; install lockers.",
        responsible=world.orgs["supplier"],
        due_date=datetime.date(2026, 12, 31),
    )
    services.action_update(actor=supplier, action=action, text="Lockers installed.", status="done")
    action.refresh_from_db()
    assert action.last_reverted_at and action.completed_at
    cso = world.members[("cso", "caseworker")]
    services.case_request_validation(actor=cso, case=case)
    with pytest.raises(ValidationError):  # no validation yet
        services.case_close(actor=cso, case=Case.objects.get(pk=case.pk), closure="resolved")
    closed = validate_and_close(world, Case.objects.get(pk=case.pk), worker)
    assert closed.status == CaseStatus.CLOSED and closed.closure == "resolved"
    actions = set(
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {
        "case.opened",
        "case.shared",
        "case.business_responded",
        "case.validation_recorded",
        "case.closed",
    } <= actions


def test_a_validation_that_does_not_confirm_cannot_resolve():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    cso = world.members[("cso", "caseworker")]
    services.validation_record(
        actor=cso, case=case, worker=worker, method="phone", satisfaction=1, confirms_remediation=False
    )
    with pytest.raises(ValidationError):
        services.case_close(actor=cso, case=Case.objects.get(pk=case.pk), closure="resolved")
    closed = services.case_close(
        actor=cso, case=Case.objects.get(pk=case.pk), closure="unresolved", reason="The employer refused."
    )
    assert closed.closure == "unresolved"


def test_reopening_needs_a_reason_and_a_fresh_validation():
    world = build_world()
    worker = canary_worker(world)
    case = validate_and_close(world, open_case(world, worker=worker, share=True), worker)
    cso = world.members[("cso", "caseworker")]
    with pytest.raises(ValidationError):
        services.case_reopen(actor=cso, case=case, reason=" ")
    reopened = services.case_reopen(actor=cso, case=case, reason="Passports were taken again.")
    assert reopened.status == CaseStatus.IN_REMEDIATION
    with pytest.raises(ValidationError):  # the old validation does not count any more
        services.case_close(actor=cso, case=Case.objects.get(pk=case.pk), closure="resolved")


def test_other_closings_need_a_reason_and_duplicates_a_target():
    world = build_world()
    cso = world.members[("cso", "caseworker")]
    first, second = open_case(world), open_case(world)
    with pytest.raises(ValidationError):
        services.case_close(actor=cso, case=second, closure="withdrew")
    with pytest.raises(ValidationError):
        services.case_close(actor=cso, case=second, closure="duplicate", reason="Same report")
    closed = services.case_close(actor=cso, case=second, closure="duplicate", reason="Same report", merged_into=first)
    assert closed.merged_into_id == first.pk


def test_sharing_needs_assessment_summary_and_acknowledged_small_groups():
    world = build_world()
    worker = canary_worker(world)
    cso = world.members[("cso", "caseworker")]
    case = open_case(world, worker=worker)
    with pytest.raises(ValidationError):
        services.case_share(actor=cso, case=case)
    services.case_assess(actor=cso, case=case)
    services.case_update(actor=cso, case=Case.objects.get(pk=case.pk), summary="")
    with pytest.raises(ValidationError) as caught:
        services.case_share(actor=cso, case=Case.objects.get(pk=case.pk))
    assert "summary" in caught.value.message_dict
    services.case_update(actor=cso, case=Case.objects.get(pk=case.pk), summary="Documents held.")
    shared = services.case_share(actor=cso, case=Case.objects.get(pk=case.pk))  # 120 Myanmar women: no warning
    assert shared.status == CaseStatus.SHARED


def test_small_group_warning_comes_from_the_site_headcount():
    from ilm.cases.selectors import identifiable_group_warnings
    from tests.factories import country

    world = build_world()
    worker = canary_worker(world)  # female, Myanmar; the plant has 120 Myanmar women
    case = open_case(world, worker=worker)
    assert identifiable_group_warnings(case) == []
    worker.nationality = country("KH")
    worker.save()
    warnings = identifiable_group_warnings(case)
    assert len(warnings) == 1 and warnings[0]["count"] == 0
    cso = world.members[("cso", "caseworker")]
    services.case_assess(actor=cso, case=case)
    with pytest.raises(ValidationError) as caught:
        services.case_share(actor=cso, case=Case.objects.get(pk=case.pk))
    assert "acknowledge_small_groups" in caught.value.message_dict
    services.case_share(actor=cso, case=Case.objects.get(pk=case.pk), acknowledge_small_groups=True)


def test_only_the_owning_cso_works_the_case_and_only_concerned_businesses_respond():
    world = build_world()
    case = open_case(world, share=True)
    other_cso = OrganisationFactory(kind="cso", countries=["TH"])
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(organisation=other_cso, role="case_manager")
    with pytest.raises(PermissionDenied):
        services.case_update(actor=outsider, case=case, summary="x")
    with pytest.raises(PermissionDenied):
        services.case_respond(actor=world.members[("upstream", "admin")], case=case, text="Not ours")
    with pytest.raises(PermissionDenied):
        services.case_respond(actor=world.members[("supplier", "viewer")], case=case, text="Viewer")
    services.case_update(actor=world.members[("tp", "caseworker")], case=case, risk_level="high")


def test_escalation_only_to_buyers_whose_chain_holds_the_business():
    world = build_world()
    case = open_case(world, share=True)
    cso = world.members[("cso", "caseworker")]
    stranger = OrganisationFactory(kind="buyer")
    with pytest.raises(ValidationError):
        services.case_escalate(actor=cso, case=case, buyer=stranger, reason="Please help")
    services.case_escalate(actor=cso, case=case, buyer=world.orgs["buyer"], reason="Please help")
    tier2_buyer = OrganisationFactory(kind="buyer")
    LinkFactory(kind="supply", customer=tier2_buyer, provider=world.orgs["upstream"])  # upstream only
    with pytest.raises(ValidationError):
        services.case_escalate(actor=cso, case=case, buyer=tier2_buyer, reason="x")


def test_stale_edit_is_a_conflict():
    world = build_world()
    case = open_case(world)
    cso = world.members[("cso", "caseworker")]
    services.case_update(actor=cso, case=case, expected_version=case.version, summary="First")
    with pytest.raises(Conflict):
        services.case_update(actor=cso, case=case, expected_version=case.version, summary="Second")
    assert Case.objects.get(pk=case.pk).summary == "First"


def test_payments_per_currency_with_clear_errors():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    cso = world.members[("cso", "caseworker")]
    for bad in (
        {"currency": "XXX1", "amount_owed": "10"},
        {"currency": "THB", "amount_owed": "-5"},
        {"currency": "THB", "amount_owed": "ten"},
        {"currency": "THB", "amount_owed": "1.234"},
        {"currency": "ZZZ", "amount_owed": "10"},
    ):
        with pytest.raises(ValidationError):
            services.payment_record(actor=cso, case=case, worker=worker, **bad)
    payment = services.payment_record(
        actor=cso, case=case, worker=worker, currency="thb", amount_owed="15000.50", amount_repaid="5000"
    )
    assert payment.currency == "THB" and payment.amount_owed == Decimal("15000.50")
    services.payment_verify(actor=cso, payment=payment, how="phone")
    assert Payment.objects.get(pk=payment.pk).verified_by_worker


def test_timeline_keeps_internal_notes_from_the_business():
    world = build_world()
    case = open_case(world, share=True)
    cso = world.members[("cso", "caseworker")]
    services.case_note(actor=cso, case=case, text="Internal: worker fears retaliation")
    services.case_note(actor=cso, case=case, text="Please send the locker photos", visible_to_business=True)
    from ilm.cases.selectors import update_list

    business_view = [u.text for u in update_list(membership=world.members[("supplier", "admin")], case=case)]
    assert "Please send the locker photos" in business_view
    assert all("retaliation" not in text for text in business_view)
    assert any(u.kind == UpdateKind.STATUS for u in update_list(membership=cso, case=case))


def test_categories_seeded_with_the_eleven_ilo_indicators():
    assert IssueCategory.objects.filter(is_forced_labour_indicator=True).count() == 11
    assert IssueCategory.objects.filter(code="recruitment_fees").exists()
