"""API parity: the same reads and writes as the pages, with field errors and 404 for what is not yours."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.core.models import AuditEvent
from ilm.recruitment.models import FeeSurveyResponse
from tests.recruitment.helpers import CANARY_SURVEY_NAME, employer_pays, respond, survey
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def api(membership) -> Client:
    _token, secret = account_services.api_token_create(
        actor=membership, name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def world():
    world = build_world()
    employer_pays(world)
    return world


def test_create_a_survey_and_a_response_then_repay_and_verify(world):
    cso = api(world.members[("cso", "caseworker")])
    created = cso.post(
        "/api/v1/fee-surveys/",
        {
            "site": world.sites["supplier"].pk,
            "surveyed_on": "2026-03-01",
            "reach": [{"gender": "male", "nationality": "MM", "count": 30}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    bad = cso.post(
        "/api/v1/fee-survey-responses/",
        {
            "survey": survey_id,
            "full_name": "Api Worker",
            "lines": [{"fee_type": "bribe", "amount": "-1", "currency": "BAHT", "paid_to": "broker"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "Fee line 1" in str(bad.json()) and not FeeSurveyResponse.objects.filter(survey_id=survey_id).exists()
    response = cso.post(
        "/api/v1/fee-survey-responses/",
        {
            "survey": survey_id,
            "full_name": "Api Worker",
            "nationality": "MM",
            "lines": [
                {"fee_type": "recruitment_fee", "amount": "12000", "currency": "THB", "paid_to": "broker"},
                {"fee_type": "passport", "amount": "250000", "currency": "MMK", "paid_to": "government"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pseudonym"] == "Worker 1" and "Api Worker" not in str(body)
    assert [line["eligible"] for line in body["lines"]] == [True, True]

    supplier = api(world.members[("supplier", "responder")])
    never_owed = supplier.post(
        "/api/v1/repayments/",
        {"response": body["id"], "currency": "USD", "amount": "5", "paid_on": "2026-04-01", "method": "cash"},
        content_type="application/json",
    )
    assert never_owed.status_code == 400 and "currency" in str(never_owed.json())
    repaid = supplier.post(
        "/api/v1/repayments/",
        {"response": body["id"], "currency": "THB", "amount": "12000", "paid_on": "2026-04-01", "method": "cash"},
        content_type="application/json",
    )
    assert repaid.status_code == 201
    repayment_id = repaid.json()["id"]
    refused = supplier.post(
        f"/api/v1/repayments/{repayment_id}/verify/", {"how": "phone"}, content_type="application/json"
    )
    assert refused.status_code == 403
    verified = cso.post(
        f"/api/v1/repayments/{repayment_id}/verify/", {"how": "through_cso"}, content_type="application/json"
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True

    totals = api(world.members[("buyer", "viewer")]).get("/api/v1/repayment-totals/").json()
    thb = next(t for row in totals for t in row["totals"] if t["currency"] == "THB")
    assert (thb["owed"], thb["repaid_verified"]) == ("12000.00", "12000.00")
    assert all(t["currency"] in ("THB", "MMK") for row in totals for t in row["totals"])


def test_identity_is_given_only_to_the_surveying_cso_and_audited(world):
    response = respond(world, survey(world))
    url = f"/api/v1/fee-survey-responses/{response.pk}/identity/"
    assert api(world.members[("cso", "caseworker")]).post(url).json() == {"full_name": CANARY_SURVEY_NAME}
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(response.worker_id)).exists()
    assert api(world.members[("cso", "viewer")]).post(url).status_code == 403
    supplier = api(world.members[("supplier", "admin")])
    assert supplier.post(url).status_code == 403
    assert CANARY_SURVEY_NAME not in supplier.get(f"/api/v1/fee-survey-responses/{response.pk}/").content.decode()
    for key in (("buyer", "admin"), ("upstream", "admin"), ("destination_agency", "admin")):
        assert api(world.members[key]).get(f"/api/v1/fee-survey-responses/{response.pk}/").status_code == 404


def test_eligibility_override_through_the_api(world):
    response = respond(world, survey(world))
    line = response.lines.get()
    lead = api(world.members[("cso", "case_manager")])
    result = lead.post(
        f"/api/v1/fee-survey-responses/{response.pk}/eligibility/",
        {"line": line.pk, "eligible": False, "reason": "Paid back by the broker"},
        content_type="application/json",
    )
    assert result.status_code == 200 and result.json()["lines"][0]["eligible"] is False
    assert (
        api(world.members[("cso", "caseworker")])
        .post(
            f"/api/v1/fee-survey-responses/{response.pk}/eligibility/",
            {"line": line.pk, "eligible": True, "reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_the_repayment_policy_through_the_api(world):
    """The supplier's administrator sets a listed-types policy; its lines are re-applied; the surveying CSO
    reads it; a buyer and another supplier do not; bad input is a field error and changes nothing."""
    from ilm.recruitment.models import FeeLine, RepaymentPolicy

    respond(world, survey(world))  # the fixture set an employer-pays policy
    supplier = world.orgs["supplier"]
    admin = api(world.members[("supplier", "admin")])
    url = "/api/v1/repayment-policies/"
    bad = admin.post(url, {"organisation": supplier.pk, "kind": "listed_types", "fee_types": []}, "application/json")
    assert bad.status_code == 400 and "fee_types" in str(bad.json())
    assert admin.post(url, {"organisation": supplier.pk, "kind": "nope"}, "application/json").status_code == 400
    assert RepaymentPolicy.objects.get(organisation=supplier).kind == "employer_pays"
    body = {"organisation": supplier.pk, "kind": "listed_types", "fee_types": ["passport"], "notes": "Passports only"}
    done = admin.post(url, body, "application/json")
    assert done.status_code == 200 and done.json()["fee_types"] == ["passport"]
    assert not FeeLine.objects.filter(response__survey__supplier=supplier, fee_type="recruitment_fee", eligible=True)
    cso = api(world.members[("cso", "caseworker")]).get(url).json()["results"]
    assert [p["organisation"] for p in cso] == [supplier.pk]
    assert api(world.members[("buyer", "admin")]).get(url).json()["results"] == []
    other = api(world.members[("upstream", "admin")])
    refused = other.post(url, {**body, "organisation": supplier.pk}, "application/json")
    assert refused.status_code == 400  # the supplier is not among the ones it may name: "does not exist"
    policy = RepaymentPolicy.objects.get(organisation=supplier)
    assert AuditEvent.objects.filter(action="recruitment.policy_set", object_id=str(policy.pk)).count() == 2
