"""Who sees which EPS assessment, as every role of every kind of organisation (pages and API), the pages
(list, a business's history with its chart, the form with suggestions, publishing), and the API (create,
score, publish, filters, bad input, query counts)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from ilm.core.permissions import ROLES_BY_KIND
from ilm.indicators import services
from ilm.indicators.models import Assessment, ScoreSource, SubIndicator
from tests.conftest import sign_in
from tests.factories import OrganisationFactory
from tests.indicators.test_eps_scores import assess, entries
from tests.worlds import HOME_KINDS, build_world

# Published assessments each home organisation reads (by the assessed organisation's key); the technical
# partner also reads the draft.
READS: dict[str, set[str]] = {
    "tp": {"supplier", "supplier-draft", "upstream", "destination_agency", "origin_agency"},
    "cso": set(),
    "buyer": {"supplier", "upstream", "destination_agency"},  # its chain and the agency the chain disclosed
    "supplier": {"supplier"},
    "upstream": {"upstream"},
    "destination_agency": {"destination_agency"},
    "origin_agency": {"origin_agency"},
    "government": set(),
    "industry_body": set(),
    "academic": set(),
}
MEMBERS = [(key, role) for key, kind in HOME_KINDS.items() for role in ROLES_BY_KIND[kind]]


class EpsPagesAndApi(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = w = build_world()
        cls.assessments = {
            "supplier": assess(w, "supplier", "2026-Q1", default=4),
            "supplier-draft": assess(w, "supplier", "2026-Q2", default=2, publish=False),
            "upstream": assess(w, "upstream", "2026-Q1", default=3),
            "destination_agency": assess(w, "destination_agency", "2026-Q1", default=5),
            "origin_agency": assess(w, "origin_agency", "2026-Q1", default=1),
        }
        cls.outsider = Assessment.objects.get(business__name="Outsider Supplier Ltd")

    def client_for(self, key: str, role: str) -> Client:
        return sign_in(Client(), self.world.members[(key, role)])

    # --- visibility ---------------------------------------------------------------------------------------

    def test_visibility_over_every_kind_and_role(self) -> None:
        """Every role of every kind lists exactly what the table says (the API list); one role per kind
        opens each assessment (page and API): reading does not depend on the role."""
        for key, role in MEMBERS:
            client = self.client_for(key, role)
            expected = READS[key]
            listed = {a["id"] for a in client.get("/api/v1/eps-assessments/").json()["results"]}
            wanted = {self.assessments[n].pk for n in expected}
            if key == "tp":
                wanted.add(self.outsider.pk)
            assert listed == wanted, (key, role)
            if role != ROLES_BY_KIND[HOME_KINDS[key]][-1]:
                continue
            for name, assessment in [*self.assessments.items(), ("outsider", self.outsider)]:
                page = client.get(reverse("indicators:eps_detail", args=[assessment.pk]))
                api = client.get(f"/api/v1/eps-assessments/{assessment.pk}/")
                want = 200 if name in expected or (key == "tp" and name == "outsider") else 404
                assert (page.status_code, api.status_code) == (want, want), (key, role, name)

    def test_list_page_shows_each_its_businesses(self) -> None:
        names = {k: self.world.orgs[k].name for k in ("supplier", "upstream", "destination_agency", "origin_agency")}
        for key, visible in [
            ("buyer", {"supplier", "upstream", "destination_agency"}),
            ("supplier", {"supplier"}),
            ("tp", set(names)),
        ]:
            body = self.client_for(key, "admin").get(reverse("indicators:eps_list")).content.decode()
            for org, name in names.items():
                assert (name in body) == (org in visible), (key, org)
        for key in ("cso", "government", "academic", "industry_body"):
            assert self.client_for(key, "admin").get(reverse("indicators:eps_list")).status_code == 403

    def test_list_page_query_count_is_constant(self) -> None:
        client = self.client_for("tp", "viewer")
        before = self._queries(client, reverse("indicators:eps_list"))
        tp = self.world.members[("tp", "admin")]
        for i in range(3):  # three more assessed businesses must not add queries
            extra = OrganisationFactory(kind="supplier", name=f"Extra supplier {i}")
            a = services.assessment_create(actor=tp, business=extra, period="2026-Q1")
            services.assessment_score(actor=tp, assessment=a, scores=entries())
            services.assessment_publish(actor=tp, assessment=a)
        assert self._queries(client, reverse("indicators:eps_list")) == before

    def _queries(self, client: Client, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # --- pages ---------------------------------------------------------------------------------------------

    def test_business_history_page_has_the_chart_and_the_same_numbers(self) -> None:
        supplier = self.world.orgs["supplier"]
        body = self.client_for("buyer", "viewer").get(reverse("indicators:eps_business", args=[supplier.pk]))
        html = body.content.decode()
        assert "<svg" in html and "2026-Q1" in html and html.count('<td class="num">4.00</td>') == 3
        assert "2026-Q2" not in html  # the draft is the technical partner's only
        tp_html = self.client_for("tp", "viewer").get(reverse("indicators:eps_business", args=[supplier.pk]))
        assert "2026-Q2" in tp_html.content.decode()

    def test_buyer_page_shows_the_chain_average(self) -> None:
        buyer = self.world.orgs["buyer"]
        html = self.client_for("buyer", "admin").get(reverse("indicators:eps_business", args=[buyer.pk])).content
        # (4 + 3 + 5) / 3 = 4.00 on every axis; the origin agency (outside the chain) is not there
        # the chain's mean, then the supplier's own row: 4 on every axis
        assert html.count(b'<td class="num">4.00</td>') == 3 + 3
        assert self.world.orgs["origin_agency"].name.encode() not in html
        other = self.client_for("supplier", "admin").get(reverse("indicators:eps_business", args=[buyer.pk]))
        assert other.status_code == 404

    def test_form_shows_suggestions_and_saves_an_accepted_one(self) -> None:
        assessment = self.assessments["supplier-draft"]
        assessment.refresh_from_db()
        client = self.client_for("tp", "admin")
        url = reverse("indicators:eps_edit", args=[assessment.pk])
        html = client.get(url).content.decode()
        assert str(SubIndicator.ATTITUDE_TEAM.label).replace("'", "&#x27;") in html
        assert "Fewer than 3 worker validations" in html  # no suggestion, and why
        # a value of 6, then a 1 without a comment: refused, nothing saved
        data: dict[str, Any] = {"version": assessment.version}
        data[f"{SubIndicator.COOPERATION}-value"] = "6"
        data[f"{SubIndicator.ATTITUDE_TEAM}-value"] = "5"
        response = client.post(url, data)
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
        data[f"{SubIndicator.COOPERATION}-value"] = "1"
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'id="row-cooperation"' in response.content.decode()
        assert "needs one" in response.content.decode()
        assert assessment.scores.get(sub_indicator=SubIndicator.ATTITUDE_TEAM).value == 2
        stale = client.post(url, {"version": assessment.version - 1, f"{SubIndicator.COOPERATION}-value": "3"})
        assert stale.status_code == 409
        data = {"version": assessment.version, f"{SubIndicator.COOPERATION}-value": "na"}
        response = client.post(url, data)
        assert response.status_code == 302
        assert assessment.scores.get(sub_indicator=SubIndicator.COOPERATION).value is None

    def test_only_assessors_get_the_form_and_publish(self) -> None:
        assessment = self.assessments["supplier-draft"]
        for key, role in [("tp", "viewer"), ("tp", "caseworker")]:
            client = self.client_for(key, role)
            assert client.get(reverse("indicators:eps_edit", args=[assessment.pk])).status_code == 403
            assert client.post(reverse("indicators:eps_publish", args=[assessment.pk])).status_code == 403
            assert client.get(reverse("indicators:eps_create")).status_code == 403
        supplier_client = self.client_for("supplier", "admin")
        published = self.assessments["supplier"]
        assert supplier_client.get(reverse("indicators:eps_edit", args=[published.pk])).status_code == 403
        assert supplier_client.post(reverse("indicators:eps_publish", args=[assessment.pk])).status_code == 404
        client = self.client_for("tp", "admin")
        response = client.post(reverse("indicators:eps_publish", args=[assessment.pk]))
        assert response.status_code == 302
        assessment.refresh_from_db()
        assert assessment.is_published

    def test_create_page(self) -> None:
        client = self.client_for("tp", "case_manager")
        supplier = self.world.orgs["upstream"]
        response = client.post(reverse("indicators:eps_create"), {"business": supplier.pk, "period": "2026-Q2"})
        created = Assessment.objects.get(business=supplier, period_label="2026-Q2")
        assert response.status_code == 302 and response["Location"] == reverse("indicators:eps_edit", args=[created.pk])
        again = client.post(reverse("indicators:eps_create"), {"business": supplier.pk, "period": "2026-Q2"})
        assert again.status_code == 400 and "already has an assessment" in again.content.decode()
        buyer = client.post(
            reverse("indicators:eps_create"), {"business": self.world.orgs["buyer"].pk, "period": "2026-Q2"}
        )
        assert buyer.status_code == 400

    def test_read_only_admin(self) -> None:
        admin = self.world.members[("tp", "admin")]
        admin.user.is_staff = True
        admin.user.save()
        client = sign_in(Client(), admin)
        pk = self.assessments["supplier"].pk
        for url in (
            "/admin/indicators/assessment/",
            f"/admin/indicators/assessment/{pk}/change/",
            "/admin/indicators/score/",
        ):
            assert client.get(url).status_code == 200, url
        assert client.post(f"/admin/indicators/assessment/{pk}/delete/", {"post": "yes"}).status_code == 403

    # --- API -----------------------------------------------------------------------------------------------

    def test_api_create_score_and_publish(self) -> None:
        client = self.client_for("tp", "admin")
        business = self.world.orgs["origin_agency"]
        response = client.post(
            "/api/v1/eps-assessments/",
            {
                "business": business.pk,
                "period": "2026-Q3",
                "scores": [{"sub_indicator": SubIndicator.TIME_TO_RESPOND, "value": None, "comment": "No case"}],
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["axis_scores"] == {"quality": None, "timeliness": None, "openness": None}
        assert body["scores"][0]["value"] is None
        pk = body["id"]
        patch = client.patch(
            f"/api/v1/eps-assessments/{pk}/",
            {"scores": entries(default=3)},
            content_type="application/json",
        )
        assert patch.status_code == 200 and patch.json()["axis_scores"]["openness"] == "3.00"
        published = client.post(f"/api/v1/eps-assessments/{pk}/publish/", {}, content_type="application/json")
        assert published.status_code == 200 and published.json()["status"] == "published"
        again = client.post(f"/api/v1/eps-assessments/{pk}/publish/", {}, content_type="application/json")
        assert again.status_code == 400
        suggestions = client.get(f"/api/v1/eps-assessments/{pk}/suggestions/").json()
        assert {s["sub_indicator"] for s in suggestions} >= {SubIndicator.TIME_TO_RESPOND.value}

    def test_api_bad_input_and_refusals(self) -> None:
        client = self.client_for("tp", "admin")
        pk = self.assessments["supplier-draft"].pk
        bad = client.patch(
            f"/api/v1/eps-assessments/{pk}/",
            {"scores": [{"sub_indicator": SubIndicator.COOPERATION, "value": 6}]},
            content_type="application/json",
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
        stale = client.patch(
            f"/api/v1/eps-assessments/{pk}/", {"summary": "x", "version": 999}, content_type="application/json"
        )
        assert stale.status_code == 409
        wrong_period = client.post(
            "/api/v1/eps-assessments/",
            {"business": self.world.orgs["supplier"].pk, "period": "Q9"},
            content_type="application/json",
        )
        assert wrong_period.status_code == 400 and "period" in wrong_period.json()["error"]["fields"]
        for key, role in [("supplier", "admin"), ("buyer", "admin"), ("tp", "viewer")]:
            other = self.client_for(key, role)
            created = other.post(
                "/api/v1/eps-assessments/",
                {"business": self.world.orgs["supplier"].pk, "period": "2025-Q1"},
                content_type="application/json",
            )
            assert created.status_code == 403, (key, role)
        assert not Assessment.objects.filter(period_label="2025-Q1").exists()
        # the buyer cannot change what it reads
        readable = self.assessments["supplier"].pk
        assert (
            self.client_for("buyer", "admin")
            .patch(f"/api/v1/eps-assessments/{readable}/", {"summary": "x"}, content_type="application/json")
            .status_code
            == 403
        )

    def test_api_filters_and_hidden_suggestion_details(self) -> None:
        tp = self.client_for("tp", "viewer")
        supplier = self.world.orgs["supplier"]
        by_business = tp.get(f"/api/v1/eps-assessments/?business={supplier.pk}").json()["results"]
        assert {a["period_label"] for a in by_business} == {"2026-Q1", "2026-Q2"}
        by_period = tp.get("/api/v1/eps-assessments/?period=2026-Q2").json()["results"]
        assert [a["id"] for a in by_period] == [self.assessments["supplier-draft"].pk]
        assert tp.get("/api/v1/eps-assessments/?business=1.5").status_code == 400
        # an accepted suggestion's explanation is the technical partner's only
        score = self.assessments["supplier"].scores.first()
        assert score is not None
        score.source, score.suggested_value, score.suggestion_explanation = ScoreSource.SUGGESTION, 4, "Why"
        score.save()
        pk = self.assessments["supplier"].pk
        seen = self.client_for("supplier", "viewer").get(f"/api/v1/eps-assessments/{pk}/").json()["scores"]
        assert all(s["suggestion_explanation"] == "" and s["suggested_value"] is None for s in seen)
        tp_seen = tp.get(f"/api/v1/eps-assessments/{pk}/").json()["scores"]
        assert any(s["suggestion_explanation"] == "Why" for s in tp_seen)

    def test_api_list_query_count_is_constant(self) -> None:
        client = self.client_for("tp", "viewer")
        first = self._queries(client, "/api/v1/eps-assessments/")
        assess(self.world, "upstream", "2025-Q4", default=2)
        assess(self.world, "destination_agency", "2025-Q4", default=2)
        assert self._queries(client, "/api/v1/eps-assessments/") == first


@pytest.mark.parametrize("period", ["2026-Q1"])
def test_period_parsing(period: str) -> None:
    from ilm.indicators.services import parse_period

    assert parse_period(period) == (2026, 1)
    assert parse_period(" 2026 q4 ") == (2026, 4)
