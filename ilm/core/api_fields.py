"""Serializer and filter fields that turn out-of-range input into a 400, never a 500."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


class SafeDateTimeField(serializers.DateTimeField):
    """A date-time between the years 1900 and 9000; anything the database cannot store is refused."""

    default_error_messages = {"range": _("Give a date between the years 1900 and 9000.")}

    def to_internal_value(self, value: Any) -> datetime.datetime:
        try:
            parsed = super().to_internal_value(value)
            in_range = EARLIEST <= parsed <= LATEST
        except (OverflowError, ValueError):
            in_range = False
        if not in_range:
            self.fail("range")
        return parsed


class _BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def clean(self, value: Any) -> Any:
        try:
            parsed = super().clean(value)
            in_range = parsed is None or EARLIEST <= parsed <= LATEST
        except (OverflowError, ValueError):
            in_range = False
        if not in_range:
            raise forms.ValidationError(_("Give a date between the years 1900 and 9000."), code="range")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _BoundedIsoDateTimeField


RANGE_MESSAGE = _("Give a date between the years 1900 and 9000.")


def _day_in_range(day: datetime.date | None) -> bool:
    return day is None or EARLIEST.date() <= day < LATEST.date()


class BoundedDateField(forms.DateField):
    """A form's day between the years 1900 and 9000, so that period arithmetic on it (the next midnight, a
    month later) never overflows into a server error."""

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        if not _day_in_range(day):
            raise forms.ValidationError(RANGE_MESSAGE, code="range")
        return day


class SafeDateField(serializers.DateField):
    """A serializer's day between the years 1900 and 9000 (as BoundedDateField)."""

    default_error_messages = {"range": RANGE_MESSAGE}

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        if not _day_in_range(day):
            self.fail("range")
        return day
