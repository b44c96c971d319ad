"""The outsider cluster's job marketplace objects, for the generated tenancy matrix (tests/worlds.py).

Only non-public vacancies: a published vacancy is public by design (anyone reads it at /jobs/<id>/), so the
outsider's are a draft and a closed one, which no home member may see, not even through the public routes.
The closed one has an application from a jobseeker helped by the outsider CSO, with a message."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ilm.jobs.models import Application, ApplicationMessage, Vacancy, VacancyFee, VacancyTranslation
from tests.factories import country

OUTSIDER_APPLICANT = "Outsider Applicant Secretname"
OUTSIDER_NAMES = [
    "Outsider draft deckhand",
    "Outsider closed packer",
    OUTSIDER_APPLICANT,
    "Outsider job message",
    "Outsider broker fee",
]


def outsiders(
    *, supplier: Any, buyer: Any, agency: Any, cso: Any, site: Any, members: list[Any]
) -> dict[str, list[Any]]:
    draft = Vacancy.objects.create(
        employer=supplier, site=site, country=country("VN"), position="Outsider draft deckhand", fee_model="itemised"
    )
    VacancyFee.objects.create(vacancy=draft, name="Outsider broker fee", amount=100, currency="VND", charged_by="x")
    closed = Vacancy.objects.create(
        employer=agency,
        country=country("VN"),
        position="Outsider closed packer",
        fee_model="zero_fee",
        status="closed",
        published_at=timezone.now(),
        closed_at=timezone.now(),
    )
    VacancyTranslation.objects.create(vacancy=closed, language="th", position="Outsider closed packer")
    application = Application.objects.create(
        vacancy=closed,
        full_name=OUTSIDER_APPLICANT,
        contact_kind="phone",
        contact="+84 90 111 2222",
        nationality=country("VN"),
        consent_share_with_employer=True,
        via_cso=cso,
        token_digest="f" * 64,
        status="offered",
        offered_at=timezone.now(),
    )
    ApplicationMessage.objects.create(application=application, author_organisation=agency, text="Outsider job message")
    return {"vacancy": [draft, closed], "application": [application]}
