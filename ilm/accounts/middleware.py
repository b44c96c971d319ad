"""Session lifetime, the acting membership, the user's language, and two-factor enforcement."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ilm.accounts.models import Membership
from ilm.accounts.services import user_requires_two_factor
from ilm.core.permissions import is_verified

SESSION_SIGNED_IN_AT = "ilm_signed_in_at"
SESSION_MEMBERSHIP = "ilm_membership_id"

Handler = Callable[[HttpRequest], HttpResponse]


class SessionLifetimeMiddleware:
    """Sign out 12 hours after sign-in, however active (idle expiry is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            if signed_in_at is None or time.time() - float(signed_in_at) > settings.ILM_SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
        return self.get_response(request)


def _acting_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.active().select_related("organisation").filter(user=request.user)
    wanted = request.session.get(SESSION_MEMBERSHIP)
    chosen = memberships.filter(pk=wanted).first() if wanted else None
    return chosen or memberships.order_by("organisation__name", "pk").first()


class ActingMembershipMiddleware:
    """`request.membership`: the one membership the signed-in user acts for (switchable in the header)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Eager, not lazy: code compares it with None, which a lazy wrapper never is.
        request.membership = _acting_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


# Pages a signed-in person must reach before proving a second factor. Everything else, including
# the API tokens and members pages, waits until two-factor sign-in is done. The API checks its own
# credentials (a session there must be verified too: VerifiedSessionAuthentication).
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password-reset/",
    "/accounts/invitation/",
    "/i18n/",
    "/static/",
    "/api/",
)


class TwoFactorRequiredMiddleware:
    """Members who must use two-factor sign-in reach no page before they have verified a code."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not is_verified(user)
            and user_requires_two_factor(user)
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()
            target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs sign-in unless marked @login_not_required; the API checks its own credentials."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[Any, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
