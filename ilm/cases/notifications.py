"""Who hears about what, in the app and by e-mail: never worker identity, only the case reference and
what happened. E-mails leave through the task worker, in each person's language."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ilm.cases.models import Case, Notification

# Roles told about cases, by kind of organisation.
CSO_ROLES = ("admin", "case_manager", "caseworker")
BUSINESS_ROLES = ("admin", "responder")
BUYER_ROLES = ("admin", "viewer")

_email_muted: ContextVar[bool] = ContextVar("ilm_notification_email_muted", default=False)


@contextlib.contextmanager
def without_email() -> Iterator[None]:
    """Notifications made inside are listed in the app but not e-mailed (the demo data loader: its made-up
    people should not get some two hundred e-mails about cases that happened months ago)."""
    token = _email_muted.set(True)
    try:
        yield
    finally:
        _email_muted.reset(token)


def _recipients(organisation_id: int, roles: Iterable[str]) -> list[Any]:
    from ilm.accounts.models import Membership

    return list(
        Membership.objects.active().filter(organisation_id=organisation_id, role__in=list(roles)).select_related("user")
    )


def _notify(memberships: Iterable[Any], *, case: Case | None, kind: str, message: Any, dedupe_key: str = "") -> int:
    """One notification per person, rendered in their language; e-mailed by the task worker."""
    created = []
    for membership in memberships:
        user = membership.user
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        with translation.override(user.preferred_language or "en"):
            text = str(message())
        created.append(
            Notification.objects.create(
                user=user,
                organisation_id=membership.organisation_id,
                case=case,
                kind=kind,
                message=text[:500],
                dedupe_key=dedupe_key,
            )
        )
    if created and not _email_muted.get():
        from ilm.cases import tasks

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: tasks.email_notifications.enqueue(ids))
    return len(created)


def case_shared(*, case: Case, organisations: Iterable[Any]) -> None:
    for organisation in organisations:
        _notify(
            _recipients(organisation.pk, BUSINESS_ROLES),
            case=case,
            kind="case.shared",
            message=lambda: (
                _("A worker-reported case concerning your organisation was shared with you: %(ref)s.")
                % {"ref": case.reference}
            ),
        )


def business_responded(*, case: Case, organisation_id: int) -> None:
    recipients = [case.assigned_to] if case.assigned_to_id else _recipients(case.cso_id, CSO_ROLES)
    _notify(
        [m for m in recipients if m is not None],
        case=case,
        kind="case.business_responded",
        message=lambda: _("The business responded on case %(ref)s.") % {"ref": case.reference},
    )


def case_closed(*, case: Case) -> None:
    if case.shared_at is None:
        return
    for organisation_id in case.businesses.exclude(organisation=None).values_list("organisation_id", flat=True):
        _notify(
            _recipients(int(organisation_id), BUSINESS_ROLES),
            case=case,
            kind="case.closed",
            message=lambda: _("Case %(ref)s was closed.") % {"ref": case.reference},
        )


def case_escalated(*, case: Case, buyer: Any) -> None:
    _notify(
        _recipients(buyer.pk, BUYER_ROLES),
        case=case,
        kind="case.escalated",
        message=lambda: _("A CSO escalated case %(ref)s in your supply chain to you.") % {"ref": case.reference},
    )


def sla_reminder(*, case: Case, kind: str, to_business: bool, dedupe_key: str) -> int:
    if to_business:
        total = 0
        for organisation_id in case.businesses.exclude(organisation=None).values_list("organisation_id", flat=True):
            total += _notify(
                _recipients(int(organisation_id), BUSINESS_ROLES),
                case=case,
                kind=kind,
                dedupe_key=dedupe_key,
                message=lambda: _("Case %(ref)s is waiting for your response.") % {"ref": case.reference},
            )
        return total
    recipients = [case.assigned_to] if case.assigned_to_id else _recipients(case.cso_id, CSO_ROLES)
    return _notify(
        [m for m in recipients if m is not None],
        case=case,
        kind=kind,
        dedupe_key=dedupe_key,
        message=lambda: (
            _("Case %(ref)s has had no update for %(days)s days.")
            % {"ref": case.reference, "days": getattr(settings, "ILM_SLA_STALE_DAYS", 14)}
        ),
    )


def validation_replied(*, case: Case, asked_by: Any) -> None:
    """The worker answered the validation question on their channel: the caseworker who asked confirms it."""
    recipients = [asked_by] if asked_by is not None and asked_by.is_active else _recipients(case.cso_id, CSO_ROLES)
    _notify(
        recipients,
        case=case,
        kind="case.validation_replied",
        message=lambda: (
            _("The worker answered the validation question on case %(ref)s: read it and record the validation.")
            % {"ref": case.reference}
        ),
    )
