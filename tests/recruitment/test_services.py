"""The write path: surveys, responses with fee lines, eligibility, repayments and their verification."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ilm.cases.models import Worker
from ilm.core.models import AuditEvent
from ilm.recruitment import services
from ilm.recruitment.models import FeeLine, FeeSurveyResponse, Repayment
from tests.recruitment.helpers import cso, employer_pays, line, respond, survey
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_response_records_a_worker_of_the_surveying_cso_and_its_lines(world):
    fee_survey = survey(world)
    response = respond(world, fee_survey, lines=[line(), line("visa", "1200.50", "MMK", paid_to="government")])
    assert response.worker.cso_id == world.orgs["cso"].pk
    assert response.worker.full_name == "Khin Canary Survey"
    assert response.number == 1 and str(response) == "Worker 1"
    assert [(item.fee_type, item.amount, item.currency) for item in response.lines.all()] == [
        ("recruitment_fee", Decimal("15000"), "THB"),
        ("visa", Decimal("1200.50"), "MMK"),
    ]
    assert AuditEvent.objects.filter(action="recruitment.response_created", object_id=str(response.pk)).exists()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "baht"}, "currency"),
        ({"fee_type": "bribe"}, "fee_type"),
        ({"paid_to": "somebody"}, "paid_to"),
        ({"paid_on": datetime.date(2999, 1, 1)}, "paid_on"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(world, bad, field):
    fee_survey = survey(world)
    workers_before = Worker.objects.count()
    with pytest.raises(ValidationError) as exc:
        respond(world, fee_survey, lines=[line(), line(**bad)])
    message = " ".join(exc.value.message_dict["lines"])
    assert "Fee line 2" in message and field in message
    assert Worker.objects.count() == workers_before
    assert not FeeSurveyResponse.objects.filter(survey=fee_survey).exists()
    assert not FeeLine.objects.filter(response__survey=fee_survey).exists()


def test_one_response_per_worker_per_survey(world):
    fee_survey = survey(world)
    first = respond(world, fee_survey)
    with pytest.raises(ValidationError, match="already has a response"):
        services.response_save(actor=cso(world), survey=fee_survey, worker=first.worker, lines=[line()])
    with pytest.raises(ValidationError, match="already has a response"):
        respond(world, fee_survey)  # the same name again
    assert fee_survey.responses.count() == 1


def test_eligibility_follows_the_policy_and_an_override_is_kept_and_audited(world):
    fee_survey = survey(world)
    response = respond(world, fee_survey, lines=[line(), line("passport", "3000", "MMK")])
    assert not response.lines.filter(eligible=True).exists()  # no policy yet
    assert set(response.lines.values_list("eligibility_reason", flat=True)) == {"no_policy"}
    services.policy_set(
        actor=world.members[("supplier", "admin")],
        organisation=world.orgs["supplier"],
        kind="listed_types",
        fee_types=["recruitment_fee"],
    )
    fee = response.lines.get(fee_type="recruitment_fee")
    passport = response.lines.get(fee_type="passport")
    assert fee.eligible and fee.eligibility_reason == "listed"
    assert not passport.eligible and passport.eligibility_reason == "not_listed"
    lead = world.members[("cso", "case_manager")]
    services.line_override(actor=lead, line=passport, eligible=True, reason="Passport kept by the employer")
    employer_pays(world)
    services.policy_set(
        actor=world.members[("supplier", "admin")],
        organisation=world.orgs["supplier"],
        kind="listed_types",
        fee_types=["visa"],
    )
    passport.refresh_from_db()
    assert passport.eligible and passport.overridden  # a person's decision survives policy changes
    assert AuditEvent.objects.filter(action="recruitment.eligibility_overridden").count() == 1
    services.line_override_clear(actor=lead, line=passport)
    passport.refresh_from_db()
    assert not passport.eligible and not passport.overridden


def test_employer_pays_makes_every_fee_type_eligible_for_former_workers_too(world):
    employer_pays(world)
    response = respond(
        world, survey(world), employment="former", lines=[line("deposit"), line("other", paid_to="other")]
    )
    assert list(response.lines.values_list("eligible", flat=True)) == [True, True]


def test_override_needs_a_reason_and_a_lead(world):
    response = respond(world, survey(world))
    item = response.lines.get()
    with pytest.raises(PermissionDenied):
        services.line_override(actor=cso(world), line=item, eligible=True, reason="x")  # a caseworker
    with pytest.raises(ValidationError):
        services.line_override(actor=world.members[("cso", "case_manager")], line=item, eligible=True, reason=" ")


def test_only_the_supplier_itself_or_the_technical_partner_sets_its_policy(world):
    for key in (("buyer", "admin"), ("cso", "admin"), ("supplier", "viewer"), ("upstream", "admin")):
        with pytest.raises(PermissionDenied):
            services.policy_set(actor=world.members[key], organisation=world.orgs["supplier"], kind="employer_pays")
    services.policy_set(actor=world.members[("tp", "admin")], organisation=world.orgs["supplier"], kind="employer_pays")


def test_repayment_by_the_supplier_then_verified_by_the_cso(world):
    employer_pays(world)
    response = respond(world, survey(world))
    supplier = world.members[("supplier", "responder")]
    repayment = services.repayment_record(
        actor=supplier,
        response=response,
        currency="thb",
        amount="5000",
        paid_on=datetime.date(2026, 4, 1),
        method="bank_transfer",
    )
    assert repayment.currency == "THB" and repayment.recorded_by_organisation_id == world.orgs["supplier"].pk
    with pytest.raises(PermissionDenied):
        services.repayment_verify(actor=supplier, repayment=repayment, how="phone")
    services.repayment_verify(actor=cso(world), repayment=repayment, how="through_cso")
    repayment.refresh_from_db()
    assert repayment.is_verified and repayment.verified_how == "through_cso"
    with pytest.raises(ValidationError, match="already verified"):
        services.repayment_verify(actor=cso(world), repayment=repayment, how="phone")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "USD"}, "currency"),  # never owed in USD
        ({"currency": "QQQ"}, "currency"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"method": "barter"}, "method"),
        ({"paid_on": datetime.date(2999, 1, 1)}, "paid_on"),
    ],
)
def test_bad_repayments_are_refused(world, changes, field):
    employer_pays(world)
    response = respond(world, survey(world))
    values = {"currency": "THB", "amount": "100", "paid_on": datetime.date(2026, 4, 1), "method": "cash", **changes}
    with pytest.raises(ValidationError) as exc:
        services.repayment_record(actor=world.members[("supplier", "admin")], response=response, **values)
    assert field in exc.value.message_dict
    assert not Repayment.objects.filter(response=response).exists()


def test_outsiders_and_buyers_cannot_write(world):
    fee_survey = survey(world)
    response = respond(world, fee_survey)
    for key in (("buyer", "admin"), ("supplier", "viewer"), ("upstream", "admin"), ("government", "admin")):
        with pytest.raises(PermissionDenied):
            services.repayment_record(
                actor=world.members[key],
                response=response,
                currency="THB",
                amount="1",
                paid_on=datetime.date(2026, 4, 1),
                method="cash",
            )
    for key in (("supplier", "admin"), ("cso", "viewer"), ("buyer", "admin")):
        with pytest.raises(PermissionDenied):
            respond(world, fee_survey, name="Other Person", actor=world.members[key])


def test_identity_views_go_through_the_audited_cases_path(world):
    response = respond(world, survey(world))
    names = services.response_identities(actor=cso(world), responses=[response])
    assert names == {response.pk: "Khin Canary Survey"}
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(response.worker_id)).count() == 1
    assert services.response_identities(actor=world.members[("supplier", "admin")], responses=[response]) == {}
    assert services.response_identities(actor=world.members[("cso", "viewer")], responses=[response]) == {}


def test_documents_are_checked_and_encrypted(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = respond(world, survey(world))
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    document = services.document_add(actor=cso(world), response=response, upload=receipt)
    with document.file.storage.open(document.file.name, "rb") as stored:
        assert b"%PDF" not in stored.read()
    handle, content_type, _name = services.document_open(actor=cso(world), document=document)
    assert handle.read().startswith(b"%PDF") and content_type == "application/pdf"
    with pytest.raises(ValidationError):
        services.document_add(
            actor=cso(world), response=response, upload=SimpleUploadedFile("x.html", b"<html><script>")
        )
