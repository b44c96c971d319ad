"""Identity canary matrix for the fee-survey routes: the canary worker (of tests/cases) answered a fee survey
at the home supplier's plant, with a supporting document named after them, repayments, an override. As every
supplier, agency and buyer member, every recruitment page and API read, for every object, must not show it.
Nor the name of an informal broker reported in the home Myanmar ERN (whose members are the home CSO and the
home origin agency, so none of the businesses below).

Generated like tests/cases/test_identity_leak_matrix.py: routes from the URL resolver, operations from the
committed schema, ids from every row of each route's model.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.recruitment import services
from tests.cases.helpers import CANARY_NAME, canary_worker
from tests.cases.test_identity_leak_matrix import BUSINESS_MEMBERS, SCHEMA, leaks, object_ids, text_of
from tests.conftest import sign_in
from tests.factories import country
from tests.recruitment.helpers import employer_pays, line, survey
from tests.test_tenancy_matrix import fill, page_routes, route_model
from tests.worlds import build_world

pytestmark = pytest.mark.django_db
API_PREFIXES = (
    "/api/v1/fee-surveys/",
    "/api/v1/fee-survey-responses/",
    "/api/v1/repayments/",
    "/api/v1/repayment-totals/",
    "/api/v1/recruitment-networks/",
    "/api/v1/network-members/",
    "/api/v1/broker-reports/",
    "/api/v1/outreach-events/",
    "/api/v1/referrals/",
)
BROKER_CANARY = "Ko Canary Broker Naing"


def canary_broker(world):
    """The home Myanmar ERN (home CSO and home origin agency) and a broker report naming BROKER_CANARY."""
    from ilm.recruitment.models import NetworkMember, RecruitmentNetwork

    network = RecruitmentNetwork.objects.create(origin_country=country("MM"), name="Home Myanmar ERN")
    for key in ("cso", "origin_agency"):
        NetworkMember.objects.create(network=network, organisation=world.orgs[key], joined_on=datetime.date(2025, 1, 1))
    return services.broker_report_create(
        actor=world.members[("cso", "caseworker")],
        network=network,
        broker_name=BROKER_CANARY,
        area="Home broker area",
        reported_on=datetime.date(2026, 3, 1),
    )


def canary_survey(world):
    canary_broker(world)
    employer_pays(world)
    worker = canary_worker(world)
    caseworker = world.members[("cso", "caseworker")]
    fee_survey = survey(world)
    response = services.response_save(
        actor=caseworker, survey=fee_survey, worker=worker, lines=[line(), line("passport", "90000", "MMK")]
    )
    services.document_add(
        actor=caseworker,
        response=response,
        upload=SimpleUploadedFile(f"{CANARY_NAME} receipt.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    repayment = services.repayment_record(
        actor=world.members[("supplier", "admin")],
        response=response,
        currency="THB",
        amount="15000",
        paid_on=datetime.date(2026, 4, 1),
        method="cash",
    )
    services.repayment_verify(actor=caseworker, repayment=repayment, how="phone")
    return response


@pytest.mark.parametrize(("key", "role"), BUSINESS_MEMBERS, ids=[f"{k}-{r}" for k, r in BUSINESS_MEMBERS])
def test_no_recruitment_page_or_api_read_shows_the_canary_to_a_business(key: str, role: str) -> None:
    world = build_world()
    canary_survey(world)
    client = sign_in(Client(), world.members[(key, role)])
    fetched = 0
    for route, pattern, name in page_routes():
        if not name.startswith("recruitment:"):
            continue
        urls = ["/" + route] if "<" not in route else [fill(route, pk) for pk in object_ids(route_model(pattern))]
        for url in urls:
            for suffix in ("", "?names=1"):
                response = client.get(url + suffix)
                assert response.status_code < 500, url
                found = leaks(text_of(response))
                assert not found, f"{url} shows {found} to {key}/{role}"
                assert BROKER_CANARY not in text_of(response), f"{url} shows the broker to {key}/{role}"
                fetched += 1
    assert fetched > 20
    _token, secret = account_services.api_token_create(
        actor=world.members[(key, role)], name="canary", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for path, item in SCHEMA["paths"].items():
        if not path.startswith(API_PREFIXES):
            continue
        for method in [m for m in item if m == "get" or (m == "post" and path.endswith("/identity/"))]:
            if "{" in path:
                model = resolve(re.sub(r"\{[^}]+\}", "1", path)).func.cls.queryset.model  # type: ignore[attr-defined]
                urls = [re.sub(r"\{[^}]+\}", str(pk), path) for pk in object_ids(model)]
            else:
                urls = [path]
            for url in urls:
                response = getattr(api, method)(url)
                assert response.status_code < 500, url
                found = leaks(text_of(response))
                assert not found, f"{method.upper()} {url} shows {found} to {key}/{role}"
                assert BROKER_CANARY not in text_of(response), f"{method.upper()} {url} shows the broker"


def test_the_surveying_cso_sees_the_canary_through_an_audited_read():
    from ilm.core.models import AuditEvent

    world = build_world()
    response = canary_survey(world)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    page = client.get(f"/recruitment/responses/{response.pk}/")
    assert CANARY_NAME not in page.text  # not until asked
    page = client.get(f"/recruitment/responses/{response.pk}/?names=1")
    assert CANARY_NAME in page.text
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(response.worker_id)).exists()


def test_a_member_of_the_network_reads_the_broker_through_an_audited_view():
    from ilm.core.models import AuditEvent

    world = build_world()
    report = canary_broker(world)
    agency = sign_in(Client(), world.members[("origin_agency", "responder")])
    assert BROKER_CANARY in agency.get(f"/recruitment/networks/broker-reports/{report.pk}/").text
    assert BROKER_CANARY not in agency.get("/recruitment/networks/broker-reports/").text
    assert AuditEvent.objects.filter(action="recruitment.broker_viewed", object_id=str(report.pk)).count() == 1
    destination = sign_in(Client(), world.members[("destination_agency", "admin")])
    assert destination.get(f"/recruitment/networks/broker-reports/{report.pk}/").status_code == 404
