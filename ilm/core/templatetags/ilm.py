"""Template filters: dates and numbers in the reader's language (CLDR data through Babel)."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.units import format_unit
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


@register.filter
def lvalue(value: Any) -> Any:
    """A table cell: numbers in the reader's format, anything else (a word, "fewer than 5") as it is. A Decimal
    (a score, the mean of its sub-indicators) shows its two places ("2.60", as on the scores pages), so that a
    column of them lines up."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00", locale=_locale())
    return lnumber(value)


@register.filter
def lfilesize(value: Any) -> str:
    """A file size in the reader's number format: kB up to a megabyte (rounded up), then MB to one decimal."""
    if value is None or value == "":
        return ""
    size = int(value)
    if size < 1024 * 1024:
        return format_unit(max(1, math.ceil(size / 1024)), "digital-kilobyte", length="short", locale=_locale())
    return format_unit(
        round(size / (1024 * 1024), 1), "digital-megabyte", length="short", format="#,##0.#", locale=_locale()
    )


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced, or dropped when given None (for pagination)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def language_name(code: Any) -> str:
    """A language code ("my") as the language's own name ("မြန်မာ"), as the language pickers show it: a bare
    code reads like a word ("my"). Unknown codes are shown as they are."""
    if not code:
        return ""
    from ilm.core.languages import NATIVE_NAMES, babel_locale

    if code in NATIVE_NAMES:
        return NATIVE_NAMES[code]
    locale = babel_locale(str(code))
    name = locale.get_display_name(locale) if str(locale) != "en" or code == "en" else None
    return name or str(code)
