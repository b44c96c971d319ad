"""The published statistics: the aggregate tables of ilm/cases/statistics.py after suppression, as plain
dictionaries ready for the page, JSON and CSV, kept in the cache per language (docs/public.md).

This module (like all of ilm/public) reads only aggregate selectors, never case models: the import
boundary is enforced by tests/public/test_boundary.py.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation

from ilm.cases import statistics
from ilm.public.suppression import THRESHOLD, suppress

# Figures are at most a minute old: the tables are kept 50 s, leaving 10 s for the first reader after that to
# compute them again (about 6 s over 1,000,000 issues: docs/public.md, "Benchmark").
CACHE_SECONDS = 50
MONTH_TABLES = {"contacts", "issues", "forced_labour"}


def _publish(table: statistics.CountTable) -> dict[str, Any]:
    published = suppress(table.counts) if table.rows and table.columns else None
    rows = []
    for r, (key, label) in enumerate(table.rows):
        rows.append(
            {
                "key": key,
                "label": label,
                "cells": published.cells[r] if published else [],
                "total": published.row_totals[r] if published else 0,
            }
        )
    columns = [
        {"key": key, "label": label, "total": published.column_totals[c] if published else 0}
        for c, (key, label) in enumerate(table.columns)
    ]
    return {
        "key": table.key,
        "title": table.title,
        "row_heading": table.row_heading,
        "column_heading": table.column_heading,
        "rows": rows,
        "columns": columns,
        "total": published.total if published else 0,
    }


def published_tables() -> dict[str, Any]:
    """Every public table in the active language, suppressed; computed at most once a minute per language.
    `expires_at` (epoch seconds) is when it will be computed again: pages made from it live no longer."""
    language = translation.get_language() or "en"
    key = f"public:statistics:v1:{language}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    data = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "expires_at": time.time() + CACHE_SECONDS,
        "threshold": THRESHOLD,
        "tables": [_publish(table) for table in statistics.public_tables()],
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


def seconds_left() -> int:
    """How long what is published now stays current (1 to CACHE_SECONDS)."""
    left = published_tables()["expires_at"] - time.time()
    return max(1, min(CACHE_SECONDS, int(left)))
