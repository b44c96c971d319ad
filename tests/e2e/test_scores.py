"""Browser story for the Ethical Performance Scores (docs/indicators.md):

The technical partner's administrator opens "Scores", starts this quarter's assessment of Siam Ocean Foods,
sees ILM's suggestions beside the form, accepts the one for "time taken to respond" (a case shared this
quarter, answered the next hour), scores the other rows (one n/a), is refused a 2 without a comment, saves
and publishes. Northwind Foods' administrator (Siam Ocean's buyer) then sees the supplier's scores and its
trend over five quarters (the demo's four and this one), and the chain's mean; the same page on a phone.

Screenshots: var/screenshots/scores-*.png.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from ilm.cases.models import Case, CaseBusiness
from ilm.indicators.models import Assessment, ScoreSource, SubIndicator, quarter_bounds, quarter_label, quarter_of
from ilm.network.models import Organisation
from tests.e2e.conftest import MOBILE, UI, Person

pytestmark = pytest.mark.e2e

TP_ADMIN = "secretariat-admin"
BUYER_ADMIN = "northwind-admin"
SUPPLIER = "Siam Ocean Foods"
PAGE_WIDER_THAN_PHONE = """(width) => document.documentElement.scrollWidth - width"""


class Shots:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, person: Person, name: str) -> None:
        self.n += 1
        person.settle()
        person.snap(f"scores-{self.n:02d}-{name}")
        width = person.viewport["width"]
        if width < 500:
            overflow = int(person.page.evaluate(PAGE_WIDER_THAN_PHONE, width))
            person.ui.check(overflow <= 0, f"scores {name}: the page is {overflow} px wider than the phone")


def menu(person: Person, href: str) -> None:
    with person.page.expect_navigation():
        person.menu_link(href).click()
    person.page.wait_for_load_state("load")


def message(person: Person) -> str:
    return person.page.locator(".messages").inner_text() if person.page.locator(".messages").count() else ""


def a_quick_response_this_quarter(supplier: Organisation) -> None:
    """A case shared with the supplier this quarter and answered within the hour: "time to respond" then has
    data to suggest from, whatever the demo's own cases say."""
    now = timezone.now()
    start, _end = quarter_bounds(*quarter_of(timezone.localdate()))
    shared = max(
        datetime.datetime.combine(start, datetime.time(9), tzinfo=timezone.get_current_timezone()),
        now - datetime.timedelta(hours=3),
    )
    cso = Organisation.objects.get(name="Migrant Worker Voice Thailand")
    case = Case.objects.create(cso=cso, status="in_remediation")
    CaseBusiness.objects.create(case=case, organisation=supplier)
    Case.objects.filter(pk=case.pk).update(shared_at=shared, first_response_at=shared + datetime.timedelta(hours=1))


def test_the_technical_partner_assesses_and_the_buyer_sees_the_trend(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    supplier = Organisation.objects.get(name=SUPPLIER)
    a_quick_response_this_quarter(supplier)
    period = quarter_label(*quarter_of(timezone.localdate()))
    shot = Shots()

    # --- the technical partner: a new assessment with the suggestions beside ------------------------------
    tp = ui.person("tp")
    tp.sign_in(demo[TP_ADMIN])
    menu(tp, "/indicators/scores/")
    main = tp.main()
    assert main.locator("h1").inner_text().strip() == "Ethical Performance Scores"
    assert SUPPLIER in main.locator("table").inner_text()
    shot(tp, "tp-list")
    tp.submit(main.get_by_role("link", name="New assessment"), expect_path="/indicators/scores/new/")
    main.get_by_label("Business").select_option(label=SUPPLIER)
    assert main.get_by_label("Quarter").input_value() == period
    shot(tp, "tp-new")
    tp.submit(
        main.get_by_role("button", name="Start the assessment"), expect_path=r"/indicators/scores/assessments/\d+/edit/"
    )
    assessment = Assessment.objects.get(business=supplier, period_label=period)
    edit_path = tp.path()
    assert "Draft assessment started" in message(tp)

    respond = main.locator(f"#row-{SubIndicator.TIME_TO_RESPOND}")
    assert "first response within 7 days" in respond.inner_text()
    accept = respond.get_by_label("Accept the suggested score")
    suggested = int(accept.locator("xpath=..").inner_text().strip().split("(")[-1].rstrip(")"))
    assert 1 <= suggested <= 5
    shot(tp, "tp-form-suggestions")

    for code in SubIndicator.values:
        if code == SubIndicator.TIME_TO_RESPOND:
            continue
        value = "na" if code == SubIndicator.QUALITY_PRODUCTION else "4"
        main.locator(f"input[name='{code}-value'][value='{value}']").check()
    accept.check()
    # a 2 without a comment is refused, and nothing is saved
    main.locator(f"input[name='{SubIndicator.ATTITUDE_TEAM}-value'][value='2']").check()
    tp.submit(main.get_by_role("button", name="Save scores"), expect_path=edit_path)
    team_row = main.locator(f"#row-{SubIndicator.ATTITUDE_TEAM}")
    assert "needs one" in team_row.inner_text()
    assert not assessment.scores.exists()
    shot(tp, "tp-form-refused")
    team_row.get_by_label("Comment").fill("Meetings with the network's team were cancelled twice.")
    tp.submit(
        main.get_by_role("button", name="Save scores"), expect_path=f"/indicators/scores/assessments/{assessment.pk}/"
    )
    assert "Scores saved." in message(tp)
    score = assessment.scores.get(sub_indicator=SubIndicator.TIME_TO_RESPOND)
    assert (score.source, score.value) == (ScoreSource.SUGGESTION, suggested)
    assert (
        main.locator(f"#{SubIndicator.TIME_TO_RESPOND}")
        .get_by_text("Suggested by ILM, accepted by the assessor")
        .count()
    )
    assert assessment.scores.get(sub_indicator=SubIndicator.QUALITY_PRODUCTION).value is None
    shot(tp, "tp-detail-draft")
    tp.submit(
        main.get_by_role("button", name="Publish"), expect_path=f"/indicators/scores/assessments/{assessment.pk}/"
    )
    assert "Assessment published" in message(tp)
    assessment.refresh_from_db()
    assert assessment.is_published
    shot(tp, "tp-published")

    # --- the buyer: the supplier's scores and trend ---------------------------------------------------------
    buyer = ui.person("buyer")
    buyer.sign_in(demo[BUYER_ADMIN])
    menu(buyer, "/indicators/scores/")
    main = buyer.main()
    assert "Your supply chain" in main.inner_text()
    row = main.locator("tr", has_text=SUPPLIER)
    assert period in row.inner_text()
    assert "Outsider" not in main.inner_text()
    shot(buyer, "buyer-list")
    buyer.submit(row.get_by_role("link", name=SUPPLIER), expect_path=f"/indicators/scores/businesses/{supplier.pk}/")
    assert main.locator("svg polyline").count() == 3  # one line per axis
    history = main.locator("table").last.inner_text()
    assert history.count("Published") == 5 and period in history
    # quality: 4, 4, 4, n/a, 4 → 4; timeliness: 4, 4 and the accepted suggestion; openness 4 × 5 and the 2
    openness = assessment.scores.filter(sub_indicator__startswith="attitude").count()
    assert openness == 5
    shot(buyer, "buyer-trend")
    buyer.submit(main.get_by_role("link", name=period), expect_path=f"/indicators/scores/assessments/{assessment.pk}/")
    assert "Meetings with the network's team were cancelled twice." in main.inner_text()
    assert main.get_by_role("button", name="Publish").count() == 0
    assert "first response within" not in main.inner_text()  # the suggestion's figures are the partner's own
    shot(buyer, "buyer-detail")

    phone = ui.person("buyer-phone", MOBILE, same_session_as=buyer)
    phone.goto(f"/indicators/scores/businesses/{supplier.pk}/")
    shot(phone, "buyer-trend")
    ui.assert_clean()
