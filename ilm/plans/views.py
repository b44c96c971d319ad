"""Action-plan pages: the activity catalogue, Country and Business Action Plans (rows edited inline with
htmx, check-ins, the plan as of a date, exports) and each business's baseline.

Every page reads through ilm/plans/selectors.py (not yours → 404) and writes through
ilm/plans/services.py; `may_*` from ilm/plans/permissions.py decides what is offered (403 otherwise).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ilm.core.errors import Conflict
from ilm.core.forms import call_service, form_status
from ilm.core.permissions import Action, can
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, membership_required, scoped_to
from ilm.network.models import Organisation
from ilm.plans import exports, forms, selectors, services
from ilm.plans.catalogue import TYPE_NAMES
from ilm.plans.models import (
    Baseline,
    BusinessActionPlan,
    CountryActionPlan,
    FocalPoint,
    Plan,
    PlanKind,
    PlanRow,
)
from ilm.plans.permissions import (
    may_create_business_plan,
    may_create_country_plan,
    may_edit_business,
    may_edit_plan,
)

KIND_MODELS: dict[str, type[Plan]] = {PlanKind.COUNTRY: CountryActionPlan, PlanKind.BUSINESS: BusinessActionPlan}


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organisation yet."))
    return membership


def _plans(kind: str, membership: Any) -> QuerySet[Plan]:
    if kind == PlanKind.COUNTRY:
        return selectors.country_plan_list(membership=membership)
    return selectors.business_plan_list(membership=membership)


def _plan_or_404(request: HttpRequest, kind: str, pk: int) -> Plan:
    plan: Plan = get_scoped_or_404(_plans(kind, _membership(request)), request, pk=pk)
    return plan


def _plan_url(plan: Plan) -> str:
    name = "plans:country_plan_detail" if plan.kind == PlanKind.COUNTRY else "plans:business_plan_detail"
    return reverse(name, args=[plan.pk])


def for_each_kind(view: Callable[..., HttpResponse]) -> dict[str, Callable[..., HttpResponse]]:
    """One view per kind of plan, each declaring its model for the tenancy matrix."""
    views = {}
    for kind, model in KIND_MODELS.items():

        def bound(request: HttpRequest, pk: int, _kind: str = kind, **kwargs: Any) -> HttpResponse:
            return view(request, pk, kind=_kind, **kwargs)

        views[kind] = scoped_to(model)(functools.update_wrapper(bound, view))
    return views


def _run(form: Any, write: Callable[[dict[str, Any]], Any]) -> Any:
    """Call the service with the form's data; put its refusals on the form. Returns the result or None."""
    return call_service(form, lambda: write(dict(form.cleaned_data)))


def _form_page(request: HttpRequest, form: Any, title: str, *, back: str, status: int | None = None) -> HttpResponse:
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": title, "back": back},
        status=status if status is not None else form_status(form),
    )


# --- index and catalogue ---------------------------------------------------------------------------


@membership_required
def index_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if can(membership, Action.BROWSE_COUNTRY_PLANS):
        return redirect("plans:country_plan_list")
    return redirect("plans:business_plan_list")


@membership_required
def activity_list_view(request: HttpRequest) -> HttpResponse:
    activities = list(selectors.activity_list())
    areas: dict[int, list[Any]] = {}
    for activity in activities:
        areas.setdefault(activity.area, []).append(activity)
    return render(
        request,
        "plans/activity_list.html",
        {
            "areas": [(items[0].area_abbreviation, items[0].area_name, items) for items in areas.values()],
            "types": [_(name) for name in TYPE_NAMES.values()],
        },
    )


# --- plan lists ------------------------------------------------------------------------------------


class CountryPlanListView(ScopedPageMixin, ListView):
    model = CountryActionPlan
    scope_selector = selectors.country_plan_list
    template_name = "plans/plan_list.html"
    paginate_by = 50

    def safely_get_queryset(self, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
        self.filter_form = forms.CountryPlanFilterForm(self.request.GET or None)
        self.search = None
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["country"]:
                queryset = queryset.filter(country=data["country"])
            if data["year"]:
                queryset = queryset.filter(year=data["year"])
            self.search = self.filter_form.search()
        return queryset.annotate(row_count=Count("rows")).order_by("-year", "country__name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context.update(
            kind=PlanKind.COUNTRY,
            filter_form=self.filter_form,
            may_create=may_create_country_plan(membership),
            matching_rows=None,
        )
        if self.search is not None and not self.filter_form.errors:
            rows = selectors.search_rows(selectors.plan_row_list(membership=membership), self.search)
            context["matching_rows"] = list(
                rows.filter(plan__kind=PlanKind.COUNTRY).order_by("-plan__year", "plan__country__name", "position")[
                    :100
                ]
            )
        return context


class BusinessPlanListView(ScopedPageMixin, ListView):
    model = BusinessActionPlan
    scope_selector = selectors.business_plan_list
    template_name = "plans/plan_list.html"
    paginate_by = 50

    def safely_get_queryset(self, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
        self.filter_form = forms.BusinessPlanFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["year"]:
                queryset = queryset.filter(year=data["year"])
            if data["q"]:
                queryset = queryset.filter(organisation__name__icontains=data["q"])
        return queryset.annotate(row_count=Count("rows")).order_by("-year", "organisation__name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            kind=PlanKind.BUSINESS,
            filter_form=self.filter_form,
            may_create=may_create_business_plan(self.request.membership),
        )
        return context


@membership_required
def plan_create_view(request: HttpRequest, kind: str) -> HttpResponse:
    membership = _membership(request)
    if kind == PlanKind.COUNTRY:
        if not may_create_country_plan(membership):
            raise PermissionDenied
        form: Any = forms.CountryPlanForm(request.POST or None, membership=membership)
        title, back = _("New Country Action Plan"), reverse("plans:country_plan_list")
    else:
        if not may_create_business_plan(membership):
            raise PermissionDenied
        form = forms.BusinessPlanForm(request.POST or None, membership=membership)
        title, back = _("New Business Action Plan"), reverse("plans:business_plan_list")
    if request.method == "POST" and form.is_valid():
        plan = _run(form, lambda data: services.plan_create(actor=membership, kind=kind, **data))
        if plan is not None:
            messages.success(request, _("Plan created. Add its rows below."))
            return redirect(_plan_url(plan))
    return _form_page(request, form, title, back=back)


# --- a plan ----------------------------------------------------------------------------------------


def _plan_detail(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    membership = _membership(request)
    plan = _plan_or_404(request, kind, pk)
    may_edit = may_edit_plan(membership, plan)
    as_of_form = forms.AsOfForm(request.GET if "as_of" in request.GET else None)
    as_of = as_of_form.cleaned_data["as_of"] if as_of_form.is_valid() else None
    context: dict[str, Any] = {
        "plan": plan,
        "kind": kind,
        "may_edit": may_edit and as_of is None,
        "as_of_form": as_of_form,
        "as_of": as_of,
        # As of a date: the check-ins held by then, like the rows.
        "checkins": list(
            plan.checkins.filter(**({"held_on__lte": as_of} if as_of is not None else {}))
            .select_related("recorded_by__organisation")
            .order_by("-held_on", "-id")
        ),
        "baseline_url": reverse("plans:baseline", args=[plan.organisation_id]) if plan.organisation_id else None,
    }
    if as_of is not None:
        context["snapshot"] = selectors.plan_as_of(plan, as_of)
    else:
        context["rows"] = list(selectors.plan_rows(plan))
    if context["may_edit"]:
        context["row_form"] = forms.RowForm(membership=membership)
        context["status_form"] = forms.PlanStatusForm(
            initial={"planning_status": plan.planning_status, "version": plan.version}
        )
        context["checkin_form"] = forms.CheckInForm()
    return render(request, "plans/plan_detail.html", context)


plan_detail_views = for_each_kind(_plan_detail)


@require_POST
def _plan_status(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    membership = _membership(request)
    plan = _plan_or_404(request, kind, pk)
    if not may_edit_plan(membership, plan):
        raise PermissionDenied
    form = forms.PlanStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = _run(
            form,
            lambda _data: services.plan_update(
                actor=membership, plan=plan, planning_status=data["planning_status"], expected_version=data["version"]
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(_plan_url(plan))
    return _form_page(request, form, str(plan), back=_plan_url(plan))


plan_status_views = for_each_kind(_plan_status)


def _row_add(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    membership = _membership(request)
    plan = _plan_or_404(request, kind, pk)
    if not may_edit_plan(membership, plan):
        raise PermissionDenied
    form = forms.RowForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        row = _run(form, lambda data: services.plan_row_add(actor=membership, plan=plan, **_row_data(data)))
        if row is not None:
            messages.success(request, _("Row added."))
            return redirect(f"{_plan_url(plan)}#row-{row.pk}")
    return _form_page(request, form, _("Add a row to %(plan)s") % {"plan": plan}, back=_plan_url(plan))


row_add_views = for_each_kind(_row_add)


def _row_data(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("version", None)
    return data


def _checkin_add(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    membership = _membership(request)
    plan = _plan_or_404(request, kind, pk)
    if not may_edit_plan(membership, plan):
        raise PermissionDenied
    form = forms.CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checkin = _run(form, lambda data: services.plan_checkin_record(actor=membership, plan=plan, **data))
        if checkin is not None:
            messages.success(request, _("Check-in recorded."))
            return redirect(f"{_plan_url(plan)}#checkins")
    return _form_page(request, form, _("Check-in on %(plan)s") % {"plan": plan}, back=_plan_url(plan))


checkin_add_views = for_each_kind(_checkin_add)


def _plan_export(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    membership = _membership(request)
    plan = _plan_or_404(request, kind, pk)
    fmt = request.GET.get("format", "csv")
    try:
        result = exports.export_plan(actor=membership, plan=plan, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_plan_url(plan))
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


plan_export_views = for_each_kind(_plan_export)


# --- rows (inline with htmx) -------------------------------------------------------------------------


def _row_or_404(request: HttpRequest, pk: int) -> PlanRow:
    row: PlanRow = get_scoped_or_404(selectors.plan_row_list(membership=_membership(request)), request, pk=pk)
    return row


@scoped_to(PlanRow)
def row_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a row: inline (htmx swaps the table row for the form and back), or as a page without script.
    Someone else's save in between: the form stays, with a clear message (409 on the page)."""
    membership = _membership(request)
    row = _row_or_404(request, pk)
    plan = row.plan
    if not may_edit_plan(membership, plan):
        raise PermissionDenied
    current = list(row.organisations.all())
    initial = {
        "activities": row.activity_display,
        "description": row.description,
        "organisations": current,
        "other_partners": row.other_partners,
        "remarks": row.remarks,
        "status": row.status,
        "due_quarter": row.due_quarter,
        "version": row.version,
    }
    form = forms.RowForm(request.POST or None, initial=initial, membership=membership, current=current)
    inline = bool(getattr(request, "htmx", False))
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda data: services.plan_row_update(
                actor=membership, row=row, expected_version=data.pop("version"), **data
            ),
        )
        if saved is not None:
            if inline:
                fresh = selectors.plan_rows(plan).get(pk=row.pk)
                return render(request, "plans/_row.html", {"row": fresh, "plan": plan, "may_edit": True})
            messages.success(request, _("Saved."))
            return redirect(f"{_plan_url(plan)}#row-{row.pk}")
    if inline:
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        return render(request, "plans/_row_form.html", {"form": form, "row": row, "plan": plan})
    return _form_page(request, form, _("Row of %(plan)s") % {"plan": plan}, back=_plan_url(plan))


@scoped_to(PlanRow)
def row_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One row as a table row (what "Cancel" in the inline form swaps back in)."""
    membership = _membership(request)
    row = _row_or_404(request, pk)
    fresh = selectors.plan_rows(row.plan).get(pk=row.pk)
    return render(
        request, "plans/_row.html", {"row": fresh, "plan": row.plan, "may_edit": may_edit_plan(membership, row.plan)}
    )


@scoped_to(PlanRow)
@require_POST
def row_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    row = _row_or_404(request, pk)
    plan = row.plan
    version = request.POST.get("version", "")
    try:
        services.plan_row_delete(
            actor=membership, row=row, expected_version=int(version) if version.isdigit() else None
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return redirect(_plan_url(plan))
    except PermissionDenied:
        raise
    messages.success(request, _("Row deleted. The plan as of an earlier date still shows it."))
    return redirect(_plan_url(plan))


# --- baselines -------------------------------------------------------------------------------------


def _business_or_404(request: HttpRequest, pk: int) -> Organisation:
    organisation: Organisation = get_scoped_or_404(
        selectors.baseline_business_list(membership=_membership(request)), request, pk=pk
    )
    return organisation


@scoped_to(Organisation)
def baseline_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation = _business_or_404(request, pk)
    baseline = selectors.baseline_list(membership=membership).filter(organisation=organisation).first()
    plans = selectors.business_plan_list(membership=membership).filter(organisation=organisation).order_by("-year")
    return render(
        request,
        "plans/baseline.html",
        {
            "organisation": organisation,
            "baseline": baseline,
            "focal_points": list(baseline.focal_points.all()) if baseline else [],
            "documents": list(baseline.documents.all()) if baseline else [],
            "plans": list(plans),
            "may_edit": may_edit_business(membership, organisation),
        },
    )


@scoped_to(Organisation)
def baseline_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation = _business_or_404(request, pk)
    if not may_edit_business(membership, organisation):
        raise PermissionDenied
    baseline = Baseline.objects.filter(organisation=organisation).first()
    initial: dict[str, Any] = {"version": baseline.version if baseline else None}
    if baseline is not None:
        for name in services.BASELINE_FIELDS:
            initial[name] = getattr(baseline, name)
        initial["policy_links"] = "\n".join(baseline.policy_links)
    form = forms.BaselineForm(request.POST or None, initial=initial)
    back = reverse("plans:baseline", args=[organisation.pk])
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda data: services.baseline_update(
                actor=membership, organisation=organisation, expected_version=data.pop("version"), **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Baseline saved."))
            return redirect(back)
    return _form_page(request, form, _("Baseline of %(business)s") % {"business": organisation.name}, back=back)


@scoped_to(Organisation)
def focal_point_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation = _business_or_404(request, pk)
    if not may_edit_business(membership, organisation):
        raise PermissionDenied
    form = forms.FocalPointForm(request.POST or None)
    back = reverse("plans:baseline", args=[organisation.pk])
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda data: services.focal_point_save(actor=membership, organisation=organisation, **_row_data(data)),
        )
        if saved is not None:
            messages.success(request, _("Focal point added."))
            return redirect(back)
    return _form_page(request, form, _("New focal point"), back=back)


def _focal_point_or_404(request: HttpRequest, pk: int) -> FocalPoint:
    point: FocalPoint = get_scoped_or_404(selectors.focal_point_list(membership=_membership(request)), request, pk=pk)
    return point


@scoped_to(FocalPoint)
def focal_point_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    point = _focal_point_or_404(request, pk)
    organisation = point.baseline.organisation
    if not may_edit_business(membership, organisation):
        raise PermissionDenied
    initial = {name: getattr(point, name) for name in services.FOCAL_POINT_FIELDS} | {"version": point.version}
    form = forms.FocalPointForm(request.POST or None, initial=initial)
    back = reverse("plans:baseline", args=[organisation.pk])
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda data: services.focal_point_save(
                actor=membership,
                organisation=organisation,
                focal_point=point,
                expected_version=data.pop("version"),
                **data,
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(back)
    return _form_page(request, form, point.name, back=back)


@scoped_to(FocalPoint)
@require_POST
def focal_point_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    point = _focal_point_or_404(request, pk)
    organisation_id = point.baseline.organisation_id
    services.focal_point_delete(actor=membership, focal_point=point)
    messages.success(request, _("Focal point removed."))
    return redirect("plans:baseline", pk=organisation_id)
