"""Surveys on top of tests.worlds: the home CSO's independent survey and the home supplier's internal one,
both at the home supplier's plant."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ilm.surveys import services
from ilm.surveys.models import QuestionSet, Survey
from tests.worlds import World, build_world

STANDARD = "ilm-worker-satisfaction"


def standard_set() -> QuestionSet:
    return QuestionSet.objects.get(code=STANDARD, version=1)


def full_answers(value: int = 4, **overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "wages_on_time": value,
        "working_hours": value,
        "dormitory": value,
        "safety": value,
        "grievance_handling": value,
        "supervisors": value,
        "recommend": value,
        "knows_channel": "yes",
        "fees_paid": "no",
        "feels_free_to_leave": "yes",
    }
    answers.update(overrides)
    return answers


def independent(world: World, **values: Any) -> Survey:
    return services.survey_create(
        actor=world.members[("cso", "caseworker")],
        site=world.sites["supplier"],
        question_set=standard_set(),
        kind="independent",
        title=values.pop("title", "Independent survey, home plant"),
        **values,
    )


def internal(world: World, **values: Any) -> Survey:
    return services.survey_create(
        actor=world.members[("supplier", "responder")],
        site=world.sites["supplier"],
        question_set=standard_set(),
        kind="internal",
        title=values.pop("title", "Internal survey, home plant"),
        **values,
    )


def answer(survey: Survey, count: int, values: list[int] | None = None, **overrides: Any) -> None:
    """`count` responses through the public link; Likert answers cycle through `values`."""
    cycle = itertools.cycle(values or [4])
    for _ in range(count):
        services.response_submit(survey=survey, answers=full_answers(next(cycle), **overrides))


@pytest.fixture
def world(db: Any) -> World:
    return build_world()
