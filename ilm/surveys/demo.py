"""Demo surveys for `manage.py demo`: at Siam Ocean Foods' Samut Sakhon Plant 1, an independent survey by
Migrant Worker Voice Thailand (open, 24 responses) and an internal survey by Siam Ocean Foods (closed, 18
responses), so the independent-versus-internal comparison shows. Idempotent: a demo survey that exists is left
alone. Answers are generated (a fixed seed) through the services, as workers and surveyors would give them.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from ilm.network.models import Site
from ilm.surveys import services
from ilm.surveys.models import QuestionKind, QuestionSet, Survey

SITE = ("siam-ocean", "Samut Sakhon Plant 1")
INDEPENDENT_TITLE = "Worker satisfaction survey, Samut Sakhon Plant 1 (independent)"
INTERNAL_TITLE = "Worker satisfaction survey, Samut Sakhon Plant 1 (internal)"
# Internal surveys tend to read rosier than independent ones: the demo shows the gap.
LIKERT_WEIGHTS = {"independent": [2, 4, 6, 6, 2], "internal": [0, 1, 3, 8, 6]}
CHOICE_WEIGHTS = {
    "independent": {"knows_channel": [6, 4], "fees_paid": [5, 4, 1], "feels_free_to_leave": [6, 2, 2]},
    "internal": {"knows_channel": [8, 2], "fees_paid": [8, 1, 1], "feels_free_to_leave": [9, 0, 1]},
}


def _answers(question_set: QuestionSet, kind: str, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in question_set.questions.order_by("position").prefetch_related("choices"):
        if question.kind == QuestionKind.LIKERT:
            if not question.required and rng.random() < 0.3:
                continue  # e.g. not living in the dormitory
            answers[question.code] = rng.choices([1, 2, 3, 4, 5], weights=LIKERT_WEIGHTS[kind])[0]
        else:
            codes = [choice.code for choice in question.choices.all()]
            weights = CHOICE_WEIGHTS[kind].get(question.code, [1] * len(codes))
            answers[question.code] = rng.choices(codes, weights=weights[: len(codes)])[0]
    return answers


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    slug, site_name = SITE
    if slug not in orgs or "th-voice" not in orgs:
        return ""
    site = Site.objects.filter(supplier=orgs[slug], name=site_name).first()
    if site is None:
        return ""
    question_set = QuestionSet.objects.filter(code="ilm-worker-satisfaction", version=1).first()
    if question_set is None:  # a flushed test database lost the migration's reference data
        question_set = services.dangerously_load_standard_set()
    today = timezone.localdate()
    created = 0
    if not Survey.objects.filter(site=site, title=INDEPENDENT_TITLE).exists():
        survey = services.survey_create(
            actor=members[("th-voice", "caseworker")],
            site=site,
            question_set=question_set,
            kind="independent",
            title=INDEPENDENT_TITLE,
            opens_on=today - datetime.timedelta(days=14),
            closes_on=today + datetime.timedelta(days=30),
        )
        rng = random.Random(f"{slug}-independent")
        for number in range(24):
            answers = _answers(question_set, "independent", rng)
            if number % 3:
                services.response_submit(survey=survey, answers=answers)
            else:
                services.response_enter(actor=members[("th-voice", "caseworker")], survey=survey, answers=answers)
        created += 1
    if not Survey.objects.filter(site=site, title=INTERNAL_TITLE).exists():
        survey = services.survey_create(
            actor=members[(slug, "responder")],
            site=site,
            question_set=question_set,
            kind="internal",
            title=INTERNAL_TITLE,
            opens_on=today - datetime.timedelta(days=60),
        )
        rng = random.Random(f"{slug}-internal")
        for _ in range(18):
            services.response_submit(survey=survey, answers=_answers(question_set, "internal", rng))
        services.survey_close(actor=members[(slug, "admin")], survey=survey)
        created += 1
    return f"{created or Survey.objects.count()} satisfaction surveys"
