"""What each membership may read of accounts: members, invitations, tokens."""

from __future__ import annotations

import secrets

from django.db.models import QuerySet

from ilm.accounts.models import ApiToken, Invitation, Membership, User
from ilm.core.permissions import Action, can


def membership_list(*, membership: Membership) -> QuerySet[Membership]:
    """Your colleagues' memberships; the technical partner's staff see every organisation's."""
    queryset = Membership.objects.select_related("user", "organisation")
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return queryset
    return queryset.filter(organisation_id=membership.organisation_id)


def invitation_list(*, membership: Membership) -> QuerySet[Invitation]:
    queryset = Invitation.objects.select_related("organisation", "invited_by__user")
    if can(membership, Action.VIEW_WHOLE_NETWORK) and can(membership, Action.MANAGE_MEMBERS):
        return queryset
    if can(membership, Action.MANAGE_MEMBERS):
        return queryset.filter(organisation_id=membership.organisation_id)
    return queryset.none()


def api_token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    """Your own tokens, across your memberships."""
    return ApiToken.objects.select_related("membership__organisation").filter(membership__user_id=membership.user_id)


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.active().select_related("organisation").order_by("organisation__name")


def dangerously_invitation_for_token(token: str) -> Invitation | None:
    """Unscoped: the open invitation whose link carries this secret (the secret is the capability)."""
    invitation = Invitation.objects.select_related("organisation").filter(digest=Invitation.digest_for(token)).first()
    return invitation if invitation is not None and invitation.is_open else None


def dangerously_api_token_for_secret(raw: str) -> ApiToken | None:
    """Unscoped: the usable token whose secret this is. Constant-time comparison of the digest."""
    if not raw.isascii() or not raw.isprintable():
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != ApiToken.PREFIX or not parts[1].isalnum():
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("membership__organisation", "membership__user")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not secrets.compare_digest(token.digest, ApiToken.digest_for(raw)):
        return None
    return token
