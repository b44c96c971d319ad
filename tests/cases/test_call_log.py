"""The hotline's quick call log: a call in a few fields, a known number finds its worker, a new caller is
recorded only when the caseworker says so, and nothing half-saved when something is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ilm.cases.models import Contact, Worker
from tests.cases.helpers import canary_worker, open_case
from tests.conftest import sign_in
from tests.factories import ChannelFactory
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def mine():
    return Contact.objects.filter(cso__name__startswith="Home")


def form_data(**extra: str) -> dict[str, str]:
    return {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "language": "my",
        "who": "worker",
        "purpose": "information",
        "notes": "Asked about overtime pay rules.",
        "then": "next",
        **extra,
    }


def test_a_known_number_logs_the_call_for_its_worker_and_lists_it_today():
    world = build_world()
    hotline = ChannelFactory(cso=world.orgs["cso"], provider="hotline", name="1422 hotline")
    ChannelFactory(cso=world.orgs["cso"], provider="whatsapp", name="WhatsApp")  # not offered on this page
    worker = canary_worker(world)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    page = client.get("/cases/calls/").content.decode()
    assert "1422 hotline" in page and ">WhatsApp<" not in page
    response = client.post(
        "/cases/calls/", form_data(channel=str(hotline.pk), caller_number="081-555-0199")
    )  # the canary's +66 81 555 0199, typed as a Thai caseworker would
    assert response.status_code == 302 and response["Location"] == "/cases/calls/"
    contact = mine().get(channel=hotline)
    assert contact.worker == worker and contact.language == "my" and contact.notes.startswith("Asked")
    listing = client.get("/cases/calls/").content.decode()
    assert worker.label in listing and "Asked about overtime" not in listing  # notes stay on the contact


def test_an_unknown_number_needs_the_tick_and_then_records_the_caller_with_consents():
    world = build_world()
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    refused = client.post("/cases/calls/", form_data(caller_number="+95 9 420 111 222"))
    assert refused.status_code == 400 and "No worker of your CSO has this number" in refused.content.decode()
    assert "Asked about overtime pay rules." in refused.content.decode()  # what was typed is kept
    assert not mine().exists()
    before = Worker.objects.count()
    response = client.post(
        "/cases/calls/",
        form_data(
            caller_number="+95 9 420 111 222",
            record_caller="on",
            consent_contact_for_validation="on",
            purpose="issue_report",
            then="case",
        ),
    )
    contact = mine().get()
    assert response.status_code == 302 and response["Location"] == f"/cases/new/?contact={contact.pk}"
    assert Worker.objects.count() == before + 1
    worker = contact.worker
    assert worker.consent_contact_for_validation and not worker.consent_share_identity
    assert [i.value for i in worker.identifiers.all()] == ["+95 9 420 111 222"]
    again = client.post("/cases/calls/", form_data(caller_number="+959420111222"))  # they call back
    assert again.status_code == 302 and mine().filter(worker=worker).count() == 2


def test_bad_input_is_refused_and_saves_nothing():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    before = Worker.objects.count()
    for data, message in [
        ({"caller_number": "12"}, "Enter the whole number"),
        ({"record_caller": "on"}, "Enter the number to record the caller"),
        ({"case_reference": "C-NOPE-NOPE"}, "No case of your CSO has this reference."),
        ({"worker_label": "W999999"}, "No worker of your CSO has this label."),
        ({"occurred_at": "2999-01-01T10:00"}, "cannot be in the future"),
        ({"caller_number": "+66 81 555 0199", "record_caller": "on"}, "already knows this number"),
    ]:
        response = client.post("/cases/calls/", form_data(**data))
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not mine().exists() and Worker.objects.count() == before
    ok = client.post("/cases/calls/", form_data(case_reference=case.reference))
    assert ok.status_code == 302 and mine().get().case == case


@pytest.mark.parametrize("key", ["buyer", "supplier", "tp", "government"])
def test_only_cso_caseworkers_log_calls(key):
    world = build_world()
    for (org, _role), member in world.members.items():
        if org != key:
            continue
        assert sign_in(Client(), member).get("/cases/calls/").status_code == 403
