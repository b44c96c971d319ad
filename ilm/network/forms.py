from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ilm.core.forms import VersionedForm
from ilm.core.permissions import BUSINESS_KINDS, OrgKind
from ilm.network import selectors
from ilm.network.models import (
    Country,
    Gender,
    Industry,
    LinkKind,
    MsaStatus,
    Organisation,
    SiteType,
    Subkind,
    Tier,
)


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CountryMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _countries() -> QuerySet[Country]:
    return selectors.country_list()


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrgKind.choices])
    country = CountryChoiceField(label=_("Country"), required=False, queryset=_countries(), to_field_name="code",
                                 empty_label=_("All countries"))
    industry = forms.ModelChoiceField(label=_("Industry"), required=False, queryset=Industry.objects.all(),
                                      empty_label=_("All industries"))


class OrganisationForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    subkind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *Subkind.choices],
                                help_text=_("For CSOs, recruitment agencies and buyers."))
    countries = CountryMultipleField(label=_("Countries of operation"), queryset=_countries(), required=False,
                                     widget=forms.SelectMultiple(attrs={"size": 8}))
    industries = forms.ModelMultipleChoiceField(label=_("Industries"), queryset=Industry.objects.all(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]


class SiteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = CountryChoiceField(label=_("Country"), required=False, queryset=_countries(), to_field_name="code",
                                 empty_label=_("All countries"))
    site_type = forms.ChoiceField(label=_("Site type"), required=False,
                                  choices=[("", _("All types")), *SiteType.choices])


class SiteForm(VersionedForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    site_type = forms.ChoiceField(label=_("Site type"), choices=SiteType.choices)
    country = CountryChoiceField(label=_("Country"), queryset=_countries())
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, membership: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["supplier"]
        else:
            field = self.fields["supplier"]
            field.queryset = selectors.organisation_list(membership=membership).filter(  # type: ignore[attr-defined]
                kind=OrgKind.SUPPLIER)
            if membership.organisation_kind == OrgKind.SUPPLIER:
                field.initial = membership.organisation_id


class HeadcountForm(forms.Form):
    as_of = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class HeadcountCellForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    nationality = CountryChoiceField(label=_("Nationality"), queryset=_countries())
    count = forms.IntegerField(label=_("Workers"), min_value=0, max_value=1_000_000)


HeadcountCellFormSet = forms.formset_factory(HeadcountCellForm, extra=4, max_num=40, validate_max=True)


class LinkFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *LinkKind.choices])
    pending = forms.BooleanField(label=_("Awaiting confirmation only"), required=False)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    customer = forms.ModelChoiceField(label=_("Customer (buyer, supplier or destination agency)"),
                                      queryset=Organisation.objects.none())
    provider = forms.ModelChoiceField(label=_("Provider (supplier or recruitment agency)"),
                                      queryset=Organisation.objects.none())
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, coerce=int, empty_value=None,
                                  choices=[("", "—"), *Tier.choices])
    msa_status = forms.ChoiceField(label=_("MSA status"), required=False, choices=[("", "—"), *MsaStatus.choices])
    disclosed_to_buyers = forms.BooleanField(label=_("Disclosed to buyers"), required=False)
    start_date = forms.DateField(label=_("Active from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Active until"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        directory = Organisation.objects.filter(kind__in=BUSINESS_KINDS, is_active=True).order_by("name")
        self.fields["customer"].queryset = directory  # type: ignore[attr-defined]
        self.fields["provider"].queryset = directory  # type: ignore[attr-defined]


class LinkEditForm(VersionedForm):
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, coerce=int, empty_value=None,
                                  choices=[("", "—"), *Tier.choices])
    msa_status = forms.ChoiceField(label=_("MSA status"), required=False, choices=[("", "—"), *MsaStatus.choices])
    disclosed_to_buyers = forms.BooleanField(label=_("Disclosed to buyers"), required=False)
    start_date = forms.DateField(label=_("Active from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Active until"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX file"), help_text=_("Use the template: sheets Sites, Headcounts and Links."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("This is not an XLSX file. Save the sheet as Excel (.xlsx) and try again."))
        return upload
