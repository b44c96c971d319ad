"""Shared set-up for the job marketplace tests: a supplier with a site, an agency, a CSO, a buyer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ilm.accounts.models import Membership
from ilm.jobs import services
from ilm.jobs.models import Application, Vacancy
from ilm.network.models import Organisation, Site
from tests.factories import MembershipFactory, OrganisationFactory, SiteFactory, country

APPLICANT_NAME = "Khin Canary Applicant"
APPLICANT_PHONE = "+66 81 555 0142"


@dataclass
class Market:
    supplier: Organisation
    site: Site
    agency: Organisation
    cso: Organisation
    buyer: Organisation
    other_supplier: Organisation
    members: dict[str, Membership]


def market() -> Market:
    supplier = OrganisationFactory(kind="supplier", name="Siam Frozen Foods")
    agency = OrganisationFactory(kind="recruitment_agency", subkind="destination", name="Bangkok Labour")
    cso = OrganisationFactory(kind="cso", name="Helping CSO")
    buyer = OrganisationFactory(kind="buyer", name="Brand Co")
    other = OrganisationFactory(kind="supplier", name="Other Supplier")
    tp = OrganisationFactory(kind="technical_partner", name="Secretariat")
    site = SiteFactory(supplier=supplier, name="Samut Sakhon plant")
    members = {
        "supplier": MembershipFactory(organisation=supplier, role="responder"),
        "supplier_viewer": MembershipFactory(organisation=supplier, role="viewer"),
        "agency": MembershipFactory(organisation=agency, role="admin"),
        "cso": MembershipFactory(organisation=cso, role="caseworker"),
        "cso_viewer": MembershipFactory(organisation=cso, role="viewer"),
        "buyer": MembershipFactory(organisation=buyer, role="admin"),
        "other": MembershipFactory(organisation=other, role="admin"),
        "tp": MembershipFactory(organisation=tp, role="caseworker"),
    }
    return Market(supplier, site, agency, cso, buyer, other, members)


def vacancy_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "position": "Shrimp peeler",
        "language": "en",
        "openings": 5,
        "country": country("TH"),
        "wage_amount": "12000",
        "wage_currency": "THB",
        "pay_period": "month",
        "hours_per_day": "8",
        "hours_per_week": "48",
        "overtime": "Voluntary, paid 1.5x",
        "days_off": "One day a week",
        "contract_length": "2 years",
        "fee_model": "zero_fee",
    }
    data.update(overrides)
    return data


def post(
    member: Membership, *, publish: bool = True, fees: list[dict[str, Any]] | None = None, **overrides: Any
) -> Vacancy:
    if member.organisation.kind == "supplier" and "site" not in overrides:
        overrides["site"] = member.organisation.sites.first()
    vacancy = services.vacancy_create(actor=member, data=vacancy_data(**overrides), fees=fees or [])
    if publish:
        vacancy = services.vacancy_publish(actor=member, vacancy=vacancy)
    return vacancy


def apply(
    vacancy: Vacancy, *, actor: Any = None, name: str = APPLICANT_NAME, contact: str = APPLICANT_PHONE
) -> tuple[Application, str]:
    return services.application_submit(
        vacancy=vacancy,
        full_name=name,
        contact_kind="phone",
        contact=contact,
        nationality=country("MM"),
        gender="female",
        consent=True,
        language="my",
        actor=actor,
    )


def ern_member(organisation: Organisation, *, origin: str = "MM", joined_on: Any = None, left_on: Any = None) -> Any:
    """Make `organisation` a member of the Ethical Recruitment Network of `origin` (reach indicator 3)."""
    import datetime

    from ilm.recruitment.models import NetworkMember, RecruitmentNetwork

    network, _created = RecruitmentNetwork.objects.get_or_create(
        origin_country=country(origin), is_active=True, defaults={"name": f"ERN {origin}"}
    )
    return NetworkMember.objects.create(
        network=network,
        organisation=organisation,
        joined_on=joined_on or datetime.date(2020, 1, 1),
        left_on=left_on,
    )
