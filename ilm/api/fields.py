"""Serializer fields shared by the API's apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
    """An id of an object the acting membership can see through `selector` (narrowed by `narrow`); any
    other id reads as "does not exist", as a 404 would: the answer never says that it exists elsewhere."""

    def __init__(self, selector: Any, narrow: Q | None = None, **kwargs: Any) -> None:
        self.selector, self.narrow = selector, narrow
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        queryset = self.selector(membership=self.context["request"].membership)
        return queryset.filter(self.narrow) if self.narrow is not None else queryset
