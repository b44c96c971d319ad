"""`manage.py demo` loads the action plans: three country plans with the example rows, a plan and a
baseline for every demo supplier and agency; running it again changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from ilm.network.models import Organisation
from ilm.plans.models import Baseline, FocalPoint, Plan, PlanCheckIn, PlanRow

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Plan, PlanRow, PlanCheckIn, Baseline, FocalPoint)}


def test_demo_action_plans(tmp_path):
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    first = counts()
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    assert counts() == first

    year = timezone.localdate().year
    caps = Plan.objects.filter(kind="country", year=year)
    assert set(caps.values_list("country_id", flat=True)) == {"TH", "MM", "KH"}
    example = PlanRow.objects.filter(plan__in=caps, description="Independent worker voice channels, language A")
    assert example.count() == 3
    row = example.get(plan__country_id="TH")
    assert (row.activity_display, row.other_partners, row.remarks) == (
        "WV 1.2",
        "NGO Partner 1",
        "Hotline + WhatsApp, open to all",
    )
    businesses = Organisation.objects.filter(kind__in=["supplier", "recruitment_agency"])
    assert set(Plan.objects.filter(kind="business", year=year).values_list("organisation", flat=True)) == set(
        businesses.values_list("pk", flat=True)
    )
    assert Baseline.objects.filter(organisation__in=businesses).count() == businesses.count()
    assert FocalPoint.objects.filter(purpose="escalations").count() == businesses.count()
    assert PlanRow.objects.filter(plan__kind="business", activities__code="2.7").exists()
    assert PlanCheckIn.objects.exists()


def test_demo_progress_indicators_have_a_history(tmp_path):
    from ilm.plans.models import IndicatorSuggestion, IndicatorValue

    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    values = IndicatorValue.objects.count()
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    assert IndicatorValue.objects.count() == values  # idempotent
    businesses = Organisation.objects.filter(kind__in=["supplier", "recruitment_agency"])
    assert set(IndicatorValue.objects.values_list("organisation", flat=True)) == set(
        businesses.values_list("pk", flat=True)
    )
    supplier = businesses.filter(kind="supplier").first()
    wv1 = IndicatorValue.history.filter(organisation_id=supplier.pk, indicator="WV1").order_by("history_date")
    assert [h.status for h in wv1] == ["partial", "completed"]
    assert (wv1.last().history_date - wv1.first().history_date).days >= 100  # a trend over months
    assert IndicatorSuggestion.objects.filter(status="open").exists()  # from the demo's completed trainings
