"""The channels section of `make bench`: how many WhatsApp webhooks a small deployment acknowledges.

Starts gunicorn (2 sync workers) and one `manage.py db_worker` on the bench database with
bench/settings_channels.py (the database task backend, persistent connections), then, from this process:
- hello-world: the anonymous /bench/hello-anon/ view as fast as N client threads can get it (req/s);
- load: for --channels-seconds, signed WhatsApp text webhooks (ilm/channels/simulator.py) from 500 senders,
  each with a new message id, 5 % of them re-sent (same body, same id) as providers do;
- drain: until the worker has parsed every stored delivery (or a timeout);
then counts what was acknowledged (200), stored (Message rows), lost and duplicated, and where the CPU went.
Goals: >= 200 msg/s acknowledged, >= 50 % of hello-world's req/s, none lost, none duplicated.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

GOAL_MSGS = 200.0
GOAL_SHARE = 0.5
SENDERS = 500
RESEND_SHARE = 0.05
WARMUP = 20  # requests per endpoint before timing (imports, connections)
HELLO_PATH = "/bench/hello-anon/"
SETTINGS = "bench.settings_channels"
ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "Hello, my employer keeps my passport and I cannot leave the dormitory.",
    "นายจ้างยึดหนังสือเดินทางของฉัน",  # Thai
    "ကျွန်တော့်လစာ မရသေးပါ",  # Burmese
    "We work 14 hours a day and overtime is not paid. Please help.",
    "ថៅកែមិនបើកប្រាក់ខែ",  # Khmer
]


@dataclass
class Shot:
    """One HTTP request of the load: when it started, how long it took, what came back."""

    started: float
    ms: float
    status: int
    mid: str = ""
    resend: bool = False


@dataclass
class Wire:
    """A prepared webhook: the bytes and headers sent (again, for a re-send)."""

    mid: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Run:
    shots: list[Shot] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


# --- processes --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own gunicorn and manage.py, no user input
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM the process group (gunicorn's workers too), SIGKILL what is left after 10 s."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 40.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", HELLO_PATH)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return time.perf_counter() - t0
            raise SystemExit(f"gunicorn answered {status} to {HELLO_PATH}:\n{_tail(log)}")
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{_tail(log)}")


# --- CPU accounting from /proc ----------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
GROUPS = ("gunicorn", "db_worker", "postgres ilm_bench", "postgres background", "bench")


@dataclass
class Proc:
    ppid: int
    cpu: float  # seconds on a CPU
    runq: float  # seconds runnable but waiting for a CPU (schedstat; 0 where the kernel lacks it)
    name: str


def _proc(pid: int) -> Proc | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2 :].split()
    # utime + stime count every thread, exited ones too (the bench's client threads); schedstat's wait
    # is the main thread's only, which is all of it for the single-threaded servers and backends.
    cpu, runq = (int(rest[11]) + int(rest[12])) / TICK, 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        runq = int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    return Proc(int(rest[1]), cpu, runq, cmd or raw[raw.index("(") + 1 : raw.rindex(")")])


def _snapshot() -> dict[str, Any]:
    procs = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            proc = _proc(int(entry.name))
            if proc is not None:
                procs[int(entry.name)] = proc
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return {"procs": procs, "total": sum(fields), "idle": fields[3], "iowait": fields[4], "at": time.perf_counter()}


def _group(pid: int, proc: Proc, gunicorn: int, worker: int) -> str:
    if pid == gunicorn or proc.ppid == gunicorn:
        return "gunicorn"
    if pid == worker:
        return "db_worker"
    if pid == os.getpid():
        return "bench"
    if proc.name.startswith("postgres: ") and " ilm_bench " in proc.name:
        return "postgres ilm_bench"
    if proc.name.startswith("postgres: ") and any(
        word in proc.name for word in ("walwriter", "checkpointer", "background writer", "autovacuum")
    ):
        return "postgres background"
    return ""


@dataclass
class Usage:
    seconds: float
    busy: float  # share of the machine's CPU time not idle
    iowait: float
    cpu: dict[str, float]  # per group
    runq: dict[str, float]
    others: list[tuple[float, str]]  # (CPU seconds, process) of the busiest other processes
    other: float  # CPU seconds of every process outside the groups


def _usage(a: dict[str, Any], b: dict[str, Any], gunicorn: int, worker: int) -> Usage:
    """What each group (and the rest of the machine) used between two snapshots. A process that started
    in between counts from zero; one that ended in between is missed (the backends persist: CONN_MAX_AGE)."""
    cpu = dict.fromkeys(GROUPS, 0.0)
    runq = dict.fromkeys(GROUPS, 0.0)
    others: list[tuple[float, str]] = []
    for pid, proc in b["procs"].items():
        before = a["procs"].get(pid)
        if before is not None and before.name != proc.name and _group(pid, before, gunicorn, worker):
            before = None
        used = proc.cpu - (before.cpu if before else 0.0)
        waited = proc.runq - (before.runq if before else 0.0)
        group = _group(pid, proc, gunicorn, worker)
        if group:
            cpu[group] += used
            runq[group] += waited
        elif used > 0:
            others.append((used, f"{proc.name[:60]} [{pid}]"))
    total = b["total"] - a["total"] or 1
    idle, iowait = b["idle"] - a["idle"], b["iowait"] - a["iowait"]
    others.sort(reverse=True)
    return Usage(
        seconds=b["at"] - a["at"],
        busy=(total - idle - iowait) / total,
        iowait=iowait / total,
        cpu=cpu,
        runq=runq,
        others=others[:3],
        other=sum(used for used, _name in others),
    )


# --- load ---------------------------------------------------------------------------------------------


def _hammer(
    port: int,
    threads: int,
    seconds: float,
    request: Callable[[random.Random], tuple[str, bytes | None, dict[str, str], Any]],
    acked: list[Wire] | None = None,
) -> Run:
    """`threads` clients, each with its own connection (reopened when the server closes it), until the
    deadline; `request(rng)` gives (path, body, headers, tag), tag (Wire, is a re-send) or None. New
    messages answered 200 are appended to `acked` (what re-sends pick from)."""
    run = Run()
    deadline = 0.0

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        shots = run.shots
        while time.perf_counter() < deadline:
            path, body, headers, tag = request(rng)
            t = time.perf_counter()
            try:
                conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            shot = Shot(t, (time.perf_counter() - t) * 1000, status)
            if tag is not None:
                wire, resend = tag
                shot.mid, shot.resend = wire.mid, resend
                if status == 200 and not resend and acked is not None:
                    acked.append(wire)
            shots.append(shot)
        conn.close()

    workers = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(threads)]
    run.started = time.perf_counter()
    deadline = run.started + seconds
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    run.ended = time.perf_counter()
    return run


def _webhook_requests(url: str, path: str, credentials: dict[str, str]) -> tuple[Callable[..., Any], list[Wire]]:
    from ilm.channels import simulator

    senders = [f"+6681{n:07d}" for n in range(SENDERS)]
    acked: list[Wire] = []

    def make(rng: random.Random) -> tuple[str, bytes, dict[str, str], tuple[Wire, bool]]:
        if acked and rng.random() < RESEND_SHARE:
            wire = rng.choice(acked)
            return path, wire.body, wire.headers, (wire, True)
        sim = simulator.inbound_request(
            "whatsapp", url=url, credentials=credentials, sender=rng.choice(senders), text=rng.choice(TEXTS)
        )
        mid = json.loads(sim.body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        wire = Wire(mid, sim.body, {"Content-Type": sim.content_type, **sim.headers})
        return path, wire.body, wire.headers, (wire, False)

    return make, acked


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# --- database ----------------------------------------------------------------------------------------


def _channel() -> tuple[Any, dict[str, str]]:
    from ilm.network.models import Channel, Organisation

    credentials = {
        "app_secret": "bench-app-secret-0123456789abcdef",
        "verify_token": "bench-verify-token",
        "access_token": "bench-access-token",
        "phone_number_id": "109000000000001",
    }
    cso = Organisation.objects.create(name="Bench channels CSO", kind="cso", subkind="ngo")
    channel = Channel.objects.create(
        cso=cso, provider="whatsapp", name="Bench WhatsApp", credentials=json.dumps(credentials), languages=["my"]
    )
    return channel, credentials


def _delivery_counts(channel: Any) -> dict[str, int]:
    from django.db.models import Count

    from ilm.channels.models import Delivery

    rows = Delivery.objects.filter(channel=channel).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def _drain(channel: Any, timeout: float) -> tuple[float, int]:
    """Seconds until no delivery is `received` any more (or the timeout), and how many still are."""
    t0 = time.perf_counter()
    while True:
        waiting = _delivery_counts(channel).get("received", 0)
        if waiting == 0 or time.perf_counter() - t0 > timeout:
            return time.perf_counter() - t0, waiting
        time.sleep(0.25)


def _pg_counters() -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        commits = cursor.fetchone()[0]
        cursor.execute("SELECT wal_sync, wal_records FROM pg_stat_wal")
        syncs, records = cursor.fetchone()
    return {"commits": float(commits), "wal_syncs": float(syncs), "wal_records": float(records)}


def _processed_between(channel: Any, start: Any, end: Any) -> int:
    from ilm.channels.models import Delivery

    return Delivery.objects.filter(channel=channel, processed_at__gte=start, processed_at__lt=end).count()


# --- in-process diagnosis ---------------------------------------------------------------------------


def _per_request_work(channel: Any, credentials: dict[str, str]) -> dict[str, float]:
    """Queries and ms for one acknowledgement and for one parse, in this process (django.test.Client,
    the parse queued nowhere), mean over 30 new messages; and the worker's own queries per task."""
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from ilm.channels import selectors, services, simulator
    from ilm.channels import tasks as channel_tasks

    path = reverse("channels:webhook", args=[channel.webhook_key])
    client = Client()
    queued: list[int] = []
    stub = SimpleNamespace(enqueue=lambda pk: queued.append(pk))
    ack_queries, ack_ms, parse_queries, parse_ms = [], [], [], []
    with mock.patch.object(channel_tasks, "process_delivery", stub):
        for n in range(35):
            sim = simulator.inbound_request(
                "whatsapp",
                url=f"http://testserver{path}",
                credentials=credentials,
                sender=f"+6689{n:07d}",
                text=TEXTS[n % len(TEXTS)],
            )
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.post(path, data=sim.body, content_type=sim.content_type, headers=sim.headers)
                elapsed = (time.perf_counter() - t) * 1000
            if response.status_code != 200:
                raise SystemExit(f"in-process webhook answered {response.status_code}")
            if n >= 5:
                ack_queries.append(len(ctx.captured_queries))
                ack_ms.append(elapsed)
    for n, pk in enumerate(queued):
        delivery = selectors.dangerously_delivery(pk)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            services.delivery_process(delivery=delivery)
            elapsed = (time.perf_counter() - t) * 1000
        if n >= 5:
            parse_queries.append(len(ctx.captured_queries) + 1)  # + dangerously_delivery's SELECT
            parse_ms.append(elapsed)
    # Where an acknowledgement's time goes: the same signed body again and again (the ack path does not
    # look at the message id; the 40 extra deliveries are parsed by nobody and counted nowhere).
    from bench.diagnose import breakdown
    from ilm.channels.providers.whatsapp import WhatsAppProvider

    sim = simulator.inbound_request(
        "whatsapp", url=f"http://testserver{path}", credentials=credentials, sender="+66890000000", text=TEXTS[0]
    )
    with mock.patch.object(channel_tasks, "process_delivery", stub):
        parts = breakdown(
            lambda: client.post(path, data=sim.body, content_type=sim.content_type, headers=sim.headers),
            requests=30,
            wraps=[
                (selectors, "dangerously_channel_for_webhook", "channel lookup (SELECT channel + CSO)"),
                (services, "channel_credentials", "credentials (decrypt + JSON)"),
                (WhatsAppProvider, "verify", "signature check (HMAC)"),
                (services, "delivery_receive", "store the delivery (encrypt + INSERT)"),
            ],
            warmup=10,
        )
    return {
        "parts": parts,
        "ack_queries": statistics.mean(ack_queries),
        "ack_ms": statistics.median(ack_ms),
        "parse_queries": statistics.mean(parse_queries),
        "parse_ms": statistics.median(parse_ms),
    }


def _access_log(path: Path) -> dict[str, list[float]]:
    """Server-side ms per timed request from gunicorn's access log ('%(U)s%(q)s %(s)s %(D)s'), per kind of
    URL; warm-up requests carry ?warmup and are left out."""
    times: dict[str, list[float]] = {"webhook": [], "hello": []}
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit() or parts[0].endswith("?warmup"):
            continue
        kind = "hello" if parts[0] == HELLO_PATH else "webhook" if "/channels/hooks/" in parts[0] else ""
        if kind:
            times[kind].append(int(parts[2]) / 1000)
    return times


# --- the section -------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return f"[{'MET' if ok else 'MISSED':^6}]"


def _print_usage(windows: list[tuple[str, Usage]]) -> None:
    cores = os.cpu_count() or 1
    print(
        "  CPU seconds per process group (from /proc; in brackets: seconds runnable but waiting for a CPU, "
        f"not measured for the multi-threaded bench), {cores} CPUs"
    )
    header = f"  {'window':<7}{'s':>6}{'busy':>6}{'iowait':>7}" + "".join(f"{g:>20}" for g in GROUPS)
    print(header + "  everything else")
    for title, u in windows:
        cells = "".join(
            f"{f'{u.cpu[g]:.1f} ({u.runq[g]:.1f})' if g != 'bench' else f'{u.cpu[g]:.1f} (-)':>20}" for g in GROUPS
        )
        print(f"  {title:<7}{u.seconds:>6.1f}{u.busy:>6.0%}{u.iowait:>7.0%}{cells}  {u.other:.1f}")
    for title, u in windows:
        if u.others and u.other >= 0.1 * cores * u.seconds:
            top = "; ".join(f"{used:.1f} s {name}" for used, name in u.others)
            print(f"  {title}: everything else = {u.other / (cores * u.seconds):.0%} of the machine, busiest: {top}")


def _split(label: str, n: int, wall_ms: float, cpu_s: float, runq_s: float, waiting_for: str) -> None:
    """Mean wall time per item = on a CPU + waiting for a CPU + the rest (blocked: `waiting_for`)."""
    if not n:
        return
    cpu, runq = cpu_s / n * 1000, runq_s / n * 1000
    print(
        f"  {label:<44} {wall_ms:>6.1f} ms = {cpu:>5.1f} on a CPU + {runq:>5.1f} waiting for one + "
        f"{max(0.0, wall_ms - cpu - runq):>5.1f} blocked ({waiting_for})"
    )


def run_channels(args: argparse.Namespace) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from ilm.channels.models import Message

    seconds, threads = args.channels_seconds, args.channels_concurrency
    print("\n=== Channels: WhatsApp webhook ingest through gunicorn and the task worker ===")
    channel, credentials = _channel()
    tmp = Path(tempfile.mkdtemp(prefix="ilm-bench-channels-"))
    port = _free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    gunicorn_cmd = str(gunicorn_bin) if gunicorn_bin.exists() else (shutil.which("gunicorn") or "gunicorn")
    logs = {"gunicorn": tmp / "gunicorn.log", "access": tmp / "access.log", "worker": tmp / "db_worker.log"}
    server = worker = None
    t_section = time.perf_counter()
    try:
        server = _start(
            [
                gunicorn_cmd,
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(logs["access"]),
                "--access-logformat",
                "%(U)s%(q)s %(s)s %(D)s",
            ],
            logs["gunicorn"],
        )
        worker = _start([sys.executable, "manage.py", "db_worker", "--queue-name", "*"], logs["worker"])
        ready = _wait_ready(port, server, logs["gunicorn"])
        pids = (server.pid, worker.pid)
        print(
            f"  servers    gunicorn config.wsgi -w 2 (sync) on 127.0.0.1:{port}, ready in {ready:.1f} s; "
            f"manage.py db_worker --queue-name '*'; settings {SETTINGS}"
        )
        print(f"  logs       {tmp}")
        path = f"/channels/hooks/{channel.webhook_key}/"
        make, acked = _webhook_requests(f"http://127.0.0.1:{port}{path}", path, credentials)

        def webhook(rng: random.Random) -> Any:
            return make(rng)

        def webhook_warmup(rng: random.Random) -> Any:
            path_, body, headers, tag = make(rng)
            return f"{path_}?warmup", body, headers, tag

        def hello(rng: random.Random) -> Any:
            return HELLO_PATH, None, {}, None

        def hello_warmup(rng: random.Random) -> Any:
            return f"{HELLO_PATH}?warmup", None, {}, None

        # Warm-up: both gunicorn workers import the views and open their database connection; the task
        # worker parses what this sent before anything is timed.
        _hammer(port, 4, 1.0, hello_warmup)
        warm = _hammer(port, 4, 1.0, webhook_warmup, acked)
        if not any(s.status == 200 for s in warm.shots):
            statuses = Counter(s.status for s in warm.shots)
            raise SystemExit(f"webhook warm-up got no 200 ({dict(statuses)}):\n{_tail(logs['gunicorn'])}")
        _drain(channel, 30.0)

        before = _snapshot()
        hello_run = _hammer(port, threads, max(5.0, seconds / 3), hello)
        usage_hello = _usage(before, _snapshot(), *pids)

        pg0 = _pg_counters()
        wall0 = timezone.now()
        before = _snapshot()
        load = _hammer(port, threads, seconds, webhook, acked)
        usage_load = _usage(before, _snapshot(), *pids)
        wall1 = timezone.now()
        pg1 = _pg_counters()
        at_end = _delivery_counts(channel)

        before = _snapshot()
        drain_s, waiting = _drain(channel, args.channels_drain_timeout)
        usage_drain = _usage(before, _snapshot(), *pids)
        wall2 = timezone.now()
    finally:
        _stop(server)
        _stop(worker)

    # What was acknowledged, stored, lost and duplicated (warm-up included: its ids count too).
    shots = warm.shots + load.shots
    acked_ids = {s.mid for s in shots if s.status == 200}
    stored = Counter(
        Message.objects.filter(channel=channel, direction="in").values_list("provider_message_id", flat=True)
    )
    lost = acked_ids - set(stored)
    duplicated = sum(1 for n in stored.values() if n > 1)
    unacked_stored = set(stored) - acked_ids
    deliveries = _delivery_counts(channel)
    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))

    ok = [s for s in load.shots if s.status == 200]
    statuses = Counter(s.status for s in load.shots)
    latencies = [s.ms for s in ok] or [float("nan")]
    rate = len(ok) / load.seconds
    hello_ok = [s for s in hello_run.shots if s.status == 200]
    hello_rate = len(hello_ok) / hello_run.seconds
    resends = sum(1 for s in ok if s.resend)
    buckets = Counter(int((s.started + s.ms / 1000 - load.started) // 5) for s in ok)
    windows = [buckets.get(i, 0) / 5 for i in range(int(load.seconds // 5))]
    processed_during = _processed_between(channel, wall0, wall1)
    processed_after = _processed_between(channel, wall1, wall2)
    server_ms = _access_log(logs["access"])
    webhook_server = server_ms["webhook"] or [float("nan")]
    hello_server = server_ms["hello"] or [float("nan")]

    print(
        f"  hello      {len(hello_ok):,} x GET {HELLO_PATH} in {hello_run.seconds:.1f} s by {threads} client "
        f"threads: {hello_rate:.0f} req/s (client p50 {statistics.median(s.ms for s in hello_ok):.1f} ms)"
    )
    print(
        f"  load       {len(load.shots):,} POSTs in {load.seconds:.1f} s by {threads} client threads from "
        f"{SENDERS} senders, {resends:,} of them re-sends of an acknowledged message ({RESEND_SHARE:.0%}); "
        "statuses " + ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))
    )
    print(
        f"  drain      {drain_s:.1f} s until the worker had parsed every delivery"
        + (f" (TIMED OUT with {waiting:,} still waiting)" if waiting else "")
        + f"; {at_end.get('received', 0):,} of {sum(at_end.values()):,} were waiting when the load stopped"
    )
    print()
    print(f"  acknowledged (200)   {rate:>8.1f} msg/s sustained over {load.seconds:.1f} s ({len(ok):,} requests)")
    if windows:
        print("  per 5 s window       " + " ".join(f"{w:.0f}" for w in windows) + " msg/s")
    print(
        f"  ack latency          p50 {statistics.median(latencies):.1f} ms, p95 {_percentile(latencies, 95):.1f} ms, "
        f"max {max(latencies):.1f} ms (client side, {threads} at once; gunicorn's own time per request p50 "
        f"{statistics.median(webhook_server):.1f} ms, p95 {_percentile(webhook_server, 95):.1f} ms)"
    )
    print(
        f"  hello-world          {hello_rate:>8.1f} req/s; acknowledged webhooks / hello-world = "
        f"{rate / hello_rate:.0%}"
    )
    print(
        f"  parsed by the worker {processed_during / load.seconds:>8.1f} deliveries/s during the load, "
        f"{processed_after / max(drain_s, 1e-9):.1f}/s alone while draining"
    )
    print(
        f"  stored               {sum(stored.values()):,} messages for {len(acked_ids):,} unique ids acknowledged "
        f"(warm-up included); {len(unacked_stored)} stored without a 200 seen"
    )
    print(
        f"  lost {len(lost):,}, duplicated {duplicated:,}; deliveries "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(deliveries.items()))
        + "; tasks "
        + ", ".join(f"{k.lower()} {v:,}" for k, v in sorted(tasks.items()))
    )

    print("\nGoals (channels: a small deployment, 2 gunicorn workers and 1 task worker, absorbs a burst)")
    print(f"  {_verdict(rate >= GOAL_MSGS)} >= {GOAL_MSGS:.0f} msg/s acknowledged: {rate:.0f} msg/s")
    print(
        f"  {_verdict(rate >= GOAL_SHARE * hello_rate)} >= {GOAL_SHARE:.0%} of hello-world req/s: "
        f"{rate / hello_rate:.0%} ({rate:.0f} of {hello_rate:.0f} req/s)"
    )
    lost_note = f" ({waiting:,} deliveries still unparsed: the drain timed out)" if waiting else ""
    print(f"  {_verdict(not lost and not waiting)} lost = 0: {len(lost):,}{lost_note}")
    print(f"  {_verdict(not duplicated)} duplicated = 0: {duplicated:,}")

    print("\nWhere the time goes")
    _print_usage([("hello", usage_hello), ("load", usage_load), ("drain", usage_drain)])
    print("  Mean time per item, split with the same figures:")
    _split(
        "hello-world, per request in gunicorn",
        len(hello_run.shots),
        statistics.mean(hello_server),
        usage_hello.cpu["gunicorn"],
        usage_hello.runq["gunicorn"],
        "socket",
    )
    _split(
        "webhook, per request in gunicorn",
        len(load.shots),
        statistics.mean(webhook_server),
        usage_load.cpu["gunicorn"],
        usage_load.runq["gunicorn"],
        "on PostgreSQL",
    )
    if processed_after:
        _split(
            "parse, per delivery in db_worker (draining)",
            processed_after,
            drain_s / processed_after * 1000,
            usage_drain.cpu["db_worker"],
            usage_drain.runq["db_worker"],
            "on PostgreSQL",
        )
    pg_cpu = usage_load.cpu["postgres ilm_bench"] / max(len(load.shots), 1) * 1000
    commits = (pg1["commits"] - pg0["commits"]) / max(len(ok), 1)
    syncs = (pg1["wal_syncs"] - pg0["wal_syncs"]) / max(len(ok), 1)
    print(
        f"  PostgreSQL, per webhook during the load (gunicorn and worker together): {pg_cpu:.1f} ms of backend CPU, "
        f"{commits:.1f} commits, {syncs:.1f} WAL syncs (cluster-wide)"
    )
    work = _per_request_work(channel, credentials)
    print(
        f"  in-process (django.test.Client, no HTTP, median of 30): acknowledgement {work['ack_ms']:.1f} ms with "
        f"{work['ack_queries']:.0f} queries; parse (services.delivery_process) {work['parse_ms']:.1f} ms with "
        f"{work['parse_queries']:.0f} queries, plus the worker's claim and result writes"
    )
    parts = work["parts"]
    wrapped = sum(v for k, v in parts.items() if k not in ("whole request", "SQL, all queries"))
    print("  one acknowledgement in-process, mean ms (wall; SQL overlaps the parts that run it):")
    print("    " + "; ".join(f"{k} {v:.2f}" for k, v in parts.items()))
    print(f"    middleware, COMMIT, URL routing and the rest {parts.get('whole request', 0.0) - wrapped:.2f}")
    mean_ms = statistics.mean(webhook_server)
    print(
        f"  ceiling of 2 sync workers at {mean_ms:.1f} ms per webhook: {2000 / mean_ms:.0f} webhooks/s "
        f"(hello-world: {2000 / statistics.mean(hello_server):.0f} req/s)"
    )
    print(
        "notes: gunicorn's sync workers close the connection after every response (no keep-alive): each request\n"
        "  opens a TCP connection. Client latency includes waiting in the listen queue for one of the 2 workers.\n"
        "  gunicorn = master + workers; postgres ilm_bench = the backends of this database; bench = this process\n"
        "  (the load generator); 'blocked' = wall time neither on a CPU nor waiting for one (a database round\n"
        "  trip, a commit's WAL flush, the next connection)."
    )
    print(f"  section {time.perf_counter() - t_section:.0f} s")
