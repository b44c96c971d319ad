"""Ethical Recruitment Networks, the write path: who may create what, bad input refused with the field named
and nothing saved, audit events, edits by the recording organisation only, members leaving, and the totals
(per currency, never summed across currencies)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ilm.core.models import AuditEvent
from ilm.recruitment import selectors, services
from ilm.recruitment.models import BrokerReport, NetworkMember, OutreachEvent, RecruitmentNetwork, Referral
from tests.factories import country
from tests.recruitment.ern_world import BROKER, DAY, ErnWorld, build, event_data, referral_data, report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> ErnWorld:
    return build(records=False)


def test_the_technical_partner_creates_networks_one_active_per_country(w: ErnWorld):
    tp = w.m("tp", "admin")
    with pytest.raises(ValidationError) as exc:
        services.network_create(actor=tp, origin_country=country("MM"), name="Second Myanmar ERN")
    assert "origin_country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.network_create(actor=tp, origin_country=country("NP"), name="  ")
    assert "name" in exc.value.message_dict
    for key, role in (("tp", "caseworker"), ("tp", "viewer"), ("cso", "admin"), ("government", "admin")):
        with pytest.raises(PermissionDenied):
            services.network_create(actor=w.m(key, role), origin_country=country("NP"), name="Nepal ERN")
    assert RecruitmentNetwork.objects.count() == 2
    nepal = services.network_create(actor=tp, origin_country=country("NP"), name="Nepal ERN")
    assert AuditEvent.objects.filter(action="recruitment.network_created", object_id=str(nepal.pk)).exists()
    # Closing a network ends its memberships; a closed one does not block a new network for the country.
    services.network_update(actor=tp, network=w.network, name="Myanmar ERN (old)", is_active=False)
    assert not w.network.members.filter(left_on__isnull=True).exists()
    services.network_create(actor=tp, origin_country=country("MM"), name="Myanmar ERN")


@pytest.mark.parametrize("key", ["supplier", "buyer", "industry_body", "academic", "tp"])
def test_only_agencies_csos_and_government_can_be_members(w: ErnWorld, key: str):
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=w.m("tp", "admin"), network=w.network, organisation=w.orgs[key])
    assert "organisation" in exc.value.message_dict
    assert "Only recruitment agencies, CSOs and government bodies" in exc.value.message_dict["organisation"][0]
    assert not NetworkMember.objects.filter(organisation=w.orgs[key]).exists()


def test_members_are_managed_by_the_technical_partner_only(w: ErnWorld):
    tp = w.m("tp", "case_manager")
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=tp, network=w.network, organisation=w.orgs["cso"])
    assert "already a member" in exc.value.message_dict["organisation"][0]
    with pytest.raises(PermissionDenied):
        services.member_add(actor=w.m("cso", "admin"), network=w.network, organisation=w.orgs["outside_cso"])
    future = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=tp, network=w.network, organisation=w.orgs["outside_cso"], joined_on=future)
    assert "joined_on" in exc.value.message_dict
    member = services.member_add(actor=tp, network=w.network, organisation=w.orgs["outside_cso"], role="coordinator")
    assert member.role == "coordinator" and member.added_by == tp
    assert AuditEvent.objects.filter(action="recruitment.network_member_added", object_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"fee_currency": "XYZ"}, "fee_currency"),
        ({"fee_currency": "KYAT"}, "fee_currency"),
        ({"fee_amount": "-5"}, "fee_amount"),
        ({"fee_amount": "0"}, "fee_amount"),
        ({"fee_amount": "12.345"}, "fee_amount"),
        ({"fee_amount": "lots"}, "fee_amount"),
        ({"fee_amount": "", "fee_currency": "MMK"}, "fee_amount"),
        ({"repaid_amount": "100", "repaid_currency": "ABC", "jobseekers_repaid": 1}, "repaid_currency"),
        ({"repaid_amount": "-1", "repaid_currency": "MMK", "jobseekers_repaid": 1}, "repaid_amount"),
        ({"repaid_amount": "100", "repaid_currency": "MMK"}, "jobseekers_repaid"),
        ({"jobseekers_repaid": 13}, "jobseekers_repaid"),
        ({"jobseekers_charged": -1}, "jobseekers_charged"),
        ({"broker_name": " "}, "broker_name"),
        ({"area": ""}, "area"),
        ({"reported_on": None}, "reported_on"),
        ({"reported_on": datetime.date(2999, 1, 1)}, "reported_on"),
        ({"intervention": "threatened"}, "intervention"),
        ({"referred_to": "police"}, "referred_on"),
        ({"referred_to": "the press", "referred_on": DAY}, "referred_to"),
        ({"referred_on": DAY}, "referred_to"),
        ({"status": "gone"}, "status"),
    ],
)
def test_bad_broker_reports_are_refused_with_the_field_named_and_nothing_saved(w: ErnWorld, extra, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.broker_report_create(actor=w.m("cso", "caseworker"), network=w.network, **report_data(**extra))
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not BrokerReport.objects.exists() and AuditEvent.objects.count() == before


def test_unknown_currency_message_is_clear(w: ErnWorld):
    with pytest.raises(ValidationError) as exc:
        services.broker_report_create(
            actor=w.m("cso", "caseworker"), network=w.network, **report_data(fee_currency="XYZ")
        )
    assert exc.value.message_dict["fee_currency"] == ["Use an ISO 4217 currency code, such as THB, MMK or USD."]


@pytest.mark.parametrize(
    "key_role",
    [
        ("outside_cso", "caseworker"),
        ("outside_agency", "admin"),
        ("kh_cso", "caseworker"),  # another network's member
        ("supplier", "admin"),
        ("buyer", "admin"),
        ("cso", "viewer"),  # a member, but a viewer
        ("agency", "viewer"),
        ("government", "viewer"),
        ("tp", "viewer"),
    ],
)
def test_non_members_and_viewers_cannot_record_anything(w: ErnWorld, key_role):
    actor = w.m(*key_role)
    for create, data in (
        (services.broker_report_create, report_data()),
        (services.outreach_event_create, event_data()),
        (services.referral_create, referral_data()),
    ):
        with pytest.raises(PermissionDenied):
            create(actor=actor, network=w.network, **data)
    assert not (BrokerReport.objects.exists() or OutreachEvent.objects.exists() or Referral.objects.exists())


def test_members_record_and_only_the_recording_organisation_or_the_tp_edits(w: ErnWorld):
    cso, agency, gov = w.m("cso", "caseworker"), w.m("agency", "responder"), w.m("government", "admin")
    report = services.broker_report_create(actor=agency, network=w.network, **report_data())
    assert report.reported_by == w.orgs["agency"] and report.broker_name == BROKER
    created = AuditEvent.objects.get(action="recruitment.broker_report_created", object_id=str(report.pk))
    assert BROKER not in str(created.detail)  # the audit log never carries the name
    event = services.outreach_event_create(actor=gov, network=w.network, **event_data())
    referral = services.referral_create(actor=cso, network=w.network, **referral_data())
    for actor in (cso, gov):
        with pytest.raises(PermissionDenied):
            services.broker_report_update(actor=actor, report=report, **report_data(status="closed"))
    with pytest.raises(PermissionDenied):
        services.outreach_event_update(actor=cso, event=event, **event_data(topic="Changed"))
    with pytest.raises(PermissionDenied):
        services.referral_update(actor=agency, referral=referral, **referral_data(outcome="received"))
    report = services.broker_report_update(actor=agency, report=report, **report_data(status="closed"))
    assert report.status == "closed" and report.version == 2
    changed = AuditEvent.objects.get(action="recruitment.broker_report_changed", object_id=str(report.pk))
    assert changed.detail["fields"] == ["status"]
    services.outreach_event_update(
        actor=w.m("tp", "caseworker"), event=event, **event_data(reach={"female": 5, "other": 2})
    )
    assert {c.gender: c.count for c in event.reach.all()} == {"female": 5, "other": 2}
    referral = services.referral_update(actor=cso, referral=referral, **referral_data(outcome="received"))
    assert referral.outcome == "received"


def test_outreach_and_referral_bad_input(w: ErnWorld):
    cso = w.m("cso", "caseworker")
    for extra, field in (
        ({"reach": {}}, "reach"),
        ({"reach": {"female": -3}}, "reached_female"),
        ({"reach": {"robot": 3}}, "reach"),
        ({"language": "xx"}, "language"),
        ({"place": ""}, "place"),
        ({"held_on": datetime.date(2999, 1, 1)}, "held_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.outreach_event_create(actor=cso, network=w.network, **event_data(**extra))
        assert field in exc.value.message_dict, (extra, exc.value.message_dict)
    for extra, field in (
        ({"service": "lawyer"}, "service"),
        ({"service_name": ""}, "service_name"),
        ({"outcome": "maybe"}, "outcome"),
        ({"referred_on": None}, "referred_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.referral_create(actor=cso, network=w.network, **referral_data(**extra))
        assert field in exc.value.message_dict
    assert not OutreachEvent.objects.exists() and not Referral.objects.exists()


def test_a_referral_points_only_at_a_worker_of_the_referring_cso(w: ErnWorld):
    from ilm.cases.models import Worker

    own = Worker.objects.create(cso=w.orgs["cso"], full_name="Ma Own Jobseeker", gender="female")
    foreign = Worker.objects.create(cso=w.orgs["kh_cso"], full_name="Someone Else", gender="male")
    cso = w.m("cso", "caseworker")
    with pytest.raises(ValidationError) as exc:
        services.referral_create(actor=cso, network=w.network, **referral_data(worker=foreign))
    assert "worker" in exc.value.message_dict
    referral = services.referral_create(actor=cso, network=w.network, **referral_data(worker=own))
    assert referral.worker == own
    assert list(selectors.referral_workers(membership=cso)) == [own]
    assert not selectors.referral_workers(membership=w.m("agency", "admin")).exists()


def test_a_member_that_left_reads_and_records_nothing(w: ErnWorld):
    cso = w.m("cso", "caseworker")
    report = services.broker_report_create(actor=cso, network=w.network, **report_data())
    member = w.network.members.get(organisation=w.orgs["cso"])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.member_change(actor=w.m("tp", "admin"), member=member, role="member", left_on=yesterday)
    assert not selectors.network_list(membership=cso).exists()
    assert not selectors.broker_report_list(membership=cso).exists()
    with pytest.raises(PermissionDenied):
        services.broker_report_create(actor=cso, network=w.network, **report_data())
    with pytest.raises(PermissionDenied):
        services.broker_report_update(actor=cso, report=report, **report_data())
    with pytest.raises(PermissionDenied):
        services.broker_report_view(actor=cso, report=report)


def test_viewing_a_broker_name_is_audited(w: ErnWorld):
    report = services.broker_report_create(actor=w.m("cso", "caseworker"), network=w.network, **report_data())
    assert services.broker_report_view(actor=w.m("government", "viewer"), report=report) == BROKER
    event = AuditEvent.objects.get(action="recruitment.broker_viewed", object_id=str(report.pk))
    assert event.organisation_id == w.orgs["government"].pk and event.detail == {"purpose": "page"}
    with pytest.raises(PermissionDenied):
        services.broker_report_view(actor=w.m("supplier", "admin"), report=report)


def test_totals_per_currency_and_by_gender(w: ErnWorld):
    cso, agency = w.m("cso", "caseworker"), w.m("agency", "admin")
    services.broker_report_create(
        actor=cso,
        network=w.network,
        **report_data(
            repaid_amount="600000", repaid_currency="MMK", jobseekers_repaid=4, referred_to="police", referred_on=DAY
        ),
    )
    services.broker_report_create(
        actor=agency,
        network=w.network,
        **report_data(
            fee_amount="3000",
            fee_currency="THB",
            repaid_amount="1000.50",
            repaid_currency="THB",
            jobseekers_repaid=1,
            jobseekers_charged=2,
        ),
    )
    services.broker_report_create(actor=agency, network=w.network, **report_data(fee_amount="", fee_currency=""))
    services.outreach_event_create(actor=cso, network=w.network, **event_data())
    services.outreach_event_create(actor=agency, network=w.network, **event_data(reach={"female": 1, "other": 4}))
    services.referral_create(actor=cso, network=w.network, **referral_data(outcome="received"))
    services.referral_create(actor=cso, network=w.network, **referral_data())
    totals = selectors.network_totals(w.network)
    assert totals.events == 2 and totals.reached == {"female": 31, "male": 20, "other": 4}
    assert totals.reached_total == 55
    assert totals.brokers_reported == 3 and totals.referred_to_mechanism == 1
    assert totals.jobseekers_charged == 26 and totals.jobseekers_repaid == 5
    assert [(t.currency, t.amount) for t in totals.fees_repaid] == [
        ("MMK", Decimal("600000")),
        ("THB", Decimal("1000.50")),
    ]
    assert [(t.currency, t.amount) for t in totals.fees_charged] == [
        ("MMK", Decimal("1500000")),
        ("THB", Decimal("3000")),
    ]
    assert totals.referrals == {"pending": 1, "received": 1, "not_received": 0}
    assert selectors.network_totals(w.other).events == 0
