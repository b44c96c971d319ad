"""The Ethical Recruitment Network story in a browser: a CSO member of the Myanmar ERN opens its network
from the menu, records a broker report (a wrong currency and a negative amount first, shown beside their
fields, nothing saved), reads the report with the broker's name (an audited view), records an outreach event
on a phone and sees the network's totals grow. A supplier asking for the network gets 404.

Screenshots: var/screenshots/ern-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from ilm.core.models import AuditEvent
from ilm.recruitment.demo import ERN_NAME
from ilm.recruitment.models import BrokerReport, OutreachEvent, RecruitmentNetwork
from tests.e2e.conftest import MOBILE, UI, Person
from tests.e2e.test_plans import SUPPLIER_ADMIN, errors, message

pytestmark = pytest.mark.e2e

CSO = "mm-union-caseworker"
BROKER = 'U Than Htike ("Ko Htike")'


def snap(person: Person, name: str) -> None:
    person.settle()
    person.snap(f"ern-{name}")


def test_a_cso_member_reports_a_broker_and_records_outreach(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    network = RecruitmentNetwork.objects.get(name=ERN_NAME)
    cso = ui.person("CSO caseworker")
    cso.sign_in(demo[CSO])
    main = cso.main()
    cso.menu_link(name="Recruitment networks").click()
    cso.settle()
    assert cso.path() == "/recruitment/networks/"
    snap(cso, "01-network-list")
    main.get_by_role("link", name=ERN_NAME).click()
    cso.settle()
    text = main.inner_text()
    assert "Yangon Overseas Employment" in text and "Yangon Region Labour Office" in text
    assert "Fees paid back in MMK" in text
    assert "U Kyaw" not in text  # the demo brokers' names are not on the network page
    snap(cso, "02-network-detail")

    # --- a broker report: errors first, nothing saved ---------------------------------------------------------
    main.get_by_role("link", name="Report a broker").click()
    cso.settle()
    before = BrokerReport.objects.count()
    main.get_by_label("Broker's name or alias").fill(BROKER)
    main.get_by_label("Area or district").fill("Thaketa Township, Yangon")
    main.get_by_label("Reported on").fill("2026-03-12")
    main.get_by_label("Fee charged").fill("-300000")
    main.locator("#id_fee_currency").fill("KYT")
    main.get_by_label("Charged for").fill("A 'visa' for a job in Thailand")
    main.get_by_label("Jobseekers charged").fill("7")
    main.get_by_label("Intervention").select_option("warned_broker")
    main.get_by_label("Referred to a reporting mechanism").select_option("licensing_authority")
    cso.submit(main.get_by_role("button", name="Save"))
    shown = errors(cso)
    assert "Enter an amount greater than zero." in shown and "ISO 4217" in shown, shown
    assert "Enter the date of the referral." in shown, shown
    assert "Nothing was saved" in main.inner_text() and BrokerReport.objects.count() == before
    snap(cso, "03-broker-report-errors")
    main.get_by_label("Fee charged").fill("300000")
    main.locator("#id_fee_currency").fill("MMK")
    main.get_by_label("Referred on").fill("2026-03-13")
    main.get_by_label("Reference").fill("DOL-LIC-2026-031")
    cso.submit(main.get_by_role("button", name="Save"), expect_path=r"/recruitment/networks/broker-reports/\d+/")
    assert "Broker report recorded." in message(cso)
    report = BrokerReport.objects.latest("id")
    assert report.broker_name == BROKER and report.referred_to == "licensing_authority"
    assert BROKER in main.inner_text()
    assert AuditEvent.objects.filter(action="recruitment.broker_viewed", object_id=str(report.pk)).exists()
    snap(cso, "04-broker-report")

    # --- an outreach event, on a phone ----------------------------------------------------------------------------
    phone = ui.person("CSO caseworker on a phone", MOBILE, same_session_as=cso)
    pmain = phone.main()
    phone.goto(f"/recruitment/networks/{network.pk}/outreach/new/")
    pmain.get_by_label("Date").fill("2026-03-14")
    pmain.get_by_label("Place").fill("Thaketa community hall")
    pmain.get_by_label("Topic").fill("Zero-fee jobs and how to spot a broker")
    pmain.get_by_label("Language").select_option("my")
    pmain.get_by_label("Jobseekers reached: Female").fill("24")
    pmain.get_by_label("Jobseekers reached: Male").fill("17")
    ui.check(phone.horizontal_overflow() <= 0, "the outreach form fits a 360 px phone")
    snap(phone, "05-outreach-form")
    phone.submit(pmain.get_by_role("button", name="Save"), expect_path=f"/recruitment/networks/{network.pk}/")
    assert "Outreach event recorded." in message(phone)
    event = OutreachEvent.objects.latest("id")
    assert {c.gender: c.count for c in event.reach.all()} == {"female": 24, "male": 17}
    assert "Thaketa community hall" in pmain.inner_text()
    ui.check(phone.horizontal_overflow() <= 0, "the network page fits a 360 px phone")
    snap(phone, "06-network-after-outreach")

    # --- not a member: a supplier gets 404 ------------------------------------------------------------------------
    supplier = ui.person("supplier admin")
    supplier.sign_in(demo[SUPPLIER_ADMIN])
    supplier.goto(f"/recruitment/networks/{network.pk}/", expect_status=404)
    supplier.goto(f"/recruitment/networks/broker-reports/{report.pk}/", expect_status=404)
    ui.assert_clean()
