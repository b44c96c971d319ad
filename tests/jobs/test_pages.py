"""Job marketplace pages: the light public board, applying (alone or through a CSO), the status link, the
employer's pipeline, who sees an applicant's identity, and query counts of the lists."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ilm.core.models import AuditEvent
from ilm.jobs import services
from ilm.jobs.models import Application, ApplicationStatus
from tests.conftest import sign_in
from tests.factories import country
from tests.jobs.helpers import APPLICANT_NAME, APPLICANT_PHONE, apply, market, post

pytestmark = pytest.mark.django_db


def page_weight(client: Client, url: str) -> int:
    """Bytes of the HTML plus every stylesheet and script it links (read from the static files)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    total = len(response.content)
    for asset in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(asset)
        assert path, asset
        with open(path, "rb") as handle:
            total += len(handle.read())
    assert "<script" not in html
    return total


def test_public_pages_are_light_and_need_no_account(client):
    m = market()
    for number in range(25):
        post(m.members["agency"], position=f"Packer {number}", benefits="Social security " * 20)
    vacancy = post(
        m.members["supplier"],
        fee_model="itemised",
        fees=[{"name": "Work permit", "amount": "1900", "currency": "THB", "charged_by": "Government"}],
    )
    for url in ("/jobs/", f"/jobs/{vacancy.pk}/", f"/jobs/{vacancy.pk}/apply/"):
        assert page_weight(client, url) < 200_000, url
    detail = client.get(f"/jobs/{vacancy.pk}/").content.decode()
    assert "Work permit" in detail and "1900" in detail


def test_public_list_filters_and_pages_in_constant_queries(client):
    m = market()
    for number in range(30):
        post(m.members["agency"], position=f"Zero fee job {number}", language="th")
    itemised = post(
        m.members["supplier"],
        position="Itemised job",
        fee_model="itemised",
        fees=[{"name": "Visa", "amount": "500", "currency": "THB", "charged_by": "Embassy"}],
    )
    post(m.members["agency"], publish=False, position="Secret draft job")
    body = client.get("/jobs/").content.decode()
    assert "Secret draft job" not in body and "More jobs" in body
    body = client.get("/jobs/?fee_model=itemised").content.decode()
    assert "Itemised job" in body and "Zero fee job" not in body
    body = client.get("/jobs/?language=th").content.decode()
    assert "Zero fee job" in body and "Itemised job" not in body
    assert client.get(f"/jobs/{itemised.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get("/jobs/?lang=my")
    with CaptureQueriesContext(connection) as paged:
        client.get("/jobs/?lang=my&country=TH")
    assert len(few) <= 8 and len(paged) <= 8  # 20 vacancies a page: fees and translations in one query each


def test_drafts_and_closed_vacancies_are_not_public_but_preview_for_their_owner(client):
    m = market()
    draft = post(m.members["agency"], publish=False, position="Draft job")
    assert client.get(f"/jobs/{draft.pk}/").status_code == 404
    assert client.get(f"/jobs/{draft.pk}/apply/").status_code == 404
    owner = sign_in(Client(), m.members["agency"])
    assert "Preview" in owner.get(f"/jobs/{draft.pk}/").content.decode()
    other = sign_in(Client(), m.members["other"])
    assert other.get(f"/jobs/{draft.pk}/").status_code == 404


def test_the_jobseeker_reads_in_their_language_or_sees_a_note(client):
    m = market()
    vacancy = post(m.members["agency"], language="th", position="พนักงานแกะกุ้ง")
    services.translation_save(actor=m.members["agency"], vacancy=vacancy, language="my", texts={"position": "ပုစွန်အခွံခွာ"})
    assert "ပုစွန်အခွံခွာ" in client.get(f"/jobs/{vacancy.pk}/?lang=my").content.decode()
    khmer = client.get(f"/jobs/{vacancy.pk}/?lang=km").content.decode()
    assert "พนักงานแกะกุ้ง" in khmer and 'class="note"' in khmer


def test_apply_publicly_then_duplicate_is_a_clear_error_and_the_status_link_works(client):
    m = market()
    vacancy = post(m.members["supplier"])
    data = {
        "full_name": APPLICANT_NAME,
        "contact_kind": "phone",
        "contact": APPLICANT_PHONE,
        "nationality": "MM",
        "gender": "female",
        "consent": "on",
    }
    response = client.post(f"/jobs/{vacancy.pk}/apply/?lang=my", data)
    assert response.status_code == 200
    status_url = re.search(r'href="(http://testserver/jobs/status/[^"]+)"', response.content.decode()).group(1)
    again = client.post(f"/jobs/{vacancy.pk}/apply/", data)
    assert again.status_code == 400 and "already applied" in again.content.decode()
    no_consent = client.post(f"/jobs/{vacancy.pk}/apply/", {**data, "contact": "+66 81 000 1111", "consent": ""})
    assert no_consent.status_code == 400 and Application.objects.count() == 1
    status = client.get(status_url)
    with translation.override("my"):  # the status page speaks the applicant's language
        applied = str(ApplicationStatus.APPLIED.label)
    assert status.status_code == 200 and applied in status.content.decode()
    assert client.get("/jobs/status/not-a-real-token/").status_code == 404


def test_employer_pipeline_and_identity_only_for_those_allowed():
    m = market()
    vacancy = post(m.members["supplier"])
    application, _token = apply(vacancy, actor=m.members["cso"])
    employer = sign_in(Client(), m.members["supplier"])
    url = f"/jobs/applications/{application.pk}/"
    assert APPLICANT_NAME in employer.get(url).content.decode()
    assert (
        AuditEvent.objects.filter(action="job.application_identity_viewed", object_id=str(application.pk)).count() == 1
    )
    assert employer.post(f"{url}move/", {"status": "offered"}).status_code == 302
    assert employer.post(f"{url}message/", {"text": "Can you start on 1 June?"}).status_code == 302
    cso = sign_in(Client(), m.members["cso"])
    cso_page = cso.get(url).content.decode()
    assert APPLICANT_NAME in cso_page and "Can you start on 1 June?" in cso_page
    employer.post(f"{url}move/", {"status": "hired"})
    assert cso.post(f"{url}confirm/", {"paid_nothing_extra": "yes"}).status_code == 302
    application.refresh_from_db()
    assert application.paid_nothing_extra is True and application.confirmed_by == m.members["cso"]
    # The canary: never to another employer, a buyer, the employer's viewer as a name, or the public.
    viewer_page = sign_in(Client(), m.members["supplier_viewer"]).get(url)
    assert viewer_page.status_code == 200 and APPLICANT_NAME not in viewer_page.content.decode()
    for key in ("other", "buyer", "agency"):
        outsider = sign_in(Client(), m.members[key])
        assert outsider.get(url).status_code == 404
        for page in ("/jobs/", "/jobs/vacancies/", "/jobs/applications/", f"/jobs/{vacancy.pk}/"):
            body = outsider.get(page).content.decode()
            assert APPLICANT_NAME not in body and "555 0142" not in body
    public = Client()
    for page in ("/jobs/", f"/jobs/{vacancy.pk}/"):
        assert APPLICANT_NAME not in public.get(page).content.decode()


def test_employer_creates_with_fee_formset_and_publish_is_refused_without_fee_model():
    m = market()
    client = sign_in(Client(), m.members["agency"])
    form = {
        "position": "Chicken deboner",
        "language": "th",
        "openings": "10",
        "country": "TH",
        "wage_amount": "11000",
        "wage_currency": "THB",
        "pay_period": "month",
        "fee_model": "",
        "fees-TOTAL_FORMS": "2",
        "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "20",
    }
    bad = client.post("/jobs/vacancies/new/", {**form, "wage_currency": "BAHT"})
    assert bad.status_code == 400 and "ISO 4217" in bad.content.decode()
    response = client.post("/jobs/vacancies/new/", form)
    assert response.status_code == 302
    detail_url = response["Location"]
    pk = int(detail_url.rstrip("/").split("/")[-1])
    refused = client.post(f"/jobs/vacancies/{pk}/publish/", follow=True)
    assert "Fill in the fee model" in refused.content.decode()
    edit = {
        **form,
        "fee_model": "itemised",
        "fees-0-name": "Work permit",
        "fees-0-amount": "1900",
        "fees-0-currency": "THB",
        "fees-0-charged_by": "Government",
    }
    assert client.post(f"/jobs/vacancies/{pk}/edit/", edit).status_code == 302
    client.post(f"/jobs/vacancies/{pk}/publish/")
    assert Client().get(f"/jobs/{pk}/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/jobs/vacancies/").status_code == 200
    assert len(queries) < 25
    assert country("TH")
