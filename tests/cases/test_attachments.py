"""Evidence files: type sniffed from the bytes, size and pixel limits, images re-encoded without metadata,
who may add, who may download (404 for everyone else), and an audit event for every upload and download."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook
from PIL import Image

from ilm.cases.attachments import attachment_add, attachment_open, inspect
from ilm.cases.models import Attachment
from ilm.core.models import AuditEvent
from tests.cases.helpers import CANARY_NAME, open_case
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def stored_case_files(root: Path, case: Any) -> list[Path]:
    folder = root / "cases" / str(case.pk)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- files to upload ---------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # camera make
    exif[0x0132] = "2026:01:02 03:04:05"  # date and time
    exif[0x0112] = 6  # orientation: rotate 90°
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 12.5), 3: "E", 4: (100.0, 30.0, 7.25)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"shot by Zaw")
    return buffer.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "13.75N 100.5E")
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 128, 0)).save(buffer, "WEBP")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: decoding it would need gigabytes (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["site", "workers"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx() -> bytes:
    return zip_of({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b"<w:document/>"})


def xlsx_with_macros() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx()))
    entries = {name: source.read(name) for name in source.namelist()}
    entries["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macro"
    return zip_of(entries)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
HTML = b"<!doctype html><html><body><script>fetch('/cases/')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


# --- what is accepted, what is refused ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf"),
        ("Ngày 3: chủ giữ hộ chiếu. นายจ้างเก็บหนังสือเดินทาง\n".encode(), "text/plain"),
        (b"site,workers\nplant,12\nvessel,30\n", "text/csv"),
        (b"\xef\xbb\xbfsite;workers\nplant;12\n", "text/csv"),
        (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (webp(), "image/webp"),
    ],
    ids=["pdf", "text", "csv", "csv-semicolon", "xlsx", "docx", "webp"],
)
def test_accepted_types_are_recognised_from_the_bytes(data, content_type):
    checked = inspect(data, "whatever.bin")
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("statement.pdf", EXE, "named .pdf but its contents are something else"),
        ("tool.exe", EXE, "This kind of file is not accepted"),
        ("photo.png", HTML, "Web pages and SVG images are not accepted"),
        ("page.html", HTML, "Web pages and SVG images are not accepted"),
        ("logo.svg", SVG, "Web pages and SVG images are not accepted"),
        ("photo.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "named .jpg but its contents are something else"),
        ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "This kind of file is not accepted"),
        ("letter.docx", zip_of({"a.txt": b"hello"}), "named .docx but its contents are something else"),
        ("bundle.zip", zip_of({"a.txt": b"hello"}), "ZIP archives are not accepted"),
        ("budget.xlsx", xlsx_with_macros(), "macros"),
        ("report.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "scripts"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00broken", "could not be read"),
        ("huge.png", png_header_only(20_000, 20_000), "too many pixels"),
        ("wide.png", png_header_only(30_000, 10), "too many pixels"),
    ],
    ids=[
        "exe-as-pdf",
        "exe",
        "html-as-png",
        "html",
        "svg",
        "gif-as-jpg",
        "legacy-doc",
        "zip-as-docx",
        "zip",
        "macros",
        "pdf-javascript",
        "corrupt-jpeg",
        "decompression-bomb",
        "too-wide",
    ],
)
def test_refused_files_say_why_and_nothing_is_saved(private_storage, name, data, expected):
    world = build_world()
    case = open_case(world)
    actor = world.members[("cso", "caseworker")]
    before = Attachment.objects.count()
    with pytest.raises(ValidationError) as caught:
        attachment_add(actor=actor, case=case, upload=upload(name, data, "application/pdf"))
    messages = caught.value.message_dict["file"]
    assert any(expected in m for m in messages), messages
    assert Attachment.objects.count() == before
    assert stored_case_files(private_storage, case) == []
    assert not AuditEvent.objects.filter(action="attachment.added").exists()


def test_empty_and_oversized_files_are_refused(private_storage):
    world = build_world()
    case = open_case(world)
    actor = world.members[("cso", "caseworker")]
    with pytest.raises(ValidationError) as caught:
        attachment_add(actor=actor, case=case, upload=upload("notes.txt", b""))
    assert "The file is empty" in caught.value.message_dict["file"][0]
    with override_settings(ILM_ATTACHMENT_MAX_BYTES=1024), pytest.raises(ValidationError) as caught:
        attachment_add(actor=actor, case=case, upload=upload("notes.txt", b"a" * 1025))
    assert "The file is too large" in caught.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as caught:
        attachment_add(actor=actor, case=case, upload=upload("big.txt", b"a" * (10 * 1024 * 1024 + 1)))
    assert "too large: the limit is 10 MB" in caught.value.message_dict["file"][0]
    assert Attachment.objects.count() == 1  # the outsider world's own file only
    assert stored_case_files(private_storage, case) == []


def test_a_photo_comes_back_without_exif_gps_or_comments(private_storage):
    world = build_world()
    case = open_case(world)
    actor = world.members[("cso", "caseworker")]
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as source:
        assert source.getexif().get_ifd(0x8825)  # the test photo does carry a GPS position
    attachment = attachment_add(
        actor=actor, case=case, upload=upload(f"{CANARY_NAME} passport.jpg", original, "image/jpeg")
    )
    on_disk = attachment.file.read()
    assert on_disk.startswith(b"ilmf1$") and b"JFIF" not in on_disk  # encrypted at rest
    stored = attachment_open(actor=actor, attachment=attachment)[0].read()
    assert attachment.content_type == "image/jpeg"
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest() and attachment.size == len(stored)
    assert attachment.original_name == f"{CANARY_NAME} passport.jpg"
    assert b"CanaryCam" not in stored and b"shot by Zaw" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "comment" not in image.info
        assert image.size == (48, 64)  # the EXIF orientation was applied before it was dropped


def test_png_text_chunks_are_dropped():
    checked = inspect(png_with_text(), "map.png")
    assert checked.content_type == "image/png"
    assert b"Location" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.mode == "RGBA" and not image.info.get("Location")


# --- who may add ------------------------------------------------------------------------------------


def test_who_may_add_a_file():
    world = build_world()
    intake = open_case(world)
    shared = open_case(world, share=True)
    m = world.members
    text = b"evidence\n"
    attachment_add(actor=m[("cso", "caseworker")], case=intake, upload=upload("a.txt", text))
    attachment_add(actor=m[("tp", "caseworker")], case=intake, upload=upload("b.txt", text))
    attachment_add(actor=m[("supplier", "responder")], case=shared, upload=upload("c.txt", text))
    refused = [
        (m[("cso", "viewer")], shared),
        (m[("supplier", "viewer")], shared),
        (m[("supplier", "responder")], intake),  # not shared yet
        (m[("buyer", "admin")], shared),
        (m[("upstream", "admin")], shared),
        (m[("destination_agency", "responder")], shared),
        (world.outsiders["membership"][0], shared),
    ]
    for actor, case in refused:
        with pytest.raises(PermissionDenied):
            attachment_add(actor=actor, case=case, upload=upload("d.txt", text))
    with pytest.raises(ValidationError) as caught:
        attachment_add(
            actor=m[("supplier", "responder")], case=shared, upload=upload("e.txt", text), visible_to_business=True
        )
    assert "visible_to_business" in caught.value.message_dict
    assert AuditEvent.objects.filter(action="attachment.added").count() == 3


# --- who may download ---------------------------------------------------------------------------------


def _files(world):
    case = open_case(world, share=True)
    cso, supplier = world.members[("cso", "caseworker")], world.members[("supplier", "responder")]
    pdf = b"%PDF-1.4\n%%EOF\n"
    return case, {
        "cso_only": attachment_add(actor=cso, case=case, upload=upload(f"{CANARY_NAME} statement.pdf", pdf)),
        "cso_shared": attachment_add(
            actor=cso, case=case, upload=upload(f"{CANARY_NAME} payslip.pdf", pdf), visible_to_business=True
        ),
        "supplier": attachment_add(actor=supplier, case=case, upload=upload("corrective plan.pdf", pdf)),
    }


def test_only_permitted_people_download(client):
    world = build_world()
    _case, files = _files(world)
    m = world.members
    may = {
        m[("cso", "caseworker")]: {"cso_only", "cso_shared", "supplier"},
        m[("cso", "viewer")]: {"cso_only", "cso_shared", "supplier"},
        m[("tp", "viewer")]: {"cso_only", "cso_shared", "supplier"},
        m[("supplier", "viewer")]: {"cso_shared", "supplier"},
        m[("supplier", "admin")]: {"cso_shared", "supplier"},
        m[("buyer", "admin")]: {"cso_shared"},
        m[("upstream", "admin")]: set(),
        m[("destination_agency", "admin")]: set(),
        m[("origin_agency", "admin")]: set(),
        m[("government", "admin")]: set(),
        **{outsider: set() for outsider in world.outsiders["membership"]},
    }
    for membership, allowed in may.items():
        sign_in(client, membership)
        for key, attachment in files.items():
            response = client.get(f"/cases/attachments/{attachment.pk}/")
            who = f"{membership.organisation.name}/{membership.role} {key}"
            if key in allowed:
                assert response.status_code == 200, who
                assert response["Content-Disposition"].startswith("attachment;")
                assert response["X-Content-Type-Options"] == "nosniff"
                assert response["Content-Security-Policy"] == "sandbox"
                assert response["Content-Type"] == "application/pdf"
                assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
            else:
                assert response.status_code == 404, who
        client.logout()
    downloads = AuditEvent.objects.filter(action="attachment.downloaded")
    assert downloads.count() == sum(len(allowed) for allowed in may.values())
    assert set(downloads.values_list("object_id", flat=True)) == {str(a.pk) for a in files.values()}
    assert AuditEvent.objects.filter(action="access.denied", object_type="cases.attachment").exists()


def test_another_cso_does_not_see_the_files(client):
    from tests.factories import MembershipFactory, OrganisationFactory

    world = build_world()
    _case, files = _files(world)
    other = MembershipFactory(organisation=OrganisationFactory(kind="cso", countries=["TH"]), role="admin")
    sign_in(client, other)
    for attachment in files.values():
        assert client.get(f"/cases/attachments/{attachment.pk}/").status_code == 404
        with pytest.raises(PermissionDenied):
            attachment_open(actor=other, attachment=attachment)


def test_businesses_never_see_the_original_name_of_a_cso_file(client):
    world = build_world()
    case, files = _files(world)
    sign_in(client, world.members[("supplier", "viewer")])
    response = client.get(f"/cases/attachments/{files['cso_shared'].pk}/")
    assert CANARY_NAME not in response["Content-Disposition"]
    assert f"{case.reference}-{files['cso_shared'].pk}.pdf" in response["Content-Disposition"]
    page = client.get(f"/cases/{case.pk}/attachments/new/")
    assert page.status_code == 403  # a viewer may not add files
    sign_in(client, world.members[("supplier", "responder")])
    page = client.get(f"/cases/{case.pk}/attachments/new/")
    body = page.content.decode()
    assert page.status_code == 200
    assert CANARY_NAME not in body and "corrective plan.pdf" in body
    assert f"/cases/attachments/{files['cso_only'].pk}/" not in body
    assert 'name="visible_to_business"' not in body  # only the CSO decides what businesses see
    sign_in(client, world.members[("cso", "caseworker")])
    response = client.get(f"/cases/attachments/{files['cso_shared'].pk}/")
    assert "payslip.pdf" in response["Content-Disposition"]


# --- the upload page -----------------------------------------------------------------------------------


def test_upload_page_adds_a_file_and_goes_back(client, private_storage):
    world = build_world()
    case = open_case(world, share=True)
    sign_in(client, world.members[("cso", "caseworker")])
    page = client.get(f"/cases/{case.pk}/attachments/new/?next=/cases/{case.pk}/")
    assert page.status_code == 200 and 'name="visible_to_business"' in page.content.decode()
    response = client.post(
        f"/cases/{case.pk}/attachments/new/",
        {"file": upload("photo.jpg", jpeg_with_gps()), "description": "The locked gate", "next": f"/cases/{case.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    attachment = Attachment.objects.get(case=case)
    assert attachment.description == "The locked gate" and not attachment.visible_to_business
    assert AuditEvent.objects.filter(action="attachment.added", object_id=str(attachment.pk)).exists()
    # An outside address is not followed.
    response = client.post(
        f"/cases/{case.pk}/attachments/new/", {"file": upload("a.txt", b"text\n"), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/attachments/new/"


@override_settings(ILM_ATTACHMENT_MAX_BYTES=4096)
def test_upload_page_refuses_disguised_and_oversized_files_clearly(client, private_storage, monkeypatch):
    world = build_world()
    case = open_case(world, share=True)
    sign_in(client, world.members[("supplier", "responder")])
    url = f"/cases/{case.pk}/attachments/new/"
    response = client.post(url, {"file": upload("invoice.pdf", EXE, "application/pdf")})
    assert response.status_code == 400
    assert "named .pdf but its contents are something else" in response.content.decode()
    with monkeypatch.context() as patched:
        # An oversized file is dropped while the request is read: the service never sees it.
        patched.setattr("ilm.cases.attachments.attachment_add", lambda **kwargs: pytest.fail("file was kept"))
        response = client.post(url, {"file": upload("scan.pdf", b"%PDF-1.4\n" + b"0" * 8192), "description": "x"})
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    response = client.post(url, {"file": upload("empty.txt", b"")})
    assert response.status_code == 400 and "The file is empty" in response.content.decode()
    assert not Attachment.objects.filter(case=case).exists()
    assert stored_case_files(private_storage, case) == []


def test_probing_someone_elses_case_is_a_404(client):
    world = build_world()
    outsider_case = world.outsiders["case"][0]
    sign_in(client, world.members[("cso", "caseworker")])
    url = f"/cases/{outsider_case.pk}/attachments/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload("a.txt", b"text\n")}).status_code == 404
    assert not Attachment.objects.filter(case=outsider_case, organisation=world.orgs["cso"]).exists()
    assert client.get(f"/cases/attachments/{world.outsiders['attachment'][0].pk}/").status_code == 404


def test_nothing_is_written_when_the_row_cannot_be_saved(private_storage, monkeypatch):
    world = build_world()
    case = open_case(world)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr("ilm.cases.attachments.audit.record", boom)
    with pytest.raises(RuntimeError):
        attachment_add(actor=world.members[("cso", "caseworker")], case=case, upload=upload("a.txt", b"text\n"))
    assert not Attachment.objects.filter(case=case).exists()
    assert stored_case_files(private_storage, case) == []


def test_the_upload_still_needs_the_csrf_token():
    from django.test import Client

    world = build_world()
    case = open_case(world, share=True)
    client = sign_in(Client(enforce_csrf_checks=True), world.members[("cso", "caseworker")])
    response = client.post(f"/cases/{case.pk}/attachments/new/", {"file": upload("a.txt", b"text\n")})
    assert response.status_code == 403
    assert not Attachment.objects.filter(case=case).exists()


def test_files_stored_in_clear_by_earlier_versions_still_open(private_storage):
    """Before files were encrypted at rest they were written as they are: those still download."""
    world = build_world()
    case = open_case(world)
    actor = world.members[("cso", "caseworker")]
    attachment = attachment_add(actor=actor, case=case, upload=upload("note.txt", b"plain words", "text/plain"))
    with attachment.file.storage.open(attachment.file.name, "wb") as handle:
        handle.write(b"plain words")  # as an earlier version stored it
    assert attachment_open(actor=actor, attachment=attachment)[0].read() == b"plain words"
    # A sealed file only opens under the digest it was sealed with (a swapped file does not open).
    attachment_add(actor=actor, case=case, upload=upload("other.txt", b"other words", "text/plain"))
    sealed = Attachment.objects.filter(case=case).exclude(pk=attachment.pk).get()
    sealed.sha256 = "0" * 64
    from ilm.core.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        attachment_open(actor=actor, attachment=sealed)
