"""Public statistics pages and open data, without sign-in (DOMAIN.md §11, docs/public.md).

`/statistics/` shows every table with a small server-drawn bar chart (no script, no web font, no CDN);
`/statistics/data.json` and `/statistics/data.csv` publish the same suppressed numbers (`table=` picks
one). The language is `?lang=` (en, th, my, km, ne), else the browser's. Nothing here reads the session
or sets a cookie; responses say `Cache-Control: public, max-age=N` (what is left of the tables' 50 s) and
are kept in the server's cache per address and language for as long, so a crowd of readers costs the
database at most one set of aggregate queries per language every 50 s.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ilm.core.languages import language_choices
from ilm.public.publication import MONTH_TABLES, published_tables, seconds_left

CHART_WIDTH = 300
BAR_ROW = 36


def _language(request: HttpRequest) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    wanted = request.GET.get("lang", "")
    if wanted in codes:
        return wanted
    current = translation.get_language() or "en"
    return current if current in codes else "en"


def public_page(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Open to everyone, GET only, in the reader's language, cached for a minute here and downstream."""

    @login_not_required
    @require_GET
    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        language = _language(request)
        raw = f"{view.__name__}|{language}|{request.GET.get('table', '')}"
        key = "public:page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, content_type, disposition, expires_at = hit
            response = HttpResponse(content, content_type=content_type)
            if disposition:
                response["Content-Disposition"] = disposition
            left = max(1, int(expires_at - time.time()))
        else:
            with translation.override(language):
                left = seconds_left()  # the page lives no longer than the tables it shows
                response = view(request)
            if response.status_code == 200:
                entry = (
                    response.content,
                    response["Content-Type"],
                    response.get("Content-Disposition", ""),
                    time.time() + left,
                )
                cache.set(key, entry, left)
        response["Cache-Control"] = f"public, max-age={left}"
        response["Content-Language"] = language
        if "lang" not in request.GET:
            patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


def _chart(table: dict[str, Any]) -> dict[str, Any]:
    """Bars of the published totals (by month for the monthly tables, else by row); hidden ones have no bar."""
    if table["key"] in MONTH_TABLES:
        items = [(column["label"], column["total"]) for column in table["columns"]]
    else:
        items = [(row["label"], row["total"]) for row in table["rows"]]
    top = max((value for _label, value in items if value), default=0)
    bars = []
    for i, (label, value) in enumerate(items):
        width = round(CHART_WIDTH * value / top) if top and value else 0
        bars.append({"label": label, "value": value, "width": max(width, 1) if value else 0, "y": i * BAR_ROW})
    return {"bars": bars, "height": len(items) * BAR_ROW, "width": CHART_WIDTH}


def _tables(request: HttpRequest) -> list[dict[str, Any]]:
    tables: list[dict[str, Any]] = published_tables()["tables"]
    wanted = request.GET.get("table", "")
    if not wanted:
        return tables
    chosen = [t for t in tables if t["key"] == wanted]
    if not chosen:
        raise Http404("No such table.")
    return chosen


@public_page
def overview_view(request: HttpRequest) -> HttpResponse:
    data = published_tables()
    tables = [{**table, "chart": _chart(table)} for table in _tables(request)]
    return render(
        request,
        "public/overview.html",
        {
            "tables": tables,
            "generated_at": data["generated_at"],
            "threshold": data["threshold"],
            "reader_language": translation.get_language(),
            "languages": language_choices(),
        },
    )


@public_page
def data_json_view(request: HttpRequest) -> HttpResponse:
    data = published_tables()
    body = {
        "generated_at": data["generated_at"],
        "language": translation.get_language(),
        "threshold": data["threshold"],
        "hidden_as": None,
        "tables": [
            {
                "key": table["key"],
                "title": table["title"],
                "row_heading": table["row_heading"],
                "column_heading": table["column_heading"],
                "rows": [{"key": row["key"], "label": row["label"]} for row in table["rows"]],
                "columns": [{"key": column["key"], "label": column["label"]} for column in table["columns"]],
                "cells": [row["cells"] for row in table["rows"]],
                "row_totals": [row["total"] for row in table["rows"]],
                "column_totals": [column["total"] for column in table["columns"]],
                "total": table["total"],
            }
            for table in _tables(request)
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


CSV_HEADER = ["table", "row", "row_label", "column", "column_label", "workers"]


def _csv_text(value: str) -> str:
    """Labels are data, never a spreadsheet formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


@public_page
def data_csv_view(request: HttpRequest) -> HttpResponse:
    """One row per published number, totals included (row or column key `total`); hidden numbers empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for table in _tables(request):
        key = table["key"]
        for row in table["rows"]:
            for column, value in zip(table["columns"], row["cells"], strict=True):
                writer.writerow(
                    [key, row["key"], _csv_text(row["label"]), column["key"], _csv_text(column["label"]), _cell(value)]
                )
            writer.writerow([key, row["key"], _csv_text(row["label"]), "total", "", _cell(row["total"])])
        for column in table["columns"]:
            writer.writerow([key, "total", "", column["key"], _csv_text(column["label"]), _cell(column["total"])])
        writer.writerow([key, "total", "", "total", "", _cell(table["total"])])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ilm-statistics.csv"'
    return response
