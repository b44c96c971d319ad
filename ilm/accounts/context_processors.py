from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ilm.accounts.selectors import memberships_of
from ilm.accounts.services import user_requires_two_factor
from ilm.core.languages import language_choices
from ilm.core.permissions import Action, can, is_verified


def acting_membership(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    base: dict[str, Any] = {"language_choices": language_choices()}
    if user is not None and user.is_authenticated and not is_verified(user):
        base["two_factor_pending"] = user_requires_two_factor(user)
    if membership is None or user is None or not user.is_authenticated:
        return base | {"membership": None}

    return base | {
        "membership": membership,
        "memberships": lambda: list(memberships_of(request.user)),  # type: ignore[arg-type]
        "may": {action.name.lower(): can(membership, action) for action in Action},
    }
