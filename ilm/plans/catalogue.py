"""The activity catalogue (DOMAIN.md §4) as the product shows it, and activity codes as people write them.

The rows themselves arrive by data migration (migrations/0002_activity_catalogue.py, which keeps its own
copy, as migrations must). The names here are marked with `gettext_noop` so `make messages` extracts them;
`Activity.display_name` translates the stored English name at run time.

Codes are written compactly: one area abbreviation, then codes and ranges of that area,
e.g. "ER 2.6-7" for 2.6 and 2.7, "WV 1.2, 1.4; ER 2.3". `parse_activity_codes` reads that shape (and
plain lists such as "2.6, 2.7" or "2.6-2.7"); `format_activity_codes` writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

AREA_ABBREVIATIONS = {1: "WV", 2: "ER", 3: "WC"}
AREA_NAMES = {
    1: gettext_noop("Worker Voice"),
    2: gettext_noop("Labor Recruitment"),
    3: gettext_noop("Working & Living Conditions"),
}

TYPE_NAMES = {
    "policy": gettext_noop("Policy"),
    "operational": gettext_noop("Operational systems & procedures"),
    "communications": gettext_noop("Effective communications"),
    "remediation": gettext_noop("Remediation & repayment"),
    "systems_strengthening": gettext_noop("Systems strengthening"),
}

# code, type, name (exactly as DOMAIN.md §4), description
ACTIVITIES: tuple[tuple[str, str, str, str], ...] = (
    ("1.1", "policy", gettext_noop("Worker voice / ethical grievance mechanisms policy"), ""),
    ("1.2", "operational", gettext_noop("Systems & procedures for worker voice & ethical grievance mechanisms"), ""),
    (
        "1.3",
        "communications",
        gettext_noop("Communications regarding worker voice channels, grievance mechanisms & worker surveys"),
        "",
    ),
    ("1.4", "communications", gettext_noop("Communications between global buyers & suppliers"), ""),
    (
        "1.5",
        "systems_strengthening",
        gettext_noop("Capacity building: ethical grievance mechanisms"),
        gettext_noop("Training on the 8 key components."),
    ),
    (
        "1.6",
        "communications",
        gettext_noop("Education & empowerment"),
        gettext_noop("Outreach to jobseekers and workers."),
    ),
    ("2.1", "policy", gettext_noop("Ethical/responsible recruitment policy"), ""),
    ("2.2", "operational", gettext_noop("Systems & procedures for ethical recruitment"), ""),
    ("2.3", "communications", gettext_noop("Disclosure of recruitment agencies & policies to customers"), ""),
    ("2.4", "communications", gettext_noop("Communication of recruitment policies & requirements"), ""),
    (
        "2.5",
        "communications",
        gettext_noop("Communication of recruitment policies to job candidates & workers"),
        "",
    ),
    ("2.6", "systems_strengthening", gettext_noop("Recruitment surveys"), ""),
    ("2.7", "remediation", gettext_noop("Recruitment fees payment"), ""),
    ("2.8", "systems_strengthening", gettext_noop("Capacity building: ethical recruitment trainings"), ""),
    ("2.9", "systems_strengthening", gettext_noop("Ethical Recruitment Network (ERN) collaboration"), ""),
    (
        "2.10",
        "operational",
        gettext_noop("Job marketplace"),
        gettext_noop("Transparent, fee-free job advertising and applications."),
    ),
    ("3.1", "policy", gettext_noop("Ethical sourcing policy / roadmap plan"), ""),
    ("3.2", "remediation", gettext_noop("Ongoing worker voice-driven remediation"), ""),
    ("3.3", "communications", gettext_noop("Communications between global buyers & suppliers"), ""),
    ("3.4", "communications", gettext_noop("Strengthened communications & relations responding to worker voice"), ""),
    ("3.5", "operational", gettext_noop("Worker satisfaction surveys"), ""),
    ("3.6", "systems_strengthening", gettext_noop("Capacity building on business & human rights / HRDD"), ""),
    ("3.7", "systems_strengthening", gettext_noop("Capacity building: interpreters & line supervisors"), ""),
    ("3.8", "systems_strengthening", gettext_noop("Capacity building: management & leadership"), ""),
    ("3.9", "systems_strengthening", gettext_noop("Targeted, responsive systems strengthening"), ""),
)

KNOWN_CODES = frozenset(code for code, *_rest in ACTIVITIES)

_AREA_WORDS = {
    **{abbr.lower(): area for area, abbr in AREA_ABBREVIATIONS.items()},
    **{name.lower(): area for area, name in AREA_NAMES.items()},
}
_AREA_RE = "|".join(re.escape(word) for word in sorted(_AREA_WORDS, key=len, reverse=True))
_TOKEN = re.compile(
    rf"\s*(?:(?P<area>{_AREA_RE})\s*)?"
    r"(?P<start_area>\d+)\.(?P<start>\d+)"
    r"(?:\s*[-–—]\s*(?:(?P<end_area>\d+)\.)?(?P<end>\d+))?"
    r"\s*(?:[,;/&+]|\band\b|\s|$)\s*",
    re.IGNORECASE,
)
MAX_CODES = 30


def code_key(code: str) -> tuple[int, int]:
    area, number = code.split(".")
    return int(area), int(number)


def parse_activity_codes(text: str) -> list[str]:
    """The activity codes a person wrote ("ER 2.6-7", "WV 1.2; 2.6-2.7", "1.1, 1.2"), in catalogue order.

    Raises ValidationError (translated) for text it cannot read; whether each code exists in the
    catalogue is the service's check (`services.resolve_activities`).
    """
    value = (text or "").strip()
    if not value:
        raise ValidationError(_("Enter at least one activity code, e.g. “ER 2.6-7” or “1.2”."))
    codes: set[str] = set()
    position = 0
    while position < len(value):
        match = _TOKEN.match(value, position)
        if match is None or match.end() == position:
            raise ValidationError(
                _("Could not read the activity codes “%(text)s”. Write them like “ER 2.6-7” or “1.2, 1.3”.")
                % {"text": value[:60]}
            )
        position = match.end()
        area = int(match["start_area"])
        named = match["area"]
        if named and _AREA_WORDS[named.lower()] != area:
            raise ValidationError(
                _("Activity %(code)s is not in the area %(area)s.")
                % {"code": f"{area}.{match['start']}", "area": named}
            )
        start = int(match["start"])
        end = int(match["end"]) if match["end"] else start
        if match["end_area"] and int(match["end_area"]) != area:
            raise ValidationError(_("A range of activities stays within one area, e.g. “ER 2.6-7”."))
        if end < start:
            raise ValidationError(_("The range %(text)s runs backwards.") % {"text": match.group(0).strip(" ,;")})
        if end - start >= MAX_CODES:
            raise ValidationError(_("This range is too long."))
        codes.update(f"{area}.{number}" for number in range(start, end + 1))
    return sorted(codes, key=code_key)


def format_activity_codes(codes: Iterable[str]) -> str:
    """Compact display: "ER 2.6-7", "WV 1.2, 1.4; ER 2.3" (consecutive codes of an area become a range)."""
    by_area: dict[int, list[int]] = {}
    for code in set(codes):
        area, number = code_key(code)
        by_area.setdefault(area, []).append(number)
    parts = []
    for area in sorted(by_area):
        numbers = sorted(by_area[area])
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        written = ", ".join(f"{area}.{run[0]}" if len(run) == 1 else f"{area}.{run[0]}-{run[-1]}" for run in runs)
        parts.append(f"{AREA_ABBREVIATIONS.get(area, str(area))} {written}")
    return "; ".join(parts)


# Completed trainings in these activities suggest (never set) partial progress on the matching business
# progress indicator (DOMAIN.md §6 and §9): ilm/plans/training_services.py.
TRAINING_SUGGESTS: dict[str, str] = {
    "1.5": "WV3",  # Capacity building: ethical grievance mechanisms
    "2.8": "ER7",  # Capacity building: ethical recruitment trainings
    "3.7": "WORK2",  # Capacity building: interpreters & line supervisors
    "3.8": "WORK3",  # Capacity building: management & leadership
}
