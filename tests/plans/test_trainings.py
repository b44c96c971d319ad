"""Trainings (the Academy): courses, sessions and participants; who reads and edits them; the indicator
suggestions that held sessions make (never silent changes)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ilm.core.errors import Conflict
from ilm.core.models import AuditEvent
from ilm.plans import services, training_selectors, training_services
from ilm.plans.models import (
    Course,
    IndicatorSuggestion,
    IndicatorValue,
    TrainingAttendance,
    TrainingSession,
)
from ilm.plans.permissions import may_edit_training, may_manage_trainings
from tests.plans.helpers import tp
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

HELD_ON = datetime.date(2026, 3, 10)
ATTENDANCE = [
    {"role": "managers", "gender": "female", "count": 2},
    {"role": "managers", "gender": "male", "count": 3},
    {"role": "hr", "gender": "female", "count": 4},
    {"role": "line_supervisors", "gender": "other", "count": 1},
]


@pytest.fixture
def world():
    return build_world()


def suggestions(world: Any) -> Any:
    """Suggestions for the home organisations (the world's outsider has its own)."""
    return IndicatorSuggestion.objects.filter(organisation__in=world.orgs.values())


def home_sessions(world: Any) -> Any:
    """Sessions of the home organisations (the world's outsider has its own)."""
    return TrainingSession.objects.filter(trained_organisation__in=world.orgs.values())


def home_attendance(world: Any) -> Any:
    return TrainingAttendance.objects.filter(session__trained_organisation__in=world.orgs.values())


def values(world: Any) -> Any:
    return IndicatorValue.objects.filter(organisation__in=world.orgs.values())


def cso(world: Any, role: str = "caseworker") -> Any:
    return world.members[("cso", role)]


def make_course(world: Any, *, activity: str = "2.8", actor: Any = None, **values: Any) -> Course:
    values.setdefault("title", "Ethical recruitment for HR teams")
    values.setdefault("mode", "in_person")
    values.setdefault("language", "th")
    values.setdefault("provider", world.orgs["cso"])
    return training_services.course_create(actor=actor or cso(world), activity=activity, **values)


def record(
    world: Any, course: Course, *, trained: str = "supplier", actor: Any = None, **values: Any
) -> TrainingSession:
    values.setdefault("held_on", HELD_ON)
    values.setdefault("completed", True)
    values.setdefault("attendance", ATTENDANCE)
    return training_services.session_record(
        actor=actor or cso(world), course=course, trained_organisation=world.orgs[trained], **values
    )


# --- services ----------------------------------------------------------------------------------------


def test_a_session_is_recorded_with_its_participants_counted_by_role_and_gender(world):
    course = make_course(world)
    session = record(world, course)
    assert session.trainer_organisation == world.orgs["cso"]  # the course's provider by default
    cells = {(c.role, c.gender): c.count for c in session.attendance.all()}
    assert cells == {
        ("managers", "female"): 2,
        ("managers", "male"): 3,
        ("hr", "female"): 4,
        ("line_supervisors", "other"): 1,
    }
    listed = training_selectors.session_list(membership=tp(world)).get(pk=session.pk)
    assert listed.participant_total == 10
    grid = training_selectors.attendance_grid(listed.attendance.all())
    assert grid.total == 10 and [row.total for row in grid.rows] == [5, 4, 1, 0, 0, 0]
    assert grid.gender_totals == [6, 3, 1]
    assert AuditEvent.objects.filter(action="training.session_recorded", object_id=str(session.pk)).exists()
    assert AuditEvent.objects.filter(action="training.course_created", object_id=str(course.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"attendance": [{"role": "managers", "gender": "female", "count": -1}]}, "attendance", "negative"),
        ({"attendance": [{"role": "cooks", "gender": "female", "count": 1}]}, "attendance", "Unknown role"),
        ({"attendance": [{"role": "hr", "gender": "x", "count": 1}]}, "attendance", "Unknown gender"),
        ({"attendance": [{"role": "hr", "gender": "male", "count": "two"}]}, "attendance", "whole numbers"),
        (
            {
                "attendance": [
                    {"role": "hr", "gender": "male", "count": 1},
                    {"role": "hr", "gender": "male", "count": 2},
                ]
            },
            "attendance",
            "counted once",
        ),
        ({"held_on": datetime.date(2099, 1, 1)}, "held_on", "too far in the future"),
        ({"held_on": timezone.localdate() + datetime.timedelta(days=30)}, "completed", "not been held yet"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_saved(world, change, field, text):
    course = make_course(world)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        record(world, course, **change)
    assert text in " ".join(caught.value.message_dict[field])
    assert not home_sessions(world).exists() and not home_attendance(world).exists()
    assert not suggestions(world).exists()


def test_a_planned_session_may_be_in_the_near_future(world):
    session = record(
        world, make_course(world), held_on=timezone.localdate() + datetime.timedelta(days=30), completed=False
    )
    assert not session.completed and not suggestions(world).exists()


def test_unknown_activity_and_bad_course_values_are_refused(world):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        make_course(world, activity="2.11")
    assert "Unknown activity code: 2.11" in caught.value.message_dict["activity"][0]
    with pytest.raises(ValidationError) as caught:
        make_course(world, mode="by pigeon", language="xx")
    assert set(caught.value.message_dict) == {"mode", "language"}
    with pytest.raises(ValidationError) as caught:
        make_course(world, actor=tp(world), provider=world.orgs["supplier"])
    assert "provider" in caught.value.message_dict
    assert not Course.objects.filter(provider__in=world.orgs.values()).exists()


def test_the_unknown_activity_message_is_translated(world):
    with translation.override("th"), pytest.raises(ValidationError) as caught:
        make_course(world, activity="9.9")
    with translation.override("th"):
        expected = translation.gettext(
            "Unknown activity code: %(codes)s. The catalogue has 1.1–1.6, 2.1–2.10 and 3.1–3.9."
        ) % {"codes": "9.9"}
    assert caught.value.message_dict["activity"] == [expected]


def test_a_stale_session_edit_is_a_conflict_and_writes_nothing(world):
    session = record(world, make_course(world), completed=False)
    training_services.session_update(actor=cso(world), session=session, expected_version=1, place="Samut Sakhon")
    with pytest.raises(Conflict):
        training_services.session_update(
            actor=cso(world), session=session, expected_version=1, place="Bangkok", attendance=[]
        )
    session.refresh_from_db()
    assert (session.place, session.version, session.attendance.count()) == ("Samut Sakhon", 2, 4)


def test_session_update_replaces_the_participants_and_delete_removes_them(world):
    session = record(world, make_course(world), completed=False)
    training_services.session_update(
        actor=cso(world),
        session=session,
        expected_version=1,
        attendance=[
            {"role": "interpreters", "gender": "female", "count": 7},
            {"role": "hr", "gender": "male", "count": 0},
        ],
    )
    assert list(session.attendance.values_list("role", "gender", "count")) == [("interpreters", "female", 7)]
    training_services.session_delete(actor=cso(world), session=session, expected_version=2)
    assert not home_sessions(world).exists() and not home_attendance(world).exists()


def test_course_update_with_version(world):
    course = make_course(world)
    training_services.course_update(
        actor=cso(world), course=course, expected_version=1, title="ER basics", activity="3.7"
    )
    course.refresh_from_db()
    assert (course.title, course.activity_id, course.version) == ("ER basics", "3.7", 2)
    with pytest.raises(Conflict):
        training_services.course_update(actor=cso(world), course=course, expected_version=1, title="Lost")


# --- suggestions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "indicator"), [("1.5", "WV3"), ("2.8", "ER7"), ("3.7", "WORK2"), ("3.8", "WORK3")]
)
def test_a_held_session_suggests_partial_progress_on_the_matching_indicator(world, activity, indicator):
    session = record(world, make_course(world, activity=activity))
    suggestion = suggestions(world).get()
    assert (suggestion.organisation, suggestion.indicator, suggestion.suggested_status, suggestion.status) == (
        world.orgs["supplier"],
        indicator,
        "partial",
        "open",
    )
    assert suggestion.training_session == session
    assert "2026-03-10" in suggestion.reason and "10 participants" in suggestion.reason
    assert "Ethical recruitment for HR teams" in suggestion.reason
    assert not values(world).exists()  # a suggestion, never a silent change


def test_repeated_saves_do_not_duplicate_the_suggestion(world):
    session = record(world, make_course(world))
    for version in (1, 2):
        training_services.session_update(
            actor=cso(world), session=session, expected_version=version, notes=f"Notes {version}"
        )
    training_services.session_update(actor=cso(world), session=session, expected_version=3, completed=False)
    training_services.session_update(actor=cso(world), session=session, expected_version=4, completed=True)
    assert suggestions(world).count() == 1
    assert not values(world).exists()


def test_a_session_marked_held_later_suggests_then(world):
    session = record(world, make_course(world, activity="1.5"), completed=False)
    assert not suggestions(world).exists()
    training_services.session_update(actor=cso(world), session=session, expected_version=1, completed=True)
    assert suggestions(world).get().indicator == "WV3"


@pytest.mark.parametrize("trained", ["buyer", "government", "cso", "academic"])
def test_no_suggestion_for_organisations_without_indicators(world, trained):
    record(world, make_course(world), trained=trained)
    assert not suggestions(world).exists()


def test_no_suggestion_for_other_activities_and_none_beyond_the_current_status(world):
    record(world, make_course(world, activity="3.6"))
    assert not suggestions(world).exists()
    services.indicator_set(
        actor=tp(world), organisation=world.orgs["destination_agency"], indicator="ER7", status="completed"
    )
    value = values(world).get()
    record(world, make_course(world), trained="destination_agency")
    assert not suggestions(world).exists()
    value_after = values(world).get()
    assert (value_after.status, value_after.version) == (value.status, value.version)


def test_a_deleted_session_leaves_its_suggestion(world):
    session = record(world, make_course(world))
    training_services.session_delete(actor=cso(world), session=session)
    suggestion = suggestions(world).get()
    assert suggestion.training_session is None and suggestion.status == "open"


# --- permissions --------------------------------------------------------------------------------------

MANAGERS = {
    ("tp", "admin"),
    ("tp", "case_manager"),
    ("tp", "caseworker"),
    ("cso", "admin"),
    ("cso", "case_manager"),
    ("cso", "caseworker"),
}


def test_who_may_manage_trainings(world):
    for key, membership in world.members.items():
        assert may_manage_trainings(membership) == (key in MANAGERS), key


def test_a_cso_edits_only_what_its_organisation_provides_or_gives(world):
    from tests.factories import OrganisationFactory

    other_cso = OrganisationFactory(kind="cso", name="Other CSO")
    theirs = make_course(world, actor=tp(world), provider=other_cso)
    ours = make_course(world)
    assert may_edit_training(cso(world), ours) and not may_edit_training(cso(world), theirs)
    with pytest.raises(PermissionDenied):
        training_services.course_update(actor=cso(world), course=theirs, title="Mine now")
    with pytest.raises(PermissionDenied):
        make_course(world, provider=other_cso)
    # A CSO gives a session of another provider's course itself; it may not record one for another trainer.
    session = record(world, theirs, trainer_organisation=world.orgs["cso"])
    assert may_edit_training(cso(world), session)
    with pytest.raises(PermissionDenied):
        record(world, ours, trainer_organisation=other_cso)
    for key in [("cso", "viewer"), ("supplier", "admin"), ("buyer", "admin"), ("government", "admin")]:
        with pytest.raises(PermissionDenied):
            training_services.session_update(
                actor=world.members[key], session=session, expected_version=None, notes="x"
            )


READERS = {"tp", "cso", "supplier", "buyer"}  # the trainer, the trained supplier, its buyer


def test_who_reads_a_session(world):
    course = make_course(world)
    session = record(world, course)
    for (key, _role), membership in world.members.items():
        sessions = training_selectors.session_list(membership=membership)
        assert sessions.filter(pk=session.pk).exists() == (key in READERS), key
        # Courses: every member reads them, with the count of the sessions they read.
        listed = training_selectors.course_list(membership=membership).get(pk=course.pk)
        assert listed.session_count == (1 if key in READERS else 0), key


def test_a_buyer_reads_sessions_of_its_chain_and_agencies_disclosed_but_not_others(world):
    course = make_course(world)
    upstream = record(world, course, trained="upstream")
    agency = record(world, course, trained="destination_agency")
    origin = record(world, course, trained="origin_agency")
    buyer = world.members[("buyer", "viewer")]
    visible = set(training_selectors.session_list(membership=buyer).values_list("pk", flat=True))
    assert {upstream.pk, agency.pk} <= visible and origin.pk not in visible
    supplier = world.members[("supplier", "admin")]
    assert not training_selectors.session_list(membership=supplier).filter(pk=upstream.pk).exists()


# --- pages --------------------------------------------------------------------------------------------


def body(response: Any) -> str:
    return response.content.decode()


def test_the_academy_pages_for_a_cso(client, world):
    from tests.conftest import sign_in

    sign_in(client, cso(world))
    assert "Academy" in body(client.get("/plans/business/"))
    response = client.post(
        "/plans/academy/courses/new/",
        {
            "title": "Grievance mechanisms: the 8 key components",
            "activity": "1.5",
            "mode": "online",
            "language": "my",
            "provider": world.orgs["cso"].pk,
        },
    )
    course = Course.objects.get(title="Grievance mechanisms: the 8 key components")
    assert response.status_code == 302 and response["Location"] == f"/plans/academy/courses/{course.pk}/"
    form = client.get(f"/plans/academy/courses/{course.pk}/sessions/new/")
    assert form.status_code == 200 and 'name="n_managers_female"' in body(form) and "data-totals" in body(form)
    data = {
        "held_on": "2026-03-10",
        "trained_organisation": world.orgs["supplier"].pk,
        "trainer_organisation": world.orgs["cso"].pk,
        "completed": "on",
        "n_managers_female": "2",
        "n_hr_male": "3",
        "n_interpreters_other": "",
    }
    response = client.post(f"/plans/academy/courses/{course.pk}/sessions/new/", data)
    session = home_sessions(world).get()
    assert response.status_code == 302 and response["Location"] == f"/plans/academy/sessions/{session.pk}/"
    detail = body(client.get(response["Location"]))
    assert "Home supplier" in detail and "WV3" in detail and ">5</strong>" in detail
    # A negative count is refused beside the grid, nothing saved.
    bad = client.post(f"/plans/academy/courses/{course.pk}/sessions/new/", data | {"n_hr_male": "-1"})
    assert bad.status_code == 400 and home_sessions(world).count() == 1
    # Someone else saved in between: the form stays with the conflict (409).
    edit = data | {"version": "1", "notes": "First"}
    assert client.post(f"/plans/academy/sessions/{session.pk}/edit/", edit).status_code == 302
    stale = client.post(f"/plans/academy/sessions/{session.pk}/edit/", edit | {"notes": "Second"})
    assert stale.status_code == 409 and "Someone else changed this" in body(stale)
    assert suggestions(world).count() == 1
    listed = body(client.get("/plans/academy/?activity=1.5&mode=online&language=my"))
    assert "Grievance mechanisms: the 8 key components" in listed
    assert "Grievance mechanisms in Vietnamese" not in listed  # the outsider CSO's 1.5 course, in Vietnamese


@pytest.mark.parametrize(
    ("key", "read", "edit"),
    [
        ("tp", 200, 200),
        ("cso", 200, 200),
        ("supplier", 200, 403),
        ("buyer", 200, 403),
        ("government", 404, 404),
        ("upstream", 404, 404),
        ("academic", 404, 404),
    ],
)
def test_session_pages_by_kind(client, world, key, read, edit):
    from tests.conftest import sign_in

    course = make_course(world)
    session = record(world, course)
    role = "admin"
    sign_in(client, world.members[(key, role)])
    assert client.get(f"/plans/academy/sessions/{session.pk}/").status_code == read
    assert client.get(f"/plans/academy/sessions/{session.pk}/edit/").status_code == edit
    # Courses: every member reads them; only the provider (and the technical partner) edits.
    assert client.get(f"/plans/academy/courses/{course.pk}/").status_code == 200
    assert client.get(f"/plans/academy/courses/{course.pk}/edit/").status_code == (200 if key in ("tp", "cso") else 403)


def test_the_sessions_export_shape(client, world):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.conftest import sign_in

    record(world, make_course(world))
    sign_in(client, world.members[("buyer", "admin")])
    response = client.get("/plans/academy/sessions/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Course", "Activity", "Date", "Held", "Organisation trained", "Trainer"]
    assert len(rows[0]) == 6 + 18 + 1 and rows[0][6] == "Managers · Female" and rows[0][-1] == "Total"
    assert len(rows) == 2  # the buyer reads its supplier's session, not the outsider's
    assert rows[1][:6] == ["Ethical recruitment for HR teams", "2.8", "2026-03-10", "yes", "Home supplier", "Home cso"]
    assert rows[1][6:9] == ["2", "3", "0"] and rows[1][-1] == "10"
    xlsx = client.get("/plans/academy/sessions/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == rows[0]
    assert AuditEvent.objects.filter(action="training.exported").count() == 2


@pytest.mark.parametrize(("key", "role"), [("tp", "admin"), ("cso", "caseworker"), ("buyer", "viewer")])
def test_list_pages_query_counts_do_not_grow(client, world, key, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import sign_in
    from tests.factories import LinkFactory, OrganisationFactory

    course = make_course(world)
    record(world, course)
    sign_in(client, world.members[(key, role)])
    paths = ("/plans/academy/", "/plans/academy/sessions/", f"/plans/academy/courses/{course.pk}/")

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    small = {path: count(path) for path in paths}
    for i in range(5):
        supplier = OrganisationFactory(kind="supplier", name=f"Chain supplier {i}")
        LinkFactory(kind="supply", customer=world.orgs["buyer"], provider=supplier)
        other = make_course(world, title=f"Course {i}", activity=["1.5", "3.7", "3.8"][i % 3])
        record(world, other, trained="supplier")
        record(world, course, attendance=ATTENDANCE[:2])
        training_services.session_record(
            actor=tp(world), course=other, held_on=HELD_ON, trained_organisation=supplier, attendance=ATTENDANCE
        )
    for path in paths:
        assert count(path) == small[path], path
