"""API v1 behaviour: tokens, one error format, pagination, filters, strict writes, conflicts, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.accounts.models import ApiToken
from ilm.network.models import Link, Site
from tests.factories import LinkFactory, MembershipFactory, OrganisationFactory, SiteFactory
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def token_for(membership, days: int = 30) -> str:
    _token, secret = account_services.api_token_create(
        actor=membership, name="test", expires_at=timezone.now() + datetime.timedelta(days=days)
    )
    return secret


def api(client: Client, method: str, path: str, secret: str, data=None, **extra):
    return getattr(client, method)(
        path, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra
    )


def test_token_authenticates_acts_for_its_membership_and_records_use(client):
    world = build_world()
    membership = world.members[("buyer", "admin")]
    secret = token_for(membership)
    response = api(client, "get", "/api/v1/me/", secret)
    assert response.status_code == 200
    assert response.json()["membership"]["organisation"] == membership.organisation_id
    assert ApiToken.objects.get(membership=membership).last_used_at is not None
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_revoked_expired_and_malformed_tokens_are_refused(client):
    membership = MembershipFactory(organisation=OrganisationFactory(kind="buyer"), role="viewer")
    revoked = token_for(membership)
    account_services.api_token_revoke(actor=membership, token=ApiToken.objects.get(membership=membership))
    expired = token_for(membership)
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for secret in (revoked, expired, "ilm_nothing_here", "garbage", revoked[:-2] + "xx"):
        response = api(client, "get", "/api/v1/sites/", secret)
        assert response.status_code == 401, secret
        assert response.json()["error"]["code"] == "authentication_failed"
    assert client.get("/api/v1/sites/").status_code == 401


def test_token_of_a_revoked_membership_stops_working(client):
    world = build_world()
    member = world.members[("supplier", "viewer")]
    secret = token_for(member)
    assert api(client, "get", "/api/v1/sites/", secret).status_code == 200
    account_services.membership_revoke(actor=world.members[("supplier", "admin")], membership=member)
    assert api(client, "get", "/api/v1/sites/", secret).status_code == 401


def test_token_lifetime_is_limited_and_secret_shown_once(client):
    from tests.conftest import sign_in

    world = build_world()
    member = world.members[("buyer", "viewer")]
    sign_in(client, member)  # tokens are made from a session that passed two-factor sign-in
    too_long = client.post(
        "/api/v1/tokens/",
        {"name": "x", "expires_at": (timezone.now() + datetime.timedelta(days=400)).isoformat()},
        content_type="application/json",
    )
    assert too_long.status_code == 400
    assert "expires_at" in too_long.json()["error"]["fields"]
    year_zero = client.post(
        "/api/v1/tokens/", {"name": "x", "expires_at": "0001-01-01T00:00:00"}, content_type="application/json"
    )
    assert year_zero.status_code == 400
    created = client.post("/api/v1/tokens/", {"name": "script"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["token"].startswith("ilm_")
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("token" not in row for row in listed)
    assert ApiToken.objects.get(pk=created.json()["id"]).digest != created.json()["token"]


def test_a_token_cannot_mint_tokens(client):
    world = build_world()
    secret = token_for(world.members[("buyer", "viewer")])
    before = ApiToken.objects.count()
    response = api(client, "post", "/api/v1/tokens/", secret, {"name": "child"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == before


def test_validation_errors_use_one_format_and_save_nothing(client):
    world = build_world()
    secret = token_for(world.members[("supplier", "admin")])
    before = Site.objects.count()
    response = api(
        client,
        "post",
        "/api/v1/sites/",
        secret,
        {"supplier": world.orgs["supplier"].pk, "name": "", "site_type": "spaceship", "country": "XX"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["status"] == 400
    assert set(error["fields"]) == {"name", "site_type", "country"}
    assert Site.objects.count() == before


def test_messages_come_in_the_callers_language(client):
    world = build_world()
    secret = token_for(world.members[("supplier", "admin")])
    from django.utils import translation

    with translation.override("th"):
        expected = translation.gettext("This field is required.")
    response = api(client, "post", "/api/v1/sites/", secret, {}, HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 400
    assert expected in response.json()["error"]["fields"]["name"]


def test_forbidden_action_on_a_visible_object_is_403(client):
    world = build_world()
    viewer = token_for(world.members[("supplier", "viewer")])
    site = world.sites["supplier"]
    response = api(client, "patch", f"/api/v1/sites/{site.pk}/", viewer, {"name": "Renamed"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Site.objects.get(pk=site.pk).name == site.name


def test_stale_version_answers_409_and_changes_nothing(client):
    world = build_world()
    secret = token_for(world.members[("supplier", "admin")])
    site = world.sites["supplier"]
    first = api(client, "patch", f"/api/v1/sites/{site.pk}/", secret, {"name": "Plant A", "version": site.version})
    assert first.status_code == 200 and first.json()["version"] == site.version + 1
    stale = api(client, "patch", f"/api/v1/sites/{site.pk}/", secret, {"name": "Plant B", "version": site.version})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert Site.objects.get(pk=site.pk).name == "Plant A"


def test_cursor_pagination_and_filters(client):
    world = build_world()
    supplier = world.orgs["supplier"]
    for i in range(60):
        SiteFactory(supplier=supplier, name=f"Plant {i:02d}")
    secret = token_for(world.members[("supplier", "admin")])
    first = api(client, "get", "/api/v1/sites/", secret).json()
    assert len(first["results"]) == 50 and first["next"]
    second = client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(ids) == len(set(ids)) == 61
    filtered = api(client, "get", "/api/v1/sites/?q=Plant 0", secret).json()["results"]
    assert {r["name"] for r in filtered} == {f"Plant 0{i}" for i in range(10)}


def test_list_query_counts_do_not_grow_with_rows(client):
    world = build_world()
    buyer = world.members[("buyer", "admin")]
    secret = token_for(buyer)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(client, "get", path, secret).status_code == 200
        return len(ctx)

    count("/api/v1/me/")  # the first request of a token also records its last use
    small = {path: count(path) for path in ("/api/v1/sites/", "/api/v1/organisations/", "/api/v1/links/")}
    for i in range(15):
        supplier = OrganisationFactory(kind="supplier", countries=["TH"])
        LinkFactory(kind="supply", customer=world.orgs["buyer"], provider=supplier)
        for j in range(3):
            SiteFactory(supplier=supplier, name=f"S{i}-{j}")
    large = {path: count(path) for path in small}
    assert large == small


def test_page_query_counts_do_not_grow_with_rows(client):
    from tests.conftest import sign_in

    world = build_world()
    sign_in(client, world.members[("buyer", "admin")])

    def count(path: str) -> int:
        client.get(path)  # warm: the visibility scope is cached between requests until the network changes
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    paths = ("/network/sites/", "/network/organisations/", "/network/links/")
    for path in paths:
        count(path)  # warm the per-language country list, which is read once per process
    small = {path: count(path) for path in paths}
    for i in range(12):
        supplier = OrganisationFactory(kind="supplier", countries=["TH"])
        LinkFactory(kind="supply", customer=world.orgs["buyer"], provider=supplier)
        SiteFactory(supplier=supplier, name=f"S{i}")
    assert {path: count(path) for path in paths} == small


def test_links_are_proposed_then_confirmed_by_the_other_side(client):
    world = build_world()
    supplier_admin = token_for(world.members[("supplier", "admin")])
    other_buyer = OrganisationFactory(kind="buyer", name="New Buyer Co")
    buyer_member = MembershipFactory(organisation=other_buyer, role="admin")
    proposal = api(
        client,
        "post",
        "/api/v1/links/",
        supplier_admin,
        {
            "kind": "supply",
            "provider": world.orgs["supplier"].pk,
            "counterpart_reference": other_buyer.reference,
            "tier": 1,
        },
    )
    assert proposal.status_code == 201, proposal.json()
    assert proposal.json()["status"] == "proposed"
    buyer_secret = token_for(buyer_member)
    # The buyer sees the proposal but not yet the supplier's sites.
    assert api(client, "get", "/api/v1/sites/", buyer_secret).json()["results"] == []
    own = api(client, "post", f"/api/v1/links/{proposal.json()['id']}/confirm/", supplier_admin)
    assert own.status_code == 403  # the proposer cannot confirm its own proposal
    confirmed = api(client, "post", f"/api/v1/links/{proposal.json()['id']}/confirm/", buyer_secret)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    names = {row["name"] for row in api(client, "get", "/api/v1/sites/", buyer_secret).json()["results"]}
    assert world.sites["supplier"].name in names and world.sites["upstream"].name in names


def test_unknown_reference_and_invisible_ids_are_refused_alike(client):
    world = build_world()
    secret = token_for(world.members[("supplier", "admin")])
    outsider = world.outsiders["organisation"][1]
    by_id = api(
        client,
        "post",
        "/api/v1/links/",
        secret,
        {"kind": "supply", "customer": outsider.pk, "provider": world.orgs["supplier"].pk, "tier": 1},
    )
    assert by_id.status_code == 400 and "customer" in by_id.json()["error"]["fields"]
    by_ref = api(
        client,
        "post",
        "/api/v1/links/",
        secret,
        {"kind": "supply", "provider": world.orgs["supplier"].pk, "counterpart_reference": "ILM-NOPE-NOPE", "tier": 1},
    )
    assert by_ref.status_code == 400
    assert Link.objects.filter(customer=outsider, provider=world.orgs["supplier"]).count() == 0


def test_site_lists_show_the_latest_headcount_total(client):
    from ilm.network.models import HeadcountSnapshot
    from tests.conftest import sign_in
    from tests.factories import country

    world = build_world()
    site = world.sites["supplier"]  # has 120 on 2026-01-31
    for gender, count in (("female", 300), ("male", 150)):
        HeadcountSnapshot.objects.create(
            site=site, as_of=datetime.date(2026, 6, 30), gender=gender, nationality=country("MM"), count=count
        )
    HeadcountSnapshot.objects.create(
        site=world.sites["upstream"], as_of=datetime.date(2025, 1, 1), gender="male", nationality=country("KH"), count=9
    )
    secret = token_for(world.members[("buyer", "admin")])
    rows = {r["name"]: r for r in api(client, "get", "/api/v1/sites/", secret).json()["results"]}
    assert rows["Home supplier plant"]["headcount_total"] == 450
    assert rows["Home supplier plant"]["headcount_as_of"] == "2026-06-30"
    assert rows["Home upstream vessel"]["headcount_total"] == 9
    detail = api(client, "get", f"/api/v1/sites/{site.pk}/", secret).json()
    assert detail["headcount_total"] == 450
    sign_in(client, world.members[("buyer", "admin")])
    page = client.get("/network/sites/").content.decode()
    assert ">450 <" in page


def test_every_endpoint_is_rate_limited_per_user(client, settings):
    world = build_world()
    secret = token_for(world.members[("buyer", "viewer")])
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"default": "3/minute", "tokens": "2/hour"},
    }
    statuses = [api(client, "get", "/api/v1/sites/", secret).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api(client, "get", "/api/v1/organisations/", secret)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"
