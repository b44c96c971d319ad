"""Background tasks for accounts, run by the task worker (`manage.py db_worker`).

Task arguments are stored in the queue's table until pruned, so they never carry a secret: the
invitation and password-reset links are made here, when the e-mail is sent.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


def _subject(template: str, context: dict[str, object]) -> str:
    # One line, whatever the organisation's name holds: a header may not contain line breaks.
    return " ".join(render_to_string(template, context).split())


@task()
def send_invitation_email(invitation_id: int, base_url: str) -> None:
    from ilm.accounts.models import Invitation
    from ilm.accounts.services import invitation_issue_token

    token = invitation_issue_token(invitation_id=invitation_id)
    if token is None:
        return  # withdrawn, accepted or expired before the e-mail went out
    invitation = Invitation.objects.select_related("organisation", "invited_by__user").get(pk=invitation_id)
    language = getattr(getattr(invitation.invited_by, "user", None), "preferred_language", "") or "en"
    with translation.override(language):
        context = {"invitation": invitation, "link": f"{base_url.rstrip('/')}/accounts/invitation/{token}/"}
        subject = _subject("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


@task()
def send_password_reset_email(user_id: int, domain: str, protocol: str) -> None:
    """Django's password-reset e-mail, its one-time link made here (valid for PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from ilm.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(user.preferred_language or "en"):
        context = {
            "user": user,
            "domain": domain,
            "protocol": protocol,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        subject = _subject("accounts/email/password_reset_subject.txt", context)
        body = render_to_string("accounts/email/password_reset.txt", context)
    send_mail(subject, body, None, [user.email])
