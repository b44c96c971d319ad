"""Forms of the job marketplace pages. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ilm.jobs.models import (
    JOB_LANGUAGES,
    TRANSLATED_FIELDS,
    ApplicationStatus,
    ContactKind,
    FeeModel,
    PayPeriod,
    VacancyTranslation,
    language_choices,
)
from ilm.network.models import Country, Gender, Industry, Site


class VacancyForm(forms.Form):
    position = forms.CharField(label=_("Position"), max_length=200)
    language = forms.ChoiceField(label=_("Language written in"), choices=language_choices)
    openings = forms.IntegerField(label=_("Openings"), min_value=1, max_value=10000, initial=1)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all())
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    wage_amount = forms.CharField(label=_("Wage"), required=False, max_length=20)
    wage_currency = forms.CharField(label=_("Currency (ISO 4217, e.g. THB)"), required=False, max_length=3)
    pay_period = forms.ChoiceField(label=_("Pay period"), choices=PayPeriod.choices, initial=PayPeriod.MONTH)
    hours_per_day = forms.CharField(label=_("Hours per day"), required=False, max_length=6)
    hours_per_week = forms.CharField(label=_("Hours per week"), required=False, max_length=6)
    overtime = forms.CharField(label=_("Overtime"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    days_off = forms.CharField(label=_("Days off"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contract_length = forms.CharField(label=_("Contract length"), required=False, max_length=200)
    accommodation = forms.CharField(label=_("Accommodation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    food = forms.CharField(label=_("Food"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    transport = forms.CharField(label=_("Transport"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    benefits = forms.CharField(label=_("Benefits"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    documents_needed = forms.CharField(
        label=_("Documents needed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    timeline = forms.CharField(label=_("Timeline"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    fee_model = forms.ChoiceField(
        label=_("Fee model"),
        choices=[("", _("Not decided yet (cannot publish)")), *FeeModel.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, employer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["site"]
        field.queryset = Site.objects.filter(supplier=employer, is_active=True).order_by("name")
        if employer.kind == "supplier":
            field.required = True


class FeeForm(forms.Form):
    name = forms.CharField(label=_("Fee"), max_length=200)
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    charged_by = forms.CharField(label=_("Charged by"), max_length=200)


FeeFormSet = forms.formset_factory(FeeForm, extra=2, max_num=20, can_delete=True)


def fee_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled-in, not deleted rows of the fee formset."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class TranslationForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=lambda: language_choices(JOB_LANGUAGES))

    class Meta:
        model = VacancyTranslation
        fields = ["language", *TRANSLATED_FIELDS]
        widgets = {
            field: forms.Textarea(attrs={"rows": 2})
            for field in TRANSLATED_FIELDS
            if field not in ("position", "contract_length")
        }


class ApplyForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    contact_kind = forms.ChoiceField(label=_("Contact by"), choices=ContactKind.choices)
    contact = forms.CharField(label=_("Phone number or messaging handle"), max_length=100)
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=Country.objects.order_by("name"))
    gender = forms.ChoiceField(label=_("Gender (optional)"), choices=Gender.choices, initial=Gender.OTHER)
    consent = forms.BooleanField(
        label=_("I agree that my name and contact are shared with this employer, for this job only."),
        required=False,
    )


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in ApplicationStatus.values])


class ConfirmForm(forms.Form):
    paid_nothing_extra = forms.TypedChoiceField(
        label=_("Did you pay nothing beyond the legal fees listed in the vacancy?"),
        choices=[("yes", _("Yes, I paid nothing more")), ("no", _("No, I paid more"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    paid_details = forms.CharField(
        label=_("If you paid more: what, to whom, how much"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublicFilterForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.filter(code__in=["TH", "MY", "MM", "KH", "NP", "LA", "VN"]),
        required=False,
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.filter(parent__isnull=True), required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=lambda: [("", _("Any")), *language_choices(JOB_LANGUAGES)], required=False
    )
    fee_model = forms.ChoiceField(label=_("Fees"), choices=[("", _("Any")), *FeeModel.choices], required=False)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was this employer? 1 (bad) to 5 (very good)"),
        choices=[(n, "★" * n) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional, not shown to the employer)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
