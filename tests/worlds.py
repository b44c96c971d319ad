"""A small network with one organisation of every kind and one member of every role, plus an
unrelated "outsider" cluster that no home member (except the technical partner) may see."""

from __future__ import annotations

import datetime
import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ilm.accounts.models import ApiToken, Invitation, Membership
from ilm.core import audit
from ilm.core.permissions import ROLES_BY_KIND
from ilm.network.models import Collaboration, HeadcountSnapshot, Link, Organisation, Site
from tests.factories import (
    ChannelFactory,
    LinkFactory,
    MembershipFactory,
    OrganisationFactory,
    SiteFactory,
    country,
)

HOME_KINDS = {
    "tp": "technical_partner",
    "cso": "cso",
    "buyer": "buyer",
    "supplier": "supplier",
    "upstream": "supplier",
    "destination_agency": "recruitment_agency",
    "origin_agency": "recruitment_agency",
    "government": "government",
    "industry_body": "industry_body",
    "academic": "academic",
}


def matrix_members(members: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (organisation, role) pairs a generated matrix runs as.

    On PostgreSQL (production's database, and CI's second run of the suite) every role of every organisation.
    On SQLite only each organisation's first role in the list (its administrator: the widest reader), so that
    `make test`, which runs the suite on both, stays within its time: the matrices check scoping in the
    queries the ORM writes, the same on both databases, and they are most of the suite's time.
    ILM_FULL_MATRIX=1 runs every role on SQLite too."""
    members = list(members)
    if connection_vendor() != "sqlite" or os.environ.get("ILM_FULL_MATRIX") == "1":
        return members
    seen: set[str] = set()
    first = []
    for key, role in members:
        if key not in seen:
            seen.add(key)
            first.append((key, role))
    return first


def connection_vendor() -> str:
    from django.conf import settings

    engine = str(settings.DATABASES["default"]["ENGINE"])
    return "sqlite" if "sqlite" in engine else engine.rsplit(".", 1)[-1]


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)
    outsiders: dict[str, list[Any]] = field(default_factory=dict)
    extra_names: list[str] = field(default_factory=list)

    def home_memberships(self, *, include_tp: bool = False) -> list[Membership]:
        return [m for (key, _role), m in self.members.items() if include_tp or key != "tp"]

    def outsider_names(self) -> list[str]:
        names = [o.name for o in self.outsiders["organisation"]]
        names += [s.name for s in self.outsiders["site"]]
        names += [case.reference for case in self.outsiders["case"]]
        names += ["Outsider shareable summary", "Outsider response", "Outsider action", OUTSIDER_WORKER_NAME]
        names += [OUTSIDER_SENDER, "Outsider Sender", OUTSIDER_MESSAGE, "Outsider quick reply"]
        names += ["Outsider plan row", "Outsider check-in", "Outsider supply chain", "Outsider Focal Person"]
        names += [OUTSIDER_TRAINING_NOTES]
        names += ["Outsider evidence", "Outsider training suggestion", "Outsider policy document"]
        names += self.extra_names
        return names


def build_world() -> World:
    world = World()
    subkinds = {"destination_agency": "destination", "origin_agency": "origin"}
    for key, kind in HOME_KINDS.items():
        extra = {"subkind": subkinds[key]} if key in subkinds else {}
        world.orgs[key] = OrganisationFactory(
            kind=kind,
            name=f"Home {key.replace('_', ' ')}",
            countries=["MM"] if key == "origin_agency" else ["TH"],
            **extra,
        )
    o = world.orgs
    world.sites["supplier"] = SiteFactory(supplier=o["supplier"], name="Home supplier plant")
    world.sites["upstream"] = SiteFactory(
        supplier=o["upstream"], name="Home upstream vessel", site_type="fishing_vessel"
    )
    HeadcountSnapshot.objects.create(
        site=world.sites["supplier"],
        as_of=datetime.date(2026, 1, 31),
        gender="female",
        nationality=country("MM"),
        count=120,
    )
    world.links["supply"] = LinkFactory(kind="supply", customer=o["buyer"], provider=o["supplier"])
    world.links["upstream"] = LinkFactory(kind="upstream", customer=o["supplier"], provider=o["upstream"], tier=None)
    world.links["recruitment"] = LinkFactory(
        kind="recruitment",
        customer=o["supplier"],
        provider=o["destination_agency"],
        disclosed_to_buyers=True,
        tier=None,
    )
    world.links["agency"] = LinkFactory(
        kind="recruitment", customer=o["destination_agency"], provider=o["origin_agency"], tier=None
    )
    ChannelFactory(cso=o["cso"], name="Home hotline", provider="hotline")
    Collaboration.objects.create(cso=o["cso"], organisation=o["buyer"])
    for key, kind in HOME_KINDS.items():
        for role in ROLES_BY_KIND[kind]:
            world.members[(key, role)] = MembershipFactory(
                organisation=o[key], role=role, user__username=f"{key}-{role}".replace("_", "-")
            )

    # The outsider cluster: in Viet Nam, linked only among itself.
    out_supplier = OrganisationFactory(kind="supplier", name="Outsider Supplier Ltd", countries=["VN"])
    out_buyer = OrganisationFactory(kind="buyer", name="Outsider Buyer Inc", countries=["US"])
    out_agency = OrganisationFactory(
        kind="recruitment_agency", subkind="destination", name="Outsider Agency Co", countries=["VN"]
    )
    out_cso = OrganisationFactory(kind="cso", name="Outsider CSO", countries=["VN"])
    out_site = SiteFactory(supplier=out_supplier, name="Outsider secret plant", country=country("VN"))
    out_links = [
        LinkFactory(kind="supply", customer=out_buyer, provider=out_supplier),
        LinkFactory(kind="recruitment", customer=out_supplier, provider=out_agency, tier=None),
    ]
    out_members = [
        MembershipFactory(organisation=org, role="admin", user__username=f"outsider-{org.kind}")
        for org in (out_supplier, out_buyer, out_agency, out_cso)
    ]
    out_tokens = [
        ApiToken.objects.create(
            membership=m,
            name="outsider token",
            prefix=f"out{m.pk:06d}",
            digest="0" * 64,
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
        for m in out_members
    ]
    out_invitations = [
        Invitation.objects.create(
            organisation=out_supplier,
            email="new@outsider.example",
            role="viewer",
            digest="1" * 64,
            invited_by=out_members[0],
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
    ]
    out_channel = ChannelFactory(cso=out_cso, name="Outsider WhatsApp")
    out_headcount = HeadcountSnapshot.objects.create(
        site=out_site, as_of=datetime.date(2026, 1, 31), gender="male", nationality=country("KH"), count=77
    )
    out_events = [audit.record("test.outsider_event", membership=out_members[0], obj=out_site)]
    out_collab = Collaboration.objects.create(cso=out_cso, organisation=out_supplier)
    out_case_objects = _outsider_case(out_cso, out_supplier, out_buyer, out_members)
    out_conversation = _outsider_conversation(out_channel, out_case_objects["case"][0])
    from ilm.channels.models import QuickReply

    out_quick_reply = QuickReply.objects.create(
        cso=out_cso, language="vi", title="Outsider quick reply", text="Outsider quick reply text"
    )
    world.outsiders = {
        "organisation": [out_supplier, out_buyer, out_agency],
        "site": [out_site],
        "link": out_links,
        "membership": out_members,
        "apitoken": out_tokens,
        "invitation": out_invitations,
        "channel": [out_channel],
        "headcountsnapshot": [out_headcount],
        "auditevent": out_events,
        "collaboration": [out_collab],
        "cso": [out_cso],
        "conversation": [out_conversation],
        "quickreply": [out_quick_reply],
        "message": [_outsider_photo(out_conversation)],
        "validationrequest": [_outsider_validation_request(out_conversation, out_case_objects)],
        **out_case_objects,
    }
    world.outsiders.update(_outsider_plans(out_supplier, out_agency, out_cso))
    world.outsiders.update(_outsider_trainings(out_supplier, out_cso))
    world.outsiders["policydocument"] = [_outsider_policy_document(out_supplier, out_members[0])]
    # Later apps add their outsider objects: tests/<app>/world.py with
    # `outsiders(*, supplier, buyer, agency, cso, site, members) -> dict[str, list]` (keyed by model name, like
    # above) and `OUTSIDER_NAMES` (texts that must never show to a home member).
    for app in WORLD_EXTENSIONS:
        try:
            module = importlib.import_module(f"tests.{app}.world")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{app}.world":
                raise
            continue
        world.outsiders.update(
            module.outsiders(
                supplier=out_supplier,
                buyer=out_buyer,
                agency=out_agency,
                cso=out_cso,
                site=out_site,
                members=out_members,
            )
        )
        world.extra_names += list(module.OUTSIDER_NAMES)
    return world


WORLD_EXTENSIONS = ("recruitment", "surveys", "jobs", "indicators", "dashboards")


OUTSIDER_SENDER = "+84 90 555 0199"
OUTSIDER_MESSAGE = "Outsider message text"


def _outsider_conversation(channel: Any, case: Any) -> Any:
    """A conversation on the outsider CSO's channel, with a message in and a reply out."""
    from django.utils import timezone

    from ilm.channels.models import Conversation, Message

    now = timezone.now()
    conversation = Conversation.objects.create(
        channel=channel, cso_id=channel.cso_id, sender=OUTSIDER_SENDER, sender_name="Outsider Sender", case=case
    )
    for direction in ("in", "out"):
        Message.objects.create(
            conversation=conversation,
            channel=channel,
            direction=direction,
            provider_message_id=f"wamid.outsider.{direction}",
            text=OUTSIDER_MESSAGE,
            sent_at=now,
        )
    return conversation


def _outsider_validation_request(conversation: Any, case_objects: dict[str, list[Any]]) -> Any:
    """The outsider worker's answer to a validation question, waiting for the outsider CSO to confirm."""
    from django.utils import timezone

    from ilm.cases.models import ValidationRequest

    question = conversation.messages.filter(direction="out").first()
    reply = conversation.messages.filter(direction="in").first()
    return ValidationRequest.objects.create(
        case=case_objects["case"][0],
        worker=case_objects["worker"][0],
        conversation=conversation,
        question=question,
        reply=reply,
        status="answered",
        asked_at=timezone.now(),
        replied_at=timezone.now(),
    )


def _outsider_photo(conversation: Any) -> Any:
    """The outsider worker's inbound message, with its photo downloaded and stored (channels media)."""
    from django.core.files.base import ContentFile

    from ilm.channels.fake_provider import SAMPLE_MEDIA
    from ilm.channels.media_store import media_purpose
    from ilm.channels.models import MessageMedia
    from ilm.core import crypto

    message = conversation.messages.get(direction="in")
    png = SAMPLE_MEDIA["photo"][0]
    media = MessageMedia(message=message, status="stored", content_type="image/png", size=len(png))
    media.file_name = "outsider-photo.png"
    media.file.save("media", ContentFile(crypto.encrypt_bytes(png, purpose=media_purpose(message.pk))), save=False)
    media.save()
    return message


OUTSIDER_WORKER_NAME = "Outsider Worker Secretname"


def _outsider_case(
    cso: Organisation, supplier: Organisation, buyer: Organisation, members: list[Any]
) -> dict[str, list[Any]]:
    """A full case of the outsider CSO about the outsider supplier: shared, escalated, with everything."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from ilm.cases.models import (
        Attachment,
        Case,
        CaseAction,
        CaseBusiness,
        CaseExport,
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
        WorkerIdentifier,
        WorkerValidation,
    )

    cso_member = MembershipFactory(organisation=cso, role="caseworker", user__username="outsider-caseworker")
    now = timezone.now()
    worker = Worker.objects.create(cso=cso, full_name=OUTSIDER_WORKER_NAME, gender="male", consent_share_identity=True)
    WorkerIdentifier.objects.create(worker=worker, kind="phone", value="+84 90 000 1111")
    case = Case.objects.create(
        cso=cso,
        summary="Outsider shareable summary",
        status="in_remediation",
        shared_at=now,
        assessed_at=now,
        assigned_to=cso_member,
    )
    CaseBusiness.objects.create(case=case, organisation=supplier)
    CaseWorker.objects.create(case=case, worker=worker)
    issue = Issue.objects.create(
        case=case, category=IssueCategory.objects.get(code="debt_bondage"), shareable_description="Outsider issue"
    )
    contact = Contact.objects.create(
        cso=cso, occurred_at=now, who="worker", purpose="issue_report", worker=worker, case=case, logged_by=cso_member
    )
    action = CaseAction.objects.create(
        case=case, responsible=supplier, description="Outsider action", created_by=cso_member
    )
    update = CaseUpdate.objects.create(
        case=case, kind="response", text="Outsider response", organisation=supplier, author=members[0]
    )
    payment = Payment.objects.create(
        case=case, worker=worker, currency="VND", amount_owed="100", recorded_by=cso_member
    )
    validation = WorkerValidation.objects.create(
        case=case, worker=worker, method="phone", validated_at=now, satisfaction=3, recorded_by=cso_member
    )
    attachment = Attachment(
        case=case,
        organisation=supplier,
        uploaded_by=members[0],
        content_type="text/plain",
        size=5,
        sha256="0" * 64,
        original_name="outsider.txt",
        visible_to_business=True,
    )
    attachment.file.save("outsider.txt", ContentFile(b"hello"), save=False)
    attachment.save()
    reveal = IdentityReveal.objects.create(
        case=case, worker=worker, organisation=supplier, reason="Outsider reveal", requested_by=cso_member
    )
    escalation = Escalation.objects.create(
        case=case, buyer=buyer, reason="Outsider escalation", escalated_by=cso_member
    )
    notification = Notification.objects.create(
        user=members[0].user, organisation=supplier, case=case, kind="case.shared", message="Outsider notification"
    )
    export = CaseExport.objects.create(membership=members[0], format="csv")
    return {
        "case": [case],
        "worker": [worker],
        "issue": [issue],
        "contact": [contact],
        "caseaction": [action],
        "caseupdate": [update],
        "payment": [payment],
        "workervalidation": [validation],
        "attachment": [attachment],
        "identityreveal": [reveal],
        "escalation": [escalation],
        "notification": [notification],
        "caseexport": [export],
    }


def _outsider_plans(supplier: Organisation, agency: Organisation, cso: Organisation) -> dict[str, list[Any]]:
    """The outsider supplier's action plan (a row, a check-in), baseline and focal point, and Viet Nam's
    country plan (browsable by every partner organisation, so it names only the outsider CSO)."""
    from ilm.plans.models import Activity, Baseline, FocalPoint, Plan, PlanCheckIn, PlanRow

    bap = Plan.objects.create(kind="business", organisation=supplier, year=2026)
    bap_row = PlanRow.objects.create(plan=bap, position=1, description="Outsider plan row", remarks="Q2")
    bap_row.activities.set(Activity.objects.filter(code__in=["2.6", "2.7"]))
    bap_row.organisations.set([agency])
    checkin = PlanCheckIn.objects.create(
        plan=bap, held_on=datetime.date(2026, 6, 30), participants="Outsider HR", summary="Outsider check-in"
    )
    baseline = Baseline.objects.create(organisation=supplier, supply_chain="Outsider supply chain")
    focal_point = FocalPoint.objects.create(
        baseline=baseline, role="HR director", purpose="issues", name="Outsider Focal Person", phone="+84905550100"
    )
    cap = Plan.objects.create(kind="country", country=country("VN"), year=2026)
    cap_row = PlanRow.objects.create(plan=cap, position=1, description="Viet Nam hotline row")
    cap_row.activities.set(Activity.objects.filter(code="1.2"))
    cap_row.organisations.set([cso])
    from ilm.plans.models import BusinessActionPlan, CountryActionPlan, IndicatorSuggestion, IndicatorValue

    indicator = IndicatorValue.objects.create(
        organisation=supplier, indicator="WV1", status="partial", evidence="Outsider evidence", set_at=timezone.now()
    )
    suggestion = IndicatorSuggestion.objects.create(
        organisation=supplier, indicator="ER7", suggested_status="partial", reason="Outsider training suggestion"
    )
    return {
        "indicatorvalue": [indicator],
        "indicatorsuggestion": [suggestion],
        "countryactionplan": [CountryActionPlan.objects.get(pk=cap.pk)],
        "businessactionplan": [BusinessActionPlan.objects.get(pk=bap.pk)],
        "planrow": [bap_row],
        "plancheckin": [checkin],
        "baseline": [baseline],
        "focalpoint": [focal_point],
    }


def _outsider_policy_document(supplier: Organisation, admin: Membership) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ilm.plans.documents import policy_document_add

    upload = SimpleUploadedFile("outsider-policy.txt", b"Outsider labour policy", content_type="text/plain")
    return policy_document_add(actor=admin, organisation=supplier, upload=upload, title="Outsider policy document")


OUTSIDER_TRAINING_NOTES = "Outsider training notes"


def _outsider_trainings(supplier: Organisation, cso: Organisation) -> dict[str, list[Any]]:
    """A course the outsider CSO runs (every member reads courses) and a held session of it for the outsider
    supplier, with participants (only the technical partner, the trainer and the trained read it)."""
    from ilm.plans.models import Course, TrainingAttendance, TrainingSession

    course = Course.objects.create(
        title="Grievance mechanisms in Vietnamese", activity_id="1.5", mode="in_person", language="vi", provider=cso
    )
    session = TrainingSession.objects.create(
        course=course,
        held_on=datetime.date(2026, 2, 3),
        place="Outsider secret plant",
        trained_organisation=supplier,
        trainer_organisation=cso,
        notes=OUTSIDER_TRAINING_NOTES,
        completed=True,
    )
    TrainingAttendance.objects.create(session=session, role="hr", gender="female", count=4)
    return {"course": [course], "trainingsession": [session]}


__all__ = ["World", "build_world"]
