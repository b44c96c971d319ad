"""Deployment checks of ILM's own (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def shared_cache(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Visibility scopes, rate limits and lockout counters live in the cache: every app process must
    see the same one, or a revoked link keeps granting access in another process."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is local to each process.",
                hint="Set CACHE_URL to a shared cache (dbcache://ilm_cache or Redis); see docs/deploy.md.",
                id="ilm.W001",
            )
        ]
    return []
