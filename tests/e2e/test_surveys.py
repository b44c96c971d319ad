"""The surveys issue's story in a browser: a worker answers the independent survey on a phone in Burmese
through the public link (no sign-in), then the CSO that runs it sees the results beside the supplier's
internal survey.

Screenshots: var/screenshots/surveys-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from ilm.surveys.models import Response, Survey
from tests.e2e.conftest import MOBILE, UI

pytestmark = pytest.mark.e2e

CASEWORKER = "th-voice-caseworker"
BURMESE_SEND = "Send my answers"  # UI strings are translated later; the questions are data, in Burmese now
BURMESE_WAGES = "သင့်လုပ်ခကို အပြည့်အဝနှင့် အချိန်မှန် ပေးချေခြင်းအပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။"
BURMESE_YES = "သိပါသည်"


def test_a_worker_answers_in_burmese_on_a_phone_and_the_cso_sees_the_comparison(
    ui: UI, demo: dict[str, dict[str, Any]]
) -> None:
    survey = Survey.objects.get(kind="independent", site__name="Samut Sakhon Plant 1")
    before = Response.objects.filter(survey=survey).count()

    # --- the worker, on a phone, without signing in ---------------------------------------------------------
    worker = ui.person("worker on a phone", MOBILE)
    worker.goto(f"/surveys/r/{survey.token}/")
    worker.page.locator("a[lang=my]").click()
    worker.page.wait_for_load_state("load")
    main = worker.main()
    assert BURMESE_WAGES in main.inner_text()
    assert worker.page.locator("html").get_attribute("lang") == "my"
    ui.check(worker.horizontal_overflow() <= 0, "the public survey page fits a phone")
    worker.snap("surveys-01-public-my")
    # Submit without answering: the required questions say so, nothing is saved.
    worker.submit(main.locator("button.survey-submit"))
    assert main.locator(".errorlist").count() >= 5
    assert Response.objects.filter(survey=survey).count() == before
    worker.snap("surveys-02-public-errors-my")
    for fieldset in main.locator("fieldset.survey-question").all():
        choices = fieldset.locator("label.survey-choice")
        (choices.nth(choices.count() - 2) if choices.count() == 5 else choices.first).click()
    assert main.locator(f"label.survey-choice:has-text('{BURMESE_YES}') input").first.is_checked()
    worker.submit(main.locator("button.survey-submit"), expect_path=f"/surveys/r/{survey.token}/thanks/")
    assert Response.objects.filter(survey=survey).count() == before + 1
    cookies = {cookie["name"] for cookie in worker.context.cookies()}
    assert cookies <= {"csrftoken"}, cookies
    worker.snap("surveys-03-thanks-my")

    # --- the CSO that runs it --------------------------------------------------------------------------------
    cso = ui.person("CSO caseworker")
    cso.sign_in(demo[CASEWORKER])
    cso.goto("/surveys/")
    cso.main().locator(f"a:has-text('{survey.title}')").click()
    cso.page.wait_for_load_state("load")
    assert cso.main().locator("#public-link").input_value().endswith(f"/surveys/r/{survey.token}/")
    assert cso.main().locator("#response-count").inner_text().strip() == str(before + 1)
    cso.snap("surveys-04-detail")
    cso.main().locator(f'a[href="/surveys/{survey.pk}/results/"]').click()
    cso.page.wait_for_load_state("load")
    table = cso.main().locator("#comparison")
    text = table.inner_text()
    assert "Not enough responses yet" not in text
    assert table.locator("meter").count() >= 12  # Likert means on both sides
    assert "(internal)" in text and "(independent)" in text
    cso.snap("surveys-05-results-comparison")

    phone = ui.person("CSO on a phone", MOBILE, same_session_as=cso)
    phone.goto(f"/surveys/{survey.pk}/results/")
    phone.snap("surveys-06-results-comparison")
    ui.assert_clean()
