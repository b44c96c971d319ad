"""The dashboards through API v1: the same tables as the page (the same kept copy, small cells hidden alike),
the same period and drill-down checks with the same messages, 403 for kinds without a dashboard; quarterly
reports asked for, followed and downloaded by whoever asked only, bad input refused with nothing saved.
On the small world of tests/dashboards/test_dashboard.py: three cases at the home supplier (two shared), the
canary worker from Myanmar on all three."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from ilm.accounts import services as account_services
from ilm.core.models import AuditEvent
from ilm.dashboards import reports, selectors
from ilm.dashboards.models import QuarterlyReport, ReportStatus
from ilm.dashboards.tables import Window
from tests.cases.helpers import CANARY_NAME, canary_worker, open_case
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

TABLES = "/api/v1/dashboard-tables/"
REPORTS = "/api/v1/quarterly-reports/"


def bearer(membership: Any) -> dict[str, str]:
    _token, secret = account_services.api_token_create(
        actor=membership, name="dashboards", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def shown(value: Any) -> Any:
    """A page cell as the API writes it: numbers stay numbers, a score keeps its two places, the rest is the
    page's text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float):
        return value
    return str(value)


def page_tables(member: Any) -> dict[str, Any]:
    """The tables the page draws for `member` (`dashboard_tables`, counted afresh), as the API writes them."""
    with translation.override("en"):
        return {
            table.name: {
                "title": str(table.title),
                "columns": [str(column) for column in table.columns],
                "rows": [[shown(value) for value in row] for row in table.rows],
                "note": str(table.note),
            }
            for table in selectors.dashboard_tables(member, Window.last_months(12))
        }


def api_tables(body: dict[str, Any]) -> dict[str, Any]:
    return {table["name"]: {k: table[k] for k in ("title", "columns", "rows", "note")} for table in body["tables"]}


def column(body: dict[str, Any], name: str, index: int = 1) -> list[Any]:
    table = next(table for table in body["tables"] if table["name"] == name)
    return [row[index] for row in table["rows"]]


# --- the tables ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "role"), [("buyer", "viewer"), ("supplier", "responder")])
def test_the_api_gives_the_pages_tables(world, key, role):
    from tests.indicators.test_eps_scores import assess

    assess(world, "supplier", "2026-Q3")  # scores: Decimal cells on both dashboards
    member = world.members[(key, role)]
    page = sign_in(Client(), member).get("/dashboard/")
    assert page.status_code == 200
    response = Client().get(TABLES, **bearer(member))
    assert response.status_code == 200, response.content
    body = response.json()
    window = Window.last_months(12)
    assert (body["date_from"], body["date_to"], body["business"]) == (
        window.start.isoformat(),
        window.end.isoformat(),
        None,
    )
    expected = page_tables(member)
    assert api_tables(body) == expected  # the same tables, in the same order, with the same rows
    assert list(api_tables(body)) == list(expected)
    for table in body["tables"]:  # and the page shows each of them
        assert f'id="t-{table["name"]}">{escape(table["title"])}</h2>' in page.text
    assert sum(column(body, "issues_by_month")) == 2  # the shared cases only
    # The canary worker is one of fewer than 5 of his nationality: hidden as on the page, never named.
    nationality = next(table for table in body["tables"] if table["name"] == "workers_by_nationality")
    assert nationality["rows"] == [["Myanmar", "fewer than 5"]]
    assert CANARY_NAME not in response.text
    scores = "business_scores" if key == "buyer" else "score_history"
    assert "4.00" in column(body, scores)


def test_a_buyers_rows_link_to_its_drill_down_and_the_api_reads_the_kept_tables(world):
    member = world.members[("buyer", "viewer")]
    client, auth = Client(), bearer(member)
    page = sign_in(Client(), member).get("/dashboard/")
    assert page.status_code == 200
    open_case(world, worker=canary_worker(world), share=True)  # a third shared case, within the minute
    body = client.get(TABLES, **auth).json()
    by_business = next(table for table in body["tables"] if table["name"] == "issues_by_business")
    assert by_business["rows"][0][:2] == [world.orgs["supplier"].name, 2]  # what the page showed
    assert by_business["row_keys"] == [{"business": world.orgs["supplier"].pk}]
    cache.clear()  # the minute has passed
    assert sum(column(client.get(TABLES, **auth).json(), "issues_by_month")) == 3


def test_a_drill_down_narrows_the_tables_and_one_outside_the_chain_is_refused_unnamed(world):
    client, auth = Client(), bearer(world.members[("buyer", "admin")])
    supplier = world.orgs["supplier"]
    narrowed = client.get(TABLES, {"business": supplier.pk}, **auth)
    assert narrowed.status_code == 200 and narrowed.json()["business"] == supplier.pk
    names = [table["name"] for table in narrowed.json()["tables"]]
    assert "issues_by_business" not in names and "issues_by_tier" not in names
    assert sum(column(narrowed.json(), "issues_by_month")) == 2

    outsider = next(org for org in world.outsiders["organisation"] if org.kind == "supplier")
    refused = client.get(TABLES, {"business": outsider.pk}, HTTP_ACCEPT_LANGUAGE="th", **auth)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"business": [translated("th", "That business is not one whose issues you can see.")]}
    for secret in world.outsider_names():
        assert secret not in refused.text
    for bad in ("0", "x", "-3"):
        assert client.get(TABLES, {"business": bad}, **auth).status_code == 400
    # a supplier has nobody to drill into, not even itself
    supplier_auth = bearer(world.members[("supplier", "admin")])
    assert client.get(TABLES, {"business": supplier.pk}, **supplier_auth).status_code == 400


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "2026-05-01", "date_to": "2026-01-01"}, "non_field_errors", "The end is before the start."),
        ({"date_from": "2019-01-01", "date_to": "2026-01-01"}, "non_field_errors", "Choose at most five years."),
        ({"date_from": "garbage"}, "date_from", "Enter a valid date."),
        ({"date_to": "9999-12-31"}, "date_to", "Give a date between the years 1900 and 9000."),  # no server error
    ],
)
def test_a_bad_period_is_the_pages_error_in_the_callers_language(world, query, field, message):
    member = world.members[("cso", "caseworker")]
    response = Client().get(TABLES, query, HTTP_ACCEPT_LANGUAGE="th", **bearer(member))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [translated("th", message)]}
    page = sign_in(Client(), member).get("/dashboard/", query, HTTP_ACCEPT_LANGUAGE="th")
    assert page.status_code == 400  # the page refuses the same input
    key = "__all__" if field == "non_field_errors" else field
    with translation.override("th"):  # the form's messages are translated when read
        assert list(page.context["form"].errors) == [key]
        assert list(page.context["form"].errors[key]) == [translated("th", message)]


def test_kinds_without_a_dashboard_are_refused(world):
    for key in (("government", "admin"), ("academic", "viewer")):
        response = Client().get(TABLES, **bearer(world.members[key]))
        assert response.status_code == 403, key
        error = response.json()["error"]
        assert error["message"] == "Your organisation has no dashboard of worker-reported issues."
    period = {"date_from": "2026-05-01", "date_to": "2026-01-01"}  # refused before the period is read
    assert Client().get(TABLES, period, **bearer(world.members[("government", "admin")])).status_code == 403


# --- quarterly reports -----------------------------------------------------------------------------------


def test_a_supplier_asks_for_a_report_follows_it_and_downloads_the_pdf(world, django_capture_on_commit_callbacks):
    owner = world.members[("supplier", "responder")]
    client, auth = Client(), bearer(owner)
    quarter = reports.current_quarter()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs when the request's work commits
        response = client.post(
            REPORTS, {"quarter": quarter.lower(), "language": "en"}, content_type="application/json", **auth
        )
        assert response.status_code == 201, response.content
        made = response.json()
        assert made["status"] == ReportStatus.QUEUED and made["progress"] == 0 and made["error"] == ""
        assert made["organisation"] == world.orgs["supplier"].pk and made["quarter"] == quarter
        assert made["organisation_name"] == world.orgs["supplier"].name and made["language"] == "en"
        not_ready = client.get(f"{REPORTS}{made['id']}/download/", **auth)
        assert not_ready.status_code == 400 and not_ready["Content-Type"] == "application/json"
        assert not_ready.json()["error"] == {
            "status": 400,
            "code": "not_ready",
            "message": "This report is not ready yet.",
        }

    listed = client.get(REPORTS, **auth)
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["results"]] == [made["id"]]
    detail = client.get(f"{REPORTS}{made['id']}/", **auth).json()
    assert detail["status"] == ReportStatus.DONE and detail["progress"] == 100 and detail["finished_at"]
    download = client.get(f"{REPORTS}{made['id']}/download/", HTTP_ACCEPT="application/json", **auth)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    report = QuarterlyReport.objects.get(pk=made["id"])
    assert report.requested_by == owner
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {"dashboards.report_requested", "dashboards.report_made", "dashboards.report_downloaded"} <= actions


def test_a_failed_report_says_what_to_do(world):
    owner = world.members[("supplier", "admin")]
    report = reports.report_request(actor=owner, organisation=world.orgs["supplier"], quarter="2026-Q1", language="en")
    QuarterlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    detail = Client().get(f"{REPORTS}{report.pk}/", HTTP_ACCEPT_LANGUAGE="th", **bearer(owner)).json()
    assert detail["status"] == ReportStatus.FAILED
    assert detail["error"] == translated(
        "th", "The report failed. Try again; if it fails again, tell the technical partner."
    )


def test_someone_elses_report_is_not_there_and_the_partner_is_told_it_is_not_its_own(world):
    report = reports.report_request(
        actor=world.members[("supplier", "admin")],
        organisation=world.orgs["supplier"],
        quarter="2026-Q1",
        language="en",
    )
    client = Client()
    for other in (
        world.members[("buyer", "admin")],
        world.members[("supplier", "viewer")],  # a colleague: only whoever asked reads it
        *world.outsiders["membership"],
    ):
        auth = bearer(other)
        for url in (f"{REPORTS}{report.pk}/", f"{REPORTS}{report.pk}/download/"):
            response = client.get(url, **auth)
            assert response.status_code == 404, (other, url)
            assert response.json()["error"]["code"] == "not_found"
            assert world.orgs["supplier"].name not in response.text
    assert client.get(REPORTS, **bearer(world.members[("buyer", "admin")])).json()["results"] == []
    partner = bearer(world.members[("tp", "admin")])
    for url in (f"{REPORTS}{report.pk}/", f"{REPORTS}{report.pk}/download/"):
        response = client.get(url, **partner)
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "Only the person who asked for a report can open it."
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(report.pk)).exists()
    assert not AuditEvent.objects.filter(action="dashboards.report_downloaded").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"quarter": "2026-Q5", "language": "th"}, "quarter", "Enter a calendar quarter, e.g. 2026-Q1."),
        ({"quarter": "2099-Q1", "language": "th"}, "quarter", "This quarter has not started yet."),
        ({"quarter": "2026-Q1", "language": "fr"}, "language", None),
        ({"language": "th"}, "quarter", "This field is required."),
    ],
)
def test_bad_input_is_a_clear_translated_error_and_nothing_is_saved(world, data, field, message):
    owner = world.members[("supplier", "admin")]
    response = Client().post(REPORTS, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="th", **bearer(owner))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == [field]
    if message:
        assert fields[field] == [translated("th", message)]
    assert not QuarterlyReport.objects.filter(requested_by=owner).exists()
    assert not AuditEvent.objects.filter(action="dashboards.report_requested").exists()


def test_who_may_ask_and_about_whom(world):
    client = Client()
    before = QuarterlyReport.objects.count()
    for key in (("cso", "admin"), ("government", "admin")):
        auth = bearer(world.members[key])
        assert client.get(REPORTS, **auth).status_code == 403, key
        refused = client.post(
            REPORTS, {"quarter": "2026-Q1", "language": "en"}, content_type="application/json", **auth
        )
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == "Your organisation cannot make quarterly reports."
    # A supplier reports on itself only: naming its buyer (or anyone) is an id that does not exist for it.
    supplier = bearer(world.members[("supplier", "admin")])
    for organisation in (world.orgs["buyer"], next(o for o in world.outsiders["organisation"] if o.kind == "buyer")):
        body = {"organisation": organisation.pk, "quarter": "2026-Q1", "language": "en"}
        response = client.post(REPORTS, body, content_type="application/json", **supplier)
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["organisation"]
        assert organisation.name not in response.text
    # The partner names the buyer or business (not a CSO), and must name one.
    partner = bearer(world.members[("tp", "admin")])
    for body in (
        {"quarter": "2026-Q1", "language": "en"},
        {"organisation": world.orgs["cso"].pk, "quarter": "2026-Q1", "language": "en"},
    ):
        response = client.post(REPORTS, body, content_type="application/json", **partner)
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["organisation"]
    assert QuarterlyReport.objects.count() == before  # the outsider cluster's report only
    body = {"organisation": world.orgs["buyer"].pk, "quarter": "2026-Q1", "language": "en"}
    made = client.post(REPORTS, body, content_type="application/json", **partner)
    assert made.status_code == 201 and made.json()["organisation"] == world.orgs["buyer"].pk
    assert QuarterlyReport.objects.get(pk=made.json()["id"]).requested_by == world.members[("tp", "admin")]


def test_the_list_reads_in_a_fixed_number_of_queries(world):
    owner = world.members[("buyer", "admin")]
    client, auth = Client(), bearer(owner)

    def ask() -> None:
        reports.report_request(actor=owner, organisation=world.orgs["buyer"], quarter="2026-Q1", language="en")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORTS, **auth).status_code == 200
        return len(captured)

    ask()
    queries()  # once to warm what every request reads once (the token's last use, ...)
    one = queries()
    for _ in range(4):
        ask()
    assert queries() == one
    assert len(client.get(REPORTS, **auth).json()["results"]) == 5
