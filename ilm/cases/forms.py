"""Forms of the case pages. Every choice of a tenant object comes from a selector for the acting
membership (or from the case the page already scoped), so a form can never offer what its user may not see.

The forms only parse input; the rules live in ilm/cases/services.py, whose errors the views put back on
these forms (`ilm.core.forms.add_service_errors`).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ilm.accounts.models import Membership
from ilm.cases import selectors
from ilm.cases.models import (
    ActionStatus,
    AgeBand,
    Case,
    CaseBusiness,
    CaseStatus,
    Closure,
    ContactPurpose,
    ContactWho,
    IdentifierKind,
    Issue,
    Rating,
    RiskLevel,
    UpdateKind,
    ValidationMethod,
    Worker,
    WorkerKind,
)
from ilm.core.forms import VersionedForm
from ilm.core.languages import language_choices
from ilm.core.permissions import Action, OrgKind, can
from ilm.network import selectors as network
from ilm.network.forms import CountryChoiceField
from ilm.network.models import Channel, ChannelProvider, Gender, Organisation, Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class WorkerChoiceField(forms.ModelChoiceField):
    """A worker of the case, by label and demographics (never by name)."""

    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.label, obj.get_gender_display()]
        if obj.nationality_id:
            parts.append(str(obj.nationality))
        return " · ".join(parts)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.supplier.name})"


def _worker_number(value: str) -> int | None:
    match = re.fullmatch(r"\s*[Ww]?\s*(\d{1,12})\s*", value or "")
    return int(match.group(1)) if match else None


def case_workers(membership: Any, case: Case) -> QuerySet[Worker]:
    return selectors.worker_list(membership=membership).filter(case_links__case=case).order_by("id")


def case_organisations(membership: Any, case: Case) -> QuerySet[Organisation]:
    """The organisations a case concerns (not informal brokers), as the membership sees them."""
    ids = case.businesses.exclude(organisation=None).values("organisation_id")
    return network.organisation_list(membership=membership).filter(pk__in=ids).prefetch_related(None).order_by("name")


# --- the case list ----------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CaseStatus.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=selectors.category_list(), empty_label=_("All categories")
    )
    # A name, not a <select>: a network holds thousands of suppliers, and rendering them all made the list
    # page slow. htmx suggests up to 20 matching names (cases:business_suggestions) in a <datalist>.
    business = forms.CharField(
        label=_("Business"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "title": _("Part of the name of a supplier, site or recruitment agency."),
                "list": "business-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("cases:business_suggestions"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#business-suggestions",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        ),
    )
    country = CountryChoiceField(label=_("Country"), required=False, empty_label=_("All countries"))
    # One business by id: the dashboard's drill-down links here ("its cases in this period"). It narrows an
    # already scoped list, so an id the reader cannot see only gives an empty list.
    organisation = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DATE)
    opened_to = forms.DateField(label=_("Opened until"), required=False, widget=DATE)
    forced_labour = forms.BooleanField(label=_("Forced-labour indicator"), required=False)
    zero_tolerance = forms.BooleanField(label=_("Zero-tolerance"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def filter(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """Narrow an already scoped queryset (the same filters as the API's). Search reads shareable text only."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["country"]:
            queryset = queryset.filter(country=data["country"])
        if data["opened_from"]:
            queryset = queryset.filter(opened_at__date__gte=data["opened_from"])
        if data["opened_to"]:
            queryset = queryset.filter(opened_at__date__lte=data["opened_to"])
        if data["overdue"]:
            queryset = queryset.filter(selectors.overdue_q())
        issues = {
            "category": data["category"],
            "forced_labour": True if data["forced_labour"] else None,
            "zero_tolerance": True if data["zero_tolerance"] else None,
        }
        for field, value in issues.items():
            if value is not None:
                queryset = queryset.filter(Exists(Issue.objects.filter(case=OuterRef("pk"), **{field: value})))
        if data["organisation"]:
            concerned_ids = CaseBusiness.objects.filter(organisation_id=data["organisation"]).values("case_id")
            queryset = queryset.filter(pk__in=concerned_ids)
        name = data["business"].strip()
        if name:  # organisations and sites only: informal brokers are the owner's to see
            concerned = CaseBusiness.objects.filter(case=OuterRef("pk"), organisation__isnull=False).filter(
                Q(organisation__name__icontains=name) | Q(site__name__icontains=name)
            )
            queryset = queryset.filter(Exists(concerned))
        return selectors.search_cases(queryset, data["q"])


# --- contacts and workers -----------------------------------------------------------------------------


class ContactForm(forms.Form):
    """A contact, optionally about a known worker (by label) or a new one (with identifiers below)."""

    occurred_at = forms.DateTimeField(label=_("When"), widget=_datetime_widget())
    channel = forms.ModelChoiceField(label=_("Channel"), required=False, queryset=Channel.objects.none())
    language = forms.CharField(label=_("Language"), required=False, max_length=16)
    who = forms.ChoiceField(label=_("Who contacted"), choices=ContactWho.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ContactPurpose.choices)
    notes = forms.CharField(label=_("Notes (CSO only)"), required=False, max_length=8000, widget=_textarea(4))
    case_reference = forms.CharField(
        label=_("Joins case"),
        required=False,
        max_length=16,
        help_text=_("The reference of an open case, e.g. C-7KQ2-M4XD."),
    )
    worker_label = forms.CharField(
        label=_("Known worker"), required=False, max_length=16, help_text=_("The worker's label, e.g. W12.")
    )
    new_worker = forms.BooleanField(label=_("Record a new worker"), required=False)
    full_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Worker or jobseeker"), required=False, choices=WorkerKind.choices, initial=WorkerKind.WORKER
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=Gender.choices, initial=Gender.OTHER)
    nationality = CountryChoiceField(label=_("Nationality"), required=False)
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    job = forms.CharField(label=_("Job"), required=False, max_length=120)
    site = SiteChoiceField(label=_("Site"), required=False, queryset=Site.objects.none())
    recruitment_agency = OrganisationChoiceField(
        label=_("Recruitment agency"), required=False, queryset=Organisation.objects.none()
    )
    origin_area = forms.CharField(label=_("Area of origin"), required=False, max_length=120)
    consent_share_identity = forms.BooleanField(label=_("May share identity with the business"), required=False)
    consent_contact_for_validation = forms.BooleanField(
        label=_("May be contacted to validate remediation"), required=False
    )
    consent_statistics = forms.BooleanField(label=_("May be counted in anonymised statistics"), required=False)
    confirm_new_worker = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different person"), required=False
    )

    DEMOGRAPHICS = ("kind", "gender", "nationality", "age_band", "job", "site", "recruitment_agency", "origin_area")

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["channel"].queryset = (  # type: ignore[attr-defined]
            network.channel_list(membership=membership).filter(cso_id=membership.organisation_id).order_by("name")
        )
        self.fields["site"].queryset = network.site_list(membership=membership).order_by("name")  # type: ignore[attr-defined]
        self.fields["recruitment_agency"].queryset = (  # type: ignore[attr-defined]
            network.organisation_list(membership=membership)
            .filter(kind=OrgKind.RECRUITMENT_AGENCY)
            .prefetch_related(None)
            .order_by("name")
        )
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime(DATETIME_FORMAT))

    def clean_case_reference(self) -> Case | None:
        reference = self.cleaned_data["case_reference"].strip().upper()
        if not reference:
            return None
        case = (
            selectors.case_list(membership=self.membership)
            .filter(reference=reference, cso_id=self.membership.organisation_id)
            .first()
        )
        if case is None:
            raise forms.ValidationError(_("No case of your CSO has this reference."))
        return case

    def clean_worker_label(self) -> Worker | None:
        return clean_worker_label(self.cleaned_data["worker_label"], self.membership)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_worker") and data.get("worker_label"):
            self.add_error("worker_label", _("Choose a known worker or record a new one, not both."))
        return data

    def demographics(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.DEMOGRAPHICS}
        defaults = {"kind": WorkerKind.WORKER, "gender": Gender.OTHER, "age_band": AgeBand.UNKNOWN}
        for name, default in defaults.items():
            data[name] = data[name] or default
        for name in ("job", "origin_area"):
            data[name] = data[name] or ""
        return data

    def consents(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(f"consent_{name}")) for name in Worker.CONSENTS}


def clean_worker_label(value: str, membership: Any) -> Worker | None:
    if not (value or "").strip():
        return None
    number = _worker_number(value)
    worker = None if number is None else selectors.worker_list(membership=membership).filter(pk=number).first()
    if worker is None:
        raise forms.ValidationError(_("No worker of your CSO has this label."))
    return worker


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices, initial=IdentifierKind.PHONE)
    value = forms.CharField(label=_("Number or handle"), required=False, max_length=200)


IdentifierFormSet = forms.formset_factory(IdentifierForm, extra=3, max_num=20, validate_max=True)


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            ("share_identity", _("May share identity with the business")),
            ("contact_for_validation", _("May be contacted to validate remediation")),
            ("statistics", _("May be counted in anonymised statistics")),
        ],
    )
    value = forms.TypedChoiceField(
        label=_("Answer"), choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1"
    )


class EraseForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=_textarea())
    confirmation = forms.CharField(label=_("Type the worker's label to confirm"), max_length=16)

    def __init__(self, *args: Any, worker: Worker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.worker = worker

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip().upper()
        if value != self.worker.label.upper():
            raise forms.ValidationError(_("Type %(label)s exactly.") % {"label": self.worker.label})
        return value


# --- cases ------------------------------------------------------------------------------------------


def assignee_choices(membership: Any, cso_id: int) -> QuerySet[Any]:
    from ilm.accounts.selectors import membership_list

    return (
        membership_list(membership=membership)
        .filter(organisation_id=cso_id, revoked_at__isnull=True, role__in=("admin", "case_manager", "caseworker"))
        .order_by("user__username")
    )


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.get_username()} · {obj.get_role_display()}"


class CaseForm(VersionedForm):
    summary = forms.CharField(
        label=_("Shareable summary"),
        required=False,
        max_length=8000,
        widget=_textarea(5),
        help_text=_(
            "What the business will read. Leave out anything that could identify a worker: names, "
            "dates, shifts, nationality or gender in a small group."
        ),
    )
    internal_notes = forms.CharField(
        label=_("Internal notes (CSO only)"), required=False, max_length=20000, widget=_textarea(4)
    )
    risk_level = forms.ChoiceField(label=_("Retaliation risk"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    is_collective = forms.BooleanField(label=_("Collective case"), required=False)
    workers_count = forms.IntegerField(label=_("Workers concerned"), min_value=1, max_value=1_000_000, initial=1)
    assigned_to = MembershipChoiceField(label=_("Caseworker"), required=False, queryset=Membership.objects.none())

    def __init__(self, *args: Any, membership: Any, cso_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignee_choices(membership, cso_id)  # type: ignore[attr-defined]


class CaseOpenForm(CaseForm):
    worker_label = forms.CharField(
        label=_("Worker"), required=False, max_length=16, help_text=_("The worker's label, e.g. W12.")
    )

    def __init__(self, *args: Any, membership: Any, cso_id: int, **kwargs: Any) -> None:
        super().__init__(*args, membership=membership, cso_id=cso_id, **kwargs)
        self.membership = membership
        del self.fields["version"]

    def clean_worker_label(self) -> Worker | None:
        return clean_worker_label(self.cleaned_data["worker_label"], self.membership)


class BusinessForm(forms.Form):
    site = SiteChoiceField(label=_("Site"), required=False, queryset=Site.objects.none())
    organisation = OrganisationChoiceField(
        label=_("Supplier or recruitment agency"), required=False, queryset=Organisation.objects.none()
    )
    broker_name = forms.CharField(label=_("…or an informal broker, by name"), required=False, max_length=200)
    acknowledge_small_groups = forms.BooleanField(
        label=_("The case is already shared: I checked the summary does not point at a small group at this business"),
        required=False,
    )

    def __init__(self, *args: Any, membership: Any, shared: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not shared:
            del self.fields["acknowledge_small_groups"]
        self.fields["site"].queryset = network.site_list(membership=membership).order_by(  # type: ignore[attr-defined]
            "supplier__name", "name"
        )
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            network.organisation_list(membership=membership)
            .filter(kind__in=(OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY), is_active=True)
            .prefetch_related(None)
            .order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site, organisation = data.get("site"), data.get("organisation")
        if site is not None and organisation is not None and site.supplier_id != organisation.pk:
            self.add_error("organisation", _("Choose a site, or a business, or the site's own supplier."))
        if data.get("site") is None and data.get("organisation") is None and not data.get("broker_name", "").strip():
            raise forms.ValidationError(_("Name a business or an informal broker."))
        return data


class WorkerLinkForm(forms.Form):
    worker_label = forms.CharField(label=_("Worker"), max_length=16, help_text=_("The worker's label, e.g. W12."))

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_worker_label(self) -> Worker | None:
        return clean_worker_label(self.cleaned_data["worker_label"], self.membership)


TRI_STATE = [("", _("As the category says")), ("1", _("Yes")), ("0", _("No"))]


class IssueForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=selectors.category_list())
    workers_affected = forms.IntegerField(label=_("Workers affected"), min_value=1, max_value=1_000_000, initial=1)
    forced_labour = forms.TypedChoiceField(
        label=_("Forced-labour indicator"),
        required=False,
        choices=TRI_STATE,
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    zero_tolerance = forms.BooleanField(label=_("Zero-tolerance"), required=False)
    description = forms.CharField(
        label=_("Description (CSO only)"), required=False, max_length=20000, widget=_textarea(3)
    )
    shareable_description = forms.CharField(
        label=_("Description the business sees"), required=False, max_length=4000, widget=_textarea(3)
    )


def issue_arguments(cleaned_data: dict[str, Any]) -> dict[str, Any]:
    """IssueForm's data for issue_add / issue_update: "as the category says" becomes the category's flag."""
    data = dict(cleaned_data)
    if data["forced_labour"] is None:
        data["forced_labour"] = data["category"].is_forced_labour_indicator
    return data


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Remediation rated"), choices=Rating.choices)


class ShareForm(forms.Form):
    acknowledge_small_groups = forms.BooleanField(
        label=_("I checked the summary: it does not point at the workers of these small groups"), required=False
    )


class EmptyForm(forms.Form):
    """A POST with nothing to fill in (assess, request validation)."""


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=8000, widget=_textarea(3))
    visible_to_business = forms.BooleanField(label=_("Send to the business (it will read this note)"), required=False)


class ValidationForm(forms.Form):
    worker = WorkerChoiceField(label=_("Worker"), required=False, queryset=Worker.objects.none())
    method = forms.ChoiceField(label=_("How"), choices=ValidationMethod.choices)
    validated_at = forms.DateTimeField(label=_("When"), widget=_datetime_widget())
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int
    )
    confirms_remediation = forms.BooleanField(label=_("The worker confirms the remediation"), required=False)
    comments = forms.CharField(label=_("Comments (CSO only)"), required=False, max_length=8000, widget=_textarea(3))

    def __init__(self, *args: Any, membership: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = case_workers(membership, case)  # type: ignore[attr-defined]
        self.fields["worker"].help_text = _("Leave empty for a collective validation (group meeting, survey).")
        if not self.is_bound:
            self.initial.setdefault("validated_at", timezone.localtime().strftime(DATETIME_FORMAT))


class CloseForm(forms.Form):
    closure = forms.ChoiceField(label=_("Close as"), choices=Closure.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=_textarea(3),
        help_text=_("Needed for every closing except resolved."),
    )
    merged_into = forms.CharField(
        label=_("Duplicate of"),
        required=False,
        max_length=16,
        help_text=_("For a duplicate: the reference of the case it repeats."),
    )

    def __init__(self, *args: Any, membership: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.case = case
        self.fields["merged_into"].widget.attrs["list"] = f"cases-of-cso-{case.pk}"

    def duplicate_choices(self) -> list[str]:
        """Recent other cases of the same CSO, offered in a <datalist>."""
        return list(
            selectors.case_list(membership=self.membership)
            .filter(cso_id=self.case.cso_id)
            .exclude(pk=self.case.pk)
            .order_by("-id")
            .values_list("reference", flat=True)[:50]
        )

    def clean_merged_into(self) -> Case | None:
        reference = self.cleaned_data["merged_into"].strip().upper()
        if not reference:
            return None
        other = (
            selectors.case_list(membership=self.membership)
            .filter(reference=reference, cso_id=self.case.cso_id)
            .exclude(pk=self.case.pk)
            .first()
        )
        if other is None:
            raise forms.ValidationError(_("Choose the other case of your CSO that this one repeats."))
        return other


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_textarea(3))


class EscalationForm(forms.Form):
    buyer = OrganisationChoiceField(label=_("Buyer"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Message to the buyer"), max_length=4000, widget=_textarea(3))

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = (  # type: ignore[attr-defined]
            network.organisation_list(membership=membership)
            .filter(kind=OrgKind.BUYER, is_active=True)
            .prefetch_related(None)
            .order_by("name")
        )


class PaymentForm(forms.Form):
    worker = WorkerChoiceField(label=_("Worker"), required=False, queryset=Worker.objects.none())
    group_label = forms.CharField(
        label=_("…or a counted group"),
        required=False,
        max_length=120,
        help_text=_("For a counted group, e.g. 'line 3 night shift'."),
    )
    workers_count = forms.IntegerField(label=_("Workers"), min_value=1, max_value=1_000_000, initial=1)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("ISO 4217 code, such as THB, MMK or USD.")
    )
    amount_owed = forms.DecimalField(label=_("Owed"), min_value=0, max_digits=14, decimal_places=2)
    amount_repaid = forms.DecimalField(label=_("Repaid"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DATE)

    def __init__(self, *args: Any, membership: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = case_workers(membership, case)  # type: ignore[attr-defined]


class PaymentVerifyForm(forms.Form):
    how = forms.ChoiceField(label=_("How the worker confirmed"), choices=ValidationMethod.choices)
    verified = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("The worker received it")), ("0", _("The worker did not receive it"))],
        coerce=lambda v: v == "1",
    )


class RevealRequestForm(forms.Form):
    worker = WorkerChoiceField(label=_("Worker"), queryset=Worker.objects.none())
    organisation = OrganisationChoiceField(label=_("Business"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Why the business needs to know"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args: Any, membership: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = case_workers(membership, case)  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = case_organisations(membership, case)  # type: ignore[attr-defined]


class RevealDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])


# --- business response --------------------------------------------------------------------------------


class RespondForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(UpdateKind.ACKNOWLEDGEMENT, _("Acknowledgement")), (UpdateKind.RESPONSE, _("Response"))],
        initial=UpdateKind.RESPONSE,
    )
    text = forms.CharField(label=_("Your response"), max_length=8000, widget=_textarea(4))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=4000, widget=_textarea(3))
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    issue = forms.ModelChoiceField(label=_("Issue"), required=False, queryset=Issue.objects.none())
    responsible = OrganisationChoiceField(label=_("Responsible business"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, membership: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = case.issues.select_related("category")  # type: ignore[attr-defined]
        self.fields["issue"].label_from_instance = lambda issue: str(issue.category)  # type: ignore[attr-defined]
        owner = selectors.owns_case(membership, case) and can(membership, Action.WORK_CASES)
        if owner:
            self.fields["responsible"].queryset = case_organisations(membership, case)  # type: ignore[attr-defined]
        else:
            # A business plans its own actions.
            del self.fields["responsible"]


class ActionUpdateForm(VersionedForm):
    text = forms.CharField(label=_("What changed"), max_length=8000, widget=_textarea(2))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class CallLogForm(ContactForm):
    """The hotline's and the walk-in desk's quick form: the contact, the caller's number to find a known
    worker, and, for a new caller, the consents they gave on the phone. The full contact form records the
    rest of a worker's details."""

    DROPPED = (
        "new_worker",
        "confirm_new_worker",
        "full_name",
        "kind",
        "gender",
        "nationality",
        "age_band",
        "job",
        "site",
        "recruitment_agency",
        "origin_area",
    )
    caller_number = forms.CharField(
        label=_("Caller's number"),
        required=False,
        max_length=40,
        help_text=_("Finds the worker if your CSO already knows this number. Kept encrypted."),
    )
    record_caller = forms.BooleanField(label=_("Record the caller as a new worker with this number"), required=False)

    field_order = [
        "occurred_at",
        "channel",
        "language",
        "who",
        "purpose",
        "caller_number",
        "worker_label",
        "record_caller",
        "consent_contact_for_validation",
        "consent_statistics",
        "consent_share_identity",
        "notes",
        "case_reference",
    ]

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, membership=membership, **kwargs)
        for name in self.DROPPED:
            del self.fields[name]
        channels = self.fields["channel"]
        channels.queryset = channels.queryset.filter(  # type: ignore[attr-defined]
            provider__in=[ChannelProvider.HOTLINE, ChannelProvider.IN_PERSON]
        )
        if not self.is_bound and (first := channels.queryset.first()) is not None:  # type: ignore[attr-defined]
            self.initial.setdefault("channel", first.pk)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), required=False, choices=[("", "—"), *language_choices()]
        )
        self.fields["worker_label"].help_text = _("Or the worker's label, e.g. W12, if the caller gave it.")
        self.order_fields(self.field_order)

    def clean_caller_number(self) -> str:
        value = self.cleaned_data["caller_number"].strip()
        if value and sum(ch.isdigit() for ch in value) < 6:
            raise forms.ValidationError(_("Enter the whole number, with the country code if you have it."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("record_caller") and not data.get("caller_number"):
            self.add_error("caller_number", _("Enter the number to record the caller with it."))
        if data.get("record_caller") and data.get("worker_label"):
            self.add_error("worker_label", _("Choose a known worker or record a new one, not both."))
        return data
