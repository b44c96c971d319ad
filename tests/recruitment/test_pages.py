"""The fee-survey pages: who sees what, forms with their errors, the import's error report, query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from ilm.core.models import AuditEvent
from ilm.recruitment import imports, services
from ilm.recruitment.models import FeeSurveyResponse, Repayment
from tests.conftest import sign_in
from tests.recruitment.helpers import CANARY_SURVEY_NAME, employer_pays, line, respond, survey
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    employer_pays(world)
    return world


def as_(world, key) -> Client:
    return sign_in(Client(), world.members[key])


def test_the_surveying_cso_sees_names_only_on_request_and_each_view_is_audited(world):
    fee_survey = survey(world)
    response = respond(world, fee_survey)
    client = as_(world, ("cso", "caseworker"))
    page = client.get(reverse("recruitment:survey_detail", args=[fee_survey.pk]))
    assert page.status_code == 200 and "Worker 1" in page.text and CANARY_SURVEY_NAME not in page.text
    page = client.get(reverse("recruitment:survey_detail", args=[fee_survey.pk]) + "?names=1")
    assert CANARY_SURVEY_NAME in page.text
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(response.worker_id)).count() == 1
    # A CSO viewer reads the survey but never the names.
    viewer = as_(world, ("cso", "viewer")).get(reverse("recruitment:survey_detail", args=[fee_survey.pk]) + "?names=1")
    assert viewer.status_code == 200 and CANARY_SURVEY_NAME not in viewer.text


def test_the_supplier_sees_pseudonyms_and_records_a_repayment_the_buyer_sees_totals_only(world):
    fee_survey = survey(world)
    response = respond(world, fee_survey)
    supplier = as_(world, ("supplier", "responder"))
    for url in (
        reverse("recruitment:survey_detail", args=[fee_survey.pk]) + "?names=1",
        reverse("recruitment:response_detail", args=[response.pk]) + "?names=1",
    ):
        page = supplier.get(url)
        assert page.status_code == 200 and "Worker 1" in page.text and CANARY_SURVEY_NAME not in page.text
    added = supplier.post(
        reverse("recruitment:repayment_add", args=[response.pk]),
        {"currency": "THB", "amount": "15000", "paid_on": "2026-04-01", "method": "bank_transfer"},
    )
    assert added.status_code == 302 and Repayment.objects.filter(response=response).count() == 1
    refused = supplier.post(
        reverse("recruitment:repayment_add", args=[response.pk]),
        {"currency": "USD", "amount": "-1", "paid_on": "2026-04-01", "method": "cash"},
    )
    assert refused.status_code == 400 and "greater than zero" in refused.text
    assert Repayment.objects.filter(response=response).count() == 1
    buyer = as_(world, ("buyer", "viewer"))
    assert buyer.get(reverse("recruitment:survey_detail", args=[fee_survey.pk])).status_code == 404
    assert buyer.get(reverse("recruitment:response_detail", args=[response.pk])).status_code == 404
    totals = buyer.get(reverse("recruitment:totals"))
    assert totals.status_code == 200 and "15,000" in totals.text and "THB" in totals.text
    assert CANARY_SURVEY_NAME not in totals.text and "fewer than 5" in totals.text
    assert "%" not in totals.text.split("Reimbursed in full")[1].split("</div>")[0]  # no percentage either


def test_the_cso_verifies_a_repayment_and_overrides_a_line(world):
    response = respond(world, survey(world))
    repayment = services.repayment_record(
        actor=world.members[("supplier", "admin")],
        response=response,
        currency="THB",
        amount="100",
        paid_on=datetime.date(2026, 4, 1),
        method="cash",
    )
    assert (
        as_(world, ("supplier", "admin"))
        .post(reverse("recruitment:repayment_verify", args=[repayment.pk]), {"how": "phone"})
        .status_code
        == 403
    )
    client = as_(world, ("cso", "case_manager"))
    client.post(reverse("recruitment:repayment_verify", args=[repayment.pk]), {"how": "through_cso"})
    repayment.refresh_from_db()
    assert repayment.verified_how == "through_cso"
    item = response.lines.get()
    client.post(
        reverse("recruitment:line_override", args=[item.pk]), {"eligible": "no", "reason": "Refunded by broker"}
    )
    item.refresh_from_db()
    assert not item.eligible and item.overridden


def test_new_response_with_fee_lines_and_its_errors(world):
    fee_survey = survey(world)
    client = as_(world, ("cso", "caseworker"))
    url = reverse("recruitment:response_create", args=[fee_survey.pk])
    assert client.get(url).status_code == 200
    data = {
        "full_name": "Nilar",
        "gender": "female",
        "employment": "current",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-fee_type": "visa",
        "lines-0-amount": "2000",
        "lines-0-currency": "THB",
        "lines-0-paid_to": "destination_agency",
        "lines-1-fee_type": "passport",
        "lines-1-amount": "0",
        "lines-1-currency": "ABC",
        "lines-1-paid_to": "government",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "greater than zero" in bad.text and "ISO 4217" in bad.text
    assert not FeeSurveyResponse.objects.filter(survey=fee_survey).exists()
    data.update({"lines-1-amount": "300000", "lines-1-currency": "MMK"})
    good = client.post(url, data)
    assert good.status_code == 302
    assert FeeSurveyResponse.objects.get(survey=fee_survey).lines.count() == 2


def test_import_page_reports_row_errors_then_imports(world):
    fee_survey = survey(world)
    client = as_(world, ("cso", "caseworker"))
    url = reverse("recruitment:import", args=[fee_survey.pk])

    def upload(rows):
        book = Workbook()
        book.active.append(list(imports.COLUMNS))
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile("s.xlsx", buffer.getvalue())

    bad = client.post(url, {"file": upload([["1", "Moe", "male", "MM", "current", "visa", "-3", "THB", "broker"]])})
    assert bad.status_code == 400 and "import-errors" in bad.text and "Nothing was saved" in bad.text
    good = client.post(url, {"file": upload([["1", "Moe", "male", "MM", "current", "visa", "3", "THB", "broker"]])})
    assert good.status_code == 302 and fee_survey.responses.count() == 1
    template = client.get(reverse("recruitment:import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    assert as_(world, ("supplier", "admin")).get(url).status_code == 403


def test_policy_page(world):
    url = reverse("recruitment:policy", args=[world.orgs["supplier"].pk])
    supplier = as_(world, ("supplier", "admin"))
    saved = supplier.post(url, {"kind": "listed_types", "fee_types": ["visa", "passport"]})
    assert saved.status_code == 302
    assert supplier.post(url, {"kind": "listed_types"}).status_code == 400
    assert as_(world, ("buyer", "admin")).get(url).status_code == 404


def test_survey_create_page(world):
    client = as_(world, ("cso", "caseworker"))
    url = reverse("recruitment:survey_create")
    data = {
        "site": world.sites["supplier"].pk,
        "surveyed_on": "2026-03-01",
        "reach-TOTAL_FORMS": "2",
        "reach-INITIAL_FORMS": "0",
        "reach-0-gender": "female",
        "reach-0-nationality": "MM",
        "reach-0-count": "25",
    }
    assert client.post(url, data).status_code == 302
    assert as_(world, ("supplier", "admin")).get(url).status_code == 403


def test_main_lists_take_a_fixed_number_of_queries(world):
    fee_survey = survey(world)
    client = as_(world, ("cso", "caseworker"))
    urls = [
        reverse("recruitment:survey_list"),
        reverse("recruitment:survey_detail", args=[fee_survey.pk]),
        reverse("recruitment:totals"),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    for n in range(2):
        respond(world, fee_survey, name=f"Few {n}", lines=[line(), line("visa", "10", "MMK")])
    few = counts()
    for n in range(8):
        respond(world, fee_survey, name=f"Many {n}", lines=[line(), line("visa", "10", "MMK")])
    assert counts() == few
