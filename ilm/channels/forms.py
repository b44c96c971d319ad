"""Inbox forms: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ilm.accounts.models import Membership
from ilm.channels.models import Conversation, QuickReply
from ilm.channels.services import MAX_REPLY_LENGTH
from ilm.network.models import Channel


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the worker"),
        max_length=MAX_REPLY_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the worker on the app they wrote on."),
    )
    quick_reply: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Or send a quick reply"), queryset=QuickReply.objects.none(), required=False
    )

    def __init__(self, *args: Any, quick_replies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["quick_reply"]
        if quick_replies is None:
            del self.fields["quick_reply"]
            return
        field.queryset = quick_replies  # type: ignore[attr-defined]
        field.label_from_instance = lambda q: f"{q.title} ({q.language})"  # type: ignore[attr-defined]
        field.empty_label = "—"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quick = data.get("quick_reply")
        if not (data.get("text") or "").strip():
            if quick is None:
                self.add_error("text", _("Write a reply or choose a quick reply."))
            else:
                data["text"] = quick.text
        return data


class QuickReplyForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=())
    title = forms.CharField(label=_("Title"), max_length=80, help_text=_("For example: Opening hours."))
    text = forms.CharField(label=_("Text"), max_length=MAX_REPLY_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices()  # type: ignore[attr-defined]


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
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        help_text=_("Conversation (M12), case reference, worker (W34), or the sender's full number or handle."),
    )
    channel: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("All channels")
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unread = forms.BooleanField(label=_("Unread"), required=False)

    def __init__(self, *args: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]
        self.fields["language"].choices = [("", _("All languages")), *_language_choices()]  # type: ignore[attr-defined]


# The languages a channel may answer in (the API accepts the same list: ilm/network/api.py).
CHANNEL_LANGUAGES = ("en", "th", "my", "km", "ne", "lo", "vi", "id", "ms", "bn", "hi")


def _language_choices() -> list[tuple[str, str]]:
    """Each language named in its own script, as workers would recognise it."""
    from babel import Locale

    return [(code, Locale.parse(code).get_display_name(code) or code) for code in CHANNEL_LANGUAGES]


class ChannelForm(forms.Form):
    """A channel's settings. Credentials: a JSON object of the provider's fields; blank keeps the stored ones."""

    provider = forms.ChoiceField(label=_("Provider"), choices=())
    name = forms.CharField(label=_("Name"), max_length=120)
    public_address = forms.CharField(label=_("Number or handle workers use"), max_length=120, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=_language_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    credentials = forms.CharField(
        label=_("Credentials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            'A JSON object with the provider’s secrets, e.g. {"app_secret": "…", "verify_token": "…"}. '
            "Stored encrypted and never shown again; leave empty to keep the current ones."
        ),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        from ilm.network.models import ChannelProvider

        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = ChannelProvider.choices  # type: ignore[attr-defined]
        if editing:
            self.fields["provider"].disabled = True

    def clean(self) -> dict[str, Any]:
        from ilm.channels.services import credentials_problem

        data = super().clean() or {}
        text = (data.get("credentials") or "").strip()
        provider = data.get("provider") or self.initial.get("provider")
        if text and provider:
            problem = credentials_problem(provider, text)
            if problem:
                self.add_error("credentials", problem)
        return data


class ValidationAskForm(forms.Form):
    conversation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Ask on"), queryset=Conversation.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("Validation question"),
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent to the worker on this app. Reword it if you need to; keep it in the worker's language."),
    )

    def __init__(self, *args: Any, conversations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["conversation"]
        field.queryset = Conversation.objects.filter(pk__in=[c.pk for c in conversations])  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.worker.label} · {c.channel.get_provider_display()} · {c.channel.name}"
            + (f" · {c.language}" if c.language else "")
        )


class ValidationConfirmForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int
    )
    confirms_remediation = forms.BooleanField(label=_("The worker confirms the remediation"), required=False)
    comments = forms.CharField(
        label=_("Comments (CSO only)"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Read from the messages")),
            *_language_choices(),
        ]
