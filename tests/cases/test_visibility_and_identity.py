"""Who sees which case, and worker identity: consent, two-person reveal, audited views, erasure."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ilm.cases import services
from ilm.cases.models import Case, Worker, WorkerIdentifier
from ilm.cases.selectors import case_list, may_view_identity
from ilm.core.models import AuditEvent
from tests.cases.helpers import CANARY_NAME, CANARY_PHONE, canary_worker, open_case
from tests.factories import LinkFactory, MembershipFactory, OrganisationFactory
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def refs(membership) -> set[str]:
    return set(case_list(membership=membership).values_list("reference", flat=True))


def test_case_visibility_by_kind():
    world = build_world()
    intake = open_case(world)
    shared = open_case(world, share=True)
    m = world.members
    assert refs(m[("cso", "viewer")]) == {intake.reference, shared.reference}
    assert refs(m[("tp", "viewer")]) >= {intake.reference, shared.reference}
    assert refs(m[("supplier", "viewer")]) == {shared.reference}  # only once shared
    assert refs(m[("buyer", "viewer")]) == {shared.reference}  # in its chain, once shared
    assert refs(m[("upstream", "admin")]) == set()
    assert refs(m[("destination_agency", "admin")]) == set()  # not about its recruitment
    for key in ("government", "industry_body", "academic"):
        assert refs(m[(key, "admin")]) == set()
    other_cso = MembershipFactory(organisation=OrganisationFactory(kind="cso", countries=["TH"]), role="admin")
    assert refs(other_cso) == set()


def test_buyer_outside_the_chain_sees_only_escalations_to_it():
    world = build_world()
    shared = open_case(world, share=True)
    stranger = OrganisationFactory(kind="buyer")
    member = MembershipFactory(organisation=stranger, role="viewer")
    assert refs(member) == set()
    LinkFactory(kind="supply", customer=stranger, provider=world.orgs["supplier"])
    services.case_escalate(actor=world.members[("cso", "caseworker")], case=shared, buyer=stranger, reason="Help")
    member = type(member).objects.get(pk=member.pk)
    assert refs(member) == {shared.reference}


def test_agency_sees_cases_about_its_recruitment():
    world = build_world()
    case = open_case(world)
    cso = world.members[("cso", "caseworker")]
    services.case_add_business(actor=cso, case=case, organisation=world.orgs["destination_agency"])
    services.case_assess(actor=cso, case=Case.objects.get(pk=case.pk))
    services.case_share(actor=cso, case=Case.objects.get(pk=case.pk), acknowledge_small_groups=True)
    assert refs(world.members[("destination_agency", "viewer")]) == {case.reference}


def test_identity_is_ciphertext_everywhere_at_rest():
    world = build_world()
    worker = canary_worker(world)
    open_case(world, worker=worker, share=True)
    tables = [
        "cases_worker",
        "cases_historicalworker",
        "cases_workeridentifier",
        "cases_historicalworkeridentifier",
        "cases_case",
        "cases_historicalcase",
        "cases_issue",
        "cases_historicalissue",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump = repr(cursor.fetchall())
            assert "Canary" not in dump and "555 0199" not in dump and "canary_zaw" not in dump, table


def test_identity_views_are_audited_and_limited():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    caseworker = world.members[("cso", "caseworker")]
    identity = services.worker_identity(actor=caseworker, worker=worker, case=case)
    assert identity["full_name"] == CANARY_NAME
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(worker.pk)).count() == 1
    for key, role in (("cso", "viewer"), ("supplier", "admin"), ("buyer", "admin"), ("tp", "viewer")):
        with pytest.raises(PermissionDenied):
            services.worker_identity(actor=world.members[(key, role)], worker=worker, case=case)


def test_reveal_needs_consent_and_a_second_person():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    requester = world.members[("cso", "caseworker")]
    with pytest.raises(ValidationError):  # no consent recorded
        services.identity_reveal_request(
            actor=requester,
            case=case,
            worker=worker,
            organisation=world.orgs["supplier"],
            reason="To pay back the fees",
        )
    services.worker_set_consent(actor=requester, worker=worker, consent="share_identity", value=True)
    worker.refresh_from_db()
    reveal = services.identity_reveal_request(
        actor=requester, case=case, worker=worker, organisation=world.orgs["supplier"], reason="To pay back the fees"
    )
    supplier = world.members[("supplier", "admin")]
    assert not may_view_identity(supplier, worker, case)
    with pytest.raises(PermissionDenied):  # a caseworker cannot approve, nor can the requester
        services.identity_reveal_decide(actor=requester, reveal=reveal, approve=True)
    same_person_elsewhere = MembershipFactory(user=requester.user, organisation=world.orgs["tp"], role="case_manager")
    with pytest.raises(PermissionDenied):  # the same person, acting for the technical partner, is still one person
        services.identity_reveal_decide(actor=same_person_elsewhere, reveal=reveal, approve=True)
    services.identity_reveal_decide(actor=world.members[("cso", "case_manager")], reveal=reveal, approve=True)
    assert may_view_identity(supplier, worker, case)
    assert services.worker_identity(actor=supplier, worker=worker, case=case)["full_name"] == CANARY_NAME
    assert not may_view_identity(world.members[("buyer", "admin")], worker, case)
    services.worker_set_consent(actor=requester, worker=worker, consent="share_identity", value=False)
    worker.refresh_from_db()
    assert not may_view_identity(supplier, worker, case)  # withdrawing consent ends the reveal


def test_duplicate_workers_are_found_by_identifier_within_the_cso():
    world = build_world()
    canary_worker(world)
    actor = world.members[("cso", "caseworker")]
    found = services.worker_duplicates(actor=actor, identifiers=[("whatsapp", "+66815550199")])
    assert len(found) == 1
    assert len(services.worker_duplicates(actor=actor, full_name="  zaw   CANARY htet ")) == 1
    other = MembershipFactory(organisation=OrganisationFactory(kind="cso"), role="caseworker")
    assert services.worker_duplicates(actor=other, identifiers=[("phone", CANARY_PHONE)]) == []


def test_erasure_destroys_identity_everywhere_and_keeps_statistics():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    services.worker_update(actor=world.members[("cso", "caseworker")], worker=worker, job="Line worker")
    with pytest.raises(PermissionDenied):
        services.worker_erase(actor=world.members[("cso", "caseworker")], worker=worker, reason="asked")
    services.worker_erase(actor=world.members[("cso", "admin")], worker=worker, reason="The worker asked.")
    erased = Worker.objects.get(pk=worker.pk)
    assert erased.full_name == "" and erased.erased_at and erased.nationality_id == "MM" and erased.job == "Line worker"
    assert not WorkerIdentifier.objects.filter(worker=worker).exists()
    assert all(h.full_name == "" for h in Worker.history.filter(id=worker.pk))
    assert all(h.value == "" for h in WorkerIdentifier.history.filter(worker_id=worker.pk))
    assert case.case_workers.filter(worker=worker).exists()
    with pytest.raises(PermissionDenied):
        services.worker_identity(actor=world.members[("cso", "admin")], worker=erased, case=case)
