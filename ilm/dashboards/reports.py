"""The quarterly PDF report (issue 7): per buyer and per business, in the reader's language, made by the
task worker with progress, stored encrypted, downloaded by the membership that asked for it only.

Who may ask (`may_request_reports`, docs/indicators.md "Quarterly report"):
- every member of a buyer, supplier or recruitment agency, viewers included, for its own organisation: the
  report holds only what the member already reads on the dashboard and the impact and scores pages (the
  same role rule as `case.export`, which every role holds);
- every member of the technical partner, for any buyer, supplier or agency;
- nobody else (403); an organisation outside what the member may report on is not there (404).

What the report shows is what the *organisation reported on* reads itself (`organisation_view`), whoever
asked: the dashboard's tables for the quarter (a buyer: its chain only), response times, remediation
ratings, impact indicators 1-5 and the Ethical Performance Scores (published only). A buyer's small
reimbursed-worker counts are hidden as on its impact page. No worker identity: every number comes from the
aggregate selectors; no name, identifier or free text of a case is read.

The PDF is drawn by WeasyPrint from `dashboards/reports/pdf.html` with its own print CSS (A4, the Noto
families by name, so Thai, Burmese, Khmer and Nepali glyphs come from the installed fonts) and a URL
fetcher that refuses every URL: nothing is fetched while rendering.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ilm.core import audit, crypto
from ilm.core.permissions import Action, OrgKind, Role, can
from ilm.core.tenancy import dangerously_exists
from ilm.dashboards import panels
from ilm.dashboards import selectors as dashboard
from ilm.dashboards.models import QUARTER_RE, QuarterlyReport, ReportStatus, validate_quarter
from ilm.network.models import Organisation

REPORT_PURPOSE = "dashboards.report"
CONTENT_TYPE = "application/pdf"
REPORTED_KINDS = (OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY)


# --- who may ask, about whom -------------------------------------------------------------------------------


def may_request_reports(membership: Any) -> bool:
    if membership is None:
        return False
    return can(membership, Action.VIEW_WHOLE_NETWORK) or membership.organisation_kind in REPORTED_KINDS


def require_reporting(membership: Any) -> Any:
    """The membership, when it may ask for reports; 403 otherwise (the page, the API and `report_request`)."""
    if not may_request_reports(membership):
        raise PermissionDenied(_("Your organisation cannot make quarterly reports."))
    return membership


def reportable_organisations(*, membership: Any) -> QuerySet[Organisation]:
    """The organisations the membership may report on: itself (a buyer, supplier or agency), any buyer,
    supplier or agency (the technical partner), none otherwise."""
    queryset = Organisation.objects.filter(kind__in=REPORTED_KINDS).order_by("name", "id")
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return queryset
    if membership.organisation_kind in REPORTED_KINDS:
        return queryset.filter(pk=membership.organisation_id)
    return queryset.none()


def report_list(*, membership: Any) -> QuerySet[QuarterlyReport]:
    """A membership's own reports (like case exports: only whoever asked opens or downloads one)."""
    return QuarterlyReport.objects.filter(requested_by_id=membership.pk).select_related("organisation")


def refuse_others_report(*, membership: Any, pk: Any) -> None:
    """Called when `pk` is not among the membership's own reports (`report_list`): for everyone the 404 stands
    (not yours looks like not there), except the technical partner, which reads every organisation: it is
    told that the report exists but is not its own (403), as with case exports' pages."""
    if can(membership, Action.VIEW_WHOLE_NETWORK) and dangerously_exists(QuarterlyReport, pk=pk):
        raise PermissionDenied(_("Only the person who asked for a report can open it."))


def organisation_view(organisation: Organisation) -> Any:
    """The organisation's own view, as a viewer of it would read it: an unsaved membership that the
    selectors scope by (its organisation and kind; the viewer role holds no network-wide right). Used so a
    report the technical partner asks for shows what the buyer or business reads, not the whole network."""
    from ilm.accounts.models import Membership

    return Membership(organisation=organisation, role=Role.VIEWER)


# --- input -----------------------------------------------------------------------------------------------


def quarter_window(quarter: str, today: datetime.date | None = None) -> dashboard.Window:
    """The quarter's days ("2026-Q3" → 1 July to 30 September; a quarter under way ends today). A quarter
    not started yet, or written otherwise, is refused."""
    from ilm.indicators.models import quarter_bounds

    try:
        validate_quarter(quarter)
    except ValidationError as exc:
        raise ValidationError({"quarter": exc.messages}) from None
    match = QUARTER_RE.match(quarter)
    assert match is not None
    start, end = quarter_bounds(int(match.group(1)), int(match.group(2)))
    today = today or timezone.localdate()
    if start > today:
        raise ValidationError({"quarter": _("This quarter has not started yet.")})
    return dashboard.Window(start, min(end, today))


def clean_language(language: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError({"language": _("Choose a language from the list.")})
    return language


def current_quarter(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def previous_quarter(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if quarter == 1 else f"{today.year}-Q{quarter - 1}"


# --- the services ----------------------------------------------------------------------------------------


@transaction.atomic
def report_request(*, actor: Any, organisation: Organisation, quarter: str, language: str) -> QuarterlyReport:
    """Queue a quarterly report on `organisation` (the task worker writes it). Refused: kinds that may not
    ask (403), an organisation outside what the actor reports on (404), a bad quarter or language (400)."""
    from django.http import Http404

    from ilm.dashboards import tasks

    require_reporting(actor)
    if not reportable_organisations(membership=actor).filter(pk=organisation.pk).exists():
        raise Http404
    quarter = str(quarter or "").strip().upper()
    errors: dict[str, list[str]] = {}
    for name, check in (("quarter", lambda: quarter_window(quarter)), ("language", lambda: clean_language(language))):
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {name: exc.messages})
    if errors:
        raise ValidationError(errors)
    report = QuarterlyReport(organisation=organisation, requested_by=actor, quarter=quarter, language=language)
    report.full_clean(exclude=["file"])
    report.save()
    audit.record(
        "dashboards.report_requested",
        membership=actor,
        obj=report,
        detail={"quarter": quarter, "language": language},
    )
    transaction.on_commit(lambda: tasks.run_quarterly_report.enqueue(report.pk))
    return report


def _mark(report: QuarterlyReport, **fields: Any) -> None:
    QuarterlyReport.objects.filter(pk=report.pk).update(**fields)
    for name, value in fields.items():
        setattr(report, name, value)


def report_run(*, report_id: int) -> str:
    """Write a queued report (called by the task worker): progress in per cent, the PDF encrypted in
    private storage, then done (or failed). Returns the report's status."""
    from ilm.accounts.models import Membership

    report = QuarterlyReport.objects.select_related("requested_by__user", "organisation").get(pk=report_id)
    if report.status != ReportStatus.QUEUED:
        return str(report.status)  # already run (a task may be delivered twice)
    actor = report.requested_by
    _mark(report, status=ReportStatus.RUNNING, progress=5)
    try:
        if not Membership.objects.active().filter(pk=actor.pk).exists() or not may_request_reports(actor):
            raise PermissionDenied("membership no longer active")
        if not reportable_organisations(membership=actor).filter(pk=report.organisation_id).exists():
            raise PermissionDenied("organisation no longer reportable")
        with translation.override(report.language):
            context = report_context(organisation=report.organisation, quarter=report.quarter)
            _mark(report, progress=40)
            html = render_to_string("dashboards/reports/pdf.html", context)
            _mark(report, progress=60)
            pdf = render_pdf(html)
        _mark(report, progress=90)
        sealed = crypto.encrypt_bytes(pdf, purpose=REPORT_PURPOSE)  # encrypted at rest
        report.file.save(f"report-{report.pk}-{uuid.uuid4().hex}.pdf", ContentFile(sealed), save=False)
    except Exception:
        _mark(report, status=ReportStatus.FAILED, finished_at=timezone.now())
        audit.record("dashboards.report_failed", membership=actor, obj=report, detail={"quarter": report.quarter})
        raise
    _mark(report, status=ReportStatus.DONE, progress=100, file=report.file.name, finished_at=timezone.now())
    audit.record(
        "dashboards.report_made",
        membership=actor,
        obj=report,
        detail={"quarter": report.quarter, "language": report.language, "bytes": len(pdf)},
    )
    return str(report.status)


def report_open(*, actor: Any, report: QuarterlyReport) -> tuple[IO[bytes], str, str]:
    """The PDF of one of the actor's own reports, its type and download name. Audited."""
    if not report_list(membership=actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("Only the person who asked for a report can download it."))
    if report.status != ReportStatus.DONE or not report.file or not report.file.name:
        raise FileNotFoundError
    handle = crypto.open_stored_file(report.file.storage, report.file.name, purpose=REPORT_PURPOSE)
    audit.record(
        "dashboards.report_downloaded",
        membership=actor,
        obj=report,
        detail={"quarter": report.quarter, "language": report.language},
    )
    return handle, CONTENT_TYPE, file_name(report)


def file_name(report: QuarterlyReport) -> str:
    return f"ilm-report-{report.organisation.reference}-{report.quarter}-{report.language}.pdf"


# --- the content -----------------------------------------------------------------------------------------


@dataclass
class Section:
    """One dashboard table and its bars: (label, value, width in per cent of the largest, as text)."""

    table: dashboard.Table
    bars: list[tuple[str, float, str]]


def _bars(table: dashboard.Table) -> list[tuple[str, float, str]]:
    """The chart of a table, for the PDF: bars drawn as HTML boxes beside their labels. (The dashboard's SVG
    charts are not used here: WeasyPrint lays out SVG text one character at a time, which breaks the
    combining marks of Thai, Burmese, Khmer and Nepali; HTML text is shaped whole by Pango.)"""
    values = table.chart_values
    if not table.chart or not any(value for _label, value in values):
        return []
    top = max(value for _label, value in values) or 1
    return [(label, value, f"{100 * value / top:.1f}") for label, value in values]


def _localise_months(table: dashboard.Table, window: dashboard.Window) -> None:
    """The by-month table's "2026-07" labels as month names in the report's language."""
    from babel.dates import format_skeleton

    from ilm.core.languages import current_babel_locale

    names = {m.strftime("%Y-%m"): format_skeleton("yMMM", m, locale=current_babel_locale()) for m in window.months()}
    for row in table.rows:
        row[0] = names.get(str(row[0]), row[0])


def _sections(viewer: Any, window: dashboard.Window) -> list[Section]:
    with dashboard.shared_queries():  # the per-issue tables add up one grouped query, as on the page
        by_month = dashboard.issues_by_month(viewer, window)
        tables = [
            by_month,
            dashboard.issues_by_category(viewer, window),
            dashboard.issues_by_status(viewer, window),
            dashboard.issues_by_business(viewer, window),
            dashboard.issues_by_tier(viewer, window),
            dashboard.timeliness(viewer, window),
            dashboard.remediation_quality(viewer, window),
        ]
    _localise_months(by_month, window)
    return [Section(table, _bars(table)) for table in tables if table is not None]


def _impact(viewer: Any, organisation: Organisation, window: dashboard.Window, quarter: str) -> dict[str, Any]:
    from ilm.indicators import impact
    from ilm.indicators.models import Axis
    from ilm.indicators.selectors import axis_averages
    from ilm.recruitment.selectors import small_count

    is_buyer = organisation.kind == OrgKind.BUYER
    ids = None if is_buyer else [organisation.pk]
    averages = axis_averages(viewer, business_ids=ids, period=quarter)
    result = impact.chain_impact(membership=viewer, date_from=window.start, date_to=window.end)
    eligible: int | None = result.reimbursed.eligible
    reimbursed: int | None = result.reimbursed.reimbursed
    if is_buyer:
        eligible, reimbursed = small_count(result.reimbursed.eligible), small_count(result.reimbursed.reimbursed)
    return {
        "eps": [
            {"axis": label, "score": getattr(averages.scores, axis), "scored": averages.scored[axis]}
            for axis, label in Axis.choices
        ],
        "timely": result.resolved_in_60_days,
        "rated": result.rated_fair_or_better,
        "eligible": eligible,
        "reimbursed": reimbursed,
        "reimbursed_percent": result.reimbursed.percent if eligible is not None and reimbursed is not None else None,
        "money": [
            {
                "currency": total.currency,
                "owed": total.owed,
                "repaid_verified": total.repaid_verified,
                "unverified": total.repaid - total.repaid_verified,
                "outstanding": total.outstanding,
            }
            for total in result.repayments
        ],
    }


def _scores(viewer: Any, organisation: Organisation, window: dashboard.Window, quarter: str) -> dict[str, Any]:
    """A business: its published assessments up to the quarter, oldest first. A buyer: each business of its
    chain with its latest published assessment as of the quarter. (The dashboard's panels read the same:
    ilm/dashboards/panels.py.)"""
    if organisation.kind != OrgKind.BUYER:
        return {"history": panels.score_history(viewer, organisation.pk, window.end)}
    rows = panels.business_scores(viewer, period=quarter)
    return {"chain": [{"name": row.name, "period": row.period, "values": row.values} for row in rows]}


def report_context(*, organisation: Organisation, quarter: str, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the PDF shows, read as the organisation reads it (call under the report's language)."""
    from ilm.indicators.models import Axis
    from ilm.recruitment.selectors import SMALL_COUNT

    window = quarter_window(quarter, today=today)
    viewer = organisation_view(organisation)
    return {
        "organisation": organisation,
        "kind": organisation.get_kind_display(),
        "is_buyer": organisation.kind == OrgKind.BUYER,
        "quarter": quarter,
        "window": window,
        "generated_at": timezone.now(),
        "language": translation.get_language(),
        "sections": _sections(viewer, window),
        "impact": _impact(viewer, organisation, window, quarter),
        "scores": _scores(viewer, organisation, window, quarter),
        "axes": list(Axis.choices),
        "small": SMALL_COUNT,
    }


def _refuse_urls(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"The report fetches nothing: {url[:40]}")


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes. Every URL is refused (the template needs none: inline CSS and SVG)."""
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_refuse_urls).write_pdf()
    assert pdf is not None
    return bytes(pdf)
