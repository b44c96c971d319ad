"""Who reads what of the Ethical Recruitment Networks, table-driven over every kind of organisation (and
role) by every kind of object, through the selectors, the pages and the API. The network's active members
and the technical partner read it; nobody else: not a supplier, a buyer, an industry body or academic, an
agency, CSO or government body outside the network, nor another network's members (404 everywhere)."""

from __future__ import annotations

import pytest
from django.test import Client

from ilm.recruitment import selectors
from tests.api.test_api import api, token_for
from tests.conftest import sign_in
from tests.recruitment.ern_world import BROKER, KINDS, OTHER_BROKER, ErnWorld, build

pytestmark = pytest.mark.django_db

SELECTORS = {
    "recruitmentnetwork": selectors.network_list,
    "networkmember": selectors.network_member_list,
    "brokerreport": selectors.broker_report_list,
    "outreachevent": selectors.outreach_event_list,
    "referral": selectors.referral_list,
}
# What each organisation (key of ern_world.KINDS) reads: the Myanmar network's objects ("mm"), Cambodia's
# ("kh"), both, or nothing. The same for every role of the organisation, viewers included.
READS = {
    "tp": {"mm", "kh"},
    "cso": {"mm"},
    "agency": {"mm"},
    "government": {"mm"},
    "kh_cso": {"kh"},
    "outside_cso": set(),
    "outside_agency": set(),
    "outside_government": set(),
    "supplier": set(),
    "buyer": set(),
    "industry_body": set(),
    "academic": set(),
}
ALL_ROLES = [(key, role) for key, (_kind, roles) in KINDS.items() for role in roles]
PAGE_ROUTES = {
    "recruitmentnetwork": ["/recruitment/networks/{}/"],
    "networkmember": [],
    "brokerreport": ["/recruitment/networks/broker-reports/{}/"],
    "outreachevent": [],
    "referral": [],
}
API_ROUTES = {
    "recruitmentnetwork": "/api/v1/recruitment-networks/",
    "networkmember": "/api/v1/network-members/",
    "brokerreport": "/api/v1/broker-reports/",
    "outreachevent": "/api/v1/outreach-events/",
    "referral": "/api/v1/referrals/",
}


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker):
    """One world for the whole module (read-only tests), removed at the end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        world = build()
        yield world
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def network_of(obj) -> int:
    return obj.pk if obj._meta.model_name == "recruitmentnetwork" else obj.network_id


@pytest.mark.parametrize(("key", "role"), ALL_ROLES, ids=[f"{k}-{r}" for k, r in ALL_ROLES])
def test_each_kind_reads_exactly_its_networks_objects(w: ErnWorld, key: str, role: str):
    membership = w.members[(key, role)]
    expected_networks = {w.network.pk: "mm", w.other.pk: "kh"}
    client = sign_in(Client(), membership)
    secret = token_for(membership)
    for model_name, selector in SELECTORS.items():
        objects = w.made[model_name]
        visible = set(selector(membership=membership).values_list("pk", flat=True))
        expected = {o.pk for o in objects if expected_networks[network_of(o)] in READS[key]}
        assert visible == expected, (model_name, key, role)
        listed = api(Client(), "get", API_ROUTES[model_name], secret).json()["results"]
        assert {row["id"] for row in listed} == expected, (model_name, key, role)
        for obj in objects:
            readable = obj.pk in expected
            for route in PAGE_ROUTES[model_name]:
                status = client.get(route.format(obj.pk)).status_code
                assert status == (200 if readable else 404), (route, key, role, status)
            status = api(Client(), "get", f"{API_ROUTES[model_name]}{obj.pk}/", secret).status_code
            assert status == (200 if readable else 404), (model_name, key, role, status)
    body = client.get("/recruitment/networks/broker-reports/").content.decode()
    assert BROKER not in body and OTHER_BROKER not in body  # lists never show a broker's name
