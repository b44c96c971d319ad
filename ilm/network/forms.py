from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ilm.core.forms import VersionedForm
from ilm.core.languages import babel_locale
from ilm.core.permissions import PARTNER_KINDS, OrgKind
from ilm.core.widgets import FastSelect, FastSelectMultiple
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


@lru_cache(maxsize=16)
def _country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name in the language) for every country, sorted by name; computed once per language."""
    territories = babel_locale(language).territories
    names = [(code, str(territories.get(code, name))) for code, name in Country.objects.values_list("code", "name")]
    return tuple(sorted(names, key=lambda pair: pair[1].casefold()))


def country_choices() -> tuple[tuple[str, str], ...]:
    return _country_names(translation.get_language() or "en")


def _code(value: Any) -> Any:
    return value.pk if isinstance(value, Country) else value


@lru_cache(maxsize=16)
def _country_options_html(language: str) -> str:
    return str(format_html_join("", '<option value="{}">{}</option>', _country_names(language)))


class CountrySelect(FastSelect):
    """The country <select>: its 249 options are rendered once per language, then reused."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        options = _country_options_html(translation.get_language() or "en")
        for code in chosen:
            options = options.replace(f'<option value="{code}">', f'<option value="{code}" selected>', 1)
        empty_labels = [label for key, label in self.choices if key == ""]
        head = (
            format_html('<option value=""{}>{}</option>', "" if chosen else " selected", empty_labels[0])
            if (empty_labels)
            else ""
        )
        multiple = " multiple" if self.allow_multiple_selected else ""
        # `options` was escaped by format_html_join when it was cached.
        return format_html(
            '<select name="{}"{}{}>{}{}</select>', name, flatatt(final_attrs), multiple, head, SafeString(options)
        )


class CountrySelectMultiple(CountrySelect, FastSelectMultiple):
    allow_multiple_selected = True


class CountryChoiceField(forms.ChoiceField):
    """A country by ISO code, listed by name in the reader's language; cleans to a Country."""

    widget = CountrySelect

    def __init__(self, *, empty_label: Any = "—", **kwargs: Any) -> None:
        self.empty_label = empty_label
        super().__init__(choices=self._choices_with_empty, **kwargs)

    def _choices_with_empty(self) -> list[tuple[str, Any]]:
        return [("", self.empty_label), *country_choices()]

    def prepare_value(self, value: Any) -> Any:
        return _code(value)

    def clean(self, value: Any) -> Country | None:
        code = super().clean(_code(value))
        return Country.objects.get(pk=code) if code else None


class CountryMultipleField(forms.MultipleChoiceField):
    widget = CountrySelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=country_choices, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return [_code(v) for v in value] if isinstance(value, (list, tuple)) else value

    def clean(self, value: Any) -> list[Country]:
        codes = super().clean([_code(v) for v in value] if isinstance(value, (list, tuple)) else value)
        return list(Country.objects.filter(pk__in=codes))


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrgKind.choices])
    country = CountryChoiceField(label=_("Country"), required=False, empty_label=_("All countries"))
    industry = forms.ModelChoiceField(
        label=_("Industry"), required=False, queryset=Industry.objects.all(), empty_label=_("All industries")
    )


class OrganisationForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    subkind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", "—"), *Subkind.choices],
        help_text=_("For CSOs, recruitment agencies and buyers."),
    )
    countries = CountryMultipleField(
        label=_("Countries of operation"), required=False, widget=CountrySelectMultiple(attrs={"size": 8})
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("Industries"), queryset=Industry.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, editing: bool = False, manages_all: bool = True, kind: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        if not manages_all:
            # Only the technical partner renames organisations and sets partners' countries.
            del self.fields["name"]
            if kind in PARTNER_KINDS:
                del self.fields["countries"]


class SiteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = CountryChoiceField(label=_("Country"), required=False, empty_label=_("All countries"))
    site_type = forms.ChoiceField(
        label=_("Site type"), required=False, choices=[("", _("All types")), *SiteType.choices]
    )


class SiteForm(VersionedForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    site_type = forms.ChoiceField(label=_("Site type"), choices=SiteType.choices)
    country = CountryChoiceField(label=_("Country"))
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, membership: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["supplier"]
        else:
            field = self.fields["supplier"]
            field.queryset = selectors.organisation_list(membership=membership).filter(  # type: ignore[attr-defined]
                kind=OrgKind.SUPPLIER
            )
            if membership.organisation_kind == OrgKind.SUPPLIER:
                field.initial = membership.organisation_id


class HeadcountForm(forms.Form):
    as_of = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class HeadcountCellForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices])
    nationality = CountryChoiceField(label=_("Nationality"))
    count = forms.IntegerField(label=_("Workers"), min_value=0, max_value=1_000_000)


HeadcountCellFormSet = forms.formset_factory(HeadcountCellForm, extra=4, max_num=40, validate_max=True)


class LinkFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *LinkKind.choices])
    pending = forms.BooleanField(label=_("Awaiting confirmation only"), required=False)


class LinkForm(forms.Form):
    """A new link. The technical partner picks both sides; anyone else is one side and names the
    other by picking an organisation it already sees, or by the other's ILM reference code."""

    SIDE_CHOICES = [
        ("customer", _("the customer (buyer, or the employer using the agency)")),
        ("provider", _("the provider (supplier or recruitment agency)")),
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    customer = forms.ModelChoiceField(
        label=_("Customer (buyer, supplier or destination agency)"), queryset=Organisation.objects.none()
    )
    provider = forms.ModelChoiceField(
        label=_("Provider (supplier or recruitment agency)"), queryset=Organisation.objects.none()
    )
    our_side = forms.ChoiceField(
        label=_("In this link, your organisation is"), choices=SIDE_CHOICES, widget=forms.RadioSelect
    )
    counterpart = forms.ModelChoiceField(
        label=_("The other organisation"), required=False, queryset=Organisation.objects.none()
    )
    counterpart_reference = forms.CharField(
        label=_("…or its ILM reference"),
        required=False,
        max_length=16,
        help_text=_("Ask the other organisation for the reference shown on its organisation page, e.g. ILM-7KQ2-M4XD."),
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", "—"), *Tier.choices]
    )
    msa_status = forms.ChoiceField(label=_("MSA status"), required=False, choices=[("", "—"), *MsaStatus.choices])
    disclosed_to_buyers = forms.BooleanField(label=_("Disclosed to buyers"), required=False)
    start_date = forms.DateField(
        label=_("Active from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("Active until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, membership: Any, manages_all: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.manages_all = manages_all
        choices = selectors.link_counterpart_choices(membership=membership)
        if manages_all:
            for name in ("our_side", "counterpart", "counterpart_reference"):
                del self.fields[name]
            self.fields["customer"].queryset = choices  # type: ignore[attr-defined]
            self.fields["provider"].queryset = choices  # type: ignore[attr-defined]
        else:
            del self.fields["customer"]
            del self.fields["provider"]
            self.fields["counterpart"].queryset = choices.exclude(pk=membership.organisation_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.manages_all:
            return data
        counterpart = data.get("counterpart")
        reference = data.get("counterpart_reference", "").strip()
        if reference:
            found = selectors.dangerously_organisation_by_reference(reference)
            if found is None or found.pk == self.membership.organisation_id:
                self.add_error("counterpart_reference", _("No organisation in the network has this reference."))
                return data
            if counterpart is not None and counterpart.pk != found.pk:
                self.add_error("counterpart_reference", _("Pick an organisation or give a reference, not both."))
                return data
            counterpart = found
        if counterpart is None:
            self.add_error("counterpart", _("Pick the other organisation or give its ILM reference."))
            return data
        own = self.membership.organisation
        if data.get("our_side") == "customer":
            data["customer"], data["provider"] = own, counterpart
        elif data.get("our_side") == "provider":
            data["customer"], data["provider"] = counterpart, own
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            key: data.get(key)
            for key in (
                "kind",
                "customer",
                "provider",
                "tier",
                "msa_status",
                "disclosed_to_buyers",
                "start_date",
                "end_date",
            )
        } | {"msa_status": data.get("msa_status") or "", "disclosed_to_buyers": bool(data.get("disclosed_to_buyers"))}


class LinkEditForm(VersionedForm):
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", "—"), *Tier.choices]
    )
    msa_status = forms.ChoiceField(label=_("MSA status"), required=False, choices=[("", "—"), *MsaStatus.choices])
    disclosed_to_buyers = forms.BooleanField(label=_("Disclosed to buyers"), required=False)
    start_date = forms.DateField(
        label=_("Active from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("Active until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


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
