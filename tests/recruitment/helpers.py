"""Fee surveys on top of tests.worlds: a survey by the home CSO at the home supplier's plant."""

from __future__ import annotations

import datetime
from typing import Any

from ilm.recruitment import services
from ilm.recruitment.models import FeeSurvey, FeeSurveyResponse
from tests.factories import country
from tests.worlds import World

CANARY_SURVEY_NAME = "Khin Canary Survey"
SURVEY_DAY = datetime.date(2026, 3, 2)


def cso(world: World) -> Any:
    return world.members[("cso", "caseworker")]


def survey(world: World, **extra: Any) -> FeeSurvey:
    return services.survey_create(
        actor=extra.pop("actor", None) or cso(world),
        site=world.sites["supplier"],
        surveyed_on=SURVEY_DAY,
        reach=[{"gender": "female", "nationality": country("MM"), "count": 40}],
        **extra,
    )


def line(fee_type: str = "recruitment_fee", amount: str = "15000", currency: str = "THB", **extra: Any) -> dict:
    return {"fee_type": fee_type, "amount": amount, "currency": currency, "paid_to": "broker", **extra}


def respond(
    world: World,
    fee_survey: FeeSurvey,
    *,
    name: str = CANARY_SURVEY_NAME,
    lines: list[dict] | None = None,
    **extra: Any,
) -> FeeSurveyResponse:
    return services.response_save(
        actor=extra.pop("actor", None) or cso(world),
        survey=fee_survey,
        new_worker={"full_name": name, "gender": "female", "nationality": country("MM")},
        lines=lines if lines is not None else [line()],
        **extra,
    )


def employer_pays(world: World) -> Any:
    return services.policy_set(
        actor=world.members[("supplier", "admin")], organisation=world.orgs["supplier"], kind="employer_pays"
    )
