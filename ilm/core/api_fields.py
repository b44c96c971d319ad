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
