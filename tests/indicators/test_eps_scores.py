"""Ethical Performance Scores: axis means (hand-computed), n/a left out, all n/a → no score, a property test
of the SQL mean, one assessment per period, bad input refused with nothing saved, publishing, the audit
log, and the averages the impact indicators read (a buyer's chain, each business once)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ilm.core.models import AuditEvent
from ilm.indicators import selectors, services
from ilm.indicators.models import (
    AXIS_SUB_INDICATORS,
    Assessment,
    Axis,
    Score,
    SubIndicator,
)
from tests.worlds import World, build_world

QUALITY = AXIS_SUB_INDICATORS[Axis.QUALITY]
TIMELINESS = AXIS_SUB_INDICATORS[Axis.TIMELINESS]
OPENNESS = AXIS_SUB_INDICATORS[Axis.OPENNESS]


def entries(values: dict[str, int | None] | None = None, default: int | None = 4) -> list[dict[str, Any]]:
    """All 14 sub-indicators: `default` unless named in `values`; a comment on every one."""
    values = values or {}
    return [
        {"sub_indicator": code, "value": values.get(code, default), "comment": f"Why {code}"}
        for code in SubIndicator.values
    ]


def assess(
    world: World,
    key: str,
    period: str,
    values: dict[str, int | None] | None = None,
    *,
    default: int | None = 4,
    publish: bool = True,
) -> Assessment:
    tp = world.members[("tp", "admin")]
    assessment = services.assessment_create(actor=tp, business=world.orgs[key], period=period)
    services.assessment_score(actor=tp, assessment=assessment, scores=entries(values, default))
    if publish:
        services.assessment_publish(actor=tp, assessment=assessment)
    return assessment


def axis_scores(assessment: Assessment) -> dict[str, Decimal | None]:
    annotated = selectors.with_axis_scores(Assessment.objects.filter(pk=assessment.pk)).get()
    return selectors.axis_scores_of(annotated).as_dict()


class AxisScoreTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.tp = cls.world.members[("tp", "admin")]

    def test_axis_means_are_hand_computed_and_leave_n_a_out(self) -> None:
        values: dict[str, int | None] = {
            # quality: 5, 4, 3, n/a, 1 → (5 + 4 + 3 + 1) / 4 = 3.25
            QUALITY[0]: 5,
            QUALITY[1]: 4,
            QUALITY[2]: 3,
            QUALITY[3]: None,
            QUALITY[4]: 1,
            # timeliness: 2, 3, 3 → 8 / 3 = 2.67 (half up)
            TIMELINESS[0]: 2,
            TIMELINESS[1]: 3,
            TIMELINESS[2]: 3,
        }
        # openness: all n/a → no score
        values.update(dict.fromkeys(OPENNESS, None))
        assessment = assess(self.world, "supplier", "2026-Q1", values)
        assert axis_scores(assessment) == {
            "quality": Decimal("3.25"),
            "timeliness": Decimal("2.67"),
            "openness": None,
        }

    def test_scores_change_and_the_axis_follows_never_stale(self) -> None:
        assessment = assess(self.world, "supplier", "2026-Q2", default=4, publish=False)
        assert axis_scores(assessment)["timeliness"] == Decimal("4.00")
        services.assessment_score(
            actor=self.tp,
            assessment=assessment,
            scores=[{"sub_indicator": TIMELINESS[0], "value": 1, "comment": "No reply for a month"}],
        )
        assert axis_scores(assessment)["timeliness"] == Decimal("3.00")  # (1 + 4 + 4) / 3

    def test_one_assessment_per_business_per_period(self) -> None:
        assess(self.world, "upstream", "2026-Q1", publish=False)
        with pytest.raises(ValidationError) as exc:
            services.assessment_create(actor=self.tp, business=self.world.orgs["upstream"], period="2026 q1")
        assert "already has an assessment" in str(exc.value)
        first = Assessment.objects.get(business=self.world.orgs["upstream"])
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.create(
                business=first.business,
                period_start=first.period_start,
                period_end=first.period_end,
                period_label="again",
                assessor_organisation=first.assessor_organisation,
            )

    def test_the_database_refuses_a_score_of_6(self) -> None:
        assessment = assess(self.world, "origin_agency", "2026-Q1", publish=False)
        with pytest.raises(IntegrityError), transaction.atomic():
            Score.objects.filter(assessment=assessment).update(value=6)

    def test_bad_input_is_refused_with_every_error_and_nothing_saved(self) -> None:
        assessment = services.assessment_create(
            actor=self.tp, business=self.world.orgs["destination_agency"], period="2026-Q3"
        )
        bad = entries()
        bad[0]["value"] = 6
        bad[1]["value"] = "4.5"
        bad[2]["value"] = 2
        bad[2]["comment"] = ""  # a 1 or 2 needs a comment
        bad.append({"sub_indicator": "made_up", "value": 3})
        with pytest.raises(ValidationError) as exc:
            services.assessment_score(actor=self.tp, assessment=assessment, scores=bad)
        errors = exc.value.message_dict
        assert errors[SubIndicator.values[0]] == ["A score is 1 to 5, or n/a."]
        assert errors[SubIndicator.values[1]] == ["A score is 1 to 5, or n/a."]
        assert "needs one" in errors[SubIndicator.values[2]][0]
        assert "made_up" in errors["scores"][0]
        assert not assessment.scores.exists()
        assessment.refresh_from_db()
        assert assessment.version == 1

    def test_bad_periods_and_kinds(self) -> None:
        for period in ("2026-Q5", "Q1", "", "2026-13", "1999-Q1"):
            with pytest.raises(ValidationError):
                services.assessment_create(actor=self.tp, business=self.world.orgs["supplier"], period=period)
        with pytest.raises(ValidationError) as exc:
            services.assessment_create(actor=self.tp, business=self.world.orgs["buyer"], period="2026-Q1")
        assert "suppliers and recruitment agencies" in str(exc.value)
        next_year = datetime.date.today().year + 1
        with pytest.raises(ValidationError) as exc:
            services.assessment_create(actor=self.tp, business=self.world.orgs["supplier"], period=f"{next_year}-Q1")
        assert "not started" in str(exc.value)

    def test_only_the_technical_partners_assessors_write(self) -> None:
        for key, role in [
            ("tp", "viewer"),
            ("tp", "caseworker"),
            ("cso", "admin"),
            ("supplier", "admin"),
            ("buyer", "admin"),
        ]:
            with pytest.raises(PermissionDenied):
                services.assessment_create(
                    actor=self.world.members[(key, role)], business=self.world.orgs["supplier"], period="2025-Q4"
                )
        assert not Assessment.objects.filter(period_label="2025-Q4").exists()
        services.assessment_create(
            actor=self.world.members[("tp", "case_manager")], business=self.world.orgs["supplier"], period="2025-Q4"
        )

    def test_publishing_needs_all_fourteen_and_is_audited(self) -> None:
        assessment = services.assessment_create(actor=self.tp, business=self.world.orgs["supplier"], period="2025-Q3")
        services.assessment_score(actor=self.tp, assessment=assessment, scores=entries()[:13])
        with pytest.raises(ValidationError) as exc:
            services.assessment_publish(actor=self.tp, assessment=assessment)
        assert str(SubIndicator.ATTITUDE_TEAM.label) in str(exc.value)
        services.assessment_score(actor=self.tp, assessment=assessment, scores=entries()[13:])
        services.assessment_publish(actor=self.tp, assessment=assessment)
        assessment.refresh_from_db()
        assert assessment.is_published and assessment.published_at is not None
        actions = list(
            AuditEvent.objects.filter(object_id=str(assessment.pk), object_type="indicators.assessment")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "eps.assessment_created",
            "eps.assessment_scored",
            "eps.assessment_scored",
            "eps.assessment_published",
        ]
        assert assessment.history.count() >= 3  # simple-history keeps every version

    def test_history_of_scores_is_kept(self) -> None:
        assessment = assess(self.world, "upstream", "2025-Q4", default=3, publish=False)
        code = SubIndicator.COOPERATION
        services.assessment_score(
            actor=self.tp, assessment=assessment, scores=[{"sub_indicator": code, "value": 5, "comment": "Better"}]
        )
        score = assessment.scores.get(sub_indicator=code)
        assert [h.value for h in score.history.order_by("history_date")] == [3, 5]


class AxisAverageTests(TestCase):
    """Impact indicator 1: a business = its latest published assessment; a buyer = the mean over its chain."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        w = cls.world
        # The home supplier: 2026-Q1 all 2s, then 2026-Q2 all 4s (latest); a draft 2026-Q3 of 1s (not counted).
        assess(w, "supplier", "2026-Q1", default=2)
        assess(w, "supplier", "2026-Q2", default=4)
        assess(w, "supplier", "2026-Q3", default=1, publish=False)
        # The upstream supplier (in the buyer's chain): timeliness all n/a, the rest 3.
        assess(w, "upstream", "2026-Q1", dict.fromkeys(TIMELINESS, None), default=3)
        # The disclosed destination agency: 5s. The origin agency (not in the buyer's chain): 1s.
        assess(w, "destination_agency", "2026-Q1", default=5)
        assess(w, "origin_agency", "2026-Q1", default=1)

    def test_a_business_is_its_latest_published_assessment(self) -> None:
        supplier = self.world.orgs["supplier"]
        by_business = selectors.axis_scores_by_business(
            membership=self.world.members[("supplier", "viewer")], business_ids=[supplier.pk]
        )
        assert by_business[supplier.pk].as_dict() == dict.fromkeys(
            ("quality", "timeliness", "openness"), Decimal("4.00")
        )
        as_of_q1 = selectors.axis_scores_by_business(
            membership=self.world.members[("tp", "viewer")], business_ids=[supplier.pk], period="2026-Q1"
        )
        assert as_of_q1[supplier.pk].quality == Decimal("2.00")

    def test_a_buyer_is_the_unweighted_mean_over_its_chain(self) -> None:
        averages = selectors.axis_averages(self.world.members[("buyer", "viewer")])
        # quality and openness: (4 + 3 + 5) / 3 = 4.00; timeliness: upstream has none → (4 + 5) / 2 = 4.50
        assert averages.scores.as_dict() == {
            "quality": Decimal("4.00"),
            "timeliness": Decimal("4.50"),
            "openness": Decimal("4.00"),
        }
        assert averages.scored == {"quality": 3, "timeliness": 2, "openness": 3}
        assert averages.businesses == 3

    def test_nobody_reads_wider_than_their_scope(self) -> None:
        w = self.world
        for key in ("cso", "government", "industry_body", "academic"):
            averages = selectors.axis_averages(w.members[(key, "admin")])
            assert averages.businesses == 0 and averages.scores.quality is None
        # asking for a business outside the scope gives nothing for it
        asked = selectors.axis_averages(w.members[("buyer", "admin")], business_ids=[w.orgs["origin_agency"].pk])
        assert asked.businesses == 0
        everything = selectors.axis_averages(w.members[("tp", "viewer")])
        assert everything.businesses == 4 + 1  # the four home businesses and the outsider supplier

    def test_chain_ids_for_the_technical_partner_match_the_buyers_own(self) -> None:
        buyer = self.world.orgs["buyer"]
        as_tp = set(selectors.chain_business_ids(buyer, self.world.members[("tp", "admin")]))
        as_buyer = set(selectors.chain_business_ids(buyer, self.world.members[("buyer", "admin")]))
        assert as_tp == as_buyer == {self.world.orgs[k].pk for k in ("supplier", "upstream", "destination_agency")}


class AxisMeanProperty(HypothesisTestCase):
    """The SQL axis score is the mean of the non-null values: between 1 and 5, equal to sum / count."""

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.factories import OrganisationFactory

        supplier = OrganisationFactory(kind="supplier", name="Property Supplier")
        tp = OrganisationFactory(kind="technical_partner", name="Property TP")
        cls.assessment = Assessment.objects.create(
            business=supplier,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31),
            period_label="2026-Q1",
            assessor_organisation=tp,
        )

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), min_size=14, max_size=14))
    def test_axis_mean(self, values: list[int | None]) -> None:
        Score.objects.filter(assessment=self.assessment).delete()
        Score.objects.bulk_create(
            Score(assessment=self.assessment, sub_indicator=code, value=value)
            for code, value in zip(SubIndicator.values, values, strict=True)
        )
        by_code = dict(zip(SubIndicator.values, values, strict=True))
        annotated = selectors.with_axis_scores(Assessment.objects.filter(pk=self.assessment.pk)).get()
        for axis, codes in AXIS_SUB_INDICATORS.items():
            present = [by_code[c] for c in codes if by_code[c] is not None]
            got = getattr(annotated, axis)
            if not present:
                assert got is None
                continue
            assert 1 <= got <= 5
            assert got == pytest.approx(sum(present) / len(present))  # type: ignore[arg-type]
