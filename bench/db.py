"""The benchmark's own PostgreSQL database: same server as DATABASE_URL, database `ilm_bench`."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

BENCH_DB = "ilm_bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ilm"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_bench_database() -> str:
    """Drop and create `ilm_bench`, point DATABASE_URL at it, and return the new URL."""
    source = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if urlsplit(source).scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        sys.exit(
            f"bench needs PostgreSQL; DATABASE_URL is {urlsplit(source).scheme}://… (try DATABASE_URL={DEFAULT_URL})"
        )
    with psycopg.connect(_with_db(source, "postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = _with_db(source, BENCH_DB)
    os.environ["DATABASE_URL"] = url
    return url


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])
