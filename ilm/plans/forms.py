"""Forms for the action-plan pages. They parse input only; the services decide and write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ilm.core.forms import VersionedForm
from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Country, Industry, Organisation
from ilm.plans import selectors
from ilm.plans.models import FocalPointPurpose, IndicatorStatus, PlanningStatus, ProgressIndicator, RowStatus
from ilm.plans.permissions import country_codes


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year + 2, this_year - 6, -1)]


class CountryPlanForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none())
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_year_choices)

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        countries = Country.objects.all()
        if not can(membership, Action.EDIT_ANY_PLAN):
            countries = countries.filter(code__in=country_codes(membership))
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]


class BusinessPlanForm(forms.Form):
    organisation = forms.ModelChoiceField[Organisation](label=_("Business"), queryset=Organisation.objects.none())
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_year_choices)

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        choices = selectors.plan_business_choices(membership=membership)
        self.fields["organisation"].queryset = choices  # type: ignore[attr-defined]
        if not can(membership, Action.EDIT_ANY_PLAN):
            self.fields["organisation"].initial = membership.organisation_id


class PlanStatusForm(VersionedForm):
    planning_status = forms.ChoiceField(label=_("Annual planning"), choices=PlanningStatus.choices)


class RowForm(VersionedForm):
    activities = forms.CharField(
        label=_("Activity code(s)"),
        max_length=120,
        help_text=_("For example “ER 2.6-7” or “1.2, 1.3”. See the activity catalogue."),
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    organisations = forms.ModelMultipleChoiceField[Organisation](
        label=_("Organisations in the network"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    other_partners = forms.CharField(
        label=_("Other partners"),
        max_length=300,
        required=False,
        help_text=_("Partners not in the network, separated by commas."),
    )
    remarks = forms.CharField(
        label=_("Remarks and targets"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: aim for completion by Q2."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=RowStatus.choices, initial=RowStatus.PLANNED)
    due_quarter = forms.CharField(
        label=_("Due quarter"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2026-Q2", "pattern": "20[0-9]{2}-[Qq][1-4]"}),
    )

    def __init__(self, *args: Any, membership: Any, current: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selectors.row_organisation_choices(membership=membership)
        if current:
            # Organisations someone else named in the row stay in it (and in the list) when this editor
            # cannot otherwise see them: an edit must not silently drop them.
            choices = choices | Organisation.objects.filter(pk__in=[org.pk for org in current])
        self.fields["organisations"].queryset = choices.distinct().order_by("name")  # type: ignore[attr-defined]


class CheckInForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=datetime.date.today
    )
    participants = forms.CharField(label=_("Who took part"), max_length=300)
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    changes = forms.CharField(
        label=_("Changes to the plan"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BaselineForm(VersionedForm):
    supply_chain = forms.CharField(
        label=_("Supply-chain information"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    labour_policies = forms.CharField(
        label=_("Labour policies"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    policy_links = forms.CharField(
        label=_("Policy documents"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One https:// link per line."),
    )
    grievance_mechanism = forms.CharField(
        label=_("Grievance mechanism"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    other_programmes = forms.CharField(
        label=_("Other programmes"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_policy_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["policy_links"].splitlines() if line.strip()]


class FocalPointForm(VersionedForm):
    role = forms.CharField(label=_("Role"), max_length=120, help_text=_("For example: HR director."))
    purpose = forms.ChoiceField(label=_("Contact for"), choices=FocalPointPurpose.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class CountryPlanFilterForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    activity = forms.CharField(
        label=_("Activity"), required=False, max_length=60, help_text=_("A code, range or area: 2.7, ER 2.6-7, 2.")
    )
    organisation_kind = forms.ChoiceField(
        label=_("Organisation kind"), required=False, choices=[("", "—"), *OrgKind.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ilm.plans.models import Plan

        used = Plan.objects.filter(kind="country").values("country_id")
        self.fields["country"].queryset = Country.objects.filter(code__in=used)  # type: ignore[attr-defined]

    def clean_activity(self) -> str:
        value: str = self.cleaned_data["activity"].strip()
        if value:
            selectors.activity_q(value)  # refuses what it cannot read, as a field error
        return value

    def search(self) -> selectors.RowSearch | None:
        """The row search the form asks for, or None when it names no row criteria."""
        data = self.cleaned_data
        if not (data.get("q") or data.get("activity") or data.get("organisation_kind")):
            return None
        return selectors.RowSearch(
            q=data["q"],
            activity=data["activity"],
            organisation_kind=data["organisation_kind"],
            country=data["country"].pk if data.get("country") else "",
            year=data.get("year"),
        )


class BusinessPlanFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Business"), required=False, max_length=100)


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("Show the plan as of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


# --- progress indicators ---------------------------------------------------------------------------


class ProgressFilterForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none(), required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", "—"),
            (OrgKind.SUPPLIER, OrgKind.SUPPLIER.label),
            (OrgKind.RECRUITMENT_AGENCY, OrgKind.RECRUITMENT_AGENCY.label),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Countries and industries where some supplier or agency works: a semi-join (EXISTS), which stops at
        # the first such business, where DISTINCT over the join read every business of the network.
        kinds = [OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY]
        in_country = Organisation.countries.through.objects.filter(
            country_id=OuterRef("pk"), organisation__kind__in=kinds
        )
        in_industry = Organisation.industries.through.objects.filter(
            industry_id=OuterRef("pk"), organisation__kind__in=kinds
        )
        self.fields["country"].queryset = Country.objects.filter(Exists(in_country))  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.filter(Exists(in_industry))  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=ProgressIndicator.choices)
    status = forms.ChoiceField(label=_("Status"), choices=IndicatorStatus.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows it: a policy adopted, a training held, a survey done."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class SuggestionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("dismiss", _("Dismiss"))])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("As suggested")), *IndicatorStatus.choices]
    )
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=4000)
