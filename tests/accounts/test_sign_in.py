"""Sign-in: lockout, enumeration-safe messages, two-factor enforcement, sessions, audit."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from ilm.accounts.middleware import SESSION_SIGNED_IN_AT
from ilm.accounts.models import RecoveryCodeDevice, TOTPDevice
from ilm.accounts.services import recovery_codes_regenerate
from ilm.core.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, totp_device

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    MembershipFactory(user__username="amara", organisation=OrganisationFactory(kind="buyer"), role="viewer")
    wrong = post_login(client, "amara", "not the password")
    unknown = post_login(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert "The username or password is not right." in wrong.content.decode()
    assert "The username or password is not right." in unknown.content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 2


def test_five_failures_lock_the_account_even_from_another_address(client):
    MembershipFactory(user__username="amara", organisation=OrganisationFactory(kind="buyer"), role="viewer")
    for i in range(5):
        post_login(client, "amara", f"wrong {i}", ip=f"10.0.0.{i + 1}")
    locked = post_login(client, "amara", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_lockout_of_an_unknown_username_looks_the_same(client):
    for i in range(5):
        post_login(client, "ghost", f"wrong {i}", ip=f"10.1.0.{i + 1}")
    locked = post_login(client, "ghost", "whatever", ip="10.1.9.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()


def test_five_failures_from_one_address_lock_that_address(client):
    MembershipFactory(user__username="amara", organisation=OrganisationFactory(kind="buyer"), role="viewer")
    for i in range(5):
        post_login(client, f"someone{i}", "wrong", ip="10.2.0.1")
    blocked = post_login(client, "amara", PASSWORD, ip="10.2.0.1")
    assert blocked.status_code == 429
    allowed = post_login(Client(), "amara", PASSWORD, ip="10.2.0.2")
    assert allowed.status_code == 302


def test_buyer_viewer_signs_in_without_two_factor(client):
    MembershipFactory(user__username="amara", organisation=OrganisationFactory(kind="buyer"), role="viewer")
    response = post_login(client, "amara", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.signed_in").exists()


def test_cso_member_without_device_must_set_up_two_factor(client):
    MembershipFactory(user__username="ko", organisation=OrganisationFactory(kind="cso"), role="caseworker")
    response = post_login(client, "ko", PASSWORD)
    assert response["Location"] == "/accounts/two-factor/setup/"
    # Every page leads back to the set-up until it is done; the API refuses the session.
    assert client.get("/network/sites/")["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/api/v1/sites/").status_code in (401, 403)
    assert client.get("/accounts/two-factor/setup/").status_code == 200
    device = TOTPDevice.objects.get(user__username="ko", confirmed=False)
    done = client.post("/accounts/two-factor/setup/", {"token": device.current_token()})
    assert done["Location"] == "/accounts/two-factor/recovery-codes/"
    codes_page = client.get(done["Location"]).content.decode()
    assert codes_page.count("<li>") >= 10
    assert client.get("/network/sites/").status_code == 200


def test_admin_with_device_proves_a_code_before_any_page(client):
    membership = MembershipFactory(
        user__username="admin1", organisation=OrganisationFactory(kind="supplier"), role="admin"
    )
    device = totp_device(membership.user)
    response = post_login(client, "admin1", PASSWORD)
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session  # not signed in until the code is right
    wrong = client.post("/accounts/login/verify/", {"token": "000000"})
    assert "That code is not right." in wrong.content.decode()
    throttled = client.post("/accounts/login/verify/", {"token": device.current_token()})
    assert "Too many wrong codes" in throttled.content.decode()  # django-otp throttles after a failure
    time.sleep(1.1)
    right = client.post("/accounts/login/verify/", {"token": device.current_token()})
    assert right.status_code == 302 and client.get("/").status_code == 200


def test_a_code_works_only_once(client):
    membership = MembershipFactory(user__username="admin1", organisation=OrganisationFactory(kind="cso"), role="admin")
    device = totp_device(membership.user)
    code = device.current_token()
    post_login(client, "admin1", PASSWORD)
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 302
    other = Client()
    post_login(other, "admin1", PASSWORD)
    replay = other.post("/accounts/login/verify/", {"token": code})
    assert replay.status_code == 200 and "That code is not right." in replay.content.decode()


def test_recovery_code_signs_in_once(client):
    membership = MembershipFactory(user__username="admin1", organisation=OrganisationFactory(kind="cso"), role="admin")
    totp_device(membership.user)
    codes = recovery_codes_regenerate(user=membership.user)
    post_login(client, "admin1", PASSWORD)
    assert client.post("/accounts/login/verify/", {"token": codes[0].upper()}).status_code == 302
    assert RecoveryCodeDevice.objects.get(user=membership.user).remaining == 9
    again = Client()
    post_login(again, "admin1", PASSWORD)
    assert again.post("/accounts/login/verify/", {"token": codes[0]}).status_code == 200


def test_session_ends_twelve_hours_after_sign_in_however_active(client):
    membership = MembershipFactory(organisation=OrganisationFactory(kind="buyer"), role="viewer")
    sign_in(client, membership)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_idle_timeout_is_one_hour_and_refreshed_by_activity(settings):
    assert settings.SESSION_COOKIE_AGE == 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_sign_in_rotates_the_session_key(client):
    MembershipFactory(user__username="amara", organisation=OrganisationFactory(kind="buyer"), role="viewer")
    client.get("/accounts/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    post_login(client, "amara", PASSWORD)
    assert client.session.session_key != before


def test_sign_out_is_post_only_and_recorded(client):
    membership = MembershipFactory(organisation=OrganisationFactory(kind="buyer"), role="viewer")
    sign_in(client, membership)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="auth.signed_out").exists()


@override_settings(LANGUAGE_CODE="en")
def test_sign_in_page_is_rate_limited_per_address(client):
    for _ in range(30):
        client.post("/accounts/login/", {"username": "", "password": ""}, REMOTE_ADDR="10.3.0.1")
    response = client.post("/accounts/login/", {"username": "", "password": ""}, REMOTE_ADDR="10.3.0.1")
    assert response.status_code == 429


def test_admin_site_is_for_technical_partner_admins_with_two_factor(client):
    tp = OrganisationFactory(kind="technical_partner")
    admin = MembershipFactory(organisation=tp, role="admin", user__is_staff=True)
    sign_in(client, admin)
    assert client.get("/admin/").status_code == 200
    other = Client()
    sign_in(
        other, MembershipFactory(organisation=OrganisationFactory(kind="supplier"), role="admin", user__is_staff=True)
    )
    assert other.get("/admin/").status_code == 302
    unverified = Client()
    sign_in(unverified, admin, verified=False)
    assert unverified.get("/admin/").status_code == 302


def test_unverified_session_cannot_reach_tokens_or_members(client):
    member = MembershipFactory(organisation=OrganisationFactory(kind="cso"), role="caseworker")
    sign_in(client, member, verified=False)
    for url in ("/accounts/tokens/", "/accounts/members/", "/accounts/profile/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"], url
    assert client.post("/accounts/tokens/", {"name": "x", "expires_on": "2027-01-01"}).status_code == 302
    from ilm.accounts.models import ApiToken

    assert not ApiToken.objects.exists()


def test_a_user_without_any_membership_gets_a_welcome_page_not_an_error(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_SIGNED_IN_AT] = time.time()
    session.save()
    assert client.get("/").status_code == 200
    assert client.get("/network/sites/").status_code == 403
    assert client.get("/accounts/tokens/").status_code == 403
    assert client.get("/api/v1/sites/").status_code == 403
