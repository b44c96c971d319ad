"""The committed OpenAPI schema (docs/api/openapi.yaml) is what the code generates: CI fails on drift."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.utils import translation

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    with translation.override("en"):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == SCHEMA.read_text(), (
        "The API changed but docs/api/openapi.yaml did not. Run `make schema` and commit the result."
    )
