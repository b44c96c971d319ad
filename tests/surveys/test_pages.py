"""The signed-in pages: list (query count), create, detail, paper entry, close, results, export."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.surveys.models import Response, Survey
from tests.conftest import sign_in
from tests.surveys.conftest import answer, full_answers, independent, internal, standard_set
from tests.worlds import World

pytestmark = pytest.mark.django_db


def client_for(world: World, key: str, role: str) -> Client:
    return sign_in(Client(), world.members[(key, role)])


def test_the_list_costs_the_same_queries_for_one_or_many_surveys(world: World) -> None:
    client = client_for(world, "tp", "viewer")
    independent(world, title="One")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/surveys/").status_code == 200
    for n in range(5):
        internal(world, title=f"Many {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/surveys/")
    assert "Many 4" in response.content.decode()
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_a_cso_creates_a_survey_and_sees_its_public_link(world: World) -> None:
    client = client_for(world, "cso", "caseworker")
    page = client.get("/surveys/new/")
    assert page.status_code == 200 and "Home supplier plant" in page.content.decode()
    response = client.post(
        "/surveys/new/",
        {
            "kind": "independent",
            "site": world.sites["supplier"].pk,
            "question_set": standard_set().pk,
            "title": "Q3 survey",
            "opens_on": "2026-01-05",
        },
    )
    survey = Survey.objects.get(title="Q3 survey")
    assert response.status_code == 302 and response.url == f"/surveys/{survey.pk}/"
    detail = client.get(response.url).content.decode()
    assert f"/surveys/r/{survey.token}/" in detail and "Enter a paper form" in detail


def test_an_internal_survey_at_someone_elses_site_is_refused_on_the_page(world: World) -> None:
    client = client_for(world, "supplier", "admin")
    response = client.post(
        "/surveys/new/",
        {
            "kind": "internal",
            "site": world.sites["upstream"].pk,
            "question_set": standard_set().pk,
            "opens_on": "2026-01-05",
        },
    )
    assert response.status_code == 400  # not among its choices: the form refuses before the service
    assert not Survey.objects.filter(site=world.sites["upstream"]).exists()


def test_roles_that_may_not_create_are_refused(world: World) -> None:
    for key, role in [("buyer", "admin"), ("supplier", "viewer"), ("government", "admin")]:
        assert client_for(world, key, role).get("/surveys/new/").status_code == 403


def test_the_business_does_not_see_the_public_link(world: World) -> None:
    survey = independent(world)
    for key, role in [("supplier", "admin"), ("buyer", "admin")]:
        body = client_for(world, key, role).get(f"/surveys/{survey.pk}/").content.decode()
        assert survey.token not in body and "Enter a paper form" not in body
    assert client_for(world, "supplier", "admin").get(f"/surveys/{survey.pk}/responses/new/").status_code == 403


def test_paper_entry_with_bad_input_saves_nothing_and_says_why(world: World) -> None:
    survey = independent(world)
    client = client_for(world, "cso", "caseworker")
    data = {k: str(v) for k, v in full_answers(4).items()}
    bad = client.post(f"/surveys/{survey.pk}/responses/new/", data | {"wages_on_time": "", "fees_paid": "maybe"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "Select a valid choice" in body
    assert not Response.objects.filter(survey=survey).exists()
    missing = client.post(f"/surveys/{survey.pk}/responses/new/", data | {"wages_on_time": ""})
    assert missing.status_code == 400 and "Please answer this question." in missing.content.decode()
    ok = client.post(f"/surveys/{survey.pk}/responses/new/", data)
    assert ok.status_code == 302
    assert Response.objects.get(survey=survey).method == "paper"


def test_closing_from_the_page_and_results_with_the_comparison(world: World) -> None:
    survey = independent(world)
    answer(survey, 10, [2])
    own = internal(world)
    answer(own, 10, [5])
    client = client_for(world, "cso", "admin")
    assert client.post(f"/surveys/{survey.pk}/close/").status_code == 302
    assert Survey.objects.get(pk=survey.pk).status == "closed"
    results = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "2.00" in results and "Shown when the survey closes" in results  # the business's survey is still open
    client_for(world, "supplier", "admin").post(f"/surveys/{own.pk}/close/")
    results = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "2.00" in results and "5.00" in results
    export = client.get(f"/surveys/{survey.pk}/results.csv")
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    assert "2.00" in text and "5.00" in text and "No: 100.0%" in text


def test_the_nav_link_shows_for_the_kinds_that_use_surveys(world: World) -> None:
    assert 'href="/surveys/"' in client_for(world, "buyer", "viewer").get("/").content.decode()
    assert 'href="/surveys/"' not in client_for(world, "government", "admin").get("/").content.decode()
