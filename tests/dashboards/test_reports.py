"""The quarterly PDF report: made by the task worker with progress, in the chosen language with real glyphs
(Thai for a buyer, Burmese for a supplier: the PDF's text is extracted with pdftotext, which works only when
the fonts are embedded, and its pages drawn to PNG with pdftoppm), naming no worker, scoped as the dashboard
(the organisation's own view, whoever asks), downloadable by whoever asked only, every write and download
audited, bad input refused with nothing saved. Two PDFs in the whole file (about 1-3 s each)."""

from __future__ import annotations

import shutil
import subprocess
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from ilm.core.models import AuditEvent
from ilm.dashboards import reports
from ilm.dashboards.models import QuarterlyReport, ReportStatus
from tests.cases.helpers import CANARY_NAME, CANARY_PASSPORT, canary_worker, open_case, validate_and_close
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

# poppler-utils (scripts/system-deps installs it): absolute paths, so no PATH lookup decides what runs.
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"

SECRETS = [CANARY_NAME, "Zaw", CANARY_PASSPORT, "Caller", "night shift", "says the passport is back"]


@pytest.fixture
def world():
    world = build_world()
    worker = canary_worker(world)
    open_case(world, worker=worker)  # not shared: no business reads it
    open_case(world, worker=worker, share=True)
    validate_and_close(world, open_case(world, worker=worker, share=True), worker)
    return world


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text, twice: in content order (`-raw`, for the headings: `-layout` puts Thai tone marks
    stacked over a vowel on a line of their own, splitting the word, though the page shows it right) and as
    laid out (`-layout`). Either works only if the fonts are embedded with their character maps."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    texts = []
    for mode in ("-raw", "-layout"):
        done = subprocess.run([PDFTOTEXT, mode, str(path), "-"], capture_output=True, check=True)  # noqa: S603
        texts.append(done.stdout.decode("utf-8"))
    return "\n".join(texts)


def pdf_pages_as_png(pdf: bytes, tmp_path: Path) -> list[Path]:
    """Pages 1 and 2 at 60 dpi; each must exist and hold ink (not a blank page)."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    command = [PDFTOPPM, "-r", "60", "-png", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")]
    subprocess.run(command, check=True)  # noqa: S603
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            assert grey.size[0] > 400 and grey.size[1] > 600  # A4 at 60 dpi: 496 x 702
            dark = sum(1 for value in grey.get_flattened_data() if value < 128)
            assert dark > 500, f"{page.name} looks blank"
    return pages


def myanmar_letters(text: str) -> str:
    """The Myanmar consonants and independent vowels of a text, in order (no signs, medials or spaces)."""
    return "".join(ch for ch in text if "\u1000" <= ch <= "\u102a" or ch == "\u103f")


def translated(language: str, *texts: str) -> list[str]:
    with translation.override(language):
        return [gettext(text) for text in texts]


def test_a_buyer_report_in_thai_is_made_by_the_task_with_progress_and_downloads_for_its_owner_only(
    world, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    owner = world.members[("buyer", "viewer")]  # viewers may: the report holds what they already read
    client = sign_in(Client(), owner)
    assert client.get("/dashboard/").content.decode().count("/dashboard/reports/") == 1
    page = client.get("/dashboard/reports/")
    assert page.status_code == 200 and 'name="quarter"' in page.content.decode()
    assert 'name="organisation"' not in page.content.decode()  # a buyer reports on itself

    seen: list[tuple[str, int]] = []
    real_mark = reports._mark

    def spy(report: QuarterlyReport, **fields: Any) -> None:
        real_mark(report, **fields)
        seen.append((str(report.status), report.progress))

    monkeypatch.setattr(reports, "_mark", spy)
    quarter = reports.current_quarter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/reports/", {"quarter": quarter.lower(), "language": "th"})
        report = QuarterlyReport.objects.get(requested_by=owner)
        assert response.status_code == 302 and response["Location"] == f"/dashboard/reports/{report.pk}/"
        assert report.status == ReportStatus.QUEUED and report.progress == 0
        assert report.quarter == quarter and report.organisation == world.orgs["buyer"]
        waiting = client.get(f"/dashboard/reports/{report.pk}/").content.decode()
        assert 'hx-trigger="every 2s"' in waiting
        assert client.get(f"/dashboard/reports/{report.pk}/download/").status_code == 302  # not ready yet

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.progress == 100 and report.finished_at
    assert seen[0][0] == "running" and seen[-1] == ("done", 100)
    assert [progress for _status, progress in seen] == sorted(progress for _status, progress in seen)
    assert report.file.read().startswith(b"ilmf1$")  # encrypted at rest

    fragment = client.get(f"/dashboard/reports/{report.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="report-status"') and "hx-trigger" not in fragment
    download = client.get(f"/dashboard/reports/{report.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Security-Policy"] == "sandbox"
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")

    text = pdf_text(pdf, tmp_path)
    for heading in translated("th", "Issues reported per month", "Response times", "Impact indicators"):
        assert heading in text, heading
    assert "Home buyer" in text and "Home supplier" in text  # the chain's business, by name
    for secret in SECRETS + world.outsider_names():
        assert secret not in text, secret
    pdf_pages_as_png(pdf, tmp_path)

    # Nobody else opens it: not a colleague, not the supplier, not an outsider; the partner is told it is not
    # theirs.
    for other in (
        world.members[("buyer", "admin")],
        world.members[("supplier", "admin")],
        *world.outsiders["membership"],
    ):
        stranger = sign_in(Client(), other)
        assert stranger.get(f"/dashboard/reports/{report.pk}/download/").status_code == 404
        assert stranger.get(f"/dashboard/reports/{report.pk}/").status_code == 404
    partner = sign_in(Client(), world.members[("tp", "admin")])
    assert partner.get(f"/dashboard/reports/{report.pk}/download/").status_code == 403

    actions = list(AuditEvent.objects.filter(object_id=str(report.pk), object_type="dashboards.quarterlyreport"))
    by_action = {event.action: event for event in actions}
    assert by_action["dashboards.report_requested"].detail == {"quarter": quarter, "language": "th"}
    assert by_action["dashboards.report_made"].detail["quarter"] == quarter
    assert by_action["dashboards.report_downloaded"].membership_id == owner.pk
    assert by_action["dashboards.report_requested"].target_organisation_id == world.orgs["buyer"].pk
    assert "access.denied" in by_action


def test_a_supplier_report_in_burmese_shows_its_scores_and_no_worker(world, tmp_path):
    from tests.indicators.test_eps_scores import assess

    assess(world, "supplier", "2026-Q3")
    owner = world.members[("supplier", "responder")]
    report = reports.report_request(
        actor=owner, organisation=world.orgs["supplier"], quarter=reports.current_quarter(), language="my"
    )
    assert reports.report_run(report_id=report.pk) == ReportStatus.DONE
    assert reports.report_run(report_id=report.pk) == ReportStatus.DONE  # a second delivery does nothing
    report.refresh_from_db()
    handle, content_type, name = reports.report_open(actor=owner, report=report)
    assert content_type == "application/pdf" and name.endswith("-my.pdf")
    pdf = handle.read()

    text = pdf_text(pdf, tmp_path)
    # Burmese draws some vowel signs and medials before their consonant; pdftotext cannot put them back in
    # logical order (the page is right: see the PNG), so headings are compared on their letters in order.
    lines = [myanmar_letters(line) for line in text.splitlines()]
    for heading in translated("my", "Issues reported per month", "Response times", "Ethical Performance Scores"):
        assert len(myanmar_letters(heading)) >= 6
        assert any(myanmar_letters(heading) in line for line in lines), heading
    for word in translated("my", "Quarter", "Category"):  # these come out whole
        assert word in text, word
    assert "2026-Q3" in text  # the score history
    assert "Home supplier" in text
    for secret in SECRETS + world.outsider_names():
        assert secret not in text, secret
    pdf_pages_as_png(pdf, tmp_path)
    assert AuditEvent.objects.filter(action="dashboards.report_downloaded", object_id=str(report.pk)).exists()


def test_the_partner_reports_on_a_buyer_as_the_buyer_reads_it(world):
    """The technical partner asks; the content is the buyer's own view (its chain), not the whole network.
    Checked on the HTML (no PDF drawn)."""
    partner = world.members[("tp", "admin")]
    client = sign_in(Client(), partner)
    page = client.get("/dashboard/reports/").content.decode()
    assert 'name="organisation"' in page and "Outsider Buyer Inc" in page  # any buyer or business
    assert "Home cso" not in page  # not a CSO
    quarter = reports.current_quarter()
    report = reports.report_request(actor=partner, organisation=world.orgs["buyer"], quarter=quarter, language="en")
    assert report.requested_by == partner
    with translation.override("en"):
        context = reports.report_context(organisation=world.orgs["buyer"], quarter=quarter)
        html = render_to_string("dashboards/reports/pdf.html", context)
    issues = {section.table.name: section.table for section in context["sections"]}
    assert sum(row[1] for row in issues["issues_by_month"].rows) == 2  # the two shared cases, not the outsider's
    assert "issues_by_tier" in issues and "issues_by_business" in issues
    assert "Confidential: no worker is named" in html
    assert "Outsider" not in html and CANARY_NAME not in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"quarter": "2026-Q5", "language": "th"}, "quarter", "Enter a calendar quarter, e.g. 2026-Q1."),
        ({"quarter": "2099-Q1", "language": "th"}, "quarter", "This quarter has not started yet."),
        ({"quarter": "2026-Q1", "language": "fr"}, "language", None),
    ],
)
def test_bad_input_is_a_clear_translated_error_and_nothing_is_saved(world, data, field, message):
    owner = world.members[("supplier", "admin")]
    client = sign_in(Client(), owner)
    response = client.post("/dashboard/reports/", data, headers={"Accept-Language": "th"})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    if message:
        assert translated("th", message)[0] in response.content.decode()
    assert not QuarterlyReport.objects.filter(requested_by=owner).exists()
    with pytest.raises(ValidationError) as caught:
        reports.report_request(actor=owner, organisation=world.orgs["supplier"], **data)
    assert field in caught.value.message_dict
    assert not QuarterlyReport.objects.filter(requested_by=owner).exists()
    assert not AuditEvent.objects.filter(action="dashboards.report_requested").exists()


def test_who_may_ask_and_about_whom(world):
    for key in (("cso", "admin"), ("government", "admin"), ("academic", "viewer")):
        assert sign_in(Client(), world.members[key]).get("/dashboard/reports/").status_code == 403, key
        with pytest.raises(PermissionDenied):
            reports.report_request(
                actor=world.members[key], organisation=world.orgs["buyer"], quarter="2026-Q1", language="en"
            )
    for key in (("supplier", "viewer"), ("destination_agency", "responder"), ("buyer", "admin")):
        assert sign_in(Client(), world.members[key]).get("/dashboard/reports/").status_code == 200, key
    supplier = world.members[("supplier", "admin")]
    outsider_buyer = next(o for o in world.outsiders["organisation"] if o.kind == "buyer")
    for organisation in (world.orgs["buyer"], outsider_buyer):  # its own organisation only, even its buyer
        with pytest.raises(Http404):
            reports.report_request(actor=supplier, organisation=organisation, quarter="2026-Q1", language="en")
    # The partner's form cannot name a CSO (not a choice): 400, nothing saved.
    partner = sign_in(Client(), world.members[("tp", "admin")])
    response = partner.post(
        "/dashboard/reports/", {"organisation": world.orgs["cso"].pk, "quarter": "2026-Q1", "language": "en"}
    )
    assert response.status_code == 400
    assert not QuarterlyReport.objects.filter(organisation=world.orgs["cso"]).exists()


def test_a_report_whose_owner_lost_access_fails_and_is_audited(world):
    owner = world.members[("supplier", "viewer")]
    report = reports.report_request(actor=owner, organisation=world.orgs["supplier"], quarter="2026-Q1", language="en")
    owner.user.is_active = False
    owner.user.save()
    with pytest.raises(PermissionDenied, match="no longer active"):
        reports.report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.file
    assert AuditEvent.objects.filter(action="dashboards.report_failed", object_id=str(report.pk)).exists()


PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"
SCRIPTS = {
    # language: (the script's font, its letters: consonants and independent vowels, no signs)
    "km": ("Noto-Sans-Khmer", lambda text: "".join(ch for ch in text if "\u1780" <= ch <= "\u17b3")),
    "ne": ("Noto-Sans-Devanagari", lambda text: "".join(ch for ch in text if "\u0904" <= ch <= "\u0939")),
}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_a_report_in_khmer_or_nepali_is_drawn_in_its_own_script(world, tmp_path, language):
    """Khmer and Nepali, like Thai and Burmese, need their Noto font: it must be embedded (with the character
    map that lets text be copied), the headings must come out in their letters, and the pages must hold ink."""
    font, letters = SCRIPTS[language]
    owner = world.members[("buyer", "admin")]
    report = reports.report_request(
        actor=owner, organisation=world.orgs["buyer"], quarter=reports.current_quarter(), language=language
    )
    assert reports.report_run(report_id=report.pk) == ReportStatus.DONE
    report.refresh_from_db()
    handle, _content_type, name = reports.report_open(actor=owner, report=report)
    assert name.endswith(f"-{language}.pdf")
    pdf = handle.read()

    (tmp_path / "fonts.pdf").write_bytes(pdf)
    fonts = subprocess.run([PDFFONTS, str(tmp_path / "fonts.pdf")], capture_output=True, check=True)  # noqa: S603
    lines = [line for line in fonts.stdout.decode().splitlines() if font in line]
    assert lines, f"{font} is not in the PDF:\n{fonts.stdout.decode()}"
    assert all(" yes yes " in line for line in lines), lines  # embedded (a subset), with a ToUnicode map

    text = pdf_text(pdf, tmp_path)
    # pdftotext cannot undo these scripts' shaping (a Khmer subscript or a Devanagari i-sign comes out apart
    # or out of order, a ligature's letter may be lost; the page itself is right, see the PNG), so a heading
    # counts as there when nearly all its letters come out, in order, within three lines of the text.
    lines = [letters(line) for line in text.splitlines()]
    windows = ["".join(lines[i : i + 3]) for i in range(len(lines))]
    for heading in translated(language, "Issues reported per month", "Response times"):
        wanted = letters(heading)
        assert len(wanted) >= 4, heading  # really translated into the script
        found = max(
            sum(block.size for block in SequenceMatcher(None, wanted, window, autojunk=False).get_matching_blocks())
            for window in windows
        )
        assert found >= 0.8 * len(wanted), (heading, found, len(wanted))
    for secret in SECRETS + world.outsider_names():
        assert secret not in text, secret
    pdf_pages_as_png(pdf, tmp_path)
