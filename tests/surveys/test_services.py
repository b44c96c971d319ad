"""Creating, answering and closing surveys through the services, including bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ilm.core.models import AuditEvent
from ilm.plans.models import IndicatorSuggestion
from ilm.surveys import services
from ilm.surveys.models import Answer, QuestionSet, Response, Survey
from tests.factories import SiteFactory
from tests.surveys.conftest import answer, full_answers, independent, internal, standard_set
from tests.worlds import World

pytestmark = pytest.mark.django_db


def test_the_standard_set_is_seeded_in_five_languages() -> None:
    question_set = standard_set()
    questions = list(question_set.questions.order_by("position"))
    assert 8 <= len(questions) <= 10
    for question in questions:
        assert set(question.text) == {"en", "th", "my", "km", "ne"}, question.code
        assert all(text.strip() for text in question.text.values())
        for choice in question.choices.all():
            assert set(choice.label) == {"en", "th", "my", "km", "ne"}
    assert {q.kind for q in questions} == {"likert", "choice"}
    assert len(question_set.labels("my")) == 5


def test_a_cso_runs_an_independent_survey_and_a_supplier_an_internal_one(world: World) -> None:
    survey = independent(world)
    assert survey.run_by == world.orgs["cso"] and survey.kind == "independent" and survey.status == "open"
    assert len(survey.token) >= 40
    own = internal(world)
    assert own.run_by == world.orgs["supplier"]
    created = AuditEvent.objects.filter(action="survey.created", object_id__in=[str(survey.pk), str(own.pk)])
    assert created.count() == 2


def test_an_internal_survey_at_someone_elses_site_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.survey_create(
            actor=world.members[("supplier", "admin")],
            site=world.sites["upstream"],
            question_set=standard_set(),
            kind="internal",
        )
    assert "own organisation" in str(exc.value.message_dict["site"])
    assert not Survey.objects.filter(site=world.sites["upstream"]).exists()


@pytest.mark.parametrize(
    ("key", "role", "kind"),
    [
        ("supplier", "viewer", "internal"),
        ("buyer", "admin", "internal"),
        ("buyer", "admin", "independent"),
        ("cso", "viewer", "independent"),
        ("destination_agency", "admin", "internal"),
    ],
)
def test_roles_without_the_action_are_refused(world: World, key: str, role: str, kind: str) -> None:
    with pytest.raises(PermissionDenied):
        services.survey_create(
            actor=world.members[(key, role)], site=world.sites["supplier"], question_set=standard_set(), kind=kind
        )


def test_a_cso_cannot_survey_a_site_outside_its_countries(world: World) -> None:
    far = SiteFactory(name="Far plant", country=world.sites["supplier"].country.__class__.objects.get(code="VN"))
    with pytest.raises(ValidationError) as exc:
        services.survey_create(
            actor=world.members[("cso", "admin")], site=far, question_set=standard_set(), kind="independent"
        )
    assert "site" in exc.value.message_dict


def test_an_inactive_question_set_is_not_offered(world: World) -> None:
    QuestionSet.objects.filter(pk=standard_set().pk).update(is_active=False)
    with pytest.raises(ValidationError):
        independent(world)


def test_a_response_stores_the_answers_and_the_date_only(world: World) -> None:
    survey = independent(world)
    response = services.response_submit(survey=survey, answers=full_answers(5, dormitory=None))
    assert response.submitted_on == timezone.localdate()
    assert response.method == "link"
    assert Answer.objects.filter(response=response).count() == 9  # the optional dormitory question skipped
    assert not AuditEvent.objects.filter(action__startswith="survey.response").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"safety": 6}, "safety", "from 1 to 5"),
        ({"safety": 0}, "safety", "from 1 to 5"),
        ({"safety": "3.5"}, "safety", "from 1 to 5"),
        ({"safety": True}, "safety", "from 1 to 5"),
        ({"safety": 2.5}, "safety", "from 1 to 5"),
        ({"fees_paid": "maybe"}, "fees_paid", "answers offered"),
        ({"wages_on_time": None}, "wages_on_time", "answer this question"),
        ({"knows_channel": ""}, "knows_channel", "answer this question"),
        ({"salary": 3}, "__all__", "Unknown question"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(
    world: World, overrides: dict[str, object], field: str, message: str
) -> None:
    survey = independent(world)
    with pytest.raises(ValidationError) as exc:
        services.response_submit(survey=survey, answers=full_answers(4, **overrides))
    assert message in " ".join(exc.value.message_dict[field])
    assert (
        not Response.objects.filter(survey=survey).exists()
        and not Answer.objects.filter(response__survey=survey).exists()
    )


def test_every_problem_is_reported_at_once(world: World) -> None:
    survey = independent(world)
    with pytest.raises(ValidationError) as exc:
        services.response_submit(survey=survey, answers={"safety": 9})
    assert {"wages_on_time", "safety", "knows_channel"} <= set(exc.value.message_dict)


def test_a_closed_survey_refuses_responses(world: World) -> None:
    survey = independent(world)
    services.survey_close(actor=world.members[("cso", "caseworker")], survey=survey)
    with pytest.raises(ValidationError, match="closed"):
        services.response_submit(survey=survey, answers=full_answers())
    assert not Response.objects.filter(survey=survey).exists()


def test_a_survey_past_its_closing_date_or_not_yet_open_refuses(world: World) -> None:
    today = timezone.localdate()
    past = independent(
        world, opens_on=today - datetime.timedelta(days=30), closes_on=today - datetime.timedelta(days=1)
    )
    future = internal(world, opens_on=today + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="closed"):
        services.response_submit(survey=past, answers=full_answers())
    with pytest.raises(ValidationError, match="not opened"):
        services.response_submit(survey=future, answers=full_answers())


def test_closing_dates_must_follow_opening(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        independent(world, opens_on=today, closes_on=today - datetime.timedelta(days=1))
    assert "closes_on" in exc.value.message_dict


def test_paper_entry_is_for_the_runner_only(world: World) -> None:
    survey = independent(world)
    response = services.response_enter(actor=world.members[("cso", "admin")], survey=survey, answers=full_answers())
    assert response.method == "paper"
    event = AuditEvent.objects.get(action="survey.paper_response_entered")
    assert event.object_id == str(survey.pk) and event.object_type == "surveys.survey"
    for key, role in [("supplier", "admin"), ("tp", "admin"), ("cso", "viewer")]:
        with pytest.raises(PermissionDenied):
            services.response_enter(actor=world.members[(key, role)], survey=survey, answers=full_answers())
    assert Response.objects.filter(survey=survey).count() == 1


def test_closing_an_independent_survey_with_ten_responses_suggests_work1(world: World) -> None:
    survey = independent(world)
    answer(survey, 10)
    services.survey_close(actor=world.members[("cso", "caseworker")], survey=survey)
    suggestion = IndicatorSuggestion.objects.get(organisation=world.orgs["supplier"], indicator="WORK1")
    assert suggestion.suggested_status == "partial" and suggestion.status == "open"
    assert "10" in suggestion.reason
    with pytest.raises(ValidationError, match="already closed"):
        services.survey_close(actor=world.members[("cso", "caseworker")], survey=survey)


def test_surveys_close_by_themselves_after_their_closing_date(world: World) -> None:
    """The hourly sweep closes an open survey the day after its closing date (not on it), as the system,
    with the same WORK1 suggestion as a person's closing; a survey without a closing date stays open."""
    from ilm.surveys.tasks import close_due_surveys

    today = timezone.localdate()
    due = independent(world, opens_on=today - datetime.timedelta(days=20), closes_on=today)
    answer(due, 10)  # answered while open; then the closing day passes
    Survey.objects.filter(pk=due.pk).update(closes_on=today - datetime.timedelta(days=1))
    last_day = internal(world, opens_on=today - datetime.timedelta(days=5), closes_on=today)
    endless = independent(world, title="No closing date")
    assert close_due_surveys.call(False) == 1
    statuses = dict(Survey.objects.filter(pk__in=[due.pk, last_day.pk, endless.pk]).values_list("pk", "status"))
    assert statuses == {due.pk: "closed", last_day.pk: "open", endless.pk: "open"}
    event = AuditEvent.objects.get(action="survey.closed", object_id=str(due.pk))
    assert event.actor_label == "system" and event.detail["responses"] == 10
    assert IndicatorSuggestion.objects.get(organisation=world.orgs["supplier"], indicator="WORK1").status == "open"
    assert close_due_surveys.call(False) == 0  # nothing twice


def test_a_second_periodic_survey_suggests_completed(world: World) -> None:
    first = independent(world, title="First")
    answer(first, 10)
    services.survey_close(actor=world.members[("cso", "admin")], survey=first)
    IndicatorSuggestion.objects.update(status="dismissed")
    second = independent(world, title="Second")
    answer(second, 12)
    services.survey_close(actor=world.members[("cso", "admin")], survey=second)
    assert IndicatorSuggestion.objects.get(status="open").suggested_status == "completed"


@pytest.mark.parametrize("count", [0, 9])
def test_too_few_responses_or_an_internal_survey_suggest_nothing(world: World, count: int) -> None:
    survey = independent(world)
    answer(survey, count)
    services.survey_close(actor=world.members[("cso", "caseworker")], survey=survey)
    own = internal(world)
    answer(own, 12)
    services.survey_close(actor=world.members[("supplier", "admin")], survey=own)
    assert not IndicatorSuggestion.objects.filter(indicator="WORK1").exists()


def test_only_the_runner_closes(world: World) -> None:
    survey = independent(world)
    for key, role in [("supplier", "admin"), ("buyer", "admin"), ("tp", "admin")]:
        with pytest.raises(PermissionDenied):
            services.survey_close(actor=world.members[(key, role)], survey=survey)


def test_question_sets_are_versioned_not_edited(db: None) -> None:
    spec = {
        "code": "ilm-worker-satisfaction",
        "version": 1,
        "title": {"en": "Changed"},
        "questions": [{"code": "q", "kind": "likert", "text": {"en": "Q?"}}],
    }
    with pytest.raises(ValidationError, match="new version"):
        services.question_set_load(spec=spec)
    loaded = services.question_set_load(spec=spec | {"version": 2})
    assert loaded.version == 2 and standard_set().title["en"] == "ILM worker satisfaction survey"
    with pytest.raises(ValidationError):
        services.question_set_load(
            spec=spec | {"version": 3, "questions": [{"code": "c", "kind": "choice", "text": {"en": "C?"}}]}
        )
    assert not QuestionSet.objects.filter(version=3).exists()
