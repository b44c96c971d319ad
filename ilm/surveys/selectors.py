"""What each membership may read of surveys. The only place these rules live.

Surveys and their aggregated results (there is no per-response read anywhere):
    technical partner: all
    CSO: the surveys it runs, and the internal surveys at the sites where it runs one (the comparison)
    supplier: surveys at its own sites (independent and internal)
    buyer: surveys at the sites of the suppliers in its chain (all tiers, `network.selectors.chain_supplier_ids`)
    everyone else (recruitment agencies, government, industry bodies, academics): none (404)

Small-n rule: a survey (or one question of it) with fewer than MIN_RESPONSES answers shows nothing per
question, only "Not enough responses yet". Pages, the CSV export and the API all read `survey_results`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Site
from ilm.network.selectors import site_list
from ilm.surveys.models import (
    MIN_RESPONSES,
    Answer,
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
    Survey,
    SurveyKind,
    SurveyStatus,
)
from ilm.surveys.permissions import INDEPENDENT_RUNNER_KINDS, sees_live_results

# --- reference data ------------------------------------------------------------------------------


def question_set_list() -> QuerySet[QuestionSet]:
    """The same for everyone (questionnaires are not tenant data)."""
    return QuestionSet.objects.prefetch_related("questions__choices").order_by("code", "-version")


def question_set_choices() -> QuerySet[QuestionSet]:
    """Sets offered for new surveys."""
    return QuestionSet.objects.filter(is_active=True).order_by("code", "-version")


def questions_of(question_set: QuestionSet) -> list[Question]:
    return list(question_set.questions.order_by("position").prefetch_related("choices"))


# --- surveys ---------------------------------------------------------------------------------------


def _survey_q(membership: Any) -> Q | None:
    """Filter on Survey for the membership; None means all."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    own = membership.organisation_id
    kind = membership.organisation_kind
    if kind == OrgKind.CSO:
        # Its own surveys, and the internal surveys at the sites where it runs one (for the comparison).
        sites = Survey.objects.filter(run_by_id=own).order_by().values("site_id")
        return Q(run_by_id=own) | Q(kind=SurveyKind.INTERNAL, site_id__in=sites)
    if kind == OrgKind.SUPPLIER:
        return Q(site__supplier_id=own)
    if kind == OrgKind.BUYER:
        # The buyer's sites are those of its chain (its cached network scope), as a subquery.
        return Q(site__in=site_list(membership=membership).values("pk"))
    return Q(pk__in=[])


def survey_list(*, membership: Any) -> QuerySet[Survey]:
    """Scoped surveys with their response count (`response_count`), site, business, runner and set."""
    queryset = Survey.objects.select_related("site", "site__supplier", "site__country", "run_by", "question_set")
    where = _survey_q(membership)
    if where is not None:
        queryset = queryset.filter(where)
    return queryset.annotate(response_count=Count("responses"))


def survey_site_choices(*, membership: Any, kind: str) -> QuerySet[Site]:
    """Sites where the membership may start a survey of `kind` (the form's choices; the service re-checks)."""
    if kind == SurveyKind.INDEPENDENT:
        if membership.organisation_kind not in INDEPENDENT_RUNNER_KINDS:
            return Site.objects.none()
        return site_list(membership=membership).filter(is_active=True)
    if membership.organisation_kind != OrgKind.SUPPLIER:
        return Site.objects.none()
    return Site.objects.filter(supplier_id=membership.organisation_id, is_active=True).select_related(
        "supplier", "country"
    )


def dangerously_survey_by_token(token: str) -> Survey | None:
    """The public link: the token is the only key (no membership). Unscoped by design."""
    if not token or len(token) > 64:
        return None
    return Survey.objects.select_related("question_set", "site").filter(token=token).first()


# --- results (aggregates only) ---------------------------------------------------------------------


def _round(value: float | Decimal | None, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class ChoiceShare:
    choice: Choice
    count: int
    percent: Decimal


@dataclass
class QuestionResult:
    question: Question
    answered: int
    shown: bool  # False: fewer than MIN_RESPONSES answered this question
    mean: Decimal | None = None  # Likert
    distribution: list[ChoiceShare] = field(default_factory=list)  # choice


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    shown: bool  # False: fewer than MIN_RESPONSES responses; `questions` is then empty
    withheld_until_closed: bool = False
    questions: list[QuestionResult] = field(default_factory=list)

    def by_code(self) -> dict[str, QuestionResult]:
        return {result.question.code: result for result in self.questions}


def _response_count(survey: Survey) -> int:
    count = getattr(survey, "response_count", None)
    return int(count) if count is not None else survey.responses.count()


def survey_results(survey: Survey, *, membership: Any = None) -> SurveyResults:
    """Aggregates of a survey already read through `survey_list`. Nothing per question below the small-n
    threshold; with a membership, nothing at all while open unless it sees live results."""
    responses = _response_count(survey)
    if membership is not None and survey.status == SurveyStatus.OPEN and not sees_live_results(membership, survey):
        return SurveyResults(survey=survey, responses=responses, shown=False, withheld_until_closed=True)
    if responses < MIN_RESPONSES:
        return SurveyResults(survey=survey, responses=responses, shown=False)
    questions = questions_of(survey.question_set)
    answers = Answer.objects.filter(response__survey=survey).order_by()
    likert: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for question_id, value, count in (
        answers.filter(value__isnull=False).values_list("question_id", "value").annotate(n=Count("id"))
    ):
        total, n = likert[question_id]
        likert[question_id] = (total + value * count, n + count)
    choices: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, choice_id, count in (
        answers.filter(choice__isnull=False).values_list("question_id", "choice_id").annotate(n=Count("id"))
    ):
        choices[question_id][choice_id] = count
    results = []
    for question in questions:
        if question.kind == QuestionKind.LIKERT:
            total, answered = likert.get(question.pk, (0, 0))
            shown = answered >= MIN_RESPONSES
            results.append(
                QuestionResult(
                    question=question,
                    answered=answered,
                    shown=shown,
                    mean=_round(total / answered) if shown else None,
                )
            )
        else:
            counts = choices.get(question.pk, {})
            answered = sum(counts.values())
            shown = answered >= MIN_RESPONSES
            distribution = (
                [
                    ChoiceShare(
                        choice=choice,
                        count=counts.get(choice.pk, 0),
                        percent=_round(100 * counts.get(choice.pk, 0) / answered, "0.1") or Decimal(0),
                    )
                    for choice in question.choices.all()
                ]
                if shown
                else []
            )
            results.append(QuestionResult(question=question, answered=answered, shown=shown, distribution=distribution))
    return SurveyResults(survey=survey, responses=responses, shown=True, questions=results)


@dataclass
class ComparisonRow:
    question: Question
    independent: QuestionResult | None
    internal: QuestionResult | None


@dataclass
class Comparison:
    """A survey beside the latest survey of the other kind at the same site with the same question set."""

    independent: SurveyResults | None
    internal: SurveyResults | None
    rows: list[ComparisonRow]


def counterpart(*, membership: Any, survey: Survey) -> Survey | None:
    other = SurveyKind.INTERNAL if survey.kind == SurveyKind.INDEPENDENT else SurveyKind.INDEPENDENT
    return (
        survey_list(membership=membership)
        .filter(site_id=survey.site_id, question_set_id=survey.question_set_id, kind=other)
        .order_by("-opens_on", "-id")
        .first()
    )


def survey_comparison(*, membership: Any, survey: Survey) -> Comparison:
    """Independent versus internal results at the survey's site, side by side (same small-n rule for each)."""
    other = counterpart(membership=membership, survey=survey)
    mine = survey_results(survey, membership=membership)
    theirs = survey_results(other, membership=membership) if other is not None else None
    independent, internal = (mine, theirs) if survey.kind == SurveyKind.INDEPENDENT else (theirs, mine)
    rows = []
    for question in questions_of(survey.question_set):
        rows.append(
            ComparisonRow(
                question=question,
                independent=independent.by_code().get(question.code) if independent else None,
                internal=internal.by_code().get(question.code) if internal else None,
            )
        )
    return Comparison(independent=independent, internal=internal, rows=rows)


# --- the workers' satisfaction score (for the Ethical Performance Scores) ---------------------------


@dataclass(frozen=True)
class SatisfactionScore:
    organisation_id: int
    score: Decimal  # 1 (poor) to 5 (excellent)
    surveys: int
    responses: int


def satisfaction_score(surveys: list[Survey]) -> SatisfactionScore | None:
    """Score from independent surveys (already scoped and with ≥ MIN_RESPONSES responses, one business):

    survey score  = mean, over its Likert questions that count for satisfaction and have ≥ MIN_RESPONSES
                    answers, of the question's mean answer (1-5)
    business score = mean of its surveys' scores weighted by each survey's number of responses,
                     rounded to two decimals.
    """
    weighted, weights, used = Decimal(0), 0, 0
    organisation_id = 0
    for survey in surveys:
        results = survey_results(survey)
        means = [
            r.mean for r in results.questions if r.shown and r.mean is not None and r.question.counts_for_satisfaction
        ]
        if not results.shown or not means:
            continue
        organisation_id = survey.site.supplier_id
        weighted += (sum(means, Decimal(0)) / len(means)) * results.responses
        weights += results.responses
        used += 1
    if not weights:
        return None
    return SatisfactionScore(
        organisation_id=organisation_id,
        score=_round(weighted / weights) or Decimal(0),
        surveys=used,
        responses=weights,
    )


def satisfaction_scores(*, membership: Any, start: datetime.date, end: datetime.date) -> dict[int, SatisfactionScore]:
    """Per business (supplier id) the workers' satisfaction score over the independent surveys that opened in
    [start, end] and have at least MIN_RESPONSES responses, among the surveys the membership reads. Internal
    surveys are the business's own measurement and do not count (they are compared, not scored)."""
    surveys = (
        survey_list(membership=membership)
        .filter(kind=SurveyKind.INDEPENDENT, opens_on__gte=start, opens_on__lte=end)
        .filter(Q(response_count__gte=MIN_RESPONSES))
        .order_by("site__supplier_id", "opens_on", "id")
    )
    by_business: dict[int, list[Survey]] = defaultdict(list)
    for survey in surveys:
        by_business[survey.site.supplier_id].append(survey)
    scores = {}
    for business_id, items in by_business.items():
        score = satisfaction_score(items)
        if score is not None:
            scores[business_id] = score
    return scores
