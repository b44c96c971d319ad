"""`manage.py load_question_set FILE.json`: add a question set (or a new version) from data.

The file has the shape of STANDARD_SET in ilm/surveys/migrations/0002_standard_question_set.py. A code
and version that exist are refused: a set in use is never edited in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ilm.surveys.services import question_set_load


class Command(BaseCommand):
    help = "Add a worker satisfaction question set (or a new version of one) from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = json.loads(options["path"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc}") from exc
        try:
            question_set = question_set_load(spec=spec)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {question_set.code} v{question_set.version}."))
