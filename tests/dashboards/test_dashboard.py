"""The dashboard: worker-reported issues over what each viewer reads, as charts beside tables with the same
numbers, and as CSV/XLSX. Hand-computed on a small world: the CSO opened three cases at the home supplier's
plant (one issue each, retention of documents, a forced-labour indicator), shared two; the canary worker (from
Myanmar) is on all three. The outsider cluster's case is never counted at home."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ilm.dashboards import selectors
from tests.cases.helpers import CANARY_NAME, canary_worker, open_case
from tests.conftest import sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def tables(world, key, role="admin"):
    window = selectors.Window.last_months(12)
    return {t.name: t for t in selectors.dashboard_tables(world.members[(key, role)], window)}


def total(table, column=1):
    return sum(row[column] for row in table.rows if isinstance(row[column], int))


def test_each_viewer_counts_what_it_reads(world):
    cso, buyer, supplier = tables(world, "cso", "caseworker"), tables(world, "buyer"), tables(world, "supplier")
    tp = tables(world, "tp")
    assert total(cso["issues_by_month"]) == 3 and total(cso["issues_by_month"], 2) == 3  # all forced labour
    assert total(buyer["issues_by_month"]) == 2  # shared only
    assert total(supplier["issues_by_month"]) == 2
    assert total(tp["issues_by_month"]) > 3  # the outsider's case too
    assert [row[:2] for row in buyer["issues_by_business"].rows] == [[world.orgs["supplier"].name, 2]]
    assert "issues_by_business" not in supplier and "issues_by_tier" not in cso
    tier = world.links["supply"].tier
    assert [row[1] for row in buyer["issues_by_tier"].rows if str(row[0]).endswith(str(tier))] == [2]
    statuses = dict(buyer["issues_by_status"].rows)
    assert sum(statuses.values()) == 2 and len(statuses) == 1
    assert buyer["timeliness"].rows[0][1] == 2 and buyer["timeliness"].rows[1][1] == 0  # shared, not answered


def test_small_worker_groups_are_hidden_from_businesses_only(world):
    assert tables(world, "cso", "caseworker")["workers_by_nationality"].rows == [["Myanmar", 1]]
    buyer = tables(world, "buyer")["workers_by_nationality"]
    assert [str(cell) for cell in buyer.rows[0]] == ["Myanmar", "fewer than 5"]
    assert "fewer than 5" in str(buyer.note)


def test_the_page_shows_charts_beside_tables_and_the_downloads_match(world):
    client = sign_in(Client(), world.members[("buyer", "viewer")])
    page = client.get("/dashboard/")
    assert page.status_code == 200
    body = page.text
    assert body.count('<svg class="chart"') >= 4 and "<table>" in body and CANARY_NAME not in body
    csv = client.get("/dashboard/?download=issues_by_business&format=csv")
    assert csv.status_code == 200 and csv["X-Content-Type-Options"] == "nosniff"
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Business,Issues") and lines[1].startswith(f"{world.orgs['supplier'].name},2,2,2")
    xlsx = client.get("/dashboard/?download=issues_by_month&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Month", "Issues", "Forced-labour indicators") and sum(r[1] for r in rows[1:]) == 2
    assert client.get("/dashboard/?download=nope&format=csv").status_code == 404
    assert client.get("/dashboard/?download=issues_by_month&format=exe").status_code == 404


def test_a_bad_period_is_a_clear_error_and_kinds_without_cases_have_no_dashboard(world):
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    bad = client.get("/dashboard/?date_from=2026-05-01&date_to=2026-01-01")
    assert bad.status_code == 400 and "The end is before the start." in bad.text
    garbage = client.get("/dashboard/?date_from=garbage")
    assert garbage.status_code == 400 and "Enter a valid date." in garbage.text  # said beside the field
    far = client.get("/dashboard/?date_from=0001-01-01")
    assert far.status_code == 400 and "Give a date between the years 1900 and 9000." in far.text
    government = sign_in(Client(), world.members[("government", "admin")])
    assert government.get("/dashboard/").status_code == 403


def test_the_cso_sees_its_caseload_and_contacts_by_language_businesses_do_not(world):
    from django.utils import timezone

    from ilm.cases import services

    services.contact_log(
        actor=world.members[("cso", "caseworker")],
        occurred_at=timezone.now(),
        who="worker",
        purpose="assistance",
        language="my",
    )
    cso = tables(world, "cso", "caseworker")
    assert sum(row[1] for row in cso["caseload"].rows) == 3
    assert [row[1] for row in cso["contacts_by_language"].rows] == [1]
    assert "caseload" not in tables(world, "buyer") and "contacts_by_language" not in tables(world, "supplier")
    tp = tables(world, "tp")
    assert world.orgs["cso"].name in [row[0] for row in tp["caseload"].rows]


# --- drill-down to one business, and on to its shared cases ------------------------------------------------


def _outsider_supplier(world):
    return next(org for org in world.outsiders["organisation"] if org.kind == "supplier")


def test_a_buyer_drills_down_to_a_supplier_and_on_to_its_shared_cases(world):
    supplier = world.orgs["supplier"]
    client = sign_in(Client(), world.members[("buyer", "viewer")])
    page = client.get("/dashboard/")
    window = selectors.Window.last_months(12)
    link = f"?date_from={window.start.isoformat()}&amp;date_to={window.end.isoformat()}&amp;business={supplier.pk}"
    assert f'<a href="{link}">{supplier.name}</a>' in page.text  # the row of the "by business" table

    narrowed = client.get("/dashboard/" + link.replace("&amp;", "&"))
    assert narrowed.status_code == 200
    assert f"Only the cases of {supplier.name}" in narrowed.text and 'id="t-issues_by_business"' not in narrowed.text
    drilled = {
        t.name: t
        for t in selectors.dashboard_tables(
            world.members[("buyer", "viewer")], selectors.Window(window.start, window.end, supplier.pk)
        )
    }
    assert total(drilled["issues_by_month"]) == 2 and "issues_by_tier" not in drilled
    cases_link = f"/cases/?organisation={supplier.pk}&amp;opened_from={window.start.isoformat()}"
    assert cases_link in narrowed.text

    listed = client.get(cases_link.replace("&amp;", "&"))
    assert listed.status_code == 200 and f"Only the cases of {supplier.name}" in listed.text
    from ilm.cases.models import Case

    home = Case.objects.filter(cso=world.orgs["cso"])
    assert all(case.reference in listed.text for case in home.filter(shared_at__isnull=False))
    assert not any(case.reference in listed.text for case in home.filter(shared_at__isnull=True))
    assert CANARY_NAME not in narrowed.text + listed.text


def test_a_drill_down_to_a_business_outside_the_chain_is_refused_and_names_nothing(world):
    outsider = _outsider_supplier(world)
    client = sign_in(Client(), world.members[("buyer", "admin")])
    page = client.get(f"/dashboard/?business={outsider.pk}")
    assert page.status_code == 400 and "That business is not one whose issues you can see." in page.text
    assert outsider.name not in page.text
    for bad in ("0", "x", "-3"):
        assert client.get(f"/dashboard/?business={bad}").status_code == 400
    listed = client.get(f"/cases/?organisation={outsider.pk}")
    assert listed.status_code == 200 and outsider.name not in listed.text and "Only the cases of" not in listed.text
    # a supplier has nobody to drill down to
    supplier = sign_in(Client(), world.members[("supplier", "admin")])
    assert supplier.get(f"/dashboard/?business={world.orgs['supplier'].pk}").status_code == 400


def test_the_page_is_kept_for_under_a_minute_and_its_downloads_hold_the_same_numbers(world):
    from django.core.cache import cache

    client = sign_in(Client(), world.members[("buyer", "viewer")])
    assert client.get("/dashboard/").status_code == 200
    open_case(world, worker=canary_worker(world), share=True)  # a third shared case, within the minute
    lines = client.get("/dashboard/?download=issues_by_business&format=csv").content.decode("utf-8-sig")
    assert lines.splitlines()[1].startswith(f"{world.orgs['supplier'].name},2,")  # what the page showed
    assert selectors.CACHE_SECONDS < 60
    cache.clear()  # the minute has passed
    lines = client.get("/dashboard/?download=issues_by_business&format=csv").content.decode("utf-8-sig")
    assert lines.splitlines()[1].startswith(f"{world.orgs['supplier'].name},3,")


def test_a_second_reader_of_the_same_scope_gets_the_kept_tables_as_drawn(world):
    """Within the minute, another member of the same organisation and role reads the tables as the first one's
    request drew them: no aggregation, no rendering of the tables, the same HTML; another period
    is drawn anew, and the raw query never goes into the kept links."""
    first = sign_in(Client(), world.members[("buyer", "viewer")])
    page = first.get("/dashboard/?date_from=2026-01-01&date_to=2026-11-30&stray=%3Cb%3E").text
    tables = page.split('<div class="dashboard">', 1)[1]
    assert "stray" not in tables and "<b>" not in page

    second_member = MembershipFactory(organisation=world.orgs["buyer"], role="viewer", user__username="viewer-2")
    second = sign_in(Client(), second_member)
    with CaptureQueriesContext(connection) as queries:
        again = second.get("/dashboard/?date_to=2026-11-30&date_from=2026-01-01").text
    assert again.split('<div class="dashboard">', 1)[1] == tables
    assert not [q for q in queries.captured_queries if "cases_issue" in q["sql"]]  # nothing counted again

    other = second.get("/dashboard/?date_from=2026-02-01&date_to=2026-11-30").text
    assert other.split('<div class="dashboard">', 1)[1] != tables  # its own period, in its links
