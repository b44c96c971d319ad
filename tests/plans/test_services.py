"""Writing plans: duplicates, unknown codes, ranges, versions, check-ins, baselines and focal points."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ilm.core.errors import Conflict
from ilm.core.models import AuditEvent
from ilm.plans import services
from ilm.plans.models import Baseline, FocalPoint, Plan
from tests.factories import country
from tests.plans.helpers import YEAR, add_row, supplier_bap, thai_cap, tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_second_plan_for_the_same_year_is_refused_and_nothing_is_saved(world):
    thai_cap(world)
    supplier_bap(world)
    before = Plan.objects.count()
    with pytest.raises(ValidationError) as caught:
        thai_cap(world)
    assert "already has an action plan for this year" in str(caught.value.message_dict["year"])
    with pytest.raises(ValidationError), translation.override("en"):
        supplier_bap(world)
    assert Plan.objects.count() == before
    # Another year, another country: fine.
    thai_cap(world, year=YEAR + 1)
    services.plan_create(actor=tp(world), kind="country", country=country("MM"), year=YEAR)
    assert AuditEvent.objects.filter(action="plan.created").count() == 4  # the world's outsider plans are not audited


def test_duplicate_message_is_translated(world):
    thai_cap(world)
    with translation.override("th"), pytest.raises(ValidationError) as caught:
        thai_cap(world)
    message = caught.value.message_dict["year"][0]
    with translation.override("th"):
        expected = translation.gettext("This country already has an action plan for this year. Open it to add rows.")
    assert message == expected


def test_a_row_spans_a_range_of_activities(world):
    plan = supplier_bap(world)
    row = add_row(world, plan, activities="ER 2.6-7", organisations=[world.orgs["destination_agency"]])
    assert row.activity_codes == ["2.6", "2.7"]
    assert row.activity_display == "ER 2.6-7"
    assert list(row.organisations.all()) == [world.orgs["destination_agency"]]
    assert row.position == 1 and add_row(world, plan, activities="WV 1.2").position == 2
    assert AuditEvent.objects.filter(action="plan.row_added", object_id=str(row.pk)).exists()


@pytest.mark.parametrize("codes", ["2.11", "ER 2.9-12", "4.1", "WV 1.7"])
def test_unknown_activity_code_is_a_clear_error_and_nothing_is_saved(world, codes):
    plan = supplier_bap(world)
    with pytest.raises(ValidationError) as caught:
        add_row(world, plan, activities=codes)
    message = " ".join(caught.value.message_dict["activities"])
    assert "Unknown activity code" in message or "not in the area" in message
    assert not plan.rows.exists()


def test_unreadable_codes_and_bad_quarter_are_field_errors(world):
    plan = supplier_bap(world)
    with pytest.raises(ValidationError) as caught:
        add_row(world, plan, activities="zero fees")
    assert "activities" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        add_row(world, plan, due_quarter="Q2 2026")
    assert "due_quarter" in caught.value.message_dict
    assert not plan.rows.exists()


def test_row_update_with_a_stale_version_is_a_conflict_not_a_lost_update(world):
    plan = supplier_bap(world)
    row = add_row(world, plan)
    editor = world.members[("supplier", "responder")]
    first = services.plan_row_update(actor=editor, row=row, expected_version=1, status="in_progress")
    assert first.version == 2
    with pytest.raises(Conflict):
        services.plan_row_update(actor=tp(world), row=row, expected_version=1, remarks="overwrites?")
    row.refresh_from_db()
    assert (row.status, row.remarks, row.version) == ("in_progress", "aim for completion by Q2", 2)
    # Changing only the activities or organisations is a new version too.
    second = services.plan_row_update(actor=editor, row=row, expected_version=2, activities=["2.6"])
    assert second.version == 3 and second.activity_codes == ["2.6"]
    with pytest.raises(Conflict):
        services.plan_row_delete(actor=editor, row=row, expected_version=2)
    services.plan_row_delete(actor=editor, row=row, expected_version=3)
    assert not plan.rows.exists()


def test_a_business_cannot_write_another_business_plan(world):
    plan = supplier_bap(world)
    agency = world.members[("destination_agency", "admin")]
    with pytest.raises(PermissionDenied):
        add_row(world, plan, actor=agency)
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=agency, kind="business", organisation=world.orgs["supplier"], year=YEAR + 1)
    with pytest.raises(PermissionDenied):
        services.baseline_update(actor=agency, organisation=world.orgs["supplier"], supply_chain="x")


def test_check_in_and_planning_status(world):
    plan = thai_cap(world)
    cso = world.members[("cso", "admin")]
    checkin = services.plan_checkin_record(
        actor=cso,
        plan=plan,
        held_on=datetime.date(2026, 6, 30),
        participants="NGO Partner 1, technical partner",
        summary="Hotline reach on track.",
        changes="Added a Burmese-language channel row.",
    )
    assert checkin.recorded_by == cso
    with pytest.raises(ValidationError):
        services.plan_checkin_record(
            actor=cso,
            plan=plan,
            held_on=timezone.localdate() + datetime.timedelta(days=3),
            participants="x",
            summary="y",
        )
    plan = services.plan_update(actor=cso, plan=plan, planning_status="checked_in", expected_version=1)
    assert plan.planning_status == "checked_in" and plan.version == 2
    with pytest.raises(Conflict):
        services.plan_update(actor=cso, plan=plan, planning_status="closed", expected_version=1)


def test_baseline_and_focal_points(world):
    supplier = world.orgs["supplier"]
    admin = world.members[("supplier", "admin")]
    baseline = services.baseline_update(
        actor=admin,
        organisation=supplier,
        supply_chain="Tier 1 seafood processor; two upstream vessels.",
        policy_links=["https://example.org/policy.pdf", " ", "https://example.org/policy.pdf"],
    )
    assert baseline.policy_links == ["https://example.org/policy.pdf"]
    assert baseline.version == 2
    with pytest.raises(ValidationError):
        services.baseline_update(actor=admin, organisation=supplier, policy_links=["javascript:alert(1)"])
    with pytest.raises(Conflict):
        services.baseline_update(actor=admin, organisation=supplier, expected_version=1, other_programmes="x")
    point = services.focal_point_save(
        actor=admin,
        organisation=supplier,
        role="HR director",
        purpose="issues",
        name="Khun Malee",
        email="hr@example.org",
        phone="081 234 5678",
    )
    assert point.phone == "+66812345678"
    with pytest.raises(ValidationError) as caught:
        services.focal_point_save(
            actor=admin, organisation=supplier, role="MD", purpose="escalations", name="Mr B", phone="12"
        )
    assert "phone" in caught.value.message_dict
    point = services.focal_point_save(
        actor=admin, organisation=supplier, focal_point=point, expected_version=1, role="HR and CSR director"
    )
    assert point.version == 2
    services.focal_point_delete(actor=admin, focal_point=point)
    assert not FocalPoint.objects.filter(baseline__organisation=supplier).exists()
    assert Baseline.objects.filter(organisation=supplier).count() == 1
