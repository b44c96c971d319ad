"""What each membership may read of the network. The only place these rules live.

By acting organisation:

- technical partner:
    organisations: all
    sites: all
    links: all
- CSO:
    organisations: itself, partners, technical partner, businesses active in its countries, collaborators
    sites: in its countries, of collaborators
    links: between organisations it sees (confirmed) and its own
- government, industry body, academic:
    organisations: itself, partners, technical partner, collaborators
    sites: none
    links: its own
- buyer:
    organisations: itself, technical partner, its chain (all tiers), agencies its chain disclosed, collaborators
    sites: of its chain
    links: its supply links, upstream links inside its chain, disclosed recruitment links of its chain
- supplier:
    organisations: itself, technical partner, its buyers, its upstream suppliers, its agencies,
      downstream customers, collaborators
    sites: its own
    links: those it is a party to
- recruitment agency:
    organisations: itself, technical partner, suppliers it serves, partner agencies, collaborators
    sites: of suppliers it serves
    links: those it is a party to

Only confirmed links in force today widen what anyone sees. Pending links are visible to
their two parties only. "Partners" are the CSOs, government bodies, industry bodies and
academic organisations of the network.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from ilm.core.permissions import BUSINESS_KINDS, PARTNER_KINDS, Action, OrgKind, can
from ilm.network.models import (
    Channel,
    Collaboration,
    Country,
    HeadcountSnapshot,
    Industry,
    Link,
    LinkKind,
    Organisation,
    Site,
    current_link_q,
)

MAX_CHAIN_DEPTH = 8


@dataclass(frozen=True)
class NetworkScope:
    sees_all: bool = False
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    site_q: Q = field(default_factory=lambda: Q(pk__in=[]))
    link_q: Q = field(default_factory=lambda: Q(pk__in=[]))

    @classmethod
    def everything(cls) -> NetworkScope:
        return cls(sees_all=True, site_q=Q(), link_q=Q())


def _ids(queryset: QuerySet[Any], column: str) -> set[int]:
    # order_by(): drop the model's default ordering (joins and a sort) when only a set is wanted.
    return set(queryset.order_by().values_list(column, flat=True))


_CHAIN_SQL = """
WITH RECURSIVE chain(supplier_id, depth) AS (
    SELECT provider_id, 1 FROM network_link
    WHERE kind = %(supply)s AND customer_id = %(buyer)s AND {current}
    UNION
    SELECT link.provider_id, chain.depth + 1 FROM network_link AS link
    JOIN chain ON link.customer_id = chain.supplier_id
    WHERE link.kind = %(upstream)s AND chain.depth < %(max_depth)s AND {current_link}
)
SELECT DISTINCT supplier_id FROM chain
"""
_CURRENT = (
    "{t}status = %(confirmed)s AND ({t}start_date IS NULL OR {t}start_date <= %(today)s) "
    "AND ({t}end_date IS NULL OR {t}end_date >= %(today)s)"
)


def chain_supplier_ids(buyer_id: int) -> set[int]:
    """Suppliers in a buyer's chain, all tiers (confirmed supply links, then upstream links), in one query.

    A recursive query (the same SQL on PostgreSQL and SQLite), bounded at MAX_CHAIN_DEPTH tiers so a
    cycle of upstream links cannot loop. Only links in force today count, as in `Link.objects.current()`.
    """
    from django.db import connection

    sql = _CHAIN_SQL.format(current=_CURRENT.format(t=""), current_link=_CURRENT.format(t="link."))
    params: dict[str, str | int | datetime.date] = {
        "supply": LinkKind.SUPPLY.value,
        "upstream": LinkKind.UPSTREAM.value,
        "buyer": buyer_id,
        "max_depth": MAX_CHAIN_DEPTH,
        "confirmed": "confirmed",
        "today": timezone.localdate(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _scope_for(membership: Any) -> NetworkScope:
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return NetworkScope.everything()
    org_id: int = membership.organisation_id
    kind = membership.organisation_kind
    current = Link.objects.current()
    own_links = Q(customer_id=org_id) | Q(provider_id=org_id)
    technical_partners = _ids(Organisation.objects.filter(kind=OrgKind.TECHNICAL_PARTNER), "id")
    if kind == OrgKind.CSO:
        collaborators = _ids(Collaboration.objects.filter(cso_id=org_id), "organisation_id")
    else:
        collaborators = _ids(Collaboration.objects.filter(organisation_id=org_id), "cso_id")
    visible = {org_id} | technical_partners | collaborators

    if kind in PARTNER_KINDS:
        visible |= _ids(Organisation.objects.filter(kind__in=PARTNER_KINDS), "id")
        if kind != OrgKind.CSO:
            return NetworkScope(organisation_ids=frozenset(visible), link_q=own_links)
        countries = list(Country.objects.filter(organisations__id=org_id).values_list("code", flat=True))
        businesses = _ids(
            Organisation.objects.filter(kind__in=[OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY]).filter(
                Q(countries__code__in=countries) | Q(sites__country_id__in=countries)
            ),
            "id",
        )
        visible |= businesses
        ids = frozenset(visible)
        return NetworkScope(
            organisation_ids=ids,
            site_q=Q(country_id__in=tuple(countries)) | Q(supplier_id__in=frozenset(collaborators)),
            link_q=own_links | (Q(status="confirmed", customer_id__in=ids, provider_id__in=ids)),
        )

    if kind == OrgKind.BUYER:
        chain = chain_supplier_ids(org_id)
        disclosed = current.filter(kind=LinkKind.RECRUITMENT, customer_id__in=chain, disclosed_to_buyers=True)
        agencies = _ids(disclosed, "provider_id")
        visible |= chain | agencies
        in_force = current_link_q()
        return NetworkScope(
            organisation_ids=frozenset(visible),
            site_q=Q(supplier_id__in=frozenset(chain)),
            link_q=(
                Q(kind=LinkKind.SUPPLY, customer_id=org_id)
                | (
                    in_force
                    & Q(kind=LinkKind.UPSTREAM, customer_id__in=frozenset(chain), provider_id__in=frozenset(chain))
                )
                | (in_force & Q(kind=LinkKind.RECRUITMENT, customer_id__in=frozenset(chain), disclosed_to_buyers=True))
            ),
        )

    if kind == OrgKind.SUPPLIER:
        counterparts = current.filter(own_links)
        visible |= _ids(counterparts.filter(customer_id=org_id), "provider_id")
        visible |= _ids(counterparts.filter(provider_id=org_id), "customer_id")
        return NetworkScope(organisation_ids=frozenset(visible), site_q=Q(supplier_id=org_id), link_q=own_links)

    if kind == OrgKind.RECRUITMENT_AGENCY:
        counterparts = current.filter(own_links, kind=LinkKind.RECRUITMENT)
        served = _ids(counterparts.filter(provider_id=org_id, customer__kind=OrgKind.SUPPLIER), "customer_id")
        partners = _ids(
            counterparts.filter(provider_id=org_id, customer__kind=OrgKind.RECRUITMENT_AGENCY), "customer_id"
        ) | _ids(counterparts.filter(customer_id=org_id), "provider_id")
        visible |= served | partners
        return NetworkScope(
            organisation_ids=frozenset(visible), site_q=Q(supplier_id__in=frozenset(served)), link_q=own_links
        )

    return NetworkScope(organisation_ids=frozenset({org_id}))


SCOPE_CACHE_SECONDS = 300
_VERSION_KEY = "ilm:network-version"


def network_version() -> str:
    """An opaque token that changes whenever the network does (`network_changed`): part of the key of anything
    cached that depends on who is linked to whom."""
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY, "")
    return str(version)


def _new_network_version() -> None:
    # A value never used before (not an increment): no read-modify-write, nothing to lock or lose.
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def network_changed() -> None:
    """Forget every cached scope: called (by signals) when links, collaborations, organisations or sites
    change. The new version is written once the transaction commits (at once outside one), so a scope
    computed from the old rows is never stored under it, and the cache write takes no lock inside the
    caller's transaction."""
    if not _changes_pending():
        transaction.on_commit(_new_network_version)


def _changes_pending() -> bool:
    """True inside a transaction that changed the network and has not committed yet: its own reads must
    see its changes, so they bypass the shared cache (and store nothing in it)."""
    return any(entry[1] is _new_network_version for entry in connection.run_on_commit)


def network_scope(membership: Any) -> NetworkScope:
    """The membership's scope: computed once per request (kept on the membership object) and shared
    through the cache until the network changes (`network_changed`), the day turns, or
    SCOPE_CACHE_SECONDS pass. The cache must be shared by every app server (docs/deploy.md)."""
    if _changes_pending():
        return _scope_for(membership)
    scope: NetworkScope | None = getattr(membership, "_ilm_network_scope", None)
    if scope is not None:
        return scope
    key = ":".join(
        str(part)
        for part in (
            "ilm:scope",
            network_version(),
            timezone.localdate().isoformat(),
            membership.organisation_id,
            membership.organisation_kind,
            int(can(membership, Action.VIEW_WHOLE_NETWORK)),
        )
    )
    scope = cache.get(key)
    if scope is None:
        scope = _scope_for(membership)
        cache.set(key, scope, SCOPE_CACHE_SECONDS)
    membership._ilm_network_scope = scope
    return scope


# --- selectors -------------------------------------------------------------------


def organisation_list(*, membership: Any) -> QuerySet[Organisation]:
    scope = network_scope(membership)
    queryset = Organisation.objects.all()
    if not scope.sees_all:
        queryset = queryset.filter(pk__in=scope.organisation_ids)
    return queryset.prefetch_related(
        Prefetch("countries", queryset=Country.objects.order_by("code")),
        Prefetch("industries", queryset=Industry.objects.order_by("position")),
    )


def site_list(*, membership: Any) -> QuerySet[Site]:
    scope = network_scope(membership)
    return Site.objects.filter(scope.site_q).select_related("supplier", "country")


def attach_headcounts(sites: Iterable[Site]) -> list[Site]:
    """Set `headcount_total` and `headcount_as_of` (the latest snapshot) on a page of sites, in one query.

    Done for the rows shown only: as a per-row subquery it would run for every row an OFFSET skips.
    """
    rows = list(sites)
    by_site: dict[int, tuple[Any, int]] = {}
    if rows:
        totals = (
            HeadcountSnapshot.objects.filter(site_id__in=[site.pk for site in rows])
            .order_by()
            .values_list("site_id", "as_of")
            .annotate(total=Sum("count"))
        )
        for site_id, as_of, total in totals:
            if site_id not in by_site or as_of > by_site[site_id][0]:
                by_site[site_id] = (as_of, total)
    for site in rows:
        as_of, total = by_site.get(site.pk, (None, None))
        site.headcount_as_of = as_of  # type: ignore[attr-defined]
        site.headcount_total = total  # type: ignore[attr-defined]
    return rows


def headcount_list(*, membership: Any) -> QuerySet[HeadcountSnapshot]:
    return HeadcountSnapshot.objects.filter(site__in=site_list(membership=membership).values("pk")).select_related(
        "nationality", "site"
    )


def link_list(*, membership: Any) -> QuerySet[Link]:
    scope = network_scope(membership)
    return Link.objects.filter(scope.link_q).select_related("customer", "provider", "proposed_by")


def channel_list(*, membership: Any) -> QuerySet[Channel]:
    """Channels (and their configuration) are the running CSO's and the technical partner's only."""
    queryset = Channel.objects.select_related("cso")
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return queryset
    if membership.organisation_kind == OrgKind.CSO:
        return queryset.filter(cso_id=membership.organisation_id)
    return queryset.none()


def collaboration_list(*, membership: Any) -> QuerySet[Collaboration]:
    queryset = Collaboration.objects.select_related("cso", "organisation")
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return queryset
    return queryset.filter(Q(cso_id=membership.organisation_id) | Q(organisation_id=membership.organisation_id))


def country_list() -> QuerySet[Country]:
    """Reference data, the same for everyone."""
    return Country.objects.all()


def industry_list() -> QuerySet[Industry]:
    return Industry.objects.select_related("parent")


def dangerously_organisation_by_reference(reference: str) -> Organisation | None:
    """Unscoped: the active business whose ILM reference this is. The reference is a capability its
    owner shares out of band so a partner can propose a link; the caller learns nothing else."""
    code = reference.strip().upper()
    if not code:
        return None
    return Organisation.objects.filter(reference=code, is_active=True, kind__in=BUSINESS_KINDS).first()


def link_counterpart_choices(*, membership: Any) -> QuerySet[Organisation]:
    """Organisations a member may pick as the other side of a new link: businesses it already sees."""
    return organisation_list(membership=membership).filter(kind__in=BUSINESS_KINDS, is_active=True).order_by("name")
