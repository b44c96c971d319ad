"""Scenario 1: two-factor sign-in, first-time authenticator set-up, invitations, signing out."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from ilm.accounts import services as account_services
from ilm.accounts.models import Membership, RecoveryCodeDevice, TOTPDevice, User
from ilm.accounts.services import RECOVERY_CODE_COUNT
from ilm.network.models import Organisation
from tests.e2e.conftest import code_for_key

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Tamarind-river-2026!"


def test_cso_caseworker_signs_in_with_totp_and_signs_out(ui, demo):
    caseworker = demo["th-voice-caseworker"]
    assert caseworker["totp_secret"], "the demo gives CSO caseworkers an authenticator"
    me = ui.person("caseworker")

    me.goto("/network/organisations/", expect_status=None)
    assert me.path().startswith("/accounts/login/"), "an anonymous visitor is sent to the sign-in page"

    me.sign_in(caseworker, shots="signin-totp")  # password page -> code page -> home
    main = me.main()
    assert main.locator("h1").inner_text() == "Migrant Worker Voice Thailand"
    assert "Caseworker" in main.inner_text()

    # Verified: pages behind the two-factor rule open, the CSO sees its own channels only.
    me.menu_link(name="Channels").click()
    me.page.wait_for_url("**/network/channels/")
    channels = main.locator("table tbody tr")
    assert channels.count() == 4
    assert "Hotline 1300" in main.inner_text()
    assert "Viber Yangon" not in main.inner_text(), "another CSO's channel is visible"
    me.snap("channels-cso")

    me.goto("/accounts/profile/")
    assert "On" in main.locator("section", has_text="Two-factor sign-in").inner_text()
    me.snap("profile")

    # The sign-out button in the navigation.
    me.submit(
        me.page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out"),
        expect_path="/accounts/login/",
    )
    assert "You are signed out." in me.page.locator(".messages").inner_text()
    me.snap("signed-out")
    me.goto("/", expect_status=None)
    assert me.path().startswith("/accounts/login/"), "after signing out, home needs sign-in again"
    ui.assert_clean()


def test_wrong_code_is_refused(ui, demo):
    caseworker = demo["th-voice-caseworker"]
    me = ui.person("caseworker")
    me.goto("/accounts/login/")
    me.main().locator("#id_username").fill(caseworker["username"])
    me.main().locator("#id_password").fill(caseworker["password"])
    me.submit(me.main().locator("form button[type=submit]"), expect_path="/accounts/login/verify/")
    me.main().locator("#id_token").fill("000000" if caseworker["totp_secret"] else "")
    me.submit(me.main().locator("form button[type=submit]"), expect_path="/accounts/login/verify/")
    assert "That code is not right." in me.main().inner_text()
    me.snap("signin-wrong-code")
    me.goto("/", expect_status=None)
    assert me.path().startswith("/accounts/login/"), "a wrong code must not sign anyone in"
    ui.assert_clean()


def _cso_user_without_device(username: str) -> User:
    org = Organisation.objects.get(name="Migrant Worker Voice Thailand")
    user = User.objects.create_user(username=username, email=f"{username}@example.org", password=NEW_PASSWORD)
    account_services.membership_create(actor=None, user=user, organisation=org, role="caseworker")
    assert not TOTPDevice.objects.filter(user=user).exists()
    return user


def _finish_setup(ui, me, user: User, shots: str) -> None:
    """On the set-up page: 'scan' nothing, type the code of the device's key, see the recovery codes."""
    assert me.path() == "/accounts/two-factor/setup/", f"expected the set-up page, at {me.path()}"
    main = me.main()
    assert main.locator(".qr img").is_visible()
    ui.check(
        main.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0"),
        "the QR code on the two-factor set-up page is a broken image (nothing to scan)",
    )
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown_key = main.locator(".secret").inner_text().replace(" ", "")
    assert shown_key == device.secret_base32, "the key on the page is not the pending device's key"
    me.snap(f"{shots}-setup")
    main.locator("#id_token").fill(code_for_key(device.bin_key))
    me.submit(main.locator("form button[type=submit]"), expect_path="/accounts/two-factor/recovery-codes/")
    codes = main.locator("ul.codes li")
    assert codes.count() == RECOVERY_CODE_COUNT
    assert all(re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", c) for c in codes.all_inner_texts())
    me.snap(f"{shots}-recovery-codes")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert RecoveryCodeDevice.objects.filter(user=user).exists()
    me.submit(main.get_by_role("link", name="I have saved them"), expect_path="/")
    assert main.locator("h1").inner_text() == "Migrant Worker Voice Thailand"
    me.snap(f"{shots}-home")


def test_cso_member_without_authenticator_is_sent_to_setup(ui, demo):
    user = _cso_user_without_device("new-caseworker")
    me = ui.person("new caseworker")
    me.goto("/accounts/login/")
    me.main().locator("#id_username").fill(user.username)
    me.main().locator("#id_password").fill(NEW_PASSWORD)
    me.submit(me.main().locator("form button[type=submit]"), expect_path="/accounts/two-factor/setup/")
    assert me.main().locator(".notice").is_visible(), "the page says two-factor is required"

    # Until the authenticator is confirmed, no page of the network opens.
    me.goto("/network/sites/", expect_status=None)
    assert me.path() == "/accounts/two-factor/setup/", f"an unverified CSO member reached {me.path()}"
    _finish_setup(ui, me, user, "setup-after-password")
    ui.assert_clean()


def test_invited_caseworker_accepts_and_sets_up_two_factor(ui, demo, live_server):
    admin = Membership.objects.active().get(user__username="th-voice-admin")
    invitation = account_services.invitation_create(
        actor=admin,
        organisation=admin.organisation,
        email="mya.new@example.org",
        role="caseworker",
        base_url=live_server.url,
    )
    assert len(mail.outbox) == 1, "the invitation e-mail was not sent (immediate task backend)"
    message = mail.outbox[0]
    assert message.to == ["mya.new@example.org"]
    link = re.search(r"https?://\S+/accounts/invitation/[\w-]+/", message.body)
    assert link, f"no invitation link in the e-mail:\n{message.body}"

    me = ui.person("invitee")
    me.goto(link.group(0))
    main = me.main()
    assert "Join Migrant Worker Voice Thailand" in main.locator("h1").inner_text()
    me.snap("invitation-accept")
    main.locator("#id_username").fill("mya.new")
    main.locator("#id_first_name").fill("Mya")
    main.locator("#id_last_name").fill("New")
    main.locator("#id_password1").fill(NEW_PASSWORD)
    main.locator("#id_password2").fill(NEW_PASSWORD)
    me.submit(main.locator("form button[type=submit]"))
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    user = User.objects.get(username="mya.new")
    assert Membership.objects.active().filter(user=user, organisation=admin.organisation, role="caseworker").exists()
    # The new member may see worker identity, so the first page is the authenticator set-up.
    _finish_setup(ui, me, user, "setup-after-invitation")

    # The link works once.
    other = ui.person("someone else")
    other.goto(link.group(0), expect_status=404)
    assert "Invitation not valid" in other.main().inner_text()
    other.snap("invitation-used")
    ui.assert_clean()
