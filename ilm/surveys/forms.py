"""Forms for the survey pages. They parse input only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ilm.network.models import Site
from ilm.surveys import selectors
from ilm.surveys.models import LIKERT_SCALE, QuestionKind, QuestionSet, SurveyKind, in_language
from ilm.surveys.permissions import kinds_offered


class DateInput(forms.DateInput):
    input_type = "date"


class SurveyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices, widget=forms.RadioSelect)
    site = forms.ModelChoiceField[Site](label=_("Site"), queryset=Site.objects.none())
    question_set = forms.ModelChoiceField[QuestionSet](label=_("Question set"), queryset=QuestionSet.objects.none())
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty for a title from the set and site.")
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput, required=False)

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"opens_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        offered = kinds_offered(membership)
        self.fields["kind"].choices = [(k, label) for k, label in SurveyKind.choices if k in offered]  # type: ignore[attr-defined]
        if len(offered) == 1:
            self.fields["kind"].initial = offered[0]
        sites = Site.objects.none()
        for kind in offered:
            sites = sites | selectors.survey_site_choices(membership=membership, kind=kind)
        self.fields["site"].queryset = sites.select_related("supplier").order_by("supplier__name", "name")  # type: ignore[attr-defined]
        self.fields["site"].label_from_instance = lambda site: f"{site.supplier.name} · {site.name}"  # type: ignore[attr-defined]
        self.fields["question_set"].queryset = selectors.question_set_choices()  # type: ignore[attr-defined]
        first = selectors.question_set_choices().first()
        if first is not None:
            self.fields["question_set"].initial = first.pk


class ResponseForm(forms.Form):
    """One field per question, named by its code, labelled in `language`. Fields are not required here: the
    service (`response_submit`) decides, so the public link, paper entry and the API give the same errors."""

    def __init__(self, *args: Any, question_set: QuestionSet, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = selectors.questions_of(question_set)
        labels = question_set.labels(language)
        for question in self.questions:
            text = in_language(question.text, language)
            if question.kind == QuestionKind.LIKERT:
                choices = [(str(n), f"{n} · {label}") for n, label in zip(LIKERT_SCALE, labels, strict=True)]
            else:
                choices = [(choice.code, in_language(choice.label, language)) for choice in question.choices.all()]
            field = forms.ChoiceField(label=text, choices=choices, required=False, widget=forms.RadioSelect)
            field.question_required = question.required  # type: ignore[attr-defined]
            self.fields[question.code] = field

    def answers(self) -> dict[str, Any]:
        return {code: value for code, value in self.cleaned_data.items() if value not in (None, "")}
