"""drf-spectacular AutoSchema that documents the error responses every operation can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from ilm.api.errors import ErrorSerializer


class ILMAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = ["401", "403", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
        if self.method in ("PUT", "PATCH", "POST") and "{" in self.path:
            codes.append("409")
        if self.method == "GET" and self._is_list_view():
            codes.append("400")
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses


class OneObjectSchema(ILMAutoSchema):
    """For a ViewSet whose `list` answers one object (a set of indicators, a dashboard), not an array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ilm.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`ilm_<prefix>_<secret>`), created on the API tokens page.",
        }


# Integer bounds that come from the database column type, not from ILM's rules. They differ between
# SQLite and PostgreSQL, and the committed schema must be the same whichever database generated it.
_DATABASE_INTEGER_LIMITS = {2**15 - 1, -(2**15), 2**31 - 1, -(2**31), 2**63 - 1, -(2**63)}


def strip_database_integer_limits(result: Any, generator: Any, request: Any, public: Any) -> Any:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("maximum", "minimum"):
                if isinstance(node.get(key), int) and node[key] in _DATABASE_INTEGER_LIMITS:
                    del node[key]
            if node.get("format") == "int64":  # derived from the same column ranges
                del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
