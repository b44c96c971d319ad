"""The tenancy table of ilm/network/selectors.py, row by row."""

from __future__ import annotations

import datetime

import pytest

from ilm.network import selectors
from ilm.network.models import LinkStatus
from tests.factories import LinkFactory, MembershipFactory, OrganisationFactory, SiteFactory, country
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return {obj.name for obj in queryset}


def test_buyer_sees_its_whole_chain_and_only_disclosed_agencies():
    world = build_world()
    buyer = world.members[("buyer", "viewer")]
    orgs = names(selectors.organisation_list(membership=buyer))
    assert {"Home supplier", "Home upstream", "Home destination agency", "Home buyer", "Home tp", "Home cso"} <= orgs
    assert "Home origin agency" not in orgs  # its chain's agency did not disclose this partner
    assert names(selectors.site_list(membership=buyer)) == {"Home supplier plant", "Home upstream vessel"}
    assert not set(world.outsider_names()) & (orgs | names(selectors.site_list(membership=buyer)))
    # Undisclose the agency: the buyer stops seeing it and the recruitment link.
    link = world.links["recruitment"]
    link.disclosed_to_buyers = False
    link.save()
    buyer = type(buyer).objects.get(pk=buyer.pk)
    assert "Home destination agency" not in names(selectors.organisation_list(membership=buyer))
    assert link not in selectors.link_list(membership=buyer)


def test_ended_or_pending_links_grant_nothing():
    world = build_world()
    world.links["supply"].end_date = datetime.date(2020, 1, 1)
    world.links["supply"].save()
    buyer = world.members[("buyer", "viewer")]
    assert names(selectors.site_list(membership=buyer)) == set()
    other = OrganisationFactory(kind="buyer")
    LinkFactory(kind="supply", customer=other, provider=world.orgs["supplier"], status=LinkStatus.PROPOSED)
    member = MembershipFactory(organisation=other, role="viewer")
    assert names(selectors.site_list(membership=member)) == set()


def test_supplier_sees_itself_its_sites_counterparts_but_not_upstream_sites():
    world = build_world()
    supplier = world.members[("supplier", "responder")]
    orgs = names(selectors.organisation_list(membership=supplier))
    assert {"Home supplier", "Home buyer", "Home upstream", "Home destination agency"} <= orgs
    assert "Home origin agency" not in orgs and "Home cso" not in orgs
    assert names(selectors.site_list(membership=supplier)) == {"Home supplier plant"}


def test_agency_sees_suppliers_it_serves_and_partner_agencies():
    world = build_world()
    agency = world.members[("destination_agency", "viewer")]
    orgs = names(selectors.organisation_list(membership=agency))
    assert {"Home supplier", "Home origin agency", "Home destination agency"} <= orgs
    assert "Home buyer" not in orgs and "Home upstream" not in orgs
    assert names(selectors.site_list(membership=agency)) == {"Home supplier plant"}
    origin = world.members[("origin_agency", "admin")]
    assert "Home supplier" not in names(selectors.organisation_list(membership=origin))
    assert names(selectors.site_list(membership=origin)) == set()


def test_cso_sees_businesses_in_its_countries_and_collaborators():
    world = build_world()
    cso = world.members[("cso", "caseworker")]
    orgs = names(selectors.organisation_list(membership=cso))
    assert {"Home supplier", "Home upstream", "Home destination agency", "Home buyer", "Outsider CSO"} <= orgs
    assert "Home origin agency" not in orgs  # Myanmar: outside the CSO's countries
    assert names(selectors.site_list(membership=cso)) == {"Home supplier plant", "Home upstream vessel"}
    vietnam = SiteFactory(supplier=world.orgs["supplier"], name="Hanoi plant", country=country("VN"))
    cso = type(cso).objects.get(pk=cso.pk)
    assert vietnam.name not in names(selectors.site_list(membership=cso))


def test_partners_see_the_partner_directory_but_no_business_data():
    world = build_world()
    government = world.members[("government", "viewer")]
    orgs = names(selectors.organisation_list(membership=government))
    assert {"Home cso", "Home academic", "Home industry body", "Home tp", "Outsider CSO"} <= orgs
    assert not orgs & {"Home supplier", "Home buyer", "Home destination agency"}
    assert selectors.site_list(membership=government).count() == 0
    assert selectors.channel_list(membership=government).count() == 0


def test_channels_belong_to_their_cso():
    world = build_world()
    assert names(selectors.channel_list(membership=world.members[("cso", "viewer")])) == {"Home hotline"}
    assert selectors.channel_list(membership=world.members[("buyer", "admin")]).count() == 0
    assert selectors.channel_list(membership=world.members[("tp", "viewer")]).count() == 2


def test_chain_reaches_every_tier_through_upstream_links():
    world = build_world()
    tier3 = OrganisationFactory(kind="supplier", name="Tier three")
    LinkFactory(kind="upstream", customer=world.orgs["upstream"], provider=tier3, tier=None)
    SiteFactory(supplier=tier3, name="Tier three farm")
    assert "Tier three farm" in names(selectors.site_list(membership=world.members[("buyer", "admin")]))


@pytest.mark.django_db(transaction=True)
def test_cached_scope_is_forgotten_as_soon_as_a_link_changes(client):
    from ilm.network import services
    from tests.conftest import sign_in

    world = build_world()
    sign_in(client, world.members[("buyer", "admin")])
    assert "Home supplier plant" in client.get("/network/sites/").content.decode()
    assert "Home supplier plant" in client.get("/network/sites/").content.decode()  # now from the cache
    services.link_end(
        actor=world.members[("tp", "admin")], link=world.links["supply"], end_date=datetime.date(2025, 1, 1)
    )
    assert "Home supplier plant" not in client.get("/network/sites/").content.decode()
    site = world.sites["supplier"]
    assert client.get(f"/network/sites/{site.pk}/").status_code == 404


def test_cached_scope_is_per_organisation_and_role():
    world = build_world()
    tp_viewer = world.members[("tp", "viewer")]
    buyer = world.members[("buyer", "viewer")]
    assert selectors.network_scope(tp_viewer).sees_all
    assert not selectors.network_scope(type(buyer).objects.get(pk=buyer.pk)).sees_all
