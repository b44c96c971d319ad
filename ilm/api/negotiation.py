"""Content negotiation for download actions."""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation


class FileDownloadNegotiation(BaseContentNegotiation):
    """Download actions answer with the file (a plain FileResponse, never rendered) whatever the
    client's Accept header asks for, and with JSON errors; so content negotiation never says 406."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> Any:
        return (renderers[0], renderers[0].media_type)
