"""Timing and query counting through django.test.Client (the full middleware stack, in-process)."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Endpoint:
    label: str
    actor: str  # which benchmark buyer (or "-")
    client: Client
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: str = ""  # what the response lists, e.g. "25 of 1,634 sites"
    visible: int = 0  # sites the buyer may see in all
    timed: bool = True
    group: str = ""  # endpoints timed in the same rounds (the cases section times API and page rows apart)
    samples: list[float] = field(default_factory=list)
    query_counts: list[int] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0

    def get(self) -> Any:
        response = self.client.get(self.path, headers=self.headers)
        if response.status_code != 200:
            location = response.get("Location", "")
            raise SystemExit(
                f"{self.label} ({self.actor}) {self.path} answered {response.status_code} "
                f"{location}: the benchmark's sign-in or data is wrong, figures would be meaningless."
            )
        self.size = len(response.content)
        return response

    def percentile(self, q: float) -> float:
        if len(self.samples) < 2:
            return self.samples[0] if self.samples else float("nan")
        return statistics.quantiles(self.samples, n=100, method="inclusive")[round(q) - 1]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def max(self) -> float:
        return max(self.samples)

    cold_queries: int = 0

    @property
    def queries_label(self) -> str:
        low, high = min(self.query_counts), max(self.query_counts)
        return str(low) if low == high else f"{low}-{high}"


def count_queries(endpoints: list[Endpoint], repeats: int = 3) -> None:
    """Queries per request: first cold (cache emptied, so the visibility scope is computed), then
    `repeats` warm requests (scope and per-language country names cached; min-max if they differ)."""
    from django.core.cache import cache

    for endpoint in endpoints:  # once each first: per-process caches (country names per language) fill up
        endpoint.get()
    for endpoint in endpoints:
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            endpoint.get()
        endpoint.cold_queries = len(cold.captured_queries)
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as ctx:
                endpoint.get()
            endpoint.query_counts.append(len(ctx.captured_queries))
            if not endpoint.queries:
                endpoint.queries = list(ctx.captured_queries)


def time_round_robin(endpoints: list[Endpoint], requests: int, warmup: int, budget: float, min_rounds: int = 20) -> int:
    """Warm up, then time up to `requests` requests per endpoint, interleaved so drift hits all alike.

    Stops early (every endpoint keeping the same number of samples, at least `min_rounds`) once
    `budget` seconds have passed, so a loaded machine cannot stretch the run; returns the rounds timed.
    """
    timed = [e for e in endpoints if e.timed]
    for _ in range(warmup):
        for endpoint in timed:
            endpoint.get()
    gc.collect()
    deadline = time.perf_counter() + budget
    for done in range(requests):
        if done >= min_rounds and time.perf_counter() > deadline:
            return done
        for endpoint in timed:
            client, path, headers = endpoint.client, endpoint.path, endpoint.headers
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            _ = response.content
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"{endpoint.label}: {response.status_code} during timing")
            endpoint.samples.append(elapsed * 1000)
    return requests
