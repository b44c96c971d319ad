"""API parity: question sets (read-only), surveys (list with a query count, create, close, paper forms),
aggregated results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.surveys.models import Response
from tests.surveys.conftest import answer, full_answers, independent, internal, standard_set
from tests.test_tenancy_matrix import bearer
from tests.worlds import World

pytestmark = pytest.mark.django_db


def api(world: World, key: str, role: str) -> tuple[Client, dict[str, str]]:
    return Client(), bearer(world.members[(key, role)])


def test_question_sets_in_every_language(world: World) -> None:
    client, auth = api(world, "buyer", "viewer")
    body = client.get("/api/v1/question-sets/", HTTP_ACCEPT_LANGUAGE="th", **auth).json()
    standard = next(item for item in body if item["code"] == "ilm-worker-satisfaction")
    assert set(standard["titles"]) == {"en", "th", "my", "km", "ne"}
    assert standard["questions"][0]["texts"]["ne"]
    assert client.post("/api/v1/question-sets/", {}, content_type="application/json", **auth).status_code == 405


def test_list_query_count_and_public_link_for_the_runner_only(world: World) -> None:
    independent(world)
    client, auth = api(world, "tp", "viewer")
    client.get("/api/v1/surveys/", **auth)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/surveys/", **auth)
    for n in range(4):
        internal(world, title=f"Internal {n}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/surveys/", **auth).json()
    assert len(many) == len(one)
    assert len(body["results"]) >= 5
    cso_client, cso_auth = api(world, "cso", "caseworker")
    mine = cso_client.get("/api/v1/surveys/?kind=independent", **cso_auth).json()["results"]
    assert [s["title"] for s in mine] == ["Independent survey, home plant"] and mine[0]["public_link"]
    buyer_client, buyer_auth = api(world, "buyer", "admin")
    seen = buyer_client.get("/api/v1/surveys/", **buyer_auth).json()["results"]
    assert seen and all(s["public_link"] is None for s in seen)


def test_create_close_and_paper_forms(world: World) -> None:
    client, auth = api(world, "cso", "admin")
    created = client.post(
        "/api/v1/surveys/",
        {"site": world.sites["supplier"].pk, "question_set": standard_set().pk, "kind": "independent"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    bad = client.post(
        f"/api/v1/surveys/{pk}/paper-responses/",
        {"answers": full_answers(4, safety=9, fees_paid="perhaps")},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) >= {"safety", "fees_paid"}
    assert not Response.objects.filter(survey_id=pk).exists()
    for _ in range(10):
        ok = client.post(
            f"/api/v1/surveys/{pk}/paper-responses/",
            {"answers": full_answers(3)},
            content_type="application/json",
            **auth,
        )
        assert ok.status_code == 201
    assert ok.json()["response_count"] == 10
    closed = client.post(f"/api/v1/surveys/{pk}/close/", content_type="application/json", **auth)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(
        f"/api/v1/surveys/{pk}/paper-responses/", {"answers": full_answers(3)}, content_type="application/json", **auth
    )
    assert again.status_code == 400 and "This survey is closed" in again.content.decode()
    results = client.get(f"/api/v1/surveys/{pk}/results/", **auth).json()
    safety = next(q for q in results["independent"]["questions"] if q["code"] == "safety")
    assert results["independent"]["shown"] and safety["mean"] == "3.00"


def test_an_internal_survey_at_someone_elses_site_is_a_clear_400(world: World) -> None:
    client, auth = api(world, "supplier", "admin")
    response = client.post(
        "/api/v1/surveys/",
        {"site": world.sites["supplier"].pk, "question_set": standard_set().pk, "kind": "independent"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    buyer_client, buyer_auth = api(world, "tp", "admin")
    refused = buyer_client.post(
        "/api/v1/surveys/",
        {"site": world.sites["supplier"].pk, "question_set": standard_set().pk, "kind": "internal"},
        content_type="application/json",
        **buyer_auth,
    )
    assert refused.status_code == 403


def test_results_of_a_small_survey_hold_nothing_per_question(world: World) -> None:
    survey = independent(world)
    answer(survey, 9)
    client, auth = api(world, "tp", "admin")
    body = client.get(f"/api/v1/surveys/{survey.pk}/results/", **auth).json()
    assert body["independent"] == {
        "survey": survey.pk,
        "title": survey.title,
        "kind": "independent",
        "status": "open",
        "responses": 9,
        "shown": False,
        "withheld_until_closed": False,
        "questions": [],
    }
    assert body["internal"] is None
