"""Seed 100,000 cases on top of the network seed (bench/seed.py), with bulk inserts.

The services audit and notify on every step, far too slow for 100,000 cases: rows are built here with
every field a real case would have, and inserted with bulk_create. The timeline (CaseUpdate), actions,
audit events and django-simple-history rows are not created: no list reads them.

Shape (deterministic, random.Random(SEED)):
- 100,000 cases over the 150 CSOs: 30,000 for the "big" CSO (the benchmark caseworker's), then
  12,000, 8,000, 6,000 and 4,000 for four more, the remaining 40,000 spread over the other 145.
- Ids grow with the opening date (newest case = highest id), as in production.
- Status mix: intake 6 %, assessed 5 %, shared 9 %, in remediation 28 %, awaiting validation 8 %,
  closed 44 % (resolved, unresolved, withdrew, duplicate -> merged_into, referred); shared_at set on
  every case that was shared (also on most closed ones), first_response_at once the business answered,
  reopened_at on a few, last_activity_at old enough on some open cases that they are overdue.
- 1-5 issues per case (about 290,000), categories from IssueCategory, weighted; forced_labour from the
  category's indicator flag, zero_tolerance for child labour and violence; encrypted CSO description and
  a shareable description (the documents categories mention passports); ratings on closed cases.
- Each case concerns a supplier (a site of it 70 % of the time), sometimes also one of the supplier's
  recruitment agencies or an informal broker. 17 % of cases concern a supplier in the chain of the
  benchmark buyer with 300 suppliers, 3 % one in the 30-supplier chain, the rest any supplier.
- 50,000 workers (names encrypted with their blind index, demographics, consents with who and when),
  linked to their cases; phone numbers, messaging handles and passport numbers for some (encrypted,
  blind-indexed); validations on resolved cases, repayments on some, escalations to buyers whose chain
  holds the business (the benchmark buyer among them).
- Caseworkers and a case manager in every CSO (cases are assigned to them).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

SEED = 20260301
CASES = 100_000
WORKERS = 50_000
LARGE_CSOS = (30_000, 12_000, 8_000, 6_000, 4_000)  # the first is the benchmark caseworker's CSO
CHAIN_SHARE = {"big": 0.17, "small": 0.03}  # share of cases about a supplier in that benchmark buyer's chain
STATUS_MIX = [
    ("intake", 6),
    ("assessed", 5),
    ("shared", 9),
    ("in_remediation", 28),
    ("awaiting_validation", 8),
    ("closed", 44),
]
CLOSURE_MIX = [("resolved", 55), ("unresolved", 15), ("withdrew", 10), ("duplicate", 8), ("referred", 12)]
ISSUES_PER_CASE = [(1, 20), (2, 20), (3, 25), (4, 20), (5, 15)]
CATEGORY_WEIGHTS = {
    "wages_deductions": 12,
    "working_hours": 10,
    "recruitment_fees": 9,
    "excessive_overtime": 8,
    "retention_of_documents": 6,
    "withholding_of_wages": 6,
    "occupational_safety_health": 6,
    "housing_canteen": 5,
    "discrimination_harassment": 4,
    "contract_substitution": 4,
    "termination": 4,
    "debt_bondage": 3,
    "deception": 3,
    "intimidation_threats": 3,
    "abusive_conditions": 3,
    "leave": 3,
    "social_security": 3,
    "grievance_handling": 2,
    "freedom_of_association": 2,
    "restriction_of_movement": 2,
    "abuse_of_vulnerability": 2,
    "other": 2,
    "isolation": 1,
    "physical_sexual_violence": 1,
    "child_labour": 1,
}
ZERO_TOLERANCE = {"child_labour", "physical_sexual_violence"}
SHAREABLE = {
    "retention_of_documents": [
        "The employer keeps the workers' passports and work permits in the office safe.",
        "Passports were taken on arrival 'for registration' and have not been returned.",
        "Workers must pay a deposit to get their passport back for a visit home.",
    ],
    "recruitment_fees": [
        "Workers paid recruitment fees to a broker in the origin country and repay them from wages.",
        "A fee for the visa and passport was charged twice: once at home and again on arrival.",
    ],
    "wages_deductions": [
        "Deductions for uniforms, housing and transport bring pay below the minimum wage.",
        "Payslips are not given; the deductions cannot be checked.",
    ],
    "working_hours": ["Twelve-hour shifts six days a week in the peak season."],
    "excessive_overtime": ["Overtime beyond the legal limit, paid at the normal rate."],
    "withholding_of_wages": ["Wages for the last month were held back until the end of the contract."],
    "housing_canteen": ["Dormitory rooms for twelve people, water supply fails often."],
    "occupational_safety_health": ["No protective equipment at the chemical cleaning station."],
    "contract_substitution": ["A different contract was handed over on arrival than the one signed at home."],
    "debt_bondage": ["Loans for the journey are repaid from wages at an interest nobody explained."],
    "restriction_of_movement": ["Workers may not leave the compound on rest days without a supervisor."],
}
SUMMARIES = [
    "Workers report {topic} at the {place}. The CSO asks the business to investigate and agree a plan.",
    "A group of workers describe {topic}; several colleagues are affected. Remediation is requested.",
    "Hotline report about {topic} at the {place}, confirmed by a second caller.",
    "Follow-up of an earlier complaint: {topic} continues at the {place}.",
]
PLACES = ["factory", "processing plant", "farm", "dormitory", "vessel", "packing line", "cold store"]
INTERNAL = [
    "Called from a friend's phone; call back only in the evening.",
    "Worried about retaliation from the line supervisor. Do not mention the night shift.",
    "Met at the drop-in centre with two colleagues. Speaks Burmese only.",
    "Prefers LINE messages; the phone is shared with the roommate.",
]
FIRST_NAMES = ["Aung", "Thandar", "Kyaw", "Hnin", "Zaw", "Moe", "Sokha", "Dara", "Srey", "Bishal", "Sita", "Malee"]
LAST_NAMES = ["Win", "Oo", "Lwin", "Aye", "Chea", "Sok", "Lim", "Thapa", "Gurung", "Rai", "Srisuk", "Naing"]
NATIONALITIES = [("MM", 45), ("KH", 20), ("LA", 10), ("TH", 10), ("NP", 5), ("BD", 5), ("VN", 5)]
JOBS = ["Line worker", "Packer", "Fisher", "Sewing operator", "Farm hand", "Cleaner", "Machine operator"]
CURRENCY = {"TH": "THB", "MY": "MYR", "KH": "KHR", "MM": "MMK", "VN": "VND", "ID": "IDR", "IN": "INR"}
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(slots=True)
class Plan:
    cso: int
    status: str
    closure: str
    opened: datetime.datetime
    assessed: datetime.datetime | None = None
    shared: datetime.datetime | None = None
    responded: datetime.datetime | None = None
    validation: datetime.datetime | None = None
    closed: datetime.datetime | None = None
    reopened: datetime.datetime | None = None
    activity: datetime.datetime | None = None
    supplier: int = 0
    site: int | None = None
    country: str | None = None
    agency: int | None = None
    broker: bool = False
    collective: bool = False
    workers_count: int = 1
    workers: list[int] = field(default_factory=list)  # indexes into the CSO's workers


@dataclass
class SeededCases:
    big_cso: Any = None  # Organisation
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)


@contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the timestamps we set: auto_now/auto_now_add would stamp every row 'now'."""
    saved: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def seed_cases(chains: dict[str, set[int]], buyers: dict[str, Any]) -> SeededCases:
    from ilm.accounts.models import Membership, User
    from ilm.cases.models import (
        Case,
        CaseBusiness,
        CaseWorker,
        Escalation,
        Issue,
        IssueCategory,
        Payment,
        Worker,
        WorkerIdentifier,
        WorkerValidation,
        search_text_of,
    )
    from ilm.network.models import Link, Organisation, Site

    rng = random.Random(SEED)
    now = timezone.now()
    out = SeededCases()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        out.timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    # --- what the network seed made ----------------------------------------------------------------
    csos = list(Organisation.objects.filter(kind="cso").order_by("id"))
    out.big_cso = csos[0]
    suppliers = list(Organisation.objects.filter(kind="supplier").order_by("id").values_list("id", flat=True))
    sites_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for site_id, supplier_id, country in Site.objects.values_list("id", "supplier_id", "country_id"):
        sites_of[supplier_id].append((site_id, country))
    country_of: dict[int, str] = {}
    for org_id, code in Organisation.countries.through.objects.order_by("id").values_list(
        "organisation_id", "country_id"
    ):
        country_of.setdefault(org_id, code)
    agencies_of: dict[int, list[int]] = defaultdict(list)
    buyers_of: dict[int, list[int]] = defaultdict(list)
    for kind, customer, provider in (
        Link.objects.current().filter(status="confirmed").values_list("kind", "customer_id", "provider_id")
    ):
        if kind == "recruitment":
            agencies_of[customer].append(provider)
        elif kind == "supply":
            buyers_of[provider].append(customer)
    categories = {c.code: c for c in IssueCategory.objects.filter(is_active=True)}
    out.category_ids = {code: c.pk for code, c in categories.items()}
    weighted_codes = [(code, CATEGORY_WEIGHTS.get(code, 1)) for code in categories]
    big_chain, small_chain = sorted(chains["big"]), sorted(chains["small"])
    big_buyer = buyers["big"].pk
    lap("read network")

    # --- caseworkers and case managers ------------------------------------------------------------
    per_cso = list(LARGE_CSOS)
    rest = CASES - sum(per_cso)
    weights = [rng.uniform(0.3, 1.7) for _ in csos[len(per_cso) :]]
    shares = [int(rest * w / sum(weights)) for w in weights]
    shares[-1] += rest - sum(shares)
    per_cso += shares
    unusable = make_password(None)
    staff: list[tuple[Organisation, str]] = []
    for cso, count in zip(csos, per_cso, strict=True):
        staff += [(cso, "caseworker")] * max(2, min(25, count // 1000)) + [(cso, "case_manager")]
    users = User.objects.bulk_create(
        [
            User(username=f"cw-{i}-{org.pk}", email=f"cw-{i}-{org.pk}@bench.invalid", password=unusable)
            for i, (org, _role) in enumerate(staff)
        ],
        batch_size=2000,
    )
    members = Membership.objects.bulk_create(
        [Membership(user=user, organisation=org, role=role) for user, (org, role) in zip(users, staff, strict=True)],
        batch_size=2000,
    )
    caseworkers: dict[int, list[int]] = defaultdict(list)
    managers: dict[int, int] = {}
    for member, (org, role) in zip(members, staff, strict=True):
        if role == "caseworker":
            caseworkers[org.pk].append(member.pk)
        else:
            managers[org.pk] = member.pk
    out.counts["CSO staff"] = len(members)

    # --- plan the cases (no objects yet) ----------------------------------------------------------
    def days(lo: float, hi: float) -> datetime.timedelta:
        return datetime.timedelta(days=rng.uniform(lo, hi))

    def after(prev: datetime.datetime, lo: float, hi: float) -> datetime.datetime:
        """A moment `lo`-`hi` days after `prev`, but in the past (and never before `prev`)."""
        latest = now - datetime.timedelta(minutes=rng.randint(1, 600))
        return max(prev, min(prev + days(lo, hi), latest))

    plans: list[Plan] = []
    for cso, count in zip(csos, per_cso, strict=True):
        for _ in range(count):
            status = _weighted(rng, STATUS_MIX)
            closure = _weighted(rng, CLOSURE_MIX) if status == "closed" else ""
            p = Plan(cso=cso.pk, status=status, closure=closure, opened=now)
            if status == "intake":
                p.opened = now - days(0, 30)
                p.activity = after(p.opened, 0, 3)
            elif status == "assessed":
                p.opened = now - days(1, 45)
                p.assessed = after(p.opened, 0.5, 10)
                p.activity = after(p.assessed, 0, 5)
            elif status == "shared":
                p.shared = now - days(0, 40)  # older than 7 days without a response: overdue
                p.assessed = p.shared - days(0, 10)
                p.opened = p.assessed - days(0.5, 10)
                p.activity = p.shared
            else:
                span = {"in_remediation": (15, 500), "awaiting_validation": (30, 500), "closed": (40, 1100)}[status]
                p.opened = now - days(*span)
                p.assessed = after(p.opened, 0.5, 10)
                was_shared = status != "closed" or closure in ("resolved", "unresolved") or rng.random() < 0.5
                if was_shared:
                    p.shared = after(p.assessed, 0, 14)
                    p.responded = after(p.shared, 1, 20)
                last = p.responded or p.assessed
                if status == "in_remediation":
                    fresh = rng.random() < 0.82
                    p.activity = now - days(0, 13) if fresh else now - days(15, 90)
                    p.activity = max(p.activity, last)
                elif status == "awaiting_validation":
                    p.validation = after(last, 20, 200)
                    p.activity = after(p.validation, 0, 10)
                else:
                    if closure == "resolved":
                        p.validation = after(last, 20, 200)
                        last = p.validation
                    p.closed = after(last, 5, 60)
                    p.activity = p.closed
                if status != "closed" and p.shared and rng.random() < 0.04:
                    p.reopened = after(p.responded or p.shared, 1, 30)
                    p.activity = max(p.activity or p.reopened, p.reopened)
            roll = rng.random()
            if roll < CHAIN_SHARE["big"]:
                p.supplier = rng.choice(big_chain)
            elif roll < CHAIN_SHARE["big"] + CHAIN_SHARE["small"]:
                p.supplier = rng.choice(small_chain)
            else:
                p.supplier = rng.choice(suppliers)
            sites = sites_of.get(p.supplier)
            if sites and rng.random() < 0.7:
                p.site, p.country = rng.choice(sites)
            else:
                p.country = country_of.get(p.supplier)
            if agencies_of.get(p.supplier) and rng.random() < 0.15:
                p.agency = rng.choice(agencies_of[p.supplier])
            p.broker = rng.random() < 0.03
            p.collective = rng.random() < 0.15
            p.workers_count = rng.randint(3, 300) if p.collective else 1
            plans.append(p)

    # Workers: about WORKERS in all, each CSO's share in proportion to its cases; new ones first.
    by_cso: dict[int, list[Plan]] = defaultdict(list)
    for p in plans:
        by_cso[p.cso].append(p)
    worker_count: dict[int, int] = {}
    first_site: dict[tuple[int, int], int | None] = {}
    for cso_id, cso_plans in by_cso.items():
        cso_plans.sort(key=lambda p: p.opened)
        n = max(3, round(len(cso_plans) * WORKERS / CASES))
        worker_count[cso_id] = n
        used = 0
        for p in cso_plans:
            named = rng.choice([0, 1, 1, 2, 3]) if p.collective else (0 if rng.random() < 0.05 else 1)
            for _ in range(named):
                index = used if used < n else rng.randrange(n)
                used += 1
                if index not in p.workers:
                    p.workers.append(index)
                    first_site.setdefault((cso_id, index), p.site)
    plans.sort(key=lambda p: p.opened)  # ids grow with the opening date
    lap("plan")

    # --- workers and their identifiers ------------------------------------------------------------
    nationalities = NATIONALITIES
    worker_ids: dict[tuple[int, int], int] = {}
    worker_rows: list[Worker] = []
    keys: list[tuple[int, int]] = []
    for cso_id, n in worker_count.items():
        recorder = caseworkers[cso_id][0]
        for index in range(n):
            created = now - days(1, 1100)
            consent_at = created + datetime.timedelta(minutes=5)
            share, contact, stats = rng.random() < 0.1, rng.random() < 0.8, rng.random() < 0.9
            nationality = _weighted(rng, nationalities)
            worker_rows.append(
                Worker(
                    cso_id=cso_id,
                    kind="jobseeker" if rng.random() < 0.05 else "worker",
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index}",
                    gender=rng.choice(["female", "male", "female", "male", "other"]),
                    nationality_id=nationality,
                    age_band=rng.choice(["18_24", "25_34", "25_34", "35_44", "45_54", "unknown"]),
                    job=rng.choice(JOBS),
                    site_id=first_site.get((cso_id, index)),
                    origin_area=rng.choice(["Dawei", "Mawlamyine", "Kampong Cham", "Savannakhet", ""]),
                    consent_share_identity=share,
                    consent_share_identity_by_id=recorder if share else None,
                    consent_share_identity_at=consent_at if share else None,
                    consent_contact_for_validation=contact,
                    consent_contact_for_validation_by_id=recorder if contact else None,
                    consent_contact_for_validation_at=consent_at if contact else None,
                    consent_statistics=stats,
                    consent_statistics_by_id=recorder if stats else None,
                    consent_statistics_at=consent_at if stats else None,
                    version=rng.randint(1, 4),
                    created_at=created,
                    updated_at=consent_at,
                )
            )
            keys.append((cso_id, index))
    with explicit_timestamps(Worker, WorkerIdentifier):
        Worker.objects.bulk_create(worker_rows, batch_size=5000)
        for key, worker in zip(keys, worker_rows, strict=True):
            worker_ids[key] = worker.pk
        identifiers: list[WorkerIdentifier] = []
        prefixes = {"MM": "+95 9", "KH": "+855 12", "LA": "+856 20", "TH": "+66 8", "NP": "+977 98"}
        for worker in worker_rows:
            if rng.random() < 0.4:
                prefix = prefixes.get(worker.nationality_id or "", "+66 9")
                number = f"{prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                identifiers.append(
                    WorkerIdentifier(worker_id=worker.pk, kind="phone", value=number, created_at=worker.created_at)
                )
            if rng.random() < 0.2:
                handle = f"{worker.full_name.split()[0].lower()}{rng.randint(10, 9999)}"
                kind = rng.choice(["line", "whatsapp", "messenger", "viber"])
                identifiers.append(
                    WorkerIdentifier(worker_id=worker.pk, kind=kind, value=handle, created_at=worker.created_at)
                )
            if rng.random() < 0.05:
                passport = f"M{rng.randint(1000000, 9999999)}"
                identifiers.append(
                    WorkerIdentifier(worker_id=worker.pk, kind="passport", value=passport, created_at=worker.created_at)
                )
        WorkerIdentifier.objects.bulk_create(identifiers, batch_size=5000)
    out.counts["workers"] = len(worker_rows)
    out.counts["worker identifiers"] = len(identifiers)
    del worker_rows, identifiers
    lap("workers (encrypted names, blind indexes)")

    # --- cases and everything under them, in chunks ------------------------------------------------
    references: set[str] = set()

    def reference() -> str:
        while True:
            chars = "".join(rng.choices(REF_ALPHABET, k=8))
            ref = f"C-{chars[:4]}-{chars[4:]}"
            if ref not in references:
                references.add(ref)
                return ref

    totals: dict[str, int] = defaultdict(int)
    duplicates: list[tuple[int, int]] = []
    last_case_of: dict[int, int] = {}  # cso -> the newest case id so far (a duplicate repeats it)
    chunk_size = 5000
    with explicit_timestamps(Case, Issue, Escalation, Payment, WorkerValidation):
        for start in range(0, len(plans), chunk_size):
            chunk = plans[start : start + chunk_size]
            cases: list[Case] = []
            issue_codes: list[list[str]] = []
            for p in chunk:
                codes: list[str] = []
                wanted = _weighted(rng, ISSUES_PER_CASE)
                while len(codes) < wanted:
                    code = _weighted(rng, weighted_codes)
                    if code not in codes:
                        codes.append(code)
                issue_codes.append(codes)
                topic = str(categories[codes[0]].name).lower()
                has_summary = p.status != "intake" or rng.random() < 0.4
                closure_reason = ""
                if p.closure and p.closure != "resolved":
                    closure_reason = {
                        "unresolved": "The employer refused further action after three reminders.",
                        "withdrew": "The worker asked us to stop; a new job elsewhere.",
                        "duplicate": "Reported twice by workers of the same line.",
                        "referred": "Referred to the labour inspectorate.",
                    }[p.closure]
                steps = sum(x is not None for x in (p.assessed, p.shared, p.responded, p.validation, p.closed))
                cases.append(
                    Case(
                        reference=reference(),
                        cso_id=p.cso,
                        status=p.status,
                        closure=p.closure,
                        closure_reason=closure_reason,
                        summary=(
                            rng.choice(SUMMARIES).format(topic=topic, place=rng.choice(PLACES)) if has_summary else ""
                        ),
                        internal_notes=rng.choice(INTERNAL),
                        risk_level=rng.choice(["low", "medium", "medium", "medium", "high", "critical"]),
                        assigned_to_id=rng.choice(caseworkers[p.cso]),
                        is_collective=p.collective,
                        workers_count=p.workers_count,
                        country_id=p.country,
                        opened_at=p.opened,
                        assessed_at=p.assessed,
                        shared_at=p.shared,
                        first_response_at=p.responded,
                        validation_requested_at=p.validation,
                        closed_at=p.closed,
                        reopened_at=p.reopened,
                        last_activity_at=p.activity,
                        version=1 + 2 * steps + rng.randint(0, 6),
                        created_at=p.opened,
                        updated_at=p.activity,
                    )
                )
            Case.objects.bulk_create(cases, batch_size=2500)
            issues: list[Issue] = []
            businesses: list[CaseBusiness] = []
            links: list[CaseWorker] = []
            escalations: list[Escalation] = []
            payments: list[Payment] = []
            validations: list[WorkerValidation] = []
            for p, case, codes in zip(chunk, cases, issue_codes, strict=True):
                if p.closure == "duplicate" and p.cso in last_case_of:
                    duplicates.append((case.pk, last_case_of[p.cso]))
                last_case_of[p.cso] = case.pk
                rated = p.closure in ("resolved", "unresolved")
                for code in codes:
                    category = categories[code]
                    shareable = ""
                    if p.status != "intake":
                        options = SHAREABLE.get(code) or [f"{category.name} reported by workers."]
                        shareable = rng.choice(options)
                    issues.append(
                        Issue(
                            case_id=case.pk,
                            category_id=category.pk,
                            workers_affected=rng.randint(1, p.workers_count) if p.collective else 1,
                            forced_labour=category.is_forced_labour_indicator or rng.random() < 0.03,
                            zero_tolerance=code in ZERO_TOLERANCE or rng.random() < 0.01,
                            description=f"{category.name}: details as told on the hotline, case {case.reference}.",
                            shareable_description=shareable,
                            rating=(
                                rng.choice(["fair", "good", "good", "excellent"])
                                if p.closure == "resolved"
                                else ("poor" if p.closure == "unresolved" else "")
                            ),
                            rated_by_id=managers[p.cso] if rated else None,
                            rated_at=p.closed - datetime.timedelta(hours=2) if rated and p.closed else None,
                            created_at=p.opened,
                            updated_at=p.activity,
                        )
                    )
                businesses.append(CaseBusiness(case_id=case.pk, organisation_id=p.supplier, site_id=p.site))
                if p.agency:
                    businesses.append(CaseBusiness(case_id=case.pk, organisation_id=p.agency))
                if p.broker:
                    businesses.append(CaseBusiness(case_id=case.pk, broker_name=f"Broker {rng.randint(1, 400)}"))
                workers = [worker_ids[(p.cso, i)] for i in p.workers]
                links += [CaseWorker(case_id=case.pk, worker_id=w) for w in workers]
                if p.shared:
                    targets: list[int] = []
                    if p.supplier in chains["big"] and rng.random() < 0.03:
                        targets.append(big_buyer)
                    if buyers_of.get(p.supplier) and rng.random() < 0.02:
                        other = rng.choice(buyers_of[p.supplier])
                        if other not in targets:
                            targets.append(other)
                    for buyer_id in targets:
                        escalations.append(
                            Escalation(
                                case_id=case.pk,
                                buyer_id=buyer_id,
                                reason="The supplier has not acted on the agreed plan.",
                                escalated_by_id=case.assigned_to_id,
                                escalated_at=after(p.shared, 7, 40),
                            )
                        )
                if p.responded and p.closure not in ("withdrew", "duplicate", "referred") and rng.random() < 0.12:
                    currency = CURRENCY.get(p.country or "", "USD")
                    for _ in range(rng.randint(1, 2)):
                        owed = Decimal(rng.randint(8, 60) * 1000)
                        repaid = owed if p.closure == "resolved" else Decimal(rng.choice([0, rng.randint(1, 8) * 500]))
                        verified = bool(repaid) and rng.random() < 0.6
                        paid = after(p.responded, 5, 60) if repaid else None
                        payments.append(
                            Payment(
                                case_id=case.pk,
                                worker_id=workers[0] if workers and not p.collective else None,
                                group_label="line 3 night shift" if p.collective or not workers else "",
                                workers_count=p.workers_count,
                                currency=currency,
                                amount_owed=owed,
                                amount_repaid=repaid,
                                paid_on=paid.date() if paid else None,
                                verified_by_worker=verified,
                                verified_at=after(paid, 1, 10) if verified and paid else None,
                                verified_how=rng.choice(["phone", "in_person", "message"]) if verified else "",
                                recorded_by_id=case.assigned_to_id,
                                recorded_at=after(p.responded, 1, 30),
                            )
                        )
                if p.validation and (p.closure == "resolved" or rng.random() < 0.2):
                    when = after(p.validation, 1, 20)
                    if p.closed:
                        when = min(when, p.closed)
                    validations.append(
                        WorkerValidation(
                            case_id=case.pk,
                            worker_id=workers[0] if workers else None,
                            method=rng.choice(["phone", "in_person", "message", "group_meeting"]),
                            validated_at=when,
                            satisfaction=rng.randint(3, 5) if p.closure == "resolved" else rng.randint(1, 5),
                            confirms_remediation=p.closure == "resolved" or rng.random() < 0.5,
                            comments="",
                            recorded_by_id=case.assigned_to_id,
                            recorded_at=when,
                        )
                    )
            Issue.objects.bulk_create(issues, batch_size=5000)
            shareable: dict[int, list[str]] = defaultdict(list)
            for issue in issues:
                shareable[issue.case_id].append(issue.shareable_description)
            for case in cases:  # what services.refresh_search_text keeps current in the product
                case.search_text = search_text_of(case.reference, case.summary, shareable[case.pk])
            Case.objects.bulk_update(cases, ["search_text"], batch_size=2500)
            CaseBusiness.objects.bulk_create(businesses, batch_size=5000)
            CaseWorker.objects.bulk_create(links, batch_size=5000)
            Escalation.objects.bulk_create(escalations, batch_size=5000)
            Payment.objects.bulk_create(payments, batch_size=5000)
            WorkerValidation.objects.bulk_create(validations, batch_size=5000)
            for name, rows in (
                ("cases", cases),
                ("issues", issues),
                ("case businesses", businesses),
                ("case-worker links", links),
                ("escalations", escalations),
                ("payments", payments),
                ("validations", validations),
            ):
                totals[name] += len(rows)
    lap("cases, issues, businesses, links, escalations, payments, validations")

    Case.objects.bulk_update(
        [Case(pk=pk, merged_into_id=target) for pk, target in duplicates], ["merged_into"], batch_size=1000
    )
    out.counts.update(totals)
    out.counts["big CSO cases"] = per_cso[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("ANALYZE")
    return out
