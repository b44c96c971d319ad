"""Generated tenancy matrix: every page route and every API operation, as every role of every kind of
organisation, against objects of organisations it has nothing to do with → 404, like a missing object.

Routes come from the URL resolver and operations from the committed OpenAPI schema, so a new
endpoint is covered without being listed here; a route whose object type the matrix cannot
tell fails the test until its view declares it (`model` on a class-based view,
`@scoped_to(Model)` on a function view, `queryset` on a viewset).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.core.permissions import PARTNER_KINDS, ROLES_BY_KIND
from tests.conftest import sign_in
from tests.worlds import HOME_KINDS, World, build_world, matrix_members

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.yaml").read_text())
# Routes whose path parameter is a secret token, not an object id (they are public by design).
TOKEN_ROUTES = {"accounts:invitation_accept", "accounts:password_reset_confirm", "channels:webhook"}
# The surveys' public answer page and its thank-you page: the path's token is the survey's link key, shown to
# its runner only; a worker answers without signing in (tests/surveys/test_public.py checks them).
TOKEN_ROUTES |= {"surveys:public", "surveys:public_thanks"}
# jobs: the applicant's private status link (a secret token). Published vacancies are public by design
# (jobs:public_detail/apply); the outsiders' vacancies are a draft and a closed one, so those routes answer 404.
TOKEN_ROUTES |= {"jobs:application_status"}
# Routes on a case that only the inbox of the case's CSO uses (the worker's channel), not the technical partner.
INBOX_ROUTES = {"channels:validation_ask"}
INBOX_MODELS = ("conversation", "quickreply", "validationrequest", "message")
REFERENCE_MODELS = ("country", "industry", "issuecategory", "activity", "questionset")
# Every partner organisation browses all countries' action plans (ilm/plans/selectors.py): for members of
# partner kinds these are not "other organisations' objects"; tests/plans checks who reads and edits them.
PARTNER_BROWSABLE_MODELS = ("countryactionplan",)
# Every member reads every course of the Academy (ilm/plans/training_selectors.py): for home members an
# outsider's course is not hidden (and only its provider edits it: 403); tests/plans/test_trainings.py checks
# that. The technical partner's positive control still opens them.
MEMBER_READABLE_MODELS = ("course",)
# Pages that take an organisation's id in the query string (the dashboard's drill-down, the case list's filter).
QUERY_ID_PAGES = ("/dashboard/?business={pk}", "/cases/?organisation={pk}")
MEMBER_KEYS = [(key, role) for key, kind in HOME_KINDS.items() if key != "tp" for role in ROLES_BY_KIND[kind]]
MATRIX_MEMBERS = matrix_members(MEMBER_KEYS)  # every role on PostgreSQL; each organisation's first on SQLite


def iter_routes(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, URLPattern, str]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, f"{namespace}{entry.name or ''}"


def route_model(pattern: URLPattern) -> Any:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and getattr(view_class, "model", None) is not None:
        return view_class.model
    return getattr(callback, "scoped_model", None)


def page_routes() -> list[tuple[str, URLPattern, str]]:
    return [
        (route, pattern, name)
        for route, pattern, name in iter_routes()
        if not route.startswith(("api/", "admin/", "static/"))
    ]


def fill(route: str, pk: Any) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(pk), route)


def outsider_objects(world: World, model: Any, key: str | None = None) -> list[Any]:
    if key is not None and model._meta.model_name in MEMBER_READABLE_MODELS:
        return []
    if key is not None and model._meta.model_name in PARTNER_BROWSABLE_MODELS and HOME_KINDS[key] in PARTNER_KINDS:
        return []
    return world.outsiders[model._meta.model_name]


def test_every_page_route_with_an_id_is_covered():
    uncovered = []
    for route, pattern, name in page_routes():
        if "<" in route and name not in TOKEN_ROUTES and route_model(pattern) is None:
            uncovered.append(route)
    assert not uncovered, f"Routes the tenancy matrix cannot map to a model: {uncovered}"
    assert sum(1 for r, _p, _n in page_routes() if "<" in r) >= 10


@pytest.mark.parametrize(("key", "role"), MATRIX_MEMBERS, ids=[f"{k}-{r}" for k, r in MATRIX_MEMBERS])
def test_pages_hide_other_organisations(key: str, role: str) -> None:
    world = build_world()
    client = sign_in(Client(), world.members[(key, role)])
    forbidden_names = world.outsider_names()
    checked = 0
    for route, pattern, name in page_routes():
        if name in TOKEN_ROUTES:
            continue
        if "<" not in route:
            response = client.get("/" + route)
            assert response.status_code in (200, 302, 403, 405), (route, response.status_code)
            body = response.content.decode("utf-8", "replace")
            for secret in forbidden_names:
                assert secret not in body, f"{route} shows {secret!r} to {key}/{role}"
            continue
        model = route_model(pattern)
        for obj in outsider_objects(world, model, key):
            url = fill(route, obj.pk)
            statuses = []
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                statuses.append(response.status_code)
                if response.status_code == 405:
                    continue  # the route does not take this method, whatever the object: nothing leaks
                assert response.status_code == 404, f"{method.upper()} {url} as {key}/{role}: {response.status_code}"
                checked += 1
            assert 404 in statuses, (url, statuses)
    for page in QUERY_ID_PAGES:  # an outsider organisation's id in the query string: refused or ignored, unnamed
        for organisation in world.outsiders["organisation"]:
            response = client.get(page.format(pk=organisation.pk))
            assert response.status_code in (200, 302, 400, 403), (page, response.status_code)
            body = response.content.decode("utf-8", "replace")
            for secret in forbidden_names:
                assert secret not in body, f"{page.format(pk=organisation.pk)} shows {secret!r} to {key}/{role}"
            checked += 1
    assert checked >= 20


def test_technical_partner_sees_the_outsiders_pages(client):
    """Positive control: the same routes answer for someone who may see the objects."""
    world = build_world()
    sign_in(client, world.members[("tp", "admin")])
    for route, pattern, name in page_routes():
        if "<" not in route or name in TOKEN_ROUTES:
            continue
        model = route_model(pattern)
        if model._meta.model_name in INBOX_MODELS or name in INBOX_ROUTES:
            continue  # the running CSO's only, not even the technical partner (tests/channels)
        for obj in outsider_objects(world, model):
            response = client.get(fill(route, obj.pk))
            assert response.status_code in (200, 403, 405), (route, response.status_code)


# --- API, from the committed schema ---------------------------------------------------------


def api_operations() -> list[tuple[str, str]]:
    operations = []
    for path, item in SCHEMA["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((path, method))
    return operations


def api_model(path: str) -> Any:
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    view_class = getattr(match.func, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    return queryset.model if queryset is not None else None


def bearer(membership: Any) -> dict[str, str]:
    _token, secret = account_services.api_token_create(
        actor=membership, name="matrix", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_every_api_operation_with_an_id_is_covered():
    detail = [(p, m) for p, m in api_operations() if "{" in p]
    assert len(detail) >= 15
    missing = [p for p, _m in detail if api_model(p) is None]
    assert not missing, f"Operations the matrix cannot map to a model: {missing}"


@pytest.mark.parametrize(("key", "role"), MATRIX_MEMBERS, ids=[f"{k}-{r}" for k, r in MATRIX_MEMBERS])
def test_api_hides_other_organisations(key: str, role: str) -> None:
    world = build_world()
    client = Client()
    auth = bearer(world.members[(key, role)])
    forbidden_names = world.outsider_names()
    for path, method in api_operations():
        if "{" not in path:
            if method == "get":
                response = client.get(path, **auth)
                assert response.status_code in (200, 403), (path, response.status_code)
                body = response.content.decode("utf-8", "replace")
                for secret in forbidden_names:
                    assert secret not in body, f"{path} shows {secret!r} to {key}/{role}"
            continue
        model = api_model(path)
        if model._meta.model_name in REFERENCE_MODELS:
            continue  # reference data, the same for everyone
        for obj in outsider_objects(world, model, key):
            url = re.sub(r"\{[^}]+\}", str(obj.pk), path)
            response = getattr(client, method)(url, data={}, content_type="application/json", **auth)
            if response.status_code == 403 and model._meta.model_name == "auditevent":
                continue  # roles that may not read the audit log at all are refused before any lookup
            assert response.status_code == 404, f"{method.upper()} {url} as {key}/{role}: {response.status_code}"
            assert response.json()["error"]["code"] == "not_found"


def test_technical_partner_sees_the_outsiders_through_the_api(client):
    world = build_world()
    auth = bearer(world.members[("tp", "admin")])
    for path, method in api_operations():
        if method != "get" or "{" not in path:
            continue
        model = api_model(path)
        if model._meta.model_name in REFERENCE_MODELS:
            continue
        for obj in outsider_objects(world, model):
            if model._meta.model_name in ("apitoken", "notification", "caseexport", "quarterlyreport", *INBOX_MODELS):
                continue  # personal, or the running CSO's only: not even the technical partner reads them
            response = client.get(re.sub(r"\{[^}]+\}", str(obj.pk), path), **auth)
            assert response.status_code == 200, (path, response.status_code)
