"""The public link: no sign-in, the worker's language, anonymity (no identity stored, no cookie beyond CSRF,
no session, no audit event with an address), closed surveys refuse, rate limit, unguessable token."""

from __future__ import annotations

import pytest
from django.test import Client

from ilm.core.models import AuditEvent
from ilm.surveys import services
from ilm.surveys.models import Answer, Response
from tests.surveys.conftest import full_answers, independent
from tests.worlds import World

pytestmark = pytest.mark.django_db

BURMESE_WAGES = "သင့်လုပ်ခကို အပြည့်အဝနှင့် အချိန်မှန် ပေးချေခြင်းအပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။"


def form_data(value: int = 4, **overrides: object) -> dict[str, str]:
    return {k: str(v) for k, v in full_answers(value, **overrides).items() if v is not None}


def test_a_response_row_has_no_identity_columns() -> None:
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "survey", "submitted_on", "method"}
    assert {f.name for f in Answer._meta.concrete_fields} == {"id", "response", "question", "value", "choice"}
    assert Response._meta.get_field("submitted_on").get_internal_type() == "DateField"


def test_a_worker_answers_in_burmese_without_signing_in(world: World) -> None:
    survey = independent(world)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/surveys/r/{survey.token}/?lang=my")
    assert page.status_code == 200
    body = page.content.decode()
    assert BURMESE_WAGES in body and 'lang="my"' in body
    assert "Home supplier plant" not in body and "Home cso" not in body  # nothing about who runs it or where
    # Cookies: the CSRF cookie only (the form needs it); no session, no language cookie.
    assert set(page.cookies) == {"csrftoken"}
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    token = page.cookies["csrftoken"].value
    events_before = AuditEvent.objects.count()
    response = client.post(
        f"/surveys/r/{survey.token}/?lang=my", form_data(5) | {"csrfmiddlewaretoken": token}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302 and response.url == f"/surveys/r/{survey.token}/thanks/?lang=my"
    assert set(response.cookies) <= {"csrftoken"}
    saved = Response.objects.get(survey=survey)
    assert saved.method == "link" and saved.answers.count() == 10
    assert AuditEvent.objects.count() == events_before  # an event would carry the address and the time
    thanks = client.get(response.url)
    assert thanks.status_code == 200 and "sessionid" not in thanks.cookies


def test_bad_answers_show_translated_errors_and_save_nothing(world: World) -> None:
    survey = independent(world)
    client = Client()
    response = client.post(f"/surveys/r/{survey.token}/?lang=en", form_data(4, safety="7", wages_on_time=None))
    body = response.content.decode()
    assert response.status_code == 400 and "Select a valid choice" in body
    missing = client.post(f"/surveys/r/{survey.token}/?lang=en", form_data(4, wages_on_time=None))
    assert missing.status_code == 400 and "Please answer this question." in missing.content.decode()
    assert not Response.objects.filter(survey=survey).exists()


def test_a_closed_survey_refuses(world: World) -> None:
    survey = independent(world)
    services.survey_close(actor=world.members[("cso", "admin")], survey=survey)
    client = Client()
    page = client.get(f"/surveys/r/{survey.token}/")
    assert page.status_code == 200 and "This survey is closed" in page.content.decode()
    assert 'name="wages_on_time"' not in page.content.decode()
    posted = client.post(f"/surveys/r/{survey.token}/", form_data())
    assert posted.status_code == 410
    assert not Response.objects.filter(survey=survey).exists()


def test_an_unknown_or_mangled_token_is_not_found(world: World) -> None:
    survey = independent(world)
    client = Client()
    for token in [survey.token[:-1], "x" * 200, str(survey.pk)]:
        assert client.get(f"/surveys/r/{token}/").status_code == 404
        assert client.get(f"/surveys/r/{token}/thanks/").status_code == 404


def test_answers_are_rate_limited_per_address(world: World) -> None:
    survey = independent(world)
    client = Client()
    statuses = [
        client.post(f"/surveys/r/{survey.token}/", form_data(), REMOTE_ADDR="198.51.100.7").status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert Response.objects.filter(survey=survey).count() == 20
    other = Client().post(f"/surveys/r/{survey.token}/", form_data(), REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 302
