"""Labour-policy files on a business's baseline: who adds, reads and removes them (pages and API), what is
refused (checked like case files, nothing saved), stored encrypted, every upload/download/removal audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ilm.core.models import AuditEvent
from ilm.plans import documents
from ilm.plans.models import Baseline, PolicyDocument
from tests.api.test_api import token_for
from tests.conftest import sign_in
from tests.factories import OrganisationFactory
from tests.worlds import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

POLICY_TEXT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nEmployer pays all recruitment fees.\n%%EOF\n"


@pytest.fixture
def world():
    return build_world()


def stored_files(root: Path, world) -> list[Path]:
    """The files stored for the home supplier's baseline (the outsider's policy is stored too)."""
    baseline = Baseline.objects.filter(organisation=world.orgs["supplier"]).first()
    if baseline is None:
        return []
    folder = root / "plans" / "baselines" / str(baseline.pk)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def pdf(name: str = "employer-pays.pdf", data: bytes = POLICY_TEXT) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def add(world, key: str = "supplier", role: str = "admin", **kwargs: Any) -> PolicyDocument:
    kwargs.setdefault("upload", pdf())
    kwargs.setdefault("title", "Employer-pays policy 2026")
    return documents.policy_document_add(
        actor=world.members[(key, role)], organisation=world.orgs["supplier"], **kwargs
    )


def test_the_business_adds_a_policy_its_buyer_reads_it_and_the_file_is_encrypted(world, private_storage):
    document = add(world)
    assert document.content_type == "application/pdf" and document.size == len(POLICY_TEXT)
    [stored] = stored_files(private_storage, world)
    assert b"Employer pays" not in stored.read_bytes()  # encrypted at rest

    buyer = world.members[("buyer", "viewer")]
    handle, content_type, name = documents.policy_document_open(actor=buyer, document=document)
    assert handle.read() == POLICY_TEXT and content_type == "application/pdf" and name == "employer-pays.pdf"
    actions = list(AuditEvent.objects.filter(object_id=str(document.pk)).values_list("action", flat=True))
    assert "baseline.document_added" in actions and "baseline.document_downloaded" in actions


def test_the_technical_partner_adds_too_but_buyers_and_other_businesses_may_not(world):
    add(world, "tp", "caseworker", title="Grievance procedure")
    for key, role in [("buyer", "admin"), ("supplier", "viewer"), ("upstream", "admin"), ("cso", "admin")]:
        with pytest.raises(PermissionDenied):
            add(world, key, role)
    assert PolicyDocument.objects.filter(baseline__organisation=world.orgs["supplier"]).count() == 1


def test_bad_files_and_titles_are_refused_and_nothing_is_saved(world, private_storage):
    page = b"<html><script>alert(1)</script></html>"
    for kwargs, field in [
        ({"upload": pdf("policy.pdf", page)}, "file"),
        ({"upload": pdf("empty.pdf", b"")}, "file"),
        ({"upload": pdf("setup.exe", b"MZ\x90\x00" + b"\x00" * 64)}, "file"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
    ]:
        with pytest.raises(ValidationError) as refused:
            add(world, **kwargs)
        assert field in refused.value.message_dict
    assert not PolicyDocument.objects.filter(baseline__organisation=world.orgs["supplier"]).exists()
    assert stored_files(private_storage, world) == []


def test_removal_deletes_the_row_and_the_file(world, private_storage, django_capture_on_commit_callbacks):
    document = add(world)
    with django_capture_on_commit_callbacks(execute=True):
        documents.policy_document_remove(actor=world.members[("supplier", "admin")], document=document)
    assert not PolicyDocument.objects.filter(baseline__organisation=world.orgs["supplier"]).exists()
    assert stored_files(private_storage, world) == []
    assert AuditEvent.objects.filter(action="baseline.document_removed").exists()


def test_pages_upload_list_download_and_hide_from_outsiders(client: Client, world):
    supplier = world.orgs["supplier"]
    sign_in(client, world.members[("supplier", "admin")])
    form = client.get(f"/plans/businesses/{supplier.pk}/baseline/documents/new/")
    assert form.status_code == 200 and b'enctype="multipart/form-data"' in form.content
    refused = client.post(
        f"/plans/businesses/{supplier.pk}/baseline/documents/new/",
        {"title": "Policy", "file": pdf("policy.pdf", b"<html></html>")},
    )
    assert (
        refused.status_code == 400
        and not PolicyDocument.objects.filter(baseline__organisation=world.orgs["supplier"]).exists()
    )
    saved = client.post(
        f"/plans/businesses/{supplier.pk}/baseline/documents/new/", {"title": "Employer-pays policy", "file": pdf()}
    )
    assert saved.status_code == 302
    document = PolicyDocument.objects.get(baseline__organisation=supplier)
    page = client.get(f"/plans/businesses/{supplier.pk}/baseline/")
    assert "Employer-pays policy" in page.content.decode()

    sign_in(client, world.members[("buyer", "viewer")])
    download = client.get(f"/plans/baseline-documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == POLICY_TEXT
    assert download["Content-Security-Policy"] == "sandbox" and download["X-Content-Type-Options"] == "nosniff"
    assert client.post(f"/plans/baseline-documents/{document.pk}/remove/").status_code == 403

    outsider = OrganisationFactory(kind="supplier", name="Unrelated supplier")
    from tests.factories import MembershipFactory

    sign_in(client, MembershipFactory(organisation=outsider, role="admin"))
    assert client.get(f"/plans/baseline-documents/{document.pk}/").status_code == 404
    assert client.post(f"/plans/baseline-documents/{document.pk}/remove/").status_code == 404
    assert PolicyDocument.objects.filter(pk=document.pk).exists()


def test_api_upload_list_download_delete(client: Client, world):
    supplier = world.orgs["supplier"]
    secret = token_for(world.members[("supplier", "admin")])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    bad = client.post(
        "/api/v1/policy-documents/",
        {"organisation": supplier.pk, "title": "Policy", "file": pdf("a.pdf", b"<svg onload=x>")},
        **auth,
    )
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    created = client.post(
        "/api/v1/policy-documents/", {"organisation": supplier.pk, "title": "Employer-pays", "file": pdf()}, **auth
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["organisation"] == supplier.pk and body["name"] == "employer-pays.pdf"

    buyer = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.members[('buyer', 'viewer')])}"}
    listed = client.get(f"/api/v1/policy-documents/?organisation={supplier.pk}", **buyer).json()
    assert [d["id"] for d in listed["results"]] == [body["id"]]
    download = client.get(f"/api/v1/policy-documents/{body['id']}/download/", **buyer)
    assert download.status_code == 200 and b"".join(download.streaming_content) == POLICY_TEXT
    assert client.delete(f"/api/v1/policy-documents/{body['id']}/", **buyer).status_code == 403
    assert client.delete(f"/api/v1/policy-documents/{body['id']}/", **auth).status_code == 204
    assert not PolicyDocument.objects.filter(baseline__organisation=world.orgs["supplier"]).exists()
