"""Aggregated results: means, distributions, the comparison, the small-n rule everywhere, the satisfaction
score, and results withheld from the business while a survey is open."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilm.surveys import selectors, services
from ilm.surveys.models import Survey
from tests.conftest import sign_in
from tests.surveys.conftest import answer, full_answers, independent, internal
from tests.worlds import World

pytestmark = pytest.mark.django_db


def _read(world: World, survey: Survey, key: str = "cso", role: str = "admin") -> Survey:
    return selectors.survey_list(membership=world.members[(key, role)]).get(pk=survey.pk)


def test_means_and_distributions(world: World) -> None:
    survey = independent(world)
    answer(survey, 6, [5])
    answer(survey, 4, [2], fees_paid="yes")
    results = selectors.survey_results(_read(world, survey))
    assert results.shown and results.responses == 10
    by_code = results.by_code()
    assert by_code["wages_on_time"].mean == Decimal("3.80")  # (6*5 + 4*2) / 10
    fees = {share.choice.code: (share.count, share.percent) for share in by_code["fees_paid"].distribution}
    assert fees == {"no": (6, Decimal("60.0")), "yes": (4, Decimal("40.0")), "unsure": (0, Decimal("0.0"))}


def test_a_question_answered_by_fewer_than_ten_is_hidden_even_when_the_survey_has_enough(world: World) -> None:
    survey = independent(world)
    answer(survey, 9, [3], dormitory=None)
    answer(survey, 3, [3], dormitory=1)
    results = selectors.survey_results(_read(world, survey))
    assert results.shown
    dormitory = results.by_code()["dormitory"]
    assert dormitory.answered == 3 and not dormitory.shown and dormitory.mean is None


def test_the_comparison_puts_independent_and_internal_side_by_side(world: World) -> None:
    survey = independent(world)
    answer(survey, 10, [2])
    own = internal(world)
    answer(own, 12, [5])
    services.survey_close(actor=world.members[("supplier", "admin")], survey=own)
    comparison = selectors.survey_comparison(membership=world.members[("cso", "admin")], survey=_read(world, survey))
    assert comparison.independent and comparison.internal
    assert comparison.independent.survey.pk == survey.pk and comparison.internal.survey.pk == own.pk
    safety = next(row for row in comparison.rows if row.question.code == "safety")
    assert (safety.independent.mean, safety.internal.mean) == (Decimal("2.00"), Decimal("5.00"))


def test_the_business_and_its_buyer_see_results_once_the_survey_closed(world: World) -> None:
    survey = independent(world)
    answer(survey, 11, [3])
    for key, role in [("supplier", "admin"), ("buyer", "viewer")]:
        membership = world.members[(key, role)]
        results = selectors.survey_results(_read(world, survey, key, role), membership=membership)
        assert results.withheld_until_closed and not results.questions
    assert selectors.survey_results(_read(world, survey), membership=world.members[("cso", "viewer")]).shown
    services.survey_close(actor=world.members[("cso", "admin")], survey=survey)
    results = selectors.survey_results(
        _read(world, survey, "buyer", "viewer"), membership=world.members[("buyer", "viewer")]
    )
    assert results.shown and results.by_code()["safety"].mean == Decimal("3.00")


def _leaks(body: str) -> list[str]:
    """Per-question figures that must not appear below the threshold."""
    return [text for text in ("4.00", "/ 5", "%", "<meter") if text in body]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(min_value=0, max_value=9), value=st.integers(min_value=1, max_value=5))
def test_below_ten_responses_nothing_per_question_is_exposed_anywhere(world: World, count: int, value: int) -> None:
    Survey.objects.filter(title="Small survey").delete()
    survey = independent(world, title="Small survey")
    for _ in range(count):
        services.response_submit(survey=survey, answers=full_answers(value))
    runner = world.members[("cso", "admin")]
    results = selectors.survey_results(_read(world, survey), membership=runner)
    assert not results.shown and results.questions == [] and results.responses == count

    client = sign_in(Client(), runner)
    page = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "Not enough responses yet" in page
    assert f"{value}.00" not in page and "<meter" not in page and "%</strong>" not in page

    export = client.get(f"/surveys/{survey.pk}/results.csv").content.decode("utf-8-sig")
    assert "Not enough responses yet" in export
    assert f"{value}.00" not in export and "%" not in export

    api = client.get(f"/api/v1/surveys/{survey.pk}/results/").json()
    assert api["independent"]["shown"] is False and api["independent"]["questions"] == []


def test_satisfaction_score_formula(world: World) -> None:
    today = timezone.localdate()
    first = independent(world, title="First")
    answer(first, 10, [4])  # every counted Likert question: mean 4
    second = independent(world, title="Second")
    answer(second, 30, [2])  # mean 2
    small = independent(world, title="Too small")
    answer(small, 9, [5])  # not enough responses: ignored
    own = internal(world)
    answer(own, 20, [5])  # internal: compared, not scored
    scores = selectors.satisfaction_scores(
        membership=world.members[("tp", "viewer")], start=today - datetime.timedelta(days=1), end=today
    )
    score = scores[world.orgs["supplier"].pk]
    # weighted by responses: (4 * 10 + 2 * 30) / 40 = 2.5
    assert score.score == Decimal("2.50") and score.surveys == 2 and score.responses == 40
    assert (
        selectors.satisfaction_scores(
            membership=world.members[("tp", "viewer")], start=today + datetime.timedelta(days=1), end=today
        )
        == {}
    )
    assert (
        selectors.satisfaction_scores(membership=world.members[("destination_agency", "admin")], start=today, end=today)
        == {}
    )
