"""Positive control for the plans routes of the generated tenancy matrix: the technical partner opens every
plans page and API read for the outsider objects (so the matrix's 404s for everyone else mean something)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.test_tenancy_matrix import (
    api_model,
    api_operations,
    bearer,
    fill,
    outsider_objects,
    page_routes,
    route_model,
)
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

PLAN_API = (
    "/api/v1/activities/",
    "/api/v1/country-action-plans/",
    "/api/v1/business-action-plans/",
    "/api/v1/plan-rows/",
    "/api/v1/plan-check-ins/",
    "/api/v1/baselines/",
    "/api/v1/focal-points/",
)


def test_technical_partner_opens_every_plans_page_for_outsiders(client: Client):
    world = build_world()
    sign_in(client, world.members[("tp", "admin")])
    checked = 0
    for route, pattern, name in page_routes():
        if not name.startswith("plans:") or "<" not in route:
            continue
        for obj in outsider_objects(world, route_model(pattern)):
            response = client.get(fill(route, obj.pk))
            assert response.status_code in (200, 405), (route, response.status_code)
            checked += 1
    assert checked >= 20


def test_technical_partner_reads_every_plans_operation_for_outsiders():
    world = build_world()
    client = Client()
    auth = bearer(world.members[("tp", "admin")])
    checked = 0
    for path, method in api_operations():
        if method != "get" or "{" not in path or not path.startswith(PLAN_API):
            continue
        model = api_model(path)
        if model._meta.model_name == "activity":
            continue
        for obj in outsider_objects(world, model):
            response = client.get(re.sub(r"\{[^}]+\}", str(obj.pk), path), **auth)
            assert response.status_code == 200, (path, response.status_code)
            checked += 1
    assert checked >= 8
