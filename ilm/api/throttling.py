"""Every API request is rate-limited per user: by the view's `throttle_scope`, or the "default" rate."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class DefaultScopedThrottle(ScopedRateThrottle):
    def get_rate(self) -> str | None:
        # Read the rates now, not at import, so settings overrides (tests, the benchmark) apply.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(str(self.scope))
        return None if rate is None else str(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None) or "default"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)
