"""Importing responses from the Excel template: good files save everything, a bad row saves nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from ilm.cases.models import Worker
from ilm.recruitment import imports
from ilm.recruitment.models import FeeLine, FeeSurveyResponse
from tests.recruitment.helpers import cso, employer_pays, survey
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def workbook(rows: list[list], header: list[str] | None = None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header or list(imports.COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("survey.xlsx", buffer.getvalue())


GOOD = [
    ["1", "Aye Aye", "female", "MM", "current", "recruitment_fee", 15000, "THB", "broker", "2025-11-03"],
    ["1", "", "", "", "", "passport", 300000.5, "MMK", "government", None],
    ["2", "Sok Dara", "male", "KH", "former", "visa", "2500", "thb", "destination_agency", None],
]


@pytest.fixture
def world():
    return build_world()


def test_a_good_file_saves_one_response_per_worker(world):
    employer_pays(world)
    fee_survey = survey(world)
    result = imports.import_responses(actor=cso(world), survey=fee_survey, upload=workbook(GOOD))
    assert result.ok and (result.responses, result.lines) == (2, 3)
    first, second = FeeSurveyResponse.objects.filter(survey=fee_survey).order_by("number")
    assert first.worker.full_name == "Aye Aye" and first.lines.count() == 2
    assert second.employment == "former" and second.worker.nationality_id == "KH"
    lines = FeeLine.objects.filter(response__survey=fee_survey)
    assert set(lines.values_list("currency", flat=True)) == {"THB", "MMK"}
    assert lines.filter(eligible=True).count() == 3


def test_bad_rows_are_each_reported_and_nothing_is_saved(world):
    fee_survey = survey(world)
    rows = [
        *GOOD,
        ["3", "Mya", "female", "MM", "current", "bribe", -5, "XYZ", "broker", "yesterday"],
        ["4", "Aye Aye", "female", "ZZ", "current", "visa", "abc", "THB", "nobody", None],
    ]
    workers = Worker.objects.count()
    result = imports.import_responses(actor=cso(world), survey=fee_survey, upload=workbook(rows))
    found = {(e.row, e.column) for e in result.errors}
    assert {(5, "fee_type"), (5, "amount"), (5, "currency"), (5, "paid_on")} <= found
    assert {(6, "full_name"), (6, "nationality"), (6, "amount"), (6, "paid_to")} <= found
    assert all(e.message for e in result.errors)
    assert not FeeSurveyResponse.objects.filter(survey=fee_survey).exists() and Worker.objects.count() == workers


def test_a_worker_already_in_the_survey_is_refused(world):
    fee_survey = survey(world)
    assert imports.import_responses(actor=cso(world), survey=fee_survey, upload=workbook(GOOD[:1])).ok
    again = imports.import_responses(actor=cso(world), survey=fee_survey, upload=workbook(GOOD[:1]))
    assert [(e.row, e.column) for e in again.errors] == [(2, "full_name")]
    assert FeeSurveyResponse.objects.filter(survey=fee_survey).count() == 1


def test_wrong_header_and_not_a_workbook(world):
    fee_survey = survey(world)
    result = imports.import_responses(actor=cso(world), survey=fee_survey, upload=workbook(GOOD, header=["a", "b"]))
    assert result.errors and result.errors[0].row == 1
    with pytest.raises(ValidationError):
        imports.import_responses(
            actor=cso(world), survey=fee_survey, upload=SimpleUploadedFile("x.xlsx", b"MZ\x90\x00 not a workbook")
        )


def test_the_template_has_the_columns_and_the_accepted_values():
    book = load_workbook(io.BytesIO(imports.template()))
    assert [c.value for c in book.worksheets[0][1]] == list(imports.COLUMNS)
    assert book.worksheets[0].max_row == 1  # nothing to delete before filling it in
    values = {(row[0], row[1]) for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)}
    assert ("fee_type", "work_permit") in values and ("paid_to", "broker") in values
