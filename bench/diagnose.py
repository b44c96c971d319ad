"""Where the time goes, and a sanity check of what the list shows (run after timing, never during it)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def _wrapped(owner: Any, name: str, bucket: str, acc: dict[str, float]) -> Iterator[None]:
    original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
    if original is None:  # the app changed shape: measure without this bucket rather than fail
        yield
        return

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            acc[bucket] += time.perf_counter() - start

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def breakdown(get: Callable[[], Any], requests: int = 30) -> dict[str, float]:
    """Mean milliseconds per request spent in the request, SQL, the network scope, templates, serializers."""
    import django.forms.boundfield as boundfield
    from django.template.response import SimpleTemplateResponse
    from rest_framework.serializers import ListSerializer

    from ilm.network import selectors

    acc: dict[str, float] = defaultdict(float)

    def sql_timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            acc["SQL, all queries"] += time.perf_counter() - start

    for _ in range(5):
        get()
    with (
        _wrapped(selectors, "_scope_for", "network scope (_scope_for, Python+SQL)", acc),
        _wrapped(SimpleTemplateResponse, "render", "template rendering (incl. its SQL)", acc),
        _wrapped(boundfield.BoundField, "as_widget", "  of which filter form widgets", acc),
        _wrapped(ListSerializer, "to_representation", "serializer to_representation", acc),
        connection.execute_wrapper(sql_timer),
    ):
        for _ in range(requests):
            start = time.perf_counter()
            get()
            acc["whole request"] += time.perf_counter() - start
    order = [
        "whole request",
        "SQL, all queries",
        "network scope (_scope_for, Python+SQL)",
        "template rendering (incl. its SQL)",
        "  of which filter form widgets",
        "serializer to_representation",
    ]
    return {key: acc[key] / requests * 1000 for key in order if key in acc}


def headcount_mismatches(results: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """Compare the API's headcount_total with the sum of each listed site's latest headcount rows."""
    from django.db.models import Max, Sum

    from ilm.network.models import HeadcountSnapshot

    checked = wrong = 0
    examples: list[str] = []
    for row in results:
        rows = HeadcountSnapshot.objects.filter(site_id=row["id"])
        latest = rows.aggregate(latest=Max("as_of"))["latest"]
        expected = rows.filter(as_of=latest).aggregate(total=Sum("count"))["total"] if latest else None
        checked += 1
        if expected != row["headcount_total"]:
            wrong += 1
            if len(examples) < 3:
                examples.append(
                    f"site {row['id']}: headcount_total={row['headcount_total']}, rows of {latest} sum to {expected}"
                )
    return checked, wrong, examples
