"""Outbound adapters against the fake provider server: what arrives, how refusals and outages map, retries."""

from __future__ import annotations

import itertools
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from ilm.channels import outbound
from ilm.channels.fake_provider import FakeProviderServer, fingerprint
from ilm.channels.outbound import ProviderRefused, ProviderUnavailable, SendResult, send_text, with_retries

BURMESE = "မင်္ဂလာပါ၊ သင့်အမှုကို ကျွန်ုပ်တို့ လက်ခံရရှိပါပြီ။"

# provider -> (credentials, recipient as ILM knows it, recipient as the provider receives it, expected auth)
CASES: dict[str, tuple[dict[str, str], str, str, dict[str, str]]] = {
    "whatsapp": (
        {"phone_number_id": "106540352242922", "access_token": "EAAGwa-token-1"},
        "+66 81 234 5678",
        "66812345678",
        {"Authorization": "Bearer " + fingerprint("EAAGwa-token-1")},
    ),
    "messenger": (
        {"page_access_token": "EAAPage-token-2"},
        "6834928374651234",
        "6834928374651234",
        {"Authorization": "Bearer " + fingerprint("EAAPage-token-2")},
    ),
    "line": (
        {"channel_access_token": "line-channel-token-3"},
        "U4af4980629fbd1ad7a3b8e4d3c1b1e4a",
        "U4af4980629fbd1ad7a3b8e4d3c1b1e4a",
        {"Authorization": "Bearer " + fingerprint("line-channel-token-3")},
    ),
    "viber": (
        {"auth_token": "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9", "sender_name": "Hotline"},
        "01234567890A=",
        "01234567890A=",
        {"X-Viber-Auth-Token": fingerprint("445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9")},
    ),
    "telegram": (
        {"bot_token": "123456789:AAFakeTelegramToken_4-x"},
        "987654321",
        "987654321",
        {"bot_token": fingerprint("123456789:AAFakeTelegramToken_4-x")},
    ),
    "sms": (
        {
            "account_sid": "AC0123456789abcdef0123456789abcdef",
            "auth_token": "twilio-secret-5",
            "from_number": "+15005550006",
        },
        "+959123456789",
        "+959123456789",
        {"Authorization": "Basic AC0123456789abcdef0123456789abcdef:" + fingerprint("twilio-secret-5")},
    ),
}
PROVIDERS = list(CASES)
TIMEOUT = 0.5


@pytest.fixture
def fake() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(host="127.0.0.1", port=0, slow_seconds=5.0) as server:
        yield server


def send(fake: FakeProviderServer, provider: str, text: str = BURMESE, **overrides: Any) -> SendResult:
    credentials, recipient, _, _ = CASES[provider]
    arguments: dict[str, Any] = {
        "provider": provider,
        "credentials": credentials,
        "recipient": recipient,
        "text": text,
        "api_base": fake.base_url,
        "timeout": TIMEOUT,
    }
    arguments.update(overrides)
    return send_text(**arguments)


# --- what arrives -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_burmese_text_arrives_intact_with_recipient_and_auth(fake: FakeProviderServer, provider: str) -> None:
    _, _, expected_recipient, expected_auth = CASES[provider]

    result = send(fake, provider)

    [message] = fake.wait_for(1, timeout=2)
    assert message["provider"] == provider
    assert message["text"] == BURMESE
    assert message["recipient"] == expected_recipient
    assert message["headers"] == expected_auth
    assert message["received_at"]
    assert result.provider_message_id
    assert result.provider_message_id == message["provider_message_id"]


def test_telegram_id_names_the_chat(fake: FakeProviderServer) -> None:
    result = send(fake, "telegram")
    assert result.provider_message_id.startswith("987654321:")


def test_ids_are_fresh_for_each_message(fake: FakeProviderServer) -> None:
    ids = {send(fake, provider).provider_message_id for provider in PROVIDERS for _ in range(2)}
    assert len(ids) == 2 * len(PROVIDERS)


def test_messenger_accepts_access_token_spelling(fake: FakeProviderServer) -> None:
    send(fake, "messenger", credentials={"access_token": "EAAPage-token-2"})
    assert fake.received[0]["headers"] == {"Authorization": "Bearer " + fingerprint("EAAPage-token-2")}


def test_viber_sender_name_defaults_to_ilm(fake: FakeProviderServer) -> None:
    send(fake, "viber", credentials={"auth_token": "445da6az1s345z78"})
    assert fake.received[0]["recipient"] == "01234567890A="


def test_sms_at_the_limit_is_sent_whole(fake: FakeProviderServer) -> None:
    text = ("ခ" * 1599) + "။"
    send(fake, "sms", text=text)
    assert fake.wait_for(1)[0]["text"] == text


def test_line_at_the_limit_is_sent_whole(fake: FakeProviderServer) -> None:
    text = "ส" * 5000
    send(fake, "line", text=text)
    assert fake.wait_for(1)[0]["text"] == text


def test_reply_context_is_passed_where_the_provider_has_one(fake: FakeProviderServer) -> None:
    send(fake, "whatsapp", reply_context={"message_id": "wamid.ABC"})
    send(fake, "telegram", reply_context={"message_id": "42"})
    send(fake, "messenger", reply_context={"tag": "HUMAN_AGENT"})
    send(fake, "line", reply_context={"message_id": "ignored"})
    assert len(fake.wait_for(4)) == 4


# --- refusals and outages -----------------------------------------------------------------------------------

REFUSALS = [
    ("whatsapp", "refuse_24h", "outside_24h_window"),
    ("messenger", "refuse_24h", "outside_24h_window"),
    *[(p, "bad_credentials", "bad_credentials") for p in PROVIDERS],
    *[(p, "invalid_recipient", "invalid_recipient") for p in PROVIDERS],
]


@pytest.mark.parametrize(("provider", "kind", "reason"), REFUSALS)
def test_refusals_map_to_a_reason(fake: FakeProviderServer, provider: str, kind: str, reason: str) -> None:
    fake.fail_next(provider, kind)

    with pytest.raises(ProviderRefused) as caught:
        send(fake, provider)

    assert caught.value.reason == reason
    assert caught.value.detail
    assert fake.received == []


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("kind", "reason"), [("unavailable", "server_error"), ("rate_limited", "rate_limited")])
def test_outages_and_rate_limits_are_unavailable(
    fake: FakeProviderServer, provider: str, kind: str, reason: str
) -> None:
    fake.fail_next(provider, kind)

    with pytest.raises(ProviderUnavailable) as caught:
        send(fake, provider)

    assert caught.value.reason == reason
    assert fake.received == []


def test_rate_limit_carries_retry_after(fake: FakeProviderServer) -> None:
    fake.fail_next("telegram", "rate_limited")
    with pytest.raises(ProviderUnavailable) as caught:
        send(fake, "telegram")
    assert caught.value.retry_after == 1.0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeout_is_unavailable(fake: FakeProviderServer, provider: str) -> None:
    fake.fail_next(provider, "timeout")

    with pytest.raises(ProviderUnavailable) as caught:
        send(fake, provider)

    assert caught.value.reason == "timeout"
    assert fake.received == []


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    credentials, recipient, _, _ = CASES["line"]
    with pytest.raises(ProviderUnavailable) as caught:
        send_text(
            provider="line",
            credentials=credentials,
            recipient=recipient,
            text=BURMESE,
            api_base=f"http://127.0.0.1:{port}",
            timeout=TIMEOUT,
        )
    assert caught.value.reason == "connection"


def test_fake_refuses_a_24h_failure_for_providers_without_a_window(fake: FakeProviderServer) -> None:
    with pytest.raises(ValueError, match="no 24-hour window"):
        fake.fail_next("line", "refuse_24h")


def test_unknown_provider_is_a_programming_error(fake: FakeProviderServer) -> None:
    with pytest.raises(ValueError, match="no outbound adapter"):
        send_text(provider="hotline", credentials={}, recipient="x", text="hi", api_base=fake.base_url)


# --- refused before any request -----------------------------------------------------------------------------

MISSING = [
    *[(p, {}) for p in PROVIDERS],
    ("whatsapp", {"access_token": "EAAGwa-token-1"}),
    ("whatsapp", {"phone_number_id": "106540352242922", "access_token": "  "}),
    ("sms", {"account_sid": "AC01", "auth_token": "twilio-secret-5"}),
    ("sms", {"account_sid": "AC01", "from_number": "+15005550006"}),
    ("line", {"channel_access_token": "bad\r\nX-Injected: 1"}),
]


@pytest.mark.parametrize(("provider", "credentials"), MISSING)
def test_missing_credentials_make_no_request(
    fake: FakeProviderServer, provider: str, credentials: dict[str, str]
) -> None:
    with pytest.raises(ProviderRefused) as caught:
        send(fake, provider, credentials=credentials)

    assert caught.value.reason == "bad_credentials"
    assert fake.request_count == 0


@pytest.mark.parametrize(("provider", "length"), [("sms", 1601), ("line", 5001), ("messenger", 2001)])
def test_too_long_is_refused_never_cut(fake: FakeProviderServer, provider: str, length: int) -> None:
    with pytest.raises(ProviderRefused) as caught:
        send(fake, provider, text="က" * length)

    assert caught.value.reason == "too_long"
    assert fake.request_count == 0


def test_line_counts_emoji_as_two(fake: FakeProviderServer) -> None:
    with pytest.raises(ProviderRefused, match="too_long"):
        send(fake, "line", text="🙏" * 2501)
    assert fake.request_count == 0


def test_no_recipient_makes_no_request(fake: FakeProviderServer) -> None:
    with pytest.raises(ProviderRefused) as caught:
        send(fake, "whatsapp", recipient="+")
    assert caught.value.reason == "invalid_recipient"
    assert fake.request_count == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_secrets_and_text_stay_out_of_logs_and_errors(
    fake: FakeProviderServer, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    credentials, _, _, _ = CASES[provider]
    secrets = [v for k, v in credentials.items() if k not in ("sender_name", "from_number", "phone_number_id")]
    fake.fail_next(provider, "bad_credentials")
    fake.fail_next(provider, "unavailable")
    caplog.set_level(logging.DEBUG)

    errors: list[ProviderRefused | ProviderUnavailable] = []
    for _ in range(2):
        with pytest.raises((ProviderRefused, ProviderUnavailable)) as caught:
            send(fake, provider)
        assert isinstance(caught.value, (ProviderRefused, ProviderUnavailable))
        errors.append(caught.value)
    send(fake, provider)

    assert all(e.__cause__ is None and e.__context__ is None for e in errors)
    shown = caplog.text + " ".join(f"{e!s} {e!r} {e.detail}" for e in errors)
    for secret in [*secrets, BURMESE]:
        assert secret not in shown


# --- retries ------------------------------------------------------------------------------------------------


def test_with_retries_retries_unavailable_then_succeeds(fake: FakeProviderServer) -> None:
    fake.fail_next("whatsapp", "unavailable")
    fake.fail_next("whatsapp", "timeout")
    fake.fail_next("whatsapp", "unavailable")
    delays: list[float] = []

    result = with_retries(lambda: send(fake, "whatsapp"), attempts=4, base_delay=1.0, sleep=delays.append)

    assert len(delays) == 3
    assert delays[0] < delays[1] < delays[2]
    assert delays[0] >= 1.0
    assert fake.request_count == 4
    [message] = fake.received
    assert result.provider_message_id == message["provider_message_id"]


def test_with_retries_does_not_retry_a_refusal(fake: FakeProviderServer) -> None:
    fake.fail_next("messenger", "refuse_24h")
    delays: list[float] = []

    with pytest.raises(ProviderRefused, match="outside_24h_window"):
        with_retries(lambda: send(fake, "messenger"), sleep=delays.append)

    assert delays == []
    assert fake.request_count == 1


def test_with_retries_gives_up_after_the_last_attempt(fake: FakeProviderServer) -> None:
    for _ in range(3):
        fake.fail_next("sms", "unavailable")
    delays: list[float] = []

    with pytest.raises(ProviderUnavailable):
        with_retries(lambda: send(fake, "sms"), attempts=3, sleep=delays.append)

    assert len(delays) == 2
    assert fake.request_count == 3
    assert fake.received == []


def test_with_retries_honours_a_longer_retry_after() -> None:
    calls: list[int] = []

    def flaky() -> SendResult:
        calls.append(1)
        if len(calls) == 1:
            raise ProviderUnavailable("rate_limited", retry_after=30.0)
        return SendResult(provider_message_id="x")

    delays: list[float] = []
    assert with_retries(flaky, base_delay=0.1, sleep=delays.append).provider_message_id == "x"
    assert delays == [30.0]


def test_next_retry_delay_grows_and_is_capped() -> None:
    delays = [outbound.next_retry_delay(attempt) for attempt in range(1, 9)]
    assert all(earlier < later for earlier, later in itertools.pairwise(delays))
    assert 1.0 <= delays[0] <= 1.5
    assert outbound.next_retry_delay(50, max_delay=600.0) == 600.0
