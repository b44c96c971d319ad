"""The public job pages, cached for anonymous readers.

Jobseekers read the board on cheap phones, often many at once after an outreach event; the list and a
vacancy's page are the same for every anonymous reader of one language, so they are kept in the cache
for `PUBLIC_CACHE_SECONDS`, keyed by the language and the full address (filters and page included).
Any change to a vacancy, its fees or translations, or its employer's reviews bumps a version number that
is part of every key (signals in ilm/jobs/apps.py): a closed vacancy leaves the board at once, not a
minute later. Signed-in readers (an employer previewing its drafts, a CSO member applying for someone) are
never served from or written to the cache, nor are pages that set a cookie or carry a form token.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

PUBLIC_CACHE_SECONDS = 60
VERSION_KEY = "jobs:public:version"


def public_pages_changed(**_kwargs: Any) -> None:
    """Forget every cached public page (signal receiver; also callable directly)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def _key(request: HttpRequest) -> str:
    version = cache.get_or_set(VERSION_KEY, 1, None)
    raw = f"{version}|{translation.get_language()}|{request.get_full_path()}"
    return "jobs:public:page:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def cached_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.method != "GET" or (user is not None and user.is_authenticated):
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
            and not getattr(request, "META", {}).get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
        ):
            cache.set(key, (response.content, response["Content-Type"]), PUBLIC_CACHE_SECONDS)
        return response

    return wrapped
