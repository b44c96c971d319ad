"""Demo trainings (the Academy) for `manage.py demo`, loaded by ilm/plans/demo.py: a few courses run by the
technical partner and the country CSOs, and held sessions for demo suppliers and agencies, so that the
progress pages show suggestions (WV3, ER7, WORK2, WORK3) waiting for a person to accept. Idempotent: a course
that exists (by title and provider) is left alone with its sessions.

Everything goes through the training services, acting as the provider's administrator.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ilm.plans import training_services
from ilm.plans.models import Course

# (provider slug, title, activity, mode, language, topic,
#  sessions: [(trained slug, month, day, place, completed, {(role, gender): count})])
COURSES: list[
    tuple[str, str, str, str, str, str, list[tuple[str, int, int, str, bool, dict[tuple[str, str], int]]]]
] = [
    (
        "th-voice",
        "Ethical grievance mechanisms: the 8 key components",
        "1.5",
        "in_person",
        "th",
        "Independence, accessibility, confidentiality, no retaliation, timeliness, worker validation, records "
        "and review, communication.",
        [
            (
                "siam-ocean",
                2,
                12,
                "Samut Sakhon",
                True,
                {
                    ("managers", "female"): 3,
                    ("managers", "male"): 4,
                    ("hr", "female"): 5,
                    ("line_supervisors", "male"): 6,
                },
            ),
            ("songkhla-canning", 3, 5, "Songkhla", True, {("hr", "female"): 4, ("interpreters", "female"): 2}),
        ],
    ),
    (
        "kh-rights",
        "Ethical recruitment for origin agencies",
        "2.8",
        "in_person",
        "km",
        "The employer-pays principle, fees and costs, contracts in the worker's language, working with ERNs.",
        [
            (
                "phnom-penh-manpower",
                4,
                22,
                "Phnom Penh",
                True,
                {("managers", "male"): 2, ("hr", "female"): 6, ("government", "male"): 1, ("cso_staff", "female"): 2},
            ),
        ],
    ),
    (
        "secretariat",
        "Interpreters and line supervisors: responding to worker voice",
        "3.7",
        "online",
        "my",
        "Interpreting without bias, receiving grievances, respectful supervision.",
        [
            (
                "golden-hen",
                5,
                14,
                "",
                True,
                {("interpreters", "female"): 4, ("interpreters", "male"): 2, ("line_supervisors", "female"): 9},
            ),
        ],
    ),
    (
        "secretariat",
        "Leadership for responsible business conduct",
        "3.8",
        "in_person",
        "en",
        "Human rights due diligence for senior management; setting targets and reviewing them.",
        [
            ("chao-phraya", 6, 3, "Bangkok", True, {("managers", "female"): 2, ("managers", "male"): 5}),
            ("siam-ocean", 12, 1, "Bangkok", False, {}),
        ],
    ),
]


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    today = timezone.localdate()
    created = 0
    for provider_slug, title, activity, mode, language, topic, sessions in COURSES:
        provider = orgs[provider_slug]
        if Course.objects.filter(title=title, provider=provider).exists():
            continue
        actor = members[(provider_slug, "admin")]
        course = training_services.course_create(
            actor=actor, title=title, activity=activity, mode=mode, language=language, provider=provider, topic=topic
        )
        created += 1
        for trained_slug, month, day, place, completed, counts in sessions:
            held_on = datetime.date(today.year, month, day)
            if completed and held_on > today:  # early in the year: last year's session
                held_on = held_on.replace(year=today.year - 1)
            training_services.session_record(
                actor=actor,
                course=course,
                held_on=held_on,
                trained_organisation=orgs[trained_slug],
                place=place,
                completed=completed,
                attendance=[{"role": role, "gender": gender, "count": n} for (role, gender), n in counts.items()],
            )
    return f"{created} courses" if created else f"{Course.objects.count()} courses"
