"""Sign-in with two-factor, sign-out, password reset, invitations, members, API tokens, preferences."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from datetime import time as dtime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_otp import login as otp_login

from ilm.accounts import selectors, services
from ilm.accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    CodeForm,
    InvitationForm,
    LanguageForm,
    PasswordResetForm,
    RoleForm,
    SetupCodeForm,
    SignInForm,
)
from ilm.accounts.middleware import SESSION_MEMBERSHIP
from ilm.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    RecoveryCodeDevice,
    TOTPDevice,
    User,
)
from ilm.core import audit
from ilm.core.errors import Conflict
from ilm.core.forms import add_service_errors
from ilm.core.permissions import Action, can, is_verified
from ilm.core.ratelimit import rate_limited
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to

PENDING_2FA = "ilm_pending_2fa"
PENDING_DEVICE = "ilm_pending_totp_device"
PENDING_2FA_SECONDS = 300
SIGN_IN_ERROR = _("The username or password is not right.")


def _otp_login(request: HttpRequest, device: Any) -> None:
    """Mark the session verified with this device, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()


def _safe_next(request: HttpRequest, default: str = "dashboards:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown once an account or an address is locked; it never says whether the account exists."""
    form = SignInForm()
    message = _("Too many failed sign-ins. Sign-in is blocked for 30 minutes. If you forgot your password, reset it.")
    return render(request, "accounts/login.html", {"form": form, "lockout": message}, status=429)


@sensitive_post_parameters()
@login_not_required
@rate_limited("sign-in", limit=30, window=300)
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, SIGN_IN_ERROR)
        elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session.cycle_key()
            request.session[PENDING_2FA] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": _safe_next(request),
            }
            return redirect("accounts:login_verify")
        else:
            login(request, user)
            if services.user_requires_two_factor(user):
                return redirect("accounts:two_factor_setup")
            return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@sensitive_post_parameters()
@login_not_required
@rate_limited("sign-in-code", limit=30, window=300)
def login_verify_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_2FA)
    if not pending or time.time() - pending["at"] > PENDING_2FA_SECONDS:
        request.session.pop(PENDING_2FA, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = _verify_any_device(user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", problem)
            audit.record("auth.two_factor_failed", user=user, object_type="accounts.user", object_id=user.pk)
        else:
            request.session.pop(PENDING_2FA, None)
            login(request, user, backend=pending["backend"])
            _otp_login(request, device)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(request, _("You used a recovery code. %(n)s remain.") % {"n": device.remaining})
            return HttpResponseRedirect(pending.get("next") or reverse("dashboards:home"))
    return render(request, "accounts/login_verify.html", {"form": form})


CODE_WRONG = _("That code is not right.")
CODE_THROTTLED = _("Too many wrong codes. Wait a minute, then try again.")


def _verify_any_device(user: User, token: str) -> tuple[Any, str]:
    """The device that accepts the code, or None and the message to show."""
    throttled = False
    for model in (TOTPDevice, RecoveryCodeDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            if not device.verify_is_allowed()[0]:
                throttled = True
                continue
            if device.verify_token(token):
                return device, ""
    return None, CODE_THROTTLED if throttled else CODE_WRONG


@sensitive_post_parameters()
@login_not_required
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """A signed-in but unverified session (e.g. after an upgrade of the rules) proves its second factor."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = _verify_any_device(request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", problem)
            audit.record(
                "auth.two_factor_failed", user=request.user, object_type="accounts.user", object_id=request.user.pk
            )
        else:
            _otp_login(request, device)
            return redirect(_safe_next(request))
    return render(request, "accounts/login_verify.html", {"form": form})


@sensitive_post_parameters()
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not is_verified(user) and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Replacing an authenticator needs the current one (or a recovery code) first.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}")
    device = services.totp_device_pending(user=user, device_id=request.session.get(PENDING_DEVICE))
    request.session[PENDING_DEVICE] = device.pk
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=user,
                device=device,
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            user.refresh_from_db(fields=["security_stamp"])
            update_session_auth_hash(request, user)  # this session stays; every other one ends
            request.session.pop(PENDING_DEVICE, None)
            _otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            request.session["ilm_new_recovery_codes"] = codes
            return redirect("accounts:recovery_codes")
    qr = segno.make(device.config_url, error="m")
    qr_data = qr.svg_data_uri(scale=5, dark="#111", light="#fff")  # includes the xmlns an <img> needs
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_data": qr_data,
            "secret": " ".join(device.secret_base32[i : i + 4] for i in range(0, len(device.secret_base32), 4)),
            "required": services.user_requires_two_factor(user),
        },
    )


def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not is_verified(request.user):
            raise PermissionDenied
        request.session["ilm_new_recovery_codes"] = services.recovery_codes_regenerate(user=request.user)  # type: ignore[arg-type]
        return redirect("accounts:recovery_codes")
    codes = request.session.pop("ilm_new_recovery_codes", None)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
@login_not_required
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@require_POST
def switch_membership_view(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("membership", "")
    wanted_pk = int(wanted) if wanted.isascii() and wanted.isdecimal() else 0
    user: User = request.user  # type: ignore[assignment]
    membership = selectors.memberships_of(user).filter(pk=wanted_pk).first()
    if membership is None:
        messages.error(request, _("You are not a member of that organisation."))
    else:
        request.session[SESSION_MEMBERSHIP] = membership.pk
        audit.record("membership.switched", membership=membership, obj=membership)
        messages.success(request, _("You now act for %(org)s.") % {"org": membership.organisation.name})
    return redirect("dashboards:home")


def profile_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = LanguageForm(request.POST or None, initial={"language": user.preferred_language or request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        services.user_set_language(user=user, language=form.cleaned_data["language"])
        response = redirect("accounts:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.cleaned_data["language"],
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        return response
    recovery = RecoveryCodeDevice.objects.filter(user=user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "requires_two_factor": services.user_requires_two_factor(user),
            "recovery_remaining": recovery.remaining if recovery else 0,
            "memberships": selectors.memberships_of(user),
        },
        status=400 if form.errors else 200,
    )


# --- members and invitations -------------------------------------------------------------


def members_view(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None:
        raise PermissionDenied
    organisation = membership.organisation
    may_manage = can(membership, Action.MANAGE_MEMBERS)
    form = InvitationForm(request.POST or None, kind=organisation.kind)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invitation_create(
                    actor=membership,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("accounts:members")
    members = selectors.membership_list(membership=membership).filter(
        organisation=organisation, revoked_at__isnull=True
    )
    invitations = selectors.invitation_list(membership=membership).filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": invitations,
            "form": form,
            "may_manage": may_manage,
            "role_forms": {
                m.pk: RoleForm(initial={"role": m.role, "version": m.version}, kind=organisation.kind) for m in members
            }
            if may_manage
            else {},
        },
        status=400 if form.errors else 200,
    )


@scoped_to(Membership)
@require_POST
@membership_required
def member_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    target = get_scoped_or_404(selectors.membership_list(membership=actor), request, pk=pk)
    form = RoleForm(request.POST, kind=target.organisation.kind)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=actor,
                membership=target,
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data.get("version"),
            )
            messages.success(request, _("Role changed."))
        except Conflict as exc:
            messages.error(request, str(exc.message))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a role."))
    return redirect("accounts:members")


@scoped_to(Membership)
@require_POST
@membership_required
def member_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    target = get_scoped_or_404(selectors.membership_list(membership=actor), request, pk=pk)
    try:
        services.membership_revoke(actor=actor, membership=target)
        messages.success(request, _("Access revoked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members")


@scoped_to(Invitation)
@require_POST
@membership_required
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    invitation = get_scoped_or_404(selectors.invitation_list(membership=actor), request, pk=pk)
    services.invitation_revoke(actor=actor, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:members")


@sensitive_post_parameters()
@login_not_required
@rate_limited("invitation", limit=20, window=300)
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.dangerously_invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Invitation not valid"),
                "message": _(
                    "This invitation link has expired, was withdrawn or was already used. "
                    "Ask your organisation's administrator for a new one."
                ),
            },
            status=404,
        )
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("You joined %(org)s.") % {"org": invitation.organisation.name})
                return redirect("dashboards:home")
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": None})
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, fallback_field="password1")
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboards:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


# --- API tokens --------------------------------------------------------------------------


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(rate_limited("tokens", limit=20, window=3600), name="dispatch")
class TokensView(TemplateView):
    template_name = "accounts/tokens.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "membership", None) is None:
            raise PermissionDenied(_("You are not a member of any organisation yet."))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        new_secret = None
        if form.is_valid():
            expires = timezone.make_aware(datetime.combine(form.cleaned_data["expires_on"], dtime(23, 59)))
            try:
                _token, new_secret = services.api_token_create(
                    actor=request.membership,  # type: ignore[attr-defined]
                    name=form.cleaned_data["name"],
                    expires_at=expires,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"expires_at": "expires_on"})
        context = self.get_context_data(form=form if new_secret is None else ApiTokenForm(), new_secret=new_secret)
        return self.render_to_response(context, status=400 if form.errors else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ApiTokenForm())
        context["tokens"] = selectors.api_token_list(membership=self.request.membership)  # type: ignore[attr-defined]
        context["now"] = timezone.now()
        return context


@scoped_to(ApiToken)
@require_POST
@membership_required
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    token = get_scoped_or_404(selectors.api_token_list(membership=actor), request, pk=pk)
    services.api_token_revoke(actor=actor, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


# --- password reset (Django's views, our templates, e-mail through the task worker) ---------

password_reset_view = login_not_required(
    rate_limited("password-reset", limit=5, window=3600)(
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        )
    )
)
password_reset_done_view = login_not_required(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)


class _AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("auth.password_reset", user=form.user, object_type="accounts.user", object_id=form.user.pk)
        services.user_credentials_changed(user=form.user)
        return response


class _AuditedPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("auth.password_changed", user=form.user, object_type="accounts.user", object_id=form.user.pk)
        services.user_credentials_changed(user=form.user)
        update_session_auth_hash(self.request, form.user)  # this session stays; every other one ends
        return response


password_reset_confirm_view = login_not_required(
    rate_limited("password-reset-confirm", limit=20, window=3600)(
        _AuditedPasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        )
    )
)
password_reset_complete_view = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)
password_change_view = _AuditedPasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:profile")
)


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), plus: a signed-in user's choice is saved on their account."""
    from django.views.i18n import set_language

    response = set_language(request)
    user = request.user
    if user.is_authenticated:
        with contextlib.suppress(ValidationError):  # set_language already ignored an unknown language
            services.user_set_language(user=user, language=request.POST.get("language", ""))
    return response
