"""Quarterly PDF report pages (URL names in the `dashboards` namespace):

- `reports` (`dashboard/reports/`): the acting membership's reports and the "new report" form (quarter,
  language; the technical partner also picks the buyer or business);
- `report_detail` (`dashboard/reports/<pk>/`): its status and progress, polled by htmx while the task runs;
- `report_download` (`dashboard/reports/<pk>/download/`): the PDF, for the membership that asked only.

A report of someone else is not there (404); the technical partner is told it exists but is not theirs (403),
as with case exports. The rules and the content are in `reports.py`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ilm.core.forms import add_service_errors
from ilm.core.languages import language_choices
from ilm.core.permissions import Action, can
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.core.uploads import protected_file_response
from ilm.dashboards import reports
from ilm.dashboards.models import QuarterlyReport, ReportStatus

RECENT_REPORTS = 20


class ReportForm(forms.Form):
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    quarter = forms.CharField(
        label=gettext_lazy("Quarter"),
        max_length=16,
        help_text=gettext_lazy("The calendar quarter, e.g. 2026-Q1."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"))

    def __init__(self, *args: Any, organisations: list[tuple[int, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = language_choices()
        if organisations is None:
            del self.fields["organisation"]
        else:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = organisations


def _reporting_membership(request: HttpRequest) -> Any:
    return reports.require_reporting(getattr(request, "membership", None))


def _organisation_choices(membership: Any) -> list[tuple[int, str]] | None:
    """The technical partner picks the buyer or business; everyone else reports on its own organisation."""
    if not can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    return list(reports.reportable_organisations(membership=membership).values_list("pk", "name"))


@membership_required
def reports_view(request: HttpRequest) -> HttpResponse:
    membership = _reporting_membership(request)
    choices = _organisation_choices(membership)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, organisations=choices)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            chosen = data.get("organisation", membership.organisation_id)
            organisation = reports.reportable_organisations(membership=membership).filter(pk=chosen).first()
            if organisation is None:
                raise Http404
            try:
                report = reports.report_request(
                    actor=membership, organisation=organisation, quarter=data["quarter"], language=data["language"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.info(request, _("Your report is being prepared. This page shows its progress."))
                return redirect("dashboards:report_detail", pk=report.pk)
    else:
        form = ReportForm(
            initial={
                "quarter": reports.previous_quarter(),
                "language": translation.get_language(),
                "organisation": membership.organisation_id,
            },
            organisations=choices,
        )
    context = {
        "form": form,
        "organisation": membership.organisation,
        "reports": reports.report_list(membership=membership)[:RECENT_REPORTS],
    }
    return render(request, "dashboards/reports/list.html", context, status=status)


def _own_report(request: HttpRequest, pk: int) -> QuarterlyReport:
    membership = request.membership  # type: ignore[attr-defined]
    try:
        report: QuarterlyReport = get_scoped_or_404(reports.report_list(membership=membership), request, pk=pk)
    except Http404:
        reports.refuse_others_report(membership=membership, pk=pk)
        raise
    return report


@scoped_to(QuarterlyReport)
@require_GET
@membership_required
def report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _own_report(request, pk)
    context = {
        "report": report,
        "running": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        "done": report.status == ReportStatus.DONE,
        "failed": report.status == ReportStatus.FAILED,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "dashboards/reports/status.html", context)
    return render(request, "dashboards/reports/detail.html", context)


@scoped_to(QuarterlyReport)
@require_GET
@membership_required
def report_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = request.membership  # type: ignore[attr-defined]
    report = _own_report(request, pk)
    if report.status != ReportStatus.DONE or not report.file:
        messages.info(request, _("This report is not ready yet."))
        return redirect("dashboards:report_detail", pk=report.pk)
    try:
        handle, content_type, name = reports.report_open(actor=membership, report=report)
    except FileNotFoundError:
        raise Http404 from None
    return protected_file_response(handle, content_type, name)
