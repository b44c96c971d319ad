"""Ethical Recruitment Network pages: networks (list, detail with totals, new, edit, members), broker
reports, outreach events and referrals (lists with filters, new, edit).

Every page reads through ilm/recruitment/selectors.py (not a member → 404, like a missing object) and
writes through ilm/recruitment/services.py; ilm/recruitment/permissions.py decides what is offered (403
otherwise). The broker's name shows only on a report's own page and edit form; each of those views is
recorded in the audit log (`recruitment.broker_viewed`). Lists never show it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from ilm.core.forms import call_service
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.network import selectors as network_selectors
from ilm.recruitment import forms, permissions, selectors, services
from ilm.recruitment.models import (
    BrokerReport,
    BrokerReportStatus,
    NetworkMember,
    OutreachEvent,
    RecruitmentNetwork,
    Referral,
    ReferralOutcome,
)

RECENT = 5
PAGE = 50


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied
    return membership


def _network(request: HttpRequest, pk: int) -> RecruitmentNetwork:
    network: RecruitmentNetwork = get_scoped_or_404(
        selectors.network_list(membership=_membership(request)), request, pk=pk
    )
    return network


def _status(request: HttpRequest, form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200


# --- networks ---------------------------------------------------------------------------------------------


@membership_required
def network_list_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    networks = selectors.network_list(membership=membership).order_by("-is_active", "origin_country__name", "name")
    return render(
        request,
        "recruitment/ern/network_list.html",
        {"networks": list(networks), "may_manage": permissions.may_manage_networks(membership)},
    )


@membership_required
def network_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not permissions.may_manage_networks(membership):
        raise PermissionDenied
    form = forms.NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        network = call_service(form, lambda: services.network_create(actor=membership, **form.cleaned_data))
        if network is not None:
            messages.success(request, _("Recruitment network created. Add its members next."))
            return redirect("recruitment:network_detail", pk=network.pk)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "title": _("New recruitment network"), "back": "recruitment:network_list"},
        status=_status(request, form),
    )


@scoped_to(RecruitmentNetwork)
@membership_required
def network_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    members = network.members.select_related("organisation").order_by("left_on", "-role", "organisation__name")
    return render(
        request,
        "recruitment/ern/network_detail.html",
        {
            "network": network,
            "members": list(members),
            "reports": list(network.broker_reports.select_related("reported_by")[:RECENT]),
            "events": list(network.outreach_events.select_related("organiser").prefetch_related("reach")[:RECENT]),
            "referrals": list(network.referrals.select_related("referred_by")[:RECENT]),
            "totals": selectors.network_totals(network),
            "may_manage": permissions.may_manage_networks(membership),
            "may_record": permissions.may_record_in(membership, network),
        },
    )


@scoped_to(RecruitmentNetwork)
@membership_required
def network_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    if not permissions.may_manage_networks(membership):
        raise PermissionDenied
    form = forms.NetworkForm(
        request.POST or None,
        editing=True,
        initial={"name": network.name, "description": network.description, "is_active": network.is_active},
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, lambda: services.network_update(actor=membership, network=network, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("Recruitment network saved."))
            return redirect("recruitment:network_detail", pk=network.pk)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "title": network.name, "network": network},
        status=_status(request, form),
    )


@scoped_to(RecruitmentNetwork)
@membership_required
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    if not permissions.may_manage_networks(membership):
        raise PermissionDenied
    candidates = (
        network_selectors.organisation_list(membership=membership)
        .filter(kind__in=permissions.ERN_MEMBER_KINDS, is_active=True)
        .order_by("name")
    )
    form = forms.MemberForm(request.POST or None, organisations=candidates)
    if request.method == "POST" and form.is_valid():
        member = call_service(form, lambda: services.member_add(actor=membership, network=network, **form.cleaned_data))
        if member is not None:
            messages.success(request, _("Member added."))
            return redirect("recruitment:network_detail", pk=network.pk)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "title": _("Add a member to %(network)s") % {"network": network.name}, "network": network},
        status=_status(request, form),
    )


@scoped_to(NetworkMember)
@membership_required
def member_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    member: NetworkMember = get_scoped_or_404(selectors.network_member_list(membership=membership), request, pk=pk)
    if not permissions.may_manage_networks(membership):
        raise PermissionDenied
    form = forms.MemberChangeForm(request.POST or None, initial={"role": member.role, "left_on": member.left_on})
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, lambda: services.member_change(actor=membership, member=member, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Member saved."))
            return redirect("recruitment:network_detail", pk=member.network_id)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "title": member.organisation.name, "network": member.network},
        status=_status(request, form),
    )


# --- lists with filters -----------------------------------------------------------------------------------


def _filtered(request: HttpRequest, queryset: QuerySet[Any], date_field: str) -> tuple[QuerySet[Any], Any]:
    membership = _membership(request)
    form = forms.ErnFilterForm(request.GET or None, networks=selectors.network_list(membership=membership))
    if form.is_valid():
        network = form.cleaned_data.get("network")
        queryset = selectors.filter_by_network_and_dates(
            queryset,
            date_field,
            network=network.pk if network else None,
            date_from=form.cleaned_data.get("date_from"),
            date_to=form.cleaned_data.get("date_to"),
        )
    elif form.is_bound:
        queryset = queryset.none()
    return queryset, form


@membership_required
def broker_report_list_view(request: HttpRequest) -> HttpResponse:
    queryset, form = _filtered(request, selectors.broker_report_list(membership=_membership(request)), "reported_on")
    status = request.GET.get("status", "")
    if status in BrokerReportStatus.values:
        queryset = queryset.filter(status=status)
    return render(
        request,
        "recruitment/ern/broker_report_list.html",
        {
            "reports": list(queryset[:PAGE]),
            "filter": form,
            "status": status,
            "statuses": BrokerReportStatus.choices,
            "page_size": PAGE,
        },
        status=400 if form.errors else 200,
    )


@membership_required
def outreach_event_list_view(request: HttpRequest) -> HttpResponse:
    queryset, form = _filtered(request, selectors.outreach_event_list(membership=_membership(request)), "held_on")
    return render(
        request,
        "recruitment/ern/outreach_event_list.html",
        {"events": list(queryset[:PAGE]), "filter": form, "page_size": PAGE},
        status=400 if form.errors else 200,
    )


@membership_required
def referral_list_view(request: HttpRequest) -> HttpResponse:
    queryset, form = _filtered(request, selectors.referral_list(membership=_membership(request)), "referred_on")
    outcome = request.GET.get("outcome", "")
    if outcome in ReferralOutcome.values:
        queryset = queryset.filter(outcome=outcome)
    return render(
        request,
        "recruitment/ern/referral_list.html",
        {
            "referrals": list(queryset[:PAGE]),
            "filter": form,
            "outcome": outcome,
            "outcomes": ReferralOutcome.choices,
            "page_size": PAGE,
        },
        status=400 if form.errors else 200,
    )


# --- broker reports -----------------------------------------------------------------------------------------


def _report_initial(report: BrokerReport) -> dict[str, Any]:
    return {field: getattr(report, field) for field in services.BROKER_FIELDS}


@sensitive_post_parameters("broker_name")
@scoped_to(RecruitmentNetwork)
@membership_required
def broker_report_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    if not permissions.may_record_in(membership, network):
        raise PermissionDenied
    form = forms.BrokerReportForm(request.POST or None, initial={"status": BrokerReportStatus.OPEN})
    if request.method == "POST" and form.is_valid():
        report = call_service(
            form, lambda: services.broker_report_create(actor=membership, network=network, **form.cleaned_data)
        )
        if report is not None:
            messages.success(request, _("Broker report recorded."))
            return redirect("recruitment:broker_report_detail", pk=report.pk)
    return render(
        request,
        "recruitment/ern/broker_report_form.html",
        {"form": form, "network": network, "title": _("New broker report")},
        status=_status(request, form),
    )


@scoped_to(BrokerReport)
@membership_required
def broker_report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    report: BrokerReport = get_scoped_or_404(selectors.broker_report_list(membership=membership), request, pk=pk)
    broker_name = services.broker_report_view(actor=membership, report=report, purpose="page")
    return render(
        request,
        "recruitment/ern/broker_report_detail.html",
        {
            "report": report,
            "network": report.network,
            "broker_name": broker_name,
            "may_edit": permissions.may_edit_record(membership, report.network, report.reported_by_id),
        },
    )


@sensitive_post_parameters("broker_name")
@scoped_to(BrokerReport)
@membership_required
def broker_report_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    report: BrokerReport = get_scoped_or_404(selectors.broker_report_list(membership=membership), request, pk=pk)
    if not permissions.may_edit_record(membership, report.network, report.reported_by_id):
        raise PermissionDenied
    initial = None
    if request.method != "POST":
        services.broker_report_view(actor=membership, report=report, purpose="edit")
        initial = _report_initial(report)
    form = forms.BrokerReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, lambda: services.broker_report_update(actor=membership, report=report, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("Broker report saved."))
            return redirect("recruitment:broker_report_detail", pk=report.pk)
    return render(
        request,
        "recruitment/ern/broker_report_form.html",
        {"form": form, "network": report.network, "report": report, "title": report.label},
        status=_status(request, form),
    )


# --- outreach events ----------------------------------------------------------------------------------------


@scoped_to(RecruitmentNetwork)
@membership_required
def outreach_event_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    if not permissions.may_record_in(membership, network):
        raise PermissionDenied
    form = forms.OutreachEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = call_service(
            form, lambda: services.outreach_event_create(actor=membership, network=network, **form.values())
        )
        if event is not None:
            messages.success(request, _("Outreach event recorded."))
            return redirect("recruitment:network_detail", pk=network.pk)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "network": network, "title": _("New outreach event")},
        status=_status(request, form),
    )


@scoped_to(OutreachEvent)
@membership_required
def outreach_event_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    event: OutreachEvent = get_scoped_or_404(selectors.outreach_event_list(membership=membership), request, pk=pk)
    if not permissions.may_edit_record(membership, event.network, event.organiser_id):
        raise PermissionDenied
    initial: dict[str, Any] = {f: getattr(event, f) for f in ("held_on", "place", "topic", "language", "materials")}
    initial.update({f"reached_{cell.gender}": cell.count for cell in event.reach.all()})
    form = forms.OutreachEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, lambda: services.outreach_event_update(actor=membership, event=event, **form.values())
        )
        if saved is not None:
            messages.success(request, _("Outreach event saved."))
            return redirect("recruitment:outreach_event_list")
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "network": event.network, "title": event.topic},
        status=_status(request, form),
    )


# --- referrals ----------------------------------------------------------------------------------------------


@scoped_to(RecruitmentNetwork)
@membership_required
def referral_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    network = _network(request, pk)
    if not permissions.may_record_in(membership, network):
        raise PermissionDenied
    workers = selectors.referral_workers(membership=membership) if membership.organisation_kind == "cso" else None
    form = forms.ReferralForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        referral = call_service(
            form, lambda: services.referral_create(actor=membership, network=network, **form.cleaned_data)
        )
        if referral is not None:
            messages.success(request, _("Referral recorded."))
            return redirect("recruitment:network_detail", pk=network.pk)
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "network": network, "title": _("New referral")},
        status=_status(request, form),
    )


@scoped_to(Referral)
@membership_required
def referral_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    referral: Referral = get_scoped_or_404(selectors.referral_list(membership=membership), request, pk=pk)
    if not permissions.may_edit_record(membership, referral.network, referral.referred_by_id):
        raise PermissionDenied
    own_cso = membership.organisation_kind == "cso" and membership.organisation_id == referral.referred_by_id
    workers = selectors.referral_workers(membership=membership) if own_cso else None
    initial = {
        f: getattr(referral, f) for f in ("service", "service_name", "referred_on", "outcome", "outcome_note", "worker")
    }
    form = forms.ReferralForm(request.POST or None, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("worker", referral.worker)  # the technical partner keeps the CSO's link as it is
        saved = call_service(form, lambda: services.referral_update(actor=membership, referral=referral, **data))
        if saved is not None:
            messages.success(request, _("Referral saved."))
            return redirect("recruitment:referral_list")
    return render(
        request,
        "recruitment/ern/form.html",
        {"form": form, "network": referral.network, "title": referral.get_service_display()},
        status=_status(request, form),
    )
