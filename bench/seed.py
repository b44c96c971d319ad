"""Seed a large network with bulk inserts (the services audit every row, far too slow for 20,000 sites).

Shape (deterministic, random.Random(SEED)):
- 5,000 organisations of every kind; 3,800 suppliers hold the 20,000 sites.
- 60 % of sites have headcounts on two dates, 4 cells each (about 96,000 rows).
- Benchmark buyers, each with a chain of its own (disjoint from each other's):
    "big"   300 suppliers: 100 tier 1 (supply links) + 150 tier 2 + 50 tier 3 (upstream links)
    "small"  30 suppliers:  10 tier 1 + 15 tier 2 + 5 tier 3 (same depth as "big")
    "deep"   30 suppliers:   5 tier 1 + 25 over 7 more upstream levels (8 tiers deep)
  plus, for "big", proposed and ended links that must not widen the chain.
- The other 497 buyers get 5-60 tier-1 suppliers each; 3,000 random upstream links among the
  non-reserved suppliers; every supplier uses 1-3 recruitment agencies (half disclosed to buyers);
  destination -> origin agency links; CSO collaborations; a member for every buyer and every fifth supplier.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

SEED = 20240601
ORG_COUNTS = [
    ("technical_partner", 1),
    ("cso", 150),
    ("supplier", 3800),
    ("recruitment_agency", 500),
    ("buyer", 500),
    ("government", 20),
    ("industry_body", 15),
    ("academic", 14),
]
SITES = 20_000
HEADCOUNT_SHARE = 0.6
HEADCOUNT_DATES = (date(2025, 12, 31), date(2026, 3, 31))
CHAINS = {  # buyer key -> suppliers per tier (tier 1 are supply links, the rest upstream links)
    "big": (100, 150, 50),
    "small": (10, 15, 5),
    "deep": (5, 4, 4, 4, 4, 3, 3, 3),
}
COUNTRIES = ["TH", "MM", "KH", "NP", "MY", "BD", "IN", "ID", "VN", "LA"]
SUBKINDS = {
    "cso": ["ngo", "trade_union"],
    "recruitment_agency": ["origin", "destination"],
    "buyer": ["brand", "retailer", "importer"],
}
WORDS = [
    "Andaman",
    "Golden",
    "Mekong",
    "Siam",
    "Coral",
    "Lotus",
    "Delta",
    "Harbour",
    "Ocean",
    "Green",
    "River",
    "Summit",
    "Pacific",
    "Royal",
    "Union",
    "Eastern",
    "Northern",
    "Star",
    "Jade",
    "Bay",
]
TRADES = [
    "Seafood",
    "Foods",
    "Garments",
    "Electronics",
    "Agro",
    "Palm",
    "Poultry",
    "Textiles",
    "Fisheries",
    "Components",
]
SITE_TYPES = ["factory", "processing_plant", "farm", "plantation", "fishing_vessel", "dormitory", "other"]
PROVINCES = ["Samut Sakhon", "Songkhla", "Chonburi", "Bangkok", "Ranong", "Tak", "Yangon", "Phnom Penh", ""]


@dataclass
class Seeded:
    buyers: dict[str, Any] = field(default_factory=dict)  # key -> Organisation
    chains: dict[str, set[int]] = field(default_factory=dict)  # key -> supplier ids
    counts: dict[str, int] = field(default_factory=dict)


def seed() -> Seeded:
    from ilm.accounts.models import Membership, User
    from ilm.network.models import (
        Collaboration,
        HeadcountSnapshot,
        Link,
        Organisation,
        Site,
    )

    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    out = Seeded()

    # --- organisations -------------------------------------------------------------------------
    orgs: list[Organisation] = []
    for kind, count in ORG_COUNTS:
        for i in range(count):
            if kind == "buyer" and i < len(CHAINS):
                name = f"Bench Buyer {list(CHAINS)[i]}"
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {kind.replace('_', ' ').title()} {i:04d}"
            orgs.append(
                Organisation(
                    name=name,
                    kind=kind,
                    subkind=rng.choice(SUBKINDS.get(kind, [""])),
                    website=f"https://org{len(orgs)}.example",
                    description="",
                )
            )
    Organisation.objects.bulk_create(orgs, batch_size=2000)
    by_kind: dict[str, list[Organisation]] = {}
    for org in orgs:
        by_kind.setdefault(org.kind, []).append(org)
    Through = Organisation.countries.through
    Through.objects.bulk_create(
        [
            Through(organisation_id=org.pk, country_id=code)
            for org in orgs
            for code in rng.sample(COUNTRIES, rng.randint(1, 2))
        ],
        batch_size=5000,
    )
    IndustryThrough = Organisation.industries.through
    IndustryThrough.objects.bulk_create(
        [
            IndustryThrough(
                organisation_id=org.pk,
                industry_id=rng.choice(
                    ["seafood", "poultry", "palm_oil", "apparel_footwear", "electronics", "household_goods"]
                ),
            )
            for org in by_kind["supplier"] + by_kind["buyer"]
        ],
        batch_size=5000,
    )
    out.counts["organisations"] = len(orgs)

    suppliers = [o.pk for o in by_kind["supplier"]]
    agencies = by_kind["recruitment_agency"]
    buyers = by_kind["buyer"]

    # --- sites and headcounts ------------------------------------------------------------------
    sites = [
        Site(
            supplier_id=rng.choice(suppliers),
            name=f"{rng.choice(WORDS)} {st.replace('_', ' ')} {i:05d}",
            site_type=st,
            country_id=rng.choice(COUNTRIES),
            province=rng.choice(PROVINCES),
            address=f"{rng.randint(1, 999)} Moo {rng.randint(1, 12)}",
        )
        for i, st in enumerate(rng.choice(SITE_TYPES) for _ in range(SITES))
    ]
    Site.objects.bulk_create(sites, batch_size=5000)
    out.counts["sites"] = len(sites)
    cells = [("female", "MM"), ("male", "MM"), ("female", "KH"), ("male", "TH")]
    headcounts = [
        HeadcountSnapshot(site_id=site.pk, as_of=as_of, gender=gender, nationality_id=nat, count=rng.randint(5, 800))
        for site in sites
        if rng.random() < HEADCOUNT_SHARE
        for as_of in HEADCOUNT_DATES
        for gender, nat in cells
    ]
    HeadcountSnapshot.objects.bulk_create(headcounts, batch_size=10000)
    out.counts["headcount rows"] = len(headcounts)
    out.counts["sites with headcounts"] = len(headcounts) // (len(HEADCOUNT_DATES) * len(cells))

    # --- links -----------------------------------------------------------------------------------
    links: list[Link] = []
    pairs: set[tuple[str, int, int]] = set()

    def link(
        kind: str,
        customer: int,
        provider: int,
        *,
        status: str = "confirmed",
        tier: int | None = None,
        end: date | None = None,
        **extra: Any,
    ) -> None:
        key = (kind, customer, provider)
        if customer == provider or (end is None and status != "declined" and key in pairs):
            return
        if end is None and status != "declined":
            pairs.add(key)
        links.append(
            Link(
                kind=kind,
                customer_id=customer,
                provider_id=provider,
                tier=tier,
                status=status,
                end_date=end,
                proposed_by_id=customer,
                confirmed_at=now if status == "confirmed" else None,
                **extra,
            )
        )

    pool = suppliers[:]
    rng.shuffle(pool)
    reserved: set[int] = set()
    for index, (key, tiers) in enumerate(CHAINS.items()):
        buyer = buyers[index]
        out.buyers[key] = buyer
        levels: list[list[int]] = []
        for size in tiers:
            levels.append([pool.pop() for _ in range(size)])
        chain = {pk for level in levels for pk in level}
        reserved |= chain
        out.chains[key] = chain
        for pk in levels[0]:
            link("supply", buyer.pk, pk, tier=1)
        for upper, lower in itertools.pairwise(levels):
            for pk in lower:
                link("upstream", rng.choice(upper), pk)
                if rng.random() < 0.3:  # a second customer inside the chain
                    link("upstream", rng.choice(upper), pk)
    big = out.buyers["big"].pk
    outside = pool[:40]  # never in a benchmark chain
    for pk in outside[:20]:
        link("supply", big, pk, tier=1, status="proposed")
    for pk in outside[20:30]:
        link("supply", big, pk, tier=1, start_date=today - timedelta(days=400), end=today - timedelta(days=30))
    for pk in outside[30:40]:
        link("supply", big, pk, tier=2, status="declined")

    for buyer in buyers[len(CHAINS) :]:
        for pk in rng.sample(suppliers, rng.randint(5, 60)):
            link(
                "supply",
                buyer.pk,
                pk,
                tier=rng.choice([1, 1, 1, 2, 3]),
                status="confirmed" if rng.random() < 0.95 else "proposed",
            )
    free = [pk for pk in suppliers if pk not in reserved]
    for _ in range(3000):
        link("upstream", rng.choice(free), rng.choice(suppliers))
    for pk in suppliers:
        for agency in rng.sample(agencies, rng.randint(1, 3)):
            link(
                "recruitment",
                pk,
                agency.pk,
                msa_status=rng.choice(["none", "draft", "signed", "reviewed"]),
                disclosed_to_buyers=rng.random() < 0.5,
            )
    destination = [a.pk for a in agencies if a.subkind == "destination"]
    origin = [a.pk for a in agencies if a.subkind == "origin"]
    for _ in range(300):
        link("recruitment", rng.choice(destination), rng.choice(origin), msa_status="signed")
    Link.objects.bulk_create(links, batch_size=5000)
    out.counts["links"] = len(links)

    # --- collaborations and members ----------------------------------------------------------------
    collaborations: set[tuple[int, int]] = set()
    business = suppliers + [b.pk for b in buyers] + [a.pk for a in agencies]
    for cso in by_kind["cso"]:
        for pk in rng.sample(business, 20):
            collaborations.add((cso.pk, pk))
    for buyer in out.buyers.values():
        for cso in rng.sample(by_kind["cso"], 2):
            collaborations.add((cso.pk, buyer.pk))
    Collaboration.objects.bulk_create(
        [Collaboration(cso_id=c, organisation_id=o) for c, o in collaborations], batch_size=5000
    )
    out.counts["collaborations"] = len(collaborations)

    unusable = make_password(None)
    member_orgs = [b for b in buyers if b not in out.buyers.values()] + by_kind["supplier"][::5]
    users = User.objects.bulk_create(
        [
            User(username=f"member-{org.pk}", email=f"member-{org.pk}@bench.invalid", password=unusable)
            for org in member_orgs
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, organisation=org, role="admin") for user, org in zip(users, member_orgs, strict=True)],
        batch_size=5000,
    )
    out.counts["members"] = len(users)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out
