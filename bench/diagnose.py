"""Where the time goes, and a sanity check of what the list shows (run after timing, never during it)."""

from __future__ import annotations

import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
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


def breakdown(
    get: Callable[[], Any], requests: int = 30, wraps: list[tuple[Any, str, str]] | None = None, warmup: int = 5
) -> dict[str, float]:
    """Mean milliseconds per request spent in the request, SQL, and each wrapped (owner, attribute, bucket).

    The default buckets are the network ones: the network scope, templates, filter form widgets, serializers."""
    import django.forms.boundfield as boundfield
    from django.template.response import SimpleTemplateResponse
    from rest_framework.serializers import ListSerializer

    from ilm.network import selectors

    if wraps is None:
        wraps = [
            (selectors, "_scope_for", "network scope (_scope_for, Python+SQL)"),
            (SimpleTemplateResponse, "render", "template rendering (incl. its SQL)"),
            (boundfield.BoundField, "as_widget", "  of which filter form widgets"),
            (ListSerializer, "to_representation", "serializer to_representation"),
        ]
    acc: dict[str, float] = defaultdict(float)

    def sql_timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            acc["SQL, all queries"] += time.perf_counter() - start

    for _ in range(warmup):
        get()
    with ExitStack() as stack:
        for owner, name, bucket in wraps:
            stack.enter_context(_wrapped(owner, name, bucket, acc))
        stack.enter_context(connection.execute_wrapper(sql_timer))
        for _ in range(requests):
            start = time.perf_counter()
            get()
            acc["whole request"] += time.perf_counter() - start
    order = ["whole request", "SQL, all queries", *(bucket for _owner, _name, bucket in wraps)]
    return {key: acc[key] / requests * 1000 for key in order if key in acc}


def _where() -> str:
    """Where the running query comes from: the innermost frames outside Django's ORM (and this package)."""
    skip = ("/django/db/", "/django/test/", "/bench/", "/contextlib.py", "/django/utils/functional.py")
    frames = [f for f in reversed(traceback.extract_stack()) if not any(part in f.filename for part in skip)]
    picked: list[str] = []
    for frame in frames:
        name = frame.filename
        for marker in ("/site-packages/", str(Path.cwd()) + "/"):
            if marker in name:
                name = name.split(marker, 1)[1]
        picked.append(f"{name}:{frame.lineno} {frame.name}")
        if "/ilm/" in frame.filename and "middleware" not in frame.filename:
            break
        if len(picked) >= 4:
            break
    return " < ".join(picked)


def slow_queries(get: Callable[[], Any], requests: int = 5) -> list[dict[str, Any]]:
    """Every query of one request with its time (best of `requests` runs, so one hiccup does not count) and
    where it was run from, slowest first."""
    best: dict[int, dict[str, Any]] = {}
    seen: list[dict[str, Any]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            try:
                text = connection.ops.last_executed_query(context["cursor"], sql, params) or sql
            except Exception:  # a query we cannot render is still timed
                text = sql
            seen.append({"ms": elapsed, "sql": text, "where": _where()})

    for _ in range(requests):
        seen.clear()
        with connection.execute_wrapper(timer):
            get()
        for index, query in enumerate(seen):
            if index not in best or query["ms"] < best[index]["ms"]:
                best[index] = query
    return sorted(best.values(), key=lambda q: q["ms"], reverse=True)


def selectable(sql: str) -> str | None:
    """The SELECT of a captured query (a server-side cursor's DECLARE ... FOR SELECT included), or None."""
    text = sql.strip()
    if text.upper().startswith("DECLARE") and " FOR SELECT " in text.upper():
        text = text[text.upper().index(" FOR SELECT ") + len(" FOR ") :]
    return text if text.upper().startswith("SELECT") else None


def explain(sql: str) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured query (literal values already in it), read-only."""
    query = selectable(sql)
    if query is None:
        return ["(not a SELECT: not explained)"]
    sql = query
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


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


def serializer_builds(get: Callable[[], Any]) -> list[tuple[str, str, int]]:
    """ModelSerializers whose fields were built during one request: (class, where it was built, times).

    DRF builds a ModelSerializer's fields from the model (field mapping, verbose names) once per instance:
    a serializer instantiated per row pays that once per row."""
    from rest_framework.serializers import ModelSerializer

    counts: dict[tuple[str, str], int] = defaultdict(int)
    original = ModelSerializer.__dict__["get_fields"]

    def counting(self: Any) -> Any:
        ilm = [
            f"{f.filename.split('/ilm/', 1)[1]}:{f.lineno} {f.name}"
            for f in reversed(traceback.extract_stack()[:-1])
            if "/ilm/" in f.filename and "middleware" not in f.filename
        ]
        counts[(type(self).__name__, "ilm/" + ilm[0] if ilm else "?")] += 1
        return original(self)

    get()
    ModelSerializer.get_fields = counting  # type: ignore[method-assign]
    try:
        get()
    finally:
        ModelSerializer.get_fields = original  # type: ignore[method-assign]
    return sorted(((cls, where, n) for (cls, where), n in counts.items()), key=lambda row: -row[2])


def explain_jit(sql: str) -> tuple[float, float, float] | None:
    """(execution ms, of which JIT ms, execution ms with jit off) of a SELECT, inside a rolled-back transaction."""
    from django.db import transaction

    query = selectable(sql)
    if query is None:
        return None
    sql = query
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
        total = float(plan["Execution Time"]) + float(plan["Planning Time"])
        jit = float(plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0))
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
        without = float(plan["Execution Time"]) + float(plan["Planning Time"])
        transaction.set_rollback(True)
    return total, jit, without
