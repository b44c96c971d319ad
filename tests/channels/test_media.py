"""Workers' photos, voice notes and documents: downloaded by the task worker from each provider (the fake API on
127.0.0.1, never the internet), stored encrypted without metadata, shown only to the CSO's inbox, audited."""

from __future__ import annotations

import io
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from PIL import Image

from ilm.channels import media, simulator
from ilm.channels.fake_provider import SAMPLE_MEDIA, FakeProviderServer, fingerprint
from ilm.channels.models import Conversation, MediaStatus, Message, MessageMedia
from ilm.channels.outbound import ProviderRefused, ProviderUnavailable
from ilm.channels.providers import PROVIDERS
from ilm.core.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import ChannelFactory
from tests.worlds import World, build_world

pytestmark = pytest.mark.django_db

SENDERS = {
    "whatsapp": "+959123456789",
    "messenger": "7384920165432198",
    "line": "U4af4980629a1b2c3d4e5f60718293a4b",
    "viber": "01234567890A=",
    "telegram": "523456789",
    "sms": "+66812345678",
}
TELEGRAM_TOKEN = "123456789:AAH-simulated_bot-token"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def credentials(provider: str) -> dict[str, str]:
    values = {field: f"{provider}-{field}-secret" for field in PROVIDERS[provider].credential_fields}
    if "bot_token" in values:
        values["bot_token"] = TELEGRAM_TOKEN
    if "account_sid" in values:
        values["account_sid"] = "AC" + "0" * 32
    return values


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeProviderServer]:
    with FakeProviderServer(host="127.0.0.1", port=0, slow_seconds=3.0) as server:
        settings.ILM_CHANNEL_API_BASES = dict.fromkeys(PROVIDERS, server.base_url)
        settings.ILM_CHANNEL_SEND_TIMEOUT = 0.5
        yield server


def channel_for(world: World, provider: str) -> Any:
    return ChannelFactory(cso=world.orgs["cso"], provider=provider, credentials=json.dumps(credentials(provider)))


def send_media(channel: Any, fake: FakeProviderServer, what: str, text: str = "") -> Message:
    """Post a signed media message as the provider would; the (immediate) task worker downloads its file."""
    url = f"/channels/hooks/{channel.webhook_key}/"
    request = simulator.inbound_request(
        channel.provider,
        url=f"http://testserver{url}",
        credentials=credentials(channel.provider),
        sender=SENDERS[channel.provider],
        text=text,
        media=what,
        media_base=fake.base_url,
    )
    response = Client().post(url, request.body, content_type=request.content_type, headers=request.headers)
    assert response.status_code == 200, response.content
    return Message.objects.filter(channel=channel).select_related("media").latest("id")


def caseworker(world: World) -> Client:
    return sign_in(Client(), world.members[("cso", "caseworker")])


def media_url(message: Message) -> str:
    return f"/channels/messages/{message.pk}/media/"


# --- each provider, end to end ------------------------------------------------------------------------------

EXPECTED_AUTH = {
    "whatsapp": {"Authorization": "Bearer " + fingerprint("whatsapp-access_token-secret")},
    "messenger": None,  # a signed CDN address: no token
    "line": {"Authorization": "Bearer " + fingerprint("line-channel_access_token-secret")},
    "viber": None,
    "telegram": {"bot_token": fingerprint(TELEGRAM_TOKEN)},
    "sms": {"Authorization": f"Basic AC{'0' * 32}:" + fingerprint("sms-auth_token-secret")},
}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_provider_s_photo_and_voice_note_are_downloaded_and_shown(provider, fake):
    world = build_world()
    channel = channel_for(world, provider)
    photo = send_media(channel, fake, "photo", text="my payslip")
    assert photo.message_type == "image"
    assert photo.media.status == MediaStatus.STORED, photo.media.error
    assert photo.media.content_type == "image/png" and photo.media.attempts == 1
    voice = send_media(channel, fake, "voice")
    assert voice.media.status == MediaStatus.STORED, voice.media.error
    assert voice.media.content_type == "audio/ogg"

    first = fake.media_requests[0]
    assert first["auth"] == EXPECTED_AUTH[provider], first
    if provider == "sms":  # Twilio's redirect to its CDN was followed
        assert [r["step"] for r in fake.media_requests[:2]] == ["media", "download"]

    client = caseworker(world)
    shown = client.get(media_url(photo))
    assert shown.status_code == 200
    assert shown.content.startswith(PNG_MAGIC)
    assert Image.open(io.BytesIO(shown.content)).size == (8, 8)
    heard = client.get(media_url(voice))
    assert heard.status_code == 200 and heard.content == SAMPLE_MEDIA["voice"][0]
    assert heard["Content-Type"] == "audio/ogg"

    page = client.get(f"/channels/inbox/{photo.conversation_id}/").content.decode()
    assert f'<img src="{media_url(photo)}"' in page
    assert f'src="{media_url(voice)}"' in page and "<audio controls" in page


def test_a_document_keeps_its_name_and_is_only_ever_downloaded(fake):
    world = build_world()
    channel = channel_for(world, "whatsapp")
    message = send_media(channel, fake, "payslip")
    assert message.media.status == MediaStatus.STORED
    assert message.media.content_type == "application/pdf" and message.media.file_name == "payslip.pdf"
    client = caseworker(world)
    response = client.get(media_url(message))
    assert response.status_code == 200 and response.content == SAMPLE_MEDIA["payslip"][0]
    assert response["Content-Disposition"] == 'attachment; filename="payslip.pdf"'
    page = client.get(f"/channels/inbox/{message.conversation_id}/").content.decode()
    assert "payslip.pdf" in page and "<img" not in page


def test_stickers_are_not_downloaded(fake):
    world = build_world()
    channel = channel_for(world, "telegram")
    update = {
        "update_id": 5,
        "message": {
            "message_id": 9,
            "chat": {"id": 523456789, "type": "private"},
            "date": 1764000000,
            "sticker": {"file_id": "photo-sticker", "file_unique_id": "s", "emoji": "🙂"},
        },
    }
    body = json.dumps(update).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": credentials("telegram")["secret_token"]}
    Client().post(f"/channels/hooks/{channel.webhook_key}/", body, content_type="application/json", headers=headers)
    message = Message.objects.get(channel=channel)
    assert message.message_type == "sticker"
    assert not MessageMedia.objects.filter(message=message).exists() and fake.media_requests == []
    page = caseworker(world).get(f"/channels/inbox/{message.conversation_id}/").content.decode()
    assert "Sticker" in page


# --- what is kept ---------------------------------------------------------------------------------------------


def gps_jpeg() -> bytes:
    image = Image.new("RGB", (32, 24), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:20 08:15:00"  # DateTime
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 12.0), 3: "E", 4: (100.0, 30.0, 5.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at the dormitory")
    return out.getvalue()


@pytest.mark.parametrize("what", ["photo", "payslip"])  # a photo sent "as a document" is cleaned too
def test_exif_and_gps_are_stripped_before_storing(what, fake):
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    fake.add_media(what, original, "image/jpeg", "IMG_2041.jpg" if what == "payslip" else "")
    world = build_world()
    message = send_media(channel_for(world, "whatsapp"), fake, what)
    assert message.media.status == MediaStatus.STORED and message.media.content_type == "image/jpeg"
    served = caseworker(world).get(media_url(message)).content
    cleaned = Image.open(io.BytesIO(served))
    assert cleaned.size == (32, 24)
    assert not cleaned.getexif() and "exif" not in cleaned.info and "comment" not in cleaned.info
    for secret in (b"PhoneMaker", b"2026:11:20", b"dormitory", b"Exif"):
        assert secret not in served


def test_files_are_encrypted_at_rest_and_go_with_their_message(fake, django_capture_on_commit_callbacks):
    world = build_world()
    message = send_media(channel_for(world, "whatsapp"), fake, "payslip")
    stored = message.media
    with default_storage.open(stored.file.name, "rb") as handle:
        blob = handle.read()
    assert blob.startswith(b"ilmf1$") and b"%PDF" not in blob and b"payslip" not in blob
    with connection.cursor() as cursor:  # the file name may name the worker: ciphertext too
        cursor.execute("SELECT file_name FROM channels_messagemedia WHERE id = %s", [stored.pk])
        (raw_name,) = cursor.fetchone()
    assert raw_name.startswith("enc1$") and stored.file_name == "payslip.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        Conversation.objects.filter(pk=message.conversation_id).delete()
    assert not default_storage.exists(stored.file.name)


# --- limits and failures ----------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_not_kept(fake, settings):
    settings.ILM_CHANNEL_MAX_MEDIA_BYTES = 300
    world = build_world()
    message = send_media(channel_for(world, "telegram"), fake, "voice")  # 430 bytes
    assert message.media.status == MediaStatus.FAILED and message.media.error == "too_large"
    assert not message.media.file
    page = caseworker(world).get(f"/channels/inbox/{message.conversation_id}/").content.decode()
    assert "could not be downloaded" in page and "larger than" in page
    assert caseworker(world).get(media_url(message)).status_code == 404


def test_the_read_stops_at_the_limit_whatever_the_server_says():
    class Endless:
        headers: dict[str, str] = {}  # no Content-Length
        served = 0

        def read(self, size: int) -> bytes:
            self.served += size
            return b"x" * size

    response = Endless()
    with pytest.raises(ProviderRefused) as refused:
        media._limited(1000)(response)
    assert refused.value.reason == "too_large" and response.served == 1001


@pytest.mark.parametrize("provider", ["whatsapp", "line", "sms"])
def test_an_unavailable_provider_is_tried_again(provider, fake):
    world = build_world()
    channel = channel_for(world, provider)
    fake.fail_next(provider, "unavailable")
    fake.fail_next(provider, "unavailable")
    message = send_media(channel, fake, "photo")
    assert message.media.status == MediaStatus.STORED and message.media.attempts == 3


def test_timeouts_and_5xx_end_in_a_failure_after_a_few_attempts(fake, settings):
    settings.ILM_CHANNEL_MEDIA_ATTEMPTS = 3
    world = build_world()
    channel = channel_for(world, "telegram")
    for kind in ("timeout", "unavailable", "unavailable"):
        fake.fail_next("telegram", kind)
    message = send_media(channel, fake, "photo")
    assert message.media.status == MediaStatus.FAILED and message.media.error == "unavailable"
    assert message.media.attempts == 3 and len(fake.media_requests) == 3
    page = caseworker(world).get(f"/channels/inbox/{message.conversation_id}/").content.decode()
    assert "could not be reached after several tries" in page


def test_expired_media_and_refused_credentials_are_not_retried(fake):
    world = build_world()
    channel = channel_for(world, "whatsapp")
    fake.fail_next("whatsapp", "bad_credentials")
    refused = send_media(channel, fake, "photo")
    assert refused.media.status == MediaStatus.FAILED and refused.media.error == "bad_credentials"
    assert refused.media.attempts == 1
    with pytest.raises(ProviderRefused) as missing:
        media.fetch_media(
            provider="whatsapp",
            credentials=credentials("whatsapp"),
            media_ref="no-such-media",
            api_base=fake.base_url,
            max_bytes=10_000,
        )
    assert missing.value.reason == "not_found"


def test_a_pending_download_says_so(fake):
    world = build_world()
    message = send_media(channel_for(world, "whatsapp"), fake, "photo")
    MessageMedia.objects.filter(message=message).update(status=MediaStatus.PENDING)
    client = caseworker(world)
    assert "Still downloading" in client.get(f"/channels/inbox/{message.conversation_id}/").content.decode()
    assert client.get(media_url(message)).status_code == 404


def test_secrets_stay_out_of_errors():
    with pytest.raises(ProviderUnavailable) as unavailable:
        media.fetch_media(
            provider="telegram",
            credentials={"bot_token": TELEGRAM_TOKEN},
            media_ref="photo-1",
            api_base="http://127.0.0.1:9",  # a closed port
            timeout=0.5,
            max_bytes=10_000,
        )
    error: BaseException | None = unavailable.value
    while error is not None:
        assert "AAH-simulated" not in str(error) and "AAH-simulated" not in repr(error.args)
        error = error.__cause__ or error.__context__


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/a.jpg",  # not https
        "https://127.0.0.1/a.jpg",
        "https://10.1.2.3/a.jpg",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/a.jpg",
        "https://localhost/a.jpg",
        "https://files.internal/a.jpg",
        "https://user:pw@cdn.example.com/a.jpg",
    ],
)
def test_media_are_only_fetched_from_public_https_addresses(url):
    context = media._Fetch(
        base="https://graph.facebook.com/v21.0", credentials={}, pinned=False, timeout=1, max_bytes=1, secrets=[]
    )
    with pytest.raises(ProviderRefused) as refused:
        media._check_url(context, url)
    assert refused.value.reason == "blocked_url"


def test_a_public_address_is_allowed_and_an_overridden_api_pins_every_url():
    public = media._Fetch(
        base="https://api.twilio.com", credentials={}, pinned=False, timeout=1, max_bytes=1, secrets=[]
    )
    media._check_url(public, "https://93.184.216.34/media/photo.jpg")  # an IP literal: no DNS needed
    pinned = media._Fetch(base="http://127.0.0.1:8025", credentials={}, pinned=True, timeout=1, max_bytes=1, secrets=[])
    media._check_url(pinned, "http://127.0.0.1:8025/_media/viber/photo")
    with pytest.raises(ProviderRefused):
        media._check_url(pinned, "http://127.0.0.1:8026/_media/viber/photo")
    with pytest.raises(ProviderRefused) as twilio:  # Twilio's credentials go to Twilio's API only
        media.fetch_media(
            provider="sms",
            credentials=credentials("sms"),
            media_ref="https://93.184.216.34/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1",
            max_bytes=10,
        )
    assert twilio.value.reason == "blocked_url"


# --- who gets the file --------------------------------------------------------------------------------------


def test_only_the_running_cso_s_inbox_gets_the_file_and_every_read_is_audited(fake):
    world = build_world()
    message = send_media(channel_for(world, "whatsapp"), fake, "photo")
    voice = send_media(Message.objects.get(pk=message.pk).channel, fake, "voice")
    allowed = {("cso", "caseworker"), ("cso", "case_manager"), ("cso", "admin")}
    for (key, role), membership in world.members.items():
        response = sign_in(Client(), membership).get(media_url(message))
        if (key, role) in allowed:
            assert response.status_code == 200, (key, role)
            assert response["Content-Type"] == "image/png"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Security-Policy"] == "sandbox"
            assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
            assert response["Content-Disposition"].startswith("inline")
        else:
            assert response.status_code == 404, (key, role, response.status_code)
            assert not response.content.startswith(PNG_MAGIC)
    downloads = AuditEvent.objects.filter(action="message_media.downloaded", object_id=str(message.pk))
    assert downloads.count() == len(allowed)
    assert set(downloads.values_list("target_organisation_id", flat=True)) == {world.orgs["cso"].pk}

    heard = caseworker(world).get(media_url(voice))
    assert heard["Content-Disposition"].startswith("attachment") and heard["X-Content-Type-Options"] == "nosniff"

    outsider = world.outsiders["message"][0]  # another CSO's worker's photo
    assert caseworker(world).get(media_url(outsider)).status_code == 404
    assert sign_in(Client(), world.members[("supplier", "admin")]).get(media_url(outsider)).status_code == 404
    assert not AuditEvent.objects.filter(action="message_media.downloaded", object_id=str(outsider.pk)).exists()

    anonymous = Client().get(media_url(message))
    assert anonymous.status_code == 302 and "/login" in urllib.parse.urlsplit(anonymous["Location"]).path


def test_downloads_a_crashed_worker_left_pending_are_queued_again(fake, settings):
    import datetime

    from django.utils import timezone

    from ilm.channels.media_store import message_media_requeue

    world = build_world()
    channel = channel_for(world, "whatsapp")
    stuck = send_media(channel, fake, "photo")
    exhausted = send_media(channel, fake, "voice")
    MessageMedia.objects.filter(message=stuck).update(status=MediaStatus.PENDING, attempts=1, file="")
    MessageMedia.objects.filter(message=exhausted).update(status=MediaStatus.PENDING, attempts=4, file="")
    assert message_media_requeue() == 0  # not yet: they may still be on their way
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert message_media_requeue(now=later) == 1
    stuck.media.refresh_from_db()
    exhausted.media.refresh_from_db()
    assert stuck.media.status == MediaStatus.STORED and stuck.media.attempts == 2
    assert exhausted.media.status == MediaStatus.FAILED and exhausted.media.error == "unavailable"


def test_the_simulator_sends_a_photo_that_ilm_downloads_from_the_fake(live_server, fake):
    from io import StringIO

    from django.core.management import CommandError, call_command

    world = build_world()
    for provider in sorted(PROVIDERS):
        channel = channel_for(world, provider)
        out = StringIO()
        arguments = ["--channel", str(channel.pk), "--media", "photo", "--url", live_server.url]
        call_command("channel_simulator", "send", *arguments, stdout=out)
        assert "ILM answered 200" in out.getvalue()
        stored = MessageMedia.objects.get(message__channel=channel)
        assert stored.status == MediaStatus.STORED and stored.content_type == "image/png", (provider, stored.error)
    with pytest.raises(CommandError, match="--text, --media"):
        call_command("channel_simulator", "send", "--channel", str(channel.pk), "--url", live_server.url)


def test_the_conversation_page_loads_every_message_s_file_state_at_once(fake):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    world = build_world()
    channel = channel_for(world, "viber")
    first = send_media(channel, fake, "photo")
    client = caseworker(world)
    url = f"/channels/inbox/{first.conversation_id}/"
    with CaptureQueriesContext(db) as one:
        assert client.get(url).status_code == 200
    for what in ("voice", "payslip", "photo", "voice"):
        send_media(channel, fake, what)
    with CaptureQueriesContext(db) as five:
        page = client.get(url).content.decode()
    assert page.count("/media/") >= 5
    assert len(five) == len(one)


def test_with_the_database_queue_the_download_waits_for_the_worker_and_retries_later(fake, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from ilm.channels import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from ilm.channels.models import Delivery

    world = build_world()
    channel = channel_for(world, "whatsapp")
    with pytest.raises(Message.DoesNotExist):
        send_media(channel, fake, "photo")  # the webhook only stores the delivery
    tasks.process_delivery.call(Delivery.objects.get(channel=channel).pk)
    message = Message.objects.select_related("media").get(channel=channel)
    assert message.media.status == MediaStatus.PENDING and fake.media_requests == []  # not while parsing
    queued = DBTaskResult.objects.filter(task_path__endswith="fetch_message_media", status="READY")
    assert [r.args_kwargs["args"] for r in queued] == [[message.pk]]

    fake.fail_next("whatsapp", "unavailable")
    assert tasks.fetch_message_media.call(message.pk) == "retrying"
    later = queued.exclude(pk=queued[0].pk).get()
    assert later.run_after is not None and later.run_after > timezone.now()
    assert tasks.fetch_message_media.call(message.pk) == "done"
    message.media.refresh_from_db()
    assert message.media.status == MediaStatus.STORED and message.media.attempts == 2
