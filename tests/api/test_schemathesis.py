"""Property-based API testing against the committed schema (docs/api/openapi.yaml), signed in.

Schemathesis generates requests for every operation from the schema and sends them to the WSGI
app in-process; every response must be a non-5xx whose status code, content type, headers and
body match what the schema promises.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ilm.accounts.services import api_token_create
from tests.conftest import kept_for_module
from tests.worlds import build_world

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml")
APP = get_wsgi_application()
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]


def not_a_server_error(ctx, response, case) -> None:
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"


@pytest.fixture(scope="module")
def bearer(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    """The small network, built once for the module's ~250 operations (each rolls back to it)."""
    with kept_for_module(django_db_blocker):
        world = build_world()
        _token, secret = api_token_create(
            actor=world.members[("tp", "admin")],
            name="schemathesis",
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        yield {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def in_process_wsgi():
    """Like django.test.Client: the WSGI app must not close the test's database connection after each
    request (it would on PostgreSQL, ending the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_matches_its_schema(case, bearer, in_process_wsgi, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    response = case.call(app=APP, headers=bearer)
    not_a_server_error(None, response, case)
    case.validate_response(response, checks=CHECKS)
