"""Forms of the Ethical Performance Scores pages: start an assessment, and score its 14 sub-indicators."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ilm.indicators.models import AXIS_SUB_INDICATORS, SCALE, Axis, Score, SubIndicator, quarter_label, quarter_of
from ilm.indicators.suggestions import Suggestion
from ilm.network.models import Organisation

NA = "na"


def recent_quarters(today: datetime.date | None = None, count: int = 8) -> list[tuple[str, str]]:
    """This quarter and the ones before it, newest first, as (code, label) choices."""
    year, quarter = quarter_of(today or timezone.localdate())
    choices = []
    for _i in range(count):
        label = quarter_label(year, quarter)
        choices.append((label, label))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return choices


class AssessmentCreateForm(forms.Form):
    business: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Business")
    )
    period = forms.ChoiceField(label=_("Quarter"), choices=())
    summary = forms.CharField(
        label=_("Overall comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, businesses: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["business"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = businesses
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = recent_quarters()


VALUE_CHOICES = [(str(v), str(v)) for v in SCALE] + [(NA, _("n/a"))]


class ScoresForm(forms.Form):
    """Three fields per sub-indicator: `<code>-value` (1..5 or n/a), `<code>-comment`, `<code>-accept`."""

    summary = forms.CharField(
        label=_("Overall comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, scores: dict[str, Score], suggestions: dict[str, Suggestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.scores = scores
        for code, label in SubIndicator.choices:
            score = scores.get(code)
            initial = "" if score is None else (NA if score.value is None else str(score.value))
            self.fields[f"{code}-value"] = forms.ChoiceField(
                label=label,
                choices=VALUE_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
                initial=initial,
            )
            self.fields[f"{code}-comment"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.comment if score else "",
            )
            suggestion = suggestions.get(code)
            if suggestion is not None and suggestion.value is not None:
                self.fields[f"{code}-accept"] = forms.BooleanField(
                    label=_("Accept the suggested score (%(value)s)") % {"value": suggestion.value},
                    required=False,
                    initial=bool(score and score.source == "suggestion" and score.value == suggestion.value),
                )

    def entries(self) -> list[dict[str, Any]]:
        """What the service takes: one entry per answered (or accepted) sub-indicator."""
        found = []
        for code in SubIndicator.values:
            raw = self.cleaned_data.get(f"{code}-value") or ""
            accept = bool(self.cleaned_data.get(f"{code}-accept"))
            comment = self.cleaned_data.get(f"{code}-comment") or ""
            if not raw and not accept:
                continue
            entry: dict[str, Any] = {"sub_indicator": code, "comment": comment, "accept_suggestion": accept}
            if raw:
                entry["value"] = None if raw == NA else raw
            found.append(entry)
        return found

    def groups(self) -> list[dict[str, Any]]:
        """The rows grouped by axis, for the template."""
        return [
            {
                "axis": axis,
                "label": Axis(axis).label,
                "rows": [
                    {
                        "code": code,
                        "label": SubIndicator(code).label,
                        "value": self[f"{code}-value"],
                        "comment": self[f"{code}-comment"],
                        "accept": self[f"{code}-accept"] if f"{code}-accept" in self.fields else None,
                        "suggestion": self.suggestions.get(code),
                        "errors": self.errors.get(f"{code}-value", []),
                    }
                    for code in AXIS_SUB_INDICATORS[axis]
                ],
            }
            for axis in Axis.values
        ]
