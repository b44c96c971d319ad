"""Pages of the Ethical Performance Scores: the businesses with their latest axis scores, a business's
history (a table and a server-drawn chart of the same numbers), an assessment, and the technical partner's
assessment form with ILM's suggestions beside each row.

Every page reads through ilm/indicators/selectors.py (not yours → 404) and writes through
ilm/indicators/services.py; ilm/indicators/permissions.py decides what is offered (403 otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ilm.core.errors import Conflict
from ilm.core.forms import add_service_errors, call_service, form_status
from ilm.core.permissions import OrgKind
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.indicators import forms, permissions, selectors, services
from ilm.indicators.models import AXIS_SUB_INDICATORS, Assessment, Axis, SubIndicator
from ilm.indicators.suggestions import suggestions_for
from ilm.network.models import Organisation

PAGE_SIZE = 50
AXIS_COLOURS: dict[str, str] = {Axis.QUALITY: "#1f5f8b", Axis.TIMELINESS: "#b35900", Axis.OPENNESS: "#2e7d32"}


def _membership(request: HttpRequest) -> Any:
    """The acting membership. Object pages answer 404 through the (empty) scope for kinds that read no
    scores, like any object that is not theirs."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied
    return membership


def _reader(request: HttpRequest) -> Any:
    """The list page: for the kinds that read scores at all (403 for the others)."""
    membership = _membership(request)
    if not permissions.may_read_scores(membership):
        raise PermissionDenied
    return membership


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment: Assessment = get_scoped_or_404(
        selectors.assessment_list(membership=_membership(request)), request, pk=pk
    )
    return assessment


def _axes() -> list[tuple[str, str]]:
    return [(axis, str(label)) for axis, label in Axis.choices]


# --- the list --------------------------------------------------------------------------------------------


@require_GET
@membership_required
def score_list_view(request: HttpRequest) -> HttpResponse:
    membership = _reader(request)
    businesses = selectors.business_list(membership=membership)
    kind = request.GET.get("kind", "")
    if kind in permissions.ASSESSED_KINDS:
        businesses = businesses.filter(kind=kind)
    page = Paginator(businesses, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.latest_by_business(membership=membership, businesses=[b.pk for b in page])
    rows = [
        {
            "business": business,
            "assessment": latest.get(business.pk),
            "scores": selectors.axis_scores_of(latest[business.pk]).as_dict() if business.pk in latest else {},
        }
        for business in page
    ]
    chain = None
    if membership.organisation_kind == OrgKind.BUYER:
        chain = selectors.axis_averages(membership)
    return render(
        request,
        "indicators/eps/list.html",
        {
            "rows": rows,
            "page_obj": page,
            "axes": _axes(),
            "chain": chain,
            "kind": kind,
            "may_assess": permissions.may_assess(membership),
            "kinds": [(k, str(OrgKind(k).label)) for k in sorted(permissions.ASSESSED_KINDS)],
        },
    )


# --- one business ------------------------------------------------------------------------------------------


def chart(assessments: list[Assessment], width: int = 560, height: int = 200) -> dict[str, Any]:
    """An SVG line per axis over the periods (y: 1 to 5), drawn on the server; the page's table has the
    same numbers."""
    left, right, top, bottom = 40, 32, 12, 30
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(assessments)

    def x(i: int) -> float:
        return round(left + (inner_w * (i / (n - 1)) if n > 1 else inner_w / 2), 1)

    def y(value: Decimal | float) -> float:
        return round(top + inner_h * (1 - (float(value) - 1) / 4), 1)

    lines = []
    for axis, label in _axes():
        points = []
        for i, assessment in enumerate(assessments):
            value = getattr(assessment, axis, None)
            if value is not None:
                points.append({"x": x(i), "y": y(value), "value": selectors.rounded(value)})
        lines.append(
            {
                "axis": axis,
                "label": label,
                "colour": AXIS_COLOURS[axis],
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
            }
        )
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "grid": [{"value": v, "y": y(v)} for v in (1, 2, 3, 4, 5)],
        "ticks": [{"label": a.period_label, "x": x(i)} for i, a in enumerate(assessments)],
        "left": left,
        "right": width - right,
        "label_y": height - 8,
    }


@require_GET
@membership_required
@scoped_to(Organisation)
def business_scores_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation: Organisation = get_scoped_or_404(
        selectors.scored_organisation_list(membership=membership), request, pk=pk
    )
    context: dict[str, Any] = {"organisation": organisation, "axes": _axes()}
    if organisation.kind == OrgKind.BUYER:
        ids = selectors.chain_business_ids(organisation, membership)
        latest = selectors.latest_by_business(membership=membership, businesses=ids)
        businesses = Organisation.objects.filter(pk__in=ids).order_by("name", "id")
        context.update(
            is_buyer=True,
            chain=selectors.axis_averages(membership, business_ids=ids),
            rows=[
                {
                    "business": b,
                    "assessment": latest.get(b.pk),
                    "scores": selectors.axis_scores_of(latest[b.pk]).as_dict() if b.pk in latest else {},
                }
                for b in businesses
            ],
        )
    else:
        assessments = selectors.history(membership=membership, business=organisation)
        published = [a for a in assessments if a.is_published]
        context.update(
            assessments=[
                {"assessment": a, "scores": selectors.axis_scores_of(a).as_dict()} for a in reversed(assessments)
            ],
            chart=chart(published) if published else None,
            may_assess=permissions.may_assess(membership) and organisation.is_active,
        )
    return render(request, "indicators/eps/business.html", context)


# --- one assessment ----------------------------------------------------------------------------------------


@require_GET
@membership_required
@scoped_to(Assessment)
def assessment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment = _assessment(request, pk)
    scores = selectors.scores_of(assessment)
    groups = [
        {
            "axis": axis,
            "label": Axis(axis).label,
            "score": selectors.rounded(getattr(assessment, axis, None)),
            "rows": [{"code": c, "label": SubIndicator(c).label, "score": scores.get(c)} for c in codes],
        }
        for axis, codes in AXIS_SUB_INDICATORS.items()
    ]
    return render(
        request,
        "indicators/eps/detail.html",
        {
            "assessment": assessment,
            "groups": groups,
            "answered": len(scores),
            "total": len(SubIndicator.values),
            "may_assess": permissions.may_assess(membership),
            "sees_suggestions": permissions.sees_all(membership),
        },
    )


@membership_required
def assessment_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not permissions.may_assess(membership):
        raise PermissionDenied
    businesses = selectors.assessable_business_list(membership=membership)
    initial = {}
    if request.GET.get("business", "").isdigit():
        initial["business"] = request.GET["business"]
    form = forms.AssessmentCreateForm(request.POST or None, businesses=businesses, initial=initial)
    if request.method == "POST" and form.is_valid():
        assessment = call_service(
            form,
            lambda: services.assessment_create(
                actor=membership,
                business=form.cleaned_data["business"],
                period=form.cleaned_data["period"],
                summary=form.cleaned_data["summary"],
            ),
        )
        if assessment is not None:
            messages.success(request, _("Draft assessment started. Score each sub-indicator, then publish."))
            return redirect("indicators:eps_edit", pk=assessment.pk)
    return render(request, "indicators/eps/create.html", {"form": form}, status=form_status(form))


@membership_required
@scoped_to(Assessment)
def assessment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment = _assessment(request, pk)
    if not permissions.may_assess(membership):
        raise PermissionDenied
    found = suggestions_for(
        membership=membership, business=assessment.business, start=assessment.period_start, end=assessment.period_end
    )
    scores = selectors.scores_of(assessment)
    form = forms.ScoresForm(
        request.POST or None,
        scores=scores,
        suggestions=found,
        initial={"summary": assessment.summary, "version": assessment.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_score(
                actor=membership,
                assessment=assessment,
                scores=form.entries(),
                summary=form.cleaned_data["summary"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            # Errors keyed by a sub-indicator code go beside that row's score.
            add_service_errors(form, exc, rename={code: f"{code}-value" for code in SubIndicator.values})
        except Conflict as exc:
            form.add_error(None, ValidationError(exc.message, code="conflict"))
        else:
            messages.success(request, _("Scores saved."))
            return redirect("indicators:eps_detail", pk=assessment.pk)
    return render(
        request,
        "indicators/eps/form.html",
        {"form": form, "assessment": assessment, "groups": form.groups()},
        status=form_status(form),
    )


@require_POST
@membership_required
@scoped_to(Assessment)
def assessment_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment = _assessment(request, pk)
    if not permissions.may_assess(membership):
        raise PermissionDenied
    try:
        services.assessment_publish(actor=membership, assessment=assessment)
    except (ValidationError, Conflict) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc.message)
        messages.error(request, text)
        return redirect("indicators:eps_detail", pk=assessment.pk)
    messages.success(request, _("Assessment published: the business and its buyers see it now."))
    return redirect("indicators:eps_detail", pk=assessment.pk)
