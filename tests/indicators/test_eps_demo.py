"""The EPS demo (ilm/indicators/demo.py) on the test world: four published quarters per supplier and agency,
rising, some n/a, and nothing new on a second run. (tests/test_demo.py runs the whole `manage.py demo`.)"""

from __future__ import annotations

from django.test import TestCase

from ilm.indicators import demo, selectors
from ilm.indicators.models import Assessment, Score, SubIndicator
from tests.worlds import build_world


class EpsDemo(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        members = dict(cls.world.members)
        members[("secretariat", "admin")] = cls.world.members[("tp", "admin")]
        cls.orgs = dict(cls.world.orgs)
        cls.first = demo.load(orgs=cls.orgs, members=members)
        cls.second = demo.load(orgs=cls.orgs, members=members)

    def test_four_published_quarters_per_business_idempotent(self) -> None:
        businesses = [o for o in self.orgs.values() if o.kind in ("supplier", "recruitment_agency")]
        assert self.first == f"{4 * len(businesses)} EPS assessments"
        demo_rows = Assessment.objects.filter(business__in=businesses)
        assert demo_rows.count() == 4 * len(businesses)
        assert set(demo_rows.values_list("status", flat=True)) == {"published"}

    def test_a_trend_and_some_n_a(self) -> None:
        tp = self.world.members[("tp", "viewer")]
        for key in ("supplier", "origin_agency"):
            history = selectors.history(membership=tp, business=self.orgs[key])
            quality = [a.quality for a in history]
            assert quality[-1] > quality[0], (key, quality)
        agency_scores = Score.objects.filter(assessment__business=self.orgs["origin_agency"])
        assert agency_scores.filter(sub_indicator=SubIndicator.MANAGEMENT_SATISFACTION, value__isnull=True).count() == 4
