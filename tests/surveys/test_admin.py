"""The read-only admin shows question sets and surveys (never responses, never the link's token)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.surveys.conftest import independent, standard_set
from tests.worlds import World

pytestmark = pytest.mark.django_db


def test_admin_pages_are_read_only_and_hide_the_token(world: World) -> None:
    survey = independent(world)
    admin = world.members[("tp", "admin")]
    admin.user.is_staff = True
    admin.user.save()
    client = sign_in(Client(), admin)
    page = client.get(f"/admin/surveys/questionset/{standard_set().pk}/change/")
    assert page.status_code == 200 and "wages_on_time" in page.content.decode()
    detail = client.get(f"/admin/surveys/survey/{survey.pk}/change/")
    assert detail.status_code == 200 and survey.token not in detail.content.decode()
    assert client.get("/admin/surveys/survey/add/").status_code == 403
    assert client.get("/admin/surveys/response/").status_code == 404
