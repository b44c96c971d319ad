"""Demo action plans for `manage.py demo`: Country Action Plans for Thailand, Myanmar and Cambodia for this
year (with the framework's example rows), and a Business Action Plan and a baseline for each demo supplier
and recruitment agency. Idempotent: a plan or baseline that exists is left alone.

Everything goes through the services, acting as the people who would do it: each country's CSO writes its
country's plan, each business writes its own plan and baseline.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ilm.core.permissions import OrgKind
from ilm.network.models import Country
from ilm.plans import services
from ilm.plans.models import Baseline, Plan, PlanKind

# Per country: the CSO that writes it, then rows of
# (activities, description, organisation slugs, other partners, remarks, status, due quarter)
COUNTRY_PLANS: dict[str, tuple[str, list[tuple[str, str, list[str], str, str, str, str]]]] = {
    "TH": (
        "th-voice",
        [
            (
                "WV 1.2",
                "Independent worker voice channels, language A",
                ["th-voice"],
                "NGO Partner 1",
                "Hotline + WhatsApp, open to all",
                "in_progress",
                "Q2",
            ),
            (
                "WV 1.3",
                "Posters and LINE announcements of the channels at every partner site, in Burmese and Khmer",
                ["th-voice"],
                "",
                "All Samut Sakhon sites first",
                "planned",
                "Q3",
            ),
            (
                "ER 2.2",
                "Employer-pays recruitment procedures with destination agencies",
                ["bangkok-labour", "siam-ocean"],
                "",
                "Zero-fee hiring from Myanmar; aim for completion by Q2",
                "in_progress",
                "Q2",
            ),
            (
                "ER 2.6-7",
                "Recruitment fee surveys at seafood sites and repayment to eligible workers",
                ["th-voice", "songkhla-canning"],
                "",
                "Surveys by Q2, repayment plans by Q4",
                "planned",
                "Q4",
            ),
        ],
    ),
    "MM": (
        "mm-union",
        [
            (
                "WV 1.2",
                "Independent worker voice channels, language A",
                ["mm-union"],
                "NGO Partner 1",
                "Viber + hotline, open to all jobseekers",
                "done",
                "Q1",
            ),
            (
                "ER 2.9",
                "Ethical Recruitment Network in Yangon and Mandalay: first-mile outreach and broker reports",
                ["yangon-overseas", "mandalay-joblink", "mm-union"],
                "Regional labour office",
                "Agencies experienced in zero-fee hiring; open to partners in destination countries",
                "in_progress",
                "Q3",
            ),
            (
                "WV 1.6",
                "Pre-departure education for jobseekers on fees, contracts and where to get help",
                ["mm-union"],
                "",
                "Monthly sessions in Yangon",
                "in_progress",
                "Q4",
            ),
        ],
    ),
    "KH": (
        "kh-rights",
        [
            (
                "WV 1.2",
                "Independent worker voice channels, language A",
                ["kh-rights"],
                "NGO Partner 1",
                "Hotline + WhatsApp + Telegram, open to all",
                "in_progress",
                "Q2",
            ),
            (
                "ER 2.5",
                "Communicate employer-pays policies to job candidates in Khmer",
                ["phnom-penh-manpower", "kh-rights"],
                "",
                "Leaflets and Telegram posts before each recruitment round",
                "planned",
                "Q3",
            ),
            (
                "ER 2.8",
                "Ethical recruitment training for origin agencies",
                ["phnom-penh-manpower"],
                "Ministry of Labour trainers",
                "Two sessions",
                "planned",
                "Q4",
            ),
        ],
    ),
}

# Rows of each business's plan, by kind: (activities, description, remarks, status, due quarter)
SUPPLIER_ROWS = [
    ("WV 1.1-2", "Adopt a worker voice policy and roll out the network's channels at every site", "", "done", "Q1"),
    (
        "ER 2.6-7",
        "Recruitment fee survey of current workers, then repayment to those eligible",
        "Aim for completion by Q2",
        "in_progress",
        "Q2",
    ),
    ("ER 2.3", "Disclose the recruitment agencies we use to our buyers", "", "planned", "Q3"),
    ("WC 3.5", "Independent worker satisfaction survey, compared with our internal one", "", "planned", "Q4"),
]
AGENCY_ROWS = [
    ("ER 2.1", "Adopt an employer-pays (zero-fee) recruitment policy", "", "done", "Q1"),
    (
        "ER 2.5",
        "Explain our policies to job candidates in their language before they sign",
        "Every recruitment round",
        "in_progress",
        "Q2",
    ),
    ("ER 2.8", "Ethical recruitment training for all recruiters", "Aim for completion by Q3", "planned", "Q3"),
]
FOCAL_POINTS = [
    ("HR director", "issues", "hr"),
    ("Managing director", "escalations", "md"),
]


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    year = timezone.localdate().year
    created = 0
    for code, (cso_slug, rows) in COUNTRY_PLANS.items():
        actor = members[(cso_slug, "admin")]
        country = Country.objects.get(code=code)
        if Plan.objects.filter(kind=PlanKind.COUNTRY, country=country, year=year).exists():
            continue
        plan = services.plan_create(actor=actor, kind=PlanKind.COUNTRY, country=country, year=year)
        for activities, description, slugs, other, remarks, status, quarter in rows:
            services.plan_row_add(
                actor=actor,
                plan=plan,
                activities=activities,
                description=description,
                organisations=[orgs[slug] for slug in slugs],
                other_partners=other,
                remarks=remarks,
                status=status,
                due_quarter=f"{year}-{quarter}",
            )
        created += 1
    businesses = [
        (slug, org) for slug, org in orgs.items() if org.kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY)
    ]
    for index, (slug, organisation) in enumerate(sorted(businesses)):
        actor = members[(slug, "admin")]
        if not Plan.objects.filter(kind=PlanKind.BUSINESS, organisation=organisation, year=year).exists():
            _business_plan(actor, organisation, year, index)
            created += 1
        if not Baseline.objects.filter(organisation=organisation).exists():
            _baseline(actor, organisation, slug, index)
    plans = f"{created} action plans" if created else f"{Plan.objects.count()} action plans"
    from ilm.plans import demo_progress, demo_training

    trainings = demo_training.load(orgs=orgs, members=members)  # before: completed trainings suggest updates
    return f"{plans}, {trainings}, {demo_progress.load(orgs=orgs, members=members)}"


def _business_plan(actor: Any, organisation: Any, year: int, index: int) -> None:
    plan = services.plan_create(actor=actor, kind=PlanKind.BUSINESS, organisation=organisation, year=year)
    rows = SUPPLIER_ROWS if organisation.kind == OrgKind.SUPPLIER else AGENCY_ROWS
    for activities, description, remarks, status, quarter in rows:
        services.plan_row_add(
            actor=actor,
            plan=plan,
            activities=activities,
            description=description,
            remarks=remarks,
            status=status,
            due_quarter=f"{year}-{quarter}",
        )
    if index % 2 == 0:
        services.plan_checkin_record(
            actor=actor,
            plan=plan,
            held_on=min(datetime.date(year, 6, 30), timezone.localdate()),
            participants="HR director, managing director, technical partner",
            summary="Mid-year check-in: the first rows are on track; the survey needs more time at one site.",
            changes="Moved the worker satisfaction survey to Q4.",
        )
        services.plan_update(actor=actor, plan=plan, planning_status="checked_in", expected_version=plan.version)


def _baseline(actor: Any, organisation: Any, slug: str, index: int) -> None:
    supplier = organisation.kind == OrgKind.SUPPLIER
    services.baseline_update(
        actor=actor,
        organisation=organisation,
        supply_chain=(
            "Tier 1 exporter; buyers in Europe and North America; upstream vessels and farms in Thailand."
            if supplier
            else "Recruits for employers in Thailand and Malaysia through partner agencies."
        ),
        labour_policies="Code of conduct (2023); employer-pays recruitment policy (draft).",
        policy_links=[f"https://{slug}.example.org/policies/code-of-conduct.pdf"],
        grievance_mechanism=(
            "Suggestion boxes at each site, a welfare committee, and the network's independent channels."
            if supplier
            else "A complaints phone line run by the agency's office; the network's channels for jobseekers."
        ),
        other_programmes="None reported." if index % 3 else "A buyer's social audit programme.",
    )
    for number, (role, purpose, mailbox) in enumerate(FOCAL_POINTS):
        services.focal_point_save(
            actor=actor,
            organisation=organisation,
            role=role,
            purpose=purpose,
            name=f"{role} of {organisation.name}",
            email=f"{mailbox}@{slug}.example.org",
            phone=f"+66 2 000 {1000 + index * 10 + number}",
        )
