"""Identity leak matrix: a canary worker sits in cases of every state; as every supplier, agency and buyer
member, every page, every API read, every export and every notification e-mail must not show it.

Generated: page routes come from the URL resolver, API operations from the committed schema, object ids
from every row of each route's model, so new endpoints are covered without being listed here.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.cases import attachments, services
from ilm.cases.models import Case, CaseStatus
from tests.cases.helpers import CANARY_HANDLE, CANARY_NAME, CANARY_PASSPORT, canary_worker, open_case
from tests.conftest import sign_in
from tests.test_tenancy_matrix import TOKEN_ROUTES, fill, page_routes, route_model
from tests.worlds import build_world, matrix_members

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml").read_text())
CANARIES = [
    CANARY_NAME,
    "Zaw Canary",
    "5550199",
    "555 0199",
    "canary_zaw",
    CANARY_PASSPORT,
    "night shift",
    "passport is back",
]
BUSINESS_MEMBERS = [
    ("supplier", "admin"),
    ("supplier", "responder"),
    ("supplier", "viewer"),
    ("destination_agency", "admin"),
    ("destination_agency", "responder"),
    ("buyer", "admin"),
    ("buyer", "viewer"),
    ("upstream", "admin"),
]
MATRIX_MEMBERS = matrix_members(BUSINESS_MEMBERS)  # every role on PostgreSQL; each business's first on SQLite


def cases_in_every_state(world: Any) -> list[Case]:
    worker = canary_worker(world, consents={"share_identity": False, "contact_for_validation": True})
    cso = world.members[("cso", "caseworker")]
    supplier = world.members[("supplier", "responder")]
    made = {"intake": open_case(world, worker=worker)}
    assessed = open_case(world, worker=worker)
    services.case_assess(actor=cso, case=assessed)
    made["assessed"] = assessed
    made["shared"] = open_case(world, worker=worker, share=True)
    remediation = open_case(world, worker=worker, share=True)
    services.case_add_business(actor=cso, case=remediation, organisation=world.orgs["destination_agency"])
    services.case_respond(actor=supplier, case=remediation, text="We will fix it.")
    action = services.action_add(
        actor=supplier, case=remediation, description="Return documents", responsible=world.orgs["supplier"]
    )
    services.action_update(actor=supplier, action=action, text="Done", status="done")
    services.payment_record(actor=cso, case=remediation, worker=worker, currency="THB", amount_owed="9000")
    services.case_escalate(actor=cso, case=remediation, buyer=world.orgs["buyer"], reason="Please follow up")
    made["in_remediation"] = remediation
    awaiting = open_case(world, worker=worker, share=True)
    services.case_request_validation(actor=cso, case=awaiting)
    made["awaiting_validation"] = awaiting
    closed = open_case(world, worker=worker, share=True)
    services.validation_record(
        actor=cso,
        case=closed,
        worker=worker,
        method="phone",
        satisfaction=5,
        confirms_remediation=True,
        comments=f"{CANARY_NAME}: passport is back",
    )
    services.case_close(actor=cso, case=Case.objects.get(pk=closed.pk), closure="resolved")
    made["closed"] = closed
    pdf = b"%PDF-1.4\n%%EOF\n"
    for shared_file in (False, True):  # the file's name carries the canary; businesses get a neutral one
        attachments.attachment_add(
            actor=cso,
            case=remediation,
            upload=SimpleUploadedFile(f"{CANARY_NAME} statement.pdf", pdf, content_type="application/pdf"),
            description="Statement",
            visible_to_business=shared_file,
        )
    statuses = {Case.objects.get(pk=c.pk).status for c in made.values()}
    assert statuses == set(CaseStatus.values)
    return list(made.values())


def leaks(body: str) -> list[str]:
    return [canary for canary in CANARIES if canary in body]


def text_of(response: Any) -> str:
    """Everything a response says: its headers (a download's file name) and its body, streamed or not."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + body.decode("utf-8", "replace")


def object_ids(model: Any) -> list[Any]:
    return list(model._default_manager.values_list("pk", flat=True))


@pytest.mark.parametrize(("key", "role"), MATRIX_MEMBERS, ids=[f"{k}-{r}" for k, r in MATRIX_MEMBERS])
def test_no_page_shows_the_canary_to_a_business(key: str, role: str) -> None:
    world = build_world()
    cases_in_every_state(world)
    client = sign_in(Client(), world.members[(key, role)])
    fetched = 0
    for route, pattern, name in page_routes():
        if name in TOKEN_ROUTES:
            continue
        urls = ["/" + route] if "<" not in route else [fill(route, pk) for pk in object_ids(route_model(pattern))]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            found = leaks(text_of(response))
            assert not found, f"{url} shows {found} to {key}/{role}"
            fetched += 1
    assert fetched > 30


@pytest.mark.parametrize(("key", "role"), MATRIX_MEMBERS, ids=[f"{k}-{r}" for k, r in MATRIX_MEMBERS])
def test_no_api_response_shows_the_canary_to_a_business(key: str, role: str) -> None:
    world = build_world()
    cases_in_every_state(world)
    _token, secret = account_services.api_token_create(
        actor=world.members[(key, role)], name="canary", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    for path, item in SCHEMA["paths"].items():
        methods = [m for m in item if m == "get"]
        if "post" in item and path.endswith("/identity/"):
            methods.append("post")  # the identity read is a POST (it is audited)
        for method in methods:
            if "{" in path:
                view = resolve(re.sub(r"\{[^}]+\}", "1", path)).func
                model = view.cls.queryset.model  # type: ignore[attr-defined]
                urls = [re.sub(r"\{[^}]+\}", str(pk), path) for pk in object_ids(model)]
            else:
                urls = [path]
            for url in urls:
                response = getattr(client, method)(url, **auth)
                assert response.status_code < 500, url
                found = leaks(text_of(response))
                assert not found, f"{method.upper()} {url} shows {found} to {key}/{role}"


@pytest.mark.django_db(transaction=True)  # e-mails leave on commit
def test_notification_emails_never_carry_the_canary():
    mail.outbox.clear()
    world = build_world()
    cases_in_every_state(world)
    assert mail.outbox, "the lifecycle sent notification e-mails"
    for message in mail.outbox:
        found = leaks(message.subject + message.body)
        assert not found, f"an e-mail to {message.to} shows {found}"


def test_the_owning_cso_still_sees_the_canary_only_through_audited_reads():
    from ilm.core.models import AuditEvent

    world = build_world()
    cases = cases_in_every_state(world)
    viewer = sign_in(Client(), world.members[("cso", "viewer")])
    assert CANARY_NAME not in viewer.get(f"/api/v1/cases/{cases[0].pk}/").content.decode()  # no identity role
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    assert CANARY_NAME not in client.get("/api/v1/cases/").content.decode()  # lists never carry the record's text
    detail = client.get(f"/api/v1/cases/{cases[0].pk}/").content.decode()
    assert CANARY_NAME in detail  # the internal notes, for the CSO's caseworker...
    assert AuditEvent.objects.filter(action="case.record_viewed", object_id=str(cases[0].pk)).exists()  # ...audited
    worker_id = cases[0].case_workers.get().worker_id
    identity = client.post(f"/api/v1/workers/{worker_id}/identity/")
    assert identity.status_code == 200 and identity.json()["full_name"] == CANARY_NAME
    assert CANARY_HANDLE.split(":")[1] in identity.content.decode()
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(worker_id)).exists()
