"""Reviews of employers after a hire: by the worker (status link) or the CSO that helped, once each, and
shown only as an average from 5 reviews on."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from ilm.core.models import AuditEvent
from ilm.jobs import selectors, services
from ilm.jobs.models import REVIEWS_SHOWN_FROM, EmployerReview
from tests.conftest import sign_in
from tests.jobs.helpers import Market, apply, market, post

pytestmark = pytest.mark.django_db


def hire(m: Market, vacancy, number: int, *, via_cso: bool = False):
    application, token = apply(vacancy, actor=m.members["cso"] if via_cso else None, contact=f"+66 81 777 {number:04}")
    for step in ("offered", "hired"):
        application = services.application_move(actor=m.members["agency"], application=application, status=step)
    return application, token


def test_rating_is_shown_only_from_five_reviews(client: Client):
    m = market()
    vacancy = post(m.members["agency"])
    ratings = [5, 4, 5, 3, 4]
    for number, stars in enumerate(ratings[: REVIEWS_SHOWN_FROM - 1]):
        application, _token = hire(m, vacancy, number)
        services.review_submit(application=application, rating=stars, comment="Fair boss")
    assert selectors.employer_ratings([m.agency.pk]) == {}
    page = client.get(f"/jobs/{vacancy.pk}/").content.decode()
    assert "Rated" not in page and "Fair boss" not in page
    application, _token = hire(m, vacancy, 99)
    services.review_submit(application=application, rating=ratings[-1])
    rating = selectors.employer_ratings([m.agency.pk, m.supplier.pk])
    assert rating == {m.agency.pk: selectors.EmployerRating(count=5, average=4.2)}
    page = client.get(f"/jobs/{vacancy.pk}/").content.decode()
    assert "Rated 4.2 out of 5 by 5 workers" in page and "Fair boss" not in page  # comments never public


def test_only_a_hire_is_reviewed_once_by_the_worker_and_once_by_the_helping_cso():
    m = market()
    vacancy = post(m.members["agency"])
    application, _token = apply(vacancy, actor=m.members["cso"])
    with pytest.raises(ValidationError, match="Only a hire"):
        services.review_submit(application=application, rating=5)
    for step in ("offered", "hired"):
        application = services.application_move(actor=m.members["agency"], application=application, status=step)
    with pytest.raises(ValidationError) as bad:
        services.review_submit(application=application, rating=6)
    assert "rating" in bad.value.message_dict
    for key in ("agency", "other", "cso_viewer", "buyer"):
        with pytest.raises(PermissionDenied):
            services.review_submit(application=application, rating=1, actor=m.members[key])
    services.review_submit(application=application, rating=4)
    services.review_submit(application=application, rating=5, actor=m.members["cso"])
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.review_submit(application=application, rating=1)
    assert EmployerReview.objects.filter(employer=m.agency).count() == 2
    assert AuditEvent.objects.filter(action="job.employer_reviewed").count() == 2


def test_worker_rates_through_the_status_link_and_the_cso_on_the_application_page():
    m = market()
    vacancy = post(m.members["agency"])
    application, token = hire(m, vacancy, 1, via_cso=True)
    worker = Client()
    status_url = f"/jobs/status/{token}/"
    worker.post(status_url, {"confirm-paid_nothing_extra": "yes"})
    page = worker.get(status_url).content.decode()
    assert 'name="review-rating"' in page
    refused = worker.post(status_url, {"review-rating": "9", "review": "1"})
    assert refused.status_code == 400
    assert (
        worker.post(status_url, {"review-rating": "4", "review-comment": "Paid on time", "review": "1"}).status_code
        == 302
    )
    with translation.override("my"):  # the status page speaks the applicant's language
        thanks = gettext("Thank you for rating your employer.")
    assert thanks in worker.get(status_url).content.decode()
    review = EmployerReview.objects.get(reviewer_kind="worker")
    assert review.rating == 4 and review.comment == "Paid on time" and review.author is None

    cso = sign_in(Client(), m.members["cso"])
    url = f"/jobs/applications/{application.pk}/"
    assert re.search(r'action="[^"]*/review/"', cso.get(url).content.decode())
    assert cso.post(f"{url}review/", {"rating": "5"}).status_code == 302
    assert "/review/" not in cso.get(url).content.decode()
    employer = sign_in(Client(), m.members["agency"])
    assert "/review/" not in employer.get(url).content.decode()
    assert employer.post(f"{url}review/", {"rating": "1"}).status_code == 403
    assert sign_in(Client(), m.members["other"]).post(f"{url}review/", {"rating": "1"}).status_code == 404
    assert EmployerReview.objects.count() == 2


def test_the_api_takes_the_helping_cso_s_review_and_the_board_shows_the_average_from_five(client: Client):
    from tests.api.test_api import api, token_for

    m = market()
    vacancy = post(m.members["agency"])
    applications = [hire(m, vacancy, number, via_cso=True)[0] for number in range(REVIEWS_SHOWN_FROM)]
    cso = token_for(m.members["cso"])
    url = f"/api/v1/job-applications/{applications[0].pk}/review/"
    assert api(client, "post", url, cso, {"rating": 9}).status_code == 400
    assert api(client, "post", url, token_for(m.members["agency"]), {"rating": 5}).status_code in (403, 404)
    assert api(client, "post", url, token_for(m.members["other"]), {"rating": 5}).status_code == 404
    created = api(client, "post", url, cso, {"rating": 5, "comment": "Paid on time"})
    assert created.status_code == 201 and created.json()["rating"] == 5 and "comment" not in created.json()
    assert api(client, "post", url, cso, {"rating": 4}).status_code == 400  # once per hire
    board = api(client, "get", "/api/v1/job-postings/", cso).json()["results"]
    assert [v["employer_rating"] for v in board if v["id"] == vacancy.pk] == [None]  # one review: not shown
    for application in applications[1:]:
        api(client, "post", f"/api/v1/job-applications/{application.pk}/review/", cso, {"rating": 4})
    board = api(client, "get", "/api/v1/job-postings/", cso).json()["results"]
    assert [v["employer_rating"] for v in board if v["id"] == vacancy.pk] == [{"count": 5, "average": 4.2}]
    assert AuditEvent.objects.filter(action="job.employer_reviewed").count() == REVIEWS_SHOWN_FROM
