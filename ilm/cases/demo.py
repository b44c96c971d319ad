"""Demo cases for `manage.py demo`: about 60 cases across every state, category and business, with workers,
validations, ratings, repayments and escalations. Deterministic and idempotent (skipped once loaded).

Everything goes through the services (so the audit log and timelines are real); afterwards the dates
are spread over the past year, so timeliness figures have something to show.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import F
from django.utils import timezone

from ilm.cases import notifications, services
from ilm.cases.models import (
    Attachment,
    Case,
    CaseAction,
    CaseStatus,
    CaseUpdate,
    Contact,
    Escalation,
    Issue,
    IssueCategory,
    Notification,
    Payment,
    Worker,
    WorkerValidation,
)
from ilm.network.models import Country

SEED = 20260930
FIRST_NAMES = {
    "MM": ["Aung", "Thandar", "Kyaw", "Hnin", "Zaw", "Moe", "Su", "Min", "Ei", "Htet"],
    "KH": ["Sokha", "Dara", "Srey", "Vannak", "Chanthy", "Piseth", "Sophal", "Bopha"],
    "NP": ["Bishal", "Sita", "Ramesh", "Anita", "Suman", "Gita"],
    "TH": ["Somchai", "Malee", "Niran", "Ploy"],
}
LAST_NAMES = ["Win", "Oo", "Lwin", "Aye", "Chea", "Sok", "Lim", "Thapa", "Gurung", "Rai", "Srisuk", "Naing"]
SUMMARIES = [
    "Workers report that the employer keeps their passports and work permits.",
    "Overtime beyond legal limits without the agreed pay, several shifts a week.",
    "Recruitment fees were charged in the origin country and are deducted from wages.",
    "Dormitory rooms are overcrowded and the water supply fails often.",
    "Supervisors shout at and threaten workers who ask for leave.",
    "Wages for the last month were paid late and below the minimum wage.",
    "Workers were given a different contract on arrival than the one signed at home.",
    "No protective equipment at the chemical cleaning station.",
    "Workers were told they cannot leave the compound on rest days.",
    "A union member was dismissed after joining a meeting about wages.",
]
# (CSO slug, businesses it works with: (organisation slug, site name or ""))
CSO_BUSINESSES = {
    "th-voice": [
        ("siam-ocean", "Samut Sakhon Plant 1"),
        ("siam-ocean", "Mahachai Dormitory"),
        ("golden-hen", "Saraburi Processing Plant"),
        ("chao-phraya", "Mae Sot Factory"),
        ("songkhla-canning", "Songkhla Cannery"),
        ("andaman", "Vessel AF-3"),
        ("bangkok-labour", ""),
    ],
    "mm-union": [
        ("siam-ocean", "Samut Sakhon Plant 2"),
        ("chao-phraya", "Mae Sot Factory"),
        ("yangon-overseas", ""),
        ("mandalay-joblink", ""),
    ],
    "kh-rights": [
        ("golden-hen", "Korat Broiler Farm"),
        ("songkhla-canning", "Vessel SC-7"),
        ("phnom-penh-manpower", ""),
    ],
}
# How many cases per state (60 in all), in order of the lifecycle.
PLAN = [
    ("intake", 8),
    ("assessed", 6),
    ("shared", 9),
    ("in_remediation", 15),
    ("awaiting_validation", 8),
    ("resolved", 9),
    ("unresolved", 2),
    ("withdrew", 1),
    ("duplicate", 1),
    ("referred", 1),
]


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    if Case.objects.exists():
        return f"{Case.objects.count()} cases, {Contact.objects.count()} contacts"
    rng = random.Random(SEED)
    categories = list(IssueCategory.objects.filter(is_active=True))
    countries = {c.code: c for c in Country.objects.filter(code__in=FIRST_NAMES)}
    cso_slugs = list(CSO_BUSINESSES)
    opened: list[Case] = []
    n = 0
    with notifications.without_email():
        for state, count in PLAN:
            for _ in range(count):
                slug = cso_slugs[n % len(cso_slugs)]
                n += 1
                case = _one_case(rng, state, slug, orgs, members, categories, countries, opened)
                opened.append(case)
    _spread_dates(rng, opened)
    _questions(members)
    return f"{len(opened)} cases, {Contact.objects.count()} contacts"


def _worker(rng: random.Random, actor: Any, countries: dict[str, Any], site: Any, agency: Any) -> Worker:
    nationality = rng.choice(["MM", "MM", "MM", "KH", "KH", "NP", "TH"])
    name = f"{rng.choice(FIRST_NAMES[nationality])} {rng.choice(LAST_NAMES)}"
    phone = {"MM": "+95 9", "KH": "+855 12", "NP": "+977 98", "TH": "+66 8"}[nationality]
    return services.worker_create(
        actor=actor,
        full_name=name,
        identifiers=[
            ("phone", f"{phone} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"),
            ("line" if nationality == "TH" else "whatsapp", f"{name.split()[0].lower()}{rng.randint(10, 99)}"),
        ],
        gender=rng.choice(["female", "male"]),
        nationality=countries[nationality],
        age_band=rng.choice(["18_24", "25_34", "25_34", "35_44", "45_54"]),
        job=rng.choice(["Line worker", "Packer", "Fisher", "Sewing operator", "Farm hand", "Cleaner"]),
        site=site,
        recruitment_agency=agency,
        consents={
            "contact_for_validation": True,
            "statistics": rng.random() < 0.9,
            "share_identity": rng.random() < 0.15,
        },
    )


LANGUAGE_OF = {"MM": "my", "KH": "km", "NP": "ne", "TH": "th"}


def _contacts(cso: Any, workers: list[Worker]) -> None:
    """The worker's call or message that opened the case, on one of the CSO's channels in their language
    (moved back in time with the case). Its own random numbers: the cases' sequence stays as it was."""
    rng = random.Random(SEED + workers[0].pk)
    channels = list(cso.organisation.channels.all())
    for worker in workers:
        language = LANGUAGE_OF.get(worker.nationality_id or "", "en")
        spoken = [c for c in channels if language in (c.languages or [])] or channels
        services.contact_log(
            actor=cso,
            occurred_at=timezone.now(),
            who="worker",
            purpose="issue_report",
            channel=rng.choice(spoken) if spoken else None,
            language=language,
            worker=worker,
        )


def _questions(members: dict[tuple[str, str], Any]) -> int:
    """Calls and messages that asked for information or help without becoming a case, over the past year:
    most from workers already known to the CSO, some from jobseekers before they leave home."""
    rng = random.Random(SEED + 1)
    made = 0
    now = timezone.now()
    for slug in CSO_BUSINESSES:
        cso = members[(slug, "caseworker")]
        workers = list(Worker.objects.filter(cso_id=cso.organisation_id))
        channels = list(cso.organisation.channels.all())
        for _ in range(30):
            worker = rng.choice(workers) if workers and rng.random() < 0.7 else None
            language = LANGUAGE_OF.get(worker.nationality_id or "", "en") if worker else rng.choice(["my", "km", "ne"])
            services.contact_log(
                actor=cso,
                occurred_at=now - datetime.timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 23)),
                who="worker" if worker else "jobseeker",
                purpose=rng.choice(["information", "information", "assistance"]),
                channel=rng.choice(channels) if channels else None,
                language=language,
                worker=worker,
            )
            made += 1
    return made


def _one_case(
    rng: random.Random,
    state: str,
    slug: str,
    orgs: dict[str, Any],
    members: dict[tuple[str, str], Any],
    categories: list[Any],
    countries: dict[str, Any],
    opened: list[Case],
) -> Case:
    cso = members[(slug, "caseworker")]
    org_slug, site_name = rng.choice(CSO_BUSINESSES[slug])
    organisation = orgs[org_slug]
    site = organisation.sites.filter(name=site_name).first() if site_name else None
    collective = rng.random() < 0.3
    workers = [_worker(rng, cso, countries, site, None) for _ in range(1 if not collective else rng.randint(2, 3))]
    _contacts(cso, workers)
    case = services.case_open(
        actor=cso,
        summary=rng.choice(SUMMARIES),
        is_collective=collective,
        workers_count=rng.randint(5, 120) if collective else 1,
        workers=workers,
        internal_notes="Called on the hotline; prefers evening calls.",
        risk_level=rng.choice(["low", "medium", "medium", "high", "critical"]),
    )
    Contact.objects.filter(worker__in=workers, case__isnull=True).update(case=case)  # the call that opened it
    services.case_add_business(actor=cso, case=case, organisation=None if site else organisation, site=site)
    for category in rng.sample(categories, rng.randint(1, 3)):
        services.issue_add(
            actor=cso,
            case=case,
            category=category,
            workers_affected=case.workers_count if collective else 1,
            zero_tolerance=category.code in ("child_labour", "physical_sexual_violence"),
            shareable_description=f"{category.name} reported by workers.",
        )
    if state == "intake":
        return case
    services.case_assess(actor=cso, case=_fresh(case))
    if state == "assessed":
        return case
    services.case_share(actor=cso, case=_fresh(case), acknowledge_small_groups=True)
    if state == "shared":
        return case
    responder = members.get((org_slug, "responder"))
    services.case_respond(actor=responder, case=_fresh(case), text="We have received the case and are investigating.")
    action = services.action_add(
        actor=responder,
        case=_fresh(case),
        description="Meet the workers' representatives and agree a correction plan.",
        responsible=organisation,
        due_date=timezone.localdate() + datetime.timedelta(days=rng.randint(-20, 40)),
    )
    if rng.random() < 0.7:
        services.action_update(
            actor=responder,
            action=action,
            text="Meeting held; plan agreed.",
            status=rng.choice(["in_progress", "done"]),
        )
    if rng.random() < 0.35:
        services.payment_record(
            actor=cso,
            case=_fresh(case),
            worker=workers[0],
            currency="THB" if organisation.countries.filter(code="TH").exists() else "MYR",
            amount_owed=str(rng.randint(8, 60) * 1000),
            amount_repaid=str(rng.choice([0, rng.randint(4, 8) * 1000])),
        )
    if rng.random() < 0.2 and org_slug in ("siam-ocean", "golden-hen", "songkhla-canning"):
        services.case_escalate(
            actor=cso,
            case=_fresh(case),
            buyer=orgs["northwind"],
            reason="The supplier has not acted on the agreed plan.",
        )
    if state == "in_remediation":
        return case
    services.case_request_validation(actor=cso, case=_fresh(case))
    if state == "awaiting_validation":
        return case
    lead = members[(slug, "case_manager")]
    if state == "resolved":
        services.validation_record(
            actor=cso,
            case=_fresh(case),
            worker=workers[0],
            method=rng.choice(["phone", "in_person", "message"]),
            satisfaction=rng.randint(3, 5),
            confirms_remediation=True,
        )
        for issue in _fresh(case).issues.all():
            services.issue_rate(actor=lead, issue=issue, rating=rng.choice(["fair", "good", "good", "excellent"]))
        services.case_close(actor=lead, case=_fresh(case), closure="resolved")
    elif state == "duplicate":
        services.case_close(
            actor=lead,
            case=_fresh(case),
            closure="duplicate",
            reason="Reported twice.",
            merged_into=next(c for c in opened if c.cso_id == case.cso_id),
        )
    else:
        if state == "unresolved":
            for issue in _fresh(case).issues.all():
                services.issue_rate(actor=lead, issue=issue, rating="poor")
        reasons = {
            "unresolved": "The employer refused further action.",
            "withdrew": "The worker asked us to stop.",
            "referred": "Referred to the labour inspectorate.",
        }
        services.case_close(actor=lead, case=_fresh(case), closure=state, reason=reasons[state])
    return case


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# Each case part's own dates, moved with its case so a page never shows a step months after the timeline.
PART_DATES: list[tuple[Any, list[str]]] = [
    (Contact, ["occurred_at"]),
    (Issue, ["rated_at"]),
    (WorkerValidation, ["validated_at", "recorded_at"]),
    (Escalation, ["escalated_at"]),
    (CaseAction, ["due_date", "completed_at", "last_reverted_at"]),
    (Payment, ["paid_on", "verified_at", "recorded_at"]),
    (Attachment, ["created_at"]),
    (Notification, ["created_at"]),
]


def _shift_parts(case: Case, shift: datetime.timedelta) -> None:
    for model, fields in PART_DATES:
        rows = list(model.objects.filter(case=case))
        for row in rows:
            for field in fields:
                value = getattr(row, field)
                if value is not None:
                    setattr(row, field, value - (datetime.timedelta(days=shift.days) if field in DATE_ONLY else shift))
        if rows:
            model.objects.bulk_update(rows, fields)


DATE_ONLY = {"due_date", "paid_on"}


def _spread_dates(rng: random.Random, cases: list[Case]) -> None:
    """Move each case back in time as a whole (keeping the order of its steps), across the past year."""
    now = timezone.now()
    for case in cases:
        case.refresh_from_db()
        shift = datetime.timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 23))
        if case.status == CaseStatus.SHARED:
            shift = datetime.timedelta(days=rng.randint(2, 20))  # some recent, some overdue
        fields = [
            "opened_at",
            "assessed_at",
            "shared_at",
            "first_response_at",
            "validation_requested_at",
            "closed_at",
            "last_activity_at",
        ]
        Case.objects.filter(pk=case.pk).update(**{f: F(f) - shift for f in fields if getattr(case, f)})
        CaseUpdate.objects.filter(case=case).update(created_at=F("created_at") - shift)
        _shift_parts(case, shift)
        # Responses come some days after sharing, not in the same second.
        if case.first_response_at:
            delay = datetime.timedelta(days=rng.randint(1, 12))
            Case.objects.filter(pk=case.pk).update(first_response_at=F("first_response_at") + delay)
        if case.closed_at:
            delay = datetime.timedelta(days=rng.randint(14, 90))
            closed = min(now, case.closed_at - shift + delay)
            Case.objects.filter(pk=case.pk).update(closed_at=closed, last_activity_at=closed)
