"""The outsider cluster's fee survey, for the generated tenancy matrix (tests/worlds.py calls `outsiders`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ilm.recruitment import services
from tests.factories import country

OUTSIDER_WORKER = "Outsider Fee Worker Thida"
OUTSIDER_NAMES = [OUTSIDER_WORKER, "Outsider fee survey notes", "Outsider repayment plan"]


def outsiders(*, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]) -> dict[str, list]:
    cso_admin = next(m for m in members if m.organisation_id == cso.pk)
    supplier_admin = next(m for m in members if m.organisation_id == supplier.pk)
    services.policy_set(actor=supplier_admin, organisation=supplier, kind="employer_pays")
    survey = services.survey_create(
        actor=cso_admin,
        site=site,
        surveyed_on=datetime.date(2026, 2, 1),
        notes="Outsider fee survey notes",
        reach=[{"gender": "male", "nationality": country("KH"), "count": 12}],
    )
    response = services.response_save(
        actor=cso_admin,
        survey=survey,
        new_worker={"full_name": OUTSIDER_WORKER, "gender": "male", "nationality": country("KH")},
        repayment_plan="Outsider repayment plan",
        lines=[{"fee_type": "recruitment_fee", "amount": "9000000", "currency": "VND", "paid_to": "broker"}],
    )
    repayment = services.repayment_record(
        actor=supplier_admin,
        response=response,
        currency="VND",
        amount="1000000",
        paid_on=datetime.date(2026, 3, 1),
        method="cash",
    )
    document = services.document_add(
        actor=cso_admin,
        response=response,
        upload=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    return {
        "feesurvey": [survey],
        "feesurveyresponse": [response],
        "feeline": list(response.lines.all()),
        "repayment": [repayment],
        "responsedocument": [document],
    }
