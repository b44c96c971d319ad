"""Inbox forms: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ilm.accounts.models import Membership
from ilm.channels.services import MAX_REPLY_LENGTH


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the worker on the app they wrote on."),
    )


class AssignForm(forms.Form):
    assigned_to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Caseworker"), queryset=Membership.objects.none(), required=False
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.get_username()  # type: ignore[attr-defined]
        field.empty_label = _("Nobody")  # type: ignore[attr-defined]


class AttachCaseForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=16, help_text=_("For example C-7K3M-2QXP."))


class InboxFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unread = forms.BooleanField(label=_("Unread"), required=False)
