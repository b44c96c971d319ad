"""Attachments and exports through API v1: multipart upload with the same checks as the page, downloads
whatever the client's Accept header says, errors in the one JSON format, exports always through the task
worker, and every file read audited."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.cases.models import Attachment, CaseExport, ExportStatus
from ilm.core.models import AuditEvent
from tests.cases.helpers import CANARY_NAME, canary_worker, open_case
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def bearer(membership) -> dict[str, str]:
    _token, secret = account_services.api_token_create(
        actor=membership, name="files", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def upload(client: Client, auth: dict[str, str], case, name: str, data: bytes, **fields):
    body = {"case": case.pk, "file": io.BytesIO(data), **fields}
    body["file"].name = name
    return client.post("/api/v1/attachments/", body, **auth)


def test_upload_then_download_whatever_the_accept_header_says():
    world = build_world()
    case = open_case(world, share=True)
    cso = world.members[("cso", "caseworker")]
    client, auth = Client(), bearer(cso)

    response = upload(
        client, auth, case, f"{CANARY_NAME} payslip.pdf", PDF, description="Payslip", visible_to_business="true"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == f"{CANARY_NAME} payslip.pdf"
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["visible_to_business"] is True
    attachment = Attachment.objects.get(pk=body["id"])

    for accept in ("application/json", "application/pdf", "text/html", "*/*", "image/png"):
        download = client.get(f"/api/v1/attachments/{attachment.pk}/download/", HTTP_ACCEPT=accept, **auth)
        assert download.status_code == 200, accept
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Security-Policy"] == "sandbox" and download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="attachment.downloaded", object_id=str(attachment.pk)).count() == 5

    # The business sees the shared file under a neutral name, never the worker's.
    supplier = world.members[("supplier", "viewer")]
    supplier_auth = bearer(supplier)
    listed = client.get("/api/v1/attachments/", **supplier_auth).json()["results"]
    assert [row["id"] for row in listed] == [attachment.pk]
    assert CANARY_NAME not in str(listed) and listed[0]["name"] == f"{case.reference}-{attachment.pk}.pdf"
    download = client.get(f"/api/v1/attachments/{attachment.pk}/download/", HTTP_ACCEPT="text/html", **supplier_auth)
    assert download.status_code == 200 and CANARY_NAME not in download["Content-Disposition"]


def test_refused_uploads_say_why_in_the_error_format_and_save_nothing():
    world = build_world()
    case = open_case(world, share=True)
    client, auth = Client(), bearer(world.members[("cso", "caseworker")])

    disguised = upload(client, auth, case, "invoice.pdf", b"MZ\x90\x00 not a pdf at all")
    assert disguised.status_code == 400
    error = disguised.json()["error"]
    assert error["code"] == "invalid" and error["fields"]["file"]
    missing = client.post("/api/v1/attachments/", {"case": case.pk}, **auth)
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]
    with override_settings(ILM_ATTACHMENT_MAX_BYTES=8):
        too_big = upload(client, auth, case, "big.pdf", PDF)
    assert too_big.status_code == 400 and too_big.json()["error"]["fields"]["file"]
    assert not Attachment.objects.filter(case=case).exists()


def test_uploads_need_the_right_to_add_files_on_a_case_you_can_see():
    world = build_world()
    case = open_case(world, share=False)  # not shared: businesses do not see it yet
    client = Client()
    for key, role in [("supplier", "responder"), ("buyer", "admin"), ("cso", "viewer")]:
        response = upload(client, bearer(world.members[(key, role)]), case, "plan.pdf", PDF)
        assert response.status_code in (400, 403), (key, role, response.content)
        if response.status_code == 400:  # a case you may not see is not a choice at all
            assert "case" in response.json()["error"]["fields"]
    for outsider in world.outsiders["membership"]:
        response = upload(client, bearer(outsider), case, "plan.pdf", PDF)
        assert response.status_code in (400, 403)
    assert not Attachment.objects.filter(case=case).exists()


def test_download_errors_are_json_not_files():
    world = build_world()
    case = open_case(world, share=False)
    cso = world.members[("cso", "caseworker")]
    client = Client()
    attachment_id = upload(client, bearer(cso), case, "statement.pdf", PDF).json()["id"]

    anonymous = client.get(f"/api/v1/attachments/{attachment_id}/download/", HTTP_ACCEPT="application/pdf")
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"
    assert anonymous.json()["error"]["code"] in ("not_authenticated", "authentication_failed")
    stranger = client.get(
        f"/api/v1/attachments/{attachment_id}/download/",
        HTTP_ACCEPT="application/pdf",
        **bearer(world.members[("supplier", "admin")]),
    )
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    assert not AuditEvent.objects.filter(action="attachment.downloaded").exists()


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)
def test_an_api_export_is_a_job_for_the_worker_then_a_download_for_its_owner_only():
    world = build_world()
    worker = canary_worker(world)
    for _ in range(3):
        open_case(world, worker=worker, share=True)
    owner = world.members[("buyer", "admin")]
    client, auth = Client(), bearer(owner)

    response = client.post(
        "/api/v1/exports/", {"format": "csv", "status": "shared"}, content_type="application/json", **auth
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == ExportStatus.QUEUED and job["rows_total"] == 3 and job["filters"] == {"status": "shared"}
    not_ready = client.get(f"/api/v1/exports/{job['id']}/download/", **auth)
    assert not_ready.status_code == 400 and not_ready["Content-Type"] == "application/json"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert client.get(f"/api/v1/exports/{job['id']}/", **auth).json()["status"] == ExportStatus.DONE
    download = client.get(f"/api/v1/exports/{job['id']}/download/", HTTP_ACCEPT="application/json", **auth)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and CANARY_NAME not in str(rows)

    for other in (
        world.members[("buyer", "viewer")],
        world.members[("supplier", "admin")],
        *world.outsiders["membership"],
    ):
        assert client.get(f"/api/v1/exports/{job['id']}/download/", **bearer(other)).status_code == 404
    assert client.get("/api/v1/exports/", **bearer(world.members[("buyer", "viewer")])).json()["results"] == []
    assert AuditEvent.objects.filter(action="cases.export_downloaded", object_id=str(job["id"])).count() == 1
    assert CaseExport.objects.get(pk=job["id"]).membership == owner


def test_bad_export_requests_are_clear_errors():
    world = build_world()
    client, auth = Client(), bearer(world.members[("cso", "caseworker")])
    response = client.post("/api/v1/exports/", {"format": "pdf"}, content_type="application/json", **auth)
    assert response.status_code == 400 and "format" in response.json()["error"]["fields"]
    response = client.post(
        "/api/v1/exports/", {"format": "csv", "status": "nonsense"}, content_type="application/json", **auth
    )
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]
    assert not CaseExport.objects.filter(membership=world.members[("cso", "caseworker")]).exists()
