"""The plans API: catalogue, plans, rows (409 on a stale version), check-ins, baselines, search, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.plans import services
from tests.api.test_api import api, token_for
from tests.factories import OrganisationFactory
from tests.plans.helpers import YEAR, add_row, supplier_bap, thai_cap, tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

__all__ = ["token_for"]


@pytest.fixture
def world():
    return build_world()


def test_catalogue(client: Client, world):
    secret = token_for(world.members[("supplier", "viewer")])
    body = api(client, "get", "/api/v1/activities/", secret).json()
    assert [a["code"] for a in body][:7] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1"]
    assert len(body) == 25
    one = api(client, "get", "/api/v1/activities/2.10/", secret).json()
    assert one["name"] == "Job marketplace" and one["area_abbreviation"] == "ER"


def test_business_builds_its_plan_and_a_stale_edit_answers_409(client: Client, world):
    secret = token_for(world.members[("supplier", "admin")])
    created = api(
        client,
        "post",
        "/api/v1/business-action-plans/",
        secret,
        {"organisation": world.orgs["supplier"].pk, "year": YEAR},
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["may_edit"] is True and plan["kind"] == "business"
    again = api(
        client,
        "post",
        "/api/v1/business-action-plans/",
        secret,
        {"organisation": world.orgs["supplier"].pk, "year": YEAR},
    )
    assert again.status_code == 400 and "year" in again.json()["error"]["fields"]
    row = api(
        client,
        "post",
        "/api/v1/plan-rows/",
        secret,
        {
            "plan": plan["id"],
            "activities": ["ER 2.6-7"],
            "description": "Recruitment fee survey and repayment",
            "organisations": [world.orgs["destination_agency"].pk],
            "remarks": "aim for completion by Q2",
            "due_quarter": "2026-q2",
        },
    )
    assert row.status_code == 201, row.json()
    row = row.json()
    assert row["activities"] == ["2.6", "2.7"] and row["activity_display"] == "ER 2.6-7"
    assert row["due_quarter"] == "2026-Q2" and row["organisations"][0]["name"] == "Home destination agency"
    unknown = api(
        client, "post", "/api/v1/plan-rows/", secret, {"plan": plan["id"], "activities": ["2.11"], "description": "x"}
    )
    assert unknown.status_code == 400 and "Unknown activity code" in unknown.json()["error"]["fields"]["activities"][0]

    url = f"/api/v1/plan-rows/{row['id']}/"
    first = api(client, "patch", url, secret, {"version": 1, "status": "in_progress"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api(client, "patch", url, token_for(tp(world)), {"version": 1, "remarks": "lost?"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert api(client, "get", url, secret).json()["remarks"] == "aim for completion by Q2"
    assert api(client, "delete", f"{url}?version=1", secret).status_code == 409
    assert api(client, "delete", f"{url}?version=2", secret).status_code == 204


def test_another_business_and_outsiders_get_404(client: Client, world):
    plan = supplier_bap(world)
    row = add_row(world, plan)
    secret = token_for(world.members[("destination_agency", "admin")])
    assert api(client, "get", f"/api/v1/business-action-plans/{plan.pk}/", secret).status_code == 404
    assert api(client, "patch", f"/api/v1/plan-rows/{row.pk}/", secret, {"version": 1}).status_code == 404
    refused = api(
        client, "post", "/api/v1/plan-rows/", secret, {"plan": plan.pk, "activities": ["1.1"], "description": "x"}
    )
    assert refused.status_code == 400 and "plan" in refused.json()["error"]["fields"]
    # The buyer reads, and is refused a write.
    buyer = token_for(world.members[("buyer", "admin")])
    assert api(client, "get", f"/api/v1/business-action-plans/{plan.pk}/", buyer).json()["may_edit"] is False
    assert api(client, "patch", f"/api/v1/plan-rows/{row.pk}/", buyer, {"version": 1}).status_code == 403


def test_partners_search_all_country_plans_for_collaborators(client: Client, world):
    cso = world.members[("cso", "caseworker")]
    cap = thai_cap(world)
    zero_fee = OrganisationFactory(
        kind="recruitment_agency", subkind="origin", name="Mandalay Zero-Fee Agency", countries=["MM"]
    )
    add_row(
        world,
        cap,
        actor=cso,
        activities="ER 2.2",
        description="Employer-pays hiring corridor",
        organisations=[zero_fee],
    )
    add_row(world, cap, actor=cso, activities="WV 1.2", description="Independent worker voice channels, language A")
    secret = token_for(world.members[("academic", "viewer")])
    rows = api(
        client, "get", "/api/v1/plan-rows/?plan_kind=country&activity=2&organisation_kind=recruitment_agency", secret
    ).json()["results"]
    assert [r["description"] for r in rows] == ["Employer-pays hiring corridor"]
    mine = api(client, "get", f"/api/v1/plan-rows/?organisation={zero_fee.pk}", secret).json()["results"]
    assert [r["description"] for r in mine] == ["Employer-pays hiring corridor"]
    plans = api(client, "get", "/api/v1/country-action-plans/?q=zero-fee", secret).json()["results"]
    assert [p["country"] for p in plans] == ["TH"]
    assert api(client, "get", "/api/v1/country-action-plans/?activity=ER 2.2", secret).json()["results"]
    assert api(client, "get", "/api/v1/plan-rows/?activity=nonsense", secret).status_code == 400
    # Businesses do not browse country plans.
    supplier = token_for(world.members[("supplier", "admin")])
    assert api(client, "get", "/api/v1/country-action-plans/", supplier).json()["results"] == []
    assert api(client, "get", f"/api/v1/country-action-plans/{cap.pk}/", supplier).status_code == 404


def test_check_ins_baselines_and_focal_points(client: Client, world):
    plan = supplier_bap(world)
    secret = token_for(world.members[("supplier", "admin")])
    checkin = api(
        client,
        "post",
        "/api/v1/plan-check-ins/",
        secret,
        {"plan": plan.pk, "held_on": "2026-06-30", "participants": "HR, technical partner", "summary": "On track"},
    )
    assert checkin.status_code == 201, checkin.json()
    assert (
        api(client, "get", f"/api/v1/plan-check-ins/?plan={plan.pk}", secret).json()["results"][0]["summary"]
        == "On track"
    )
    baseline = api(
        client,
        "post",
        "/api/v1/baselines/",
        secret,
        {"organisation": world.orgs["supplier"].pk, "grievance_mechanism": "Suggestion boxes and a LINE group"},
    )
    assert baseline.status_code == 201, baseline.json()
    point = api(
        client,
        "post",
        "/api/v1/focal-points/",
        secret,
        {
            "organisation": world.orgs["supplier"].pk,
            "role": "Managing director",
            "purpose": "escalations",
            "name": "Mr Somchai",
            "phone": "+66 2 123 4567",
        },
    )
    assert point.status_code == 201, point.json()
    assert point.json()["phone"] == "+6621234567"
    body = api(
        client, "get", f"/api/v1/baselines/{baseline.json()['id']}/", token_for(world.members[("buyer", "viewer")])
    )
    assert body.status_code == 200 and body.json()["focal_points"][0]["name"] == "Mr Somchai"
    stale = api(
        client, "patch", f"/api/v1/baselines/{baseline.json()['id']}/", secret, {"version": 1, "other_programmes": "x"}
    )
    assert stale.status_code == 409
    cso = token_for(world.members[("cso", "admin")])
    assert api(client, "get", f"/api/v1/baselines/{baseline.json()['id']}/", cso).status_code == 404


def test_exports_through_the_api(client: Client, world):
    plan = supplier_bap(world)
    add_row(world, plan)
    secret = token_for(world.members[("buyer", "viewer")])
    response = client.get(
        f"/api/v1/business-action-plans/{plan.pk}/export/?format=csv", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith("ER 2.6-7,")
    bad = client.get(
        f"/api/v1/business-action-plans/{plan.pk}/export/?format=pdf", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert bad.status_code == 400


def test_list_query_counts_do_not_grow_with_rows(client: Client, world):
    secret = token_for(tp(world))
    cap = thai_cap(world)
    bap = supplier_bap(world)
    api(client, "get", "/api/v1/activities/", secret)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(client, "get", path, secret).status_code == 200
        return len(ctx)

    paths = (
        "/api/v1/plan-rows/",
        "/api/v1/country-action-plans/",
        "/api/v1/business-action-plans/",
        "/api/v1/baselines/",
    )
    add_row(world, cap, organisations=[world.orgs["cso"]])
    small = {path: count(path) for path in paths}
    for i in range(8):
        add_row(world, cap, description=f"C{i}", organisations=[world.orgs["cso"], world.orgs["government"]])
        add_row(world, bap, description=f"B{i}", organisations=[world.orgs["destination_agency"]])
        other = OrganisationFactory(kind="supplier", name=f"Supplier {i}")
        services.plan_create(actor=tp(world), kind="business", organisation=other, year=YEAR)
        services.baseline_update(actor=tp(world), organisation=other, supply_chain="x")
        services.focal_point_save(actor=tp(world), organisation=other, role="HR", purpose="issues", name=f"P{i}")
    assert {path: count(path) for path in paths} == small
