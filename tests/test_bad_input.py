"""Bad input on forms: 4xx, a clear message in the user's language, nothing partly saved."""

from __future__ import annotations

import pytest
from django.utils import translation

from ilm.accounts.models import Invitation
from ilm.network.models import HeadcountSnapshot, Organisation, Site
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.mark.parametrize("language", ["en", "th", "my", "km", "ne"])
def test_site_form_errors_are_translated_and_nothing_is_saved(client, language):
    world = build_world()
    member = world.members[("supplier", "admin")]
    member.user.preferred_language = language
    member.user.save()
    sign_in(client, member)
    before = Site.objects.count()
    response = client.post(
        "/network/sites/new/",
        {"supplier": world.orgs["supplier"].pk, "name": "", "site_type": "spaceship", "country": "ZZ"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert in_language(language, "This field is required.") in page
    assert Site.objects.count() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/network/organisations/new/", {"name": "", "kind": "martian"}),
        ("/network/links/new/", {"kind": "supply"}),
        ("/accounts/members/", {"email": "not-an-email", "role": "emperor"}),
        ("/accounts/tokens/", {"name": "", "expires_on": "31/31/2026"}),
        ("/accounts/profile/", {"language": "xx"}),
    ],
)
def test_every_form_refuses_garbage_with_400(client, url, data):
    world = build_world()
    sign_in(client, world.members[("tp", "admin")])
    before = (Organisation.objects.count(), Invitation.objects.count())
    response = client.post(url, data)
    assert response.status_code == 400, (url, response.status_code)
    assert (Organisation.objects.count(), Invitation.objects.count()) == before


def test_headcount_form_with_a_negative_count_saves_nothing(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    site = world.sites["supplier"]
    before = HeadcountSnapshot.objects.count()
    response = client.post(
        f"/network/sites/{site.pk}/headcount/",
        {
            "as_of": "2026-02-28",
            "cells-TOTAL_FORMS": "2",
            "cells-INITIAL_FORMS": "0",
            "cells-0-gender": "female",
            "cells-0-nationality": "MM",
            "cells-0-count": "5",
            "cells-1-gender": "male",
            "cells-1-nationality": "MM",
            "cells-1-count": "-5",
        },
    )
    assert response.status_code == 400
    assert HeadcountSnapshot.objects.count() == before


def test_stale_edit_shows_a_clear_message_and_keeps_the_other_change(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    site = world.sites["supplier"]
    data = {
        "name": "First edit",
        "site_type": "factory",
        "country": "TH",
        "province": "",
        "address": "",
        "version": site.version,
    }
    assert client.post(f"/network/sites/{site.pk}/edit/", data).status_code == 302
    stale = client.post(f"/network/sites/{site.pk}/edit/", data | {"name": "Second edit"})
    assert stale.status_code == 409
    assert "Someone else changed this" in stale.content.decode()
    assert Site.objects.get(pk=site.pk).name == "First edit"


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/plan-rows/?plan=9.223372036854776e%2B18",
        "/api/v1/plan-rows/?plan=99999999999999999999999",
        "/api/v1/sites/?supplier=1.5",
        "/api/v1/cases/?business=-1",
        "/api/v1/conversations/?channel=1e400",
    ],
)
def test_id_filters_refuse_numbers_no_database_holds(client, query):
    """Found by schemathesis: a float past 64 bits reached SQLite as an overflow (500)."""
    world = build_world()
    sign_in(client, world.members[("cso", "admin")])
    response = client.get(query)
    assert response.status_code == 400, (query, response.status_code)


DATE_QUERIES = [
    ("/indicators/impact/", "date_from"),
    ("/indicators/impact/", "date_to"),
    ("/indicators/reach/", "date_from"),
    ("/indicators/reach/", "date_to"),
    ("/dashboard/", "date_from"),
    ("/dashboard/", "date_to"),
    ("/api/v1/impact/", "date_from"),
    ("/api/v1/impact/", "date_to"),
    ("/api/v1/reach/", "date_from"),
    ("/api/v1/reach/", "date_to"),
    ("/api/v1/job-reach/", "date_from"),
    ("/api/v1/job-reach/", "date_to"),
    ("/api/v1/dashboard-tables/", "date_from"),
    ("/api/v1/dashboard-tables/", "date_to"),
]


@pytest.mark.django_db
def test_periods_at_the_ends_of_the_calendar_are_a_clear_error_not_a_server_error():
    """A period's arithmetic (the next midnight, the months between) overflows at year 1 or 9999: such days are
    refused with the same translated message on every page and API that takes a period."""
    from django.test import Client

    world = build_world()
    client = sign_in(Client(raise_request_exception=False), world.members[("tp", "admin")])
    for path, name in DATE_QUERIES:
        for day in ("0001-01-01", "9999-12-31"):
            response = client.get(path, {name: day})
            assert response.status_code == 400, (path, name, day, response.status_code)
            assert "Give a date between the years 1900 and 9000." in response.content.decode(), (path, name, day)
        assert client.get(path, {name: "2026-01-01"}).status_code == 200, (path, name)
