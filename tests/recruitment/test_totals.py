"""Totals per currency (indicator 5), reimbursed workers (indicator 4), the combined total with cases'
financial remediation, and the property that no total ever sums across currencies."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilm.cases import services as case_services
from ilm.recruitment import selectors, services
from ilm.recruitment.models import FeeLine, Repayment
from tests.cases.helpers import canary_worker, open_case
from tests.recruitment.helpers import cso, employer_pays, line, respond, survey
from tests.worlds import build_world

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 4, 1)


@pytest.fixture
def world():
    return build_world()


def _repay(world, response, currency, amount, *, verify=True):
    repayment = services.repayment_record(
        actor=world.members[("supplier", "admin")],
        response=response,
        currency=currency,
        amount=amount,
        paid_on=DAY,
        method="cash",
    )
    if verify:
        services.repayment_verify(actor=cso(world), repayment=repayment, how="in_person")
    return repayment


def test_totals_are_per_currency_and_count_verified_repayments(world):
    employer_pays(world)
    fee_survey = survey(world)
    a = respond(world, fee_survey, name="A", lines=[line(amount="1000", currency="THB"), line("visa", "500000", "MMK")])
    b = respond(world, fee_survey, name="B", lines=[line(amount="2000", currency="THB")])
    respond(world, fee_survey, name="C", lines=[line(amount="300", currency="THB")])
    _repay(world, a, "THB", "1000")
    _repay(world, a, "MMK", "200000")
    _repay(world, b, "THB", "2000", verify=False)
    tp = world.members[("tp", "admin")]
    home = [world.orgs["supplier"].pk]  # the outsider cluster has its own survey (tests/recruitment/world.py)
    totals = {t.currency: t for t in selectors.repayment_totals(membership=tp, business_ids=home)}
    assert set(totals) == {"MMK", "THB"}
    assert (totals["THB"].owed, totals["THB"].repaid, totals["THB"].repaid_verified) == (
        Decimal("3300"),
        Decimal("3000"),
        Decimal("1000"),
    )
    assert (totals["MMK"].owed, totals["MMK"].repaid_verified) == (Decimal("500000"), Decimal("200000"))
    # Indicator 4: A is still owed MMK; B's repayment is not verified; C got nothing. Nobody is reimbursed yet.
    workers = selectors.reimbursed_workers(membership=tp, business_ids=home)
    assert (workers.eligible, workers.reimbursed, workers.percent) == (3, 0, 0.0)
    _repay(world, a, "MMK", "300000")
    services.repayment_verify(actor=cso(world), repayment=Repayment.objects.get(response=b), how="phone")
    workers = selectors.reimbursed_workers(membership=tp, business_ids=home)
    assert (workers.eligible, workers.reimbursed, workers.percent) == (3, 2, 66.7)
    summary = selectors.activity_2_7(membership=tp, business_ids=home)
    assert summary["workers_surveyed"] == 3 and summary["workers_with_repayment"] == 2 and summary["surveys"] == 1


def test_who_reads_which_totals(world):
    employer_pays(world)
    respond(world, survey(world))
    reads = {
        key: bool(selectors.repayment_totals(membership=world.members[key]))
        for key in [
            ("tp", "viewer"),
            ("cso", "viewer"),
            ("supplier", "viewer"),
            ("buyer", "viewer"),
            ("upstream", "admin"),
            ("destination_agency", "admin"),
            ("government", "admin"),
        ]
    }
    assert reads == {
        ("tp", "viewer"): True,
        ("cso", "viewer"): True,
        ("supplier", "viewer"): True,
        ("buyer", "viewer"): True,
        ("upstream", "admin"): False,
        ("destination_agency", "admin"): False,
        ("government", "admin"): False,
    }
    # Asking for a business outside one's scope gives nothing, not its totals.
    upstream = world.members[("upstream", "admin")]
    assert selectors.repayment_totals(membership=upstream, business_ids=[world.orgs["supplier"].pk]) == []


def test_combined_totals_count_a_case_payment_that_is_a_repayment_once(world):
    employer_pays(world)
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    caseworker = cso(world)
    linked = case_services.payment_record(
        actor=caseworker, case=case, worker=worker, currency="THB", amount_owed="15000", amount_repaid="15000"
    )
    case_services.payment_record(actor=caseworker, case=case, worker=worker, currency="USD", amount_owed="100")
    response = services.response_save(actor=caseworker, survey=survey(world), worker=worker, lines=[line()])
    services.repayment_record(
        actor=caseworker,
        response=response,
        currency="THB",
        amount="15000",
        paid_on=DAY,
        method="cash",
        case_payment=linked,
    )
    combined = {
        t.currency: t
        for t in selectors.combined_repayment_totals(
            membership=world.members[("tp", "admin")], business_ids=[world.orgs["supplier"].pk]
        )
    }
    assert combined["THB"].owed == Decimal("15000") and combined["THB"].repaid == Decimal("15000")
    assert combined["USD"].owed == Decimal("100")


CURRENCIES = ["THB", "MMK", "USD", "KHR"]
lines_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which worker
        st.sampled_from(CURRENCIES),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
        st.booleans(),  # eligible
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines_strategy, repay_fraction=st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1")]))
def test_any_mix_of_lines_never_sums_across_currencies(property_world, lines, repay_fraction):
    world, _survey, responses = property_world
    FeeLine.objects.all().delete()
    Repayment.objects.all().delete()
    expected: dict[str, Decimal] = {}
    repaid: dict[str, Decimal] = {}
    FeeLine.objects.bulk_create(
        FeeLine(response=responses[w], fee_type="recruitment_fee", amount=a, currency=c, paid_to="broker", eligible=e)
        for w, c, a, e in lines
    )
    for w, c, a, e in lines:
        if e:
            expected[c] = expected.get(c, Decimal("0")) + a
            paid = (a * repay_fraction).quantize(Decimal("0.01"))
            if paid > 0:
                Repayment.objects.create(
                    response=responses[w],
                    currency=c,
                    amount=paid,
                    paid_on=DAY,
                    method="cash",
                    recorded_by_organisation=world.orgs["supplier"],
                    verified_at=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC),
                )
                repaid[c] = repaid.get(c, Decimal("0")) + paid
    totals = selectors.repayment_totals(membership=world.members[("tp", "admin")])
    assert {t.currency: t.owed for t in totals if t.owed} == expected
    assert {t.currency: t.repaid_verified for t in totals if t.repaid_verified} == repaid
    assert len({t.currency for t in totals}) == len(totals)  # one row per currency, never a mixed sum
    workers = selectors.reimbursed_workers(membership=world.members[("tp", "admin")])
    eligible_workers = {w for w, _c, _a, e in lines if e}
    assert workers.eligible == len(eligible_workers)
    assert workers.reimbursed == (len(eligible_workers) if repay_fraction == 1 else 0)


@pytest.fixture
def property_world(django_db_blocker):
    world = build_world()
    fee_survey = survey(world)
    responses = [respond(world, fee_survey, name=f"P{i}", lines=[line()]) for i in range(4)]
    return world, fee_survey, responses
