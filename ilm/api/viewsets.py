"""Base viewset: tenancy-scoped reads, separate input and output serializers, writes via services."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from ilm.core.tenancy import ScopedAPIMixin


class ScopedViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """`queryset` only names the model (for the schema); rows always come from `scope_selector`."""

    output_serializer: type[serializers.Serializer]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return self.output_serializer

    @property
    def membership(self) -> Any:
        return self.request.membership

    def validated(
        self, serializer_class: type[serializers.Serializer], *, partial: bool = False, instance: Any = None
    ) -> dict[str, Any]:
        serializer = serializer_class(
            instance=instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, obj: Any, status: int = 200) -> Response:
        return Response(self.output_serializer(obj, context=self.get_serializer_context()).data, status=status)

    def reload(self, obj: Any) -> Any:
        """Re-read a written object through the scope (so annotations and visibility apply)."""
        return self.get_queryset().get(pk=obj.pk)


class ReadOnlyScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass
