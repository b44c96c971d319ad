"""The public job pages are cached for anonymous readers (ilm/jobs/public_cache.py): a second reader costs no
query, any change to a vacancy shows at once, and signed-in readers are never served from the cache."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ilm.jobs import services
from tests.conftest import sign_in
from tests.jobs.helpers import market, post

pytestmark = pytest.mark.django_db


def test_a_second_anonymous_reader_is_served_from_the_cache_per_language_and_address(client: Client):
    m = market()
    vacancy = post(m.members["agency"], position="Shrimp peeler")
    first = client.get("/jobs/?lang=my")
    with CaptureQueriesContext(connection) as again:
        second = Client().get("/jobs/?lang=my")
    assert second.status_code == 200 and second.content == first.content
    assert len(again) == 0
    with CaptureQueriesContext(connection) as other:
        Client().get("/jobs/?lang=th")  # another language, another page
    assert len(other) > 0
    client.get(f"/jobs/{vacancy.pk}/")
    with CaptureQueriesContext(connection) as detail:
        assert Client().get(f"/jobs/{vacancy.pk}/").status_code == 200
    assert len(detail) == 0


def test_a_closed_or_edited_vacancy_leaves_the_cached_board_at_once(client: Client):
    m = market()
    vacancy = post(m.members["agency"], position="Net mender")
    assert "Net mender" in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{vacancy.pk}/").status_code == 200
    services.vacancy_close(actor=m.members["agency"], vacancy=vacancy)
    assert "Net mender" not in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{vacancy.pk}/").status_code == 404
    fresh = post(m.members["agency"], position="Line cook")
    assert "Line cook" in client.get("/jobs/").content.decode()
    services.translation_save(actor=m.members["agency"], vacancy=fresh, language="my", texts={"position": "စားဖိုမှူး"})
    assert "စားဖိုမှူး" in client.get("/jobs/?lang=my").content.decode()


def test_signed_in_readers_are_never_served_from_or_written_to_the_cache():
    m = market()
    draft = post(m.members["agency"], publish=False, position="Owner preview job")
    owner = sign_in(Client(), m.members["agency"])
    assert "Owner preview job" in owner.get(f"/jobs/{draft.pk}/").content.decode()
    assert Client().get(f"/jobs/{draft.pk}/").status_code == 404  # the owner's preview was not cached
    anonymous = Client()
    anonymous.get("/jobs/")
    with CaptureQueriesContext(connection) as signed_in:
        owner.get("/jobs/")
    assert len(signed_in) > 0
