"""Forms of the fee-survey pages. Checks that the services make again (so the API gets them too) are
shown beside the right field; refusals from the services land on the form through `call_service`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.cases.models import Worker
from ilm.network.models import Country, Gender
from ilm.recruitment import services
from ilm.recruitment.models import (
    BrokerReportStatus,
    Employment,
    FeeType,
    Intervention,
    NetworkRole,
    PaidTo,
    PolicyKind,
    ReferralOutcome,
    ReferralService,
    RepaymentMethod,
    ReportingMechanism,
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


# --- Ethical Recruitment Networks ------------------------------------------------------------------------


class NetworkForm(forms.Form):
    origin_country = forms.ModelChoiceField(label=_("Origin country"), queryset=Country.objects.all())
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["origin_country"]
        else:
            del self.fields["is_active"]


class MemberForm(forms.Form):
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=NetworkRole.choices, initial=NetworkRole.MEMBER)
    joined_on = forms.DateField(label=_("Member since"), required=False, widget=DATE)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].label_from_instance = (  # type: ignore[attr-defined]
            lambda org: f"{org.name} ({org.get_kind_display()})"
        )


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=NetworkRole.choices)
    left_on = forms.DateField(label=_("Left the network on"), required=False, widget=DATE)


_NUMBER = forms.TextInput(attrs={"inputmode": "decimal"})


class BrokerReportForm(forms.Form):
    broker_name = forms.CharField(
        label=_("Broker's name or alias"),
        max_length=200,
        help_text=_("Seen only by the network's members and the technical partner; every view is recorded."),
    )
    area = forms.CharField(label=_("Area or district"), max_length=200)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    fee_amount = forms.CharField(label=_("Fee charged"), max_length=20, required=False, widget=_NUMBER)
    fee_currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, widget=forms.TextInput(attrs={"size": 4})
    )
    fee_for = forms.CharField(label=_("Charged for"), max_length=300, required=False)
    jobseekers_charged = forms.IntegerField(label=_("Jobseekers charged"), min_value=0, required=False)
    intervention = forms.ChoiceField(label=_("Intervention"), choices=Intervention.choices)
    intervention_notes = forms.CharField(
        label=_("What was done"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    repaid_amount = forms.CharField(label=_("Fees paid back"), max_length=20, required=False, widget=_NUMBER)
    repaid_currency = forms.CharField(
        label=_("Currency paid back"), max_length=3, required=False, widget=forms.TextInput(attrs={"size": 4})
    )
    jobseekers_repaid = forms.IntegerField(label=_("Jobseekers paid back"), min_value=0, required=False)
    referred_to = forms.ChoiceField(
        label=_("Referred to a reporting mechanism"),
        choices=[("", _("Not referred")), *ReportingMechanism.choices],
        required=False,
    )
    referred_on = forms.DateField(label=_("Referred on"), required=False, widget=DATE)
    referral_reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BrokerReportStatus.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            return services.clean_broker_report(dict(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class OutreachEventForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    language = forms.ChoiceField(label=_("Language"))
    materials = forms.CharField(
        label=_("Materials"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ilm.jobs.models import language_choices

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *language_choices()]  # type: ignore[attr-defined]
        for gender, label in Gender.choices:
            self.fields[f"reached_{gender}"] = forms.IntegerField(
                label=_("Jobseekers reached: %(gender)s") % {"gender": label},
                min_value=0,
                max_value=1_000_000,
                required=False,
                initial=0,
            )

    def reach(self) -> dict[str, int]:
        return {gender: self.cleaned_data.get(f"reached_{gender}") or 0 for gender in Gender.values}

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("reached_")}
        return {**data, "reach": self.reach()}


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Referred to"), choices=[("", "—"), *ReferralService.choices])
    service_name = forms.CharField(label=_("Name of the service"), max_length=200)
    referred_on = forms.DateField(label=_("Date"), widget=DATE)
    worker = forms.ModelChoiceField(
        label=_("Jobseeker (optional, a worker your CSO recorded)"), queryset=Worker.objects.none(), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices, initial=ReferralOutcome.PENDING)
    outcome_note = forms.CharField(
        label=_("Note on the outcome"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if workers is None:
            del self.fields["worker"]
        else:
            self.fields["worker"].queryset = workers  # type: ignore[attr-defined]
            # Never the name in a list a page renders: the worker's code and gender.
            self.fields["worker"].label_from_instance = lambda w: f"W{w.pk} · {w.get_gender_display()}"  # type: ignore[attr-defined]


class ErnFilterForm(forms.Form):
    """Filters of the ERN lists (the network is in the URL or chosen here)."""

    network: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Network"), queryset=None, required=False)
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE)

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks  # type: ignore[attr-defined]
