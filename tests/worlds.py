"""A small network with one organisation of every kind and one member of every role, plus an
unrelated "outsider" cluster that no home member (except the technical partner) may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ilm.accounts.models import ApiToken, Invitation, Membership
from ilm.core import audit
from ilm.core.permissions import ROLES_BY_KIND
from ilm.network.models import Collaboration, HeadcountSnapshot, Link, Organisation, Site
from tests.factories import (
    ChannelFactory,
    LinkFactory,
    MembershipFactory,
    OrganisationFactory,
    SiteFactory,
    country,
)

HOME_KINDS = {
    "tp": "technical_partner",
    "cso": "cso",
    "buyer": "buyer",
    "supplier": "supplier",
    "upstream": "supplier",
    "destination_agency": "recruitment_agency",
    "origin_agency": "recruitment_agency",
    "government": "government",
    "industry_body": "industry_body",
    "academic": "academic",
}


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)
    outsiders: dict[str, list[Any]] = field(default_factory=dict)

    def home_memberships(self, *, include_tp: bool = False) -> list[Membership]:
        return [m for (key, _role), m in self.members.items() if include_tp or key != "tp"]

    def outsider_names(self) -> list[str]:
        names = [o.name for o in self.outsiders["organisation"]]
        names += [s.name for s in self.outsiders["site"]]
        return names


def build_world() -> World:
    world = World()
    subkinds = {"destination_agency": "destination", "origin_agency": "origin"}
    for key, kind in HOME_KINDS.items():
        extra = {"subkind": subkinds[key]} if key in subkinds else {}
        world.orgs[key] = OrganisationFactory(
            kind=kind,
            name=f"Home {key.replace('_', ' ')}",
            countries=["MM"] if key == "origin_agency" else ["TH"],
            **extra,
        )
    o = world.orgs
    world.sites["supplier"] = SiteFactory(supplier=o["supplier"], name="Home supplier plant")
    world.sites["upstream"] = SiteFactory(
        supplier=o["upstream"], name="Home upstream vessel", site_type="fishing_vessel"
    )
    HeadcountSnapshot.objects.create(
        site=world.sites["supplier"],
        as_of=datetime.date(2026, 1, 31),
        gender="female",
        nationality=country("MM"),
        count=120,
    )
    world.links["supply"] = LinkFactory(kind="supply", customer=o["buyer"], provider=o["supplier"])
    world.links["upstream"] = LinkFactory(kind="upstream", customer=o["supplier"], provider=o["upstream"], tier=None)
    world.links["recruitment"] = LinkFactory(
        kind="recruitment",
        customer=o["supplier"],
        provider=o["destination_agency"],
        disclosed_to_buyers=True,
        tier=None,
    )
    world.links["agency"] = LinkFactory(
        kind="recruitment", customer=o["destination_agency"], provider=o["origin_agency"], tier=None
    )
    ChannelFactory(cso=o["cso"], name="Home hotline", provider="hotline")
    Collaboration.objects.create(cso=o["cso"], organisation=o["buyer"])
    for key, kind in HOME_KINDS.items():
        for role in ROLES_BY_KIND[kind]:
            world.members[(key, role)] = MembershipFactory(
                organisation=o[key], role=role, user__username=f"{key}-{role}".replace("_", "-")
            )

    # The outsider cluster: in Viet Nam, linked only among itself.
    out_supplier = OrganisationFactory(kind="supplier", name="Outsider Supplier Ltd", countries=["VN"])
    out_buyer = OrganisationFactory(kind="buyer", name="Outsider Buyer Inc", countries=["US"])
    out_agency = OrganisationFactory(
        kind="recruitment_agency", subkind="destination", name="Outsider Agency Co", countries=["VN"]
    )
    out_cso = OrganisationFactory(kind="cso", name="Outsider CSO", countries=["VN"])
    out_site = SiteFactory(supplier=out_supplier, name="Outsider secret plant", country=country("VN"))
    out_links = [
        LinkFactory(kind="supply", customer=out_buyer, provider=out_supplier),
        LinkFactory(kind="recruitment", customer=out_supplier, provider=out_agency, tier=None),
    ]
    out_members = [
        MembershipFactory(organisation=org, role="admin", user__username=f"outsider-{org.kind}")
        for org in (out_supplier, out_buyer, out_agency, out_cso)
    ]
    out_tokens = [
        ApiToken.objects.create(
            membership=m,
            name="outsider token",
            prefix=f"out{m.pk:06d}",
            digest="0" * 64,
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
        for m in out_members
    ]
    out_invitations = [
        Invitation.objects.create(
            organisation=out_supplier,
            email="new@outsider.example",
            role="viewer",
            digest="1" * 64,
            invited_by=out_members[0],
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
    ]
    out_channel = ChannelFactory(cso=out_cso, name="Outsider WhatsApp")
    out_headcount = HeadcountSnapshot.objects.create(
        site=out_site, as_of=datetime.date(2026, 1, 31), gender="male", nationality=country("KH"), count=77
    )
    out_events = [audit.record("test.outsider_event", membership=out_members[0], obj=out_site)]
    out_collab = Collaboration.objects.create(cso=out_cso, organisation=out_supplier)
    world.outsiders = {
        "organisation": [out_supplier, out_buyer, out_agency],
        "site": [out_site],
        "link": out_links,
        "membership": out_members,
        "apitoken": out_tokens,
        "invitation": out_invitations,
        "channel": [out_channel],
        "headcountsnapshot": [out_headcount],
        "auditevent": out_events,
        "collaboration": [out_collab],
        "cso": [out_cso],
    }
    return world


__all__ = ["World", "build_world"]
