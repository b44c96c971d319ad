"""Who reads and who edits Country and Business Action Plans, role by role and kind by kind."""

from __future__ import annotations

import pytest
from django.test import Client

from ilm.core.permissions import ROLES_BY_KIND
from ilm.plans import selectors, services
from ilm.plans.models import Plan
from ilm.plans.permissions import may_edit_business, may_edit_plan
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, country
from tests.plans.helpers import YEAR, add_row, supplier_bap, thai_cap, tp
from tests.worlds import HOME_KINDS, build_world

pytestmark = pytest.mark.django_db

ALL = [(key, role) for key, kind in HOME_KINDS.items() for role in ROLES_BY_KIND[kind]]
PARTNERS = {"tp", "cso", "government", "industry_body", "academic"}
EDITING_ROLES = {"admin", "case_manager", "caseworker", "responder"}


def business_plan(world, key: str) -> Plan:
    return services.plan_create(actor=tp(world), kind="business", organisation=world.orgs[key], year=YEAR)


@pytest.fixture(scope="module")
def expectations():
    """(reads CAP, edits CAP, reads supplier BAP, edits supplier BAP) by member key and role."""
    table = {}
    for key, role in ALL:
        table[(key, role)] = (
            key in PARTNERS,
            key in {"tp", "cso"} and role in EDITING_ROLES,
            key in {"tp", "supplier", "buyer"},
            (key == "tp" and role in EDITING_ROLES) or (key == "supplier" and role in {"admin", "responder"}),
        )
    return table


def test_the_matrix_of_reading_and_editing(expectations):
    world = build_world()
    cap = thai_cap(world)
    bap = supplier_bap(world)
    for (key, role), (reads_cap, edits_cap, reads_bap, edits_bap) in expectations.items():
        member = world.members[(key, role)]
        who = f"{key}/{role}"
        assert selectors.country_plan_list(membership=member).filter(pk=cap.pk).exists() == reads_cap, who
        assert selectors.business_plan_list(membership=member).filter(pk=bap.pk).exists() == reads_bap, who
        assert may_edit_plan(member, cap) == edits_cap, who
        assert may_edit_plan(member, bap) == edits_bap, who
        assert may_edit_business(member, world.orgs["supplier"]) == edits_bap, who


def test_a_cso_edits_only_its_own_countries_plans():
    world = build_world()
    cap = thai_cap(world)
    myanmar_cso = OrganisationFactory(kind="cso", name="Yangon NGO", countries=["MM"])
    member = MembershipFactory(organisation=myanmar_cso, role="caseworker")
    assert selectors.country_plan_list(membership=member).filter(pk=cap.pk).exists()  # browses every country
    assert not may_edit_plan(member, cap)
    mm = services.plan_create(actor=member, kind="country", country=country("MM"), year=YEAR)
    assert may_edit_plan(member, mm) and not may_edit_plan(world.members[("cso", "admin")], mm)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.plan_create(actor=member, kind="country", country=country("KH"), year=YEAR)


def test_buyers_read_their_chain_plans_and_nothing_else():
    world = build_world()
    plans = {key: business_plan(world, key) for key in ("supplier", "upstream", "destination_agency", "origin_agency")}
    buyer = world.members[("buyer", "viewer")]
    readable = set(selectors.business_plan_list(membership=buyer).values_list("organisation__name", flat=True))
    # Tier 1, its upstream supplier, and the agency the supplier disclosed; not the undisclosed origin agency.
    assert readable == {"Home supplier", "Home upstream", "Home destination agency"}
    # A supplier does not read its upstream supplier's or its agency's plan.
    supplier = world.members[("supplier", "admin")]
    assert set(selectors.business_plan_list(membership=supplier)) == {plans["supplier"]}
    # Rows, check-ins and baselines follow the plan.
    row = add_row(world, plans["upstream"])
    assert selectors.plan_row_list(membership=buyer).filter(pk=row.pk).exists()
    assert not selectors.plan_row_list(membership=supplier).filter(pk=row.pk).exists()
    # The link ends: the buyer no longer reads the chain's plans.
    link = world.links["supply"]
    link.end_date = link.start_date
    link.save()
    buyer = type(buyer).objects.get(pk=buyer.pk)
    assert set(selectors.business_plan_list(membership=buyer).values_list("organisation__name", flat=True)) == set()


def test_a_business_opening_another_business_plan_gets_404(client: Client):
    world = build_world()
    bap = supplier_bap(world)
    row = add_row(world, bap)
    agency = world.members[("destination_agency", "admin")]
    sign_in(client, agency)
    for url in (
        f"/plans/business/{bap.pk}/",
        f"/plans/business/{bap.pk}/rows/new/",
        f"/plans/rows/{row.pk}/edit/",
        f"/plans/business/{bap.pk}/export/",
        f"/plans/businesses/{world.orgs['supplier'].pk}/baseline/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"description": "x"}).status_code == 404, url
    # The buyer reads the plan but may not change it.
    sign_in(client, world.members[("buyer", "admin")])
    assert client.get(f"/plans/business/{bap.pk}/").status_code == 200
    assert client.get(f"/plans/rows/{row.pk}/edit/").status_code == 403
    assert client.post(f"/plans/rows/{row.pk}/delete/", {"version": row.version}).status_code == 403


def test_country_plans_are_404_for_businesses_and_read_only_for_other_partners(client: Client):
    world = build_world()
    cap = thai_cap(world)
    row = add_row(world, cap, actor=world.members[("cso", "caseworker")])
    sign_in(client, world.members[("supplier", "admin")])
    assert client.get(f"/plans/country/{cap.pk}/").status_code == 404
    assert client.get(f"/plans/rows/{row.pk}/edit/").status_code == 404
    sign_in(client, world.members[("government", "viewer")])
    page = client.get(f"/plans/country/{cap.pk}/")
    assert page.status_code == 200 and "Recruitment fee survey" in page.content.decode()
    assert "Add a row" not in page.content.decode()
    assert client.get(f"/plans/rows/{row.pk}/edit/").status_code == 403
    assert client.post(f"/plans/country/{cap.pk}/rows/new/", {"activities": "1.2"}).status_code == 403
