"""Media from workers' messages: the write path (queue, download, check, store encrypted) and the audited read.

1. `message_media_queue`: when an inbound image, voice note, video or document is stored, a pending
   `MessageMedia` is created and `tasks.fetch_message_media` queued in the same transaction. Stickers are not
   downloaded (the page says "Sticker").
2. `message_media_fetch` (the task worker, never a webhook request): one attempt through `media.fetch_media`;
   timeouts, connection errors, 5xx and 429 are tried again with growing delays, up to
   `ILM_CHANNEL_MEDIA_ATTEMPTS`; a refusal or the last failure marks the media failed with a reason code.
   What a file is comes from its bytes: JPEG, PNG and WebP (whatever the message type said) are decoded and
   re-encoded by `ilm.cases.attachments.inspect`, so no EXIF, GPS, camera or time survives; audio and video
   are kept as they are under a type from a short list; documents get the type `inspect` finds or
   `application/octet-stream`. The bytes are encrypted (`crypto.encrypt_bytes`, bound to the message) before
   they reach the storage.
3. `message_media_open`: for the inbox's members of the CSO that runs the channel only; every read audited
   (`message_media.downloaded`).
"""

from __future__ import annotations

import datetime
import json
import logging
import mimetypes
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.channels import media as media_api
from ilm.channels import outbound
from ilm.channels.models import Direction, MediaStatus, Message, MessageMedia, MessageType
from ilm.core import audit, crypto

log = logging.getLogger("ilm.channels.media")

DOWNLOADED_TYPES = frozenset({MessageType.IMAGE, MessageType.AUDIO, MessageType.VIDEO, MessageType.DOCUMENT})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
OCTET_STREAM = "application/octet-stream"
RETRY_BASE_DELAY = 5.0  # seconds; then 10, 20, 40... with jitter

# Magic numbers of the audio and video formats the apps send (voice notes are Ogg/Opus, AMR or AAC in MP4).
_AV_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    # (offset, bytes, type for an audio message, type for anything else)
    (0, b"OggS", "audio/ogg", "audio/ogg"),
    (0, b"#!AMR", "audio/amr", "audio/amr"),
    (0, b"ID3", "audio/mpeg", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg", "audio/mpeg"),
    (0, b"\xff\xf1", "audio/aac", "audio/aac"),
    (0, b"\xff\xf9", "audio/aac", "audio/aac"),
    (0, b"\x1a\x45\xdf\xa3", "audio/webm", "video/webm"),
    (4, b"ftyp", "audio/mp4", "video/mp4"),
)


def max_media_bytes() -> int:
    return int(getattr(settings, "ILM_CHANNEL_MAX_MEDIA_BYTES", 16 * 1024 * 1024))


def media_error_text(reason: str) -> str:
    """Why a worker's file could not be downloaded, in the reader's words."""
    texts = {
        "too_large": _("it is larger than %(limit)s MB.") % {"limit": f"{max_media_bytes() / (1024 * 1024):g}"},
        "not_found": _("the app no longer has it (media expire after some days)."),
        "bad_credentials": _("the channel's credentials were refused. Ask your administrator to check them."),
        "unavailable": _("the app could not be reached after several tries."),
        "blocked_url": _("it is hosted at an address ILM does not download from."),
        "unreadable_image": _("the image could not be read."),
        "image_format": _("ILM keeps photos only as JPEG, PNG or WebP."),
        "no_reference": _("the app did not say where the file is."),
        "unsupported_provider": _("ILM cannot download files from this kind of channel."),
    }
    return texts.get(reason, _("the app refused to send it."))


# --- queue -------------------------------------------------------------------------------------------------


def _media_ref(message: Message) -> str:
    try:
        details = json.loads(message.details or "{}")
    except ValueError:
        return ""
    ref = details.get("media_ref") if isinstance(details, dict) else None
    return ref if isinstance(ref, str) else ""


def message_media_queue(*, message: Message) -> MessageMedia | None:
    """Expect the file of an inbound media message and queue its download (in the caller's transaction: the
    database task queue commits both or neither). Nothing for text, location, sticker or outbound messages."""
    from ilm.channels import tasks

    if message.direction != Direction.IN or message.message_type not in DOWNLOADED_TYPES:
        return None
    if not _media_ref(message):
        return MessageMedia.objects.create(message=message, status=MediaStatus.FAILED, error="no_reference")
    media = MessageMedia.objects.create(message=message)
    tasks.fetch_message_media.enqueue(message.pk)
    return media


REQUEUE_AFTER = datetime.timedelta(minutes=10)  # far longer than all the retry delays together


def message_media_requeue(*, now: datetime.datetime | None = None) -> int:
    """Queue again the downloads still pending long after their message came (a worker crashed or was stopped
    mid-download); those that used up their attempts are marked failed. Storing is idempotent."""
    from ilm.channels import tasks

    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    stuck = MessageMedia.objects.filter(status=MediaStatus.PENDING, created_at__lt=cutoff)
    attempts = int(getattr(settings, "ILM_CHANNEL_MEDIA_ATTEMPTS", 4))
    stuck.filter(attempts__gte=attempts).update(
        status=MediaStatus.FAILED, error="unavailable", fetched_at=timezone.now()
    )
    ids = list(stuck.filter(attempts__lt=attempts).values_list("message_id", flat=True)[:1000])
    for message_id in ids:
        tasks.fetch_message_media.enqueue(message_id)
    if ids:
        log.warning("requeued %s pending media downloads", len(ids))
    return len(ids)


# --- download ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    content: bytes
    content_type: str
    file_name: str


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _sniff_av(data: bytes, message_type: str) -> str:
    for offset, magic, audio, other in _AV_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return audio if message_type == MessageType.AUDIO else other
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return ""


def _is_image(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _check(message: Message, fetched: media_api.FetchedMedia) -> _Checked:
    """What the bytes are, and the bytes to keep (images re-encoded without metadata)."""
    from ilm.core.uploads import clean_file_name, inspect

    data = fetched.content
    name = clean_file_name(fetched.file_name)
    if _is_image(data):  # a photo sent "as a document" keeps its GPS position too: re-encode it as well
        try:
            checked = inspect(data)
        except ValidationError:
            raise _Refused("unreadable_image") from None
        return _Checked(checked.content, checked.content_type, name)
    if message.message_type == MessageType.IMAGE:
        raise _Refused("image_format")  # HEIC, GIF...: no metadata stripping for them, so not kept
    content_type = _sniff_av(data, message.message_type)
    if not content_type and message.message_type == MessageType.DOCUMENT:
        try:
            content_type = inspect(data, name).content_type
        except ValidationError:
            content_type = OCTET_STREAM  # kept, but only ever downloaded, never shown
    return _Checked(data, content_type or OCTET_STREAM, name)


def _fail(media: MessageMedia, reason: str) -> None:
    MessageMedia.objects.filter(pk=media.pk, status=MediaStatus.PENDING).update(
        status=MediaStatus.FAILED, error=reason[:40], fetched_at=timezone.now()
    )
    log.warning("message %s: media not downloaded (%s)", media.message_id, reason)


def media_purpose(message_id: int) -> str:
    """What a message's file is encrypted for: a file copied to another message's row does not decrypt."""
    return f"channels.message_media.{message_id}"


def message_media_fetch(*, media: MessageMedia) -> datetime.timedelta | None:
    """One download attempt. Returns the delay before the next attempt, or None when done (stored or failed)."""
    from ilm.channels.services import channel_credentials

    if media.status != MediaStatus.PENDING:
        return None
    message = media.message
    channel = message.channel
    attempt = media.attempts + 1
    MessageMedia.objects.filter(pk=media.pk).update(attempts=attempt)
    try:
        fetched = media_api.fetch_media(
            provider=channel.provider,
            credentials=channel_credentials(channel),
            media_ref=_media_ref(message),
            api_base=settings.ILM_CHANNEL_API_BASES.get(channel.provider) or None,
            timeout=settings.ILM_CHANNEL_SEND_TIMEOUT,
            max_bytes=max_media_bytes(),
        )
    except ValueError:
        _fail(media, "unsupported_provider")
        return None
    except outbound.ProviderRefused as exc:
        _fail(media, exc.reason)
        return None
    except outbound.ProviderUnavailable:
        if attempt >= int(getattr(settings, "ILM_CHANNEL_MEDIA_ATTEMPTS", 4)):
            _fail(media, "unavailable")
            return None
        return datetime.timedelta(seconds=outbound.next_retry_delay(attempt, base_delay=RETRY_BASE_DELAY))
    try:
        checked = _check(message, fetched)
    except _Refused as exc:
        _fail(media, exc.reason)
        return None
    _store(media, message, checked)
    return None


def _default_name(message: Message, content_type: str) -> str:
    extension = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", OCTET_STREAM: ".bin"}.get(content_type) or (
        mimetypes.guess_extension(content_type) or ".bin"
    )
    return f"{message.message_type}-{message.pk}{extension}"


def _store(media: MessageMedia, message: Message, checked: _Checked) -> None:
    blob = crypto.encrypt_bytes(checked.content, purpose=media_purpose(message.pk))
    with transaction.atomic():
        current = MessageMedia.objects.select_for_update().filter(pk=media.pk, status=MediaStatus.PENDING).first()
        if current is None:  # another worker stored it a moment ago
            return
        current.file.save("media", ContentFile(blob), save=False)
        current.content_type = checked.content_type
        current.size = len(checked.content)
        current.file_name = checked.file_name or _default_name(message, checked.content_type)
        current.status = MediaStatus.STORED
        current.error = ""
        current.fetched_at = timezone.now()
        try:
            current.save()
        except BaseException:
            current.file.delete(save=False)
            raise
    log.info("message %s: media stored (%s, %s bytes)", message.pk, checked.content_type, len(checked.content))


# --- read --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedMedia:
    content: bytes
    content_type: str
    file_name: str
    inline: bool  # only re-encoded images are shown in the page; everything else is downloaded


def message_media_open(*, actor: Any, message: Message) -> OpenedMedia:
    """The decrypted file of a message, for the inbox's members of its CSO only. Audited.
    FileNotFoundError when there is no stored file (still downloading, failed, not a media message)."""
    from ilm.channels.selectors import message_list

    if not message_list(membership=actor).filter(pk=message.pk).exists():
        raise PermissionDenied(_("Only caseworkers of the CSO that runs this channel can do this."))
    media = MessageMedia.objects.filter(message_id=message.pk, status=MediaStatus.STORED).first()
    if media is None or not media.file.name:
        raise FileNotFoundError
    with media.file.storage.open(media.file.name, "rb") as handle:
        blob = handle.read()
    content = crypto.decrypt_bytes(blob, purpose=media_purpose(message.pk))
    audit.record(
        "message_media.downloaded",
        membership=actor,
        obj=message,
        detail={"conversation": message.conversation_id, "content_type": media.content_type},
    )
    inline = media.content_type in IMAGE_TYPES
    return OpenedMedia(content=content, content_type=media.content_type, file_name=media.file_name, inline=inline)
