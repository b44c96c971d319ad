"""What each membership may read of accounts: members, invitations, tokens."""

from __future__ import annotations

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
