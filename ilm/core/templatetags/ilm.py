"""Template filters: dates and numbers in the reader's language (CLDR data through Babel)."""

from __future__ import annotations

import datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from django import template
from django.utils import timezone

from ilm.core.languages import current_babel_locale

register = template.Library()


def _locale() -> Locale:
    return current_babel_locale()


@register.filter
def ldate(value: Any, length: str = "medium") -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value, length, locale=_locale())


@register.filter
def ldatetime(value: Any, length: str = "medium") -> str:
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_datetime(value, length, locale=_locale())


@register.filter
def lnumber(value: Any) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=_locale())


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()
