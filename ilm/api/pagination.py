from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Stable cursor pagination on the primary key: the same cost on page 1 and page 1,000."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # DRF itself sets a lazy translation here; the stubs type it as str.
    invalid_cursor_message = _("The cursor is not valid; start again from the first page.")  # type: ignore[assignment]

    def decode_cursor(self, request: Any) -> Any:
        # A malformed cursor is a bad request (400), not a missing resource.
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [str(exc.detail)]}) from exc
