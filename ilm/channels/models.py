"""Worker messages from the messaging apps: raw deliveries, conversations and messages.

A `Delivery` is one webhook request, stored verbatim (encrypted) before anything is parsed, so a crash
between the acknowledgement and the parsing loses nothing: the task worker parses it again. A
`Conversation` is one sender on one channel; a `Message` one message in or out, unique per channel,
direction and provider id (replays and concurrent duplicates store one row). Everything a worker sent,
and who they are on the app, is encrypted at rest; the sender is found again by a blind index.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ilm.core.fields import BlindIndexField, EncryptedTextField
from ilm.core.models import TimestampedModel


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    channel = models.ForeignKey("network.Channel", on_delete=models.CASCADE, related_name="deliveries")
    body = EncryptedTextField(purpose="channels.delivery.body")
    content_type = models.CharField(max_length=120, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)  # never payload content

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"

    def audit_organisation_id(self) -> int:
        return self.channel.cso_id


class Conversation(TimestampedModel):
    """One sender on one channel: the thread a caseworker reads and answers."""

    channel = models.ForeignKey(
        "network.Channel", on_delete=models.PROTECT, related_name="conversations", verbose_name=_("channel")
    )
    cso = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="conversations", verbose_name=_("CSO")
    )
    sender = EncryptedTextField(_("sender"), purpose="channels.conversation.sender")
    sender_index = BlindIndexField(source="sender", normalizer="ilm.cases.models.normalize_identifier_value")
    sender_name = EncryptedTextField(_("name on the app"), purpose="channels.conversation.sender_name", blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Set by a caseworker: the script of later messages no longer changes it.
    language_by_hand = models.BooleanField(_("language set by a caseworker"), default=False)
    assigned_to = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("caseworker"),
    )
    worker = models.ForeignKey(
        "cases.Worker", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(_("unread"), default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "sender_index"], name="one_conversation_per_sender"),
        ]
        indexes = [models.Index(fields=["cso", "-last_message_at"])]

    def __str__(self) -> str:  # never the sender: str() ends up in logs
        return f"Conversation {self.pk}"

    @property
    def label(self) -> str:
        return f"M{self.pk}"

    def audit_organisation_id(self) -> int:
        return self.cso_id


class Direction(models.TextChoices):
    IN = "in", _("From the worker")
    OUT = "out", _("From the CSO")


class MessageType(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    LOCATION = "location", _("Location")
    STICKER = "sticker", _("Sticker")
    UNSUPPORTED = "unsupported", _("Unsupported message")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Not sent")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey("network.Channel", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    provider_message_id = models.CharField(max_length=200, blank=True)
    message_type = models.CharField(max_length=16, choices=MessageType.choices, default=MessageType.TEXT)
    text = EncryptedTextField(purpose="channels.message.text", blank=True)
    # Media reference, MIME type and location (what the worker shared): encrypted JSON.
    details = EncryptedTextField(purpose="channels.message.details", blank=True)
    sent_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "direction", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="one_message_per_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.direction}, {self.message_type})"

    def audit_organisation_id(self) -> int:
        return self.conversation.cso_id


class MediaStatus(models.TextChoices):
    PENDING = "pending", _("Downloading")
    STORED = "stored", _("Stored")
    FAILED = "failed", _("Could not be downloaded")


def message_media_path(instance: MessageMedia, filename: str) -> str:
    return f"channels/media/{instance.message_id}/{uuid.uuid4().hex}"


class MessageMedia(models.Model):
    """The photo, voice note, video or document of an inbound message, downloaded by the task worker
    (`media_store`). The file holds the bytes encrypted (`crypto.encrypt_bytes`, bound to the message);
    images are re-encoded without EXIF, GPS or other metadata first. Served only by `views_media`."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="media")
    status = models.CharField(max_length=16, choices=MediaStatus.choices, default=MediaStatus.PENDING)
    file = models.FileField(upload_to=message_media_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)  # sniffed from the bytes, never the provider's word
    size = models.PositiveIntegerField(default=0)  # of the stored (decrypted) bytes
    file_name = EncryptedTextField(_("file name"), purpose="channels.message_media.file_name", blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=40, blank=True)  # a reason code (media_store.REASONS), never content
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message media")
        verbose_name_plural = _("message media")

    def __str__(self) -> str:
        return f"Media of message {self.message_id} ({self.status})"

    def audit_organisation_id(self) -> int:
        return self.message.conversation.cso_id

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/jpeg", "image/png", "image/webp")

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    @property
    def error_text(self) -> str:
        from ilm.channels.media_store import media_error_text

        return media_error_text(self.error) if self.error else ""


@receiver(post_delete, sender=MessageMedia)
def _delete_media_file(sender: Any, instance: MessageMedia, **kwargs: Any) -> None:
    """The encrypted file goes with its row (a deleted message or conversation), once the deletion commits."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class QuickReply(TimestampedModel):
    """A canned answer a CSO keeps ready in a worker language: opening hours, rights, the validation question."""

    cso = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="quick_replies", verbose_name=_("CSO")
    )
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=1600)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["language", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["cso", "language", "title"],
                name="one_quick_reply_title_per_language",
                violation_error_message=_("Your CSO already has a quick reply with this title in this language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def audit_organisation_id(self) -> int:
        return self.cso_id
