"""`manage.py demo` builds a believable network with every app's demo data, writes credentials, and changes
nothing when run again.

The demo is loaded once for this whole module (twice, to prove the second load changes nothing), inside a
transaction rolled back after the module's last test, so the module's tests read one demo instead of each
loading its own. Every app's demo assertions live here, in a section of their own.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connections, transaction
from django.db.models import Count
from django.test import Client, TestCase
from django.utils import timezone

from ilm.accounts.models import Membership, TOTPDevice
from ilm.network.models import Channel, Link, Organisation, Site

pytestmark = pytest.mark.django_db


@dataclass
class Demo:
    credentials: Path
    first_counts: dict[str, int]
    second_counts: dict[str, int]
    first_file: str
    second_file: str
    emails: list[Any]


def every_count() -> dict[str, int]:
    """Rows of every model of every ILM app (history and audit included)."""
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("ilm.")}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ours and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("demo") / "creds.json"
    with django_db_blocker.unblock():
        atomics = [transaction.atomic(using=alias) for alias in connections]
        for atomic in atomics:
            atomic.__enter__()
        try:
            mail.outbox = []
            with TestCase.captureOnCommitCallbacks(execute=True):  # what would happen on commit happens
                call_command("demo", credentials=str(path), verbosity=0, force=True)
            first_counts, first_file = every_count(), path.read_text()
            call_command("demo", credentials=str(path), verbosity=0, force=True)
            yield Demo(path, first_counts, every_count(), first_file, path.read_text(), list(mail.outbox))
        finally:
            for alias in connections:
                transaction.set_rollback(True, using=alias)
            for atomic in reversed(atomics):
                atomic.__exit__(None, None, None)


# --- the network ----------------------------------------------------------------------------------------


def test_a_second_load_changes_nothing(demo: Demo) -> None:
    changed = {
        label: (n, demo.second_counts[label])
        for label, n in demo.first_counts.items()
        if demo.second_counts[label] != n
    }
    assert changed == {}
    assert demo.second_file == demo.first_file


def test_demo_network_is_complete(demo: Demo) -> None:
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {
        "technical_partner": 1,
        "cso": 3,
        "buyer": 3,
        "supplier": 8,
        "recruitment_agency": 6,
        "government": 1,  # a local government in the Myanmar recruitment network
    }
    assert 18 <= Site.objects.count() <= 22
    assert set(Site.objects.values_list("country_id", flat=True)) == {"TH", "MY"}
    assert set(Channel.objects.values_list("provider", flat=True)) >= {
        "hotline",
        "whatsapp",
        "line",
        "viber",
        "messenger",
    }
    assert Link.objects.filter(kind="recruitment", disclosed_to_buyers=False).exists()
    assert set(Link.objects.values_list("msa_status", flat=True)) >= {"none", "draft", "signed", "reviewed"}

    credentials = json.loads(demo.first_file)
    assert {c["org_kind"] for c in credentials} == set(kinds)
    assert {(c["org"], c["role"]) for c in credentials} == set(
        Membership.objects.values_list("organisation__name", "role")
    )
    for entry in credentials:
        assert set(entry) == {"username", "password", "org", "org_kind", "role", "api_token", "totp_secret"}
        assert (entry["totp_secret"] is not None) == (
            entry["org_kind"] in ("cso", "technical_partner") or entry["role"] == "admin"
        )


def test_demo_credentials_work_for_sign_in_and_the_api(demo: Demo) -> None:
    credentials = {c["username"]: c for c in json.loads(demo.first_file)}
    viewer = credentials["northwind-viewer"]
    client = Client()
    response = client.post("/accounts/login/", {"username": viewer["username"], "password": viewer["password"]})
    assert response.status_code == 302 and response["Location"] == "/"
    api = Client().get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {viewer['api_token']}")
    assert api.status_code == 200 and len(api.json()["results"]) > 0
    caseworker = credentials["th-voice-caseworker"]
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": caseworker["username"], "password": caseworker["password"]})[
            "Location"
        ]
        == "/accounts/login/verify/"
    )
    code = TOTPDevice.objects.get(user__username=caseworker["username"]).current_token()
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 302
    assert client.get("/network/channels/").status_code == 200


# --- cases ----------------------------------------------------------------------------------------------


def test_demo_cases_cover_every_state_keep_their_dates_together_and_send_no_email(demo: Demo) -> None:
    from ilm.cases.models import Case, CaseAction, CaseStatus, CaseUpdate, Notification, Payment, WorkerValidation

    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert Case.objects.count() == 60
    assert Notification.objects.exists()  # listed in the app ...
    assert demo.emails == []  # ... but nobody is e-mailed about made-up cases

    now = timezone.now()
    opened = dict(Case.objects.values_list("pk", "opened_at"))
    for model, field in [
        (CaseUpdate, "created_at"),
        (CaseAction, "last_reverted_at"),
        (CaseAction, "completed_at"),
        (WorkerValidation, "validated_at"),
        (Payment, "recorded_at"),
        (Notification, "created_at"),
    ]:
        rows = model.objects.exclude(**{f"{field}__isnull": True}).values_list("case_id", field)
        assert rows, (model.__name__, field)
        for case_id, when in rows:
            assert opened[case_id] <= when <= now, (model.__name__, field, case_id)
    # Everything was moved back in time: nothing but the freshest cases happened in the last day.
    recent = CaseUpdate.objects.filter(created_at__gte=now - datetime.timedelta(days=1)).count()
    assert recent == 0


# --- plans ----------------------------------------------------------------------------------------------


def test_demo_action_plans(demo: Demo) -> None:
    from ilm.plans.models import Baseline, FocalPoint, Plan, PlanCheckIn, PlanRow

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


def test_demo_progress_indicators_have_a_history(demo: Demo) -> None:
    from ilm.plans.models import IndicatorSuggestion, IndicatorValue

    businesses = Organisation.objects.filter(kind__in=["supplier", "recruitment_agency"])
    assert set(IndicatorValue.objects.values_list("organisation", flat=True)) == set(
        businesses.values_list("pk", flat=True)
    )
    supplier = businesses.filter(kind="supplier").first()
    assert supplier is not None
    wv1 = IndicatorValue.history.filter(organisation_id=supplier.pk, indicator="WV1").order_by("history_date")
    assert [h.status for h in wv1] == ["partial", "completed"]
    assert (wv1.last().history_date - wv1.first().history_date).days >= 100  # a trend over months
    assert IndicatorSuggestion.objects.filter(status="open").exists()  # from the demo's completed trainings


def test_the_demo_trainings(demo: Demo) -> None:
    from ilm.plans.models import Course, IndicatorSuggestion, TrainingSession

    assert Course.objects.count() >= 4 and TrainingSession.objects.filter(completed=True).count() >= 4
    assert set(Course.objects.values_list("activity_id", flat=True)) >= {"1.5", "2.8", "3.7", "3.8"}
    made = IndicatorSuggestion.objects.filter(training_session__isnull=False, organisation__kind="supplier")
    assert made.exists() and made.first().status == "open"


# --- surveys --------------------------------------------------------------------------------------------


def test_demo_surveys_show_the_comparison(demo: Demo) -> None:
    from ilm.surveys import selectors
    from ilm.surveys.models import Survey

    independent = Survey.objects.get(kind="independent", site__name="Samut Sakhon Plant 1")
    internal = Survey.objects.get(kind="internal", site__name="Samut Sakhon Plant 1")
    assert 12 <= independent.responses.count() <= 30 and 12 <= internal.responses.count() <= 30
    assert independent.status == "open" and internal.status == "closed"
    cso = Membership.objects.get(organisation=independent.run_by, role="caseworker")
    comparison = selectors.survey_comparison(
        membership=cso, survey=selectors.survey_list(membership=cso).get(pk=independent.pk)
    )
    assert comparison.independent.shown and comparison.internal.shown
    wages = next(row for row in comparison.rows if row.question.code == "wages_on_time")
    assert wages.internal.mean > wages.independent.mean


# --- recruitment ----------------------------------------------------------------------------------------


def test_demo_fee_survey(demo: Demo) -> None:
    from ilm.recruitment import selectors
    from ilm.recruitment.models import FeeLine, FeeSurveyResponse, Repayment

    assert FeeSurveyResponse.objects.count() == 10
    assert set(FeeLine.objects.values_list("currency", flat=True)) == {"MMK", "THB"}
    assert Repayment.objects.filter(verified_at__isnull=False).exists()
    assert Repayment.objects.filter(verified_at__isnull=True).exists()
    workers = selectors.reimbursed_workers_for(None)
    assert workers.eligible == 10 and 0 < workers.reimbursed < 10


# --- jobs -----------------------------------------------------------------------------------------------


def test_demo_jobs(demo: Demo) -> None:
    from ilm.jobs.models import Application, Vacancy, VacancyTranslation

    published = Vacancy.objects.filter(status="published")
    assert Vacancy.objects.count() >= 12 and published.count() >= 8
    assert set(published.values_list("fee_model", flat=True)) == {"zero_fee", "itemised"}
    assert VacancyTranslation.objects.values("language").distinct().count() >= 3
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"applied", "offered", "hired"} <= statuses
    assert Application.objects.filter(via_cso__isnull=False).exists()  # applied through a CSO


def test_demo_recruitment_network(demo: Demo) -> None:
    from ilm.recruitment.models import BrokerReport, NetworkMember, OutreachEvent, RecruitmentNetwork, Referral

    network = RecruitmentNetwork.objects.get(origin_country_id="MM")
    kinds = set(NetworkMember.objects.filter(network=network).values_list("organisation__kind", flat=True))
    assert kinds == {"cso", "recruitment_agency", "government"}
    assert BrokerReport.objects.filter(network=network).count() == 3
    assert OutreachEvent.objects.filter(network=network).count() == 3
    assert Referral.objects.filter(network=network).count() == 2
    credentials = json.loads(demo.first_file)
    assert any(c["org_kind"] == "government" for c in credentials)  # its members sign in to the network


# --- indicators -----------------------------------------------------------------------------------------


def test_demo_scores(demo: Demo) -> None:
    from ilm.indicators.models import Assessment

    businesses = Organisation.objects.filter(kind__in=["supplier", "recruitment_agency"])
    published = Assessment.objects.filter(status="published")
    assert set(published.values_list("business", flat=True)) == set(businesses.values_list("pk", flat=True))
    assert published.count() == 4 * businesses.count()


def test_demo_contacts_come_in_the_workers_languages(demo: Demo) -> None:
    from ilm.cases.models import Contact

    contacts = Contact.objects.all()
    assert contacts.count() >= 150 and contacts.filter(case__isnull=False).count() >= 60
    assert set(contacts.values_list("language", flat=True)) >= {"my", "km", "ne", "th"}
    assert not contacts.filter(occurred_at__gt=timezone.now()).exists()
    for contact in contacts.filter(case__isnull=False).select_related("case"):
        assert contact.occurred_at <= contact.case.opened_at + datetime.timedelta(minutes=5)
