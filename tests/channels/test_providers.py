"""Inbound provider adapters: recorded payloads parse to the right events, signatures hold, bad input is refused.

Pure Python: no database. Fixtures are in tests/channels/fixtures/<provider>/, shaped like each provider's
documented webhook examples (made-up ids and numbers).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilm.channels.providers import (
    PROVIDERS,
    InboundEvent,
    PayloadError,
    SignatureError,
    WebhookRequest,
    get_provider,
)

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://ilm.example.org/channels/hooks/Zq3xR7tLk2/"
CREDENTIALS: dict[str, dict[str, str]] = {
    "whatsapp": {
        "app_secret": "6f1d2c3b4a5e6f708192a3b4c5d6e7f8",
        "verify_token": "ilm-verify-8c41",
        "access_token": "EAAGm0PX4ZCpsBA-test",
        "phone_number_id": "106540352242922",
    },
    "messenger": {
        "app_secret": "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",
        "verify_token": "ilm-verify-3e27",
        "page_access_token": "EAAJZCa-test",
        "page_id": "109876543210987",
    },
    "line": {"channel_secret": "8f2e4d6c1b3a5f7e9d0c2b4a6f8e1d3c", "channel_access_token": "line-token-test"},
    "viber": {"auth_token": "4d6f8a0c2e4b6d8f-1a3c5e7b9d0f2a4c-6e8b0d2f4a6c8e0b"},
    "telegram": {"bot_token": "7012345678:AAF-test", "secret_token": "tg_Secret-41f7c2e9"},
    "sms": {
        "account_sid": "AC3f9b2c7e1d4a5b6c8e0f1a2b3c4d5e6f",
        "auth_token": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
        "from_number": "+12025550143",
    },
}
SIGNING_FIELD = {
    "whatsapp": "app_secret",
    "messenger": "app_secret",
    "line": "channel_secret",
    "viber": "auth_token",
    "telegram": "secret_token",
    "sms": "auth_token",
}
SIGNATURE_HEADER = {
    "whatsapp": "X-Hub-Signature-256",
    "messenger": "X-Hub-Signature-256",
    "line": "X-Line-Signature",
    "viber": "X-Viber-Content-Signature",
    "telegram": "X-Telegram-Bot-Api-Secret-Token",
    "sms": "X-Twilio-Signature",
}
CONTENT_TYPE = dict.fromkeys(PROVIDERS, "application/json") | {"sms": "application/x-www-form-urlencoded"}

THAI = "นายจ้างยึดหนังสือเดินทางของฉัน ไม่ได้รับค่าจ้างสามเดือนแล้ว"
BURMESE = "အလုပ်ရှင်က ကျွန်တော့် ပတ်စ်ပို့ကို သိမ်းထားတယ်။ လစာ သုံးလ မရသေးပါ။"
THAI_CAPTION = "ห้องพักคนงานที่โรงงาน"
BURMESE_CAPTION = "ဒါ အလုပ်ရုံရဲ့ အိပ်ဆောင်ပါ"


def load(provider: str, name: str) -> bytes:
    """A fixture's body. Form bodies (.txt) have no final newline; one added by an editor is dropped."""
    path = next((FIXTURES / provider).glob(f"{name}.*"))
    body = path.read_bytes()
    return body.rstrip(b"\r\n") if path.suffix == ".txt" else body


def fixture_names() -> list[tuple[str, str]]:
    return sorted((path.parent.name, path.stem) for path in FIXTURES.glob("*/*.*"))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def message(**fields: Any) -> dict[str, Any]:
    return {"kind": "message", **fields}


def status(**fields: Any) -> dict[str, Any]:
    return {"kind": "status", "message_type": "", **fields}


# --- what each recorded payload must give (every field but `raw`) -------------------------------------------

SOMCHAI = {"sender": "+66812345678", "sender_name": "สมชาย ใจดี"}
AUNG = {"sender": "+959791234567", "sender_name": "Aung Ko Ko"}
WA = "wamid.HBgLNjY4MTIzNDU2NzgVAgASGBQz"
WA_MM = "wamid.HBgMOTU5NzkxMjM0NTY3FQIAEhgUM0"

PSID, PSID2 = "7318264501938274", "6192837465019283"
FB_CDN = "https://scontent.xx.fbcdn.net/v/"
LUSER, LUSER2 = "U4af4980629a1b2c3d4e5f60718293a4b", "Ub7c8d9e0f1a2b3c4d5e6f708192a3b4c"
VIBER_AUNG = {"sender": "eQx5Rh2mYvK8Lp4Tn0WbZg==", "sender_name": "Aung Ko Ko"}
VIBER_MALI = {"sender": "Jk3Fq9Ws1Dv7Hb5Nc2Mx8Lz==", "sender_name": "มาลี"}
TG_SOMSRI = {"sender": "6123456789", "sender_name": "สมศรี รักงาน"}
TG_THIDA = {"sender": "5987654321", "sender_name": "Thida"}
TWILIO_MEDIA = "https://api.twilio.com/2010-04-01/Accounts/AC3f9b2c7e1d4a5b6c8e0f1a2b3c4d5e6f/Messages/"

EXPECTED: dict[tuple[str, str], list[dict[str, Any]]] = {
    # WhatsApp Cloud API
    ("whatsapp", "text"): [
        message(
            provider_message_id=WA + "QUVCMUYwQzE4OEI3NDQ1QTM1RAA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 30),
            text=THAI,
        )
    ],
    ("whatsapp", "image"): [
        message(
            provider_message_id=WA_MM + "E4RjJDNDQ5MzE2RTdDMjk0QkYA",
            **AUNG,
            sent_at=at(2025, 12, 1, 5, 31),
            message_type="image",
            text=BURMESE_CAPTION,
            media_ref="1203847561928374",
            media_mime="image/jpeg",
        )
    ],
    ("whatsapp", "audio"): [
        message(
            provider_message_id=WA_MM + "E1QTlEMjE3QjZGNzc0QTgzRUIA",
            **AUNG,
            sent_at=at(2025, 12, 1, 5, 32),
            message_type="audio",
            media_ref="884736251094857",
            media_mime="audio/ogg; codecs=opus",
        )
    ],
    ("whatsapp", "video"): [
        message(
            provider_message_id=WA + "QTdDNUUxMjg4RDk0RjJCNjE0MQA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 33),
            message_type="video",
            text=THAI_CAPTION,
            media_ref="1517283940571628",
            media_mime="video/mp4",
        )
    ],
    ("whatsapp", "document"): [
        message(
            provider_message_id=WA + "QUY0NjBBQjI5RTE1QzdEODhBMwA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 34),
            message_type="document",
            text="สลิปเงินเดือน ตุลาคม",
            media_ref="2093847561029384",
            media_mime="application/pdf",
        )
    ],
    ("whatsapp", "location"): [
        message(
            provider_message_id=WA_MM + "FCODEzRkQ0NTZDMjA5RTc3MEYA",
            **AUNG,
            sent_at=at(2025, 12, 1, 5, 35),
            message_type="location",
            text="Garment factory dormitory, Asia Highway 1, Tha Sai Luat, Mae Sot, Tak 63110",
            latitude=16.7131,
            longitude=98.5710,
        )
    ],
    ("whatsapp", "sticker"): [
        message(
            provider_message_id=WA + "QTk5MEE3QkM2RTIzRDQ1RjEyOAA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 36),
            message_type="sticker",
            media_ref="1029384756102938",
            media_mime="image/webp",
        )
    ],
    ("whatsapp", "reaction"): [
        message(
            provider_message_id=WA + "QTJCQzRENkU4RjBBMUIyQzNENAA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 37),
            message_type="unsupported",
        )
    ],
    ("whatsapp", "unsupported"): [
        message(
            provider_message_id=WA_MM + "E2RDhGMEIyQzRFNkE4QzBFMgA=",
            **AUNG,
            sent_at=at(2025, 12, 1, 5, 38),
            message_type="unsupported",
        )
    ],
    ("whatsapp", "status_read"): [
        status(
            provider_message_id="wamid.HBgLNjY4MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
            sender="+66812345678",
            sent_at=at(2025, 12, 1, 5, 39),
            status="read",
        )
    ],
    ("whatsapp", "status_failed"): [
        status(
            provider_message_id="wamid.HBgMOTU5NzkxMjM0NTY3FQIAERgSQjVEMkMxQTBGOUU4RDdDNkI1AA==",
            sender="+959791234567",
            sent_at=at(2025, 12, 1, 5, 40),
            status="failed",
        )
    ],
    ("whatsapp", "batch"): [
        message(
            provider_message_id=WA + "QkQxRTJGM0E0QjVDNkQ3RThGOQA=",
            **SOMCHAI,
            sent_at=at(2025, 12, 1, 5, 46, 40),
            text="ช่วยด้วยค่ะ",
        ),
        message(
            provider_message_id=WA_MM + "JFMkYzQTRCNUM2RDdFOEY5QTAA",
            **AUNG,
            sent_at=at(2025, 12, 1, 5, 46, 45),
            text=BURMESE,
        ),
        status(
            provider_message_id="wamid.HBgLNjY4MTIzNDU2NzgVAgARGBJEMjFBM0M0QjVFNkY3QThCOUMA",
            sender="+66812345678",
            sent_at=at(2025, 12, 1, 5, 46, 50),
            status="delivered",
        ),
    ],
    # Messenger
    ("messenger", "text"): [
        message(
            provider_message_id="m_Yt3hM1fQk0aN8cR2vW5xZ6bL9pD4sG7jK2eU1iO3yT8rE0wQ5nB6mC9vX1zA4sD7fG2hJ5kL8",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 20, 0, 123000),
            text=BURMESE,
        )
    ],
    ("messenger", "image"): [
        message(
            provider_message_id="m_Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc1Vb2Nm3As4Df5Gh6Jk7Lq8We9Rt0Yu1Io2Pa3Sd4Fg",
            sender=PSID2,
            sent_at=at(2025, 12, 1, 6, 21, 0, 456000),
            message_type="image",
            media_ref=FB_CDN + "t1.15752-9/470001234_1234567890123456_7890123456789012345_n.jpg"
            "?_nc_cat=101&ccb=1-7&oh=00_AYAbCdEf&oe=676D1A2B",
        )
    ],
    ("messenger", "audio"): [
        message(
            provider_message_id="m_Zx9Cv8Bn7Mm6Nb5Vc4Xz3Lk2Jh1Gf0Ds9Ap8Oi7Uy6Tr5Ew4Qq3Wa2Se1Dr0Ft9Gy8Hu7Ji6Ko5",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 22, 0, 789000),
            message_type="audio",
            media_ref="https://cdn.fbsbx.com/v/t59.3654-21/470009876_1029384756102938_5647382910564738291_n.mp4/"
            "audioclip-1764570118000-5123.mp4?_nc_cat=104&ccb=1-7&oh=00_AYBcDeFg&oe=676D2B3C",
        )
    ],
    ("messenger", "video"): [
        message(
            provider_message_id="m_Vd5Fb6Gn7Hm8Jk9Ll0Pq1Ow2Ie3Ur4Yt5Tr6Ee7Ww8Qq9Aa0Ss1Dd2Ff3Gg4Hh5Jj6Kk7Ll8Zz9",
            sender=PSID2,
            sent_at=at(2025, 12, 1, 6, 22, 30),
            message_type="video",
            media_ref="https://video.xx.fbcdn.net/v/t42.3356-2/470011111_2233445566778899_1122334455667788990_n.mp4/"
            "video-1764570149.mp4?_nc_cat=108&ccb=1-7&oh=00_AYCdEfGh&oe=676D3C4D",
        )
    ],
    ("messenger", "file"): [
        message(
            provider_message_id="m_Fl1Ee2Dd3Cc4Bb5Aa6Zz7Yy8Xx9Ww0Vv1Uu2Tt3Ss4Rr5Qq6Pp7Oo8Nn9Mm0Ll1Kk2Jj3Ii4Hh5",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 23),
            message_type="document",
            media_ref="https://cdn.fbsbx.com/v/t59.2708-21/470022222_3344556677889900_2233445566778899001_n.pdf/"
            "contract.pdf?_nc_cat=100&ccb=1-7&oh=00_AYDeFgHi&oe=676D4D5E",
        )
    ],
    ("messenger", "location"): [
        message(
            provider_message_id="m_Lo1Ca2Ti3On4Pi5Nn6Aa7Bb8Cc9Dd0Ee1Ff2Gg3Hh4Ii5Jj6Kk7Ll8Mm9Nn0Oo1Pp2Qq3Rr4Ss5",
            sender=PSID2,
            sent_at=at(2025, 12, 1, 6, 24),
            message_type="location",
            latitude=13.6521,
            longitude=100.2645,
        )
    ],
    ("messenger", "sticker"): [
        message(
            provider_message_id="m_St1Ic2Ke3Rr4Aa5Bb6Cc7Dd8Ee9Ff0Gg1Hh2Ii3Jj4Kk5Ll6Mm7Nn8Oo9Pp0Qq1Rr2Ss3Tt4Uu5",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 25),
            message_type="sticker",
            media_ref=FB_CDN + "t39.1997-6/39178562_1505197616293642_5411344281094848512_n.png"
            "?_nc_cat=1&ccb=1-7&oh=00_AYEfGhIj&oe=676D5E6F",
        )
    ],
    ("messenger", "fallback"): [
        message(
            provider_message_id="m_Fb1Aa2Ll3Ll4Bb5Aa6Cc7Kk8Dd9Ee0Ff1Gg2Hh3Ii4Jj5Kk6Ll7Mm8Nn9Oo0Pp1Qq2Rr3Ss4Tt5",
            sender=PSID2,
            sent_at=at(2025, 12, 1, 6, 26),
            message_type="unsupported",
            text="https://www.example.org/recruitment-fees",
        )
    ],
    ("messenger", "two_images"): [
        message(
            provider_message_id="m_Tw1Oo2Ii3Mm4Aa5Gg6Ee7Ss8Dd9Ee0Ff1Gg2Hh3Ii4Jj5Kk6Ll7Mm8Nn9Oo0Pp1Qq2Rr3Ss4Tt5",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 27),
            message_type="image",
            media_ref=FB_CDN + "t1.15752-9/470033333_1_n.jpg?_nc_cat=102&oh=00_AYF1&oe=676D6F70",
        ),
        message(
            provider_message_id="m_Tw1Oo2Ii3Mm4Aa5Gg6Ee7Ss8Dd9Ee0Ff1Gg2Hh3Ii4Jj5Kk6Ll7Mm8Nn9Oo0Pp1Qq2Rr3Ss4Tt5#1",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 27),
            message_type="image",
            media_ref=FB_CDN + "t1.15752-9/470044444_2_n.jpg?_nc_cat=102&oh=00_AYF2&oe=676D6F70",
        ),
    ],
    ("messenger", "echo"): [],
    ("messenger", "delivery"): [
        status(
            provider_message_id="m_Ou1Tt2Gg3Oo4Ii5Nn6Gg7Aa8Bb9Cc0Dd1Ee2Ff3Gg4Hh5Ii6Jj7Kk8Ll9Mm0Nn1Oo2Pp3Qq4Rr5",
            sender=PSID,
            sent_at=at(2025, 12, 1, 6, 29),
            status="delivered",
        )
    ],
    ("messenger", "read"): [
        status(provider_message_id="read:1764570590000", sender=PSID, sent_at=at(2025, 12, 1, 6, 30), status="read")
    ],
    ("messenger", "postback"): [
        message(
            provider_message_id=f"postback:{PSID2}:1764570660000",
            sender=PSID2,
            sent_at=at(2025, 12, 1, 6, 31),
            message_type="unsupported",
        )
    ],
    # LINE
    ("line", "text"): [
        message(provider_message_id="534218765409876543", sender=LUSER, sent_at=at(2025, 12, 1, 6, 53, 20), text=THAI)
    ],
    ("line", "image"): [
        message(
            provider_message_id="534218799912345678",
            sender=LUSER2,
            sent_at=at(2025, 12, 1, 6, 54, 20),
            message_type="image",
            media_ref="534218799912345678",
        )
    ],
    ("line", "image_external"): [
        message(
            provider_message_id="534218799912349999",
            sender=LUSER2,
            sent_at=at(2025, 12, 1, 6, 54, 50),
            message_type="image",
            media_ref="https://images.example.com/upload/534218799912349999.jpg",
        )
    ],
    ("line", "video"): [
        message(
            provider_message_id="534218823456789012",
            sender=LUSER,
            sent_at=at(2025, 12, 1, 6, 55, 20),
            message_type="video",
            media_ref="534218823456789012",
        )
    ],
    ("line", "audio"): [
        message(
            provider_message_id="534218845678901234",
            sender=LUSER2,
            sent_at=at(2025, 12, 1, 6, 56, 20),
            message_type="audio",
            media_ref="534218845678901234",
        )
    ],
    ("line", "file"): [
        message(
            provider_message_id="534218867890123456",
            sender=LUSER,
            sent_at=at(2025, 12, 1, 6, 57, 20),
            message_type="document",
            media_ref="534218867890123456",
            media_mime="application/pdf",
        )
    ],
    ("line", "location"): [
        message(
            provider_message_id="534218889012345678",
            sender=LUSER2,
            sent_at=at(2025, 12, 1, 6, 58, 20),
            message_type="location",
            text="Seafood processing plant, Mahachai, Mueang Samut Sakhon District, Samut Sakhon 74000, Thailand",
            latitude=13.5475,
            longitude=100.2736,
        )
    ],
    ("line", "sticker"): [
        message(
            provider_message_id="534218901234567890",
            sender=LUSER,
            sent_at=at(2025, 12, 1, 6, 59, 20),
            message_type="sticker",
            media_ref="52002744",
        )
    ],
    ("line", "follow"): [
        message(
            provider_message_id="01JDXA8H9J0K1M2N3P4Q5R6S7T",
            sender=LUSER2,
            sent_at=at(2025, 12, 1, 7, 0, 20),
            message_type="unsupported",
        )
    ],
    ("line", "unsend"): [
        message(
            provider_message_id="01JDXA9J0K1M2N3P4Q5R6S7T8V",
            sender=LUSER,
            sent_at=at(2025, 12, 1, 7, 1, 20),
            message_type="unsupported",
        )
    ],
    ("line", "verify"): [],
    # Viber
    ("viber", "text"): [
        message(
            provider_message_id="5741346280935412345",
            **VIBER_AUNG,
            sent_at=at(2025, 12, 1, 7, 26, 40, 123000),
            text=BURMESE,
        )
    ],
    ("viber", "picture"): [
        message(
            provider_message_id="5741346531234567890",
            **VIBER_MALI,
            sent_at=at(2025, 12, 1, 7, 27, 40, 456000),
            message_type="image",
            text=THAI_CAPTION,
            media_ref="https://dl-media.viber.com/1/share/2/long/vibes/icon/image/0x0/8a2b/"
            "0f9c3b8a2d4e6f1a3c5e7b9d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a.jpg",
            media_mime="image/jpeg",
        )
    ],
    ("viber", "video"): [
        message(
            provider_message_id="5741346782345678901",
            **VIBER_AUNG,
            sent_at=at(2025, 12, 1, 7, 28, 40, 789000),
            message_type="video",
            media_ref="https://dl-media.viber.com/5/media/2/short/any/sig/video/0x0/3c1d/"
            "5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f.mp4",
        )
    ],
    ("viber", "file"): [
        message(
            provider_message_id="5741347033456789012",
            **VIBER_MALI,
            sent_at=at(2025, 12, 1, 7, 29, 40),
            message_type="document",
            media_ref="https://dl-media.viber.com/5/media/2/short/any/sig/file/0x0/7e5f/"
            "9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b.pdf",
            media_mime="application/pdf",
        )
    ],
    ("viber", "location"): [
        message(
            provider_message_id="5741347284567890123",
            **VIBER_AUNG,
            sent_at=at(2025, 12, 1, 7, 30, 40),
            message_type="location",
            latitude=12.6833,
            longitude=101.2372,
        )
    ],
    ("viber", "sticker"): [
        message(
            provider_message_id="5741347535678901234",
            **VIBER_MALI,
            sent_at=at(2025, 12, 1, 7, 31, 40),
            message_type="sticker",
            media_ref="https://viber.com/stickers/40133/png/40133.png",
        )
    ],
    ("viber", "contact"): [
        message(
            provider_message_id="5741347786789012345",
            **VIBER_AUNG,
            sent_at=at(2025, 12, 1, 7, 32, 40),
            message_type="unsupported",
        )
    ],
    ("viber", "url"): [
        message(
            provider_message_id="5741348037890123456",
            **VIBER_MALI,
            sent_at=at(2025, 12, 1, 7, 33, 40),
            text="https://www.example.org/job-offer/12345",
        )
    ],
    ("viber", "delivered"): [
        status(
            provider_message_id="5741348289012345678",
            sender=VIBER_AUNG["sender"],
            sent_at=at(2025, 12, 1, 7, 34, 40),
            status="delivered",
        )
    ],
    ("viber", "seen"): [
        status(
            provider_message_id="5741348289012345678",
            sender=VIBER_AUNG["sender"],
            sent_at=at(2025, 12, 1, 7, 35, 40),
            status="read",
        )
    ],
    ("viber", "failed"): [
        status(
            provider_message_id="5741348540123456789",
            sender=VIBER_MALI["sender"],
            sent_at=at(2025, 12, 1, 7, 36, 40),
            status="failed",
        )
    ],
    ("viber", "webhook"): [],
    ("viber", "subscribed"): [],
    ("viber", "conversation_started"): [],
    ("viber", "unsubscribed"): [],
    # Telegram
    ("telegram", "text"): [
        message(provider_message_id="6123456789:211", **TG_SOMSRI, sent_at=at(2025, 12, 1, 8, 0), text=THAI)
    ],
    ("telegram", "photo"): [
        message(
            provider_message_id="5987654321:87",
            **TG_THIDA,
            sent_at=at(2025, 12, 1, 8, 1),
            message_type="image",
            text=BURMESE_CAPTION,
            media_ref="AgACAgUAAxkBAAIBV2dMr0abcdEFghijKLmnopQRstuVAAI1wDEbXyZpVpQ7h3AAQEDAAN4AAM2BA",  # 1280x960
            media_mime="image/jpeg",
        )
    ],
    ("telegram", "voice"): [
        message(
            provider_message_id="6123456789:212",
            **TG_SOMSRI,
            sent_at=at(2025, 12, 1, 8, 2),
            message_type="audio",
            media_ref="AwACAgUAAxkBAAIBWGdMr1Dx2Qk9v3LzPq8WcYtJmHbAAAJ1EgACXyZpVhqKj6dG0Zx5NgQ",
            media_mime="audio/ogg",
        )
    ],
    ("telegram", "audio"): [
        message(
            provider_message_id="5987654321:88",
            **TG_THIDA,
            sent_at=at(2025, 12, 1, 8, 3),
            message_type="audio",
            media_ref="CQACAgUAAxkBAAIBWWdMr2Wc1Rj8u2KyOp7VbXsIlGaAAAJ2EgACXyZpVkq3m4Fh1Zk5NgQ",
            media_mime="audio/mpeg",
        )
    ],
    ("telegram", "video"): [
        message(
            provider_message_id="6123456789:213",
            **TG_SOMSRI,
            sent_at=at(2025, 12, 1, 8, 4),
            message_type="video",
            text=THAI_CAPTION,
            media_ref="BAACAgUAAxkBAAIBWmdMr3Fb0Qi7t1JxNo6UaWrHkFZAAAJ3EgACXyZpVlF5x3A8QbYyNgQ",
            media_mime="video/mp4",
        )
    ],
    ("telegram", "document"): [
        message(
            provider_message_id="5987654321:89",
            **TG_THIDA,
            sent_at=at(2025, 12, 1, 8, 5),
            message_type="document",
            text="စာချုပ်",
            media_ref="BQACAgUAAxkBAAIBW2dMr4Ka9Ph6s0IwMn5TZVqGjEYAAJ4EgACXyZpVmXb6C1nVhT8NgQ",
            media_mime="application/pdf",
        )
    ],
    ("telegram", "location"): [
        message(
            provider_message_id="6123456789:214",
            **TG_SOMSRI,
            sent_at=at(2025, 12, 1, 8, 6),
            message_type="location",
            latitude=9.1382,
            longitude=99.3215,
        )
    ],
    ("telegram", "sticker"): [
        message(
            provider_message_id="5987654321:90",
            **TG_THIDA,
            sent_at=at(2025, 12, 1, 8, 7),
            message_type="sticker",
            text="\U0001f622",
            media_ref="CAACAgIAAxkBAAIBXGdMr5MAAXv4xHq0bB1mN3sKAAHgPgACwQ4AAl8maVYAAVYKAAE2BA",
            media_mime="image/webp",
        )
    ],
    ("telegram", "edited_message"): [
        message(provider_message_id="6123456789:211", **TG_SOMSRI, sent_at=at(2025, 12, 1, 8, 0), text=THAI + " (แก้ไข)")
    ],
    ("telegram", "contact"): [
        message(
            provider_message_id="6123456789:215", **TG_SOMSRI, sent_at=at(2025, 12, 1, 8, 9), message_type="unsupported"
        )
    ],
    ("telegram", "callback_query"): [
        message(provider_message_id="update:734512011", sender="5987654321", message_type="unsupported")
    ],
    ("telegram", "my_chat_member"): [
        message(provider_message_id="update:734512012", sender="6123456789", message_type="unsupported")
    ],
    # Twilio SMS / MMS
    ("sms", "text"): [
        message(provider_message_id="SM8d2e4f6a8b0c1d3e5f7a9b1c3d5e7f90", sender="+66812345678", text=THAI)
    ],
    ("sms", "text_burmese"): [
        message(provider_message_id="SM1a3c5e7f9b2d4f6a8c0e1f3a5c7e9b1d", sender="+959791234567", text=BURMESE)
    ],
    ("sms", "mms_image"): [
        message(
            provider_message_id="MM4b6d8f0a2c4e6f8a0b2c4d6e8f0a1b3c",
            sender="+66812345678",
            message_type="image",
            text=THAI_CAPTION,
            media_ref=TWILIO_MEDIA + "MM4b6d8f0a2c4e6f8a0b2c4d6e8f0a1b3c/Media/ME9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
            media_mime="image/jpeg",
        )
    ],
    ("sms", "mms_audio"): [
        message(
            provider_message_id="MM5c7e9a1b3d5f7a9c1e3b5d7f9a1c3e5d",
            sender="+959791234567",
            message_type="audio",
            media_ref=TWILIO_MEDIA + "MM5c7e9a1b3d5f7a9c1e3b5d7f9a1c3e5d/Media/ME1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c",
            media_mime="audio/amr",
        )
    ],
    ("sms", "mms_document"): [
        message(
            provider_message_id="MM6d8f0b2c4e6a8c0e2f4b6d8a0c2e4f6e",
            sender="+66812345678",
            message_type="document",
            text="payslip",
            media_ref=TWILIO_MEDIA + "MM6d8f0b2c4e6a8c0e2f4b6d8a0c2e4f6e/Media/ME2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d",
            media_mime="application/pdf",
        )
    ],
    ("sms", "mms_two_images"): [
        message(
            provider_message_id="MM7e9a1c3d5f7b9d1f3a5c7e9b1d3f5a7f",
            sender="+66812345678",
            message_type="image",
            text="2 รูป",
            media_ref=TWILIO_MEDIA + "MM7e9a1c3d5f7b9d1f3a5c7e9b1d3f5a7f/Media/ME3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e",
            media_mime="image/jpeg",
        ),
        message(
            provider_message_id="MM7e9a1c3d5f7b9d1f3a5c7e9b1d3f5a7f#1",
            sender="+66812345678",
            message_type="image",
            media_ref=TWILIO_MEDIA + "MM7e9a1c3d5f7b9d1f3a5c7e9b1d3f5a7f/Media/ME4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",
            media_mime="image/png",
        ),
    ],
    ("sms", "mms_vcard"): [
        message(
            provider_message_id="MM8f0b2d4e6a8c0e2a4b6d8f0c2e4a6b8a",
            sender="+959791234567",
            message_type="unsupported",
            media_ref=TWILIO_MEDIA + "MM8f0b2d4e6a8c0e2a4b6d8f0c2e4a6b8a/Media/ME5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a",
            media_mime="text/vcard",
        )
    ],
    ("sms", "status_sent"): [
        status(provider_message_id="SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", sender="+66812345678", status="sent")
    ],
    ("sms", "status_delivered"): [
        status(provider_message_id="SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", sender="+66812345678", status="delivered")
    ],
    ("sms", "status_undelivered"): [
        status(provider_message_id="SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", sender="+959791234567", status="failed")
    ],
    ("sms", "status_queued"): [],
}


def signed_request(
    provider: str, body: bytes, credentials: dict[str, str] | None = None, url: str = URL
) -> WebhookRequest:
    headers = get_provider(provider).sign(body, url, credentials or CREDENTIALS[provider])
    return WebhookRequest(body=body, headers=headers, url=url, content_type=CONTENT_TYPE[provider])


# --- registry -------------------------------------------------------------------------------------------------


def test_registry_holds_the_six_providers_by_name():
    assert set(PROVIDERS) == {"whatsapp", "messenger", "line", "viber", "telegram", "sms"}
    for name, provider in PROVIDERS.items():
        assert provider.name == name
        assert get_provider(name) is provider
        assert SIGNING_FIELD[name] in provider.credential_fields
        assert set(provider.credential_fields) == set(CREDENTIALS[name])
    with pytest.raises(KeyError):
        get_provider("signal")


def test_every_fixture_has_expected_events_and_every_expectation_a_fixture():
    assert set(fixture_names()) == set(EXPECTED)


def test_fixtures_cover_the_message_kinds_and_both_scripts():
    for provider in PROVIDERS:
        events = [event for name in fixture_names() if name[0] == provider for event in EXPECTED[name]]
        texts = " ".join(event.get("text", "") for event in events)
        assert THAI in texts or BURMESE in texts, provider
        kinds = {event.get("message_type", "text") for event in events if event["kind"] == "message"}
        assert {"text", "image", "unsupported"} <= kinds, provider
    assert len(EXPECTED[("whatsapp", "batch")]) == 3


# --- parsing --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "name"), sorted(EXPECTED), ids="/".join)
def test_fixture_parses_to_expected_events(provider, name):
    events = get_provider(provider).parse(load(provider, name), CONTENT_TYPE[provider])
    assert [replace(event, raw={}) for event in events] == [
        InboundEvent(**fields) for fields in EXPECTED[(provider, name)]
    ]
    for event in events:
        assert event.raw, "raw keeps the payload part the event came from"
        json.dumps(event.raw, allow_nan=False)
        if event.sent_at is not None:
            assert event.sent_at.tzinfo is UTC


def test_raw_is_the_part_of_the_payload():
    whatsapp = get_provider("whatsapp").parse(load("whatsapp", "batch"), "application/json")
    assert [event.raw["id"] for event in whatsapp] == [event.provider_message_id for event in whatsapp]
    line = get_provider("line").parse(load("line", "text"), "application/json")[0]
    assert line.raw["replyToken"] == "38ef843bde154d9b91c21320ffd17a0f"
    telegram = get_provider("telegram").parse(load("telegram", "text"), "application/json")[0]
    assert telegram.raw["update_id"] == 734512001
    sms = get_provider("sms").parse(load("sms", "text"), "application/x-www-form-urlencoded")[0]
    assert sms.raw["To"] == "+12025550143"
    assert sms.raw["FromCountry"] == "TH"


def test_whatsapp_status_states_we_do_not_track_are_skipped():
    payload = json.loads(load("whatsapp", "status_read"))
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "deleted"
    assert get_provider("whatsapp").parse(json.dumps(payload).encode(), "application/json") == []


def test_whatsapp_other_fields_hold_no_events():
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "102290129340398", "changes": [{"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}]}
        ],
    }
    assert get_provider("whatsapp").parse(json.dumps(payload).encode(), "application/json") == []


def test_twilio_inbound_with_message_status_received_is_a_message():
    body = load("sms", "text") + b"&MessageStatus=received"
    [event] = get_provider("sms").parse(body, "application/x-www-form-urlencoded")
    assert event.kind == "message"
    assert event.text == THAI


BAD_BODIES = {
    "empty": b"",
    "garbage": b"\x00\xff\xfe garbage \x81",
    "invalid utf-8": b'{"object": "page", "entry": "\xc3\x28"}',
    "list": b"[]",
    "number": b"42",
    "string": b'"hello"',
    "null": b"null",
    "empty object": b"{}",
    "nan": b'{"update_id": NaN}',
    "lone surrogate": b'{"event": "message", "x": "\\ud800"}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b'{"timestamp": 1' + b"0" * 5000 + b"}",
    "truncated": b'{"object": "whatsapp_business_account", "entry": [{"changes": [',
    "utf-8 bom": b'\xef\xbb\xbf{"events": []}',
}
WRONG_SHAPES = {
    "whatsapp": [
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": {}},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": "hello"}}]}]},
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"changes": [{"value": {"messages": [{"from": "66812345678", "id": "x", "timestamp": "soon"}]}}]}
            ],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"value": {"statuses": [{"status": "read"}]}}]}],
        },
    ],
    "messenger": [
        {"object": "instagram", "entry": []},
        {"object": "page", "entry": [{"messaging": [{"message": {"mid": "m_1", "text": "hi"}}]}]},
        {"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, "message": {"text": "no mid"}}]}]},
        {"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, "read": {}}]}]},
        {"object": "page", "entry": [{"messaging": [{"sender": {"id": 1.5}, "message": {"mid": "m"}}]}]},
    ],
    "line": [
        {"destination": "U1"},
        {"events": {}},
        {"events": [{"type": "message", "message": {"type": "text", "id": "1"}, "source": {}}]},
        {"events": [{"type": "message", "message": {"type": "text"}, "source": {"userId": "U1"}}]},
        {"events": [{"type": "message", "message": "text", "source": {"userId": "U1"}}]},
    ],
    "viber": [
        {"event": ["message"]},
        {"timestamp": 1764574000000},
        {"event": "message", "message_token": 1, "sender": {}, "message": {"type": "text"}},
        {"event": "message", "sender": {"id": "u"}, "message": {"type": "text"}},
        {"event": "delivered", "message_token": True},
        {"event": "message", "message_token": 1, "sender": {"id": "u"}, "timestamp": "yesterday", "message": {}},
    ],
    "telegram": [
        {"message": {"message_id": 1, "chat": {"id": 1}}},
        {"update_id": 1},
        {"update_id": 1, "message": {"message_id": 1}},
        {"update_id": 1, "message": []},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "photo": [{"width": 90}]}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "date": 1e300}},
    ],
}
WRONG_FORMS = [
    b"Body=hello&From=%2B66812345678",
    b"MessageSid=SM1&Body=no+sender",
    b"MessageSid=SM1&From=%2B66812345678&NumMedia=two",
    b"MessageSid=SM1&From=%2B66812345678&NumMedia=-1",
    b"MessageSid=SM1&From=%2B66812345678&Latitude=north&Longitude=1",
]


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_unreadable_bodies_are_payload_errors(provider, body):
    with pytest.raises(PayloadError):
        get_provider(provider).parse(body, CONTENT_TYPE[provider])


@pytest.mark.parametrize(
    ("provider", "payload"),
    [(provider, payload) for provider, payloads in WRONG_SHAPES.items() for payload in payloads],
)
def test_wrong_shapes_are_payload_errors(provider, payload):
    with pytest.raises(PayloadError):
        get_provider(provider).parse(json.dumps(payload).encode(), "application/json")


@pytest.mark.parametrize("body", WRONG_FORMS)
def test_wrong_forms_are_payload_errors(body):
    with pytest.raises(PayloadError):
        get_provider("sms").parse(body, "application/x-www-form-urlencoded")


def test_payload_error_messages_are_short_and_hold_no_content():
    payload = {"event": "message", "message_token": 1, "sender": {"id": ["ก" * 500]}, "message": {"type": "text"}}
    with pytest.raises(PayloadError) as caught:
        get_provider("viber").parse(json.dumps(payload).encode(), "application/json")
    assert len(str(caught.value)) < 80
    assert "ก" not in str(caught.value)


def test_event_rejects_inconsistent_fields():
    with pytest.raises(ValueError):
        InboundEvent(kind="message", provider_message_id="1", sender="1", message_type="gif")
    with pytest.raises(ValueError):
        InboundEvent(kind="status", provider_message_id="1", sender="1", status="read")  # message_type not ""
    with pytest.raises(ValueError):
        InboundEvent(kind="reaction", provider_message_id="1", sender="1")
    with pytest.raises(ValueError):
        InboundEvent(kind="message", provider_message_id="1", sender="1", sent_at=datetime(2025, 12, 1))


# --- signatures -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "name"), sorted(EXPECTED), ids="/".join)
def test_signed_fixture_verifies(provider, name):
    get_provider(provider).verify(signed_request(provider, load(provider, name)), CREDENTIALS[provider])


def reference_signature(provider: str, body: bytes, url: str) -> str:
    """Each provider's documented signature, computed independently of the adapters."""
    secret = CREDENTIALS[provider][SIGNING_FIELD[provider]].encode()
    if provider in {"whatsapp", "messenger"}:
        return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if provider == "line":
        return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    if provider == "viber":
        return hmac.new(secret, body, hashlib.sha256).hexdigest()
    if provider == "telegram":
        return secret.decode()
    from urllib.parse import parse_qsl

    data = url + "".join(key + value for key, value in sorted(parse_qsl(body.decode(), keep_blank_values=True)))
    return base64.b64encode(hmac.new(secret, data.encode(), hashlib.sha1).digest()).decode()


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_sign_follows_the_documented_scheme(provider):
    body = load(provider, "text")
    headers = get_provider(provider).sign(body, URL, CREDENTIALS[provider])
    assert headers == {SIGNATURE_HEADER[provider]: reference_signature(provider, body, URL)}


def test_twilio_signature_matches_twilios_published_example():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    provider = get_provider("sms")
    assert provider.sign(b"", url, {"auth_token": "12345"}, form=params) == {
        "X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    }
    request = WebhookRequest(
        body=urlencode(params).encode(),
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
        url=url,
        content_type="application/x-www-form-urlencoded",
    )
    provider.verify(request, {"auth_token": "12345"})


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_wrong_key_is_refused(provider):
    other = dict(CREDENTIALS[provider], **{SIGNING_FIELD[provider]: "someone-elses-secret"})
    request = signed_request(provider, load(provider, "text"), other)
    with pytest.raises(SignatureError):
        get_provider(provider).verify(request, CREDENTIALS[provider])


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_missing_header_is_refused(provider):
    request = signed_request(provider, load(provider, "text"))
    for headers in ({}, {"Content-Type": "application/json"}, {SIGNATURE_HEADER[provider]: ""}):
        with pytest.raises(SignatureError):
            get_provider(provider).verify(replace(request, headers=headers), CREDENTIALS[provider])


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_header_names_are_case_insensitive(provider):
    request = signed_request(provider, load(provider, "text"))
    for transform in (str.lower, str.upper):
        headers = {transform(key): value for key, value in request.headers.items()}
        get_provider(provider).verify(replace(request, headers=headers), CREDENTIALS[provider])


@pytest.mark.parametrize("provider", sorted(set(PROVIDERS) - {"telegram"}))
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_tampered_body_is_refused(provider, position):
    body = load(provider, "text")
    request = signed_request(provider, body)
    index = {"first": 0, "middle": len(body) // 2, "last": len(body) - 1}[position]
    tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    with pytest.raises(SignatureError):
        get_provider(provider).verify(replace(request, body=tampered), CREDENTIALS[provider])


def test_telegram_checks_the_secret_token_only():
    """Telegram signs nothing: the secret token in the header is the whole proof (documented limitation)."""
    provider = get_provider("telegram")
    request = signed_request("telegram", load("telegram", "text"))
    provider.verify(replace(request, body=b'{"update_id": 1}'), CREDENTIALS["telegram"])
    with pytest.raises(SignatureError):
        provider.verify(
            replace(request, headers={"X-Telegram-Bot-Api-Secret-Token": "tg_Secret-41f7c2e"}), CREDENTIALS["telegram"]
        )


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_missing_credentials_are_refused_not_crashes(provider):
    request = signed_request(provider, load(provider, "text"))
    field = SIGNING_FIELD[provider]
    for credentials in ({}, {field: ""}, {key: value for key, value in CREDENTIALS[provider].items() if key != field}):
        with pytest.raises(SignatureError):
            get_provider(provider).verify(request, credentials)
        with pytest.raises(SignatureError):
            get_provider(provider).sign(request.body, URL, credentials)
    with pytest.raises(SignatureError):
        get_provider(provider).verify(request, {field: 12345})  # type: ignore[dict-item]


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_non_ascii_signature_header_is_refused_not_crashes(provider):
    request = signed_request(provider, load(provider, "text"))
    with pytest.raises(SignatureError):
        get_provider(provider).verify(
            replace(request, headers={SIGNATURE_HEADER[provider]: "sha256=ลายเซ็น"}), CREDENTIALS[provider]
        )


def test_twilio_signature_covers_the_url():
    provider = get_provider("sms")
    request = signed_request("sms", load("sms", "text"))
    for url in (URL.replace("Zq3xR7tLk2", "Zq3xR7tLk3"), URL.replace("https", "http"), URL + "?x=1"):
        with pytest.raises(SignatureError):
            provider.verify(replace(request, url=url), CREDENTIALS["sms"])


def test_twilio_url_with_or_without_default_port_verifies():
    provider = get_provider("sms")
    body = load("sms", "text")
    with_port = "https://ilm.example.org:443/channels/hooks/Zq3xR7tLk2/"
    provider.verify(replace(signed_request("sms", body, url=URL), url=with_port), CREDENTIALS["sms"])
    provider.verify(replace(signed_request("sms", body, url=with_port), url=URL), CREDENTIALS["sms"])
    with pytest.raises(SignatureError):
        other_port = "https://ilm.example.org:8443/channels/hooks/Zq3xR7tLk2/"
        provider.verify(replace(signed_request("sms", body, url=URL), url=other_port), CREDENTIALS["sms"])


def test_twilio_sign_with_form_equals_sign_of_body():
    from urllib.parse import parse_qsl

    provider = get_provider("sms")
    body = load("sms", "mms_two_images")
    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    assert provider.sign(b"", URL, CREDENTIALS["sms"], form=form) == provider.sign(body, URL, CREDENTIALS["sms"])


def test_twilio_body_that_is_not_utf8_is_refused():
    provider = get_provider("sms")
    request = signed_request("sms", load("sms", "text"))
    with pytest.raises(SignatureError):
        provider.verify(replace(request, body=b"Body=\xff"), CREDENTIALS["sms"])


# --- GET handshake and answers --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["whatsapp", "messenger"])
def test_meta_handshake_echoes_the_challenge_for_the_right_token(provider):
    credentials = CREDENTIALS[provider]
    query = {"hub.mode": "subscribe", "hub.verify_token": credentials["verify_token"], "hub.challenge": "1158201444"}
    assert get_provider(provider).handshake(query, credentials) == "1158201444"


@pytest.mark.parametrize("provider", ["whatsapp", "messenger"])
def test_meta_handshake_refuses_a_wrong_token(provider):
    credentials = CREDENTIALS[provider]
    token = credentials["verify_token"]
    for query in (
        {"hub.mode": "subscribe", "hub.verify_token": token + "x", "hub.challenge": "1158201444"},
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1158201444"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {"hub.mode": "unsubscribe", "hub.verify_token": token, "hub.challenge": "1158201444"},
        {"hub.mode": "subscribe", "hub.verify_token": "ใช่", "hub.challenge": "1158201444"},
        {},
    ):
        with pytest.raises(SignatureError):
            get_provider(provider).handshake(query, credentials)
    with pytest.raises(SignatureError):
        get_provider(provider).handshake({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, {})


@pytest.mark.parametrize("provider", ["line", "viber", "telegram", "sms"])
def test_other_providers_have_no_get_handshake(provider):
    query = {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}
    assert get_provider(provider).handshake(query, CREDENTIALS[provider]) is None


def test_ack_bodies():
    assert get_provider("sms").ack() == (b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>', "text/xml")
    for name in ("whatsapp", "messenger", "line", "viber", "telegram"):
        body, content_type = get_provider(name).ack()
        assert body in {b"", b"ok"}
        assert content_type.startswith("text/plain")


# --- property tests: any input, only SignatureError / PayloadError escape ---------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["text", "image", "message", "delivered", "subscribe", "66812345678", "1764567000"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
JSON_FIXTURES = [
    (provider, json.loads(load(provider, name))) for provider, name in sorted(EXPECTED) if provider != "sms"
]
FORM_KEYS = st.sampled_from(
    [
        *("MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "MediaUrl1"),
        *("MessageStatus", "Latitude", "Longitude", "Address"),
    ]
)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_safely(provider: str, body: bytes) -> None:
    try:
        events = get_provider(provider).parse(body, CONTENT_TYPE[provider])
    except PayloadError:
        return
    for event in events:
        assert isinstance(event, InboundEvent)
        json.dumps(event.raw, allow_nan=False)


def verify_safely(provider: str, request: WebhookRequest, credentials: dict[str, Any]) -> None:
    with contextlib.suppress(SignatureError):
        get_provider(provider).verify(request, credentials)


def mutate(data: st.DataObject, value: Any) -> Any:
    """The value with one subtree (possibly the whole) replaced by random JSON."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: mutate(data, value[key])}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutate(data, value[index]), *value[index + 1 :]]
    return data.draw(JSON_VALUES)


@PROPERTY_SETTINGS
@given(provider=st.sampled_from(sorted(PROVIDERS)), body=st.binary(max_size=300))
def test_parse_of_random_bytes_raises_only_payload_error(provider, body):
    parse_safely(provider, body)


@PROPERTY_SETTINGS
@given(provider=st.sampled_from(sorted(PROVIDERS)), value=JSON_VALUES)
def test_parse_of_random_json_raises_only_payload_error(provider, value):
    parse_safely(provider, json.dumps(value).encode())


@PROPERTY_SETTINGS
@given(fixture=st.sampled_from(JSON_FIXTURES), data=st.data())
def test_parse_of_mutated_fixtures_raises_only_payload_error(fixture, data):
    provider, payload = fixture
    parse_safely(provider, json.dumps(mutate(data, payload)).encode())


@PROPERTY_SETTINGS
@given(pairs=st.lists(st.tuples(FORM_KEYS | st.text(max_size=8), st.text(max_size=20)), max_size=10))
def test_parse_of_random_forms_raises_only_payload_error(pairs):
    parse_safely("sms", urlencode(pairs).encode())


@PROPERTY_SETTINGS
@given(
    provider=st.sampled_from(sorted(PROVIDERS)),
    body=st.binary(max_size=200),
    signature=st.text(max_size=60) | st.sampled_from(["", "sha256=", "sha256=00", "=", "sha1=ab"]),
    header_case=st.sampled_from([str, str.lower, str.upper]),
    extra_headers=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
    secret=st.none() | st.text(max_size=20) | st.integers(),
    url=st.text(max_size=40) | st.sampled_from([URL, "http://[::1", "https://host:99999/", "https://h:443/x?y=1"]),
)
def test_verify_of_random_requests_raises_only_signature_error(
    provider, body, signature, header_case, extra_headers, secret, url
):
    headers = {**extra_headers, header_case(SIGNATURE_HEADER[provider]): signature}
    credentials = {} if secret is None else {SIGNING_FIELD[provider]: secret}
    request = WebhookRequest(body=body, headers=headers, url=url, content_type=CONTENT_TYPE[provider])
    verify_safely(provider, request, credentials)


@PROPERTY_SETTINGS
@given(
    provider=st.sampled_from(sorted(PROVIDERS)),
    body=st.binary(max_size=200),
    secret=st.text(min_size=1, max_size=30),
    url=st.sampled_from([URL, "https://h:443/x?y=1", "http://127.0.0.1:8000/channels/hooks/k/"]),
)
def test_sign_then_verify_round_trips_for_any_body_and_secret(provider, body, secret, url):
    if provider == "sms":
        body = urlencode([("MessageSid", "SM1"), ("Body", body.decode("latin-1"))]).encode()
    credentials = {SIGNING_FIELD[provider]: secret}
    request = WebhookRequest(
        body=body,
        headers=get_provider(provider).sign(body, url, credentials),
        url=url,
        content_type=CONTENT_TYPE[provider],
    )
    get_provider(provider).verify(request, credentials)


@PROPERTY_SETTINGS
@given(
    provider=st.sampled_from(["whatsapp", "messenger"]),
    query=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge"]) | st.text(max_size=8), st.text(max_size=12)
    ),
)
def test_handshake_of_random_queries_raises_only_signature_error(provider, query):
    try:
        answer = get_provider(provider).handshake(query, CREDENTIALS[provider])
    except SignatureError:
        return
    assert query["hub.verify_token"] == CREDENTIALS[provider]["verify_token"]
    assert answer == query.get("hub.challenge", "")
