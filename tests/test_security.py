"""Security baseline: headers on pages and the API, CSRF on forms, no identity in error reports."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_pages_send_strict_csp_no_framing_and_no_store(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    response = client.get("/network/sites/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_sign_in_page_has_no_inline_script(client):
    body = client.get("/accounts/login/").content.decode()
    assert "<script>" not in body and " onclick=" not in body and "style=" not in body


def test_forms_need_csrf():
    world = build_world()
    client = sign_in(Client(enforce_csrf_checks=True), world.members[("supplier", "admin")])
    response = client.post("/network/sites/new/", {"name": "x"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


def test_api_docs_and_schema_work_offline(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")


def test_error_reports_hide_local_variables():
    from django.test import RequestFactory

    from ilm.core.errors import ILMExceptionReporterFilter

    def leaky() -> None:
        worker_name = "Canary Worker"  # noqa: F841
        raise ValueError("boom")

    try:
        leaky()
    except ValueError as exc:
        frame = exc.__traceback__.tb_next.tb_frame  # type: ignore[union-attr]
        variables = ILMExceptionReporterFilter().get_traceback_frame_variables(RequestFactory().get("/"), frame)
        assert "Canary Worker" not in repr(variables)
