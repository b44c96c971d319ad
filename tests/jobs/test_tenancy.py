"""The generated tenancy matrix (tests/test_tenancy_matrix.py), on the job marketplace's routes only: quick
to run while working on this app. Every role of every kind → the outsiders' vacancies and applications 404;
the technical partner opens them."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.jobs.world import OUTSIDER_NAMES
from tests.test_tenancy_matrix import MATRIX_MEMBERS, TOKEN_ROUTES, fill, page_routes, route_model
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def jobs_routes() -> list:
    return [r for r in page_routes() if r[0].startswith("jobs/") and r[2] not in TOKEN_ROUTES]


def test_jobs_pages_hide_the_outsiders_from_every_role():
    world = build_world()
    checked = 0
    for key, role in MATRIX_MEMBERS:
        client = sign_in(Client(), world.members[(key, role)])
        for route, pattern, _name in jobs_routes():
            if "<" not in route:
                body = client.get("/" + route).content.decode()
                assert not [name for name in OUTSIDER_NAMES if name in body], (route, key, role)
                continue
            for obj in world.outsiders[route_model(pattern)._meta.model_name]:
                for method in ("get", "post"):
                    status = getattr(client, method)(fill(route, obj.pk)).status_code
                    assert status in (404, 405), (route, method, key, role, status)
                    checked += status == 404
    assert checked > 100
    tp = sign_in(Client(), world.members[("tp", "admin")])
    for route, pattern, _name in jobs_routes():
        if "<" in route:
            for obj in world.outsiders[route_model(pattern)._meta.model_name]:
                assert tp.get(fill(route, obj.pk)).status_code in (200, 403, 405), route


def test_read_only_admin_pages_never_show_an_applicant():
    world = build_world()
    admin = world.members[("tp", "admin")]
    admin.user.is_staff = True
    admin.user.save()
    client = sign_in(Client(), admin)
    closed = world.outsiders["vacancy"][1]
    application = world.outsiders["application"][0]
    for url in (
        "/admin/jobs/vacancy/",
        f"/admin/jobs/vacancy/{world.outsiders['vacancy'][0].pk}/change/",
        "/admin/jobs/vacancytranslation/",
        "/admin/jobs/application/",
        f"/admin/jobs/application/{application.pk}/change/",
        "/admin/jobs/employerreview/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Outsider Applicant Secretname" not in page.text and "+84 90 111 2222" not in page.text, url
    assert "Outsider broker fee" in client.get(f"/admin/jobs/vacancy/{world.outsiders['vacancy'][0].pk}/change/").text
    assert client.get("/admin/jobs/vacancy/add/").status_code == 403
    assert client.post(f"/admin/jobs/vacancy/{closed.pk}/delete/", {"post": "yes"}).status_code == 403
