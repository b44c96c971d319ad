"""API v1 endpoints of the surveys app (registered on the v1 router by `register`)."""

from __future__ import annotations

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the v1 router."""
