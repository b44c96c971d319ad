"""`manage.py demo` builds a believable network, writes credentials, and changes nothing when run again."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ilm.accounts.models import ApiToken, Membership, TOTPDevice, User
from ilm.core.models import AuditEvent
from ilm.network.models import Channel, HeadcountSnapshot, Link, Organisation, Site

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Site,
            Link,
            Channel,
            HeadcountSnapshot,
            User,
            Membership,
            ApiToken,
            TOTPDevice,
            AuditEvent,
        )
    }


def test_demo_network_is_complete_and_idempotent(tmp_path):
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    first, first_file = counts(), path.read_text()
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    assert counts() == first
    assert path.read_text() == first_file

    kinds = dict(
        Organisation.objects.values_list("kind").annotate(n=__import__("django.db.models").db.models.Count("id"))
    )
    assert kinds == {"technical_partner": 1, "cso": 3, "buyer": 3, "supplier": 8, "recruitment_agency": 6}
    assert 18 <= first["Site"] <= 22
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

    credentials = json.loads(first_file)
    assert {c["org_kind"] for c in credentials} == set(kinds)
    assert {(c["org"], c["role"]) for c in credentials} == set(
        Membership.objects.values_list("organisation__name", "role")
    )
    for entry in credentials:
        assert set(entry) == {"username", "password", "org", "org_kind", "role", "api_token", "totp_secret"}
        assert (entry["totp_secret"] is not None) == (
            entry["org_kind"] in ("cso", "technical_partner") or entry["role"] == "admin"
        )


def test_demo_credentials_work_for_sign_in_and_the_api(tmp_path):
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    credentials = {c["username"]: c for c in json.loads(path.read_text())}
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


def test_bootstrap_creates_the_technical_partner_once(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("ILM_BOOTSTRAP_PASSWORD", "a long enough passphrase 42")
    call_command("bootstrap", organisation="Secretariat", username="ana", email="ana@example.org", verbosity=0)
    membership = Membership.objects.get(user__username="ana")
    assert membership.role == "admin" and membership.organisation.kind == "technical_partner"
    assert AuditEvent.objects.filter(action="organisation.bootstrapped").exists()
    with pytest.raises(CommandError):
        call_command("bootstrap", organisation="Second", username="bo", email="bo@example.org", verbosity=0)
    assert not User.objects.filter(username="bo").exists()


def test_demo_cases_cover_every_state_keep_their_dates_together_and_send_no_email(
    tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    from ilm.cases.models import Case, CaseAction, CaseStatus, CaseUpdate, Notification, Payment, WorkerValidation

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", credentials=str(tmp_path / "creds.json"), verbosity=0, force=True)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert Case.objects.count() == 60
    assert Notification.objects.exists()  # listed in the app ...
    assert mailoutbox == []  # ... but nobody is e-mailed about made-up cases

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
