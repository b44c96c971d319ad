"""The dashboard's scores and progress panels (ilm/dashboards/panels.py), hand-computed on the small world.

The technical partner published two assessments of the home supplier:
- 2026-Q1: quality 5, 4, 3, n/a, 1 → 13 / 4 = 3.25; timeliness 2, 3, 3 → 8 / 3 = 2.67 (half up); openness all
  n/a → no score;
- 2026-Q2: every sub-indicator 4 → 4.00 on each axis;
and left a 2026-Q3 draft (nobody but the partner reads it; no panel shows it). The home supplier set WV1
completed and WV2 partial, the partner ER1 not initiated (1 completed, 1 partial, 11 not yet initiated). Its
2026 Business Action Plan has two rows planned, one in progress, one done. The buyer's chain: the home
supplier, the upstream supplier and the destination agency (disclosed), none of them but the supplier
assessed. The outsider supplier's published 2026-Q1 (all 3) and its WV1 (partial) are in no home panel.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ilm.dashboards import panels, reports
from ilm.dashboards.tables import Window
from ilm.indicators.models import AXIS_SUB_INDICATORS, Axis
from ilm.plans import services as plan_services
from tests.conftest import sign_in
from tests.factories import LinkFactory, OrganisationFactory
from tests.indicators.test_eps_scores import assess
from tests.plans.helpers import add_row, supplier_bap
from tests.worlds import build_world

QUALITY = AXIS_SUB_INDICATORS[Axis.QUALITY]
TIMELINESS = AXIS_SUB_INDICATORS[Axis.TIMELINESS]
OPENNESS = AXIS_SUB_INDICATORS[Axis.OPENNESS]
Q1_VALUES: dict[str, int | None] = {
    **dict(zip(QUALITY, (5, 4, 3, None, 1), strict=True)),
    **dict(zip(TIMELINESS, (2, 3, 3), strict=True)),
    **dict.fromkeys(OPENNESS),
}
FIRST_HALF = Window(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
FIRST_QUARTER = Window(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
D = Decimal


class PanelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = world = build_world()
        assess(world, "supplier", "2026-Q1", Q1_VALUES)
        assess(world, "supplier", "2026-Q2")
        assess(world, "supplier", "2026-Q3", default=1, publish=False)
        tp, own = world.members[("tp", "admin")], world.members[("supplier", "admin")]
        supplier = world.orgs["supplier"]
        for actor, indicator, status in (
            (own, "WV1", "completed"),
            (own, "WV2", "partial"),
            (tp, "ER1", "not_initiated"),
        ):
            plan_services.indicator_set(actor=actor, organisation=supplier, indicator=indicator, status=status)
        cls.plan = supplier_bap(world)
        for status in ("planned", "planned", "in_progress", "done"):
            add_row(world, cls.plan, status=status)

    def build(self, name: str, key: str, role: str = "admin", window: Window = FIRST_HALF):
        return panels.PANELS[name](self.world.members[(key, role)], window)

    def names(self, table) -> list[str]:
        return [row[0] for row in table.rows]

    # --- a buyer: its chain only ------------------------------------------------------------------------

    def test_a_buyer_sees_each_business_of_its_chain_with_its_latest_scores_and_progress(self) -> None:
        table = self.build("business_scores", "buyer", "viewer")
        assert str(table.title) == "Scores and progress of your suppliers and agencies" and table.chart == ""
        assert [str(c) for c in table.columns] == [
            "Business",
            "Quality of response to worker-reported issues",
            "Timeliness of response",
            "Openness to reform",
            "Latest published",
            "Completed / ongoing",
            "Partial progress",
            "Not yet initiated",
        ]
        rows = {row[0]: [str(v) if not isinstance(v, int | Decimal) else v for v in row[1:]] for row in table.rows}
        assert list(rows) == ["Home destination agency", "Home supplier", "Home upstream"]  # by name
        assert rows["Home supplier"] == [D("4.00"), D("4.00"), D("4.00"), "2026-Q2", 1, 1, 11]  # not the Q3 draft
        assert rows["Home upstream"] == ["—", "—", "—", "Not assessed yet", 0, 0, 13]
        assert table.row_keys[1] == {"business": self.world.orgs["supplier"].pk}  # the name opens the drill-down
        # At the end of Q1 the latest is Q1: an axis with every sub-indicator n/a has no score.
        early = self.build("business_scores", "buyer", window=FIRST_QUARTER)
        assert early.rows[1][1:5] == [D("3.25"), D("2.67"), "—", "2026-Q1"]
        # A drill-down narrows the panel to that business.
        narrowed = self.build(
            "business_scores", "buyer", window=Window(FIRST_HALF.start, FIRST_HALF.end, self.world.orgs["supplier"].pk)
        )
        assert self.names(narrowed) == ["Home supplier"]

    def test_the_outsider_never_shows_to_a_buyer_and_the_partner_sees_every_assessed_business(self) -> None:
        outsider = self.world.outsiders["organisation"][0]
        assert outsider.name == "Outsider Supplier Ltd"
        assert outsider.name not in self.names(self.build("business_scores", "buyer"))
        partner = self.build("business_scores", "tp", "viewer")
        assert str(partner.title) == "Scores and progress of assessed suppliers and agencies"
        rows = {row[0]: row[1:] for row in partner.rows}
        # Only those with a published assessment or a progress indicator: not the upstream, not the agencies.
        assert list(rows) == ["Home supplier", "Outsider Supplier Ltd"]
        assert rows["Outsider Supplier Ltd"] == [D("3.00"), D("3.00"), D("3.00"), "2026-Q1", 0, 1, 12]
        assert rows["Home supplier"][:4] == [D("4.00"), D("4.00"), D("4.00"), "2026-Q2"]  # published, not the draft

    # --- a supplier or an agency: its own ------------------------------------------------------------

    def test_a_supplier_sees_its_own_scores_over_time(self) -> None:
        table = self.build("score_history", "supplier", "viewer")
        assert table.rows == [["2026-Q1", D("3.25"), D("2.67"), "—"], ["2026-Q2", D("4.00"), D("4.00"), D("4.00")]]
        assert [row[0] for row in self.build("score_history", "supplier", window=FIRST_QUARTER).rows] == ["2026-Q1"]
        # An agency reads only its own (none yet); the outsider's 2026-Q1 is not there.
        assert self.build("score_history", "destination_agency").rows == []
        assert self.build("score_history", "buyer") is None

    def test_a_supplier_sees_its_thirteen_progress_indicators_and_its_plan(self) -> None:
        indicators = self.build("progress_indicators", "supplier", "responder")
        statuses = {str(row[0]).split()[0]: str(row[1]) for row in indicators.rows}
        assert len(statuses) == 13 and list(statuses)[:3] == ["WV1", "WV2", "WV3"]
        assert statuses["WV1"] == "Completed / ongoing" and statuses["WV2"] == "Partial progress"
        assert statuses["ER1"] == statuses["WORK3"] == "Not yet initiated"  # set so, and never set
        assert self.build("progress_indicators", "destination_agency").rows[0][1] == "Not yet initiated"

        plan = self.build("plan_progress", "supplier")
        assert [[str(label), n] for label, n in plan.rows] == [
            ["Planned", 2],
            ["In progress", 1],
            ["Done", 1],
            ["Dropped", 0],
        ]
        assert "Business Action Plan 2026" in str(plan.note)
        before = self.build(
            "plan_progress", "supplier", window=Window(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
        )
        assert before.rows == [] and "no Business Action Plan for 2025" in str(before.note)
        assert self.build("plan_progress", "destination_agency").rows == []  # the outsider's plan is not its

    def test_kinds_without_a_panel_get_none(self) -> None:
        for key, role in (("cso", "caseworker"), ("cso", "admin"), ("government", "admin"), ("academic", "admin")):
            for name in panels.PANELS:
                assert self.build(name, key, role) is None, (key, name)
        for name in ("score_history", "progress_indicators", "plan_progress"):
            assert self.build(name, "buyer") is None and self.build(name, "tp") is None
        assert self.build("business_scores", "supplier") is None

    def test_the_buyer_panel_reads_in_the_same_number_of_queries_whatever_the_chain(self) -> None:
        buyer = self.world.members[("buyer", "admin")]

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                panels.business_scores_table(buyer, FIRST_HALF)
            return len(captured)

        before = queries()
        for n in range(3):
            self.world.orgs[f"extra{n}"] = extra = OrganisationFactory(kind="supplier", name=f"Extra supplier {n}")
            LinkFactory(kind="supply", customer=self.world.orgs["buyer"], provider=extra)
            assess(self.world, f"extra{n}", "2026-Q1")
            plan_services.indicator_set(
                actor=self.world.members[("tp", "admin")], organisation=extra, indicator="WV1", status="partial"
            )
        assert queries() == before
        assert len(panels.business_scores_table(buyer, FIRST_HALF).rows) == 6

    # --- the page and the downloads ------------------------------------------------------------------

    def test_each_kind_sees_its_panels_on_the_page(self) -> None:
        expected = {
            ("buyer", "viewer"): {"business_scores"},
            ("tp", "caseworker"): {"business_scores"},
            ("supplier", "viewer"): {"score_history", "progress_indicators", "plan_progress"},
            ("destination_agency", "admin"): {"score_history", "progress_indicators", "plan_progress"},
            ("cso", "caseworker"): set(),
        }
        for (key, role), shown in expected.items():
            page = sign_in(Client(), self.world.members[(key, role)]).get("/dashboard/")
            assert page.status_code == 200, (key, role)
            for name in panels.PANELS:
                assert (f'id="t-{name}"' in page.text) == (name in shown), (key, name)
            if key != "tp":  # the partner reads the whole network
                for name in self.world.outsider_names():
                    assert name not in page.text, (key, name)

    def test_scores_show_their_two_places_in_the_readers_format(self) -> None:
        page = sign_in(Client(), self.world.members[("supplier", "viewer")]).get("/dashboard/")
        history = page.text.split('id="t-score_history"', 1)[1].split("</table>", 1)[0]
        for shown in ('<td class="num">3.25</td>', '<td class="num">2.67</td>', '<td class="num">4.00</td>'):
            assert shown in history
        from django.utils import translation

        from ilm.core.templatetags.ilm import lvalue

        assert [lvalue(v) for v in (D("4.00"), D("2.6"), D("1234.5"), 7, 3.5, "—")] == [
            "4.00",
            "2.60",
            "1,234.50",
            "7",
            "3.5",
            "—",
        ]
        with translation.override("ne"):
            assert lvalue(D("1234.5")) == "1,234.50"

    def test_the_csv_of_a_panel_holds_the_page_numbers(self) -> None:
        client = sign_in(Client(), self.world.members[("buyer", "viewer")])
        page = client.get("/dashboard/")
        assert "Home supplier</a></th>" in page.text and "2026-Q2" in page.text
        lines = client.get("/dashboard/?download=business_scores&format=csv").content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Business,Quality of response to worker-reported issues,Timeliness of response")
        assert lines[2] == "Home supplier,4.00,4.00,4.00,2026-Q2,1,1,11"
        assert lines[3] == "Home upstream,—,—,—,Not assessed yet,0,0,13"

        supplier = sign_in(Client(), self.world.members[("supplier", "viewer")])
        query = "date_from=2026-01-01&date_to=2026-06-30"
        history = supplier.get(f"/dashboard/?{query}&download=score_history&format=csv").content.decode("utf-8-sig")
        assert history.splitlines()[1:] == ["2026-Q1,3.25,2.67,—", "2026-Q2,4.00,4.00,4.00"]
        xlsx = supplier.get(f"/dashboard/?{query}&download=score_history&format=xlsx")
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert rows[1:] == [("2026-Q1", 3.25, 2.67, "—"), ("2026-Q2", 4, 4, 4)]  # numbers stay numbers
        assert supplier.get("/dashboard/?download=business_scores&format=csv").status_code == 404  # not its panel
        assert client.get("/dashboard/?download=score_history&format=csv").status_code == 404

    def test_the_quarterly_report_reads_the_same_scores(self) -> None:
        chain = reports.report_context(organisation=self.world.orgs["buyer"], quarter="2026-Q2")["scores"]["chain"]
        assert [row["name"] for row in chain] == ["Home destination agency", "Home supplier", "Home upstream"]
        assert chain[1] == {"name": "Home supplier", "period": "2026-Q2", "values": [D("4.00")] * 3}
        history = reports.report_context(organisation=self.world.orgs["supplier"], quarter="2026-Q1")["scores"]
        assert history == {"history": [("2026-Q1", [D("3.25"), D("2.67"), None])]}
