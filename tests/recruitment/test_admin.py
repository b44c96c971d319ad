"""The recruitment models in the read-only admin: every list and change page opens for the technical
partner's administrator, nothing can be added, changed or deleted there, and the worker's name, the broker's
name, the repayment plan and the document's name never show."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.recruitment.world import OUTSIDER_BROKER, OUTSIDER_WORKER
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

MODELS = [
    "repaymentpolicy",
    "feesurvey",
    "feesurveyresponse",
    "responsedocument",
    "repayment",
    "recruitmentnetwork",
    "brokerreport",
    "outreachevent",
    "referral",
]


def test_read_only_admin_pages_never_show_a_name():
    world = build_world()
    admin = world.members[("tp", "admin")]
    admin.user.is_staff = True
    admin.user.save()
    client = sign_in(Client(), admin)
    hidden = [OUTSIDER_WORKER, OUTSIDER_BROKER, "Outsider repayment plan", "receipt.pdf"]
    for model in MODELS:
        listing = client.get(f"/admin/recruitment/{model}/")
        assert listing.status_code == 200, model
        urls = [f"/admin/recruitment/{model}/"]
        if model in world.outsiders:
            urls.append(f"/admin/recruitment/{model}/{world.outsiders[model][0].pk}/change/")
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            assert not [name for name in hidden if name in page.text], url
            assert 'name="_save"' not in page.text, url
        assert client.get(f"/admin/recruitment/{model}/add/").status_code == 403, model
    survey = world.outsiders["feesurvey"][0]
    assert client.post(f"/admin/recruitment/feesurvey/{survey.pk}/delete/", {"post": "yes"}).status_code == 403
