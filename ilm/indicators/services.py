"""The one write path for the Ethical Performance Scores: each function checks the actor may assess,
validates everything given, writes, and records its audit event in one transaction; a refusal saves nothing.

Rules (docs/indicators.md):
- one assessment per business (supplier or recruitment agency) per calendar quarter, e.g. "2026-Q1";
  not for a quarter that has not started yet;
- a score is 1 to 5, or n/a (None); a score of 1 or 2 needs a comment (the business reads it to improve);
- accepting a suggestion takes ILM's value, recomputed now (never one sent by the client), and keeps the
  value and its explanation beside the score;
- publishing needs all 14 sub-indicators answered (a score or n/a).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.core import audit
from ilm.core.versioning import bump, lock
from ilm.indicators import permissions, suggestions
from ilm.indicators.models import (
    SCALE,
    Assessment,
    AssessmentStatus,
    Score,
    ScoreSource,
    SubIndicator,
    quarter_bounds,
    quarter_label,
)
from ilm.network.models import Organisation

PERIOD_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
COMMENT_NEEDED_BELOW = 3  # scores under this need a comment
# Marks "no value given" in a score entry (None means n/a).
UNSET: Any = object()


def _require_assessor(actor: Any) -> None:
    if not permissions.may_assess(actor):
        raise PermissionDenied(_("Only the technical partner's administrators and case managers assess businesses."))


def parse_period(text: str) -> tuple[int, int]:
    """ "2026-Q1" (or "2026 Q1", "2026q1") → (2026, 1)."""
    match = PERIOD_RE.match(str(text or ""))
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError({"period": _("Enter a calendar quarter, e.g. 2026-Q1.")})
    return int(match.group(1)), int(match.group(2))


def parse_value(raw: Any, field: str) -> int | None:
    """1..5 as an int, or None for n/a ("na", "n/a", "" or None)."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "na", "n/a")):
        return None
    if isinstance(raw, bool):
        raise ValidationError({field: _("A score is 1 to 5, or n/a.")})
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("A score is 1 to 5, or n/a.")}) from None
    if value not in SCALE or str(raw).strip() not in {str(v) for v in SCALE}:
        raise ValidationError({field: _("A score is 1 to 5, or n/a.")})
    return value


@transaction.atomic
def assessment_create(*, actor: Any, business: Organisation, period: str, summary: str = "") -> Assessment:
    """Start a draft assessment of a supplier or agency for one calendar quarter."""
    _require_assessor(actor)
    errors: dict[str, str] = {}
    if business.kind not in permissions.ASSESSED_KINDS:
        errors["business"] = _("Only suppliers and recruitment agencies are assessed.")
    elif not business.is_active:
        errors["business"] = _("This business is no longer active.")
    year, quarter = parse_period(period)
    start, end = quarter_bounds(year, quarter)
    if start > timezone.localdate():
        errors["period"] = _("This quarter has not started yet.")
    if len(summary) > 4000:
        errors["summary"] = _("Keep the comment under 4000 characters.")
    if errors:
        raise ValidationError(errors)
    if Assessment.objects.filter(business=business, period_start=start).exists():
        raise ValidationError({"period": _("This business already has an assessment for this period.")})
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                business=business,
                period_start=start,
                period_end=end,
                period_label=quarter_label(year, quarter),
                summary=summary.strip(),
                assessed_by=actor,
                assessor_organisation_id=actor.organisation_id,
            )
    except IntegrityError:
        raise ValidationError({"period": _("This business already has an assessment for this period.")}) from None
    audit.record(
        "eps.assessment_created",
        membership=actor,
        obj=assessment,
        detail={"business": business.pk, "period": assessment.period_label},
    )
    return assessment


def _clean_entries(
    assessment: Assessment, entries: Sequence[Mapping[str, Any]], found: Mapping[str, suggestions.Suggestion]
) -> list[dict[str, Any]]:
    """Check every entry (all errors at once, keyed by sub-indicator code); return the rows to write."""
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in entries:
        code = str(entry.get("sub_indicator", ""))
        if code not in SubIndicator.values:
            errors.setdefault("scores", []).append(_("Unknown sub-indicator: %(code)s.") % {"code": code[:40]})
            continue
        if code in seen:
            errors.setdefault(code, []).append(_("This sub-indicator is given twice."))
            continue
        seen.add(code)
        comment = str(entry.get("comment") or "").strip()
        accept = bool(entry.get("accept_suggestion"))
        raw = entry.get("value", UNSET)
        try:
            value = None if raw is UNSET else parse_value(raw, code)
        except ValidationError as exc:
            errors.setdefault(code, []).extend(exc.messages)
            continue
        row: dict[str, Any] = {"sub_indicator": code, "comment": comment, "source": ScoreSource.MANUAL}
        if accept:
            suggestion = found.get(code)
            if suggestion is None or suggestion.value is None:
                errors.setdefault(code, []).append(_("There is no suggestion to accept for this sub-indicator."))
                continue
            if raw is not UNSET and value is not None and value != suggestion.value:
                errors.setdefault(code, []).append(
                    _("You accepted the suggested %(suggested)s but chose %(value)s: choose one.")
                    % {"suggested": suggestion.value, "value": value}
                )
                continue
            value = suggestion.value
            row.update(
                source=ScoreSource.SUGGESTION,
                suggested_value=suggestion.value,
                suggestion_explanation=suggestion.explanation[:2000],
            )
        elif raw is UNSET:
            errors.setdefault(code, []).append(_("Choose a score from 1 to 5, or n/a."))
            continue
        if len(comment) > 2000:
            errors.setdefault(code, []).append(_("Keep the comment under 2000 characters."))
        elif value is not None and value < COMMENT_NEEDED_BELOW and not comment:
            errors.setdefault(code, []).append(_("Say why in a comment: a score of 1 or 2 needs one."))
        row["value"] = value
        cleaned.append(row)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def assessment_score(
    *,
    actor: Any,
    assessment: Assessment,
    scores: Sequence[Mapping[str, Any]],
    summary: str | None = None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Assessment:
    """Set the given sub-indicators (others are left as they are). Each entry: `sub_indicator`, `value`
    (1..5, or None for n/a), `comment`, and `accept_suggestion` (take ILM's suggested value instead)."""
    _require_assessor(actor)
    locked = lock(Assessment, assessment.pk, expected_version)
    needs_suggestions = any(entry.get("accept_suggestion") for entry in scores)
    found = (
        suggestions.suggestions_for(
            membership=actor,
            business=locked.business,
            start=locked.period_start,
            end=locked.period_end,
            now=now,
        )
        if needs_suggestions
        else {}
    )
    cleaned = _clean_entries(locked, scores, found)
    if summary is not None and len(summary) > 4000:
        raise ValidationError({"summary": _("Keep the comment under 4000 characters.")})
    existing = {s.sub_indicator: s for s in locked.scores.all()}
    changed: list[str] = []
    for row in cleaned:
        code = row["sub_indicator"]
        row.setdefault("suggested_value", None)
        row.setdefault("suggestion_explanation", "")
        score = existing.get(code)
        if score is None:
            score = Score(assessment=locked, **row)
        elif all(getattr(score, key) == value for key, value in row.items()):
            continue
        else:
            for key, value in row.items():
                setattr(score, key, value)
        score.full_clean()
        score.save()
        changed.append(code)
    fields: list[str] = []
    if summary is not None and summary.strip() != locked.summary:
        locked.summary = summary.strip()
        fields.append("summary")
    if changed or fields:
        locked.assessed_by = actor
        bump(locked)
        locked.save()
        audit.record(
            "eps.assessment_scored",
            membership=actor,
            obj=locked,
            detail={
                "sub_indicators": changed,
                "accepted_suggestions": [r["sub_indicator"] for r in cleaned if r["source"] == ScoreSource.SUGGESTION],
                "fields": fields,
                "status": locked.status,
            },
        )
    return locked


@transaction.atomic
def assessment_publish(*, actor: Any, assessment: Assessment, expected_version: int | None = None) -> Assessment:
    """Publish: the business and its buyers see it from now on. Every sub-indicator must be answered."""
    _require_assessor(actor)
    locked = lock(Assessment, assessment.pk, expected_version)
    if locked.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(_("This assessment is already published."))
    answered = set(locked.scores.values_list("sub_indicator", flat=True))
    missing = [str(label) for code, label in SubIndicator.choices if code not in answered]
    if missing:
        raise ValidationError(
            _("Answer every sub-indicator (a score or n/a) before publishing. Missing: %(list)s.")
            % {"list": "; ".join(missing)}
        )
    locked.status = AssessmentStatus.PUBLISHED
    locked.published_at = timezone.now()
    bump(locked)
    locked.save()
    audit.record(
        "eps.assessment_published",
        membership=actor,
        obj=locked,
        detail={"business": locked.business_id, "period": locked.period_label},
    )
    return locked
