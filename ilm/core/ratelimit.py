"""A small fixed-window rate limiter on the shared cache, for sign-in, reset and token endpoints."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ilm.core import context


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the caller is within `limit` attempts per `window` seconds."""
    slot = int(time.time() // window)
    cache_key = f"ilm:rl:{bucket}:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def rate_limited(bucket: str, *, limit: int, window: int, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """Limit a view per client address; over the limit it answers 429 with a translated page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                client = context.current().ip or "unknown"
                if not hit(bucket, client, limit=limit, window=window):
                    return render(
                        request,
                        "core/error.html",
                        {
                            "title": _("Too many attempts"),
                            "message": _("Too many attempts from your connection. Wait a while and try again."),
                        },
                        status=429,
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
