"""Account security: enrolment cannot be hijacked, secrets never sit in the task queue, revocations stick."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from ilm.accounts import services
from ilm.accounts.models import ApiToken, Invitation, TOTPDevice
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, totp_device
from tests.worlds import build_world

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def setup_secret(client: Client) -> str:
    client.get("/accounts/two-factor/setup/")
    return TOTPDevice.objects.get(pk=client.session["ilm_pending_totp_device"]).key


def test_each_session_enrols_its_own_secret():
    member = MembershipFactory(user__username="ko", organisation=OrganisationFactory(kind="cso"), role="caseworker")
    first, second = Client(), Client()
    for client in (first, second):
        client.post("/accounts/login/", {"username": "ko", "password": PASSWORD})
    assert setup_secret(first) != setup_secret(second)
    device = TOTPDevice.objects.get(pk=first.session["ilm_pending_totp_device"])
    assert first.post("/accounts/two-factor/setup/", {"token": device.current_token()}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=member.user).values_list("pk", flat=True)) == [device.pk]
    # The other session ended when the authenticator was confirmed.
    assert second.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_an_unverified_session_cannot_replace_an_existing_authenticator():
    member = MembershipFactory(organisation=OrganisationFactory(kind="buyer"), role="admin")
    original = totp_device(member.user)
    client = sign_in(Client(), member, verified=False)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/verify/")
    assert TOTPDevice.objects.filter(user=member.user).get() == original
    assert client.post("/accounts/two-factor/recovery-codes/").status_code == 403  # no new codes unverified


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}})
@pytest.mark.django_db(transaction=True)
def test_the_task_queue_never_holds_an_invitation_or_reset_secret():
    from django_tasks_db.models import DBTaskResult

    world = build_world()
    member = world.members[("supplier", "admin")]
    member.user.email = "admin@supplier.example"
    member.user.save()
    services.invitation_create(
        actor=member,
        organisation=world.orgs["supplier"],
        email="new@example.org",
        role="viewer",
        base_url="https://ilm.example",
    )
    Client().post("/accounts/password-reset/", {"email": "admin@supplier.example"})
    stored = " ".join(str(row.args_kwargs) for row in DBTaskResult.objects.all())
    assert DBTaskResult.objects.count() == 2 and "invitation/" not in stored and "reset" not in stored
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    invitation_mail = next(m for m in mail.outbox if m.to == ["new@example.org"])
    token = invitation_mail.body.split("/accounts/invitation/")[1].split("/")[0]
    from ilm.accounts.selectors import dangerously_invitation_for_token

    assert dangerously_invitation_for_token(token) is not None
    reset_mail = next(m for m in mail.outbox if m.to == ["admin@supplier.example"])
    assert "/accounts/password-reset/" in reset_mail.body


def test_revoking_an_admin_withdraws_the_invitations_they_sent():
    world = build_world()
    leaving = MembershipFactory(organisation=world.orgs["supplier"], role="admin")
    invitation = services.invitation_create(
        actor=leaving,
        organisation=world.orgs["supplier"],
        email="me@private.example",
        role="admin",
        base_url="https://x",
    )
    services.membership_revoke(actor=world.members[("supplier", "admin")], membership=leaving)
    assert not Invitation.objects.get(pk=invitation.pk).is_open


def test_a_deactivated_organisation_loses_access_at_once(client):
    world = build_world()
    viewer = world.members[("supplier", "viewer")]
    _token, secret = services.api_token_create(
        actor=viewer, name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    sign_in(client, viewer)
    from ilm.network import services as network_services

    network_services.organisation_update(
        actor=world.members[("tp", "admin")], organisation=world.orgs["supplier"], is_active=False
    )
    assert Client().get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    page = client.get("/network/sites/")
    assert page.status_code in (302, 403) or "Welcome" in page.content.decode()


def test_password_change_ends_other_sessions_and_revokes_tokens():
    member = MembershipFactory(organisation=OrganisationFactory(kind="buyer"), role="viewer")
    services.api_token_create(actor=member, name="t", expires_at=timezone.now() + datetime.timedelta(days=1))
    here, elsewhere = sign_in(Client(), member), sign_in(Client(), member)
    response = here.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase 9",
            "new_password2": "a brand new passphrase 9",
        },
    )
    assert response.status_code == 302
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/")["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.usable().filter(membership=member).exists()


@pytest.mark.parametrize("code", ["²²²²²²", "١٢٣٤٥٦", "12 34 56", "x" * 40])
def test_odd_codes_are_simply_wrong(client, code):
    member = MembershipFactory(user__username="admin1", organisation=OrganisationFactory(kind="cso"), role="admin")
    totp_device(member.user)
    client.post("/accounts/login/", {"username": "admin1", "password": PASSWORD})
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 200


def test_odd_input_on_the_api_is_a_400_or_401_not_a_500(client):
    world = build_world()
    member = world.members[("tp", "admin")]
    _token, secret = services.api_token_create(
        actor=member, name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/audit-events/?since=9999-12-31T23:59:59-23:00", **auth).status_code == 400
    assert client.get("/api/v1/audit-events/?until=0001-01-01T00:00:00%2B14:00", **auth).status_code == 400
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION="Bearer ilm_abc_\u00e9\u00e9").status_code == 401
    sign_in(client, member)
    assert client.post("/accounts/switch/", {"membership": "²"}).status_code == 302
    cells = [{"gender": "male", "nationality": "MM", "count": 1}] * 41
    response = client.post(
        "/api/v1/headcounts/",
        {"site": world.sites["supplier"].pk, "as_of": "2026-01-01", "cells": cells},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_id_filters_do_not_tell_other_organisations_ids_from_missing_ones(client):
    world = build_world()
    _token, secret = services.api_token_create(
        actor=world.members[("supplier", "admin")], name="t", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    outsider = world.outsiders["organisation"][1]
    for path in ("/api/v1/links/?customer=", "/api/v1/sites/?supplier=", "/api/v1/memberships/?organisation="):
        theirs = client.get(f"{path}{outsider.pk}", **auth)
        missing = client.get(f"{path}987654", **auth)
        assert theirs.status_code == missing.status_code == 200
        assert theirs.json()["results"] == missing.json()["results"] == []


def test_encrypted_fields_cannot_be_compared_with_a_value():
    from django.core.exceptions import FieldError

    from tests.identityapp.models import Person

    assert list(Person.objects.filter(name="")) == []
    with pytest.raises(FieldError):
        list(Person.objects.filter(name="Aung"))


def test_new_site_page_is_refused_to_roles_that_cannot_add_sites(client):
    world = build_world()
    for key, role, status in (
        ("buyer", "admin", 403),
        ("supplier", "viewer", 403),
        ("supplier", "responder", 200),
        ("tp", "case_manager", 200),
    ):
        sign_in(client, world.members[(key, role)])
        assert client.get("/network/sites/new/").status_code == status, (key, role)


def test_language_choice_is_saved_on_the_account(client):
    world = build_world()
    member = world.members[("buyer", "viewer")]
    sign_in(client, member)
    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    member.user.refresh_from_db()
    assert member.user.preferred_language == "km"
    assert 'lang="km"' in client.get("/").content.decode()
