"""The Academy API: courses and training sessions with nested participants, 409 on a stale version, scope,
the suggestion a held session makes, the export and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.plans.models import IndicatorSuggestion, IndicatorValue
from tests.api.test_api import api, token_for
from tests.factories import LinkFactory, OrganisationFactory
from tests.plans.test_trainings import ATTENDANCE, HELD_ON, make_course, record
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_cso_creates_a_course_and_records_a_held_session(client: Client, world):
    secret = token_for(world.members[("cso", "case_manager")])
    created = api(
        client,
        "post",
        "/api/v1/courses/",
        secret,
        {
            "title": "Interpreters and line supervisors",
            "activity": "3.7",
            "mode": "in_person",
            "language": "km",
            "provider": world.orgs["cso"].pk,
        },
    )
    assert created.status_code == 201, created.json()
    course = created.json()
    assert course["activity"] == "3.7" and course["may_edit"] and course["session_count"] == 0
    response = api(
        client,
        "post",
        "/api/v1/training-sessions/",
        secret,
        {
            "course": course["id"],
            "held_on": "2026-03-10",
            "trained_organisation": world.orgs["supplier"].pk,
            "completed": True,
            "attendance": ATTENDANCE,
        },
    )
    assert response.status_code == 201, response.json()
    session = response.json()
    assert session["participant_total"] == 10 and session["trainer_organisation"] == world.orgs["cso"].pk
    assert {(c["role"], c["gender"], c["count"]) for c in session["attendance"]} == {
        (c["role"], c["gender"], c["count"]) for c in ATTENDANCE
    }
    suggestion = IndicatorSuggestion.objects.get(training_session_id=session["id"])
    assert (suggestion.indicator, suggestion.suggested_status) == ("WORK2", "partial")
    assert not IndicatorValue.objects.filter(organisation=world.orgs["supplier"]).exists()

    # A stale version: 409, nothing written.
    ok = api(client, "patch", f"/api/v1/training-sessions/{session['id']}/", secret, {"version": 1, "place": "Rayong"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api(
        client, "patch", f"/api/v1/training-sessions/{session['id']}/", secret, {"version": 1, "attendance": []}
    )
    assert stale.status_code == 409
    assert api(client, "get", f"/api/v1/training-sessions/{session['id']}/", secret).json()["participant_total"] == 10
    stale_course = api(client, "patch", f"/api/v1/courses/{course['id']}/", secret, {"version": 2, "title": "x"})
    assert stale_course.status_code == 409


@pytest.mark.parametrize(
    ("cells", "text"),
    [
        ([{"role": "managers", "gender": "female", "count": -1}], "count"),
        ([{"role": "cooks", "gender": "female", "count": 1}], "role"),
        ([{"role": "hr", "gender": "x", "count": 1}], "gender"),
    ],
)
def test_bad_attendance_is_a_400_naming_the_field(client: Client, world, cells, text):
    course = make_course(world)
    secret = token_for(world.members[("tp", "caseworker")])
    response = api(
        client,
        "post",
        "/api/v1/training-sessions/",
        secret,
        {
            "course": course.pk,
            "held_on": "2026-03-10",
            "trained_organisation": world.orgs["supplier"].pk,
            "attendance": cells,
        },
    )
    assert response.status_code == 400
    assert text in str(response.json())


def test_unknown_activity_and_far_future_are_400(client: Client, world):
    secret = token_for(world.members[("tp", "admin")])
    course = api(
        client,
        "post",
        "/api/v1/courses/",
        secret,
        {"title": "x", "activity": "2.11", "mode": "online", "language": "th", "provider": world.orgs["cso"].pk},
    )
    assert course.status_code == 400 and "2.11" in str(course.json())
    far = api(
        client,
        "post",
        "/api/v1/training-sessions/",
        secret,
        {"course": make_course(world).pk, "held_on": "2099-01-01", "trained_organisation": world.orgs["supplier"].pk},
    )
    assert far.status_code == 400 and "held_on" in str(far.json())


def test_who_reads_and_edits_through_the_api(client: Client, world):
    session = record(world, make_course(world))
    path = f"/api/v1/training-sessions/{session.pk}/"
    for key, read, patch in [
        ("buyer", 200, 403),
        ("supplier", 200, 403),
        ("upstream", 404, 404),
        ("government", 404, 404),
    ]:
        secret = token_for(world.members[(key, "admin")])
        assert api(client, "get", path, secret).status_code == read, key
        assert api(client, "patch", path, secret, {"version": 1, "notes": "x"}).status_code == patch, key
        assert api(client, "get", "/api/v1/courses/", secret).status_code == 200
    # A supplier may not create courses or sessions.
    secret = token_for(world.members[("supplier", "admin")])
    denied = api(
        client,
        "post",
        "/api/v1/courses/",
        secret,
        {"title": "x", "activity": "2.8", "mode": "online", "language": "th", "provider": world.orgs["cso"].pk},
    )
    assert denied.status_code == 400  # the provider is not one it may name: "does not exist"


def test_the_export_and_list_query_counts(client: Client, world):
    course = make_course(world)
    record(world, course)
    secret = token_for(world.members[("buyer", "viewer")])
    export = api(client, "get", "/api/v1/training-sessions/export/?format=csv", secret)
    assert export.status_code == 200 and export.content.decode("utf-8-sig").count("\n") == 2

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(client, "get", path, secret).status_code == 200
        return len(ctx)

    paths = ("/api/v1/courses/", "/api/v1/training-sessions/")
    small = {path: count(path) for path in paths}
    for i in range(5):
        supplier = OrganisationFactory(kind="supplier", name=f"Chain supplier {i}")
        LinkFactory(kind="supply", customer=world.orgs["buyer"], provider=supplier)
        other = make_course(world, title=f"Course {i}")
        record(world, other, trained="supplier", held_on=HELD_ON)
        record(world, other, trained="supplier", attendance=ATTENDANCE[:1])
    for path in paths:
        assert count(path) == small[path], path
