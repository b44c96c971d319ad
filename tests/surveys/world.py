"""The outsider cluster's surveys for the tenancy matrix (tests/worlds.py calls `outsiders`)."""

from __future__ import annotations

from typing import Any

from ilm.surveys import services
from ilm.surveys.models import QuestionSet

OUTSIDER_SURVEY_TITLES = ["Outsider independent survey", "Outsider internal survey"]
OUTSIDER_NAMES = OUTSIDER_SURVEY_TITLES


def outsiders(*, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]) -> dict[str, list]:
    """An independent survey by the outsider CSO and an internal one by the outsider supplier, at the outsider
    site, each with enough responses (12) to show results to those who may see them."""
    question_set = QuestionSet.objects.get(code="ilm-worker-satisfaction", version=1)
    by_org = {m.organisation_id: m for m in members}
    independent = services.survey_create(
        actor=by_org[cso.pk],
        site=site,
        question_set=question_set,
        kind="independent",
        title=OUTSIDER_SURVEY_TITLES[0],
    )
    internal = services.survey_create(
        actor=by_org[supplier.pk],
        site=site,
        question_set=question_set,
        kind="internal",
        title=OUTSIDER_SURVEY_TITLES[1],
    )
    answers = {
        "wages_on_time": 2,
        "working_hours": 2,
        "safety": 3,
        "grievance_handling": 2,
        "supervisors": 3,
        "recommend": 2,
        "knows_channel": "no",
        "fees_paid": "yes",
        "feels_free_to_leave": "unsure",
    }
    for survey in (independent, internal):
        for _ in range(12):
            services.response_submit(survey=survey, answers=answers)
    return {"survey": [independent, internal]}
