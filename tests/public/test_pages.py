"""The public statistics site (ilm/public): open to everyone, no cookie, cached for a minute, the same
suppressed numbers on the page and in the open data, and never a partner, a site or a worker
(the canary matrix of the public site)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ilm.cases import services
from ilm.cases.models import Worker
from tests.cases.helpers import CANARY_NAME, CANARY_PASSPORT, CANARY_PHONE, canary_worker, open_case
from tests.factories import country
from tests.worlds import World, build_world

LANGUAGES = ["en", "th", "my", "km", "ne"]
ADDRESSES = ["/statistics/", "/statistics/data.json", "/statistics/data.csv"]


def _contact(world: World, worker: Worker, when: datetime.datetime, case: Any = None) -> None:
    services.contact_log(
        actor=world.members[("cso", "caseworker")],
        occurred_at=when,
        who="worker",
        purpose="issue_report",
        worker=worker,
        case=case,
    )


def _worker(world: World, statistics: bool = True, **extra: Any) -> Worker:
    return services.worker_create(
        actor=world.members[("cso", "caseworker")],
        gender="male",
        nationality=country("MM"),
        site=world.sites["supplier"],
        consents={"statistics": statistics},
        **extra,
    )


def build_public_world() -> dict[str, Any]:
    """12 consenting workers contact a channel in Thailand this month (the canary among them), 3 in
    Myanmar (through a case about an agency there); one more in Thailand declined statistics, and one
    was erased."""
    w = build_world()
    actor = w.members[("cso", "caseworker")]
    now = timezone.now()
    canary = canary_worker(w)
    thai = [canary] + [_worker(w) for _ in range(11)]
    for worker in thai:
        _contact(w, worker, now)
    case_mm = services.case_open(actor=actor, summary="Fees charged at the origin office.")
    services.case_add_business(actor=actor, case=case_mm, organisation=w.orgs["origin_agency"])
    myanmar = [_worker(w) for _ in range(3)]
    for worker in myanmar:
        _contact(w, worker, now, case=case_mm)
    declined = _worker(w, statistics=False)
    _contact(w, declined, now)
    erased = _worker(w)
    _contact(w, erased, now)
    services.worker_erase(actor=w.members[("cso", "admin")], worker=erased, reason="asked to be forgotten")
    case = open_case(w, worker=canary, share=True)
    for worker in [*thai[1:], declined]:
        services.case_add_worker(actor=actor, case=case, worker=worker)
    return {"world": w, "month": timezone.localdate().strftime("%Y-%m")}


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in data["tables"] if t["key"] == key)


def _cell(table: dict[str, Any], row: str, column: str) -> int | None:
    r = [row_["key"] for row_ in table["rows"]].index(row)
    c = [column_["key"] for column_ in table["columns"]].index(column)
    return table["cells"][r][c]  # type: ignore[no-any-return]


class PublicSiteTests(TestCase):
    world: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_public_world()

    def setUp(self) -> None:
        cache.clear()

    def test_every_address_opens_without_sign_in_in_each_language_without_a_cookie(self) -> None:
        for language in LANGUAGES:
            client = Client()
            for address in ADDRESSES:
                response = client.get(f"{address}?lang={language}")
                assert response.status_code == 200, address
                assert not response.cookies, address
                assert "Set-Cookie" not in response.headers
                policy, max_age = response["Cache-Control"].split(", max-age=")
                assert policy == "public" and 40 <= int(max_age) <= 50
                assert response["Content-Language"] == language
            page = client.get(f"/statistics/?lang={language}").content.decode()
            assert f'<html lang="{language}">' in page
            assert len(page.encode()) < 100_000

    def test_the_small_group_and_its_complement_are_hidden_and_the_rest_published(self) -> None:
        data = json.loads(Client().get("/statistics/data.json").content)
        contacts = _table(data, "contacts")
        month = self.world["month"]
        # Thailand: 12 consenting workers (the one who declined and the erased one are not counted).
        assert _cell(contacts, "TH", month) is None or _cell(contacts, "TH", month) == 12
        assert _cell(contacts, "MM", month) is None  # 3 workers: hidden
        # A column with one hidden cell would give it away: its complement in the month is hidden too.
        column = [row[[c["key"] for c in contacts["columns"]].index(month)] for row in contacts["cells"]]
        assert column.count(None) != 1
        assert _cell(contacts, "TH", month) is None
        # Each row has a single hidden cell and nothing else to hide with it: both row totals go too. The
        # month's total (15) and the grand total remain: 15 people in two hidden cells pins neither.
        totals = dict(zip([r["key"] for r in contacts["rows"]], contacts["row_totals"], strict=True))
        assert totals == {"TH": None, "MM": None}
        month_total = contacts["column_totals"][[c["key"] for c in contacts["columns"]].index(month)]
        assert month_total == 15 and contacts["total"] == 15
        for row in contacts["cells"]:
            assert all(value is None or value == 0 or value >= 10 for value in row)

    def test_workers_who_declined_statistics_or_were_erased_are_not_counted(self) -> None:
        data = json.loads(Client().get("/statistics/data.json").content)
        reach = _table(data, "reach")
        # 12 + 3 consenting and not erased (not the one who declined, not the erased one): 15 Burmese, all
        # men but the canary. She is alone among women (hidden), so the 14 men are hidden with her.
        assert [r["key"] for r in reach["rows"]] == ["MM"]
        assert reach["row_totals"] == [15]
        assert _cell(reach, "MM", "female") is None and _cell(reach, "MM", "male") is None
        cases = _table(data, "cases")
        # The canary's case holds the 12 consenting Thai-site workers and the one who declined: 12.
        assert cases["total"] == 12

    def test_csv_and_json_publish_the_same_numbers(self) -> None:
        data = json.loads(Client().get("/statistics/data.json?lang=th").content)
        rows = list(csv.DictReader(io.StringIO(Client().get("/statistics/data.csv?lang=th").content.decode())))
        assert list(rows[0]) == ["table", "row", "row_label", "column", "column_label", "workers"]
        for table in data["tables"]:
            for r, row in enumerate(table["rows"]):
                for c, column in enumerate(table["columns"]):
                    line = next(
                        x
                        for x in rows
                        if (x["table"], x["row"], x["column"]) == (table["key"], row["key"], column["key"])
                    )
                    value = table["cells"][r][c]
                    assert line["workers"] == ("" if value is None else str(value))
            grand = next(x for x in rows if (x["table"], x["row"], x["column"]) == (table["key"], "total", "total"))
            assert grand["workers"] == ("" if table["total"] is None else str(table["total"]))
        one = json.loads(Client().get("/statistics/data.json?table=outcomes").content)
        assert [t["key"] for t in one["tables"]] == ["outcomes"]
        assert {
            x["table"]
            for x in csv.DictReader(io.StringIO(Client().get("/statistics/data.csv?table=reach").content.decode()))
        } == {"reach"}
        assert Client().get("/statistics/data.csv?table=workers").status_code == 404

    def test_no_partner_site_or_worker_is_ever_named(self) -> None:
        """The canary matrix of the public site: every address, every language."""
        w: World = self.world["world"]
        secrets = [CANARY_NAME, CANARY_PHONE, CANARY_PASSPORT, "Zaw", *w.outsider_names()]
        secrets += [org.name for org in w.orgs.values()] + [site.name for site in w.sites.values()]
        secrets += ["Home hotline", "Passports are held by the employer"]
        for language in LANGUAGES:
            for address in ADDRESSES:
                body = Client().get(f"{address}?lang={language}").content.decode()
                for secret in secrets:
                    assert secret not in body, (address, language, secret)

    def test_a_crowd_of_readers_costs_no_query_and_the_cache_expires(self) -> None:
        Client().get("/statistics/?lang=my")
        with CaptureQueriesContext(connection) as again:
            for address in ADDRESSES:
                Client().get(f"{address}?lang=my")
        # The page was cached; the data files share the cached tables.
        assert len(again) == 0
        cache.clear()  # what a minute does
        with CaptureQueriesContext(connection) as later:
            Client().get("/statistics/?lang=my")
        assert len(later) > 0

    def test_only_get_and_the_page_carries_a_chart_with_the_tables_numbers(self) -> None:
        assert Client().post("/statistics/").status_code == 405
        page = Client().get("/statistics/?lang=en").content.decode()
        assert "<svg" in page and "<table" in page and "<script" not in page
        assert "Thailand" in page and "Myanmar" in page

    def test_without_lang_the_browsers_language_is_used_and_caches_are_told_so(self) -> None:
        response = Client(headers={"accept-language": "km"}).get("/statistics/")
        assert response.status_code == 200 and response["Content-Language"] == "km"
        assert "Accept-Language" in response["Vary"]
        assert not response.cookies
        assert "Public statistics" in Client().get("/accounts/login/").content.decode()
