from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ilm.accounts.selectors import memberships_of
from ilm.core.permissions import Action, can


def acting_membership(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if membership is None or user is None or not user.is_authenticated:
        return {"membership": None}

    return {
        "membership": membership,
        "memberships": lambda: list(memberships_of(request.user)),  # type: ignore[arg-type]
        "may": {action.name.lower(): can(membership, action) for action in Action},
    }
