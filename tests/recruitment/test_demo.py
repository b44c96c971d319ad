"""`manage.py demo` loads a fee survey with mixed currencies, eligibility and repayments; running it again
changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ilm.recruitment import selectors
from ilm.recruitment.models import FeeLine, FeeSurvey, FeeSurveyResponse, Repayment

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (FeeSurvey, FeeSurveyResponse, FeeLine, Repayment)}


def test_demo_fee_survey(tmp_path):
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    first = counts()
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    assert counts() == first
    assert first["FeeSurveyResponse"] == 10
    assert set(FeeLine.objects.values_list("currency", flat=True)) == {"MMK", "THB"}
    assert Repayment.objects.filter(verified_at__isnull=False).exists()
    assert Repayment.objects.filter(verified_at__isnull=True).exists()
    workers = selectors.reimbursed_workers_for(None)
    assert workers.eligible == 10 and 0 < workers.reimbursed < 10
