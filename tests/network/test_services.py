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


def test_a_party_cannot_widen_a_confirmed_link_alone():
    world = build_world()
    link = world.links["supply"]
    services.link_end(actor=world.members[("supplier", "admin")], link=link)
    link.refresh_from_db()
    assert link.end_date == datetime.date.today() - datetime.timedelta(days=1)  # stops counting now
    assert not link.is_current
    reopened = services.link_update(actor=world.members[("buyer", "admin")], link=link, end_date=None)
    assert reopened.status == LinkStatus.PROPOSED  # the supplier must confirm again
    from ilm.network import selectors

    buyer = type(world.members[("buyer", "admin")]).objects.get(pk=world.members[("buyer", "admin")].pk)
    assert "Home supplier plant" not in {s.name for s in selectors.site_list(membership=buyer)}
    with pytest.raises(PermissionDenied):  # the proposer cannot confirm its own change
        services.link_confirm(actor=world.members[("buyer", "admin")], link=reopened)
    services.link_confirm(actor=world.members[("supplier", "admin")], link=reopened)
    assert Link.objects.get(pk=link.pk).is_current


def test_narrowing_a_link_needs_no_confirmation_and_technical_partner_may_widen():
    world = build_world()
    link = world.links["supply"]
    narrowed = services.link_update(
        actor=world.members[("buyer", "admin")], link=link, start_date=datetime.date(2024, 6, 1)
    )
    assert narrowed.status == LinkStatus.CONFIRMED
    widened = services.link_update(actor=world.members[("tp", "admin")], link=narrowed, start_date=None)
    assert widened.status == LinkStatus.CONFIRMED


def test_only_the_employer_discloses_its_agency_even_when_proposing():
    world = build_world()
    o = world.orgs
    with pytest.raises(PermissionDenied):
        services.link_propose(
            actor=world.members[("origin_agency", "admin")],
            kind="recruitment",
            customer=o["upstream"],
            provider=o["origin_agency"],
            disclosed_to_buyers=True,
        )


def test_partners_countries_and_every_name_are_the_technical_partners_to_change():
    world = build_world()
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=world.members[("cso", "admin")],
            organisation=world.orgs["cso"],
            countries=[country("TH"), country("VN")],
        )
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=world.members[("supplier", "admin")],
            organisation=world.orgs["supplier"],
            name="Outsider Supplier Ltd",
        )
    services.organisation_update(
        actor=world.members[("supplier", "admin")],
        organisation=world.orgs["supplier"],
        countries=[country("TH"), country("MY")],
    )  # a business states where it works
    services.organisation_update(
        actor=world.members[("tp", "admin")],
        organisation=world.orgs["cso"],
        countries=[country("TH"), country("MM")],
        name="Home CSO renamed",
    )


def test_names_with_line_breaks_are_refused():
    world = build_world()
    with pytest.raises(ValidationError):
        services.organisation_update(
            actor=world.members[("tp", "admin")], organisation=world.orgs["buyer"], name="Home\nbuyer"
        )
    with pytest.raises(ValidationError):
        services.site_create(
            actor=world.members[("supplier", "admin")],
            supplier=world.orgs["supplier"],
            name="Plant\r\n2",
            site_type="factory",
            country=country("TH"),
        )


def test_headcounts_are_bounded_in_the_service():
    world = build_world()
    with pytest.raises(ValidationError):
        services.headcount_record(
            actor=world.members[("supplier", "admin")],
            site=world.sites["supplier"],
            as_of=datetime.date(2026, 1, 1),
            cells=[("male", country("MM"), 2**62)],
        )


def test_duplicate_link_message_is_readable():
    world = build_world()
    with pytest.raises(ValidationError) as caught:
        services.link_propose(
            actor=world.members[("tp", "admin")],
            kind="upstream",
            customer=world.orgs["supplier"],
            provider=world.orgs["upstream"],
        )
    assert "already have an open link" in " ".join(caught.value.messages)
