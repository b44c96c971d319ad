"""Reach indicators 1-5 (DOMAIN.md §8) for the network, per CSO and per country, over a date window.

Who reads what (`reach_cso_id`): the technical partner the whole network, per CSO and per country; a CSO its
own reach (its workers, cases, channels and the jobseekers it helped), per country too. Everyone else is
refused (403). In demographic breakdowns a CSO sees cells of 1 to 4 people as "fewer than 5" (`count` None).

Formulas (docs/indicators.md says why, and what cannot be de-duplicated):
    covered site      = a site whose supplier a CSO running an active channel collaborates with (since on or
                        before the window's end, or undated)
    1 access          = people at covered sites (the latest headcount snapshot of each site on or before the
                        window's end, by gender and nationality)
                        + distinct workers and jobseekers with a contact in the window who consented to
                        statistics and are not already counted at a covered site of theirs
    2 remediation     = distinct named workers (consented to statistics) on cases closed as resolved in the
                        window + the unnamed workers of collective resolved cases (workers concerned - named)
    3 ERN offers      = `jobs.selectors.reach_offers_through_erns` (offers made in the window; through an ERN:
                        the helping organisation was a member of the ERN of the jobseeker's origin country)
    4 zero-cost ads   = `jobs.selectors.reach_zero_cost_vacancies` (published in the window); not a CSO's
    5 zero-cost jobs  = `jobs.selectors.reach_zero_cost_hires` (hires the worker confirmed in the window)
Per CSO and per country, 3-5 are the same counts grouped by the helping CSO and the vacancy's country.
Everything is an SQL aggregate; Python only merges the grouped rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.cases.models import Case, CaseWorker, Closure, Contact, Worker, WorkerKind
from ilm.core.permissions import Action, OrgKind, can
from ilm.indicators.impact import window_q
from ilm.jobs import selectors as jobs
from ilm.jobs.models import ApplicationStatus, FeeModel
from ilm.network.models import Channel, Collaboration, Country, HeadcountSnapshot, Organisation, Site

SMALL_CELL = 5
Group = Literal["network", "cso", "country"]
# The key of the one row of the network (and of people whose country is not known).
NETWORK = ""


@dataclass(frozen=True)
class Cell:
    """People of one gender and nationality; `count` None means 1 to 4, hidden from this viewer."""

    gender: str
    nationality: str
    count: int | None


@dataclass(frozen=True)
class AccessReach:
    """Reach 1."""

    at_covered_sites: int = 0
    contacted_workers: int = 0
    contacted_jobseekers: int = 0
    covered_sites: int = 0
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.at_covered_sites + self.contacted_workers + self.contacted_jobseekers


@dataclass(frozen=True)
class RemediationReach:
    """Reach 2."""

    resolved_cases: int = 0
    named_workers: int = 0
    unnamed_workers: int = 0

    @property
    def total(self) -> int:
        return self.named_workers + self.unnamed_workers


@dataclass(frozen=True)
class Reach:
    """Reach 1-5 for the network, one CSO or one country (`key`: "", the CSO's id, or the country code)."""

    key: str
    label: str
    access: AccessReach
    remediation: RemediationReach
    offers: dict[str, int]
    vacancies: dict[str, int] | None
    hires: dict[str, int]


# --- scope -----------------------------------------------------------------------------------------------


def may_read_reach(membership: Any) -> bool:
    return can(membership, Action.VIEW_WHOLE_NETWORK) or membership.organisation_kind == OrgKind.CSO


def reach_cso_id(membership: Any) -> int | None:
    """The CSO whose reach the membership reads (None: the whole network). Refuses (403) other kinds."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    if membership.organisation_kind == OrgKind.CSO:
        return int(membership.organisation_id)
    raise PermissionDenied


# --- reach 1 ---------------------------------------------------------------------------------------------


def _active_channel_csos() -> QuerySet[Any]:
    return Channel.objects.filter(is_active=True).values("cso_id")


def _collaboration_q(end: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}cso_id__in": _active_channel_csos()}) & (
        Q(**{f"{prefix}since__isnull": True}) | Q(**{f"{prefix}since__lte": end})
    )


def covered_sites(end: datetime.date, cso_id: int | None = None) -> QuerySet[Site]:
    """Sites whose workers can reach a channel: their supplier collaborates with a CSO running one."""
    collaborations = Collaboration.objects.filter(_collaboration_q(end), organisation_id=OuterRef("supplier_id"))
    if cso_id is not None:
        collaborations = collaborations.filter(cso_id=cso_id)
    return Site.objects.filter(Exists(collaborations))


def _latest_headcounts(end: datetime.date) -> QuerySet[HeadcountSnapshot]:
    latest = (
        HeadcountSnapshot.objects.filter(site_id=OuterRef("site_id"), as_of__lte=end)
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    return HeadcountSnapshot.objects.filter(as_of=Subquery(latest))


def _headcount_rows(group: Group, end: datetime.date, cso_id: int | None) -> list[dict[str, Any]]:
    snapshots = _latest_headcounts(end)
    if group == "cso":
        # One filter() call: the collaboration that covers the site is the one grouped by (a site two CSOs
        # cover counts for each of them, once in the network).
        condition = _collaboration_q(end, prefix="site__supplier__cso_collaborations__")
        if cso_id is not None:
            condition &= Q(site__supplier__cso_collaborations__cso_id=cso_id)
        return _rows(
            snapshots.filter(condition)
            .values("gender", "nationality_id", key=F("site__supplier__cso_collaborations__cso_id"))
            .order_by()
            .annotate(people=Sum("count"), sites=Count("site_id", distinct=True))
        )
    snapshots = snapshots.filter(site__in=covered_sites(end, cso_id).values("pk"))
    key = F("site__country_id") if group == "country" else Value(NETWORK)
    return _rows(
        snapshots.values("gender", "nationality_id", key=key)
        .order_by()
        .annotate(people=Sum("count"), sites=Count("site_id", distinct=True))
    )


def _covered_sites_by(group: Group, end: datetime.date, cso_id: int | None) -> dict[str, int]:
    """Covered sites per group (with or without a headcount)."""
    rows: QuerySet[Any]
    if group == "cso":
        rows = (
            Collaboration.objects.filter(_collaboration_q(end), organisation__sites__isnull=False)
            .filter(Q(cso_id=cso_id) if cso_id is not None else Q())
            .values(key=F("cso_id"))
            .order_by()
            .annotate(n=Count("organisation__sites", distinct=True))
        )
    else:
        key = F("country_id") if group == "country" else Value(NETWORK)
        rows = covered_sites(end, cso_id).values(key=key).order_by().annotate(n=Count("pk"))
    return {str(row["key"]): row["n"] for row in rows}


def _contacted_rows(
    group: Group, date_from: datetime.date | None, date_to: datetime.date | None, end: datetime.date, cso_id: int | None
) -> list[dict[str, Any]]:
    """Distinct workers with a contact in the window, who consented to statistics, not at a covered site of
    theirs (those are in the site's headcount already)."""
    contacts = Contact.objects.filter(window_q("occurred_at", date_from, date_to), worker_id=OuterRef("pk"))
    workers = Worker.objects.filter(Exists(contacts), consent_statistics=True)
    if cso_id is not None:
        workers = workers.filter(cso_id=cso_id)
    collaborations = Collaboration.objects.filter(_collaboration_q(end), organisation_id=OuterRef("site__supplier_id"))
    if group == "cso":
        # Covered by the worker's own CSO: another CSO's headcount is another count (see the docs).
        collaborations = collaborations.filter(cso_id=OuterRef("cso_id"))
    workers = workers.exclude(Q(site__isnull=False) & Exists(collaborations))
    key = {"cso": F("cso_id"), "country": F("site__country_id"), "network": Value(NETWORK)}[group]
    return _rows(workers.values("kind", "gender", "nationality_id", key=key).order_by().annotate(people=Count("pk")))


def _rows(queryset: QuerySet[Any]) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], list(queryset))


def _without_key(row: Any) -> dict[str, int]:
    return {name: value for name, value in row.items() if name != "key"}


def _mask(count: int, exact: bool) -> int | None:
    return count if exact or count == 0 or count >= SMALL_CELL else None


def _access_by(
    group: Group,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    cso_id: int | None,
    exact: bool,
) -> dict[str, AccessReach]:
    end = date_to or timezone.localdate()
    at_sites: dict[str, int] = defaultdict(int)
    workers: dict[str, int] = defaultdict(int)
    jobseekers: dict[str, int] = defaultdict(int)
    cells: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in _headcount_rows(group, end, cso_id):
        key = str(row["key"] or NETWORK)
        at_sites[key] += row["people"]
        cells[key][(row["gender"], row["nationality_id"] or "")] += row["people"]
    for row in _contacted_rows(group, date_from, date_to, end, cso_id):
        key = str(row["key"] or NETWORK)
        (jobseekers if row["kind"] == WorkerKind.JOBSEEKER else workers)[key] += row["people"]
        cells[key][(row["gender"], row["nationality_id"] or "")] += row["people"]
    sites = _covered_sites_by(group, end, cso_id)
    return {
        key: AccessReach(
            at_covered_sites=at_sites[key],
            contacted_workers=workers[key],
            contacted_jobseekers=jobseekers[key],
            covered_sites=sites.get(key, 0),
            cells=[
                Cell(gender=gender, nationality=nationality, count=_mask(count, exact))
                for (gender, nationality), count in sorted(cells[key].items())
            ],
        )
        for key in sorted(set(at_sites) | set(workers) | set(jobseekers) | set(sites) | set(cells))
    }


# --- reach 2 ---------------------------------------------------------------------------------------------


def _remediation_by(
    group: Group, date_from: datetime.date | None, date_to: datetime.date | None, cso_id: int | None
) -> dict[str, RemediationReach]:
    resolved = Case.objects.filter(window_q("closed_at", date_from, date_to), closure=Closure.RESOLVED)
    if cso_id is not None:
        resolved = resolved.filter(cso_id=cso_id)
    key = {"cso": F("cso_id"), "country": F("country_id"), "network": Value(NETWORK)}[group]
    named_links = CaseWorker.objects.filter(case_id=OuterRef("pk")).values("case_id").order_by()
    named_count = named_links.annotate(n=Count("pk")).values("n")
    unnamed = Greatest(F("workers_count") - Coalesce(Subquery(named_count), 0), Value(0), output_field=IntegerField())
    cases: dict[str, dict[str, Any]] = {
        str(row["key"] or NETWORK): dict(row)
        for row in resolved.annotate(unnamed=unnamed)
        .values(key=key)
        .order_by()
        .annotate(cases=Count("pk"), unnamed_workers=Sum("unnamed", filter=Q(is_collective=True)))
    }
    case_key = {"cso": F("case__cso_id"), "country": F("case__country_id"), "network": Value(NETWORK)}[group]
    named = {
        str(row["key"] or NETWORK): row["n"]
        for row in CaseWorker.objects.filter(case__in=resolved.values("pk"), worker__consent_statistics=True)
        .values(key=case_key)
        .order_by()
        .annotate(n=Count("worker_id", distinct=True))
    }
    return {
        key: RemediationReach(
            resolved_cases=cases.get(key, {}).get("cases", 0),
            named_workers=named.get(key, 0),
            unnamed_workers=cases.get(key, {}).get("unnamed_workers") or 0,
        )
        for key in sorted(set(cases) | set(named))
    }


# --- reach 3-5 -------------------------------------------------------------------------------------------


def _jobs_by(
    group: Group, membership: Any, date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Reach 3, 4 and 5 grouped: the jobs selectors' own counts for the network, the same definitions over
    the same scoped rows grouped by the helping CSO or the vacancy's country otherwise."""
    span = {"membership": membership, "date_from": date_from, "date_to": date_to}
    if group == "network":
        return (
            {NETWORK: jobs.reach_offers_through_erns(**span)},
            {NETWORK: jobs.reach_zero_cost_vacancies(**span)},
            {NETWORK: jobs.reach_zero_cost_hires(**span)},
        )
    applications = jobs.application_list(membership=membership)
    app_key = F("via_cso_id") if group == "cso" else F("vacancy__country_id")
    offers = {
        str(row["key"] or NETWORK): {"offered": row["offered"], "through_ern": row["through_ern"]}
        for row in applications.filter(window_q("offered_at", date_from, date_to))
        .values(key=app_key)
        .order_by()
        .annotate(offered=Count("pk"), through_ern=Count("pk", filter=Q(jobs.through_ern_q())))
    }
    hires = {
        str(row["key"] or NETWORK): _without_key(row)
        for row in applications.filter(
            Q(status=ApplicationStatus.HIRED, confirmed_at__isnull=False) & window_q("confirmed_at", date_from, date_to)
        )
        .values(key=app_key)
        .order_by()
        .annotate(
            confirmed=Count("pk"),
            zero_cost=Count("pk", filter=Q(paid_nothing_extra=True, vacancy__fee_model=FeeModel.ZERO_FEE)),
            within_legal_fees=Count("pk", filter=Q(paid_nothing_extra=True, vacancy__fee_model=FeeModel.ITEMISED)),
            paid_more=Count("pk", filter=Q(paid_nothing_extra=False)),
        )
    }
    vacancies: dict[str, dict[str, int]] = {}
    if group == "country":
        vacancies = {
            str(row["key"] or NETWORK): _without_key(row)
            for row in jobs.vacancy_list(membership=membership)
            .filter(Q(published_at__isnull=False) & window_q("published_at", date_from, date_to))
            .values(key=F("country_id"))
            .order_by()
            .annotate(
                published=Count("pk"),
                zero_cost=Count("pk", filter=Q(fee_model=FeeModel.ZERO_FEE)),
                openings_zero_cost=Coalesce(Sum("openings", filter=Q(fee_model=FeeModel.ZERO_FEE)), 0),
            )
        }
    return offers, vacancies, hires


# --- the reports -----------------------------------------------------------------------------------------

NO_OFFERS = {"offered": 0, "through_ern": 0}
NO_VACANCIES = {"published": 0, "zero_cost": 0, "openings_zero_cost": 0}
NO_HIRES = {"confirmed": 0, "zero_cost": 0, "within_legal_fees": 0, "paid_more": 0}


def _report(
    group: Group, membership: Any, date_from: datetime.date | None, date_to: datetime.date | None
) -> list[Reach]:
    cso_id = reach_cso_id(membership)
    exact = cso_id is None
    access = _access_by(group, date_from, date_to, cso_id, exact)
    remediation = _remediation_by(group, date_from, date_to, cso_id)
    offers, vacancies, hires = _jobs_by(group, membership, date_from, date_to)
    keys = set(access) | set(remediation) | set(offers) | set(hires) | set(vacancies)
    if group == "network":
        keys = {NETWORK}
    elif cso_id is not None and group == "cso":
        keys = {str(cso_id)}
    labels = _labels(group, keys)
    # A CSO's own vacancies are none (employers post them): reach 4 is not a CSO's, except as the network's.
    shows_vacancies = cso_id is None and group != "cso"
    return [
        Reach(
            key=key,
            label=labels.get(key, ""),
            access=access.get(key, AccessReach()),
            remediation=remediation.get(key, RemediationReach()),
            offers=offers.get(key, NO_OFFERS),
            vacancies=vacancies.get(key, NO_VACANCIES) if shows_vacancies else None,
            hires=hires.get(key, NO_HIRES),
        )
        for key in sorted(keys, key=lambda k: (k == NETWORK, labels.get(k, k)))
    ]


def _labels(group: Group, keys: set[str]) -> dict[str, str]:
    if group == "cso":
        ids = [int(key) for key in keys if key.isdigit()]
        labels = {str(pk): name for pk, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "name")}
        return {NETWORK: _("Not through a CSO"), **labels}
    if group == "country":
        labels = {country.code: str(country) for country in Country.objects.filter(code__in=keys)}
        return {NETWORK: _("Country not known"), **labels}
    return {NETWORK: _("The network") if group == "network" else ""}


def network_reach(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> Reach:
    """Reach 1-5 over everything the membership reads: the network (technical partner), or one CSO's own."""
    return _report("network", membership, date_from, date_to)[0]


def reach_by_cso(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[Reach]:
    """One row per CSO with any reach in the window (a CSO: its own row only)."""
    return _report("cso", membership, date_from, date_to)


def reach_by_country(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[Reach]:
    """One row per country (of the site, the case, the vacancy); key "" gathers what has no country."""
    return _report("country", membership, date_from, date_to)
