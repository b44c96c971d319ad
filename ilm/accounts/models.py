"""Users, their memberships of organisations, invitations, API tokens and two-factor devices."""

from __future__ import annotations

import hashlib
import os
import re
import time
from base64 import b32encode
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP
from simple_history.models import HistoricalRecords

from ilm.core.fields import EncryptedTextField
from ilm.core.permissions import Role


def _new_security_stamp() -> str:
    return os.urandom(16).hex()


class User(AbstractUser):
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Changed when the second factor or the password changes: every other session then ends.
    security_stamp = models.CharField(max_length=32, default=_new_security_stamp, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django signs sessions with the password hash; ILM adds the security stamp.
        return salted_hmac(
            "ilm.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def renew_security_stamp(self) -> None:
        self.security_stamp = _new_security_stamp()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True, organisation__is_active=True)


class Membership(models.Model):
    """A user's place in one organisation, with one role. A user acts in one membership at a time."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_membership_per_user_and_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def organisation_kind(self) -> str:
        return str(self.organisation.kind)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def audit_organisation_id(self) -> int:
        return self.organisation_id


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Invitation(models.Model):
    """An org admin's invitation, by e-mail, to join with a role. The link's token is stored hashed."""

    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def digest_for(token: str) -> str:
        return _token_digest(token)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def audit_organisation_id(self) -> int:
        return self.organisation_id


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            membership__revoked_at__isnull=True,
            membership__user__is_active=True,
            membership__organisation__is_active=True,
        )


class ApiToken(models.Model):
    """A personal API token for one membership: shown once, stored as a SHA-256 digest.

    Format: ``ilm_<prefix>_<secret>``; the prefix (not secret) finds the row, the digest
    of the whole token proves it.
    """

    PREFIX = "ilm"
    MAX_LIFETIME = timedelta(days=366)

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}_{self.prefix}_…)"

    @staticmethod
    def digest_for(token: str) -> str:
        return _token_digest(token)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def audit_organisation_id(self) -> int:
        return self.membership.organisation_id


def _new_totp_key() -> str:
    return os.urandom(20).hex()


class TOTPDevice(ThrottlingMixin, Device):
    """A time-based one-time-password authenticator (RFC 6238) whose secret is encrypted at rest."""

    # django-otp ships no types, so the stubs plugin cannot see Device's manager; naming it here
    # lets it type the reverse managers (user.totpdevice_set). Annotation only: no runtime effect.
    _default_manager: ClassVar[models.Manager[TOTPDevice]]

    key = EncryptedTextField(purpose="accounts.totp.key", default=_new_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def _totp(self) -> TOTP:
        totp = TOTP(self.bin_key, self.step, 0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def verify_token(self, token: Any) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        text = str(token).strip().replace(" ", "")
        verified = False
        if re.fullmatch(r"[0-9]+", text) and len(text) == self.digits:
            totp = self._totp()
            verified = bool(totp.verify(int(text), self.tolerance, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def current_token(self) -> str:
        """The code an authenticator app shows right now (used by the demo and tests)."""
        return str(self._totp().token()).zfill(self.digits)

    @property
    def secret_base32(self) -> str:
        return b32encode(self.bin_key).decode("ascii")

    @property
    def config_url(self) -> str:
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "ILM")).replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {"secret": self.secret_base32, "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"

    def get_throttle_factor(self) -> int:
        return 1


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes for when the authenticator is lost. Codes are stored hashed."""

    _default_manager: ClassVar[models.Manager[RecoveryCodeDevice]]  # see TOTPDevice

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")

    @staticmethod
    def normalize(code: str) -> str:
        return "".join(ch for ch in code.lower() if ch.isalnum())

    def verify_token(self, token: Any) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        digest = _token_digest(self.normalize(str(token)))
        updated = self.codes.filter(digest=digest, used_at__isnull=True).update(used_at=timezone.now())
        if updated:
            self.throttle_reset(commit=True)
            return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code {self.pk}"
