"""The action-plan pages: catalogue, lists and search, building a plan, inline edits with htmx, the
conflict message, check-ins, baselines, and query counts that do not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.plans import services
from ilm.plans.models import Plan, PlanRow
from tests.conftest import sign_in
from tests.factories import OrganisationFactory
from tests.plans.helpers import YEAR, add_row, supplier_bap, thai_cap, tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode("utf-8")


@pytest.fixture
def world():
    return build_world()


def test_catalogue_page_and_navigation(client: Client, world):
    sign_in(client, world.members[("supplier", "viewer")])
    page = body(client.get("/plans/activities/"))
    assert "Ethical Recruitment Network (ERN) collaboration" in page and "Job marketplace" in page
    assert "Labor Recruitment (ER)" in page
    home = body(client.get("/"))
    assert 'href="/plans/"' in home
    assert client.get("/plans/").url == "/plans/business/"
    sign_in(client, world.members[("cso", "viewer")])
    assert client.get("/plans/").url == "/plans/country/"


def test_a_cso_builds_its_country_plan_on_the_page(client: Client, world):
    sign_in(client, world.members[("cso", "caseworker")])
    created = client.post("/plans/country/new/", {"country": "TH", "year": YEAR})
    plan = Plan.objects.get(kind="country", country="TH", year=YEAR)
    assert created.status_code == 302 and created.url == f"/plans/country/{plan.pk}/"
    again = client.post("/plans/country/new/", {"country": "TH", "year": YEAR})
    assert again.status_code == 400 and "already has an action plan for this year" in body(again)
    added = client.post(
        f"/plans/country/{plan.pk}/rows/new/",
        {
            "activities": "WV 1.2",
            "description": "Independent worker voice channels, language A",
            "organisations": [world.orgs["cso"].pk],
            "remarks": "Hotline + WhatsApp, open to all",
            "status": "in_progress",
            "due_quarter": "2026-Q2",
        },
    )
    assert added.status_code == 302, body(added)
    unknown = client.post(
        f"/plans/country/{plan.pk}/rows/new/", {"activities": "2.11", "description": "x", "status": "planned"}
    )
    assert unknown.status_code == 400 and "Unknown activity code: 2.11" in body(unknown)
    page = body(client.get(f"/plans/country/{plan.pk}/"))
    assert "WV 1.2" in page and "Hotline + WhatsApp, open to all" in page and "Add a row" in page
    checkin = client.post(
        f"/plans/country/{plan.pk}/check-ins/new/",
        {"held_on": "2026-06-30", "participants": "NGO Partner 1", "summary": "Mid-year: on track"},
    )
    assert checkin.status_code == 302
    status = client.post(f"/plans/country/{plan.pk}/status/", {"planning_status": "checked_in", "version": 1})
    assert status.status_code == 302
    page = body(client.get(f"/plans/country/{plan.pk}/"))
    assert "Mid-year: on track" in page and '<option value="checked_in" selected>' in page
    # Another country's CSO browses it but is not offered edits.
    sign_in(client, world.members[("government", "admin")])
    listing = body(client.get("/plans/country/?activity=1&q=language"))
    assert "Independent worker voice channels, language A" in listing


def test_inline_row_edit_with_htmx_and_the_conflict_message(client: Client, world):
    plan = supplier_bap(world)
    row = add_row(world, plan)
    sign_in(client, world.members[("supplier", "responder")])
    htmx = {"HTTP_HX_REQUEST": "true"}
    form = client.get(f"/plans/rows/{row.pk}/edit/", **htmx)
    assert form.status_code == 200 and body(form).startswith("<tr") and 'value="ER 2.6-7"' in body(form)
    data = {
        "activities": "ER 2.6-7, 2.9",
        "description": row.description,
        "status": "in_progress",
        "due_quarter": "2026-Q3",
        "version": 1,
    }
    saved = client.post(f"/plans/rows/{row.pk}/edit/", data, **htmx)
    assert saved.status_code == 200 and "ER 2.6-7, 2.9" in body(saved) and "In progress" in body(saved)
    assert "<form" not in body(saved)
    # Someone saved in between: the editor keeps the form and reads why (409 on the page, 200 for htmx).
    services.plan_row_update(actor=tp(world), row=PlanRow.objects.get(pk=row.pk), expected_version=2, remarks="TP note")
    stale = client.post(f"/plans/rows/{row.pk}/edit/", {**data, "status": "done", "version": 2})
    assert stale.status_code == 409
    assert "Someone else changed this while you were editing" in body(stale)
    stale_inline = client.post(f"/plans/rows/{row.pk}/edit/", {**data, "status": "done", "version": 2}, **htmx)
    assert stale_inline.status_code == 200 and "Someone else changed this" in body(stale_inline)
    row.refresh_from_db()
    assert (row.status, row.remarks) == ("in_progress", "TP note")
    assert client.get(f"/plans/rows/{row.pk}/", **htmx).status_code == 200
    deleted = client.post(f"/plans/rows/{row.pk}/delete/", {"version": row.version})
    assert deleted.status_code == 302 and not PlanRow.objects.filter(pk=row.pk).exists()


def test_baseline_pages(client: Client, world):
    supplier = world.orgs["supplier"]
    sign_in(client, world.members[("supplier", "admin")])
    url = f"/plans/businesses/{supplier.pk}/baseline/"
    assert "No baseline recorded yet" in body(client.get(url))
    saved = client.post(
        f"{url}edit/",
        {
            "supply_chain": "Tier 1 processor",
            "labour_policies": "Employer-pays policy since 2024",
            "policy_links": "https://example.org/employer-pays.pdf\n",
            "grievance_mechanism": "Hotline and suggestion boxes",
            "other_programmes": "",
            "version": "",
        },
    )
    assert saved.status_code == 302, body(saved)
    bad = client.post(
        f"/plans/businesses/{supplier.pk}/focal-points/new/",
        {"role": "HR director", "purpose": "issues", "name": "Khun Malee", "phone": "12"},
    )
    assert bad.status_code == 400 and "country code" in body(bad)
    added = client.post(
        f"/plans/businesses/{supplier.pk}/focal-points/new/",
        {"role": "HR director", "purpose": "issues", "name": "Khun Malee", "phone": "+66 81 234 5678"},
    )
    assert added.status_code == 302
    sign_in(client, world.members[("buyer", "viewer")])
    page = body(client.get(url))
    assert "Employer-pays policy since 2024" in page and "Khun Malee" in page and "+66812345678" in page
    assert "Edit the baseline" not in page
    assert client.get(f"{url}edit/").status_code == 403


@pytest.mark.parametrize(("key", "role"), [("tp", "viewer"), ("cso", "caseworker"), ("buyer", "admin")])
def test_list_pages_query_counts_do_not_grow(client: Client, world, key, role):
    cap = thai_cap(world)
    bap = supplier_bap(world)
    first_agency = OrganisationFactory(kind="recruitment_agency", subkind="origin", name="First agency")
    add_row(world, cap, activities="ER 2.2", organisations=[first_agency])
    add_row(world, bap)
    sign_in(client, world.members[(key, role)])
    paths: tuple[str, ...] = ("/plans/business/",)
    if key != "cso":  # a CSO reads no business plans
        paths += (f"/plans/business/{bap.pk}/",)
    if key != "buyer":  # businesses do not browse country plans
        paths += (
            "/plans/country/",
            "/plans/country/?activity=2&organisation_kind=recruitment_agency",
            f"/plans/country/{cap.pk}/",
        )

    def count(path: str) -> int:
        client.get(path)  # warm the scope cache and the per-language country names
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    small = {path: count(path) for path in paths}
    for i in range(6):
        supplier = OrganisationFactory(kind="supplier", name=f"Chain supplier {i}")
        from tests.factories import LinkFactory

        LinkFactory(kind="supply", customer=world.orgs["buyer"], provider=supplier)
        plan = services.plan_create(actor=tp(world), kind="business", organisation=supplier, year=YEAR)
        add_row(world, plan)
        add_row(world, bap, organisations=[world.orgs["destination_agency"]])
        agency = OrganisationFactory(kind="recruitment_agency", subkind="origin", name=f"Agency {i}")
        add_row(world, cap, activities="ER 2.2", organisations=[agency, world.orgs["cso"]])
    assert {path: count(path) for path in paths} == small


def test_an_edit_keeps_organisations_the_editor_cannot_otherwise_see(client: Client, world):
    plan = supplier_bap(world)
    row = add_row(world, plan, organisations=[world.orgs["origin_agency"]])  # named by the technical partner
    sign_in(client, world.members[("supplier", "admin")])
    form = body(client.get(f"/plans/rows/{row.pk}/edit/"))
    assert "Home origin agency" in form
    saved = client.post(
        f"/plans/rows/{row.pk}/edit/",
        {
            "activities": "ER 2.6-7",
            "description": row.description,
            "organisations": [world.orgs["origin_agency"].pk],
            "status": "done",
            "version": row.version,
        },
    )
    assert saved.status_code == 302, body(saved)
    row.refresh_from_db()
    assert row.status == "done" and list(row.organisations.all()) == [world.orgs["origin_agency"]]


def test_an_unreadable_activity_search_is_a_field_error(client: Client, world):
    thai_cap(world)
    sign_in(client, world.members[("cso", "viewer")])
    response = client.get("/plans/country/?activity=zero+fees")
    assert response.status_code == 200 and "Could not read the activity codes" in body(response)


def test_read_only_admin_pages(world):
    admin = world.members[("tp", "admin")]
    admin.user.is_staff = True
    admin.user.save()
    client = sign_in(Client(), admin)
    row = world.outsiders["planrow"][0]
    for url in (
        "/admin/plans/activity/",
        "/admin/plans/plan/",
        f"/admin/plans/planrow/{row.pk}/change/",
        "/admin/plans/baseline/",
        f"/admin/plans/focalpoint/{world.outsiders['focalpoint'][0].pk}/change/",
        "/admin/plans/plancheckin/",
        "/admin/plans/policydocument/",
        f"/admin/plans/policydocument/{world.outsiders['policydocument'][0].pk}/change/",
        "/admin/plans/indicatorvalue/",
        "/admin/plans/indicatorsuggestion/",
        "/admin/plans/course/",
        f"/admin/plans/trainingsession/{world.outsiders['trainingsession'][0].pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/admin/plans/planrow/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    session = world.outsiders["trainingsession"][0]
    page = client.get(f"/admin/plans/trainingsession/{session.pk}/change/").content.decode()
    assert "Outsider training notes" in page and 'name="_save"' not in page  # read, never saved here
    assert client.get("/admin/plans/course/add/").status_code == 403
