"""The main menu's groups: which one holds the page being shown (its summary is marked, so that a reader sees
where they are while the group is closed). The links themselves and who sees each are in base.html."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

IMPROVEMENT_APPS = frozenset({"plans", "indicators", "recruitment", "surveys", "jobs"})
ADMINISTRATION_PAGES = frozenset({"members", "audit", "tokens"})


def section_of(app_name: str, url_name: str) -> str | None:
    """ "network", "improvement", "settings" or None (a page at the menu's top level, or in none)."""
    if app_name == "network":
        return "network"
    if app_name in IMPROVEMENT_APPS:
        return "improvement"
    if url_name in ADMINISTRATION_PAGES:
        return "settings"
    return None


def nav_section(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_section` for base.html."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": None}
    return {"nav_section": section_of(match.app_name or "", match.url_name or "")}
