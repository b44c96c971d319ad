"""The dashboard's period and drill-down: one form for the page (ilm/dashboards/views.py) and the API
(ilm/dashboards/api.py), so both accept and refuse the same input with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.core.api_fields import BoundedDateField
from ilm.dashboards import selectors as dashboard

DATE = forms.DateInput(attrs={"type": "date"})


class WindowForm(forms.Form):
    """The period and, for a drill-down, one business (by id: the links of the "by business" table carry it;
    a business the viewer does not read is refused, never looked up)."""

    # Days the period's arithmetic can work with (the page and the API: never a server error).
    date_from = BoundedDateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE)
    date_to = BoundedDateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE)
    business = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.chosen_business: Any = None

    def clean_business(self) -> int | None:
        pk = self.cleaned_data.get("business")
        if pk is None:
            return None
        self.chosen_business = dashboard.drill_down_businesses(self.membership).filter(pk=pk).first()
        if self.chosen_business is None:
            raise forms.ValidationError(_("That business is not one whose issues you can see."))
        return int(pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The end is before the start."))
        # The period shown ends today when no end is given: the limit holds for that period too.
        if start and ((end or timezone.localdate()) - start).days > 366 * 5:
            raise forms.ValidationError(_("Choose at most five years."))
        return data

    def window(self) -> dashboard.Window:
        default = dashboard.Window.last_months(12)
        if not self.is_valid():
            return default
        end = self.cleaned_data.get("date_to") or default.end
        start = self.cleaned_data.get("date_from") or dashboard.Window.last_months(12, today=end).start
        return dashboard.Window(start, end, self.cleaned_data.get("business"))
