"""Ethical Recruitment Network pages and API: forms with clear errors that save nothing, the broker's name
only on a report's own page (audited), lists with filters, the network page's totals, and the API's create,
update, filters and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.core.models import AuditEvent
from ilm.recruitment import services
from ilm.recruitment.models import BrokerReport, NetworkMember, OutreachEvent, RecruitmentNetwork
from tests.api.test_api import api, token_for
from tests.conftest import sign_in
from tests.recruitment.ern_world import BROKER, ErnWorld, build, event_data, report_data

pytestmark = pytest.mark.django_db

FORM = {
    "broker_name": 'U Tin ("Uncle")',
    "area": "Hlegu Township",
    "reported_on": "2026-03-01",
    "fee_amount": "900000",
    "fee_currency": "mmk",
    "fee_for": "Passport and a promised job",
    "jobseekers_charged": "6",
    "intervention": "reported",
    "intervention_notes": "",
    "repaid_amount": "",
    "repaid_currency": "",
    "jobseekers_repaid": "",
    "referred_to": "police",
    "referred_on": "2026-03-02",
    "referral_reference": "YGN-77",
    "status": "open",
}


@pytest.fixture
def w() -> ErnWorld:
    return build()


def test_a_member_records_a_broker_report_on_the_page_errors_first(w: ErnWorld):
    client = sign_in(Client(), w.m("cso", "caseworker"))
    detail = client.get(f"/recruitment/networks/{w.network.pk}/")
    assert detail.status_code == 200 and "Report a broker" in detail.text
    assert BROKER not in detail.text  # recent reports are listed without the broker's name
    url = f"/recruitment/networks/{w.network.pk}/broker-reports/new/"
    assert client.get(url).status_code == 200
    before = BrokerReport.objects.count()
    bad = client.post(url, {**FORM, "fee_amount": "-4", "fee_currency": "XYZ", "referred_on": ""})
    assert bad.status_code == 400
    assert "Nothing was saved" in bad.text
    assert "Enter an amount greater than zero." in bad.text
    assert "Use an ISO 4217 currency code, such as THB, MMK or USD." in bad.text
    assert "Enter the date of the referral." in bad.text
    assert BrokerReport.objects.count() == before
    saved = client.post(url, FORM)
    assert saved.status_code == 302
    report = BrokerReport.objects.latest("id")
    assert report.fee_currency == "MMK" and report.referral_reference == "YGN-77"
    page = client.get(saved.url)
    assert 'U Tin ("Uncle")' in page.text or "U Tin (&quot;Uncle&quot;)" in page.text
    assert AuditEvent.objects.filter(action="recruitment.broker_viewed", object_id=str(report.pk)).count() == 1
    # The agency member reads it, but may not edit the CSO's report.
    agency = sign_in(Client(), w.m("agency", "admin"))
    assert agency.get(saved.url).status_code == 200
    assert agency.get(f"{saved.url}edit/").status_code == 403
    assert agency.post(f"{saved.url}edit/", {**FORM, "status": "closed"}).status_code == 403


def test_outreach_event_and_referral_pages(w: ErnWorld):
    client = sign_in(Client(), w.m("government", "admin"))
    url = f"/recruitment/networks/{w.network.pk}/outreach/new/"
    empty = client.post(url, {"held_on": "2026-03-03", "place": "Township hall", "topic": "Rights", "language": "my"})
    assert empty.status_code == 400 and "Enter how many jobseekers the event reached." in empty.text
    data = {
        "held_on": "2026-03-03",
        "place": "Township hall",
        "topic": "Rights",
        "language": "my",
        "reached_female": "12",
        "reached_male": "8",
    }
    assert client.post(url, data).status_code == 302
    event = OutreachEvent.objects.latest("id")
    assert {c.gender: c.count for c in event.reach.all()} == {"female": 12, "male": 8}
    referral = client.post(
        f"/recruitment/networks/{w.network.pk}/referrals/new/",
        {"service": "health", "service_name": "Township clinic", "referred_on": "2026-03-04", "outcome": "pending"},
    )
    assert referral.status_code == 302
    page = client.get(f"/recruitment/networks/{w.network.pk}/")
    totals = page.text[page.text.index('id="ern-totals"') :]
    assert "Township clinic" in page.text and ">70<" in totals.replace(" ", "")  # 50 + 20 jobseekers reached


def test_lists_filter_by_network_dates_and_status(w: ErnWorld):
    client = sign_in(Client(), w.m("tp", "viewer"))
    reports = client.get("/recruitment/networks/broker-reports/")
    assert reports.status_code == 200 and reports.text.count("/recruitment/networks/broker-reports/") >= 2
    only_mm = client.get(f"/recruitment/networks/broker-reports/?network={w.network.pk}")
    assert "<td>Myanmar ERN</td>" in only_mm.text and "<td>Cambodia ERN</td>" not in only_mm.text
    later = client.get("/recruitment/networks/outreach/?date_from=2026-04-01")
    assert "No outreach events you can see." in later.text
    closed = client.get("/recruitment/networks/broker-reports/?status=closed")
    assert "No broker reports you can see." in closed.text
    bad = client.get("/recruitment/networks/referrals/?date_from=soon")
    assert bad.status_code == 400 and "Enter a valid date." in bad.text
    assert client.get("/recruitment/networks/referrals/?outcome=pending").status_code == 200
    # A non-member's lists are empty, and the network chosen in the filter is not one it may pick.
    outsider = sign_in(Client(), w.m("outside_cso"))
    listed = outsider.get(f"/recruitment/networks/broker-reports/?network={w.network.pk}")
    assert listed.status_code == 400 and "Myanmar ERN" not in listed.text


def test_the_technical_partner_creates_a_network_and_adds_members_on_the_pages(w: ErnWorld):
    client = sign_in(Client(), w.m("tp", "admin"))
    duplicate = client.post("/recruitment/networks/new/", {"origin_country": "MM", "name": "Again"})
    assert duplicate.status_code == 400 and "already has an active Ethical Recruitment Network" in duplicate.text
    created = client.post("/recruitment/networks/new/", {"origin_country": "NP", "name": "Nepal ERN"})
    assert created.status_code == 302
    nepal = RecruitmentNetwork.objects.get(name="Nepal ERN")
    add = f"/recruitment/networks/{nepal.pk}/members/new/"
    refused = client.post(add, {"organisation": w.orgs["supplier"].pk, "role": "member"})
    assert refused.status_code == 400 and not NetworkMember.objects.filter(network=nepal).exists()
    assert client.post(add, {"organisation": w.orgs["outside_cso"].pk, "role": "coordinator"}).status_code == 302
    member = NetworkMember.objects.get(network=nepal)
    left = client.post(f"/recruitment/networks/members/{member.pk}/", {"role": "member", "left_on": "2020-01-01"})
    assert left.status_code == 400 and "cannot leave before it joined" in left.text
    # Members and other kinds may not manage networks.
    cso = sign_in(Client(), w.m("cso", "admin"))
    assert cso.get("/recruitment/networks/new/").status_code == 403
    assert cso.get(f"/recruitment/networks/{w.network.pk}/members/new/").status_code == 403
    assert cso.get(f"/recruitment/networks/{nepal.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("key", "shown"),
    [("tp", True), ("cso", True), ("agency", True), ("government", True), ("supplier", False), ("buyer", False)],
)
def test_the_menu_offers_recruitment_networks_to_tp_csos_agencies_and_government(w: ErnWorld, key, shown):
    page = sign_in(Client(), w.m(key)).get("/recruitment/networks/")
    assert page.status_code == 200
    assert ('href="/recruitment/networks/"' in page.text.split("<main")[0]) is shown


# --- API --------------------------------------------------------------------------------------------------


def test_api_broker_reports_create_read_update_and_filter(w: ErnWorld):
    client = Client()
    cso, agency, tp = token_for(w.m("cso", "caseworker")), token_for(w.m("agency", "admin")), token_for(w.m("tp"))
    body = {"network": w.network.pk, "broker_name": "Daw Hla", "area": "Bago", "reported_on": "2026-03-05"}
    bad = api(client, "post", "/api/v1/broker-reports/", cso, {**body, "fee_amount": "-1", "fee_currency": "XYZ"})
    assert bad.status_code == 400
    assert {"fee_amount", "fee_currency"} <= set(bad.json()["error"]["fields"])
    created = api(client, "post", "/api/v1/broker-reports/", cso, {**body, "fee_amount": "1000", "fee_currency": "MMK"})
    assert created.status_code == 201, created.json()
    report = created.json()
    assert report["broker_name"] == "Daw Hla" and report["reported_by"] == w.orgs["cso"].pk
    listed = api(client, "get", "/api/v1/broker-reports/?date_from=2026-03-04&date_to=2026-03-06", agency).json()
    assert [row["id"] for row in listed["results"]] == [report["id"]]
    assert "broker_name" not in listed["results"][0]
    other_network = api(client, "get", f"/api/v1/broker-reports/?network={w.other.pk}", agency).json()
    assert other_network["results"] == []
    views = AuditEvent.objects.filter(action="recruitment.broker_viewed", object_id=str(report["id"]))
    before = views.count()
    assert api(client, "get", f"/api/v1/broker-reports/{report['id']}/", agency).json()["broker_name"] == "Daw Hla"
    assert views.count() == before + 1
    url = f"/api/v1/broker-reports/{report['id']}/"
    assert api(client, "patch", url, agency, {"status": "closed"}).status_code == 403
    patched = api(
        client,
        "patch",
        url,
        tp,
        {"status": "closed", "repaid_amount": "500", "repaid_currency": "MMK", "jobseekers_repaid": 1},
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["status"] == "closed" and patched.json()["broker_name"] == "Daw Hla"
    outsider = token_for(w.m("outside_agency"))
    assert api(client, "post", "/api/v1/broker-reports/", outsider, body).status_code == 400  # network unknown
    assert api(client, "get", url, outsider).status_code == 404


def test_api_networks_members_events_referrals(w: ErnWorld):
    client = Client()
    tp, cso = token_for(w.m("tp", "admin")), token_for(w.m("cso", "caseworker"))
    network = api(client, "post", "/api/v1/recruitment-networks/", tp, {"origin_country": "NP", "name": "Nepal ERN"})
    assert network.status_code == 201
    assert (
        api(client, "post", "/api/v1/recruitment-networks/", cso, {"origin_country": "LA", "name": "X"}).status_code
        == 403
    )
    nepal = network.json()["id"]
    supplier = api(
        client, "post", "/api/v1/network-members/", tp, {"network": nepal, "organisation": w.orgs["supplier"].pk}
    )
    assert supplier.status_code == 400 and "organisation" in supplier.json()["error"]["fields"]
    member = api(
        client,
        "post",
        "/api/v1/network-members/",
        tp,
        {"network": nepal, "organisation": w.orgs["government"].pk, "network_role": "coordinator"},
    )
    assert member.status_code == 201 and member.json()["network_role"] == "coordinator"
    twice = {
        "network": w.network.pk,
        "held_on": "2026-03-01",
        "place": "Hall",
        "topic": "Rights",
        "language": "my",
        "reach": [{"gender": "female", "count": 3}, {"gender": "female", "count": 4}],
    }
    assert api(client, "post", "/api/v1/outreach-events/", cso, twice).status_code == 400
    event = api(client, "post", "/api/v1/outreach-events/", cso, {**twice, "reach": [{"gender": "male", "count": 9}]})
    assert event.status_code == 201 and event.json()["reach"] == [{"gender": "male", "count": 9}]
    referral = api(
        client,
        "post",
        "/api/v1/referrals/",
        cso,
        {"network": w.network.pk, "service": "shelter", "service_name": "Safe house", "referred_on": "2026-03-02"},
    )
    assert referral.status_code == 201 and referral.json()["outcome"] == "pending"
    done = api(client, "patch", f"/api/v1/referrals/{referral.json()['id']}/", cso, {"outcome": "received"})
    assert done.status_code == 200 and done.json()["outcome"] == "received"
    totals = api(client, "get", f"/api/v1/recruitment-networks/{w.network.pk}/totals/", cso).json()
    assert totals["reached"] == {"female": 30, "male": 29, "other": 0} and totals["brokers_reported"] == 1
    assert totals["fees_charged"] == [{"currency": "MMK", "amount": "1500000.00"}]


def test_api_lists_do_not_grow_in_queries_with_rows(w: ErnWorld):
    cso = w.m("cso", "caseworker")
    secret = token_for(cso)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(Client(), "get", path, secret).status_code == 200
        return len(ctx.captured_queries)

    paths = ["/api/v1/broker-reports/", "/api/v1/outreach-events/", "/api/v1/referrals/", "/api/v1/network-members/"]
    count(paths[0])  # the token's first use is recorded once
    before = [count(p) for p in paths]
    for _ in range(3):
        services.broker_report_create(actor=cso, network=w.network, **report_data())
        services.outreach_event_create(actor=cso, network=w.network, **event_data())
    assert [count(p) for p in paths] == before
    page = sign_in(Client(), cso)
    with CaptureQueriesContext(connection) as ctx:
        assert page.get(f"/recruitment/networks/{w.network.pk}/").status_code == 200
    assert len(ctx.captured_queries) < 40
