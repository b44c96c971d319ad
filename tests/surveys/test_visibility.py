"""Who reads which survey and its aggregated results (selectors), who is offered what (permissions)."""

from __future__ import annotations

import pytest

from ilm.surveys import selectors
from ilm.surveys.permissions import kinds_offered, may_manage_survey, may_see_link
from tests.surveys.conftest import independent, internal
from tests.worlds import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveys(world: World) -> dict[str, object]:
    return {"independent": independent(world), "internal": internal(world)}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("tp", {"independent", "internal"}),
        ("cso", {"independent", "internal"}),  # it runs one at this site: the internal one too, to compare
        ("supplier", {"independent", "internal"}),  # both, at its own site
        ("buyer", {"independent", "internal"}),  # its supplier's site
        ("upstream", set()),
        ("destination_agency", set()),
        ("origin_agency", set()),
        ("government", set()),
        ("industry_body", set()),
        ("academic", set()),
    ],
)
def test_who_reads_the_home_plants_surveys(
    world: World, surveys: dict[str, object], key: str, expected: set[str]
) -> None:
    membership = next(m for (k, _r), m in world.members.items() if k == key)
    titles = {s.kind for s in selectors.survey_list(membership=membership).exclude(title__startswith="Outsider")}
    assert titles == expected


def test_nobody_at_home_but_the_technical_partner_reads_the_outsiders_surveys(world: World) -> None:
    for (key, _role), membership in world.members.items():
        outsiders = selectors.survey_list(membership=membership).filter(title__startswith="Outsider")
        assert outsiders.exists() == (key == "tp"), key


def test_a_cso_without_a_survey_at_the_site_does_not_read_the_internal_one(world: World) -> None:
    internal(world)
    cso = world.members[("cso", "admin")]
    assert not selectors.survey_list(membership=cso).exclude(title__startswith="Outsider").exists()


def test_kinds_offered_follow_the_role_table(world: World) -> None:
    m = world.members
    assert kinds_offered(m[("cso", "caseworker")]) == ["independent"]
    assert kinds_offered(m[("tp", "case_manager")]) == ["independent"]
    assert kinds_offered(m[("supplier", "responder")]) == ["internal"]
    for key, role in [("cso", "viewer"), ("supplier", "viewer"), ("buyer", "admin"), ("destination_agency", "admin")]:
        assert kinds_offered(m[(key, role)]) == [], (key, role)


def test_only_the_runner_manages_and_the_link_stays_with_runner_and_technical_partner(
    world: World, surveys: dict[str, object]
) -> None:
    survey = surveys["independent"]
    m = world.members
    assert may_manage_survey(m[("cso", "caseworker")], survey) and may_see_link(m[("cso", "caseworker")], survey)
    assert not may_manage_survey(m[("cso", "viewer")], survey) and not may_see_link(m[("cso", "viewer")], survey)
    assert may_see_link(m[("tp", "admin")], survey) and not may_manage_survey(m[("tp", "admin")], survey)
    for key, role in [("supplier", "admin"), ("buyer", "admin")]:
        assert not may_see_link(m[(key, role)], survey)
    own = surveys["internal"]
    assert may_manage_survey(m[("supplier", "responder")], own) and not may_manage_survey(
        m[("supplier", "viewer")], own
    )
    assert not may_see_link(m[("buyer", "admin")], own)


def test_site_choices_for_a_new_survey(world: World) -> None:
    cso_sites = selectors.survey_site_choices(membership=world.members[("cso", "admin")], kind="independent")
    assert world.sites["supplier"] in cso_sites and not cso_sites.filter(name__startswith="Outsider").exists()
    supplier_sites = selectors.survey_site_choices(membership=world.members[("supplier", "admin")], kind="internal")
    assert list(supplier_sites) == [world.sites["supplier"]]
    assert not selectors.survey_site_choices(membership=world.members[("supplier", "admin")], kind="independent")
