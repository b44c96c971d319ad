"""Impact indicators 2-5 on a small world whose answers are worked out by hand below.

The world (all cases by one CSO, shared unless said otherwise; BASE is 200 days ago, so every 60-day
outcome is known unless said otherwise):

    buyer B ── confirmed supply ──► S1, S2 ;  B ── proposed (unconfirmed) ──► S3 ;  X is nobody's
    S1 ── recruitment, disclosed to buyers ──► agency A

    case  concerns  opened       closed                         issues (rating)
    c1    S1        BASE         resolved BASE + 59 days        2 (good, poor)
    c2    S1        BASE         resolved BASE + 60 days        1 (fair)
    c3    S2        BASE         resolved BASE + 61 days        1 (excellent)
    c4    S2 and A  BASE         open (in remediation)          1 (not rated)
    c5    S1        10 days ago  open: outcome not known yet    1
    c6    S3        BASE         resolved BASE + 10 days        1 (good)
    c7    S1        BASE         closed as duplicate            1
    c8    S1        BASE         not shared                     1
    c9    S1        BASE - 400   resolved at once (before the window), rated 400 days ago (good)

Window: BASE - 1 day to today.
    Impact 2: S1 = c1's 2 of (c1 2 + c2 1) = 2/3 = 66.7 % · S2 = 0/2 (c3, c4) · A = 0/1 (c4) · S3 = 1/1
              B's chain pooled = 2 of 5 issues (c4 once, though it concerns S2 and A) = 40.0 %
    Impact 3: S1 = fair and good of (good, poor, fair) = 2/3 · S2 = 1/1 · A = 0/0 → None
              B's chain = 3/4 = 75.0 %
    Impact 4 (fee survey at S1): w1 owed THB 1,000 + MMK 50,000, repaid and verified in full; w2 owed THB
              2,000, 500 repaid and verified; w3's only line is not eligible → 1 of 2 eligible = 50.0 %
    Impact 5: THB owed 3,000 / verified 1,500; MMK 50,000 / 50,000; plus c1's case payment USD 300 / 300:
              three rows, never one sum
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, TestCase
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.cases.models import Case, CaseBusiness, CaseStatus, Closure, Issue, IssueCategory, Payment, Worker
from ilm.core.models import AuditEvent
from ilm.indicators import impact
from ilm.network.models import Link, LinkStatus
from ilm.recruitment.models import FeeLine, FeeSurvey, FeeSurveyResponse, Repayment
from tests.conftest import sign_in
from tests.factories import LinkFactory, MembershipFactory, OrganisationFactory, SiteFactory

NOW = timezone.now()
BASE = NOW - datetime.timedelta(days=200)
FROM = (BASE - datetime.timedelta(days=1)).date()
TO = timezone.localdate()


def make_case(
    cso: Any, businesses: list[Any], *, opened: datetime.datetime, shared: bool = True, **fields: Any
) -> Case:
    case = Case.objects.create(cso=cso, shared_at=opened + datetime.timedelta(days=1) if shared else None, **fields)
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    for business in businesses:
        CaseBusiness.objects.create(case=case, organisation=business)
    return case


def resolved(days: int) -> dict[str, Any]:
    return {"status": CaseStatus.CLOSED, "closure": Closure.RESOLVED, "closed_at": BASE + datetime.timedelta(days=days)}


def issues(case: Case, *ratings: str, rated_at: datetime.datetime | None = None) -> None:
    category = IssueCategory.objects.order_by("pk").first()
    for rating in ratings:
        Issue.objects.create(
            case=case, category=category, rating=rating, rated_at=(rated_at or NOW) if rating else None
        )


class ImpactWorld(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tp = MembershipFactory(organisation__kind="technical_partner", organisation__name="Secretariat")
        cls.cso = OrganisationFactory(kind="cso", name="Voice CSO")
        cls.cso_member = MembershipFactory(organisation=cls.cso)
        cls.buyer = OrganisationFactory(kind="buyer", name="Brand B")
        cls.s1 = OrganisationFactory(kind="supplier", name="Supplier One")
        cls.s2 = OrganisationFactory(kind="supplier", name="Supplier Two")
        cls.s3 = OrganisationFactory(kind="supplier", name="Unconfirmed Three")
        cls.x = OrganisationFactory(kind="supplier", name="Outsider X")
        cls.agency = OrganisationFactory(kind="recruitment_agency", name="Agency A")
        LinkFactory(customer=cls.buyer, provider=cls.s1)
        LinkFactory(customer=cls.buyer, provider=cls.s2)
        LinkFactory(customer=cls.buyer, provider=cls.s3, status=LinkStatus.PROPOSED)
        LinkFactory(kind="recruitment", customer=cls.s1, provider=cls.agency, disclosed_to_buyers=True)
        cls.buyer_member = MembershipFactory(organisation=cls.buyer, role="viewer")
        cls.s1_member = MembershipFactory(organisation=cls.s1, role="viewer")

        cso = cls.cso
        c1 = make_case(cso, [cls.s1], opened=BASE, **resolved(59))
        issues(c1, "good", "poor")
        issues(make_case(cso, [cls.s1], opened=BASE, **resolved(60)), "fair")
        issues(make_case(cso, [cls.s2], opened=BASE, **resolved(61)), "excellent")
        issues(make_case(cso, [cls.s2, cls.agency], opened=BASE, status=CaseStatus.IN_REMEDIATION), "")
        issues(make_case(cso, [cls.s1], opened=NOW - datetime.timedelta(days=10), status=CaseStatus.SHARED), "")
        issues(make_case(cso, [cls.s3], opened=BASE, **resolved(10)), "good")
        duplicate = {"status": CaseStatus.CLOSED, "closure": Closure.DUPLICATE, "closed_at": BASE}
        issues(make_case(cso, [cls.s1], opened=BASE, **duplicate), "")
        issues(make_case(cso, [cls.s1], opened=BASE, shared=False, status=CaseStatus.INTAKE), "")
        old = BASE - datetime.timedelta(days=400)
        c9 = make_case(cso, [cls.s1], opened=old, status=CaseStatus.CLOSED, closure=Closure.RESOLVED, closed_at=old)
        issues(c9, "good", rated_at=old)
        Payment.objects.create(case=c1, currency="USD", amount_owed=300, amount_repaid=300, verified_by_worker=True)

        site = SiteFactory(supplier=cls.s1)
        survey = FeeSurvey.objects.create(site=site, supplier=cls.s1, surveyor=cso, surveyed_on=BASE.date())
        for number, owed in enumerate([[("THB", 1000), ("MMK", 50000)], [("THB", 2000)], [("THB", 700)]], 1):
            worker = Worker.objects.create(cso=cso, consent_statistics=True)
            response = FeeSurveyResponse.objects.create(survey=survey, worker=worker, number=number)
            for currency, amount in owed:
                FeeLine.objects.create(
                    response=response,
                    fee_type="recruitment_fee",
                    amount=amount,
                    currency=currency,
                    paid_to="broker",
                    eligible=number != 3,
                )
            repaid = {1: owed, 2: [("THB", 500)], 3: []}[number]
            for currency, amount in repaid:
                Repayment.objects.create(
                    response=response,
                    currency=currency,
                    amount=amount,
                    paid_on=BASE.date(),
                    method="cash",
                    recorded_by_organisation=cls.s1,
                    verified_at=NOW,
                )

    def chain(self, membership: Any) -> impact.Impact:
        return impact.chain_impact(membership=membership, date_from=FROM, date_to=TO)

    def one(self, membership: Any, business: Any) -> impact.Impact:
        return impact.business_impact(membership=membership, business_id=business.pk, date_from=FROM, date_to=TO)


class TestFormulas(ImpactWorld):
    def test_resolved_in_under_60_days_per_business(self) -> None:
        tp = self.tp
        assert self.one(tp, self.s1).resolved_in_60_days == impact.Ratio(2, 3)  # day 59 yes, day 60 no
        assert self.one(tp, self.s1).resolved_in_60_days.percent == 66.7
        assert self.one(tp, self.s2).resolved_in_60_days == impact.Ratio(0, 2)  # day 61 no, open past 60 days
        assert self.one(tp, self.agency).resolved_in_60_days == impact.Ratio(0, 1)
        assert self.one(tp, self.s3).resolved_in_60_days == impact.Ratio(1, 1)

    def test_buyer_chain_pools_issues_once_and_leaves_out_unconfirmed_links(self) -> None:
        result = self.chain(self.buyer_member)
        assert result.resolved_in_60_days == impact.Ratio(2, 5)
        assert result.resolved_in_60_days.percent == 40.0
        assert result.rated_fair_or_better == impact.Ratio(3, 4)
        assert result.rated_fair_or_better.percent == 75.0

    def test_rated_fair_or_better(self) -> None:
        assert self.one(self.tp, self.s1).rated_fair_or_better == impact.Ratio(2, 3)
        assert self.one(self.tp, self.s2).rated_fair_or_better == impact.Ratio(1, 1)

    def test_no_issues_gives_no_percentage(self) -> None:
        rated = self.one(self.tp, self.agency).rated_fair_or_better
        assert rated == impact.Ratio(0, 0) and rated.percent is None
        nothing = self.one(self.tp, self.x)
        assert nothing.resolved_in_60_days.percent is None and nothing.reimbursed.percent is None
        assert nothing.repayments == []

    def test_window_decides_by_reported_date(self) -> None:
        # Only c9 was reported 600 days ago: resolved at once → 1 of 1.
        long_ago = (BASE - datetime.timedelta(days=401)).date()
        result = impact.business_impact(membership=self.tp, business_id=self.s1.pk, date_from=long_ago, date_to=FROM)
        assert result.resolved_in_60_days == impact.Ratio(1, 1)
        assert result.rated_fair_or_better == impact.Ratio(1, 1)

    def test_reimbursed_workers_and_money_per_currency(self) -> None:
        result = self.one(self.tp, self.s1)
        assert (result.reimbursed.eligible, result.reimbursed.reimbursed, result.reimbursed.percent) == (2, 1, 50.0)
        money = {t.currency: (t.owed, t.repaid_verified) for t in result.repayments}
        assert money == {
            "MMK": (Decimal("50000"), Decimal("50000")),
            "THB": (Decimal("3000"), Decimal("1500")),
            "USD": (Decimal("300"), Decimal("300")),
        }

    def test_per_business_rows_of_a_buyer(self) -> None:
        rows = {
            row.name: row.impact
            for row in impact.impact_by_business(membership=self.buyer_member, date_from=FROM, date_to=TO)
        }
        assert set(rows) == {"Supplier One", "Supplier Two", "Agency A"}
        assert rows["Supplier One"].resolved_in_60_days == impact.Ratio(2, 3)
        assert rows["Supplier Two"].resolved_in_60_days == impact.Ratio(0, 2)
        assert rows["Agency A"].resolved_in_60_days == impact.Ratio(0, 1)
        assert rows["Supplier One"].rated_fair_or_better == impact.Ratio(2, 3)
        assert rows["Agency A"].rated_fair_or_better == impact.Ratio(0, 0)
        assert (rows["Supplier One"].reimbursed.eligible, rows["Supplier One"].reimbursed.reimbursed) == (2, 1)
        # The grouped rows agree with the one-business formulas, money included.
        for business in (self.s1, self.s2, self.agency):
            assert rows[business.name] == self.one(self.buyer_member, business)


class TestScope(ImpactWorld):
    def test_who_may_ask_about_whom(self) -> None:
        for business in (self.x, self.s3):
            with pytest.raises(Http404):
                self.one(self.buyer_member, business)
        with pytest.raises(Http404):
            self.one(self.s1_member, self.s2)
        assert self.one(self.s1_member, self.s1).resolved_in_60_days == impact.Ratio(2, 3)
        with pytest.raises(PermissionDenied):
            self.chain(self.cso_member)
        # A business's own chain is itself.
        assert self.chain(self.s1_member).resolved_in_60_days == impact.Ratio(2, 3)

    def test_ended_link_drops_the_supplier_at_once(self) -> None:
        Link.objects.filter(customer=self.buyer, provider=self.s2).update(end_date=TO - datetime.timedelta(days=1))
        from ilm.network.selectors import network_changed

        network_changed()
        with self.captureOnCommitCallbacks(execute=True):
            pass
        fresh = MembershipFactory(organisation=self.buyer, role="viewer")
        with pytest.raises(Http404):
            self.one(fresh, self.s2)


class TestPages(ImpactWorld):
    def test_buyer_page_shows_chain_rows_and_hides_small_counts(self) -> None:
        client = sign_in(Client(), self.buyer_member)
        response = client.get("/indicators/impact/", {"date_from": FROM.isoformat(), "date_to": TO.isoformat()})
        assert response.status_code == 200
        body = response.content.decode()
        for name in ("Supplier One", "Supplier Two", "Agency A", "40.0 %", "75.0 %", "fewer than 5"):
            assert name in body, name
        for name in ("Unconfirmed Three", "Outsider X"):
            assert name not in body
        assert client.get("/indicators/impact/", {"business": self.x.pk}).status_code == 404
        probe = AuditEvent.objects.filter(action="access.denied", object_id=str(self.x.pk))
        assert probe.filter(object_type="network.organisation").exists()
        assert client.get("/indicators/impact/", {"business": "nonsense"}).status_code == 404

    def test_csv_has_the_same_numbers(self) -> None:
        client = sign_in(Client(), self.buyer_member)
        response = client.get(
            "/indicators/impact/impact.csv", {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}
        )
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert "Your supply chain,Issues resolved in under 60 days,2,5,40.0" in lines
        assert "Supplier One,Issues resolved in under 60 days,2,3,66.7" in lines
        assert any(line.startswith("Supplier One,Owed and reimbursed (USD),300") for line in lines)

    def test_technical_partner_picks_any_business_and_others_are_refused(self) -> None:
        tp = sign_in(Client(), self.tp)
        response = tp.get("/indicators/impact/", {"business": self.s3.pk})
        assert response.status_code == 200 and "Unconfirmed Three" in response.content.decode()
        supplier = sign_in(Client(), self.s1_member).get("/indicators/impact/")
        # All dates: c1's 2 and c9's 1 of c1, c2, c9's 4 issues.
        assert supplier.status_code == 200 and "75.0 %" in supplier.content.decode()
        assert "Supplier Two" not in supplier.content.decode()
        assert sign_in(Client(), self.cso_member).get("/indicators/impact/").status_code == 403


class TestApi(ImpactWorld):
    def auth(self, membership: Any) -> dict[str, str]:
        _token, secret = account_services.api_token_create(
            actor=membership, name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def test_impact_endpoint(self) -> None:
        client = Client()
        auth = self.auth(self.buyer_member)
        window = {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}
        body = client.get("/api/v1/impact/", window, **auth).json()
        assert body["resolved_in_60_days"] == {"numerator": 2, "denominator": 5, "percent": 40.0}
        assert body["reimbursed_workers"] == {"eligible": None, "reimbursed": None, "percent": None}
        assert {row["name"] for row in body["businesses"]} == {"Supplier One", "Supplier Two", "Agency A"}
        assert sorted(t["currency"] for t in body["repayments"]) == ["MMK", "THB", "USD"]
        missing = client.get("/api/v1/impact/", {"business": self.x.pk}, **auth)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        assert (
            client.get("/api/v1/impact/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}, **auth).status_code
            == 400
        )
        tp = client.get("/api/v1/impact/", {"business": self.s1.pk, **window}, **self.auth(self.tp)).json()
        assert tp["reimbursed_workers"] == {"eligible": 2, "reimbursed": 1, "percent": 50.0}
        assert client.get("/api/v1/impact/", **self.auth(self.cso_member)).status_code == 403


@pytest.mark.django_db
def test_impact_1_is_the_average_axis_score_on_the_impact_page():
    """The buyer's page and CSV show impact 1: the home supplier scored 4 on every quality sub-indicator and
    3 elsewhere (its latest published quarter); the other businesses of the chain have no score."""
    from django.test import Client

    from ilm.indicators.models import AXIS_SUB_INDICATORS, Axis
    from tests.conftest import sign_in
    from tests.indicators.test_eps_scores import assess
    from tests.worlds import build_world

    world = build_world()
    assess(world, "supplier", "2026-Q1", default=2)
    assess(world, "supplier", "2026-Q2", dict.fromkeys(AXIS_SUB_INDICATORS[Axis.QUALITY], 4), default=3)
    client = sign_in(Client(), world.members[("buyer", "viewer")])
    page = client.get("/indicators/impact/")
    assert page.status_code == 200
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">(\d+)</td>', page.text)
    assert ("Quality of response to worker-reported issues", "4.0", "1") in rows
    assert ("Openness to reform", "3.0", "1") in rows
    csv_text = client.get("/indicators/impact/impact.csv").content.decode("utf-8-sig")
    assert "Average score: Timeliness of response,3.0,1" in csv_text
