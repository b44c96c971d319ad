"""Worker validation by message: the question goes out on the worker's channel, the reply comes back to the
case, and only a caseworker's reading of it records a validation that lets the case close as resolved."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ilm.cases import services as cases
from ilm.cases.models import Case, CaseStatus, Notification, ValidationRequest, WorkerValidation
from ilm.channels import outbound, validation
from ilm.channels.models import Conversation, Message
from ilm.core.models import AuditEvent
from tests.cases.helpers import canary_worker, open_case
from tests.channels.test_webhooks_and_inbox import deliver, wa_payload, whatsapp_channel
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def now_payload(message_id: str, text: str) -> bytes:
    """A message the worker sends now (after the question)."""
    return wa_payload(message_id, text, timestamp=str(int(time.time()) + 1))


REPLY = "ပတ်စ်ပို့ ပြန်ရပါပြီ။ ကျေးဇူးတင်ပါတယ်။ 5"  # "I got my passport back. Thank you. 5"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replies leave through the outbound adapter (tested against the fake providers elsewhere)."""
    calls: list[dict[str, Any]] = []

    def fake_send(**kwargs: Any) -> outbound.SendResult:
        calls.append(kwargs)
        return outbound.SendResult(provider_message_id=f"wamid.out{len(calls)}")

    monkeypatch.setattr(outbound, "send_text", fake_send)
    return calls


def linked_case(world: Any, capture: Any, *, consent: bool = True) -> tuple[Case, Conversation]:
    """A shared case whose worker wrote on WhatsApp, with the conversation linked to the worker."""
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload(), capture)
    conversation = Conversation.objects.get(channel=channel)
    worker = canary_worker(world, consents={"contact_for_validation": consent, "statistics": True})
    case = open_case(world, worker=worker, share=True)
    member = world.members[("cso", "caseworker")]
    from ilm.channels import services

    services.conversation_link_worker(actor=member, conversation=conversation, worker=worker)
    conversation.refresh_from_db()
    return case, conversation


def test_the_question_goes_out_the_reply_comes_back_and_the_caseworker_records_it(
    django_capture_on_commit_callbacks, sent
):
    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    client = sign_in(Client(), member)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/channels/cases/{case.pk}/ask-validation/"' in page
    form = client.get(f"/channels/cases/{case.pk}/ask-validation/").content.decode()
    assert case.reference in form  # the default question, in the conversation's language (Burmese here)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/channels/cases/{case.pk}/ask-validation/",
            {"conversation": conversation.pk, "text": f"{case.reference}: ပြဿနာ ပြေလည်သွားပြီလား။"},
        )
    assert response.status_code == 302, response.content.decode()
    request = ValidationRequest.objects.get(case=case)
    assert request.status == "asked" and request.worker == conversation.worker
    assert sent[0]["recipient"] == "+959123456789" and case.reference in sent[0]["text"]
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_VALIDATION  # asking puts the case in wait
    assert AuditEvent.objects.filter(action="case.validation_asked", object_id=str(case.pk)).exists()

    # The worker answers on WhatsApp: the reply waits on the case for a caseworker; nothing is decided.
    deliver(conversation.channel, now_payload("wamid.HBgM002", REPLY), django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.status == "answered" and request.reply is not None and request.reply.text == REPLY
    assert not WorkerValidation.objects.filter(case=case).exists()
    assert Notification.objects.filter(user=member.user, kind="case.validation_replied", case=case).exists()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert REPLY in page and f"/channels/validation-requests/{request.pk}/" in page

    # A closing as resolved is still refused: the reply is not a validation until someone records it.
    with pytest.raises(ValidationError):
        cases.case_close(actor=member, case=case, closure="resolved")

    confirm = client.get(f"/channels/validation-requests/{request.pk}/")
    assert confirm.status_code == 200 and REPLY in confirm.content.decode()
    assert AuditEvent.objects.filter(action="conversation.viewed", object_id=str(conversation.pk)).exists()
    response = client.post(
        f"/channels/validation-requests/{request.pk}/",
        {"satisfaction": "5", "confirms_remediation": "on", "comments": "Passport returned, says the worker."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    recorded = WorkerValidation.objects.get(case=case)
    assert request.status == "recorded" and request.validation == recorded
    assert recorded.method == "message" and recorded.worker == conversation.worker and recorded.satisfaction == 5
    assert recorded.validated_at == request.replied_at and recorded.recorded_by == member
    closed = cases.case_close(actor=member, case=Case.objects.get(pk=case.pk), closure="resolved")
    assert closed.status == CaseStatus.CLOSED

    # A later message on the conversation answers nothing (no question waits).
    deliver(conversation.channel, now_payload("wamid.HBgM003", "ok"), django_capture_on_commit_callbacks)
    assert ValidationRequest.objects.filter(case=case).count() == 1


def test_a_message_that_is_not_an_answer_is_set_aside_and_the_next_one_answers(
    django_capture_on_commit_callbacks, sent
):
    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    with django_capture_on_commit_callbacks(execute=True):
        request = validation.validation_ask(actor=member, case=case, conversation=conversation)
    assert case.reference in sent[0]["text"]  # the default question names the report
    deliver(conversation.channel, now_payload("wamid.q1", "ဘာလဲ?"), django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.status == "answered"
    client = sign_in(Client(), member)
    assert client.post(f"/channels/validation-requests/{request.pk}/set-aside/").status_code == 302
    request.refresh_from_db()
    assert request.status == "asked" and request.reply is None
    deliver(conversation.channel, now_payload("wamid.q2", REPLY), django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.status == "answered" and request.reply.text == REPLY

    assert client.post(f"/channels/validation-requests/{request.pk}/withdraw/").status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"
    follow = client.get(f"/channels/validation-requests/{request.pk}/", follow=True)
    assert "no longer waiting" in follow.content.decode()


def test_asking_is_refused_without_consent_or_before_the_case_is_shared(django_capture_on_commit_callbacks, sent):
    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks, consent=False)
    member = world.members[("cso", "caseworker")]
    assert validation.askable_conversations(actor=member, case=case) == []
    with pytest.raises(ValidationError, match="not agreed to be contacted"):
        validation.validation_ask(actor=member, case=case, conversation=conversation)
    client = sign_in(Client(), member)
    refused = client.get(f"/channels/cases/{case.pk}/ask-validation/", follow=True).content.decode()
    assert "agreed to be contacted for validation" in refused
    assert not ValidationRequest.objects.filter(case=case).exists() and not sent

    unshared = open_case(world, worker=conversation.worker)
    conversation.worker.consent_contact_for_validation = True
    conversation.worker.save()
    with pytest.raises(ValidationError, match="once the business has acted"):
        validation.validation_ask(actor=member, case=unshared, conversation=conversation)
    assert not Message.objects.filter(conversation=conversation, direction="out").exists()


def test_one_open_question_per_conversation(django_capture_on_commit_callbacks, sent):
    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    other = open_case(world, worker=conversation.worker, share=True)
    first = validation.validation_ask(actor=member, case=case, conversation=conversation)
    with pytest.raises(ValidationError, match=case.reference):
        validation.validation_ask(actor=member, case=other, conversation=conversation)
    again = validation.validation_ask(actor=member, case=case, conversation=conversation)  # asked again
    first.refresh_from_db()
    assert first.status == "withdrawn" and again.status == "asked"
    # The worker answers within the same second as the question (WhatsApp stamps whole seconds): it counts.
    same_second = str(int(again.asked_at.timestamp()))
    deliver(
        conversation.channel,
        wa_payload("wamid.same", REPLY, timestamp=same_second),
        django_capture_on_commit_callbacks,
    )
    again.refresh_from_db()
    assert again.status == "answered"
    # A reply waiting to be read is not put out of sight by asking again.
    with pytest.raises(ValidationError, match="already replied"):
        validation.validation_ask(actor=member, case=case, conversation=conversation)
    client = sign_in(Client(), member)
    assert "/ask-validation/" not in client.get(f"/cases/{case.pk}/").content.decode()
    # A message written long before the question does not answer a new one.
    validation.validation_reply_set_aside(actor=member, request=again)
    deliver(
        conversation.channel,
        wa_payload("wamid.old", "old news", timestamp=str(int(again.asked_at.timestamp()) - 3600)),
        django_capture_on_commit_callbacks,
    )
    again.refresh_from_db()
    assert again.status == "asked"


def test_nobody_outside_the_inbox_reaches_a_validation_request(django_capture_on_commit_callbacks, sent):
    from ilm.channels.selectors import may_use_inbox

    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks)
    request = validation.validation_ask(
        actor=world.members[("cso", "caseworker")], case=case, conversation=conversation
    )
    outside = [m for (key, _role), m in world.members.items() if key != "cso" or not may_use_inbox(m)]
    assert len(outside) > 20
    for member in outside:
        client = sign_in(Client(), member)
        for url in (
            f"/channels/validation-requests/{request.pk}/",
            f"/channels/cases/{case.pk}/ask-validation/",
        ):
            assert client.get(url).status_code == 404, (member.organisation.kind, member.role, url)
        for url in (
            f"/channels/validation-requests/{request.pk}/set-aside/",
            f"/channels/validation-requests/{request.pk}/withdraw/",
        ):
            assert client.post(url).status_code == 404, (member.organisation.kind, member.role, url)
    request.refresh_from_db()
    assert request.status == "asked"


def test_the_same_flow_through_the_api(django_capture_on_commit_callbacks, sent):
    from tests.channels.test_api import bearer

    world = build_world()
    case, conversation = linked_case(world, django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    auth = bearer(member)
    client = Client()
    missing = client.post(
        f"/api/v1/conversations/{conversation.pk}/ask-validation/", {"case": 999999}, "application/json", **auth
    )
    assert missing.status_code == 400 and "case" in json.dumps(missing.json()), missing.json()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            f"/api/v1/conversations/{conversation.pk}/ask-validation/", {"case": case.pk}, "application/json", **auth
        )
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    assert asked.json()["status"] == "asked" and sent
    deliver(conversation.channel, now_payload("wamid.api1", REPLY), django_capture_on_commit_callbacks)
    listed = client.get(f"/api/v1/validation-requests/?case={case.pk}", **auth).json()["results"]
    assert [r["status"] for r in listed] == ["answered"] and REPLY not in json.dumps(listed, ensure_ascii=False)
    read = client.post(f"/api/v1/validation-requests/{request_id}/read/", **auth)
    assert read.json()["reply"] == REPLY
    bad = client.post(
        f"/api/v1/validation-requests/{request_id}/confirm/",
        {"satisfaction": 9, "confirms_remediation": True},
        "application/json",
        **auth,
    )
    assert bad.status_code == 400 and not WorkerValidation.objects.filter(case=case).exists()
    confirmed = client.post(
        f"/api/v1/validation-requests/{request_id}/confirm/",
        {"satisfaction": 4, "confirms_remediation": True},
        "application/json",
        **auth,
    )
    assert confirmed.status_code == 201 and confirmed.json()["method"] == "message"
    again = client.post(f"/api/v1/validation-requests/{request_id}/withdraw/", **auth)
    assert again.status_code == 400  # recorded: nothing left to withdraw

    other = bearer(world.members[("supplier", "admin")])
    assert client.get(f"/api/v1/validation-requests/{request_id}/", **other).status_code == 404
    assert client.post(f"/api/v1/validation-requests/{request_id}/read/", **other).status_code == 404
