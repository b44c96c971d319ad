"""Filter types shared by the API's filter sets."""

from __future__ import annotations

import django_filters
from django import forms

# The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An object id (or another whole number such as a year): a whole number the database can hold. A
    decimal, a float or a number past 64 bits is a 400 with the field named, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        return None  # the field's own max_value applies
