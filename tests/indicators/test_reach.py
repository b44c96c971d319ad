"""Reach indicators 1-5 on a small world whose answers are worked out by hand below.

CSO C1 runs an active channel and collaborates with supplier S1 (site P1, Thailand): P1 is covered.
CSO C2's only channel is inactive; it collaborates with S2 (site P2, Cambodia): P2 is not covered.

P1 headcounts: 1 Jan 2026: female MM 100, male MM 50
               1 Mar 2026: female MM 120, male MM 60, female KH 3   ← the latest before the window's end
P2 headcount:  1 Mar 2026: male KH 1,000 (not covered)

C1's workers, window 1 Apr - 30 Jun 2026:
  w1 female MM, works at P1, contact in the window      → already in P1's headcount, not added
  w2 male KH, no site, two contacts in the window        → 1 worker
  w3 female MM jobseeker, contact in the window          → 1 jobseeker
  w4 male MM, declined statistics, contact in window     → left out
  w5 male MM, contact in March (outside the window)      → left out

Reach 1 = 183 at P1 + 1 worker + 1 jobseeker = 185; cells: female KH 3, female MM 121, male KH 1, male MM 60
         (a CSO sees female KH and male KH as "fewer than 5")
Reach 2: r1 collective (10 concerned), named w1 and w4, resolved in the window → w1 + 8 unnamed
         r2 named w1 and w2, resolved in the window → w2 (w1 once)
         r3 resolved in January; r4 closed unresolved → left out
         = 2 named + 8 unnamed = 10, in 2 resolved cases
Reach 3-5 (C1 is a member of the ERN of Myanmar, the applicants' origin): one zero-fee vacancy in Thailand
         published in the window (20 openings), an itemised one in Malaysia; applications: a through C1 offered
         and hired, confirmed zero cost; b direct, offered
         → 3: 2 offered, 1 through an ERN; 4: 2 published, 1 zero-cost; 5: 1 confirmed, 1 zero-cost
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, TestCase
from django.utils import timezone

from ilm.cases.models import Case, CaseStatus, CaseWorker, Closure, Contact, Worker
from ilm.indicators import reach
from ilm.jobs import selectors as jobs
from ilm.jobs.models import Application, ApplicationStatus, Vacancy, VacancyStatus
from ilm.network.models import Collaboration, HeadcountSnapshot
from tests.conftest import sign_in
from tests.factories import ChannelFactory, MembershipFactory, OrganisationFactory, SiteFactory, country
from tests.jobs.helpers import ern_member

FROM = datetime.date(2026, 4, 1)
TO = datetime.date(2026, 6, 30)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


class ReachWorld(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tp = MembershipFactory(organisation__kind="technical_partner")
        cls.c1 = OrganisationFactory(kind="cso", name="Channel CSO One")
        cls.c2 = OrganisationFactory(kind="cso", name="Quiet CSO Two")
        cls.c1_member = MembershipFactory(organisation=cls.c1, role="viewer")
        cls.buyer_member = MembershipFactory(organisation__kind="buyer")
        channel = ChannelFactory(cso=cls.c1)
        ChannelFactory(cso=cls.c2, is_active=False)
        s1 = OrganisationFactory(kind="supplier", name="Covered Supplier")
        s2 = OrganisationFactory(kind="supplier", name="Uncovered Supplier")
        p1 = SiteFactory(supplier=s1, country=country("TH"))
        p2 = SiteFactory(supplier=s2, country=country("KH"))
        Collaboration.objects.create(cso=cls.c1, organisation=s1)
        Collaboration.objects.create(cso=cls.c2, organisation=s2)
        snapshots = [
            (p1, datetime.date(2026, 1, 1), "female", "MM", 100),
            (p1, datetime.date(2026, 1, 1), "male", "MM", 50),
            (p1, datetime.date(2026, 3, 1), "female", "MM", 120),
            (p1, datetime.date(2026, 3, 1), "male", "MM", 60),
            (p1, datetime.date(2026, 3, 1), "female", "KH", 3),
            (p2, datetime.date(2026, 3, 1), "male", "KH", 1000),
        ]
        for site, as_of, gender, nationality, count in snapshots:
            HeadcountSnapshot.objects.create(
                site=site, as_of=as_of, gender=gender, nationality=country(nationality), count=count
            )

        def worker(gender: str, nationality: str, **extra: Any) -> Worker:
            extra.setdefault("consent_statistics", True)
            return Worker.objects.create(cso=cls.c1, gender=gender, nationality=country(nationality), **extra)

        w1 = worker("female", "MM", site=p1)
        w2 = worker("male", "KH")
        w3 = worker("female", "MM", kind="jobseeker")
        w4 = worker("male", "MM", consent_statistics=False)
        w5 = worker("male", "MM")
        contacts = [(w1, FROM), (w2, FROM), (w2, TO), (w3, TO), (w4, FROM), (w5, datetime.date(2026, 3, 15))]
        for who, day in contacts:
            Contact.objects.create(
                cso=cls.c1, channel=channel, occurred_at=at(day), who="worker", purpose="issue_report", worker=who
            )

        def case(closure: str, day: datetime.date, named: list[Worker], **extra: Any) -> None:
            made = Case.objects.create(
                cso=cls.c1, status=CaseStatus.CLOSED, closure=closure, closed_at=at(day), country=country("TH"), **extra
            )
            for person in named:
                CaseWorker.objects.create(case=made, worker=person)

        case(Closure.RESOLVED, FROM, [w1, w4], is_collective=True, workers_count=10)
        case(Closure.RESOLVED, TO, [w1, w2])
        case(Closure.RESOLVED, datetime.date(2026, 1, 10), [w5])
        case(Closure.UNRESOLVED, FROM, [w2])

        zero = Vacancy.objects.create(
            employer=s1,
            position="Packer",
            status=VacancyStatus.PUBLISHED,
            openings=20,
            country=country("TH"),
            fee_model="zero_fee",
            published_at=at(FROM),
        )
        Vacancy.objects.create(
            employer=s1,
            position="Picker",
            status=VacancyStatus.PUBLISHED,
            openings=5,
            country=country("MY"),
            fee_model="itemised",
            published_at=at(TO),
        )

        def apply(via: Any, phone: str, **extra: Any) -> None:
            Application.objects.create(
                vacancy=zero,
                full_name="A",
                contact_kind="phone",
                contact=phone,
                nationality=country("MM"),
                token_digest=secrets.token_hex(32),
                via_cso=via,
                offered_at=at(FROM),
                consent_share_with_employer=True,
                consent_at=at(FROM),
                **extra,
            )

        ern_member(cls.c1, origin="MM")
        apply(
            cls.c1,
            "+66815550100",
            status=ApplicationStatus.HIRED,
            hired_at=at(FROM),
            confirmed_at=at(TO),
            paid_nothing_extra=True,
        )
        apply(None, "+66815550101", status=ApplicationStatus.OFFERED)


class TestFormulas(ReachWorld):
    def test_access_to_channels_by_gender_and_nationality(self) -> None:
        network = reach.network_reach(membership=self.tp, date_from=FROM, date_to=TO)
        access = network.access
        assert (access.at_covered_sites, access.contacted_workers, access.contacted_jobseekers) == (183, 1, 1)
        assert access.total == 185 and access.covered_sites == 1
        cells = {(c.gender, c.nationality): c.count for c in access.cells}
        assert cells == {("female", "KH"): 3, ("female", "MM"): 121, ("male", "KH"): 1, ("male", "MM"): 60}

    def test_headcount_is_the_latest_snapshot_before_the_window_ends(self) -> None:
        early = reach.network_reach(
            membership=self.tp, date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 2, 1)
        )
        assert early.access.at_covered_sites == 150
        assert early.access.contacted_workers == 0

    def test_remediation(self) -> None:
        remediation = reach.network_reach(membership=self.tp, date_from=FROM, date_to=TO).remediation
        assert (remediation.resolved_cases, remediation.named_workers, remediation.unnamed_workers) == (2, 2, 8)
        assert remediation.total == 10

    def test_jobs_reach_delegates_and_groups_consistently(self) -> None:
        network = reach.network_reach(membership=self.tp, date_from=FROM, date_to=TO)
        span = {"membership": self.tp, "date_from": FROM, "date_to": TO}
        assert network.offers == jobs.reach_offers_through_erns(**span) == {"offered": 2, "through_ern": 1}
        assert network.vacancies == jobs.reach_zero_cost_vacancies(**span)
        assert network.vacancies == {"published": 2, "zero_cost": 1, "openings_zero_cost": 20}
        assert network.hires == jobs.reach_zero_cost_hires(**span)
        assert network.hires["zero_cost"] == 1
        by_country = {row.key: row for row in reach.reach_by_country(**span)}
        assert by_country["TH"].offers == {"offered": 2, "through_ern": 1}
        assert by_country["MY"].vacancies == {"published": 1, "zero_cost": 0, "openings_zero_cost": 0}
        assert by_country["TH"].access.at_covered_sites == 183
        assert by_country[""].access.contacted_workers == 1  # w2 has no site: country not known
        by_cso = {row.label: row for row in reach.reach_by_cso(**span)}
        assert by_cso["Channel CSO One"].offers == {"offered": 1, "through_ern": 1}
        assert by_cso["Channel CSO One"].access.total == 185
        assert by_cso["Channel CSO One"].vacancies is None
        assert "Quiet CSO Two" not in by_cso  # its only channel is inactive: S2's site is not covered


class TestScope(ReachWorld):
    def test_a_cso_reads_its_own_with_small_cells_hidden(self) -> None:
        own = reach.network_reach(membership=self.c1_member, date_from=FROM, date_to=TO)
        cells = {(c.gender, c.nationality): c.count for c in own.access.cells}
        assert cells == {("female", "KH"): None, ("female", "MM"): 121, ("male", "KH"): None, ("male", "MM"): 60}
        assert own.offers == {"offered": 1, "through_ern": 1} and own.vacancies is None
        assert [row.label for row in reach.reach_by_cso(membership=self.c1_member)] == ["Channel CSO One"]
        with pytest.raises(PermissionDenied):
            reach.network_reach(membership=self.buyer_member)


class TestPagesAndApi(ReachWorld):
    def test_pages_and_csv(self) -> None:
        client = sign_in(Client(), self.tp)
        window = {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}
        body = client.get("/indicators/reach/", window).content.decode()
        assert "185" in body and "Channel CSO One" in body and "fewer than 5" not in body
        lines = client.get("/indicators/reach/reach.csv", window).content.decode().splitlines()
        assert "Network,The network,Reach 1: people with access to channels,185" in lines
        assert "Network,The network,Reach 2: workers receiving remediation,10" in lines
        cso = sign_in(Client(), self.c1_member)
        assert "fewer than 5" in cso.get("/indicators/reach/", window).content.decode()
        assert sign_in(Client(), self.buyer_member).get("/indicators/reach/").status_code == 403
        refused = client.get("/indicators/reach/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
        assert refused.status_code == 400 and "The end is before the start." in refused.content.decode()

    def test_api(self) -> None:
        client = sign_in(Client(), self.tp)
        body = client.get("/api/v1/reach/", {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}).json()
        assert body["network"]["access"]["total"] == 185
        assert body["network"]["remediation"]["total"] == 10
        assert {row["name"] for row in body["by_cso"]} >= {"Channel CSO One"}
        cso = sign_in(Client(), self.c1_member).get("/api/v1/reach/").json()
        assert cso["by_cso"] == [] and cso["network"]["vacancies"] is None
        assert sign_in(Client(), self.buyer_member).get("/api/v1/reach/").status_code == 403


class TestQueries(ReachWorld):
    def test_query_count_does_not_grow_with_rows(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                reach.reach_by_cso(membership=self.tp, date_from=FROM, date_to=TO)
            return len(queries)

        before = count()
        other = OrganisationFactory(kind="cso", name="Third CSO")
        channel = ChannelFactory(cso=other)
        for gender in ("female", "male", "other"):
            worker = Worker.objects.create(cso=other, gender=gender, nationality=country("NP"), consent_statistics=True)
            Contact.objects.create(
                cso=other, channel=channel, occurred_at=at(FROM), who="worker", purpose="issue_report", worker=worker
            )
        assert count() == before
        rows = {
            row.label: row.access.contacted_workers
            for row in reach.reach_by_cso(membership=self.tp, date_from=FROM, date_to=TO)
        }
        assert rows["Third CSO"] == 3
