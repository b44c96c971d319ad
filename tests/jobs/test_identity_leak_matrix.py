"""Identity canary matrix for the job marketplace: the canary jobseeker applied, through the home CSO, to the
home supplier's vacancy (consenting to share their details with that employer only), was hired, confirmed
the job cost them nothing and reviewed the employer. As every member of every other business (the agency,
the buyer whose chain holds the employer, the upstream supplier) and as an anonymous visitor, every jobs page
and API read, for every object, must not show the applicant's name or contact.

Generated like tests/cases/test_identity_leak_matrix.py: routes from the URL resolver, operations from the
committed schema, ids from every row of each route's model.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.jobs import services
from tests.cases.test_identity_leak_matrix import SCHEMA, object_ids, text_of
from tests.conftest import sign_in
from tests.factories import country
from tests.jobs.helpers import post
from tests.test_tenancy_matrix import TOKEN_ROUTES, fill, page_routes, route_model
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

APPLICANT = "Naing Canary Jobseeker"
CONTACT = "+95 9 555 014 299"
CANARIES = [APPLICANT, "Canary Jobseeker", CONTACT, "555 014 299", "555014299"]
API_PREFIXES = ("/api/v1/job-", "/api/v1/vacancies/")
# The employer (the home supplier) sees the applicant by consent: every other business must not.
# One member of each other business (roles within an organisation are covered by the tenancy matrix).
OTHERS = [("destination_agency", "responder"), ("buyer", "viewer"), ("upstream", "admin")]


def canary_hire(world):
    employer = world.members[("supplier", "admin")]
    cso = world.members[("cso", "caseworker")]
    vacancy = post(employer, position="Canary line worker", site=world.sites["supplier"])
    application, _token = services.application_submit(
        vacancy=vacancy,
        full_name=APPLICANT,
        contact_kind="phone",
        contact=CONTACT,
        nationality=country("MM"),
        consent=True,
        language="my",
        actor=cso,
    )
    for status in ("shortlisted", "offered", "hired"):
        application = services.application_move(actor=employer, application=application, status=status)
    services.application_message(actor=employer, application=application, text="Welcome, start on Monday")
    services.hire_confirm(actor=cso, application=application, paid_nothing_extra=True)
    services.review_submit(actor=cso, application=application, rating=4, comment="Fair employer")
    return application


def leaks(body: str) -> list[str]:
    return [canary for canary in CANARIES if canary in body]


def jobs_pages():
    return [r for r in page_routes() if r[2].startswith("jobs:") and r[2] not in TOKEN_ROUTES]


def check_pages(client: Client, who: str) -> int:
    fetched = 0
    for route, pattern, _name in jobs_pages():
        urls = ["/" + route] if "<" not in route else [fill(route, pk) for pk in object_ids(route_model(pattern))]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            found = leaks(text_of(response))
            assert not found, f"{url} shows {found} to {who}"
            fetched += 1
    return fetched


@pytest.mark.parametrize(("key", "role"), OTHERS, ids=[f"{k}-{r}" for k, r in OTHERS])
def test_no_jobs_page_or_api_read_shows_the_applicant_to_another_business(key: str, role: str) -> None:
    world = build_world()
    canary_hire(world)
    member = world.members[(key, role)]
    assert check_pages(sign_in(Client(), member), f"{key}/{role}") > 10
    _token, secret = account_services.api_token_create(
        actor=member, name="canary", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    read = 0
    for path, item in SCHEMA["paths"].items():
        if not path.startswith(API_PREFIXES) or "get" not in item:
            continue
        if "{" in path:
            model = resolve(re.sub(r"\{[^}]+\}", "1", path)).func.cls.queryset.model  # type: ignore[attr-defined]
            urls = [re.sub(r"\{[^}]+\}", str(pk), path) for pk in object_ids(model)]
        else:
            urls = [path]
        for url in urls:
            response = api.get(url)
            assert response.status_code < 500, url
            found = leaks(text_of(response))
            assert not found, f"GET {url} shows {found} to {key}/{role}"
            read += 1
    assert read > 5


def test_anonymous_visitors_never_see_the_applicant():
    world = build_world()
    canary_hire(world)
    assert check_pages(Client(), "an anonymous visitor") > 3


def test_the_employer_sees_the_applicant_it_was_given_and_the_view_is_audited():
    """Those who manage the employer's applications see who applied (the jobseeker consented); its
    read-only viewers see the application without the name."""
    from ilm.core.models import AuditEvent

    world = build_world()
    application = canary_hire(world)
    viewer = sign_in(Client(), world.members[("supplier", "viewer")]).get(f"/jobs/applications/{application.pk}/")
    assert viewer.status_code == 200 and not leaks(viewer.text)
    assert not AuditEvent.objects.filter(action="job.application_identity_viewed").exists()
    client = sign_in(Client(), world.members[("supplier", "responder")])
    page = client.get(f"/jobs/applications/{application.pk}/")
    assert page.status_code == 200 and APPLICANT in page.text
    assert AuditEvent.objects.filter(action="job.application_identity_viewed", object_id=str(application.pk)).exists()
