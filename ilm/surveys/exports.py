"""CSV of a survey's aggregated results beside its counterpart (independent versus internal), with the same
small-n rule as the page: below MIN_RESPONSES nothing per question, only "Not enough responses yet".
Cells that a spreadsheet would run as a formula are neutralised (`ilm.cases.exports.csv_lines`). Audited."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from ilm.cases.exports import csv_lines
from ilm.core import audit
from ilm.surveys.models import MIN_RESPONSES, QuestionKind, Survey
from ilm.surveys.selectors import QuestionResult, SurveyResults, survey_comparison


def not_enough() -> str:
    return _("Not enough responses yet")


def _cell(result: QuestionResult | None, group: SurveyResults | None) -> str:
    if group is None:
        return _("No survey")
    if group.withheld_until_closed:
        return _("Shown when the survey closes")
    if not group.shown or result is None or not result.shown:
        return not_enough()
    if result.question.kind == QuestionKind.LIKERT:
        return str(result.mean)
    return "; ".join(f"{share.choice.display_label}: {share.percent}%" for share in result.distribution)


def _label(group: SurveyResults | None) -> str:
    if group is None:
        return ""
    return f"{group.survey.title} ({group.responses})"


def export_results(*, actor: Any, survey: Survey) -> tuple[str, str]:
    """(file name, CSV text) for a survey already read through a selector."""
    comparison = survey_comparison(membership=actor, survey=survey)
    head = [_("Question"), _("Kind"), _("Independent"), _("Internal")]
    body: list[list[Any]] = [
        [_("Site"), survey.site.name, "", ""],
        [_("Survey (responses)"), "", _label(comparison.independent), _label(comparison.internal)],
    ]
    for row in comparison.rows:
        body.append(
            [
                row.question.display_text,
                str(row.question.get_kind_display()),
                _cell(row.independent, comparison.independent),
                _cell(row.internal, comparison.internal),
            ]
        )
    audit.record("survey.results_exported", membership=actor, obj=survey, detail={"min_responses": MIN_RESPONSES})
    name = f"ilm-survey-{survey.pk}-{slugify(survey.site.name)[:40] or 'site'}.csv"
    return name, "".join(csv_lines(head, body))
