"""Network services: permissions, validation, audit, optimistic locking."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ilm.core.errors import Conflict
from ilm.core.models import AuditEvent
from ilm.network import services
from ilm.network.models import HeadcountSnapshot, Link, LinkStatus, Organisation, Site
from tests.factories import country
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_only_the_technical_partner_creates_organisations():
    world = build_world()
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=world.members[("cso", "admin")], name="X", kind="supplier")
    org = services.organisation_create(
        actor=world.members[("tp", "admin")], name="New Co", kind="supplier", countries=[country("TH")]
    )
    assert AuditEvent.objects.filter(action="organisation.created", object_id=str(org.pk)).exists()
    with pytest.raises(ValidationError):
        services.organisation_create(actor=world.members[("tp", "admin")], name="Agency", kind="recruitment_agency")


def test_org_admin_edits_own_organisation_only_and_conflicts_are_caught():
    world = build_world()
    admin = world.members[("supplier", "admin")]
    org = world.orgs["supplier"]
    services.organisation_update(actor=admin, organisation=org, expected_version=1, description="Updated")
    with pytest.raises(Conflict):
        services.organisation_update(actor=admin, organisation=org, expected_version=1, description="Stale")
    assert Organisation.objects.get(pk=org.pk).description == "Updated"
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=admin, organisation=world.orgs["buyer"], description="Nope")
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=world.members[("supplier", "viewer")], organisation=org, description="No")
    event = AuditEvent.objects.get(action="organisation.changed")
    assert event.detail == {"fields": ["description"]}


def test_sites_are_created_by_their_supplier_and_validated():
    world = build_world()
    responder = world.members[("supplier", "responder")]
    site = services.site_create(
        actor=responder, supplier=world.orgs["supplier"], name="New line", site_type="factory", country=country("TH")
    )
    assert site.pk
    with pytest.raises(PermissionDenied):
        services.site_create(
            actor=responder, supplier=world.orgs["upstream"], name="X", site_type="factory", country=country("TH")
        )
    with pytest.raises(ValidationError):
        services.site_create(
            actor=responder,
            supplier=world.orgs["supplier"],
            name="New line",
            site_type="factory",
            country=country("TH"),
        )  # duplicate name
    with pytest.raises(ValidationError):
        services.site_create(
            actor=world.members[("tp", "admin")],
            supplier=world.orgs["buyer"],
            name="Shop",
            site_type="factory",
            country=country("TH"),
        )


def test_headcount_replaces_a_date_and_refuses_bad_cells():
    world = build_world()
    admin = world.members[("supplier", "admin")]
    site = world.sites["supplier"]
    day = datetime.date(2026, 6, 30)
    services.headcount_record(
        actor=admin, site=site, as_of=day, cells=[("female", country("MM"), 10), ("male", country("MM"), 5)]
    )
    services.headcount_record(actor=admin, site=site, as_of=day, cells=[("female", country("KH"), 7)])
    assert list(HeadcountSnapshot.objects.filter(site=site, as_of=day).values_list("count", flat=True)) == [7]
    for cells in ([("female", country("MM"), -1)], [], [("female", country("MM"), 1), ("female", country("MM"), 2)]):
        with pytest.raises(ValidationError):
            services.headcount_record(actor=admin, site=site, as_of=day, cells=cells)
    with pytest.raises(ValidationError):
        services.headcount_record(
            actor=admin, site=site, as_of=datetime.date(2999, 1, 1), cells=[("female", country("MM"), 1)]
        )
    assert HeadcountSnapshot.objects.filter(site=site, as_of=day).count() == 1


def test_link_rules():
    world = build_world()
    supplier_admin = world.members[("supplier", "admin")]
    o = world.orgs
    with pytest.raises(ValidationError):  # wrong kinds
        services.link_propose(
            actor=supplier_admin, kind="supply", customer=o["supplier"], provider=o["upstream"], tier=1
        )
    with pytest.raises(ValidationError):  # duplicate open link
        services.link_propose(actor=supplier_admin, kind="upstream", customer=o["supplier"], provider=o["upstream"])
    with pytest.raises(PermissionDenied):  # not a party
        services.link_propose(
            actor=supplier_admin,
            kind="supply",
            customer=o["buyer"],
            provider=world.outsiders["organisation"][0],
            tier=1,
        )
    with pytest.raises(ValidationError):  # origin agency cannot be the customer of a destination agency
        services.link_propose(
            actor=world.members[("tp", "admin")],
            kind="recruitment",
            customer=o["origin_agency"],
            provider=o["destination_agency"],
        )
    link = services.link_propose(
        actor=world.members[("tp", "admin")], kind="supply", customer=o["buyer"], provider=o["upstream"], tier=2
    )
    assert link.status == LinkStatus.CONFIRMED
    with pytest.raises(PermissionDenied):  # only the employer decides disclosure
        services.link_update(
            actor=world.members[("destination_agency", "admin")],
            link=world.links["recruitment"],
            disclosed_to_buyers=False,
        )
    services.link_update(actor=supplier_admin, link=world.links["recruitment"], msa_status="reviewed")
    assert Link.objects.get(pk=world.links["recruitment"].pk).msa_status == "reviewed"


def test_declined_proposal_grants_nothing_and_can_be_proposed_again():
    world = build_world()
    o = world.orgs
    proposal = services.link_propose(
        actor=world.members[("upstream", "admin")], kind="supply", customer=o["buyer"], provider=o["upstream"], tier=1
    )
    declined = services.link_confirm(actor=world.members[("buyer", "admin")], link=proposal, accept=False)
    assert declined.status == LinkStatus.DECLINED
    again = services.link_propose(
        actor=world.members[("upstream", "admin")], kind="supply", customer=o["buyer"], provider=o["upstream"], tier=1
    )
    assert again.status == LinkStatus.PROPOSED
    with pytest.raises(PermissionDenied):
        services.link_confirm(actor=world.members[("buyer", "viewer")], link=again)


def test_sites_of_other_suppliers_cannot_be_edited_even_by_a_visible_buyer():
    world = build_world()
    with pytest.raises(PermissionDenied):
        services.site_update(actor=world.members[("buyer", "admin")], site=world.sites["supplier"], name="X")
    assert Site.objects.get(pk=world.sites["supplier"].pk).name == "Home supplier plant"
