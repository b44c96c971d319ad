"""Demo fee survey for `manage.py demo`: Migrant Worker Voice Thailand surveyed Siam Ocean Foods' Samut
Sakhon Plant 1 (ten workers, fees in MMK and THB); Siam Ocean has an employer-pays policy, one line was
decided by a person, and the supplier repaid some workers, most of them verified. Idempotent.

And the Myanmar Ethical Recruitment Network (`load_ern`): Yangon Overseas Employment (origin agency), the
Myanmar Migrant Workers Union (CSO) and the Yangon Region Labour Office (local government), with three broker
reports (one referred to the labour ministry, one with fees paid back in MMK), three outreach events and two
referrals.

Everything goes through the services, acting as the people who would do it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ilm.network.models import Country, Organisation, Site
from ilm.recruitment import services
from ilm.recruitment.models import FeeSurvey, RecruitmentNetwork

WORKERS: list[tuple[str, str, str, str, list[tuple[str, str, str, str]]]] = [
    # name, gender, nationality, employment, lines (fee type, amount, currency, paid to)
    (
        "Aung Ko Ko",
        "male",
        "MM",
        "current",
        [("recruitment_fee", "450000", "MMK", "broker"), ("visa", "2000", "THB", "destination_agency")],
    ),
    (
        "Thida Win",
        "female",
        "MM",
        "current",
        [("recruitment_fee", "500000", "MMK", "origin_agency"), ("medical_check", "800", "THB", "destination_agency")],
    ),
    (
        "Zaw Min Htet",
        "male",
        "MM",
        "former",
        [("service_fee", "300000", "MMK", "origin_agency"), ("work_permit", "1900", "THB", "employer")],
    ),
    (
        "Nang Seng",
        "female",
        "MM",
        "current",
        [("passport", "120000", "MMK", "government"), ("transport", "60000", "MMK", "broker")],
    ),
    ("Kyaw Soe", "male", "MM", "current", [("recruitment_fee", "15000", "THB", "destination_agency")]),
    (
        "Mya Mya Aye",
        "female",
        "MM",
        "current",
        [("training", "50000", "MMK", "origin_agency"), ("accommodation", "1500", "THB", "broker")],
    ),
    (
        "Sokha Chan",
        "female",
        "KH",
        "current",
        [("recruitment_fee", "9000", "THB", "broker"), ("deposit", "3000", "THB", "destination_agency")],
    ),
    (
        "Dara Pich",
        "male",
        "KH",
        "former",
        [("visa", "2000", "THB", "destination_agency"), ("medical_check", "700", "THB", "destination_agency")],
    ),
    ("Hnin Wai", "female", "MM", "current", [("recruitment_fee", "400000", "MMK", "broker")]),
    (
        "Min Thu",
        "male",
        "MM",
        "current",
        [("other", "20000", "MMK", "other"), ("work_permit", "1900", "THB", "employer")],
    ),
]


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    surveys = load_surveys(orgs=orgs, members=members)
    return f"{surveys}, {load_ern(orgs=orgs, members=members)}"


def load_surveys(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    if "th-voice" not in orgs or "siam-ocean" not in orgs:
        return "no fee survey (demo organisations missing)"
    site = Site.objects.filter(supplier=orgs["siam-ocean"], name="Samut Sakhon Plant 1").first()
    if site is None:
        return "no fee survey (demo site missing)"
    existing = FeeSurvey.objects.filter(site=site, surveyor=orgs["th-voice"]).first()
    if existing is not None:
        return f"{existing.responses.count()} fee survey responses"
    caseworker = members[("th-voice", "caseworker")]
    lead = members[("th-voice", "case_manager")]
    supplier = members[("siam-ocean", "admin")]
    countries = {c.code: c for c in Country.objects.filter(code__in=["MM", "KH"])}
    services.policy_set(
        actor=supplier,
        organisation=orgs["siam-ocean"],
        kind="employer_pays",
        notes="Employer-pays policy adopted with the Business Action Plan.",
    )
    today = timezone.localdate()
    survey = services.survey_create(
        actor=caseworker,
        site=site,
        surveyed_on=today - datetime.timedelta(days=60),
        notes="Group interviews in Burmese and Khmer at the dormitory, after shifts.",
        reach=[
            {"gender": "female", "nationality": countries["MM"], "count": 46},
            {"gender": "male", "nationality": countries["MM"], "count": 38},
            {"gender": "female", "nationality": countries["KH"], "count": 14},
            {"gender": "male", "nationality": countries["KH"], "count": 11},
        ],
    )
    responses = []
    for name, gender, nationality, employment, lines in WORKERS:
        responses.append(
            services.response_save(
                actor=caseworker,
                survey=survey,
                new_worker={"full_name": name, "gender": gender, "nationality": countries[nationality]},
                employment=employment,
                repayment_due_by=today + datetime.timedelta(days=90),
                repayment_plan="Two instalments with the wages" if employment == "current" else "Bank transfer",
                lines=[
                    {
                        "fee_type": fee_type,
                        "amount": amount,
                        "currency": currency,
                        "paid_to": paid_to,
                        "paid_on": today - datetime.timedelta(days=400),
                    }
                    for fee_type, amount, currency, paid_to in lines
                ],
            )
        )
    # A deposit returned when the contract ended is not a fee the worker bore.
    deposit = responses[6].lines.get(fee_type="deposit")
    services.line_override(actor=lead, line=deposit, eligible=False, reason="Deposit already returned at renewal")
    # Repay the first six in full (lines in each currency), the seventh in part; verify all but two.
    for index, response in enumerate(responses[:7]):
        owed: dict[str, Decimal] = {}
        for line in response.lines.filter(eligible=True):
            owed[line.currency] = owed.get(line.currency, Decimal("0")) + line.amount
        for currency, amount in sorted(owed.items()):
            paid = amount if index < 6 else (amount / 2).quantize(Decimal("0.01"))
            repayment = services.repayment_record(
                actor=supplier,
                response=response,
                currency=currency,
                amount=paid,
                paid_on=today - datetime.timedelta(days=20 - index),
                method="bank_transfer" if currency == "THB" else "mobile_money",
            )
            if index not in (4, 5):
                services.repayment_verify(
                    actor=caseworker, repayment=repayment, how=["phone", "in_person", "message"][index % 3]
                )
    return f"{len(responses)} fee survey responses"


ERN_NAME = "Myanmar Ethical Recruitment Network"
GOVERNMENT_NAME = "Yangon Region Labour Office"


def load_ern(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    """The Myanmar ERN with its members and a few months of work. Idempotent: nothing when it exists."""
    needed = ("secretariat", "mm-union", "yangon-overseas")
    if any(slug not in orgs for slug in needed) or ("secretariat", "admin") not in members:
        return "no recruitment network (demo organisations missing)"
    existing = RecruitmentNetwork.objects.filter(name=ERN_NAME).first()
    if existing is not None:
        return f"1 recruitment network ({existing.broker_reports.count()} broker reports)"
    from ilm.network import services as network_services

    tp = members[("secretariat", "admin")]
    myanmar = Country.objects.get(code="MM")
    government = Organisation.objects.filter(kind="government", name=GOVERNMENT_NAME).first()
    if government is None:
        government = network_services.organisation_create(
            actor=tp,
            name=GOVERNMENT_NAME,
            kind="government",
            countries=[myanmar],
            description="Township labour exchange offices, Yangon Region.",
        )
    network = services.network_create(
        actor=tp,
        origin_country=myanmar,
        name=ERN_NAME,
        description="First-mile collaboration in Yangon, Mandalay and Mon State: zero-fee recruitment, "
        "jobseeker education, action on informal brokers.",
    )
    joined = datetime.date(2025, 6, 1)
    services.member_add(actor=tp, network=network, organisation=orgs["mm-union"], role="coordinator", joined_on=joined)
    services.member_add(actor=tp, network=network, organisation=orgs["yangon-overseas"], joined_on=joined)
    services.member_add(actor=tp, network=network, organisation=government, joined_on=joined)
    cso = members[("mm-union", "caseworker")]
    agency = members[("yangon-overseas", "admin")]
    today = timezone.localdate()
    services.broker_report_create(
        actor=cso,
        network=network,
        broker_name='U Kyaw ("Ko Lay")',
        area="Hlaingthaya Township, Yangon",
        fee_amount="1500000",
        fee_currency="MMK",
        fee_for="A promised factory job in Thailand, passport and transport",
        jobseekers_charged=12,
        reported_on=today - datetime.timedelta(days=75),
        intervention="reported",
        intervention_notes="Jobseekers' statements collected with their consent; the broker's phone number passed on.",
        referred_to="labour_ministry",
        referred_on=today - datetime.timedelta(days=70),
        referral_reference="MOLIP-YGN-2026-114",
    )
    services.broker_report_create(
        actor=cso,
        network=network,
        broker_name="Daw Mya (village agent)",
        area="Mawlamyine District, Mon State",
        fee_amount="800000",
        fee_currency="MMK",
        fee_for="'Registration' for a fishing job",
        jobseekers_charged=5,
        reported_on=today - datetime.timedelta(days=40),
        intervention="negotiated_repayment",
        intervention_notes="Met the broker with the village head; the money was returned in front of witnesses.",
        repaid_amount="2400000",
        repaid_currency="MMK",
        jobseekers_repaid=3,
        status="closed",
    )
    services.broker_report_create(
        actor=agency,
        network=network,
        broker_name='Ko Zaw (Facebook page "Thai Jobs Fast")',
        area="Mandalay",
        fee_for="Visa and work permit 'fees' for Malaysia",
        jobseekers_charged=20,
        reported_on=today - datetime.timedelta(days=10),
        intervention="informed_jobseekers",
        intervention_notes="Posted a warning on the agency's page; asked jobseekers to call the union's hotline.",
    )
    events = [
        (cso, 60, "Hlaingthaya community hall", "Your rights before you migrate: zero-fee jobs", "my", (38, 27, 0)),
        (agency, 30, "Yangon Overseas Employment office", "How zero-fee recruitment works", "my", (22, 31, 1)),
        (cso, 12, "Mawlamyine monastery school", "Spotting an informal broker", "my", (19, 14, 0)),
    ]
    for actor, days_ago, place, topic, language, (female, male, other) in events:
        services.outreach_event_create(
            actor=actor,
            network=network,
            held_on=today - datetime.timedelta(days=days_ago),
            place=place,
            topic=topic,
            language=language,
            materials="Burmese leaflet and the union's hotline card",
            reach={"female": female, "male": male, "other": other},
        )
    services.referral_create(
        actor=cso,
        network=network,
        service="legal_aid",
        service_name="Yangon Justice Centre",
        referred_on=today - datetime.timedelta(days=70),
        outcome="received",
        outcome_note="Advice given on the complaint against the broker.",
    )
    services.referral_create(
        actor=cso,
        network=network,
        service="documents",
        service_name="Township immigration office (passport)",
        referred_on=today - datetime.timedelta(days=8),
    )
    return "1 recruitment network (3 broker reports)"
