"""Forms for the Academy pages (courses and sessions). They parse input only; the training services decide
and write (ilm/plans/training_services.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ilm.core.forms import VersionedForm
from ilm.network.models import Gender, Organisation
from ilm.plans import training_selectors
from ilm.plans.models import Activity, Course, TraineeRole, TrainingMode
from ilm.plans.training_services import COURSE_LANGUAGES


def language_choices() -> list[tuple[str, str]]:
    """Each language named in its own script, as participants would recognise it."""
    from babel import Locale

    return [(code, Locale.parse(code).get_display_name(code) or code) for code in COURSE_LANGUAGES]


def _activity_choices() -> list[tuple[str, str]]:
    return [(a.code, f"{a.code} {a.display_name}") for a in Activity.objects.order_by("area", "number")]


class CourseForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    activity = forms.ChoiceField(
        label=_("Activity"),
        choices=_activity_choices,
        help_text=_("Trainings in 1.5, 2.8, 3.7 and 3.8 suggest progress on WV3, ER7, WORK2 and WORK3."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=TrainingMode.choices)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    provider = forms.ModelChoiceField[Organisation](label=_("Provider"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, membership: Any, current: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = training_selectors.course_provider_choices(membership=membership)
        if current is not None:
            choices = choices | Organisation.objects.filter(pk=current.pk)
        self.fields["provider"].queryset = choices.distinct().order_by("name")  # type: ignore[attr-defined]
        if current is None and not self.initial.get("provider"):
            self.fields["provider"].initial = membership.organisation_id


class CourseFilterForm(forms.Form):
    activity = forms.ModelChoiceField(
        label=_("Activity"), queryset=Activity.objects.none(), required=False, to_field_name="code"
    )
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=[("", "—"), *TrainingMode.choices])
    language = forms.ChoiceField(label=_("Language"), required=False, choices=lambda: [("", "—"), *language_choices()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = training_selectors.course_activities()  # type: ignore[attr-defined]


def attendance_field_name(role: str, gender: str) -> str:
    return f"n_{role}_{gender}"


class SessionForm(VersionedForm):
    """A session and its participants: one whole-number field per role and gender (the grid)."""

    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=datetime.date.today
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("Leave empty for an online session.")
    )
    trained_organisation = forms.ModelChoiceField[Organisation](
        label=_("Organisation trained"), queryset=Organisation.objects.none()
    )
    trainer_organisation = forms.ModelChoiceField[Organisation](
        label=_("Trainer"), queryset=Organisation.objects.none()
    )
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    completed = forms.BooleanField(
        label=_("The session was held"),
        required=False,
        help_text=_("A held session may suggest progress on the trained business's indicators."),
    )

    def __init__(
        self,
        *args: Any,
        membership: Any,
        course: Course,
        current: list[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        keep = Organisation.objects.filter(pk__in=[org.pk for org in current or []])
        trained = training_selectors.trained_organisation_choices(membership=membership)
        trainers = training_selectors.course_provider_choices(membership=membership)
        self.fields["trained_organisation"].queryset = (trained | keep).distinct().order_by("name")  # type: ignore[attr-defined]
        self.fields["trainer_organisation"].queryset = (trainers | keep).distinct().order_by("name")  # type: ignore[attr-defined]
        if not self.initial.get("trainer_organisation"):
            mine = trainers.filter(pk=course.provider_id).exists()
            self.fields["trainer_organisation"].initial = course.provider_id if mine else membership.organisation_id
        for role, role_label in TraineeRole.choices:
            for gender, gender_label in Gender.choices:
                self.fields[attendance_field_name(role, gender)] = forms.IntegerField(
                    label=f"{role_label} · {gender_label}",
                    min_value=0,
                    max_value=100_000,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1}),
                )

    @property
    def session_fields(self) -> list[Any]:
        return [
            self[name]
            for name in ("held_on", "place", "trained_organisation", "trainer_organisation", "notes", "completed")
        ]

    def attendance_rows(self) -> list[tuple[str, list[Any]]]:
        """The grid: (role label, [bound field per gender])."""
        return [
            (str(label), [self[attendance_field_name(role, gender)] for gender, _g in Gender.choices])
            for role, label in TraineeRole.choices
        ]

    def service_data(self) -> dict[str, Any]:
        """Cleaned data as the services take it: session fields and `attendance` cells."""
        data = dict(self.cleaned_data)
        attendance = []
        for role in TraineeRole.values:
            for gender in Gender.values:
                count = data.pop(attendance_field_name(role, gender), None)
                attendance.append({"role": role, "gender": gender, "count": count or 0})
        data["attendance"] = attendance
        return data
