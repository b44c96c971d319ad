"""Forms of the fee-survey pages. Checks that the services make again (so the API gets them too) are
shown beside the right field; refusals from the services land on the form through `call_service`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ilm.cases.models import Worker
from ilm.network.models import Country, Gender
from ilm.recruitment import services
from ilm.recruitment.models import (
    Employment,
    FeeType,
    PaidTo,
    PolicyKind,
    RepaymentMethod,
    VerificationMethod,
)

DATE = forms.DateInput(attrs={"type": "date"})


class SurveyForm(forms.Form):
    site: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("Site"))
    surveyed_on = forms.DateField(label=_("Date"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["site"].label_from_instance = lambda site: f"{site.name} — {site.supplier.name}"  # type: ignore[attr-defined]


class ReachForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices])
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=Country.objects.all())
    count = forms.IntegerField(label=_("Workers reached"), min_value=0, max_value=1_000_000)


ReachFormSet = forms.formset_factory(ReachForm, extra=2, can_delete=True)


class ResponseForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Worker already recorded"), queryset=Worker.objects.none(), required=False)
    full_name = forms.CharField(label=_("Or a new worker: name"), required=False, max_length=200)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.OTHER, required=False)
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=Country.objects.all(), required=False)
    employment = forms.ChoiceField(label=_("Employment"), choices=Employment.choices, initial=Employment.CURRENT)
    repayment_due_by = forms.DateField(label=_("Repayment due by"), required=False, widget=DATE)
    repayment_plan = forms.CharField(
        label=_("Repayment plan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, workers: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("worker", "full_name", "gender", "nationality"):
                del self.fields[name]
        else:
            self.fields["worker"].queryset = workers  # type: ignore[attr-defined]
            # Never the name in a list a page renders: the worker's code and demographics.
            self.fields["worker"].label_from_instance = lambda w: f"W{w.pk} · {w.get_gender_display()}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "worker" in self.fields and not data.get("worker") and not (data.get("full_name") or "").strip():
            raise ValidationError(_("Choose a worker already recorded, or enter a new worker's name."))
        return data


class FeeLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fee_type = forms.ChoiceField(label=_("Fee type"), choices=[("", "—"), *FeeType.choices])
    amount = forms.CharField(label=_("Amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=_("Currency"), max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    paid_to = forms.ChoiceField(label=_("Paid to"), choices=[("", "—"), *PaidTo.choices])
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not self.has_changed():
            return data
        try:
            return services.clean_fee_line(dict(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class BaseFeeLineFormSet(forms.BaseFormSet[Any]):
    def _deleted(self, form: forms.Form) -> bool:
        return bool(self.can_delete and form.cleaned_data.get("DELETE"))

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() and not self._deleted(f)]
        if not kept:
            raise ValidationError(_("Enter at least one fee or cost the worker paid."))

    def lines(self) -> list[dict[str, Any]]:
        return [dict(f.cleaned_data) for f in self.forms if f.has_changed() and not self._deleted(f) and f.cleaned_data]


FeeLineFormSet = forms.formset_factory(FeeLineForm, formset=BaseFeeLineFormSet, extra=3, can_delete=True)


class OverrideForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Eligible for repayment"),
        choices=[("yes", _("Eligible")), ("no", _("Not eligible"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(label=_("Why"), max_length=300)


class RepaymentForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3)
    amount = forms.CharField(label=_("Amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=RepaymentMethod.choices)


class VerifyForm(forms.Form):
    how = forms.ChoiceField(label=_("How the worker confirmed"), choices=VerificationMethod.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Filled-in template (.xlsx)"))


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Supporting document"))


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Policy"), choices=PolicyKind.choices, widget=forms.RadioSelect)
    fee_types = forms.MultipleChoiceField(
        label=_("Fee types repaid"), choices=FeeType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
