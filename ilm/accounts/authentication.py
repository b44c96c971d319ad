"""API authentication: personal tokens (`Authorization: Bearer ilm_...`) and verified sessions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ilm.accounts.models import ApiToken
from ilm.accounts.services import api_token_authenticate, user_requires_two_factor


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = api_token_authenticate(raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, expired or revoked."))
        membership = token.membership
        request._request.membership = membership  # type: ignore[attr-defined]
        return membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, but only once two-factor sign-in is complete where it is required."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not user.is_verified() and user_requires_two_factor(user):
            return None
        return result
