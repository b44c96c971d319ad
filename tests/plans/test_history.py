"""A plan as it stood on a date: rows added later are not there, rows deleted since are."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ilm.plans import selectors, services
from ilm.plans.models import PlanRow
from tests.conftest import sign_in
from tests.plans.helpers import add_row, supplier_bap, tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

History = PlanRow.history.model


def happened_on(day: datetime.date, since: int) -> None:
    """Date the history records written since record id `since` to noon on `day`."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    History.objects.filter(history_id__gt=since).update(history_date=moment)


def last_history_id() -> int:
    return History.objects.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def test_plan_as_of_a_date():
    world = build_world()
    plan = supplier_bap(world)
    editor = world.members[("supplier", "admin")]

    mark = last_history_id()
    survey = add_row(world, plan, activities="ER 2.6", description="Fee survey", actor=editor)
    hotline = add_row(world, plan, activities="WV 1.2", description="Hotline posters", actor=editor)
    happened_on(datetime.date(2026, 1, 15), mark)

    mark = last_history_id()
    survey = services.plan_row_update(
        actor=editor,
        row=survey,
        expected_version=survey.version,
        activities="ER 2.6-7",
        status="in_progress",
        organisations=[world.orgs["destination_agency"]],
    )
    services.plan_row_delete(actor=editor, row=hotline, expected_version=hotline.version)
    happened_on(datetime.date(2026, 4, 1), mark)

    mark = last_history_id()
    add_row(world, plan, activities="WC 3.5", description="Worker satisfaction survey", actor=editor)
    happened_on(datetime.date(2026, 7, 1), mark)

    assert selectors.plan_as_of(plan, datetime.date(2026, 1, 1)) == []

    january = selectors.plan_as_of(plan, datetime.date(2026, 1, 31))
    assert [(r.description, r.activity_display, r.status, r.deleted) for r in january] == [
        ("Fee survey", "ER 2.6", "planned", False),
        ("Hotline posters", "WV 1.2", "planned", True),  # deleted since, shown as it stood
    ]
    assert january[0].organisations == []

    april = selectors.plan_as_of(plan, datetime.date(2026, 4, 1))
    assert [(r.description, r.activity_display, r.status) for r in april] == [("Fee survey", "ER 2.6-7", "in_progress")]
    assert [org.name for org in april[0].organisations] == ["Home destination agency"]

    july = selectors.plan_as_of(plan, datetime.date(2026, 7, 2))
    assert [r.description for r in july] == ["Fee survey", "Worker satisfaction survey"]


def test_as_of_costs_the_same_whatever_the_rows(django_assert_max_num_queries):
    world = build_world()
    plan = supplier_bap(world)
    for i in range(12):
        add_row(world, plan, description=f"Row {i}", organisations=[world.orgs["destination_agency"]])
    with django_assert_max_num_queries(5):
        rows = selectors.plan_as_of(plan, timezone.localdate())
    assert len(rows) == 12


def test_the_page_and_the_api_show_the_plan_as_of_a_date(client: Client):
    world = build_world()
    plan = supplier_bap(world)
    row = add_row(world, plan, description="Deleted later")
    services.plan_row_delete(actor=tp(world), row=row, expected_version=row.version)
    sign_in(client, world.members[("buyer", "viewer")])
    today = timezone.localdate().isoformat()
    assert "Deleted later" not in client.get(f"/plans/business/{plan.pk}/").content.decode()
    # Today's end: the row was added and deleted today, so it no longer stands.
    assert "Deleted later" not in client.get(f"/plans/business/{plan.pk}/?as_of={today}").content.decode()
    History.objects.filter(id=row.pk, history_type="-").update(history_date=timezone.now() + datetime.timedelta(days=2))
    page = client.get(f"/plans/business/{plan.pk}/?as_of={today}").content.decode()
    assert "Deleted later" in page and "Deleted since" in page
    from tests.plans.test_api import token_for

    secret = token_for(world.members[("buyer", "viewer")])
    body = client.get(
        f"/api/v1/business-action-plans/{plan.pk}/as-of/?date={today}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert [(r["description"], r["deleted"], r["activity_display"]) for r in body] == [
        ("Deleted later", True, "ER 2.6-7")
    ]
