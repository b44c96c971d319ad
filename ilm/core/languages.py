"""The product's languages, named in their own script (Django's table calls Khmer "Khmer")."""

from __future__ import annotations

from django.conf import settings

NATIVE_NAMES = {
    "en": "English",
    "th": "ภาษาไทย",
    "my": "မြန်မာဘာသာ",
    "km": "ភាសាខ្មែរ",
    "ne": "नेपाली",
}


def language_choices() -> list[tuple[str, str]]:
    return [(code, NATIVE_NAMES.get(code, str(name))) for code, name in settings.LANGUAGES]
