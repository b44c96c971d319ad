"""Pages to browse and edit the network within what the acting membership may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from ilm.core.errors import Conflict
from ilm.core.forms import add_service_errors, form_status
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, scoped_to
from ilm.network import forms, importers, selectors, services
from ilm.network.models import Channel, Link, LinkStatus, Organisation, Site
from ilm.network.permissions import allowed


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organisation yet."))
    return membership


def _without_version(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("version", None)
    return data


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    write: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    title: str,
    obj: Any = None,
) -> HttpResponse:
    """The one shape of a create or edit page: on a valid POST call the service (`write`), then show
    its message and go where `done` says; otherwise show the form with the service's errors beside
    the right fields, answering 400 (invalid), 409 (someone else saved first) or 200."""
    if request.method == "POST" and form.is_valid():
        try:
            result = write(dict(form.cleaned_data))
        except Conflict as exc:
            form.add_error(None, ValidationError(exc.message, code="conflict"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("Your role does not allow this."))
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    return render(request, "network/form.html", {"form": form, "title": title, "object": obj}, status=form_status(form))


class OrganisationListView(ScopedPageMixin, ListView):
    model = Organisation
    scope_selector = selectors.organisation_list
    template_name = "network/organisation_list.html"
    paginate_by = 25

    def safely_get_queryset(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        self.filter_form = forms.OrganisationFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                queryset = queryset.filter(name__icontains=data["q"])
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["country"]:
                queryset = queryset.filter(countries=data["country"])
            if data["industry"]:
                queryset = queryset.filter(industries=data["industry"])
        return queryset.distinct().order_by("name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["may_create"] = allowed("create_organisation", self.request.membership)
        return context


class OrganisationDetailView(ScopedPageMixin, DetailView):
    model = Organisation
    scope_selector = selectors.organisation_list
    template_name = "network/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        org = self.object
        context["sites"] = selectors.attach_headcounts(
            selectors.site_list(membership=membership).filter(supplier=org).order_by("name")
        )
        context["links"] = (
            selectors.link_list(membership=membership).filter(Q(customer=org) | Q(provider=org)).order_by("kind", "id")
        )
        context["channels"] = selectors.channel_list(membership=membership).filter(cso=org)
        context["may_edit"] = allowed("change_organisation", membership, org)
        context["may_add_site"] = org.kind == "supplier" and allowed("change_site", membership, org)
        return context


def organisation_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not allowed("create_organisation", membership):
        raise PermissionDenied
    return _form_page(
        request,
        forms.OrganisationForm(request.POST or None),
        write=lambda data: services.organisation_create(actor=membership, **_without_version(data)),
        done=lambda org: (_("Organisation created."), reverse("network:organisation_detail", args=[org.pk])),
        title=_("New organisation"),
    )


@scoped_to(Organisation)
def organisation_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation = get_scoped_or_404(selectors.organisation_list(membership=membership), request, pk=pk)
    if not allowed("change_organisation", membership, organisation):
        raise PermissionDenied
    initial = {
        "name": organisation.name,
        "subkind": organisation.subkind,
        "website": organisation.website,
        "description": organisation.description,
        "countries": list(organisation.countries.all()),
        "industries": list(organisation.industries.all()),
        "version": organisation.version,
    }
    return _form_page(
        request,
        forms.OrganisationForm(
            request.POST or None,
            initial=initial,
            editing=True,
            manages_all=can(membership, Action.CHANGE_ANY_ORGANISATION),
            kind=organisation.kind,
        ),
        write=lambda data: services.organisation_update(
            actor=membership, organisation=organisation, expected_version=data.pop("version"), **data
        ),
        done=lambda org: (_("Saved."), reverse("network:organisation_detail", args=[org.pk])),
        title=organisation.name,
        obj=organisation,
    )


class SiteListView(ScopedPageMixin, ListView):
    model = Site
    scope_selector = selectors.site_list
    template_name = "network/site_list.html"
    paginate_by = 25

    def safely_get_queryset(self, queryset: QuerySet[Site]) -> QuerySet[Site]:
        self.filter_form = forms.SiteFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                queryset = queryset.filter(Q(name__icontains=data["q"]) | Q(supplier__name__icontains=data["q"]))
            if data["country"]:
                queryset = queryset.filter(country=data["country"])
            if data["site_type"]:
                queryset = queryset.filter(site_type=data["site_type"])
        return queryset.order_by("supplier__name", "name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.attach_headcounts(context["object_list"])
        if context.get("page_obj") is not None:
            context["page_obj"].object_list = context["object_list"]
        membership = self.request.membership
        context["filter_form"] = self.filter_form
        context["may_create"] = _may_add_sites(membership)
        context["may_import"] = allowed("import_network", membership)
        return context


class SiteDetailView(ScopedPageMixin, DetailView):
    model = Site
    scope_selector = selectors.site_list
    template_name = "network/site_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        headcounts = list(self.object.headcounts.select_related("nationality").order_by("-as_of", "gender"))
        by_date: dict[Any, list[Any]] = {}
        for row in headcounts:
            by_date.setdefault(row.as_of, []).append(row)
        context["snapshots"] = [(day, rows, sum(r.count for r in rows)) for day, rows in by_date.items()]
        context["may_edit"] = allowed("change_site", self.request.membership, self.object)
        return context


def _may_add_sites(membership: Any) -> bool:
    """The technical partner adds sites for any supplier; a supplier's admins and responders, its own."""
    own = membership.organisation_kind == OrgKind.SUPPLIER and allowed(
        "change_site", membership, membership.organisation
    )
    return can(membership, Action.CHANGE_ANY_SITE) or own


def _supplier_initial(request: HttpRequest) -> dict[str, Any] | None:
    """Preselect the supplier named in ?supplier=, else leave the form's own default alone."""
    return {"supplier": request.GET["supplier"]} if request.GET.get("supplier") else None


def site_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not (
        can(membership, Action.CHANGE_ANY_SITE)
        or (
            membership.organisation_kind == OrgKind.SUPPLIER
            and allowed("change_site", membership, membership.organisation)
        )
    ):
        raise PermissionDenied
    form = forms.SiteForm(request.POST or None, membership=membership, initial=_supplier_initial(request))
    return _form_page(
        request,
        form,
        write=lambda data: services.site_create(actor=membership, **_without_version(data)),
        done=lambda site: (_("Site added."), reverse("network:site_detail", args=[site.pk])),
        title=_("New site"),
    )


@scoped_to(Site)
def site_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    site = get_scoped_or_404(selectors.site_list(membership=membership), request, pk=pk)
    if not allowed("change_site", membership, site):
        raise PermissionDenied
    initial = {
        "name": site.name,
        "site_type": site.site_type,
        "country": site.country,
        "province": site.province,
        "address": site.address,
        "version": site.version,
    }
    return _form_page(
        request,
        forms.SiteForm(request.POST or None, initial=initial, membership=membership, editing=True),
        write=lambda data: services.site_update(
            actor=membership, site=site, expected_version=data.pop("version"), **data
        ),
        done=lambda saved: (_("Saved."), reverse("network:site_detail", args=[saved.pk])),
        title=site.name,
        obj=site,
    )


@scoped_to(Site)
def headcount_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    site = get_scoped_or_404(selectors.site_list(membership=membership), request, pk=pk)
    if not allowed("change_site", membership, site):
        raise PermissionDenied
    form = forms.HeadcountForm(request.POST or None)
    formset = forms.HeadcountCellFormSet(request.POST or None, prefix="cells")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        cells = [(c["gender"], c["nationality"], c["count"]) for c in formset.cleaned_data if c]
        try:
            services.headcount_record(actor=membership, site=site, as_of=form.cleaned_data["as_of"], cells=cells)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Headcount recorded."))
            return redirect("network:site_detail", pk=site.pk)
    return render(
        request,
        "network/headcount_form.html",
        {"form": form, "formset": formset, "site": site},
        status=400 if (form.errors or any(formset.errors) or formset.non_form_errors()) else 200,
    )


class LinkListView(ScopedPageMixin, ListView):
    model = Link
    scope_selector = selectors.link_list
    template_name = "network/link_list.html"
    paginate_by = 25

    def safely_get_queryset(self, queryset: QuerySet[Link]) -> QuerySet[Link]:
        self.filter_form = forms.LinkFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            if self.filter_form.cleaned_data["kind"]:
                queryset = queryset.filter(kind=self.filter_form.cleaned_data["kind"])
            if self.filter_form.cleaned_data["pending"]:
                queryset = queryset.filter(status=LinkStatus.PROPOSED)
        return queryset.order_by("kind", "customer__name", "provider__name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["filter_form"] = self.filter_form
        context["may_propose"] = allowed("propose_link", membership)
        context["awaiting"] = (
            selectors.link_list(membership=membership)
            .filter(status=LinkStatus.PROPOSED)
            .exclude(proposed_by_id=membership.organisation_id)
            .filter(Q(customer_id=membership.organisation_id) | Q(provider_id=membership.organisation_id))
            .count()
        )
        return context


class LinkDetailView(ScopedPageMixin, DetailView):
    model = Link
    scope_selector = selectors.link_list
    template_name = "network/link_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["may_confirm"] = allowed("confirm_link", membership, self.object)
        context["may_edit"] = allowed("change_link", membership, self.object)
        return context


def link_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not allowed("propose_link", membership):
        raise PermissionDenied
    form = forms.LinkForm(
        request.POST or None, membership=membership, manages_all=can(membership, Action.MANAGE_ANY_LINK)
    )
    return _form_page(
        request,
        form,
        write=lambda data: services.link_propose(actor=membership, **form.service_arguments()),
        done=lambda link: (
            _("Link confirmed.")
            if link.status == LinkStatus.CONFIRMED
            else _("Link proposed. It counts once the other organisation confirms it."),
            reverse("network:link_detail", args=[link.pk]),
        ),
        title=_("New link"),
    )


@scoped_to(Link)
def link_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    link = get_scoped_or_404(selectors.link_list(membership=membership), request, pk=pk)
    if not allowed("change_link", membership, link):
        raise PermissionDenied
    initial = {
        "tier": link.tier,
        "msa_status": link.msa_status,
        "disclosed_to_buyers": link.disclosed_to_buyers,
        "start_date": link.start_date,
        "end_date": link.end_date,
        "version": link.version,
    }
    return _form_page(
        request,
        forms.LinkEditForm(request.POST or None, initial=initial),
        write=lambda data: services.link_update(
            actor=membership, link=link, expected_version=data.pop("version"), **data
        ),
        done=lambda saved: (_("Saved."), reverse("network:link_detail", args=[saved.pk])),
        title=str(link),
        obj=link,
    )


@scoped_to(Link)
@require_POST
def link_confirm_view(request: HttpRequest, pk: int, accept: bool = True) -> HttpResponse:
    membership = _membership(request)
    link = get_scoped_or_404(selectors.link_list(membership=membership), request, pk=pk)
    try:
        services.link_confirm(actor=membership, link=link, accept=accept)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Link confirmed.") if accept else _("Link declined."))
    return redirect("network:link_detail", pk=link.pk)


class ChannelListView(ScopedPageMixin, ListView):
    model = Channel
    scope_selector = selectors.channel_list
    template_name = "network/channel_list.html"
    paginate_by = 50

    def safely_get_queryset(self, queryset: QuerySet[Channel]) -> QuerySet[Channel]:
        return queryset.order_by("cso__name", "name")


def import_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not allowed("import_network", membership):
        raise PermissionDenied
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = importers.network_import(actor=membership, file=form.cleaned_data["file"])
            except ValidationError as exc:
                add_service_errors(form, exc, fallback_field="file")
                status = 400
            else:
                if result.ok:
                    messages.success(
                        request,
                        _(
                            "Imported: %(sites)s new sites, %(updated)s updated, "
                            "%(headcounts)s headcount rows, %(links)s links."
                        )
                        % {
                            "sites": result.sites_created,
                            "updated": result.sites_updated,
                            "headcounts": result.headcounts,
                            "links": result.links_created,
                        },
                    )
                    return redirect("network:site_list")
                status = 400
        else:
            status = 400
    return render(request, "network/import.html", {"form": form, "result": result}, status=status)


def import_template_view(request: HttpRequest) -> HttpResponse:
    _membership(request)
    response = HttpResponse(
        importers.template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="ilm-network-import.xlsx"'
    return response
