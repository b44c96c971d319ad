"""`manage.py demo` loads two surveys at Samut Sakhon Plant 1 whose comparison shows; running it again
changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ilm.accounts.models import Membership
from ilm.surveys import selectors
from ilm.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_surveys_show_the_comparison(tmp_path):
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    first = (Survey.objects.count(), Response.objects.count())
    call_command("demo", credentials=str(path), verbosity=0, force=True)
    assert (Survey.objects.count(), Response.objects.count()) == first

    independent = Survey.objects.get(kind="independent", site__name="Samut Sakhon Plant 1")
    internal = Survey.objects.get(kind="internal", site__name="Samut Sakhon Plant 1")
    assert 12 <= independent.responses.count() <= 30 and 12 <= internal.responses.count() <= 30
    assert independent.status == "open" and internal.status == "closed"
    cso = Membership.objects.get(organisation=independent.run_by, role="caseworker")
    comparison = selectors.survey_comparison(
        membership=cso, survey=selectors.survey_list(membership=cso).get(pk=independent.pk)
    )
    assert comparison.independent.shown and comparison.internal.shown
    wages = next(row for row in comparison.rows if row.question.code == "wages_on_time")
    assert wages.internal.mean > wages.independent.mean
