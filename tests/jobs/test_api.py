"""The job marketplace API: the same scopes as the pages, identity only where the pages show it (audited),
field errors in the API's error format, and list query counts that do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.core.models import AuditEvent
from ilm.jobs import services
from ilm.jobs.models import Application, Vacancy
from tests.api.test_api import api, token_for
from tests.jobs.helpers import APPLICANT_NAME, APPLICANT_PHONE, Market, apply, ern_member, market, post

pytestmark = pytest.mark.django_db

NEW_VACANCY = {
    "position": "Chicken deboner",
    "language": "th",
    "openings": 10,
    "country": "TH",
    "wage_amount": "11000.00",
    "wage_currency": "THB",
    "pay_period": "month",
    "hours_per_day": "8",
    "overtime": "Voluntary, 1.5x",
}


@pytest.fixture
def m() -> Market:
    return market()


def as_(m: Market, key: str) -> str:
    return token_for(m.members[key])


def fields(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["error"]["code"] == "invalid", body
    return body["error"]["fields"]


def test_owner_creates_edits_publishes_and_closes(client: Client, m: Market):
    secret = as_(m, "agency")
    created = api(client, "post", "/api/v1/vacancies/", secret, {**NEW_VACANCY, "fee_model": "zero_fee"})
    assert created.status_code == 201, created.json()
    vacancy = created.json()
    assert vacancy["status"] == "draft" and vacancy["may_edit"] is True and vacancy["fees"] == []
    assert vacancy["pipeline"]["total"] == 0 and vacancy["employer"] == m.agency.pk
    url = f"/api/v1/vacancies/{vacancy['id']}/"
    itemised = api(
        client,
        "patch",
        url,
        secret,
        {
            "version": vacancy["version"],
            "fee_model": "itemised",
            "fees": [{"name": "Work permit", "amount": "1900", "currency": "thb", "charged_by": "Government"}],
        },
    )
    assert itemised.status_code == 200, itemised.json()
    assert itemised.json()["fees"] == [
        {"name": "Work permit", "amount": "1900.00", "currency": "THB", "charged_by": "Government"}
    ]
    stale = api(client, "patch", url, secret, {"version": vacancy["version"], "openings": 3})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    published = api(client, "post", f"{url}publish/", secret)
    assert published.status_code == 200 and published.json()["status"] == "published"
    translated = api(client, "post", f"{url}translations/", secret, {"language": "my", "position": "ကြက်သားခွာ"})
    assert translated.status_code == 200, translated.json()
    assert [t["language"] for t in translated.json()["translations"]] == ["my"]
    reader = as_(m, "buyer")
    posting = api(client, "get", f"/api/v1/job-postings/{vacancy['id']}/?lang=my", reader).json()
    assert posting["position"] == "ကြက်သားခွာ" and posting["translated"] is True
    assert posting["languages"] == ["th", "my"] and posting["fees"][0]["name"] == "Work permit"
    khmer = api(client, "get", f"/api/v1/job-postings/{vacancy['id']}/?lang=km", reader).json()
    assert khmer["position"] == "Chicken deboner" and khmer["translated"] is False
    closed = api(client, "post", f"{url}close/", secret)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = api(client, "post", f"{url}close/", secret)
    assert again.status_code == 400 and "already closed" in again.json()["error"]["fields"]["non_field_errors"][0]
    assert api(client, "get", "/api/v1/job-postings/", reader).json()["results"] == []


def test_bad_input_is_400_with_the_fields_named(client: Client, m: Market):
    secret = as_(m, "supplier")
    missing = api(client, "post", "/api/v1/vacancies/", secret, {"openings": 0})
    assert missing.status_code == 400
    assert {"position", "country", "openings"} <= set(fields(missing))
    bad_currency = api(
        client, "post", "/api/v1/vacancies/", secret, {**NEW_VACANCY, "site": m.site.pk, "wage_currency": "BAHT"}
    )
    assert bad_currency.status_code == 400 and "wage_currency" in fields(bad_currency)
    not_iso = api(
        client, "post", "/api/v1/vacancies/", secret, {**NEW_VACANCY, "site": m.site.pk, "wage_currency": "XYZ"}
    )
    assert not_iso.status_code == 400 and "ISO 4217" in fields(not_iso)["wage_currency"][0]
    no_site = api(client, "post", "/api/v1/vacancies/", secret, NEW_VACANCY)
    assert no_site.status_code == 400 and "site" in fields(no_site)
    someone_elses_site = api(client, "post", "/api/v1/vacancies/", as_(m, "other"), {**NEW_VACANCY, "site": m.site.pk})
    assert someone_elses_site.status_code == 400 and "site" in fields(someone_elses_site)
    bad_fee = api(
        client,
        "post",
        "/api/v1/vacancies/",
        secret,
        {**NEW_VACANCY, "site": m.site.pk, "fee_model": "itemised", "fees": [{"name": "Visa", "amount": "-1"}]},
    )
    assert bad_fee.status_code == 400
    assert {"fees.0.amount", "fees.0.currency", "fees.0.charged_by"} <= set(fields(bad_fee))
    zero_with_fees = api(
        client,
        "post",
        "/api/v1/vacancies/",
        secret,
        {
            **NEW_VACANCY,
            "site": m.site.pk,
            "fee_model": "zero_fee",
            "fees": [{"name": "Visa", "amount": "500", "currency": "THB", "charged_by": "Embassy"}],
        },
    )
    assert zero_with_fees.status_code == 400 and "fees" in fields(zero_with_fees)
    assert Vacancy.objects.count() == 0
    buyer = api(client, "post", "/api/v1/vacancies/", as_(m, "buyer"), NEW_VACANCY)
    assert buyer.status_code == 403 and buyer.json()["error"]["status"] == 403


def test_publish_is_refused_without_the_fee_model(client: Client, m: Market):
    secret = as_(m, "agency")
    draft = api(client, "post", "/api/v1/vacancies/", secret, NEW_VACANCY).json()
    refused = api(client, "post", f"/api/v1/vacancies/{draft['id']}/publish/", secret)
    assert refused.status_code == 400 and "Fill in the fee model" in fields(refused)["fee_model"][0]
    api(client, "patch", f"/api/v1/vacancies/{draft['id']}/", secret, {"fee_model": "itemised"})
    no_fees = api(client, "post", f"/api/v1/vacancies/{draft['id']}/publish/", secret)
    assert no_fees.status_code == 400 and "fees" in fields(no_fees)
    assert Vacancy.objects.get(pk=draft["id"]).status == "draft"


def test_vacancies_are_their_owners_and_postings_are_the_published_ones(client: Client, m: Market):
    mine = post(m.members["agency"], position="Agency packer")
    draft = post(m.members["agency"], publish=False, position="Agency draft")
    theirs = post(m.members["supplier"], position="Supplier peeler")
    listed = api(client, "get", "/api/v1/vacancies/", as_(m, "agency")).json()["results"]
    assert {v["id"] for v in listed} == {mine.pk, draft.pk}
    for key in ("agency", "buyer", "cso"):
        response = api(client, "get", f"/api/v1/vacancies/{theirs.pk}/", as_(m, key))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api(client, "get", "/api/v1/vacancies/", as_(m, "buyer")).json()["results"] == []
    every = api(client, "get", "/api/v1/vacancies/", as_(m, "tp")).json()["results"]
    assert {v["id"] for v in every} == {mine.pk, draft.pk, theirs.pk}
    write = api(client, "patch", f"/api/v1/vacancies/{theirs.pk}/", as_(m, "agency"), {"openings": 2})
    assert write.status_code == 404
    board = api(client, "get", "/api/v1/job-postings/", as_(m, "buyer")).json()["results"]
    assert {v["id"] for v in board} == {mine.pk, theirs.pk}
    assert "pipeline" not in board[0] and "created_by" not in board[0]
    assert api(client, "get", f"/api/v1/job-postings/{draft.pk}/", as_(m, "buyer")).status_code == 404
    assert api(client, "get", f"/api/v1/job-postings/{draft.pk}/", as_(m, "agency")).status_code == 200
    zero = api(client, "get", "/api/v1/job-postings/?fee_model=itemised", as_(m, "cso")).json()["results"]
    assert zero == []


def test_applications_are_scoped_like_the_pages_and_identity_is_audited(client: Client, m: Market):
    vacancy = post(m.members["supplier"])
    helped, _token = apply(vacancy, actor=m.members["cso"])
    direct, _token = apply(vacancy, name="Walk In", contact="+66 81 555 0999")
    url = f"/api/v1/job-applications/{helped.pk}/"
    readers = {"supplier": {helped.pk, direct.pk}, "cso": {helped.pk}, "tp": {helped.pk, direct.pk}}
    for key, expected in readers.items():
        response = api(client, "get", "/api/v1/job-applications/", as_(m, key))
        assert {a["id"] for a in response.json()["results"]} == expected, key
        assert APPLICANT_NAME not in response.content.decode() and "555 0142" not in response.content.decode()
    for key in ("other", "buyer", "agency"):
        assert api(client, "get", "/api/v1/job-applications/", as_(m, key)).json()["results"] == []
        for path in (url, f"{url}messages/"):
            response = api(client, "get", path, as_(m, key))
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api(client, "get", f"/api/v1/job-applications/{direct.pk}/", as_(m, "cso")).status_code == 404

    def views() -> int:
        return AuditEvent.objects.filter(action="job.application_identity_viewed", object_id=str(helped.pk)).count()

    for key in ("supplier", "cso", "tp"):
        before = views()
        body = api(client, "get", url, as_(m, key)).json()
        assert body["identity_shown"] is True and body["full_name"] == APPLICANT_NAME, key
        assert body["contact"] == APPLICANT_PHONE and views() == before + 1
        assert AuditEvent.objects.filter(action="job.application_identity_viewed").latest("pk").detail["via"] == "api"
    for key in ("supplier_viewer", "cso_viewer"):
        before = views()
        response = api(client, "get", url, as_(m, key))
        assert response.status_code == 200 and APPLICANT_NAME not in response.content.decode()
        assert response.json()["full_name"] is None and response.json()["identity_shown"] is False
        assert views() == before


def test_cso_applies_duplicate_is_400_then_the_pipeline_runs(client: Client, m: Market):
    vacancy = post(m.members["agency"], position="Zero fee packer")
    ern_member(m.cso, origin="MM")  # reach 3 counts the offer: the CSO is in the Myanmar ERN
    cso = as_(m, "cso")
    body = {
        "vacancy": vacancy.pk,
        "full_name": APPLICANT_NAME,
        "contact_kind": "phone",
        "contact": APPLICANT_PHONE,
        "nationality": "MM",
        "gender": "female",
        "language": "my",
        "consent": True,
    }
    created = api(client, "post", "/api/v1/job-applications/", cso, body)
    assert created.status_code == 201, created.json()
    application = created.json()
    assert application["status_url"].startswith("http://testserver/jobs/status/")
    assert application["via_cso"] == m.cso.pk and "full_name" not in application
    duplicate = api(client, "post", "/api/v1/job-applications/", cso, {**body, "contact": "081-555-0142"})
    assert duplicate.status_code == 400 and "already applied" in fields(duplicate)["contact"][0]
    no_consent = api(client, "post", "/api/v1/job-applications/", cso, {**body, "contact": "@khin", "consent": False})
    assert no_consent.status_code == 400 and "consent" in fields(no_consent)
    bad = api(client, "post", "/api/v1/job-applications/", cso, {"vacancy": 10**9, "contact_kind": "fax"})
    assert bad.status_code == 400 and {"vacancy", "contact_kind", "full_name", "nationality"} <= set(fields(bad))
    employer_applying = api(client, "post", "/api/v1/job-applications/", as_(m, "agency"), body)
    assert employer_applying.status_code == 403
    assert Application.objects.count() == 1

    url = f"/api/v1/job-applications/{application['id']}/"
    employer = as_(m, "agency")
    assert api(client, "post", f"{url}shortlist/", cso).status_code == 403
    hired_too_soon = api(client, "post", f"{url}hire/", employer)
    assert hired_too_soon.status_code == 400 and "status" in fields(hired_too_soon)
    assert api(client, "post", f"{url}shortlist/", employer).json()["status"] == "shortlisted"
    offered = api(client, "post", f"{url}offer/", employer).json()
    assert offered["status"] == "offered" and offered["offered_at"]
    message = api(client, "post", f"{url}messages/", employer, {"text": "Can you start on 1 June?"})
    assert message.status_code == 201 and message.json()["author"] == m.agency.name
    empty = api(client, "post", f"{url}messages/", cso, {"text": ""})
    assert empty.status_code == 400 and "text" in fields(empty)
    thread = api(client, "get", f"{url}messages/", cso).json()
    assert [t["text"] for t in thread] == ["Can you start on 1 June?"]
    assert api(client, "post", f"{url}hire/", employer).json()["status"] == "hired"
    needs_details = api(client, "post", f"{url}confirm/", cso, {"paid_nothing_extra": False})
    assert needs_details.status_code == 400 and "paid_details" in fields(needs_details)
    assert api(client, "post", f"{url}confirm/", employer, {"paid_nothing_extra": True}).status_code == 403
    confirmed = api(client, "post", f"{url}confirm/", cso, {"paid_nothing_extra": True})
    assert confirmed.status_code == 200 and confirmed.json()["paid_nothing_extra"] is True

    reach = api(client, "get", "/api/v1/job-reach/", as_(m, "tp")).json()
    assert reach["offers"] == {"offered": 1, "through_ern": 1}
    assert reach["vacancies"]["zero_cost"] == 1 and reach["vacancies"]["openings_zero_cost"] == 5
    assert reach["hires"] == {"confirmed": 1, "zero_cost": 1, "within_legal_fees": 0, "paid_more": 0}
    other = api(client, "get", "/api/v1/job-reach/", as_(m, "other")).json()
    assert other["offers"]["offered"] == 0 and other["hires"]["confirmed"] == 0
    backwards = api(client, "get", "/api/v1/job-reach/?date_from=2026-02-01&date_to=2026-01-01", employer)
    assert backwards.status_code == 400 and "date_to" in fields(backwards)
    assert api(client, "get", "/api/v1/job-reach/?date_from=soon", employer).status_code == 400


def _count(client: Client, path: str, secret: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api(client, "get", path, secret).status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_rows(client: Client, m: Market):
    def add(number: int) -> None:
        for index in range(number):
            vacancy = post(
                m.members["supplier"],
                position=f"Job {Vacancy.objects.count()}",
                fee_model="itemised",
                fees=[{"name": "Visa", "amount": "500", "currency": "THB", "charged_by": "Embassy"}],
            )
            services.translation_save(
                actor=m.members["supplier"], vacancy=vacancy, language="th", texts={"position": "งาน"}
            )
            apply(vacancy, actor=m.members["cso"], contact=f"+66 81 555 {1000 + index}")

    paths = ["/api/v1/vacancies/", "/api/v1/job-postings/?lang=th", "/api/v1/job-applications/"]
    secrets = {"supplier": as_(m, "supplier"), "cso": as_(m, "cso"), "tp": as_(m, "tp")}
    for secret in secrets.values():
        api(client, "get", "/api/v1/me/", secret)  # the token's first use is recorded once
    add(2)
    few = {(key, path): _count(client, path, secret) for key, secret in secrets.items() for path in paths}
    add(8)
    many = {(key, path): _count(client, path, secret) for key, secret in secrets.items() for path in paths}
    assert few == many


def test_applying_through_the_api_shares_the_apply_pages_limit(client: Client, m: Market):
    from django.core.cache import cache

    from ilm.core import ratelimit

    cache.clear()
    vacancy = post(m.members["agency"])
    for _attempt in range(60):
        ratelimit.hit("jobs-apply-cso", str(m.members["cso"].pk), limit=60, window=600)
    body = {
        "vacancy": vacancy.pk,
        "full_name": APPLICANT_NAME,
        "contact_kind": "phone",
        "contact": APPLICANT_PHONE,
        "nationality": "MM",
        "consent": True,
    }
    response = api(client, "post", "/api/v1/job-applications/", as_(m, "cso"), body)
    assert response.status_code == 429 and response.json()["error"]["status"] == 429
    assert Application.objects.count() == 0
    cache.clear()
