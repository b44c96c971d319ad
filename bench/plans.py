"""The plans section of `make bench` (issue 5): the buyer's progress indicator grid and what hangs off it.

Seeds the 13 progress indicators with ~3 years of history for the 300 suppliers in the chain of the
benchmark buyer "big" (bench/seed_plans.py), then times, as that buyer's member and interleaved with a
signed-in hello-world view in the same rounds:
- the grid page `/plans/progress/`, the grid filtered by country, the CSV export;
- one supplier's progress page (its 13 indicators with their trend and open suggestions);
- the API list `/api/v1/progress-indicators/?organisation=<that supplier>` (Bearer token).
The same requests are counted (and the grid timed) for the buyer "half", whose chain is 150 of the same
suppliers. Goals (issue 5): p95 <= 3x hello-world, and query counts that do not grow with the suppliers.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from typing import Any

GOAL_RATIO = 3.0
COUNTRY = "TH"
HELLO = "hello-world (Django view, signed in)"


def _load() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def _grid_rows(membership: Any, **filters: str) -> int:
    from ilm.accounts.models import Membership
    from ilm.plans import selectors

    fresh = Membership.objects.select_related("organisation").get(pk=membership.pk)
    rows, _totals = selectors.progress_grid(fresh, **filters)
    return len(rows)


def _endpoints(actors: dict[str, dict[str, Any]], supplier: int) -> list[Any]:
    from bench.measure import Endpoint

    big = actors["big"]
    endpoints = [Endpoint(HELLO, "big", big["session"], "/bench/hello/", rows="-")]
    for key in ("big", "half"):
        actor = actors[key]
        member = actor["membership"]
        rows, in_country = _grid_rows(member), _grid_rows(member, country=COUNTRY)
        endpoints += [
            Endpoint(
                "grid page  /plans/progress/", key, actor["session"], "/plans/progress/", rows=f"{rows} businesses"
            ),
            Endpoint(
                f"grid ?country={COUNTRY}",
                key,
                actor["session"],
                f"/plans/progress/?country={COUNTRY}",
                rows=f"{in_country} businesses",
                timed=key == "big",
            ),
            Endpoint(
                "CSV export  /plans/progress/export.csv",
                key,
                actor["session"],
                "/plans/progress/export.csv",
                rows=f"{rows} lines",
                timed=key == "big",
            ),
            Endpoint(
                "supplier page (with trend)",
                key,
                actor["session"],
                f"/plans/progress/{supplier}/",
                rows="13 indicators",
                timed=key == "big",
            ),
        ]
        api = Endpoint(
            "API ?organisation=<supplier>",
            key,
            actor["token"],
            f"/api/v1/progress-indicators/?organisation={supplier}",
            actor["bearer"],
            timed=key == "big",
        )
        api.rows = f"{len(api.get().json()['results'])} values"
        endpoints.append(api)
    return endpoints


def _print_table(endpoints: list[Any], hello: Any) -> None:
    header = (
        f"{'endpoint':<40} {'as':<5} {'rows':<16} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'p50/hello':>9} {'p95/hello':>9} {'queries':>7} {'cold':>5} {'bytes':>8}"
    )
    print(header)
    print("-" * len(header))
    for e in endpoints:
        if e.samples:
            timing = (
                f"{len(e.samples):>4} {e.p50:>8.2f} {e.p95:>8.2f} {e.max:>8.2f} "
                f"{e.p50 / hello.p50:>8.2f}x {e.p95 / hello.p95:>8.2f}x"
            )
        else:
            timing = f"{'-':>4} {'-':>8} {'-':>8} {'-':>8} {'-':>9} {'-':>9}"
        print(f"{e.label:<40} {e.actor:<5} {e.rows:<16} {timing} {e.queries_label:>7} {e.cold_queries:>5} {e.size:>8}")


def _print_goals(endpoints: list[Any], hello: Any, chains: dict[str, set[int]]) -> list[Any]:
    """Print the verdicts; return the timed endpoints that missed (NOISY counts as missed)."""
    print(
        f"\nGoals (issue 5; buyer 'big', {len(chains['big'])} suppliers in its chain; hello-world = signed-in Django "
        f"view in the same rounds, p50 {hello.p50:.2f} ms, p95 {hello.p95:.2f} ms)"
    )
    missed = []
    for e in endpoints:
        if not e.samples or e.label == HELLO or e.actor != "big":
            continue
        ratio, ratio50 = e.p95 / hello.p95, e.p50 / hello.p50
        verdict = "MISSED" if ratio > GOAL_RATIO else ("MET" if ratio50 <= GOAL_RATIO else "NOISY")
        print(
            f"  [{verdict:^6}] p95 <= {GOAL_RATIO:.0f}x hello-world, {e.label}: {e.p95:.2f} ms = {ratio:.2f}x "
            f"(at p50 {ratio50:.2f}x)"
        )
        if verdict != "MET":
            missed.append(e)
    if any(e for e in missed if e.p95 / hello.p95 <= GOAL_RATIO):
        print("           NOISY: within 3x at p95 only because hello-world's own p95 was high; not counted as met")
    print(
        f"\n  Constant queries: the same requests for buyer 'half' ({len(chains['half'])} suppliers, the same "
        f"suppliers' values) and 'big' ({len(chains['big'])})"
    )
    labels = list(dict.fromkeys(e.label for e in endpoints if e.label != HELLO))
    for label in labels:
        big = next(e for e in endpoints if e.label == label and e.actor == "big")
        half = next(e for e in endpoints if e.label == label and e.actor == "half")
        same = big.query_counts == half.query_counts and len(set(big.query_counts)) == 1
        cold = big.cold_queries == half.cold_queries
        verdict = "MET" if same and cold else "MISSED"
        print(
            f"  [{verdict:^6}] constant queries, {label}: {half.queries_label} warm / {half.cold_queries} cold at "
            f"{len(chains['half'])} suppliers ({half.rows}), {big.queries_label} / {big.cold_queries} at "
            f"{len(chains['big'])} ({big.rows})"
        )
    return missed


def _short_sql(sql: str, limit: int = 300) -> str:
    text = " ".join(sql.split())
    text = re.sub(r"IN \((\d+(?:, \d+){5})(?:, \d+)+\)", lambda m: f"IN ({m.group(1)}, …)", text)
    return text[:limit] + (" …" if len(text) > limit else "")


def _diagnose(missed: list[Any], hello: Any) -> None:
    from django.template.backends.django import Template
    from rest_framework.serializers import ListSerializer

    from bench.diagnose import breakdown, slow_queries
    from ilm.network import selectors as network_selectors
    from ilm.plans import exports, selectors

    if not missed:
        return
    wraps: list[tuple[Any, str, str]] = [
        (network_selectors, "_scope_for", "network scope (_scope_for, cold only)"),
        (selectors, "progress_grid", "progress_grid selector (3 queries + rows)"),
        (selectors, "indicator_trend", "indicator_trend selector"),
        (exports, "export_progress_grid", "export_progress_grid (CSV + audit)"),
        (Template, "render", "template rendering (incl. its SQL)"),
        (ListSerializer, "to_representation", "serializer to_representation"),
    ]
    print("\nWhere the time goes (mean ms per request over 15 more requests, instrumented, not the timed run)")
    rows = [("hello", breakdown(hello.get, 15, wraps, warmup=2))]
    rows += [(e.label, breakdown(e.get, 15, wraps, warmup=2)) for e in missed]
    keys: list[str] = []
    for _label, parts in rows:
        keys += [k for k in parts if k not in keys]
    print(f"  {'':<44}" + "".join(f"{i:>9}" for i in ["hello", *(f"#{n}" for n in range(1, len(missed) + 1))]))
    for key in keys:
        cells = "".join(f"{parts[key]:>9.1f}" if key in parts else f"{'-':>9}" for _label, parts in rows)
        print(f"  {key:<44}{cells}")
    for n, e in enumerate(missed, 1):
        print(f"    #{n} = {e.actor} {e.label} ({e.size:,} bytes)")
    print("\n  Slowest queries (best of 3 requests; where = innermost callers outside the ORM)")
    for n, e in enumerate(missed, 1):
        queries = slow_queries(e.get, 3)
        total = sum(q["ms"] for q in queries)
        print(f"  #{n} {e.label}: {len(queries)} queries, {total:.1f} ms of SQL; the slowest:")
        for q in queries[:3]:
            print(f"      {q['ms']:>7.2f} ms  {q['where']}")
            print(f"                 {_short_sql(q['sql'])}")


def run_plans(args: argparse.Namespace, seeded: Any) -> None:
    from bench.actors import make_actor
    from bench.measure import count_queries, time_round_robin
    from bench.seed_plans import seed_plans

    print("\n=== Plans: progress indicator grid, export, supplier page and API (issue 5) ===")
    print(f"  load       {_load()}")
    t0 = time.perf_counter()
    plans = seed_plans(seeded)
    print(
        f"  seeding    {time.perf_counter() - t0:.1f} s on top of the network (bulk_create, then ANALYZE): "
        + ", ".join(f"{v:,} {k}" for k, v in plans.counts.items())
    )
    actors = {key: make_actor(f"plans-{key}", buyer, role="admin") for key, buyer in plans.buyers.items()}
    print(
        "  members    "
        + "; ".join(
            f"{key}: admin of {plans.buyers[key].name}, {len(plans.chains[key])} suppliers in its chain, "
            f"{_grid_rows(actors[key]['membership'])} businesses in the grid "
            f"({_grid_rows(actors[key]['membership'], country=COUNTRY)} in {COUNTRY})"
            for key in ("big", "half")
        )
    )
    endpoints = _endpoints(actors, plans.supplier)
    count_queries(endpoints)
    timed = [e for e in endpoints if e.timed]
    t0 = time.perf_counter()
    rounds = time_round_robin(endpoints, args.plans_requests, args.plans_warmup, args.plans_budget, min_rounds=15)
    stopped = "" if rounds == args.plans_requests else f" (stopped at {rounds} of {args.plans_requests}: budget)"
    print(
        f"  timing     {rounds} requests per endpoint{stopped} after {args.plans_warmup} warm-up rounds, "
        f"{len(timed)} endpoints interleaved, in {time.perf_counter() - t0:.0f} s; load average now {_load()}"
    )
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.75 * (os.cpu_count() or 1):
        print("  WARNING    the machine was busy (load average above 0.75 x CPUs): other processes compete")
        print("             for the CPUs and the disk, so p95 and the ratios are noisier than usual")
    hello = endpoints[0]
    print()
    _print_table(endpoints, hello)
    print()
    print("as: big = admin of the buyer with 300 suppliers in its chain (3 tiers); half = admin of a buyer whose")
    print("  chain is 150 of them. The grid lists the chain's suppliers and the recruitment agencies they")
    print("  disclosed to the buyer (agencies have no values seeded: 'not assessed' cells). 'half' rows are")
    print("  counted, not timed, except the grid page.")
    print(f"supplier page and API: supplier {plans.supplier} (13 values, 6-12 history records each, open suggestions).")
    print("queries: one cold request (cache emptied: the buyer's network scope is computed) and 3 warm ones.")
    print("  The CSV export also writes an audit event per download (an INSERT among its queries).")
    missed = _print_goals(endpoints, hello, plans.chains)
    _diagnose(missed, hello)
    if args.show_queries:
        for e in endpoints:
            if e.actor == "big" and e.label != HELLO:
                print(f"\n--- {e.label}: {len(e.queries)} queries")
                for i, q in enumerate(e.queries, 1):
                    print(f"  {i:>2}. [{float(q['time']) * 1000:.1f} ms] {_short_sql(q['sql'], 400)}")
