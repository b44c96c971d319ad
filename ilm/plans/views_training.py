"""Academy pages: courses (every member reads them), sessions with their participants by role and gender,
and the sessions export.

Reads go through ilm/plans/training_selectors.py (a session that is not yours → 404); writes through
ilm/plans/training_services.py; `may_*` from ilm/plans/permissions.py decides what is offered (403
otherwise). A save that lost a race keeps the form with the conflict message (409).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilm.core.errors import Conflict
from ilm.core.forms import form_status
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.network.models import Organisation
from ilm.plans import exports_training, forms_training, training_selectors, training_services
from ilm.plans.models import Course, TrainingSession
from ilm.plans.permissions import may_edit_training, may_manage_trainings
from ilm.plans.views import _form_page, _membership, _run


def _course_or_404(request: HttpRequest, pk: int) -> Course:
    course: Course = get_scoped_or_404(training_selectors.course_list(membership=_membership(request)), request, pk=pk)
    return course


def _session_or_404(request: HttpRequest, pk: int) -> TrainingSession:
    session: TrainingSession = get_scoped_or_404(
        training_selectors.session_list(membership=_membership(request)), request, pk=pk
    )
    return session


def _course_url(course: Course) -> str:
    return reverse("plans:course_detail", args=[course.pk])


def _session_url(session: TrainingSession) -> str:
    return reverse("plans:session_detail", args=[session.pk])


# --- courses ---------------------------------------------------------------------------------------


@membership_required
def course_list_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    filter_form = forms_training.CourseFilterForm(request.GET or None)
    courses = training_selectors.course_list(membership=membership)
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        if data["activity"]:
            courses = courses.filter(activity=data["activity"])
        if data["mode"]:
            courses = courses.filter(mode=data["mode"])
        if data["language"]:
            courses = courses.filter(language=data["language"])
    page = Paginator(courses.order_by("activity__area", "activity__number", "title", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "plans/course_list.html",
        {
            "filter_form": filter_form,
            "page_obj": page,
            "object_list": page.object_list,
            "is_paginated": page.has_other_pages(),
            "may_create": may_manage_trainings(membership),
            "languages": dict(forms_training.language_choices()),
        },
    )


@membership_required
def course_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not may_manage_trainings(membership):
        raise PermissionDenied
    form = forms_training.CourseForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        course = _run(
            form,
            lambda data: training_services.course_create(
                actor=membership, **{k: v for k, v in data.items() if k != "version"}
            ),
        )
        if course is not None:
            messages.success(request, _("Course created. Record its sessions below."))
            return redirect(_course_url(course))
    return _form_page(request, form, _("New course"), back=reverse("plans:course_list"))


@scoped_to(Course)
def course_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    course = _course_or_404(request, pk)
    sessions = list(training_selectors.course_sessions(membership=membership, course=course))
    return render(
        request,
        "plans/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "language": dict(forms_training.language_choices()).get(course.language, course.language),
            "may_edit": may_edit_training(membership, course),
            "may_record": may_manage_trainings(membership),
        },
    )


@scoped_to(Course)
def course_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    course = _course_or_404(request, pk)
    if not may_edit_training(membership, course):
        raise PermissionDenied
    initial = {name: getattr(course, name) for name in ("title", "topic", "mode", "language")} | {
        "activity": course.activity_id,
        "provider": course.provider_id,
        "version": course.version,
    }
    form = forms_training.CourseForm(
        request.POST or None, initial=initial, membership=membership, current=course.provider
    )
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda data: training_services.course_update(
                actor=membership, course=course, expected_version=data.pop("version"), **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(_course_url(course))
    return _form_page(request, form, course.title, back=_course_url(course))


# --- sessions --------------------------------------------------------------------------------------


def _session_form_page(request: HttpRequest, form: Any, title: str, *, course: Course, back: str) -> HttpResponse:
    return render(
        request,
        "plans/session_form.html",
        {"form": form, "title": title, "course": course, "back": back, "genders": _genders()},
        status=form_status(form),
    )


def _genders() -> list[str]:
    from ilm.network.models import Gender

    return [str(label) for _value, label in Gender.choices]


@scoped_to(Course)
def session_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    course = _course_or_404(request, pk)
    if not may_manage_trainings(membership):
        raise PermissionDenied
    form = forms_training.SessionForm(request.POST or None, membership=membership, course=course)
    if request.method == "POST" and form.is_valid():
        session = _run(
            form,
            lambda _data: training_services.session_record(
                actor=membership,
                course=course,
                **{k: v for k, v in form.service_data().items() if k != "version"},
            ),
        )
        if session is not None:
            messages.success(request, _("Session recorded."))
            return redirect(_session_url(session))
    title = _("New session of %(course)s") % {"course": course.title}
    return _session_form_page(request, form, title, course=course, back=_course_url(course))


@membership_required
def session_list_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    sessions = training_selectors.session_list(membership=membership).order_by("-held_on", "-id")
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/session_list.html",
        {"page_obj": page, "object_list": page.object_list, "is_paginated": page.has_other_pages()},
    )


@scoped_to(TrainingSession)
def session_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    session = _session_or_404(request, pk)
    return render(
        request,
        "plans/session_detail.html",
        {
            "session": session,
            "grid": training_selectors.attendance_grid(session.attendance.all()),
            "suggestions": list(session.indicator_suggestions.order_by("-created_at", "-id")),
            "may_edit": may_edit_training(membership, session),
        },
    )


@scoped_to(TrainingSession)
def session_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    session = _session_or_404(request, pk)
    if not may_edit_training(membership, session):
        raise PermissionDenied
    initial: dict[str, Any] = {
        "held_on": session.held_on,
        "place": session.place,
        "trained_organisation": session.trained_organisation_id,
        "trainer_organisation": session.trainer_organisation_id,
        "notes": session.notes,
        "completed": session.completed,
        "version": session.version,
    }
    for cell in session.attendance.all():
        initial[forms_training.attendance_field_name(cell.role, cell.gender)] = cell.count
    current: list[Organisation] = [session.trained_organisation, session.trainer_organisation]
    form = forms_training.SessionForm(
        request.POST or None, initial=initial, membership=membership, course=session.course, current=current
    )
    if request.method == "POST" and form.is_valid():

        def write(_data: dict[str, Any]) -> TrainingSession:
            data = form.service_data()
            return training_services.session_update(
                actor=membership, session=session, expected_version=data.pop("version"), **data
            )

        saved = _run(form, write)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(_session_url(session))
    return _session_form_page(request, form, str(session), course=session.course, back=_session_url(session))


@scoped_to(TrainingSession)
@require_POST
def session_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    session = _session_or_404(request, pk)
    course = session.course
    version = request.POST.get("version", "")
    try:
        training_services.session_delete(
            actor=membership, session=session, expected_version=int(version) if version.isdigit() else None
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return redirect(_session_url(session))
    messages.success(request, _("Session deleted."))
    return redirect(_course_url(course))


@membership_required
def session_export_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    try:
        result = exports_training.export_sessions(
            actor=membership,
            sessions=training_selectors.session_list(membership=membership),
            fmt=request.GET.get("format", "csv"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:session_list")
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
