"""The outsider cluster's fee survey, for the generated tenancy matrix (tests/worlds.py calls `outsiders`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ilm.recruitment import services
from tests.factories import country

OUTSIDER_WORKER = "Outsider Fee Worker Thida"
# The outsiders' Ethical Recruitment Network (Viet Nam) and its informal broker: the broker's name is the
# canary the tenancy matrix looks for on every page and API read of every home member.
OUTSIDER_NETWORK = "Outsider Viet Nam ERN"
OUTSIDER_BROKER = "Outsider Broker Canary Hung"
OUTSIDER_NAMES = [
    OUTSIDER_WORKER,
    "Outsider fee survey notes",
    "Outsider repayment plan",
    OUTSIDER_NETWORK,
    OUTSIDER_BROKER,
    "Outsider broker district",
    "Outsider outreach topic",
    "Outsider legal aid centre",
]


def outsiders(*, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]) -> dict[str, list]:
    cso_admin = next(m for m in members if m.organisation_id == cso.pk)
    supplier_admin = next(m for m in members if m.organisation_id == supplier.pk)
    policy = services.policy_set(actor=supplier_admin, organisation=supplier, kind="employer_pays")
    survey = services.survey_create(
        actor=cso_admin,
        site=site,
        surveyed_on=datetime.date(2026, 2, 1),
        notes="Outsider fee survey notes",
        reach=[{"gender": "male", "nationality": country("KH"), "count": 12}],
    )
    response = services.response_save(
        actor=cso_admin,
        survey=survey,
        new_worker={"full_name": OUTSIDER_WORKER, "gender": "male", "nationality": country("KH")},
        repayment_plan="Outsider repayment plan",
        lines=[{"fee_type": "recruitment_fee", "amount": "9000000", "currency": "VND", "paid_to": "broker"}],
    )
    repayment = services.repayment_record(
        actor=supplier_admin,
        response=response,
        currency="VND",
        amount="1000000",
        paid_on=datetime.date(2026, 3, 1),
        method="cash",
    )
    document = services.document_add(
        actor=cso_admin,
        response=response,
        upload=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    return {
        **_outsider_network(agency=agency, cso=cso, cso_admin=cso_admin),
        "repaymentpolicy": [policy],
        "feesurvey": [survey],
        "feesurveyresponse": [response],
        "feeline": list(response.lines.all()),
        "repayment": [repayment],
        "responsedocument": [document],
    }


def _outsider_network(*, agency: Any, cso: Any, cso_admin: Any) -> dict[str, list]:
    """Viet Nam's ERN, with the outsider CSO and agency as members, and one of each record in it."""
    from ilm.recruitment.models import NetworkMember, RecruitmentNetwork

    network = RecruitmentNetwork.objects.create(origin_country=country("VN"), name=OUTSIDER_NETWORK)
    members = [
        NetworkMember.objects.create(network=network, organisation=org, role=role, joined_on=datetime.date(2025, 1, 1))
        for org, role in ((cso, "coordinator"), (agency, "member"))
    ]
    report = services.broker_report_create(
        actor=cso_admin,
        network=network,
        broker_name=OUTSIDER_BROKER,
        area="Outsider broker district",
        fee_amount="20000000",
        fee_currency="VND",
        jobseekers_charged=4,
        reported_on=datetime.date(2026, 2, 2),
        repaid_amount="5000000",
        repaid_currency="VND",
        jobseekers_repaid=1,
        referred_to="police",
        referred_on=datetime.date(2026, 2, 3),
    )
    event = services.outreach_event_create(
        actor=cso_admin,
        network=network,
        held_on=datetime.date(2026, 2, 4),
        place="Outsider commune hall",
        topic="Outsider outreach topic",
        language="vi",
        reach={"female": 9, "male": 7},
    )
    referral = services.referral_create(
        actor=cso_admin,
        network=network,
        service="legal_aid",
        service_name="Outsider legal aid centre",
        referred_on=datetime.date(2026, 2, 5),
    )
    return {
        "recruitmentnetwork": [network],
        "networkmember": members,
        "brokerreport": [report],
        "outreachevent": [event],
        "referral": [referral],
    }
