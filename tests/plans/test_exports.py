"""CAP and BAP exports: the framework's table shape, in CSV and XLSX, formulas neutralised, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from ilm.core.models import AuditEvent
from ilm.plans import exports
from tests.conftest import sign_in
from tests.plans.helpers import add_row, supplier_bap, thai_cap, tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

SHAPE = ["Activity", "Description", "Organisation(s)", "Remarks", "Status", "Due quarter"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[str | None]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def world():
    return build_world()


def test_country_plan_in_both_formats(world):
    cap = thai_cap(world)
    add_row(
        world,
        cap,
        activities="WV 1.2",
        description="Independent worker voice channels, language A",
        organisations=[world.orgs["cso"]],
        other_partners="NGO Partner 1",
        remarks="Hotline + WhatsApp, open to all",
        due_quarter="",
    )
    add_row(world, cap, activities="ER 2.6-7", description='=HYPERLINK("http://evil")', remarks="@SUM(1)")
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        result = exports.export_plan(actor=tp(world), plan=cap, fmt=fmt)
        rows = read(result.content)
        assert rows[0] == SHAPE
        assert [len(row) for row in rows] == [6, 6, 6]
        first = [cell or "" for cell in rows[1]]
        assert first == [
            "WV 1.2",
            "Independent worker voice channels, language A",
            "Home cso, NGO Partner 1",
            "Hotline + WhatsApp, open to all",
            "Planned",
            "",
        ]
        assert rows[2][0] == "ER 2.6-7"
        assert rows[2][1].startswith("'=") and rows[2][3] == "'@SUM(1)"  # not run as formulas
        assert result.name == f"ilm-cap-th-2026.{fmt}"
    assert AuditEvent.objects.filter(action="plan.exported", object_id=str(cap.pk)).count() == 2


def test_business_plan_export_page(client: Client, world):
    bap = supplier_bap(world)
    add_row(world, bap)
    sign_in(client, world.members[("buyer", "viewer")])
    response = client.get(f"/plans/business/{bap.pk}/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ilm-bap-home-supplier-2026.xlsx"'
    rows = xlsx_rows(response.content)
    assert rows[0] == SHAPE and rows[1][:2] == ["ER 2.6-7", "Recruitment fee survey, then repayment"]
    assert rows[1][4:] == ["Planned", "2026-Q2"]
    empty = supplier_bap(world, year=2027)
    assert csv_rows(client.get(f"/plans/business/{empty.pk}/export/").content) == [SHAPE]
    assert client.get(f"/plans/business/{bap.pk}/export/?format=pdf").status_code == 302
