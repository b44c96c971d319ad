"""Writes for accounts: invitations, memberships, API tokens, two-factor devices, preferences."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.accounts import selectors, tasks
from ilm.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    RecoveryCode,
    RecoveryCodeDevice,
    TOTPDevice,
    User,
)
from ilm.core import audit
from ilm.core.permissions import Action, can, requires_two_factor, role_allowed

INVITATION_LIFETIME = timedelta(days=7)
RECOVERY_CODE_COUNT = 10


def _may_manage_members_of(actor: Membership, organisation_id: int) -> bool:
    if can(actor, Action.VIEW_WHOLE_NETWORK) and can(actor, Action.MANAGE_MEMBERS):
        return True
    return can(actor, Action.MANAGE_MEMBERS) and actor.organisation_id == organisation_id


def user_requires_two_factor(user: User) -> bool:
    """Anyone with a membership that can see worker identity, and every administrator."""
    return (
        any(
            requires_two_factor(m.organisation.kind, m.role)
            for m in user.memberships.active().select_related("organisation")
        )
        or user.is_staff
        or user.is_superuser
    )


# --- invitations and memberships ---------------------------------------------------------


@transaction.atomic
def invitation_create(*, actor: Membership, organisation: Any, email: str, role: str, base_url: str) -> Invitation:
    if not _may_manage_members_of(actor, organisation.pk):
        raise PermissionDenied(_("Your role does not allow this."))
    if not role_allowed(organisation.kind, role):
        raise ValidationError({"role": _("This role does not exist for this kind of organisation.")})
    email = User.objects.normalize_email(email.strip()).lower()
    if Membership.objects.active().filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        digest=Invitation.digest_for(secrets.token_urlsafe(32)),  # replaced when the e-mail is sent
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    audit.record("invitation.created", membership=actor, obj=invitation, detail={"role": role})
    # Only the id travels through the task queue: the link's secret is made when the e-mail is sent,
    # so the queue's table never holds a usable invitation.
    transaction.on_commit(lambda: tasks.send_invitation_email.enqueue(invitation.pk, base_url))
    return invitation


def invitation_issue_token(*, invitation_id: int) -> str | None:
    """A fresh secret for the invitation's link (only its digest is kept), or None if no longer open."""
    token = secrets.token_urlsafe(32)
    updated = Invitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(digest=Invitation.digest_for(token))
    return token if updated else None


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Join the organisation: as a signed-in user, or by creating an account with a new password."""
    invitation = Invitation.objects.select_for_update().select_related("invited_by").get(pk=invitation.pk)
    inviter = invitation.invited_by
    if not invitation.is_open or inviter is None or not Membership.objects.active().filter(pk=inviter.pk).exists():
        raise ValidationError(_("This invitation is no longer valid."))
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This username is taken.")})
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail exists: sign in first, then open the link."))
        user = User(username=username, email=invitation.email, first_name=first_name, last_name=last_name)
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    if Membership.objects.active().filter(user=user, organisation=invitation.organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    membership = Membership.objects.create(user=user, organisation=invitation.organisation, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record("invitation.accepted", membership=membership, obj=invitation)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    if not _may_manage_members_of(actor, invitation.organisation_id):
        raise PermissionDenied(_("Your role does not allow this."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record("invitation.revoked", membership=actor, obj=invitation)
    return invitation


@transaction.atomic
def membership_create(*, actor: Membership | None, user: User, organisation: Any, role: str) -> Membership:
    """Add an existing user directly (technical partner, the demo, tests)."""
    if actor is not None and not _may_manage_members_of(actor, organisation.pk):
        raise PermissionDenied(_("Your role does not allow this."))
    if not role_allowed(organisation.kind, role):
        raise ValidationError({"role": _("This role does not exist for this kind of organisation.")})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record("membership.created", membership=actor, obj=membership, detail={"role": role})
    return membership


@transaction.atomic
def membership_change_role(
    *, actor: Membership, membership: Membership, role: str, expected_version: int | None = None
) -> Membership:
    if not _may_manage_members_of(actor, membership.organisation_id):
        raise PermissionDenied(_("Your role does not allow this."))
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    if expected_version is not None and membership.version != expected_version:
        from ilm.core.errors import Conflict

        raise Conflict(_("Someone else changed this while you were editing. Reload to see their change."))
    if not role_allowed(membership.organisation.kind, role):
        raise ValidationError({"role": _("This role does not exist for this kind of organisation.")})
    if membership.role == "admin" and role != "admin":
        _keep_one_admin(membership)
    if role != membership.role:
        old = membership.role
        membership.role = role
        membership.version += 1
        membership.save(update_fields=["role", "version"])
        audit.record("membership.role_changed", membership=actor, obj=membership, detail={"from": old, "to": role})
    return membership


def _keep_one_admin(membership: Membership) -> None:
    others = Membership.objects.active().filter(organisation_id=membership.organisation_id, role="admin")
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError(_("An organisation needs at least one administrator."))


@transaction.atomic
def membership_revoke(*, actor: Membership, membership: Membership) -> Membership:
    if not _may_manage_members_of(actor, membership.organisation_id):
        raise PermissionDenied(_("Your role does not allow this."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is None:
        if membership.role == "admin":
            _keep_one_admin(membership)
        membership.revoked_at = timezone.now()
        membership.version += 1
        membership.save(update_fields=["revoked_at", "version"])
        membership.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        # Invitations this member sent must not outlive their access.
        Invitation.objects.filter(invited_by=membership, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record("membership.revoked", membership=actor, obj=membership)
    return membership


# --- API tokens --------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, actor: Membership, name: str, expires_at: datetime, from_token: bool = False
) -> tuple[ApiToken, str]:
    """Create a token for the acting membership. Returns the token and its secret, shown once.

    Refused when the request itself came with a token: a token carries no second factor, so it must
    not be able to mint longer-lived tokens that outlive its own revocation."""
    if from_token:
        raise PermissionDenied(_("Create API tokens on the API tokens page, signed in with two-factor sign-in."))
    now = timezone.now()
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the token a name.")
    if expires_at <= now:
        errors["expires_at"] = _("The expiry date must be in the future.")
    elif expires_at > now + ApiToken.MAX_LIFETIME:
        errors["expires_at"] = _("A token can live at most one year.")
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(6)
    secret = f"{ApiToken.PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=actor, name=name.strip(), prefix=prefix, digest=ApiToken.digest_for(secret), expires_at=expires_at
    )
    audit.record("api_token.created", membership=actor, obj=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    if token.membership.user_id != actor.user_id and not (
        can(actor, Action.MANAGE_MEMBERS) and token.membership.organisation_id == actor.organisation_id
    ):
        raise PermissionDenied(_("Your role does not allow this."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoked", membership=actor, obj=token)
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token for a raw `ilm_<prefix>_<secret>` value, or None. Records its last use."""
    token = selectors.dangerously_api_token_for_secret(raw)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- two-factor ----------------------------------------------------------------------------


def totp_device_pending(*, user: User, device_id: int | None) -> TOTPDevice:
    """This sign-in session's unconfirmed authenticator (by the id it keeps), or a new one.

    Each session gets its own secret: someone else who signs in with the same password before the
    owner finishes set-up never sees the secret the owner scans."""
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code from it; returns fresh recovery codes (shown once).

    Every other authenticator of the user goes, and every other session of the user ends."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start the set-up again."))
    if not device.verify_token(token):
        raise ValidationError({"token": _("That code is not right. Check the time on your phone and try again.")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.renew_security_stamp()
    user.save(update_fields=["security_stamp"])
    audit.record("two_factor.enabled", user=user, obj=device)
    return recovery_codes_regenerate(user=user)


def user_credentials_changed(*, user: User) -> None:
    """After a password change or reset: end the user's other sessions and revoke their API tokens."""
    user.renew_security_stamp()
    user.save(update_fields=["security_stamp"])
    revoked = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        "auth.credentials_changed",
        user=user,
        object_type="accounts.user",
        object_id=user.pk,
        detail={"tokens_revoked": revoked},
    )


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": _("Recovery codes"), "confirmed": True}
    )
    device.codes.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=ApiToken.digest_for(RecoveryCodeDevice.normalize(code))) for code in codes
    )
    audit.record("two_factor.recovery_codes_issued", user=user, obj=device)
    return codes


def user_set_language(*, user: User, language: str) -> None:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("This language is not available.")})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
