"""ILM's suggested scores against hand-computed case timestamps (2026-Q1, "now" fixed at 2 April 2026), and
accepting one: the value is ILM's, recomputed at save time, kept with its explanation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from ilm.cases.models import Case, CaseAction, CaseBusiness, CaseUpdate, WorkerValidation
from ilm.indicators import services, suggestions
from ilm.indicators.models import ScoreSource, SubIndicator
from ilm.surveys.selectors import SatisfactionScore
from tests.worlds import build_world

Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
NOW = datetime.datetime(2026, 4, 2, 12, 0, tzinfo=datetime.UTC)


def at(month: int, day: int, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC)


def case(cso: Any, business: Any, *, site: Any = None, **times: Any) -> Case:
    created = Case.objects.create(cso=cso, status=times.pop("status", "shared"))
    CaseBusiness.objects.create(case=created, organisation=business)
    if site is not None:  # the same business named twice (the organisation and its site): counted once
        CaseBusiness.objects.create(case=created, organisation=business, site=site)
    Case.objects.filter(pk=created.pk).update(**times)
    return created


def action(case_: Case, business: Any, created: datetime.datetime, *updates: tuple[Any, datetime.datetime]) -> None:
    item = CaseAction.objects.create(case=case_, responsible=business, description="Repay the deposit")
    CaseAction.objects.filter(pk=item.pk).update(created_at=created)
    for organisation, when in updates:
        update = CaseUpdate.objects.create(
            case=case_, kind="action_update", text="Done", action=item, organisation=organisation
        )
        CaseUpdate.objects.filter(pk=update.pk).update(created_at=when)


class SuggestionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = w = build_world()
        cso, supplier, other = w.orgs["cso"], w.orgs["supplier"], w.orgs["upstream"]
        cls.supplier = supplier
        # Time to respond (SLA 7 days), cases shared in Q1:
        case(cso, supplier, shared_at=at(1, 10), first_response_at=at(1, 12))  # 2 days: on time
        case(cso, supplier, site=w.sites["supplier"], shared_at=at(1, 5), first_response_at=at(1, 6))  # on time, once
        case(cso, supplier, shared_at=at(2, 1), first_response_at=at(2, 20))  # 19 days: late
        case(cso, supplier, shared_at=at(3, 1))  # no response after 32 days: late
        case(cso, supplier, shared_at=at(3, 30))  # no response, 3 days: not yet counted
        case(cso, supplier, shared_at=at(12, 20, 2025), first_response_at=at(12, 21, 2025))  # before Q1
        case(cso, other, shared_at=at(1, 10), first_response_at=at(3, 10))  # another business
        # → 2 on time of 4 = 50 % → 3
        # Time to resolve (< 60 days from opening), cases closed in Q1 as resolved or unresolved:
        closed = {"status": "closed"}
        case(cso, supplier, opened_at=at(1, 1), closed_at=at(2, 1), closure="resolved", **closed)  # 31 d: fast
        case(cso, supplier, opened_at=at(1, 2), closed_at=at(3, 1), closure="resolved", **closed)  # 58 d: fast
        case(cso, supplier, opened_at=at(2, 1), closed_at=at(3, 10), closure="resolved", **closed)  # fast
        case(cso, supplier, opened_at=at(11, 1, 2025), closed_at=at(2, 15), closure="resolved", **closed)  # slow
        case(cso, supplier, opened_at=at(1, 3), closed_at=at(3, 1), closure="unresolved", **closed)  # not resolved
        case(cso, supplier, opened_at=at(1, 3), closed_at=at(3, 2), closure="duplicate", **closed)  # left out
        # → 3 of 5 = 60 % → 3
        # Time to revert (14 days), action items given to the supplier in Q1:
        host = case(cso, supplier, status="in_remediation")
        action(host, supplier, at(1, 10), (supplier, at(1, 15)))  # 5 days: on time
        action(host, supplier, at(2, 1), (supplier, at(2, 20)))  # 19 days: late
        action(host, supplier, at(2, 1), (cso, at(2, 3)))  # only the CSO updated; 60 days on: late
        action(host, supplier, at(3, 28))  # 5 days old: not yet counted
        # → 1 of 3 = 33 % → 2
        # Workers' validations in Q1 on the supplier's cases: 4, 5, 3 → 4.00 → 4
        for satisfaction, day in ((4, 2), (5, 3), (3, 4)):
            WorkerValidation.objects.create(
                case=host, method="phone", validated_at=at(3, day), satisfaction=satisfaction
            )
        WorkerValidation.objects.create(case=host, method="phone", validated_at=at(4, 1), satisfaction=1)  # Q2

    def suggest(self, business: Any = None) -> dict[str, suggestions.Suggestion]:
        return suggestions.suggestions_for(
            membership=self.world.members[("tp", "admin")],
            business=business or self.supplier,
            start=Q1[0],
            end=Q1[1],
            now=NOW,
        )

    def test_time_to_respond(self) -> None:
        found = self.suggest()[SubIndicator.TIME_TO_RESPOND]
        assert (found.value, found.figures["on_time"], found.figures["counted"]) == (3, 2, 4)
        assert "2 of 4 cases" in found.explanation and "7 days" in found.explanation and "50 %" in found.explanation

    def test_time_to_resolve(self) -> None:
        found = self.suggest()[SubIndicator.TIME_TO_RESOLVE]
        assert (found.value, found.figures["on_time"], found.figures["counted"]) == (3, 3, 5)
        assert "60 days" in found.explanation

    def test_time_to_revert(self) -> None:
        found = self.suggest()[SubIndicator.TIME_TO_REVERT]
        assert (found.value, found.figures["on_time"], found.figures["counted"]) == (2, 1, 3)

    def test_response_satisfaction(self) -> None:
        found = self.suggest()[SubIndicator.RESPONSE_SATISFACTION]
        assert found.value == 4 and found.figures == {"validations": 3, "mean": "4.00"}

    def test_no_data_no_suggestion_and_a_reason(self) -> None:
        found = self.suggest(self.world.orgs["origin_agency"])
        assert set(found) == set(suggestions.SUGGESTED)
        for item in found.values():
            assert item.value is None and item.explanation
        assert "suppliers' sites" in found[SubIndicator.MANAGEMENT_SATISFACTION].explanation
        assert "Fewer than 3" in found[SubIndicator.RESPONSE_SATISFACTION].explanation

    def test_management_satisfaction_from_independent_surveys(self) -> None:
        score = SatisfactionScore(organisation_id=self.supplier.pk, score=Decimal("3.50"), surveys=2, responses=31)
        from unittest import mock

        with mock.patch("ilm.surveys.selectors.satisfaction_scores", return_value={self.supplier.pk: score}):
            found = self.suggest()[SubIndicator.MANAGEMENT_SATISFACTION]
        assert found.value == 4  # 3.50 rounds half up
        assert "31 responses" in found.explanation
        assert self.suggest()[SubIndicator.MANAGEMENT_SATISFACTION].value is None  # no survey in the demo-less world

    def test_share_thresholds(self) -> None:
        shares = ["1", "0.9", "0.89", "0.75", "0.5", "0.49", "0.25", "0.24", "0"]
        assert [suggestions.share_to_score(Decimal(s)) for s in shares] == [5, 5, 4, 4, 3, 2, 2, 1, 1]

    def test_accepting_takes_ilms_value_and_keeps_the_explanation(self) -> None:
        tp = self.world.members[("tp", "admin")]
        assessment = services.assessment_create(actor=tp, business=self.supplier, period="2026-Q1")
        code = SubIndicator.TIME_TO_RESPOND
        with pytest.raises(ValidationError) as exc:
            services.assessment_score(
                actor=tp,
                assessment=assessment,
                scores=[{"sub_indicator": code, "value": 5, "accept_suggestion": True}],
                now=NOW,
            )
        assert "accepted the suggested 3 but chose 5" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.assessment_score(
                actor=tp,
                assessment=assessment,
                scores=[{"sub_indicator": SubIndicator.COOPERATION, "accept_suggestion": True}],
                now=NOW,
            )
        assert "no suggestion" in str(exc.value)
        assert not assessment.scores.exists()
        services.assessment_score(
            actor=tp,
            assessment=assessment,
            scores=[{"sub_indicator": code, "accept_suggestion": True, "comment": ""}],
            now=NOW,
        )
        score = assessment.scores.get()
        assert (score.value, score.source, score.suggested_value) == (3, ScoreSource.SUGGESTION, 3)
        assert "2 of 4 cases" in score.suggestion_explanation
        assert timezone.now() > NOW
