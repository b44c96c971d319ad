"""The activity catalogue matches DOMAIN.md §4: every code, type and name, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from ilm.plans import catalogue
from ilm.plans.models import Activity, ActivityType

pytestmark = pytest.mark.django_db

DOMAIN = Path(__file__).resolve().parents[2].parent / "shared" / "DOMAIN.md"
TYPE_WORDS = {
    "Policy": ActivityType.POLICY,
    "Operational": ActivityType.OPERATIONAL,
    "Communications": ActivityType.COMMUNICATIONS,
    "Remediation & repayment": ActivityType.REMEDIATION,
    "Systems strengthening": ActivityType.SYSTEMS_STRENGTHENING,
}
AREAS = {"1": ("Worker Voice", "WV"), "2": ("Labor Recruitment", "ER"), "3": ("Working & Living Conditions", "WC")}


def domain_activities() -> dict[str, tuple[str, str | None, str | None]]:
    """code → (name, type or None, parenthetical note or None), read from DOMAIN.md §4."""
    if not DOMAIN.exists():
        pytest.skip(f"DOMAIN.md is not at {DOMAIN} (the shared folder beside the repository)")
    text = DOMAIN.read_text(encoding="utf-8")
    section = text[text.index("## 4.") : text.index("## 5.")]
    for number, (name, abbreviation) in AREAS.items():
        assert f"Area {number}, {name} ({abbreviation}):" in section
    body = re.sub(r"Area \d, [^:]+:", "·", section[section.index("Area 1") :])
    entries = [" ".join(part.split()) for part in body.split("·") if part.strip()]
    found = {}
    for entry in entries:
        match = re.fullmatch(r"(\d+\.\d+) (.+?)(?: \(([^()]*)\))?\.?", entry)
        assert match, entry
        code, name, note = match.groups()
        kind = TYPE_WORDS.get(note) if note else None
        found[code] = (name, kind, None if kind else note)
    return found


def test_every_code_type_and_name_is_in_the_catalogue():
    expected = domain_activities()
    assert len(expected) == 25
    stored = {a.code: a for a in Activity.objects.all()}
    assert set(stored) == set(expected)
    for code, (name, kind, note) in expected.items():
        activity = stored[code]
        assert activity.name == name, code
        area, number = code.split(".")
        assert (activity.area, activity.number) == (int(area), int(number))
        if kind is not None:
            assert activity.type == kind, code
        else:
            assert activity.type in ActivityType.values, code
        if note:
            assert activity.description.rstrip(".").lower() == note.lower(), code


def test_the_translation_module_holds_the_same_names_as_the_database():
    stored = {a.code: (a.type, a.name, a.description) for a in Activity.objects.all()}
    assert {code: (kind, name, description) for code, kind, name, description in catalogue.ACTIVITIES} == stored
    assert set(catalogue.TYPE_NAMES) == set(ActivityType.values)


def test_names_are_shown_through_the_translation_catalogue():
    activity = Activity.objects.get(code="2.7")
    with translation.override("th"):
        assert activity.display_name == translation.gettext("Recruitment fees payment")
    assert str(activity) == "2.7 Recruitment fees payment"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("ER 2.6-7", ["2.6", "2.7"]),
        ("ER 2.6–2.7", ["2.6", "2.7"]),
        ("2.7, 2.6", ["2.6", "2.7"]),
        ("WV 1.2; ER 2.3", ["1.2", "2.3"]),
        ("Worker Voice 1.2", ["1.2"]),
        ("1.1 1.2 and 1.3", ["1.1", "1.2", "1.3"]),
        ("er2.10", ["2.10"]),
        ("3.7-9", ["3.7", "3.8", "3.9"]),
    ],
)
def test_codes_are_read_as_people_write_them(text, codes):
    assert catalogue.parse_activity_codes(text) == codes


@pytest.mark.parametrize("text", ["", "ER", "2.6-5", "WV 2.6", "2.6-3.1", "zero fee", "2.6 foo"])
def test_unreadable_codes_are_refused(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        catalogue.parse_activity_codes(text)


@pytest.mark.parametrize(
    ("codes", "shown"),
    [
        (["2.6", "2.7"], "ER 2.6-7"),
        (["1.2"], "WV 1.2"),
        (["1.2", "1.4", "2.3"], "WV 1.2, 1.4; ER 2.3"),
        (["2.8", "2.9", "2.10", "3.1"], "ER 2.8-10; WC 3.1"),
    ],
)
def test_codes_are_shown_compactly_and_read_back(codes, shown):
    assert catalogue.format_activity_codes(codes) == shown
    assert catalogue.parse_activity_codes(shown) == codes
