"""Progress indicators WV1-WORK3: the catalogue against DOMAIN.md, who sets and who reads, history and trend,
concurrent edits, suggestions for a person to decide, the buyer's grid, exports and the API."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.core.errors import Conflict
from ilm.core.models import AuditEvent
from ilm.plans import selectors, services
from ilm.plans.models import IndicatorSuggestion, IndicatorValue, ProgressIndicator
from tests.conftest import sign_in
from tests.factories import OrganisationFactory
from tests.plans.helpers import tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

DOMAIN = Path(__file__).resolve().parents[2].parent / "shared" / "DOMAIN.md"


def domain_indicators() -> list[tuple[str, str]]:
    text = DOMAIN.read_text(encoding="utf-8")
    section = text.split("## 6.", 1)[1].split("\n## ", 1)[0]
    body = " ".join(line.strip() for line in section.splitlines()[1:] if line.strip())
    return [
        (match[1], match[2].strip().rstrip("."))
        for match in re.finditer(r"\b((?:WV|ER|WORK)\d)\s+(.+?)(?=\s+·|$)", body)
    ]


@pytest.mark.skipif(not DOMAIN.exists(), reason="../shared/DOMAIN.md is not beside the repository")
def test_the_indicators_are_the_domains_thirteen_named_as_written():
    expected = domain_indicators()
    assert len(expected) == 13
    assert [(code, str(name)) for code, name in ProgressIndicator.choices] == expected


def test_the_business_and_the_technical_partner_set_indicators_with_history_and_audit():
    world = build_world()
    supplier = world.orgs["supplier"]
    admin = world.members[("supplier", "admin")]
    value = services.indicator_set(
        actor=admin, organisation=supplier, indicator="WV1", status="partial", evidence="Hotline posters up"
    )
    assert value.version == 1 and value.set_by == admin
    value = services.indicator_set(
        actor=tp(world), organisation=supplier, indicator="WV1", status="completed", expected_version=1
    )
    assert value.version == 2 and value.status == "completed"
    assert AuditEvent.objects.filter(action="progress.indicator_set", object_id=str(value.pk)).count() == 2
    trend = selectors.indicator_trend(membership=tp(world), organisation=supplier)["WV1"]
    assert [point.status for point in trend] == ["partial", "completed"]
    assert trend[0].evidence == "Hotline posters up"


@pytest.mark.parametrize(
    ("indicator", "status", "field", "words"),
    [
        ("XX9", "partial", "indicator", "Unknown progress indicator"),
        ("WV1", "done", "status", "Choose one of"),
        ("WORK4", "maybe", "indicator", "WORK1"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(indicator, status, field, words):
    world = build_world()
    with pytest.raises(ValidationError) as caught:
        services.indicator_set(actor=tp(world), organisation=world.orgs["supplier"], indicator=indicator, status=status)
    assert words in " ".join(caught.value.message_dict[field])
    assert not IndicatorValue.objects.filter(organisation=world.orgs["supplier"]).exists()


def test_who_may_set_a_business_indicator():
    world = build_world()
    supplier = world.orgs["supplier"]
    allowed = {("tp", "admin"), ("supplier", "admin")}
    refused = {("supplier", "viewer"), ("buyer", "admin"), ("cso", "admin"), ("upstream", "admin")}
    for key in allowed:
        services.indicator_set(actor=world.members[key], organisation=supplier, indicator="ER4", status="partial")
    for key in refused:
        with pytest.raises(PermissionDenied):
            services.indicator_set(actor=world.members[key], organisation=supplier, indicator="ER4", status="completed")
    assert IndicatorValue.objects.get(organisation=supplier, indicator="ER4").status == "partial"
    with pytest.raises(ValidationError, match="suppliers and recruitment agencies"):
        services.indicator_set(actor=tp(world), organisation=world.orgs["buyer"], indicator="ER4", status="partial")


def test_a_stale_edit_is_a_conflict_not_a_lost_update():
    world = build_world()
    supplier, admin = world.orgs["supplier"], world.members[("supplier", "admin")]
    services.indicator_set(actor=admin, organisation=supplier, indicator="ER6", status="partial")
    services.indicator_set(
        actor=tp(world), organisation=supplier, indicator="ER6", status="completed", expected_version=1
    )
    with pytest.raises(Conflict):
        services.indicator_set(
            actor=admin, organisation=supplier, indicator="ER6", status="not_initiated", expected_version=1
        )
    with pytest.raises(Conflict):  # "there was none yet" when there is one now
        services.indicator_set(
            actor=admin, organisation=supplier, indicator="ER6", status="not_initiated", expected_version=0
        )
    assert IndicatorValue.objects.get(organisation=supplier, indicator="ER6").status == "completed"


def test_who_reads_the_grid():
    world = build_world()
    home = world.orgs["supplier"]
    outsider = next(o for o in world.outsiders["organisation"] if o.kind == "supplier")
    services.indicator_set(actor=tp(world), organisation=home, indicator="WV1", status="partial")

    def names(key: tuple[str, str]) -> set[str]:
        rows, _totals = selectors.progress_grid(world.members[key])
        return {row.organisation.name for row in rows}

    assert {home.name, outsider.name} <= names(("tp", "viewer"))
    buyer_sees = names(("buyer", "viewer"))
    assert home.name in buyer_sees and outsider.name not in buyer_sees
    assert names(("supplier", "viewer")) == {home.name}
    assert names(("cso", "admin")) == set()
    assert names(("government", "admin")) == set()


def test_the_grid_costs_the_same_queries_for_three_or_thirty_businesses():
    world = build_world()
    member = tp(world)
    for n in range(3):
        services.indicator_set(
            actor=member,
            organisation=OrganisationFactory(kind="supplier", subkind="tier1", name=f"Grid supplier {n}"),
            indicator="WV2",
            status="partial",
        )
    selectors.progress_grid(member)
    with CaptureQueriesContext(connection) as few:
        selectors.progress_grid(member)
    for n in range(3, 30):
        services.indicator_set(
            actor=member,
            organisation=OrganisationFactory(kind="supplier", subkind="tier1", name=f"Grid supplier {n}"),
            indicator="WV2",
            status="completed",
        )
    with CaptureQueriesContext(connection) as many:
        rows, totals = selectors.progress_grid(member)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert totals["WV2"]["completed"] == 27 and totals["WV2"]["partial"] == 3
    assert len(rows) >= 30


def test_suggestions_wait_for_a_person():
    world = build_world()
    supplier = world.orgs["supplier"]
    first = services.indicator_suggest(
        organisation=supplier, indicator="ER7", suggested_status="partial", reason="Training on 2026-03-02"
    )
    assert first is not None and not IndicatorValue.objects.filter(organisation=supplier, indicator="ER7").exists()
    assert (
        services.indicator_suggest(
            organisation=supplier, indicator="ER7", suggested_status="partial", reason="Training on 2026-03-02"
        )
        is None
    )  # the same proposal is already open
    with pytest.raises(PermissionDenied):
        services.suggestion_accept(actor=world.members[("buyer", "admin")], suggestion=first)
    value = services.suggestion_accept(actor=world.members[("supplier", "admin")], suggestion=first)
    assert value.status == "partial" and value.evidence == "Training on 2026-03-02"
    first.refresh_from_db()
    assert first.status == "accepted"
    with pytest.raises(ValidationError, match="already decided"):
        services.suggestion_dismiss(actor=tp(world), suggestion=first)
    # Nothing is suggested below where the business already is.
    assert (
        services.indicator_suggest(organisation=supplier, indicator="ER7", suggested_status="partial", reason="x")
        is None
    )
    second = services.indicator_suggest(
        organisation=supplier, indicator="WORK3", suggested_status="partial", reason="Leadership course"
    )
    services.suggestion_dismiss(actor=tp(world), suggestion=second)
    assert not IndicatorValue.objects.filter(organisation=supplier, indicator="WORK3").exists()


def test_an_open_lower_suggestion_is_raised_not_left_to_block_a_further_one():
    world = build_world()
    supplier = world.orgs["supplier"]
    partial = services.indicator_suggest(
        organisation=supplier, indicator="WORK1", suggested_status="partial", reason="First independent survey"
    )
    assert partial is not None
    raised = services.indicator_suggest(
        organisation=supplier, indicator="WORK1", suggested_status="completed", reason="Second independent survey"
    )
    assert raised is not None and raised.pk == partial.pk
    open_ones = IndicatorSuggestion.objects.filter(organisation=supplier, indicator="WORK1", status="open")
    assert [(s.suggested_status, s.reason) for s in open_ones] == [("completed", "Second independent survey")]
    # A lower proposal never lowers an open one.
    assert (
        services.indicator_suggest(organisation=supplier, indicator="WORK1", suggested_status="partial", reason="x")
        is None
    )
    assert open_ones.get().suggested_status == "completed"


def test_pages_grid_detail_update_conflict_and_export():
    world = build_world()
    supplier = world.orgs["supplier"]
    buyer = sign_in(Client(), world.members[("buyer", "viewer")])
    services.indicator_set(actor=tp(world), organisation=supplier, indicator="WV1", status="completed", evidence="ok")
    grid = buyer.get("/plans/progress/").content.decode()
    assert supplier.name in grid and "Completed / ongoing" in grid
    page = buyer.get(f"/plans/progress/{supplier.pk}/").content.decode()
    assert "Worker voice roll-out and ongoing engagement" in page and 'name="status"' not in page  # reads only
    assert buyer.post(f"/plans/progress/{supplier.pk}/", {"indicator": "WV1", "status": "partial"}).status_code == 403

    admin = sign_in(Client(), world.members[("supplier", "admin")])
    saved = admin.post(
        f"/plans/progress/{supplier.pk}/",
        {"indicator": "WV2", "status": "partial", "evidence": "Policy drafted", "version": "0"},
    )
    assert saved.status_code == 302
    stale = admin.post(f"/plans/progress/{supplier.pk}/", {"indicator": "WV1", "status": "partial", "version": "0"})
    assert stale.status_code == 409 and "Someone else changed this" in stale.content.decode()
    bad = admin.post(f"/plans/progress/{supplier.pk}/", {"indicator": "WV1", "status": "nope", "version": "1"})
    assert bad.status_code == 400
    assert IndicatorValue.objects.get(organisation=supplier, indicator="WV1").status == "completed"

    export = buyer.get("/plans/progress/export.csv")
    assert export.status_code == 200 and export["Content-Disposition"].endswith('.csv"')
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0] == ["Business", "Kind", *ProgressIndicator.values]
    row = next(line for line in lines if line[0] == supplier.name)
    assert row[2:4] == ["Completed / ongoing", "Partial progress"]
    assert buyer.get("/plans/progress/export.xlsx").status_code == 200
    outsider = next(o for o in world.outsiders["organisation"] if o.kind == "supplier")
    assert buyer.get(f"/plans/progress/{outsider.pk}/").status_code == 404


def test_suggestion_pages():
    world = build_world()
    supplier = world.orgs["supplier"]
    suggestion = services.indicator_suggest(
        organisation=supplier, indicator="WV3", suggested_status="partial", reason="Grievance training, 12 people"
    )
    admin = sign_in(Client(), world.members[("supplier", "admin")])
    page = admin.get(f"/plans/progress/{supplier.pk}/").content.decode()
    assert "Grievance training, 12 people" in page
    other = sign_in(Client(), world.members[("buyer", "admin")])
    assert other.post(f"/plans/suggestions/{suggestion.pk}/decide/", {"decision": "accept"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "open"  # refused: a buyer reads, it does not decide
    response = admin.post(f"/plans/suggestions/{suggestion.pk}/decide/", {"decision": "accept", "status": "completed"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(organisation=supplier, indicator="WV3").status == "completed"
    assert IndicatorSuggestion.objects.get(pk=suggestion.pk).status == "accepted"


def test_api_list_set_conflict_trend_and_suggestions():
    from tests.channels.test_api import bearer

    world = build_world()
    supplier = world.orgs["supplier"]
    client = Client()
    admin = bearer(world.members[("supplier", "admin")])
    created = client.post(
        "/api/v1/progress-indicators/",
        {"organisation": supplier.pk, "indicator": "ER1", "status": "partial", "version": 0},
        "application/json",
        **admin,
    )
    assert created.status_code == 200, created.content
    value = created.json()
    stale = client.post(
        "/api/v1/progress-indicators/",
        {"organisation": supplier.pk, "indicator": "ER1", "status": "completed", "version": 0},
        "application/json",
        **admin,
    )
    assert stale.status_code == 409
    bad = client.post(
        "/api/v1/progress-indicators/",
        {"organisation": supplier.pk, "indicator": "ER9", "status": "partial"},
        "application/json",
        **admin,
    )
    assert bad.status_code == 400
    buyer = bearer(world.members[("buyer", "viewer")])
    listed = client.get(f"/api/v1/progress-indicators/?organisation={supplier.pk}", **buyer).json()["results"]
    assert [(v["indicator"], v["status"]) for v in listed] == [("ER1", "partial")]
    trend = client.get(f"/api/v1/progress-indicators/{value['id']}/trend/", **buyer).json()
    assert [p["status"] for p in trend] == ["partial"]
    assert client.post(
        "/api/v1/progress-indicators/",
        {"organisation": supplier.pk, "indicator": "ER1", "status": "completed", "version": 1},
        "application/json",
        **buyer,
    ).status_code in (400, 403)
    suggestion = services.indicator_suggest(
        organisation=supplier, indicator="ER7", suggested_status="partial", reason="Ethical recruitment training"
    )
    accepted = client.post(f"/api/v1/indicator-suggestions/{suggestion.pk}/accept/", {}, "application/json", **admin)
    assert accepted.status_code == 200 and accepted.json()["status"] == "partial"
    outsider = bearer(world.members[("cso", "admin")])
    assert client.get(f"/api/v1/progress-indicators/{value['id']}/", **outsider).status_code == 404


def test_the_grid_page_shows_fifty_businesses_at_a_time_and_totals_for_all():
    world = build_world()
    member = tp(world)
    for n in range(55):
        services.indicator_set(
            actor=member,
            organisation=OrganisationFactory(kind="supplier", subkind="tier1", name=f"Paged supplier {n:02d}"),
            indicator="ER4",
            status="partial",
        )
    client = sign_in(Client(), world.members[("tp", "viewer")])
    first = client.get("/plans/progress/").content.decode()
    assert first.count('<th scope="row"><a href="/plans/progress/') == 50
    assert "Page 1 of" in first
    total_row = re.search(r"<abbr title=\"[^\"]+\">ER4</abbr>.*?</tr>", first.split("<h2>Totals</h2>")[1], re.S)
    assert total_row is not None and ">55<" in total_row.group(0)  # every business, not only this page
    second = client.get("/plans/progress/?page=2").content.decode()
    assert "Page 2 of" in second
