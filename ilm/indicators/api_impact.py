"""API v1 for the impact and reach indicators (read-only), the same functions as the pages.

- impact: impact 2-5 for one business (`?business=`) or pooled over every business the caller may ask about
  (a buyer's chain, a business itself, the network for the technical partner), over `date_from`/`date_to`.
  403 for kinds that read no impact; 404 for a business outside the caller's reach.
- reach: reach 1-5 for the network (technical partner) or the caller's own CSO, with the rows per CSO
  (technical partner) and per country. 403 for other kinds.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.errors import ErrorSerializer
from ilm.api.schema import OneObjectSchema
from ilm.core.api_fields import SafeDateField
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import get_scoped_or_404
from ilm.indicators import impact, reach
from ilm.recruitment.selectors import small_count

WINDOW_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this day."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day."),
]


class IndicatorWindowIn(serializers.Serializer):
    date_from = SafeDateField(required=False, allow_null=True, default=None)
    date_to = SafeDateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end is before the start.")]})
        return attrs


class ImpactIn(IndicatorWindowIn):
    business = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class ImpactRatioOut(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Null when the denominator is 0.")


class ImpactReimbursedOut(serializers.Serializer):
    eligible = serializers.IntegerField(allow_null=True, help_text="Null: fewer than 5 (shown to buyers).")
    reimbursed = serializers.IntegerField(allow_null=True, help_text="Null: fewer than 5 (shown to buyers).")
    percent = serializers.FloatField(allow_null=True)


class ImpactCurrencyTotalOut(serializers.Serializer):
    currency = serializers.CharField()
    owed = serializers.DecimalField(max_digits=16, decimal_places=2)
    repaid = serializers.DecimalField(max_digits=16, decimal_places=2)
    repaid_verified = serializers.DecimalField(max_digits=16, decimal_places=2)


class ImpactFiguresOut(serializers.Serializer):
    resolved_in_60_days = ImpactRatioOut(help_text="Impact 2.")
    rated_fair_or_better = ImpactRatioOut(help_text="Impact 3.")
    reimbursed_workers = ImpactReimbursedOut(help_text="Impact 4 (today's state).")
    repayments = ImpactCurrencyTotalOut(many=True, help_text="Impact 5, per currency, never summed (today's state).")


class BusinessImpactOut(ImpactFiguresOut):
    business = serializers.IntegerField()
    name = serializers.CharField()


class ImpactOut(ImpactFiguresOut):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    business = serializers.IntegerField(
        allow_null=True, help_text="Null: pooled over every business you may ask about."
    )
    businesses = BusinessImpactOut(many=True, help_text="A buyer's chain, one row per business; otherwise empty.")


class ReachCellOut(serializers.Serializer):
    gender = serializers.CharField()
    nationality = serializers.CharField(help_text="ISO 3166 code; empty when not known.")
    count = serializers.IntegerField(allow_null=True, help_text="Null: 1 to 4 people (hidden from CSOs).")


class ReachAccessOut(serializers.Serializer):
    total = serializers.IntegerField()
    at_covered_sites = serializers.IntegerField()
    covered_sites = serializers.IntegerField()
    contacted_workers = serializers.IntegerField()
    contacted_jobseekers = serializers.IntegerField()
    cells = ReachCellOut(many=True)


class ReachRemediationOut(serializers.Serializer):
    total = serializers.IntegerField()
    resolved_cases = serializers.IntegerField()
    named_workers = serializers.IntegerField()
    unnamed_workers = serializers.IntegerField()


class ReachOffersOut(serializers.Serializer):
    offered = serializers.IntegerField()
    through_ern = serializers.IntegerField()


class ReachVacanciesOut(serializers.Serializer):
    published = serializers.IntegerField()
    zero_cost = serializers.IntegerField()
    openings_zero_cost = serializers.IntegerField()


class ReachHiresOut(serializers.Serializer):
    confirmed = serializers.IntegerField()
    zero_cost = serializers.IntegerField()
    within_legal_fees = serializers.IntegerField()
    paid_more = serializers.IntegerField()


class ReachRowOut(serializers.Serializer):
    key = serializers.CharField(help_text='The CSO\'s id or the country code; "" for none.')
    name = serializers.CharField(help_text="The CSO's or the country's name.")
    access = ReachAccessOut(help_text="Reach 1.")
    remediation = ReachRemediationOut(help_text="Reach 2.")
    offers = ReachOffersOut(help_text="Reach 3.")
    vacancies = ReachVacanciesOut(allow_null=True, help_text="Reach 4 (null for a CSO: employers post vacancies).")
    hires = ReachHiresOut(help_text="Reach 5.")


class IndicatorReachOut(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    network = ReachRowOut()
    by_cso = ReachRowOut(many=True)
    by_country = ReachRowOut(many=True)


def _figures(result: impact.Impact, *, hide_small: bool) -> dict[str, Any]:
    eligible: int | None = result.reimbursed.eligible
    reimbursed: int | None = result.reimbursed.reimbursed
    if hide_small:
        eligible, reimbursed = small_count(eligible or 0), small_count(reimbursed or 0)
    return {
        "resolved_in_60_days": _ratio(result.resolved_in_60_days),
        "rated_fair_or_better": _ratio(result.rated_fair_or_better),
        "reimbursed_workers": {
            "eligible": eligible,
            "reimbursed": reimbursed,
            "percent": result.reimbursed.percent if eligible is not None and reimbursed is not None else None,
        },
        "repayments": result.repayments,
    }


def _ratio(ratio: impact.Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "percent": ratio.percent}


def _reach_row(row: reach.Reach) -> dict[str, Any]:
    access = row.access
    return {
        "key": row.key,
        "name": row.label,
        "access": {
            "total": access.total,
            "at_covered_sites": access.at_covered_sites,
            "covered_sites": access.covered_sites,
            "contacted_workers": access.contacted_workers,
            "contacted_jobseekers": access.contacted_jobseekers,
            "cells": [{"gender": c.gender, "nationality": c.nationality, "count": c.count} for c in access.cells],
        },
        "remediation": {
            "total": row.remediation.total,
            "resolved_cases": row.remediation.resolved_cases,
            "named_workers": row.remediation.named_workers,
            "unnamed_workers": row.remediation.unnamed_workers,
        },
        "offers": row.offers,
        "vacancies": row.vacancies,
        "hires": row.hires,
    }


class ImpactViewSet(viewsets.ViewSet):
    """Impact indicators 2-5 (DOMAIN.md §8; impact 1 is the Ethical Performance Scores'). A business reads
    itself; a buyer its chain (pooled, and per business); the technical partner the network or any business."""

    schema = OneObjectSchema()

    @extend_schema(
        operation_id="impact_retrieve",
        parameters=[
            OpenApiParameter("business", OpenApiTypes.INT, description="One business (404 if not yours to ask)."),
            *WINDOW_PARAMETERS,
        ],
        responses={200: ImpactOut, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def list(self, request: Request) -> Response:
        data = ImpactIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        business_id: int | None = data.validated_data["business"]
        date_from: datetime.date | None = data.validated_data["date_from"]
        date_to: datetime.date | None = data.validated_data["date_to"]
        membership = request.membership  # type: ignore[attr-defined]
        impact.impact_business_ids(membership)  # 403 for kinds that read no impact
        hide_small = membership.organisation_kind == OrgKind.BUYER
        span = {"membership": membership, "date_from": date_from, "date_to": date_to}
        rows: list[dict[str, Any]] = []
        if business_id is not None:
            # 404 (and an access.denied record for an existing business) outside the caller's reach.
            get_scoped_or_404(impact.impact_businesses(membership=membership), request, pk=business_id)
            result = impact.business_impact(business_id=business_id, **span)
        else:
            result = impact.chain_impact(**span)
            if hide_small:
                rows = [
                    {"business": row.business_id, "name": row.name, **_figures(row.impact, hide_small=True)}
                    for row in impact.impact_by_business(**span)
                ]
        body = {
            "date_from": date_from,
            "date_to": date_to,
            "business": business_id,
            **_figures(result, hide_small=hide_small),
            "businesses": rows,
        }
        return Response(ImpactOut(body).data)


class ReachViewSet(viewsets.ViewSet):
    """Reach indicators 1-5 (DOMAIN.md §8): the technical partner the network, per CSO and per country; a CSO
    its own (demographic cells of 1 to 4 people come back as null)."""

    schema = OneObjectSchema()

    @extend_schema(
        operation_id="reach_retrieve",
        parameters=WINDOW_PARAMETERS,
        responses={200: IndicatorReachOut, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def list(self, request: Request) -> Response:
        data = IndicatorWindowIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        date_from: datetime.date | None = data.validated_data["date_from"]
        date_to: datetime.date | None = data.validated_data["date_to"]
        membership = request.membership  # type: ignore[attr-defined]
        reach.reach_cso_id(membership)  # 403 for kinds that read no reach
        span = {"membership": membership, "date_from": date_from, "date_to": date_to}
        sees_all = can(membership, Action.VIEW_WHOLE_NETWORK)
        body = {
            "date_from": date_from,
            "date_to": date_to,
            "network": _reach_row(reach.network_reach(**span)),
            "by_cso": [_reach_row(row) for row in reach.reach_by_cso(**span)] if sees_all else [],
            "by_country": [_reach_row(row) for row in reach.reach_by_country(**span)],
        }
        return Response(IndicatorReachOut(body).data)


def register(router: BaseRouter) -> None:
    """Add the impact and reach endpoints to the v1 router."""
    router.register("impact", ImpactViewSet, basename="impact")
    router.register("reach", ReachViewSet, basename="reach")
