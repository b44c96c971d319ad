"""The product's languages, named in their own script (Django's table calls Khmer "Khmer")."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils import translation

NATIVE_NAMES = {
    "en": "English",
    "th": "ภาษาไทย",
    "my": "မြန်မာဘာသာ",
    "km": "ភាសាខ្មែរ",
    "ne": "नेपाली",
}


def language_choices() -> list[tuple[str, str]]:
    return [(code, NATIVE_NAMES.get(code, str(name))) for code, name in settings.LANGUAGES]


@lru_cache(maxsize=32)
def babel_locale(language: str) -> Locale:
    """Babel's CLDR data for a Django language code (parsed once per language)."""
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def current_babel_locale() -> Locale:
    return babel_locale(translation.get_language() or "en")
