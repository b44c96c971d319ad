from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request


class HasActingMembership(permissions.BasePermission):
    """Signed in (token, or a session that finished two-factor sign-in) and acting for an organisation."""

    message = _("Sign in, or send a valid API token, to use the API.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        return getattr(request, "membership", None) is not None
