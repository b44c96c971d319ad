"""Background tasks for accounts, run by the task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task()
def send_invitation_email(invitation_id: int, link: str) -> None:
    from ilm.accounts.models import Invitation

    invitation = Invitation.objects.select_related("organisation", "invited_by__user").get(pk=invitation_id)
    language = getattr(getattr(invitation.invited_by, "user", None), "preferred_language", "") or "en"
    with translation.override(language):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    """Send one already-rendered e-mail (password resets)."""
    send_mail(subject, body, None, recipients)
