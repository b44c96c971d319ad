"""Bring the benchmark database to 1,000,000 issues for the dashboards section (issue 7), with COPY.

On top of the network seed (bench/seed.py) and, for a target of 300,000 issues or more, the cases seed
(bench/seed_cases.py, about 290,000 issues on 100,000 cases; reused as it is when another section already
ran it), this seed adds cases until the issues reach the target. Rows go in through psycopg's COPY (the
services audit every step, and bulk_create of 1.4 million rows takes minutes); ids come from the tables'
own sequences, encrypted fields are encrypted and blind indexes computed as the models would. Like the cases
seed it writes no timeline, audit event or history row: no dashboard or statistic reads them.

Shape of the added cases (deterministic, random.Random(SEED)):
- opened over the last 24 months, more of them recently (half uniform, half rising towards today);
- status by age: new cases in intake, assessed or shared, older ones in remediation, awaiting the
  worker's validation or closed (resolved, unresolved, withdrew, duplicate, referred as the cases seed);
  shared_at on every case shared (most closed ones too), a first response on most shared ones;
- the businesses as the cases seed: 17 % a supplier in the chain of the buyer with 300 suppliers, 3 % in
  the 30-supplier chain, the rest any supplier; a site of it 70 % of the time; an agency on 15 %;
- 1-5 issues each, categories weighted as the cases seed, forced-labour and zero-tolerance flags from the
  category, ratings on resolved and unresolved cases; issues recorded the day their case was opened;
- one worker on most cases (0-3 named on collective ones), 85 % of them new workers (nationality,
  gender, age band, 90 % consenting to statistics), the others a worker of the same CSO reporting again.
The chain of the buyer with 300 suppliers is given 2,000 sites if it has fewer. ANALYZE at the end.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

SEED = 20261126
ISSUES = 1_000_000
CASES_SEED_ABOVE = 300_000  # below this target the cases seed is skipped: this seed makes every issue
CHAIN_SITES = 2_000
CHUNK = 40_000  # cases per COPY round
MONTHS = 24


@dataclass
class SeededDashboards:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    chain_sites: int = 0
    sites_added: int = 0


def _next_ids(table: str, n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[Any], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows (database values, in `columns` order) into the model's table; every NOT NULL column without
    a database default must be listed (checked here, so a new model field fails loudly, not with bad data)."""
    missing = [
        f.column
        for f in model._meta.concrete_fields
        if not f.null and not f.primary_key and f.column not in columns and f.db_default is NOT_PROVIDED
    ]
    if missing:
        raise SystemExit(f"seed_dashboards: {model.__name__} has NOT NULL columns the seed does not fill: {missing}")
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with connection.cursor() as cursor, cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def _status_mix(age_days: float) -> list[tuple[str, int]]:
    if age_days < 7:
        return [("intake", 50), ("assessed", 30), ("shared", 20)]
    if age_days < 30:
        return [("intake", 10), ("assessed", 15), ("shared", 30), ("in_remediation", 45)]
    if age_days < 120:
        return [("shared", 10), ("in_remediation", 55), ("awaiting_validation", 15), ("closed", 20)]
    return [("in_remediation", 20), ("awaiting_validation", 10), ("closed", 70)]


def ensure_chain_sites(chain: set[int], wanted: int = CHAIN_SITES) -> tuple[int, int]:
    """Give the suppliers of `chain` `wanted` sites in all; return (sites now, sites added)."""
    from bench.seed import COUNTRIES, PROVINCES, SITE_TYPES, WORDS
    from ilm.network.models import Site

    have = Site.objects.filter(supplier_id__in=chain).count()
    if have >= wanted:
        return have, 0
    rng = random.Random(SEED + 1)
    suppliers = sorted(chain)
    added = [
        Site(
            supplier_id=rng.choice(suppliers),
            name=f"{rng.choice(WORDS)} {st.replace('_', ' ')} D{i:05d}",
            site_type=st,
            country_id=rng.choice(COUNTRIES),
            province=rng.choice(PROVINCES),
            address=f"{rng.randint(1, 999)} Moo {rng.randint(1, 12)}",
        )
        for i, st in enumerate(rng.choice(SITE_TYPES) for _ in range(wanted - have))
    ]
    Site.objects.bulk_create(added, batch_size=5000)
    return wanted, len(added)


def seed_dashboards(seeded: Any, issues: int = ISSUES) -> SeededDashboards:
    from bench.seed_cases import (
        CATEGORY_WEIGHTS,
        CHAIN_SHARE,
        CLOSURE_MIX,
        FIRST_NAMES,
        INTERNAL,
        ISSUES_PER_CASE,
        JOBS,
        LAST_NAMES,
        NATIONALITIES,
        PLACES,
        REF_ALPHABET,
        SHAREABLE,
        SUMMARIES,
        ZERO_TOLERANCE,
        seed_cases,
    )
    from ilm.accounts.models import Membership
    from ilm.cases.models import Case, CaseBusiness, CaseWorker, Issue, IssueCategory, Worker, search_text_of
    from ilm.network.models import Link, Organisation, Site

    out = SeededDashboards()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        out.timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    out.chain_sites, out.sites_added = ensure_chain_sites(seeded.chains["big"])
    lap("chain sites")
    if issues >= CASES_SEED_ABOVE and not Case.objects.exists():
        seeded_cases = seed_cases(seeded.chains, seeded.buyers)
        out.counts.update({f"cases seed: {k}": v for k, v in seeded_cases.counts.items() if k in ("cases", "issues")})
        lap("cases seed (bench/seed_cases.py)")

    existing = Issue.objects.count()
    wanted = max(0, issues - existing)
    rng = random.Random(SEED)
    now = timezone.now()

    # --- what is there ---------------------------------------------------------------------------------
    csos = list(Organisation.objects.filter(kind="cso").order_by("id").values_list("id", flat=True))
    case_weight = dict(Case.objects.order_by().values("cso_id").annotate(n=Count("id")).values_list("cso_id", "n"))
    cso_weights = [case_weight.get(c, 0) + 20 for c in csos]  # as the CSOs' share of the cases so far
    staff: dict[int, list[int]] = defaultdict(list)
    for pk, org in Membership.objects.filter(organisation__kind="cso").values_list("pk", "organisation_id"):
        staff[org].append(pk)
    suppliers = list(Organisation.objects.filter(kind="supplier").order_by("id").values_list("id", flat=True))
    sites_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for site_id, supplier_id, code in Site.objects.values_list("id", "supplier_id", "country_id"):
        sites_of[supplier_id].append((site_id, code))
    country_of: dict[int, str] = {}
    for org_id, code in Organisation.countries.through.objects.order_by("id").values_list(
        "organisation_id", "country_id"
    ):
        country_of.setdefault(org_id, code)
    agencies_of: dict[int, list[int]] = defaultdict(list)
    for customer, provider in (
        Link.objects.current().filter(status="confirmed", kind="recruitment").values_list("customer_id", "provider_id")
    ):
        agencies_of[customer].append(provider)
    categories = {c.code: c for c in IssueCategory.objects.filter(is_active=True)}
    weighted_codes = [(code, CATEGORY_WEIGHTS.get(code, 1)) for code in categories]
    big_chain, small_chain = sorted(seeded.chains["big"]), sorted(seeded.chains["small"])
    references = set(Case.objects.values_list("reference", flat=True))
    encrypt_notes = Case._meta.get_field("internal_notes").get_prep_value
    encrypt_description = Issue._meta.get_field("description").get_prep_value
    encrypt_name = Worker._meta.get_field("full_name").get_prep_value
    name_index = Worker._meta.get_field("name_index").compute
    lap("read what is there")

    def reference() -> str:
        while True:
            chars = "".join(rng.choices(REF_ALPHABET, k=8))
            ref = f"C-{chars[:4]}-{chars[4:]}"
            if ref not in references:
                references.add(ref)
                return ref

    def after(prev: datetime.datetime, lo: float, hi: float) -> datetime.datetime:
        latest = now - datetime.timedelta(minutes=rng.randint(1, 600))
        return max(prev, min(prev + datetime.timedelta(days=rng.uniform(lo, hi)), latest))

    case_columns = [
        "id", "created_at", "updated_at", "reference", "cso_id", "status", "closure", "closure_reason",
        "summary", "internal_notes", "risk_level", "assigned_to_id", "is_collective", "workers_count",
        "country_id", "opened_at", "assessed_at", "shared_at", "first_response_at", "validation_requested_at",
        "closed_at", "reopened_at", "last_activity_at", "version", "search_text",
    ]  # fmt: skip
    issue_columns = [
        "created_at", "updated_at", "case_id", "category_id", "workers_affected", "forced_labour",
        "zero_tolerance", "description", "shareable_description", "rating", "rated_by_id", "rated_at",
    ]  # fmt: skip
    worker_columns = [
        "id", "created_at", "updated_at", "cso_id", "kind", "full_name", "name_index", "gender",
        "nationality_id", "age_band", "job", "site_id", "origin_area", "consent_share_identity",
        "consent_share_identity_by_id", "consent_share_identity_at", "consent_contact_for_validation",
        "consent_contact_for_validation_by_id", "consent_contact_for_validation_at", "consent_statistics",
        "consent_statistics_by_id", "consent_statistics_at", "version",
    ]  # fmt: skip
    totals: dict[str, int] = defaultdict(int)
    recent_workers: dict[int, list[int]] = defaultdict(list)  # cso -> workers added here (repeat reporters)
    made = 0
    while made < wanted:
        # Plan a chunk of cases (issue codes included) until the chunk is full or the target is reached.
        planned: list[tuple[float, list[str]]] = []
        while len(planned) < CHUNK and made < wanted:
            age = rng.uniform(0, MONTHS * 30.4) if rng.random() < 0.5 else rng.triangular(0, MONTHS * 30.4, 0)
            n = min(_weighted(rng, ISSUES_PER_CASE), wanted - made)
            codes: list[str] = []
            while len(codes) < n:
                code = _weighted(rng, weighted_codes)
                if code not in codes:
                    codes.append(code)
            planned.append((age, codes))
            made += n
        planned.sort(key=lambda p: -p[0])  # oldest first: ids grow with the opening date within the seed
        case_ids = _next_ids(Case._meta.db_table, len(planned))
        cases: list[tuple[Any, ...]] = []
        issue_rows: list[tuple[Any, ...]] = []
        businesses: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        new_workers: list[dict[str, Any]] = []
        for case_id, (age, codes) in zip(case_ids, planned, strict=True):
            opened = now - datetime.timedelta(days=age)
            cso = rng.choices(csos, weights=cso_weights)[0]
            status = _weighted(rng, _status_mix(age))
            closure = _weighted(rng, CLOSURE_MIX) if status == "closed" else ""
            assessed = shared = responded = validation = closed = None
            activity = after(opened, 0, 3)
            if status != "intake":
                assessed = after(opened, 0.5, 5)
                activity = assessed
            if status in ("shared", "in_remediation", "awaiting_validation") or (
                status == "closed" and (closure in ("resolved", "unresolved") or rng.random() < 0.5)
            ):
                shared = after(assessed or opened, 0, 7)
                activity = shared
                if status != "shared" and rng.random() < 0.9:
                    responded = after(shared, 1, 20)
                    activity = responded
            if status in ("awaiting_validation", "closed") and closure in ("", "resolved"):
                validation = after(responded or shared or activity, 10, 120)
                activity = validation
            if status == "closed":
                closed = after(activity, 3, 40)
                activity = closed
            if status == "in_remediation":
                activity = max(activity, now - datetime.timedelta(days=rng.uniform(0, 20)))
            roll = rng.random()
            if roll < CHAIN_SHARE["big"]:
                supplier = rng.choice(big_chain)
            elif roll < CHAIN_SHARE["big"] + CHAIN_SHARE["small"]:
                supplier = rng.choice(small_chain)
            else:
                supplier = rng.choice(suppliers)
            site: int | None = None
            country: str | None = country_of.get(supplier)
            if sites_of.get(supplier) and rng.random() < 0.7:
                site, country = rng.choice(sites_of[supplier])
            businesses.append((case_id, supplier, site, ""))
            if agencies_of.get(supplier) and rng.random() < 0.15:
                businesses.append((case_id, rng.choice(agencies_of[supplier]), None, ""))
            collective = rng.random() < 0.15
            workers_count = rng.randint(3, 300) if collective else 1
            named = rng.choice([0, 1, 1, 2, 3]) if collective else (0 if rng.random() < 0.05 else 1)
            on_case: set[int] = set()
            for _ in range(named):
                if recent_workers[cso] and rng.random() < 0.15:
                    worker_id = rng.choice(recent_workers[cso])
                else:
                    worker_id = -1 - len(new_workers)  # placeholder, replaced by a sequence id below
                    new_workers.append({"cso": cso, "site": site, "at": opened})
                if worker_id not in on_case:
                    on_case.add(worker_id)
                    links.append((case_id, worker_id))
            workers_of_cso: list[int | None] = [*staff.get(cso, [])] or [None]
            assigned = rng.choice(workers_of_cso)
            summary = rng.choice(SUMMARIES).format(
                topic=str(categories[codes[0]].name).lower(), place=rng.choice(PLACES)
            )
            ref = reference()
            rated = closure in ("resolved", "unresolved")
            shareables: list[str] = []
            for code in codes:
                category = categories[code]
                shareable = rng.choice(SHAREABLE.get(code) or [f"{category.name} reported by workers."])
                shareable = shareable if status != "intake" else ""
                shareables.append(shareable)
                issue_rows.append(
                    (
                        opened,
                        activity,
                        case_id,
                        category.pk,
                        rng.randint(1, workers_count) if collective else 1,
                        category.is_forced_labour_indicator or rng.random() < 0.03,
                        code in ZERO_TOLERANCE or rng.random() < 0.01,
                        encrypt_description(f"{category.name}: details as told on the hotline, case {ref}."),
                        shareable,
                        (
                            rng.choice(["fair", "good", "good", "excellent"])
                            if closure == "resolved"
                            else ("poor" if closure == "unresolved" else "")
                        ),
                        assigned if rated else None,
                        closed - datetime.timedelta(hours=2) if rated and closed else None,
                    )
                )
            cases.append(
                (
                    case_id,
                    opened,
                    activity,
                    ref,
                    cso,
                    status,
                    closure,
                    "" if closure in ("", "resolved") else "Closed after the agreed follow-up.",
                    summary if status != "intake" or rng.random() < 0.4 else "",
                    encrypt_notes(rng.choice(INTERNAL)),
                    rng.choice(["low", "medium", "medium", "medium", "high", "critical"]),
                    assigned,
                    collective,
                    workers_count,
                    country,
                    opened,
                    assessed,
                    shared,
                    responded,
                    validation,
                    closed,
                    None,
                    activity,
                    rng.randint(1, 12),
                    search_text_of(ref, summary, shareables),
                )
            )
        # Workers: ids from the sequence, then the case links point at them.
        worker_ids = _next_ids(Worker._meta.db_table, len(new_workers))
        worker_rows: list[tuple[Any, ...]] = []
        for worker_id, w in zip(worker_ids, new_workers, strict=True):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} D{worker_id}"
            recorders: list[int | None] = [*staff.get(w["cso"], [])] or [None]
            recorder = rng.choice(recorders)
            consent_at = w["at"] + datetime.timedelta(minutes=5)
            share, contact, stats = rng.random() < 0.1, rng.random() < 0.8, rng.random() < 0.9
            worker_rows.append(
                (
                    worker_id,
                    w["at"],
                    consent_at,
                    w["cso"],
                    "jobseeker" if rng.random() < 0.05 else "worker",
                    encrypt_name(name),
                    name_index(name),
                    rng.choice(["female", "male", "female", "male", "other"]),
                    _weighted(rng, NATIONALITIES),
                    rng.choice(["18_24", "25_34", "25_34", "35_44", "45_54", "unknown"]),
                    rng.choice(JOBS),
                    w["site"],
                    rng.choice(["Dawei", "Mawlamyine", "Kampong Cham", "Savannakhet", ""]),
                    share,
                    recorder if share else None,
                    consent_at if share else None,
                    contact,
                    recorder if contact else None,
                    consent_at if contact else None,
                    stats,
                    recorder if stats else None,
                    consent_at if stats else None,
                    1,
                )
            )
            recent_workers[w["cso"]].append(worker_id)
        links = [(case_id, wid if wid > 0 else worker_ids[-1 - wid]) for case_id, wid in links]
        totals["cases"] += copy_rows(Case, case_columns, cases)
        totals["issues"] += copy_rows(Issue, issue_columns, issue_rows)
        totals["workers"] += copy_rows(Worker, worker_columns, worker_rows)
        totals["case-worker links"] += copy_rows(CaseWorker, ["case_id", "worker_id"], links)
        totals["case businesses"] += copy_rows(
            CaseBusiness, ["case_id", "organisation_id", "site_id", "broker_name"], businesses
        )
    lap(f"{totals['cases']:,} cases and {totals['issues']:,} issues (COPY)")
    out.counts.update({f"added {k}": v for k, v in totals.items()})
    with connection.cursor() as cursor:
        for model in (Case, Issue, Worker, CaseWorker, CaseBusiness, Site):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    lap("ANALYZE")
    out.counts["issues"] = Issue.objects.count()
    out.counts["cases"] = Case.objects.count()
    out.counts["workers"] = Worker.objects.count()
    return out
