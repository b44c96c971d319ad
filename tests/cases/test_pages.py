"""The case pages: list filters and search, the owner and business versions of a case, every lifecycle step
through its form (happy path, and bad input answering 400 with nothing saved), stale edits (409), scoping
(404), identity behind an audited POST, notifications, the worker page and the home page counts."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ilm.cases import services
from ilm.cases.models import (
    Case,
    CaseAction,
    CaseBusiness,
    CaseStatus,
    CaseUpdate,
    CaseWorker,
    Contact,
    Escalation,
    IdentityReveal,
    Issue,
    IssueCategory,
    Notification,
    Payment,
    Worker,
    WorkerValidation,
)
from ilm.core.models import AuditEvent
from ilm.network.models import Channel
from tests.cases.helpers import (
    CANARY_HANDLE,
    CANARY_NAME,
    CANARY_PASSPORT,
    CANARY_PHONE,
    canary_worker,
    open_case,
    validate_and_close,
)
from tests.conftest import sign_in
from tests.factories import LinkFactory, MembershipFactory, OrganisationFactory, country
from tests.worlds import World, build_world

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "Internal: the caller fears the night-shift supervisor"
ISSUE_SECRET = "CSO-only detail: dormitory room 14B"
VALIDATION_SECRET = "validation comment for the CSO only"


def client_for(world: World, key: str, role: str) -> Client:
    return sign_in(Client(), world.members[(key, role)])


def cso(world: World) -> Any:
    return world.members[("cso", "caseworker")]


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def body(response: Any) -> str:
    return response.content.decode("utf-8", "replace")


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def neutral_case(world: World, *, worker: Worker | None = None, share: bool = False) -> Case:
    """open_case, with internal notes and issue description that do not repeat the worker's identity, so a
    page shows the name only where identity is shown."""
    case = open_case(world, worker=worker, share=share)
    services.case_update(actor=cso(world), case=case, internal_notes=INTERNAL_NOTE)
    issue = case.issues.get()
    services.issue_update(actor=cso(world), issue=issue, description=ISSUE_SECRET)
    return fresh(case)


# --- the list ---------------------------------------------------------------------------------------------


def _list_refs(client: Client, query: str = "") -> set[str]:
    response = client.get("/cases/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return set(re.findall(r"C-[A-Z0-9]{4}-[A-Z0-9]{4}", body(response)))


def test_case_list_filters_and_search():
    world = build_world()
    intake = open_case(world, summary="Passports are held at the gate.")
    shared = open_case(world, share=True, summary="Wages are paid late at the plant.")
    services.issue_add(
        actor=cso(world),
        case=shared,
        category=IssueCategory.objects.get(code="wages_deductions"),
        zero_tolerance=True,
        shareable_description="Overtime is paid in bananas.",
        description="CSO-only: the payroll clerk told the worker",
    )
    client = client_for(world, "cso", "caseworker")
    both = {intake.reference, shared.reference}
    assert _list_refs(client) == both
    assert _list_refs(client, "status=shared") == {shared.reference}
    wages = IssueCategory.objects.get(code="wages_deductions")
    assert _list_refs(client, f"category={wages.pk}") == {shared.reference}
    assert _list_refs(client, "zero_tolerance=on") == {shared.reference}
    assert _list_refs(client, "forced_labour=on") == both  # retention of documents is an ILO indicator
    assert _list_refs(client, urlencode({"business": world.orgs["supplier"].name.lower()})) == both
    assert _list_refs(client, urlencode({"business": world.orgs["destination_agency"].name})) == set()
    assert _list_refs(client, "business=Home+supplier+plant") == both  # a site's name finds it too
    assert _list_refs(client, "country=TH") == both
    assert _list_refs(client, "country=VN") == set()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert _list_refs(client, f"opened_from={tomorrow}") == set()
    assert _list_refs(client, f"opened_to={tomorrow}&opened_from={timezone.localdate()}") == both
    # Search reads shareable text only: reference, summary, issues' shareable descriptions.
    assert _list_refs(client, "q=bananas") == {shared.reference}
    assert _list_refs(client, "q=gate") == {intake.reference}
    assert _list_refs(client, f"q={intake.reference.lower()}") == {intake.reference}
    assert _list_refs(client, "q=payroll+clerk") == set()  # a CSO-only description
    assert _list_refs(client, "q=Canary") == set()  # internal notes are not searched
    # Overdue: shared 8 days ago without a response, or 15 days without activity.
    assert _list_refs(client, "overdue=on") == set()
    Case.objects.filter(pk=shared.pk).update(shared_at=timezone.now() - datetime.timedelta(days=8))
    assert _list_refs(client, "overdue=on") == {shared.reference}
    Case.objects.filter(pk=intake.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=15))
    assert _list_refs(client, "overdue=on") == both
    assert "Overdue" in body(client.get("/cases/"))
    # The htmx filter swap answers the same page.
    assert client.get("/cases/?status=shared", HTTP_HX_REQUEST="true").status_code == 200
    # A business lists only what was shared with it.
    assert _list_refs(client_for(world, "supplier", "viewer")) == {shared.reference}
    assert _list_refs(client_for(world, "supplier", "viewer"), "q=gate") == set()
    assert _list_refs(client_for(world, "buyer", "viewer"), "zero_tolerance=on") == {shared.reference}
    assert _list_refs(client_for(world, "upstream", "admin")) == set()


def test_search_follows_edits_of_the_shareable_text_and_never_reads_private_text():
    world = build_world()
    case = open_case(world, summary="Dormitory has no water.")
    client = client_for(world, "cso", "caseworker")
    assert _list_refs(client, "q=WATER") == {case.reference}
    services.case_update(actor=cso(world), case=fresh(case), summary="Dormitory is locked at night.")
    assert _list_refs(client, "q=water") == set()
    assert _list_refs(client, "q=locked+at") == {case.reference}
    issue = services.issue_add(
        actor=cso(world), case=fresh(case), category=IssueCategory.objects.get(code="leave"), description="Ma Hla"
    )
    assert _list_refs(client, "q=hla") == set()  # the CSO-only description is not searched
    services.issue_update(actor=cso(world), issue=issue, shareable_description="Sick leave refused (ลาป่วย).")
    assert _list_refs(client, "q=ลาป่วย") == {case.reference}
    assert _list_refs(client, "q=%25") == set()  # LIKE wildcards are literal
    services.issue_update(actor=cso(world), issue=issue, shareable_description="")
    assert _list_refs(client, "q=sick") == set()
    services.case_update(actor=cso(world), case=fresh(case), internal_notes="secret informant")
    assert _list_refs(client, "q=informant") == set()


def test_case_list_pages_by_cursor_newest_first():
    world = build_world()
    actor = cso(world)
    cases = [services.case_open(actor=actor, summary=f"Case number {n}") for n in range(30)]
    newest_first = [c.reference for c in reversed(cases)]
    client = client_for(world, "cso", "caseworker")

    def page(query: str = "") -> tuple[list[str], str]:
        response = client.get("/cases/" + (f"?{query}" if query else ""))
        assert response.status_code == 200
        html = body(response)
        return re.findall(r"C-[A-Z0-9]{4}-[A-Z0-9]{4}", html), html

    first, html = page()
    assert first == newest_first[:25]
    assert "Newer" not in html
    older = re.search(r'href="\?(after=\d+)"', html)
    assert older, "the first page links to older cases"
    second, html = page(older.group(1))
    assert second == newest_first[25:]
    assert "Older" not in html
    newer = re.search(r'href="\?(before=\d+)"', html)
    assert newer
    assert page(newer.group(1))[0] == newest_first[:25]
    # Filters survive the cursor; a mangled cursor starts again from the newest cases.
    filtered, html = page("q=case+number")
    assert filtered == newest_first[:25]
    assert "q=case+number&amp;" + older.group(1) in html
    assert page(f"q=case+number&{older.group(1)}")[0] == newest_first[25:]
    assert page(f"q=number+3&{older.group(1)}")[0] == [cases[3].reference]
    assert page(f"q=number+7&{older.group(1)}")[0] == []  # case 7 is newer than the cursor
    assert page("after=abc")[0] == newest_first[:25]
    assert page("before=999999999")[0] == newest_first[:25]


def test_business_filter_suggests_only_names_the_member_may_see():
    world = build_world()

    def suggested(key: str, role: str, name: str) -> str:
        response = client_for(world, key, role).get("/cases/businesses/", {"business": name})
        assert response.status_code == 200
        return body(response)

    supplier_name = world.orgs["supplier"].name
    assert f'value="{supplier_name}"' in suggested("cso", "caseworker", supplier_name[:4])
    assert "Outsider Supplier Ltd" not in suggested("supplier", "viewer", "Outsider")
    assert suggested("cso", "caseworker", "").strip() == ""


def test_case_list_bad_filters_are_ignored_not_errors():
    world = build_world()
    open_case(world)
    response = client_for(world, "cso", "caseworker").get("/cases/?opened_from=31/31/2026&status=martian")
    assert response.status_code == 200
    assert "Enter a valid date." in body(response)


def test_case_list_hides_informal_brokers_from_businesses():
    world = build_world()
    case = open_case(world, share=True)
    services.case_add_business(actor=cso(world), case=case, broker_name="Mr Broker Kyaw")
    assert "Mr Broker Kyaw" in body(client_for(world, "cso", "caseworker").get("/cases/"))
    for key, role in (("supplier", "admin"), ("buyer", "viewer")):
        client = client_for(world, key, role)
        assert "Mr Broker Kyaw" not in body(client.get("/cases/"))
        assert "Mr Broker Kyaw" not in body(client.get(f"/cases/{case.pk}/"))


@pytest.mark.parametrize(("key", "role"), [("cso", "caseworker"), ("supplier", "viewer"), ("tp", "viewer")])
def test_case_list_query_count_does_not_grow_with_rows(key, role):
    world = build_world()
    for _ in range(2):
        open_case(world, share=True)
    client = client_for(world, key, role)
    client.get("/cases/")  # warm the per-language country options and the scope cache

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cases/")
        assert response.status_code == 200
        return len(captured)

    with_two = queries()
    for _ in range(10):
        case = open_case(world, share=True)
        services.case_add_business(actor=cso(world), case=case, organisation=world.orgs["destination_agency"])
    assert Case.objects.filter(cso=world.orgs["cso"]).count() == 12
    assert queries() == with_two


# --- the owner's and the business's view of a case ------------------------------------------------------


def _secrets(worker: Worker) -> list[str]:
    return [
        CANARY_NAME,
        CANARY_PHONE,
        "+66815550199",
        "555 0199",
        CANARY_HANDLE,
        CANARY_PASSPORT,
        INTERNAL_NOTE,
        ISSUE_SECRET,
        VALIDATION_SECRET,
        "Retaliation risk",
    ]


def _assert_clean(text: str, worker: Worker, where: str) -> None:
    for secret in _secrets(worker):
        assert secret not in text, f"{secret!r} leaked on {where}"
    assert not re.search(rf"\bW{worker.pk}\b", text), f"worker label leaked on {where}"


def _case_in_every_state(world: World, worker: Worker) -> list[Case]:
    """Shared; in remediation with a response and an action; escalated; closed as resolved."""
    actor = cso(world)
    shared = neutral_case(world, worker=worker, share=True)
    responding = neutral_case(world, worker=worker, share=True)
    services.case_respond(actor=world.members[("supplier", "responder")], case=responding, text="We will look.")
    services.action_add(
        actor=world.members[("supplier", "responder")],
        case=fresh(responding),
        description="Return passports",
        responsible=world.orgs["supplier"],
    )
    services.case_escalate(actor=actor, case=fresh(responding), buyer=world.orgs["buyer"], reason="Please help.")
    services.payment_record(
        actor=actor, case=fresh(responding), worker=worker, currency="THB", amount_owed="1500", amount_repaid="500"
    )
    closed = neutral_case(world, worker=worker, share=True)
    for case in (shared, responding, closed):
        services.case_add_business(actor=actor, case=fresh(case), organisation=world.orgs["destination_agency"])
    services.validation_record(
        actor=actor,
        case=closed,
        worker=worker,
        method="phone",
        satisfaction=5,
        confirms_remediation=True,
        comments=VALIDATION_SECRET,
    )
    services.case_close(actor=actor, case=fresh(closed), closure="resolved")
    return [fresh(shared), fresh(responding), fresh(closed)]


BUSINESS_MEMBERS = [
    ("supplier", "admin"),
    ("supplier", "responder"),
    ("supplier", "viewer"),
    ("destination_agency", "admin"),
    ("destination_agency", "responder"),
    ("destination_agency", "viewer"),
    ("buyer", "admin"),
    ("buyer", "viewer"),
]


@pytest.mark.parametrize(("key", "role"), BUSINESS_MEMBERS, ids=[f"{k}-{r}" for k, r in BUSINESS_MEMBERS])
def test_business_pages_never_show_identity_or_cso_only_text(key, role):
    world = build_world()
    worker = canary_worker(world, consents={"share_identity": True, "contact_for_validation": True})
    cases = _case_in_every_state(world, worker)
    client = client_for(world, key, role)
    pages = ["/", "/cases/", "/cases/notifications/", "/cases/notifications/badge/"]
    for case in cases:
        pages += [f"/cases/{case.pk}/", f"/cases/{case.pk}/respond/", f"/cases/{case.pk}/actions/add/"]
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        _assert_clean(body(response), worker, f"{url} as {key}/{role}")
        seen += response.status_code == 200
    detail = body(client.get(f"/cases/{cases[1].pk}/"))
    assert "Passports are held by the employer" in detail  # the shareable summary
    assert "Identity documents are kept by the employer." in detail  # the shareable issue description
    assert "Return passports" in detail
    assert "1,500" in detail  # the repayment total
    assert ("Please help." in detail) == (key == "buyer")  # escalations: to the buyer only
    assert "Show identity" not in detail
    # No worker identity, whatever is posted.
    response = client.post(f"/cases/{cases[1].pk}/workers/{worker.pk}/identity/")
    assert response.status_code == 404
    _assert_clean(body(response), worker, "the identity route")
    assert not AuditEvent.objects.filter(action="identity.viewed").exists()
    assert client.get(f"/cases/workers/{worker.pk}/").status_code == 404


def test_owner_view_shows_the_whole_case_but_identity_only_after_the_show_identity_post():
    world = build_world()
    worker = canary_worker(world)
    case = _case_in_every_state(world, worker)[1]
    client = client_for(world, "cso", "caseworker")
    page = body(client.get(f"/cases/{case.pk}/"))
    for text in (INTERNAL_NOTE, ISSUE_SECRET, f"W{worker.pk}", "Retaliation risk", "Please help.", "Return passports"):
        assert text in page, text
    assert "THB" in page and "1,500" in page and "1,000" not in page  # owed per currency, never summed across
    for secret in (CANARY_NAME, CANARY_HANDLE, CANARY_PASSPORT, "555 0199"):
        assert secret not in page
    assert "Show identity" in page
    assert not AuditEvent.objects.filter(action="identity.viewed").exists()

    url = f"/cases/{case.pk}/workers/{worker.pk}/identity/"
    assert client.get(url).status_code == 405
    partial = client.post(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert CANARY_NAME in body(partial) and CANARY_HANDLE in body(partial) and CANARY_PASSPORT in body(partial)
    assert "<html" not in body(partial)  # the htmx swap
    full = client.post(url)
    assert CANARY_NAME in body(full) and "<html" in body(full)
    events = AuditEvent.objects.filter(action="identity.viewed", object_id=str(worker.pk))
    assert events.count() == 2
    assert events.first().membership_id == cso(world).pk
    assert CANARY_NAME not in body(client.get(f"/cases/{case.pk}/"))  # for that response only


def test_timeline_entries_the_system_writes_read_in_the_readers_language():
    world = build_world()
    case = _case_in_every_state(world, canary_worker(world))[1]
    client = client_for(world, "cso", "caseworker")
    buyer = world.orgs["buyer"].name
    assert f"Escalated to {buyer}." in body(client.get(f"/cases/{case.pk}/"))
    reader = cso(world).user
    reader.preferred_language = "th"
    reader.save(update_fields=["preferred_language"])
    page = body(client.get(f"/cases/{case.pk}/"))
    assert f"ส่งเรื่องต่อให้ {buyer} แล้ว" in page and "Escalated to" not in page
    api = case.updates.get(kind="escalation")
    assert api.text == buyer  # stored as data, worded when shown


@pytest.mark.parametrize(
    ("size", "shown"), [(0, "1 kB"), (1, "1 kB"), (1024, "1 kB"), (1025, "2 kB"), (5 * 1024 * 1024 + 1, "5 MB")]
)
def test_file_sizes_are_shown_in_kb_then_mb(size, shown):
    from ilm.core.templatetags.ilm import lfilesize

    assert lfilesize(size) == shown


def test_members_without_identity_rights_cannot_show_it():
    world = build_world()
    worker = canary_worker(world)
    case = neutral_case(world, worker=worker, share=True)
    for key, role in (("cso", "viewer"), ("tp", "viewer")):
        client = client_for(world, key, role)
        page = body(client.get(f"/cases/{case.pk}/"))
        assert case.reference in page and "Show identity" not in page
        assert INTERNAL_NOTE not in page and ISSUE_SECRET not in page  # free text that may name workers
        response = client.post(f"/cases/{case.pk}/workers/{worker.pk}/identity/")
        assert response.status_code == 403
        assert CANARY_NAME not in body(response)
    assert not AuditEvent.objects.filter(action="identity.viewed").exists()


def test_a_business_sees_a_revealed_worker_only_after_its_own_post():
    world = build_world()
    worker = canary_worker(world, consents={"share_identity": True})
    case = neutral_case(world, worker=worker, share=True)
    reveal = services.identity_reveal_request(
        actor=cso(world), case=case, worker=worker, organisation=world.orgs["supplier"], reason="To repay fees"
    )
    services.identity_reveal_decide(actor=world.members[("cso", "case_manager")], reveal=reveal, approve=True)
    supplier = client_for(world, "supplier", "admin")
    page = body(supplier.get(f"/cases/{case.pk}/"))
    assert "Show identity" in page and CANARY_NAME not in page
    response = supplier.post(f"/cases/{case.pk}/workers/{worker.pk}/identity/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert CANARY_NAME in body(response)
    assert not re.search(rf"\bW{worker.pk}\b", body(response))  # still no label or demographics
    assert AuditEvent.objects.filter(action="identity.viewed", membership_id=world.members[("supplier", "admin")].pk)
    # Not revealed to the buyer, nor to the agency.
    buyer = client_for(world, "buyer", "admin")
    assert "Show identity" not in body(buyer.get(f"/cases/{case.pk}/"))
    assert buyer.post(f"/cases/{case.pk}/workers/{worker.pk}/identity/").status_code == 404


# --- scoping ----------------------------------------------------------------------------------------------


def test_other_organisations_cases_answer_404():
    world = build_world()
    intake = open_case(world)
    outsider_case = world.outsiders["case"][0]
    other_cso = MembershipFactory(organisation=OrganisationFactory(kind="cso", countries=["TH"]), role="case_manager")
    other = sign_in(Client(), other_cso)
    for url in (
        f"/cases/{intake.pk}/",
        f"/cases/{intake.pk}/edit/",
        f"/cases/{intake.pk}/share/",
        f"/cases/{outsider_case.pk}/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/cases/{intake.pk}/note/", {"text": "hello"}).status_code == 404
    assert not CaseUpdate.objects.filter(text="hello").exists()
    home = client_for(world, "cso", "caseworker")
    assert home.get(f"/cases/{outsider_case.pk}/").status_code == 404
    assert home.post(f"/cases/{outsider_case.pk}/close/", {"closure": "unresolved", "reason": "x"}).status_code == 404
    assert fresh(outsider_case).status != CaseStatus.CLOSED
    # A business does not see a case before it is shared, nor a case about someone else.
    assert client_for(world, "supplier", "admin").get(f"/cases/{intake.pk}/").status_code == 404
    shared = open_case(world, share=True)
    assert client_for(world, "upstream", "admin").get(f"/cases/{shared.pk}/").status_code == 404
    assert client_for(world, "government", "admin").get(f"/cases/{shared.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="cases.case").exists()


def test_businesses_may_not_use_the_csos_steps():
    world = build_world()
    case = open_case(world, share=True)
    client = client_for(world, "supplier", "admin")
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 403
    assert client.post(f"/cases/{case.pk}/note/", {"text": "sneaky"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/close/", {"closure": "unresolved", "reason": "x"}).status_code == 403
    assert fresh(case).status == CaseStatus.SHARED
    viewer = client_for(world, "supplier", "viewer")
    assert viewer.post(f"/cases/{case.pk}/respond/", {"kind": "response", "text": "hi"}).status_code == 403
    assert client_for(world, "buyer", "admin").get(f"/cases/{case.pk}/respond/").status_code == 403
    assert not CaseUpdate.objects.filter(text__in=["sneaky", "hi"]).exists()


# --- intake: contacts, workers, opening a case -------------------------------------------------------------


def _contact_data(world: World, **extra: Any) -> dict[str, Any]:
    data = {
        "occurred_at": local_input(timezone.now() - datetime.timedelta(hours=1)),
        "channel": Channel.objects.get(name="Home hotline").pk,
        "language": "my",
        "who": "worker",
        "purpose": "issue_report",
        "notes": "Called at night",
        "ids-TOTAL_FORMS": "3",
        "ids-INITIAL_FORMS": "0",
        "ids-MIN_NUM_FORMS": "0",
        "ids-MAX_NUM_FORMS": "20",
        "ids-0-kind": "phone",
        "ids-0-value": "",
        "ids-1-kind": "line",
        "ids-1-value": "",
        "ids-2-kind": "passport",
        "ids-2-value": "",
    }
    data.update(extra)
    return data


def test_log_a_contact_with_a_new_worker_then_open_a_case():
    world = build_world()
    client = client_for(world, "cso", "caseworker")
    assert client.get("/cases/contacts/new/").status_code == 200
    response = client.post(
        "/cases/contacts/new/",
        _contact_data(
            world,
            new_worker="on",
            full_name="Aye New Worker",
            gender="female",
            nationality="MM",
            age_band="25_34",
            site=world.sites["supplier"].pk,
            consent_contact_for_validation="on",
            **{"ids-0-value": "+66 81 222 3344"},
        ),
    )
    assert response.status_code == 302, body(response)
    contact = Contact.objects.get(cso=world.orgs["cso"])
    worker = contact.worker
    assert worker.full_name == "Aye New Worker" and worker.nationality_id == "MM"
    assert worker.consent_contact_for_validation and worker.consent_contact_for_validation_by == cso(world)
    assert worker.identifiers.get().value == "+66 81 222 3344"
    assert response["Location"] == f"/cases/new/?contact={contact.pk}"

    page = client.get(response["Location"])
    assert page.status_code == 200 and f"W{worker.pk}" in body(page)
    opened = client.post(
        response["Location"],
        {"summary": "Fees were charged.", "internal_notes": "", "risk_level": "high", "workers_count": "1"},
    )
    assert opened.status_code == 302
    case = Case.objects.get(contacts=contact)
    assert opened["Location"] == f"/cases/{case.pk}/"
    assert case.risk_level == "high" and case.assigned_to == cso(world)
    assert list(case.case_workers.values_list("worker_id", flat=True)) == [worker.pk]


def test_a_likely_duplicate_worker_needs_confirmation():
    world = build_world()
    existing = canary_worker(world)
    client = client_for(world, "cso", "caseworker")
    data = _contact_data(world, new_worker="on", full_name="Someone Else", **{"ids-0-value": "081-555-0199"})
    response = client.post("/cases/contacts/new/", data)
    assert response.status_code == 400
    page = body(response)
    assert f"W{existing.pk} (same phone)" in page
    assert CANARY_NAME not in page
    ours = Worker.objects.filter(cso=world.orgs["cso"])
    assert ours.count() == 1 and not Contact.objects.filter(cso=world.orgs["cso"]).exists()
    confirmed = client.post("/cases/contacts/new/", data | {"confirm_new_worker": "on"})
    assert confirmed.status_code == 302
    assert ours.count() == 2 and Contact.objects.filter(cso=world.orgs["cso"]).count() == 1


def test_bad_contacts_save_nothing():
    world = build_world()
    client = client_for(world, "cso", "caseworker")
    future = local_input(timezone.now() + datetime.timedelta(days=2))
    for data in (
        _contact_data(world, occurred_at="yesterday", who="martian"),
        _contact_data(world, occurred_at=future, new_worker="on", full_name="Future Person"),  # refused by the service
        _contact_data(world, worker_label="W999999"),
        _contact_data(world, **{"ids-0-value": "+66 81 000 0000"}),  # numbers without "new worker"
    ):
        response = client.post("/cases/contacts/new/", data)
        assert response.status_code == 400, data
    assert not Contact.objects.filter(cso=world.orgs["cso"]).exists()
    assert not Worker.objects.filter(cso=world.orgs["cso"]).exists()
    assert client_for(world, "supplier", "admin").get("/cases/contacts/new/").status_code == 403
    assert client_for(world, "cso", "viewer").get("/cases/contacts/new/").status_code == 403


def test_open_a_case_bad_input_and_foreign_contact():
    world = build_world()
    client = client_for(world, "cso", "caseworker")
    response = client.post("/cases/new/", {"risk_level": "apocalyptic", "workers_count": "-3"})
    assert response.status_code == 400
    assert not Case.objects.filter(cso=world.orgs["cso"]).exists()
    outsider_contact = world.outsiders["contact"][0]
    assert client.get(f"/cases/new/?contact={outsider_contact.pk}").status_code == 404
    assert client.get("/cases/new/?contact=abc").status_code == 404


# --- editing and conflicts ------------------------------------------------------------------------------


def test_edit_case_and_a_stale_edit_answers_409():
    world = build_world()
    case = open_case(world)
    client = client_for(world, "cso", "caseworker")
    form = {
        "summary": "First summary",
        "internal_notes": "first",
        "risk_level": "low",
        "workers_count": "3",
        "is_collective": "on",
        "assigned_to": cso(world).pk,
        "version": case.version,
    }
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 200
    assert client.post(f"/cases/{case.pk}/edit/", form).status_code == 302
    saved = fresh(case)
    assert saved.summary == "First summary" and saved.is_collective and saved.workers_count == 3
    stale = client.post(f"/cases/{case.pk}/edit/", form | {"summary": "Second summary"})
    assert stale.status_code == 409
    page = body(stale)
    assert "Someone else changed this" in page
    assert "First summary" in page  # the other person's change is shown
    assert fresh(case).summary == "First summary"
    bad = client.post(f"/cases/{case.pk}/edit/", form | {"version": saved.version, "workers_count": "0"})
    assert bad.status_code == 400
    outsider_member = world.members[("cso", "admin")]
    foreign = client.post(
        f"/cases/{case.pk}/edit/", form | {"version": saved.version, "assigned_to": world.members[("tp", "admin")].pk}
    )
    assert foreign.status_code == 400  # not a choice: members of the case's CSO only
    assert fresh(case).version == saved.version and outsider_member


# --- the CSO's lifecycle steps, each with a bad-input case ------------------------------------------------


def test_add_business_link_worker_and_issues():
    world = build_world()
    case = Case.objects.get(pk=services.case_open(actor=cso(world), summary="S").pk)
    worker = canary_worker(world)
    client = client_for(world, "cso", "caseworker")
    url = f"/cases/{case.pk}"

    assert client.post(f"{url}/businesses/add/", {}).status_code == 400
    assert client.post(f"{url}/businesses/add/", {"organisation": world.orgs["buyer"].pk}).status_code == 400
    assert not CaseBusiness.objects.filter(case=case).exists()
    assert client.post(f"{url}/businesses/add/", {"site": world.sites["supplier"].pk}).status_code == 302
    assert client.post(f"{url}/businesses/add/", {"broker_name": "Informal Broker Ko"}).status_code == 302
    assert CaseBusiness.objects.filter(case=case).count() == 2
    assert fresh(case).country_id == "TH"

    assert client.post(f"{url}/workers/link/", {"worker_label": "W0"}).status_code == 400
    other = world.outsiders["worker"][0]
    assert client.post(f"{url}/workers/link/", {"worker_label": f"W{other.pk}"}).status_code == 400
    assert not CaseWorker.objects.filter(case=case).exists()
    assert client.post(f"{url}/workers/link/", {"worker_label": f"w{worker.pk}"}).status_code == 302
    assert CaseWorker.objects.filter(case=case, worker=worker).exists()

    deception = IssueCategory.objects.get(code="deception")
    bad = client.post(f"{url}/issues/add/", {"category": deception.pk, "workers_affected": "0"})
    assert bad.status_code == 400 and not Issue.objects.filter(case=case).exists()
    good = client.post(
        f"{url}/issues/add/",
        {"category": deception.pk, "workers_affected": "4", "shareable_description": "Contract differs"},
    )
    assert good.status_code == 302
    issue = Issue.objects.get(case=case)
    assert issue.forced_labour  # "as the category says"
    edit = f"{url}/issues/{issue.pk}/edit/"
    assert client.get(edit).status_code == 405
    assert client.post(edit, {"category": deception.pk, "workers_affected": "abc"}).status_code == 400
    saved = client.post(
        edit, {"category": deception.pk, "workers_affected": "5", "forced_labour": "0", "zero_tolerance": "on"}
    )
    assert saved.status_code == 302
    issue.refresh_from_db()
    assert (issue.workers_affected, issue.forced_labour, issue.zero_tolerance) == (5, False, True)
    page = body(client.get(f"{url}/"))
    assert "Informal Broker Ko" in page and "Contract differs" not in page  # cleared by the edit


def test_assess_share_with_small_group_warning():
    world = build_world()
    actor = cso(world)
    worker = services.worker_create(actor=actor, full_name="Small Group", gender="male", nationality=country("MM"))
    case = services.case_open(actor=actor, summary="", workers=[worker])
    client = client_for(world, "cso", "caseworker")
    url = f"/cases/{case.pk}"
    assert client.post(f"{url}/assess/").status_code == 400  # no issue, no business yet
    assert fresh(case).status == CaseStatus.INTAKE
    services.case_add_business(actor=actor, case=case, site=world.sites["supplier"])
    services.issue_add(actor=actor, case=fresh(case), category=IssueCategory.objects.get(code="leave"))
    assert client.post(f"{url}/assess/").status_code == 302
    assert fresh(case).status == CaseStatus.ASSESSED

    assert client.post(f"{url}/share/", {}).status_code == 400  # no shareable summary yet
    services.case_update(actor=actor, case=fresh(case), summary="Leave is refused.")
    page = body(client.get(f"{url}/"))
    assert "The workers may be identifiable." in page
    assert "Home supplier plant: 0 male workers of Myanmar" in page
    refused = client.post(f"{url}/share/", {})
    assert refused.status_code == 400
    assert "fewer than 10 people" in body(refused)
    assert fresh(case).shared_at is None
    assert client.post(f"{url}/share/", {"acknowledge_small_groups": "on"}).status_code == 302
    assert fresh(case).status == CaseStatus.SHARED
    assert Notification.objects.filter(case=case, user=world.members[("supplier", "admin")].user).exists()


def test_notes_validation_request_validation_record_and_close():
    world = build_world()
    worker = canary_worker(world)
    case = open_case(world, worker=worker, share=True)
    client = client_for(world, "cso", "caseworker")
    url = f"/cases/{case.pk}"

    assert client.post(f"{url}/note/", {"text": "  "}).status_code == 400
    assert client.post(f"{url}/note/", {"text": "Called the worker back"}).status_code == 302
    assert client.post(f"{url}/note/", {"text": "Please reply", "visible_to_business": "on"}).status_code == 302
    supplier_page = body(client_for(world, "supplier", "viewer").get(f"{url}/"))
    assert "Please reply" in supplier_page and "Called the worker back" not in supplier_page

    assert client.post(f"{url}/close/", {"closure": "resolved"}).status_code == 400  # no validation yet
    assert "only when a worker has validated" in body(client.post(f"{url}/close/", {"closure": "resolved"}))
    assert client.post(f"{url}/close/", {"closure": "unresolved", "reason": ""}).status_code == 400
    assert (
        client.post(
            f"{url}/close/", {"closure": "duplicate", "reason": "same", "merged_into": "C-NOPE-NOPE"}
        ).status_code
        == 400
    )
    assert fresh(case).status == CaseStatus.SHARED

    assert client.post(f"{url}/request-validation/").status_code == 302
    assert fresh(case).status == CaseStatus.AWAITING_VALIDATION
    assert client.post(f"{url}/request-validation/").status_code == 400  # not twice

    before = WorkerValidation.objects.count()
    bad = {"worker": worker.pk, "method": "telepathy", "validated_at": "soon", "satisfaction": "9"}
    assert client.post(f"{url}/validation/", bad).status_code == 400
    future = {
        "worker": worker.pk,
        "method": "phone",
        "validated_at": local_input(timezone.now() + datetime.timedelta(days=1)),
        "satisfaction": "4",
    }
    assert client.post(f"{url}/validation/", future).status_code == 400  # refused by the service
    assert WorkerValidation.objects.count() == before
    good = future | {"validated_at": local_input(timezone.now() - datetime.timedelta(hours=2))}
    assert client.post(f"{url}/validation/", good | {"confirms_remediation": "on", "comments": "ok"}).status_code == 302
    assert client.post(f"{url}/close/", {"closure": "resolved"}).status_code == 302
    closed = fresh(case)
    assert closed.status == CaseStatus.CLOSED and closed.closure == "resolved"

    assert client.post(f"{url}/reopen/", {"reason": ""}).status_code == 400
    assert client.post(f"{url}/reopen/", {"reason": "The passports were taken again."}).status_code == 302
    assert fresh(case).status == CaseStatus.IN_REMEDIATION


def test_close_as_duplicate_names_the_other_case():
    world = build_world()
    first = open_case(world)
    second = open_case(world)
    client = client_for(world, "cso", "caseworker")
    page = body(client.get(f"/cases/{second.pk}/"))
    assert f'<option value="{first.reference}">' in page  # offered in the chooser
    outsider = world.outsiders["case"][0]
    data = {"closure": "duplicate", "reason": "Same caller", "merged_into": outsider.reference}
    assert client.post(f"/cases/{second.pk}/close/", data).status_code == 400
    assert client.post(f"/cases/{second.pk}/close/", data | {"merged_into": first.reference.lower()}).status_code == 302
    assert fresh(second).merged_into == first


def test_escalate_payments_rating_and_reveal():
    world = build_world()
    worker = canary_worker(world, consents={"share_identity": True})
    case = open_case(world, worker=worker, share=True)
    client = client_for(world, "cso", "caseworker")
    url = f"/cases/{case.pk}"

    stranger = OrganisationFactory(kind="buyer", countries=["TH"], name="Stranger Buyer")
    LinkFactory(kind="supply", customer=stranger, provider=world.orgs["upstream"])
    assert client.post(f"{url}/escalate/", {"buyer": world.orgs["buyer"].pk, "reason": ""}).status_code == 400
    assert client.post(f"{url}/escalate/", {"buyer": world.orgs["supplier"].pk, "reason": "x"}).status_code == 400
    assert not Escalation.objects.filter(case=case).exists()
    assert client.post(f"{url}/escalate/", {"buyer": world.orgs["buyer"].pk, "reason": "Help us"}).status_code == 302
    assert Escalation.objects.filter(case=case, buyer=world.orgs["buyer"]).exists()

    for bad in (
        {"worker": worker.pk, "currency": "ZZZ", "amount_owed": "10", "amount_repaid": "0", "workers_count": "1"},
        {"worker": worker.pk, "currency": "THB", "amount_owed": "-5", "amount_repaid": "0", "workers_count": "1"},
        {"worker": worker.pk, "currency": "THB", "amount_owed": "ten", "amount_repaid": "0", "workers_count": "1"},
        {"currency": "THB", "amount_owed": "10", "amount_repaid": "0", "workers_count": "1"},  # for whom?
    ):
        assert client.post(f"{url}/payments/add/", bad).status_code == 400, bad
    assert not Payment.objects.filter(case=case).exists()
    for currency, owed in (("THB", "1500.50"), ("THB", "500"), ("MMK", "20000")):
        data = {"worker": worker.pk, "currency": currency, "amount_owed": owed, "amount_repaid": "100"}
        assert client.post(f"{url}/payments/add/", data | {"workers_count": "1"}).status_code == 302
    page = body(client.get(f"{url}/"))
    assert "2,000.5" in page and "20,000" in page and "22,000.5" not in page  # per currency, never summed
    payment = Payment.objects.filter(case=case).first()
    verify = f"{url}/payments/{payment.pk}/verify/"
    assert client.post(verify, {"how": "carrier pigeon", "verified": "1"}).status_code == 400
    assert client.post(verify, {"how": "phone", "verified": "1"}).status_code == 302
    payment.refresh_from_db()
    assert payment.verified_by_worker and payment.verified_how == "phone"

    issue = case.issues.get()
    rate = f"{url}/issues/{issue.pk}/rate/"
    assert client.post(rate, {"rating": "superb"}).status_code == 400
    assert client.post(rate, {"rating": "good"}).status_code == 302
    issue.refresh_from_db()
    assert issue.rating == "good"

    request = {"worker": worker.pk, "organisation": world.orgs["supplier"].pk, "reason": ""}
    assert client.post(f"{url}/reveals/request/", request).status_code == 400
    assert client.post(f"{url}/reveals/request/", request | {"reason": "To repay the fees"}).status_code == 302
    reveal = IdentityReveal.objects.get(case=case)
    decide = f"{url}/reveals/{reveal.pk}/decide/"
    # The requester cannot approve, and the page does not offer it to them.
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    manager = client_for(world, "cso", "case_manager")
    assert "Approve" in body(manager.get(f"{url}/"))
    assert manager.post(decide, {"decision": "maybe"}).status_code == 400
    reveal.refresh_from_db()
    assert reveal.approved_at is None
    assert manager.post(decide, {"decision": "approve"}).status_code == 302
    reveal.refresh_from_db()
    assert reveal.approved_by == world.members[("cso", "case_manager")]
    assert manager.post(decide, {"decision": "decline"}).status_code == 400  # already decided
    second = services.identity_reveal_request(
        actor=cso(world), case=case, worker=worker, organisation=world.orgs["supplier"], reason="Again"
    )
    assert manager.post(f"{url}/reveals/{second.pk}/decide/", {"decision": "decline"}).status_code == 302
    second.refresh_from_db()
    assert second.declined_at is not None and second.approved_at is None


# --- the business's steps -------------------------------------------------------------------------------


def test_business_responds_plans_and_reports_on_actions():
    world = build_world()
    case = open_case(world, share=True)
    client = client_for(world, "supplier", "responder")
    url = f"/cases/{case.pk}"
    page = body(client.get(f"{url}/"))
    assert "Respond" in page and "Plan an action" in page

    assert client.post(f"{url}/respond/", {"kind": "response", "text": ""}).status_code == 400
    assert client.post(f"{url}/respond/", {"kind": "status", "text": "hi"}).status_code == 400
    assert fresh(case).first_response_at is None
    assert client.post(f"{url}/respond/", {"kind": "acknowledgement", "text": "We received it."}).status_code == 302
    responded = fresh(case)
    assert responded.first_response_at is not None and responded.status == CaseStatus.IN_REMEDIATION

    assert client.post(f"{url}/actions/add/", {"description": "", "due_date": "31/31/2026"}).status_code == 400
    assert not CaseAction.objects.filter(case=case).exists()
    data = {"description": "Return all passports", "due_date": str(timezone.localdate() + datetime.timedelta(days=7))}
    assert client.post(f"{url}/actions/add/", data).status_code == 302
    action = CaseAction.objects.get(case=case)
    assert action.responsible == world.orgs["supplier"]

    update = f"{url}/actions/{action.pk}/update/"
    assert client.post(update, {"text": "", "status": "done", "version": action.version}).status_code == 400
    ok = client.post(update, {"text": "All returned", "status": "done", "version": action.version})
    assert ok.status_code == 302
    stale = client.post(update, {"text": "Again", "status": "in_progress", "version": action.version})
    assert stale.status_code == 409
    action.refresh_from_db()
    assert action.status == "done" and action.last_reverted_at is not None

    cso_page = body(client_for(world, "cso", "caseworker").get(f"{url}/"))
    assert "We received it." in cso_page and "All returned" in cso_page
    assert Notification.objects.filter(case=case, user=cso(world).user, kind="case.business_responded").exists()


def test_a_business_cannot_update_another_businesss_action():
    world = build_world()
    case = open_case(world, share=True)
    services.case_add_business(actor=cso(world), case=case, organisation=world.orgs["destination_agency"])
    action = services.action_add(
        actor=cso(world),
        case=fresh(case),
        description="Agency refunds fees",
        responsible=world.orgs["destination_agency"],
    )
    client = client_for(world, "supplier", "admin")
    assert "Report progress" not in body(client.get(f"/cases/{case.pk}/"))
    response = client.post(
        f"/cases/{case.pk}/actions/{action.pk}/update/", {"text": "done", "status": "done", "version": action.version}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"


# --- notifications ---------------------------------------------------------------------------------------


def test_notifications_list_badge_and_mark_read():
    world = build_world()
    case = open_case(world, share=True)
    member = world.members[("supplier", "admin")]
    client = sign_in(Client(), member)
    mine = Notification.objects.filter(user=member.user)
    assert mine.count() == 1
    page = body(client.get("/cases/notifications/"))
    assert case.reference in page and "Outsider notification" not in page
    assert ">1<" in body(client.get("/cases/notifications/badge/"))
    notification = mine.get()
    assert client.get(f"/cases/notifications/{notification.pk}/read/").status_code == 405
    opened = client.post(f"/cases/notifications/{notification.pk}/read/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert body(client.get("/cases/notifications/badge/")).strip() == ""
    other = Notification.objects.create(user=member.user, organisation=world.orgs["supplier"], kind="x", message="m")
    assert client.post("/cases/notifications/read/").status_code == 302
    other.refresh_from_db()
    assert other.read_at is not None
    outsider = world.outsiders["notification"][0]
    assert client.post(f"/cases/notifications/{outsider.pk}/read/").status_code == 404
    outsider.refresh_from_db()
    assert outsider.read_at is None


# --- the worker page --------------------------------------------------------------------------------------


def test_worker_page_consents_identity_and_erasure():
    world = build_world()
    worker = canary_worker(world)
    case = neutral_case(world, worker=worker)
    client = client_for(world, "cso", "caseworker")
    page = body(client.get(f"/cases/workers/{worker.pk}/"))
    assert case.reference in page and "Myanmar" in page and CANARY_NAME not in page
    assert "Erase" not in page  # a caseworker may not erase

    assert (
        client.post(f"/cases/workers/{worker.pk}/consent/", {"consent": "telepathy", "value": "1"}).status_code == 400
    )
    response = client.post(f"/cases/workers/{worker.pk}/consent/", {"consent": "share_identity", "value": "1"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.consent_share_identity and worker.consent_share_identity_by == cso(world)
    assert cso(world).user.get_username() in body(client.get(f"/cases/workers/{worker.pk}/"))

    shown = client.post(f"/cases/workers/{worker.pk}/identity/", HTTP_HX_REQUEST="true")
    assert CANARY_NAME in body(shown) and CANARY_PASSPORT in body(shown)
    assert AuditEvent.objects.filter(action="identity.viewed", object_id=str(worker.pk)).count() == 1

    assert client.get(f"/cases/workers/{worker.pk}/erase/").status_code == 403
    admin = client_for(world, "cso", "admin")
    assert admin.get(f"/cases/workers/{worker.pk}/erase/").status_code == 200
    wrong = admin.post(f"/cases/workers/{worker.pk}/erase/", {"reason": "asked", "confirmation": "W0"})
    assert wrong.status_code == 400
    assert Worker.objects.get(pk=worker.pk).full_name == CANARY_NAME
    assert (
        admin.post(f"/cases/workers/{worker.pk}/erase/", {"reason": "", "confirmation": worker.label}).status_code
        == 400
    )
    done = admin.post(
        f"/cases/workers/{worker.pk}/erase/", {"reason": "The worker asked.", "confirmation": worker.label}
    )
    assert done.status_code == 302
    erased = Worker.objects.get(pk=worker.pk)
    assert erased.erased_at is not None and erased.full_name == ""
    assert "Show identity" not in body(admin.get(f"/cases/workers/{worker.pk}/"))
    assert admin.post(f"/cases/workers/{worker.pk}/identity/").status_code == 403


# --- home page and admin ---------------------------------------------------------------------------------


def test_home_page_counts_cases():
    world = build_world()
    open_case(world)
    waiting = open_case(world, share=True)
    Case.objects.filter(pk=waiting.pk).update(shared_at=timezone.now() - datetime.timedelta(days=9))
    cso_home = body(client_for(world, "cso", "caseworker").get("/"))
    assert "Open cases" in cso_home and "Overdue cases" in cso_home and "Cases awaiting worker validation" in cso_home
    supplier_home = body(client_for(world, "supplier", "viewer").get("/"))
    assert "1 worker-reported case waits for your response." in supplier_home
    assert "Overdue cases" not in supplier_home
    assert "Open cases" not in body(client_for(world, "government", "admin").get("/"))
    nav = body(client_for(world, "academic", "admin").get("/"))
    assert 'href="/cases/"' not in nav and 'href="/cases/notifications/"' in nav


def test_admin_never_shows_encrypted_fields():
    world = build_world()
    worker = canary_worker(world)
    case = neutral_case(world, worker=worker, share=True)
    validate_and_close(world, case, worker)
    admin = world.members[("tp", "admin")]
    admin.user.is_staff = True
    admin.user.save()
    client = sign_in(Client(), admin)
    validation = WorkerValidation.objects.get(case=case)
    for url in (
        f"/admin/cases/worker/{worker.pk}/change/",
        "/admin/cases/worker/",
        f"/admin/cases/case/{case.pk}/change/",
        f"/admin/cases/issue/{case.issues.get().pk}/change/",
        f"/admin/cases/workervalidation/{validation.pk}/change/",
        f"/admin/cases/contact/{world.outsiders['contact'][0].pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = body(response)
        for secret in (CANARY_NAME, "555 0199", INTERNAL_NOTE, ISSUE_SECRET, "passport is back"):
            assert secret not in page, (url, secret)
