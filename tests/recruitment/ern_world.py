"""A small world for the Ethical Recruitment Network tests: the Myanmar ERN (a CSO, an origin agency and a
local government office as members), Cambodia's ERN with its own CSO, and one organisation of every other
kind that is no member of anything. One broker report, outreach event and referral in each network."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ilm.recruitment import services
from ilm.recruitment.models import BrokerReport, OutreachEvent, RecruitmentNetwork, Referral
from tests.factories import MembershipFactory, OrganisationFactory, country

BROKER = "Ko Canary Broker Lwin"
OTHER_BROKER = "Other Network Broker Sokha"
DAY = datetime.date(2026, 3, 2)

# key -> (kind, roles); "member" keys belong to the Myanmar ERN, "kh_cso" to Cambodia's.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tp": ("technical_partner", ("admin", "case_manager", "caseworker", "viewer")),
    "cso": ("cso", ("admin", "caseworker", "viewer")),
    "agency": ("recruitment_agency", ("admin", "responder", "viewer")),
    "government": ("government", ("admin", "viewer")),
    "kh_cso": ("cso", ("caseworker",)),
    "outside_cso": ("cso", ("caseworker",)),
    "outside_agency": ("recruitment_agency", ("admin",)),
    "outside_government": ("government", ("admin",)),
    "supplier": ("supplier", ("admin", "responder")),
    "buyer": ("buyer", ("admin",)),
    "industry_body": ("industry_body", ("admin",)),
    "academic": ("academic", ("admin",)),
}
MEMBER_KEYS = ("cso", "agency", "government")


@dataclass
class ErnWorld:
    orgs: dict[str, Any] = field(default_factory=dict)
    members: dict[tuple[str, str], Any] = field(default_factory=dict)
    network: RecruitmentNetwork | None = None
    other: RecruitmentNetwork | None = None
    made: dict[str, list[Any]] = field(default_factory=dict)

    def m(self, key: str, role: str = "") -> Any:
        return self.members[(key, role or KINDS[key][1][0])]


def report_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "broker_name": BROKER,
        "area": "Hlaingthaya Township",
        "fee_amount": "1500000",
        "fee_currency": "MMK",
        "fee_for": "A factory job in Thailand",
        "jobseekers_charged": 12,
        "reported_on": DAY,
    }
    data.update(extra)
    return data


def event_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": DAY,
        "place": "Community hall",
        "topic": "Zero-fee jobs",
        "language": "my",
        "reach": {"female": 30, "male": 20},
    }
    data.update(extra)
    return data


def referral_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"service": "legal_aid", "service_name": "Yangon Justice Centre", "referred_on": DAY}
    data.update(extra)
    return data


def build(*, records: bool = True) -> ErnWorld:
    world = ErnWorld()
    for key, (kind, roles) in KINDS.items():
        world.orgs[key] = OrganisationFactory(kind=kind, name=f"ERN {key.replace('_', ' ')}")
        for role in roles:
            world.members[(key, role)] = MembershipFactory(organisation=world.orgs[key], role=role)
    tp = world.m("tp", "admin")
    world.network = services.network_create(actor=tp, origin_country=country("MM"), name="Myanmar ERN")
    world.other = services.network_create(actor=tp, origin_country=country("KH"), name="Cambodia ERN")
    joined = datetime.date(2025, 1, 1)
    members = [
        services.member_add(actor=tp, network=world.network, organisation=world.orgs[key], joined_on=joined)
        for key in MEMBER_KEYS
    ]
    members.append(
        services.member_add(actor=tp, network=world.other, organisation=world.orgs["kh_cso"], joined_on=joined)
    )
    world.made["networkmember"] = members
    if records:
        cso, kh = world.m("cso", "caseworker"), world.m("kh_cso")
        world.made["brokerreport"] = [
            services.broker_report_create(actor=cso, network=world.network, **report_data()),
            services.broker_report_create(
                actor=kh, network=world.other, **report_data(broker_name=OTHER_BROKER, fee_currency="KHR")
            ),
        ]
        world.made["outreachevent"] = [
            services.outreach_event_create(actor=cso, network=world.network, **event_data()),
            services.outreach_event_create(actor=kh, network=world.other, **event_data(language="km")),
        ]
        world.made["referral"] = [
            services.referral_create(actor=cso, network=world.network, **referral_data()),
            services.referral_create(actor=kh, network=world.other, **referral_data(service_name="Phnom Penh aid")),
        ]
    world.made["recruitmentnetwork"] = [world.network, world.other]
    return world


MODELS = {
    "recruitmentnetwork": RecruitmentNetwork,
    "brokerreport": BrokerReport,
    "outreachevent": OutreachEvent,
    "referral": Referral,
}
