"""The job marketplace's story in a browser: a recruitment agency posts a zero-fee job in Thai (its UI in
Thai) and translates it into Burmese; a jobseeker reads it in Burmese on a small phone; a CSO caseworker
applies on their behalf (on a phone too); the agency shortlists, offers and records the hire; the worker
confirms through their private status link that the job cost them nothing, and rates the agency.

Screenshots: var/screenshots/jobs-story-*.png. Every phone page is checked for horizontal overflow.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ilm.jobs.models import Application, EmployerReview, Vacancy
from tests.e2e.conftest import UI, Person
from tests.e2e.test_plans import choose_language, message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
AGENCY = "Bangkok Labour Services"
AGENCY_ADMIN = "bangkok-labour-admin"
CSO_CASEWORKER = "th-voice-caseworker"
THAI_POSITION = "พนักงานคัดแยกกุ้งแช่แข็ง"
BURMESE_POSITION = "အေးခဲပုစွန် အမျိုးအစားခွဲ အလုပ်သမား"
APPLICANT = "Ma Hnin Wai"


def snap(person: Person, ui: UI, name: str) -> None:
    person.page.wait_for_load_state("load")
    person.snap(f"jobs-story-{name}")
    overflow = person.horizontal_overflow()
    ui.check(overflow <= 0, f"{name}: the page is {overflow}px wider than the {person.viewport['width']}px screen")


def test_agency_posts_in_thai_cso_applies_in_burmese_worker_confirms_zero_cost(
    ui: UI, demo: dict[str, dict[str, Any]]
) -> None:
    # --- the agency posts a zero-fee job, its UI in Thai --------------------------------------------------
    agency = ui.person("agency admin in Thai")
    agency.sign_in(demo[AGENCY_ADMIN])
    choose_language(agency, "th")
    main = agency.main()
    agency.goto("/jobs/vacancies/new/")
    main.locator("#id_position").fill(THAI_POSITION)
    main.locator("#id_language").select_option("th")
    main.locator("#id_openings").fill("30")
    main.locator("#id_country").select_option("TH")
    main.locator("#id_industry").select_option("seafood")
    main.locator("#id_wage_amount").fill("12500")
    main.locator("#id_wage_currency").fill("THB")
    main.locator("#id_hours_per_day").fill("8")
    main.locator("#id_hours_per_week").fill("48")
    main.locator("#id_overtime").fill("สมัครใจ ค่าล่วงเวลา 1.5 เท่า")
    main.locator("#id_days_off").fill("หยุดสัปดาห์ละ 1 วัน")
    main.locator("#id_contract_length").fill("2 ปี")
    main.locator("#id_accommodation").fill("หอพักฟรี ห้องละ 4 คน")
    main.locator("#id_documents_needed").fill("หนังสือเดินทาง (นายจ้างจ่ายค่าธรรมเนียมทั้งหมด)")
    main.locator("input[name=fee_model][value=zero_fee]").check()
    snap(agency, ui, "01-agency-new-vacancy-th")
    agency.submit(main.locator("form.card button[type=submit]"), expect_path=r"/jobs/vacancies/\d+/")
    vacancy = Vacancy.objects.get(employer__name=AGENCY, position=THAI_POSITION)
    assert vacancy.status == "draft" and vacancy.fee_model == "zero_fee" and vacancy.language == "th"
    detail = f"/jobs/vacancies/{vacancy.pk}/"

    agency.goto(f"/jobs/vacancies/{vacancy.pk}/translate/?language=my")
    main.locator("#id_position").fill(BURMESE_POSITION)
    main.locator("#id_contract_length").fill("၂ နှစ်")
    main.locator("#id_accommodation").fill("အခမဲ့ အဆောင်၊ တစ်ခန်း ၄ ယောက်")
    snap(agency, ui, "02-agency-translates-my")
    agency.submit(main.locator("form button[type=submit]").first, expect_path=detail)
    agency.submit(main.locator("form[action$='/publish/'] button"), expect_path=detail)
    vacancy.refresh_from_db()
    assert vacancy.status == "published", message(agency)
    assert BURMESE_POSITION in main.inner_text()
    snap(agency, ui, "03-agency-published-th")

    # --- a jobseeker reads it in Burmese on a small phone -----------------------------------------------
    jobseeker = ui.person("jobseeker on a phone", PHONE)
    jobseeker.goto("/jobs/?lang=my")
    assert jobseeker.page.locator("html").get_attribute("lang") == "my"
    card = jobseeker.main().locator(f"a[href*='/jobs/{vacancy.pk}/']").first
    assert BURMESE_POSITION in jobseeker.main().inner_text()
    snap(jobseeker, ui, "04-jobseeker-list-my")
    with jobseeker.page.expect_navigation():
        card.click()
    page_text = jobseeker.main().inner_text()
    with translation.override("my"):  # the page speaks the reader's language
        eight_a_day = gettext("%(hours)s a day") % {"hours": "8"}
    assert (
        BURMESE_POSITION in page_text and re.search(r"12[,.\u00a0 ]?500 THB", page_text) and eight_a_day in page_text
    ), page_text
    snap(jobseeker, ui, "05-jobseeker-detail-my")

    # --- the CSO caseworker applies for them, on a phone -----------------------------------------------
    cso = ui.person("CSO caseworker on a phone", PHONE)
    cso.sign_in(demo[CSO_CASEWORKER])
    cso.goto(f"/jobs/{vacancy.pk}/apply/?lang=my")
    form = cso.main().locator("form.card")
    assert cso.main().locator(".note").count() >= 1  # "applying on behalf of a jobseeker"
    form.locator("#id_full_name").fill(APPLICANT)
    form.locator("#id_contact_kind").select_option("viber")
    form.locator("#id_contact").fill("+95 9 555 0147")
    form.locator("#id_nationality").select_option("MM")
    form.locator("#id_gender").select_option("female")
    form.locator("#id_consent").check()
    snap(cso, ui, "06-cso-applies-my")
    cso.submit(form.locator("button[type=submit]"), expect_path=f"/jobs/{vacancy.pk}/apply/")
    link = cso.main().locator("a[href*='/jobs/status/']")
    assert link.count() == 1, cso.main().inner_text()
    status_url = link.get_attribute("href")
    assert status_url
    snap(cso, ui, "07-cso-applied-my")
    application = Application.objects.get(vacancy=vacancy)
    assert application.via_cso.name == "Migrant Worker Voice Thailand" and application.language == "my"

    # --- the agency shortlists, offers and records the hire ---------------------------------------------
    agency.goto("/jobs/applications/")
    snap(agency, ui, "08-agency-applications-th")
    with agency.page.expect_navigation():
        main.locator(f"a[href='/jobs/applications/{application.pk}/']").click()
    assert APPLICANT in main.inner_text()  # the employer of the vacancy sees who applied
    for status in ("shortlisted", "offered", "hired"):
        agency.submit(
            main.locator(f"button[name=status][value={status}]"), expect_path=f"/jobs/applications/{application.pk}/"
        )
        application.refresh_from_db()
        assert application.status == status, message(agency)
    snap(agency, ui, "09-agency-hired-th")

    # --- the worker confirms the job cost them nothing, through the status link -------------------------
    worker = ui.person("worker on a phone", PHONE)
    worker.goto(status_url)
    assert worker.page.locator("html").get_attribute("lang") == "my"
    assert BURMESE_POSITION in worker.main().inner_text()
    snap(worker, ui, "10-worker-status-my")
    worker.main().locator("input[name='confirm-paid_nothing_extra'][value=yes]").check()
    worker.submit(worker.main().locator("button[name=confirm]"))
    application.refresh_from_db()
    assert application.paid_nothing_extra is True and application.confirmed_at is not None
    assert application.confirmed_by is None  # the worker's own word, not the CSO's
    assert worker.main().locator(".ok").count() == 1
    snap(worker, ui, "11-worker-confirmed-my")
    worker.main().locator("input[name='review-rating'][value='5']").check()
    worker.main().locator("textarea[name='review-comment']").fill("ပွဲခ မပေးရပါ")
    worker.submit(worker.main().locator("button[name=review]"))
    assert EmployerReview.objects.get(application=application).rating == 5
    snap(worker, ui, "12-worker-rated-my")

    ui.assert_clean()
