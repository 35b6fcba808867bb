"""The assessment form, built from the catalogue: one group of check boxes
per section (a fieldset with its legend), the section's note beside it, the
supplements to use, and the 課題の整理 and 本人の意向 at the end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.assessments import catalogue
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.text import NOTE_MAX_LENGTH


def items_field(section: catalogue.Section) -> str:
    return f"items_{section.code}"


def note_field(section: catalogue.Section) -> str:
    return f"note_{section.code}"


@dataclass(frozen=True)
class SectionFields:
    section: catalogue.Section
    items: forms.BoundField
    note: forms.BoundField


class AssessmentForm(StyledForm):
    #: The version this one is made from (0: the first): a version saved
    #: meanwhile refuses this one (core/versioning.py).
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    assessed_on = WarekiDateField(label=_("実施日"))
    case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("多機関協働ケース"),
        queryset=None,
        required=False,
        help_text=_("ケースの支援として行った場合に選びます。ケースの記録にもなります。"),
    )
    background = forms.CharField(
        label=_("相談に至る経緯"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    supplements = forms.MultipleChoiceField(
        label=_("使う補助シート"),
        choices=[(sheet.code, sheet.title) for sheet in catalogue.SUPPLEMENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("補助シートの項目に入力すると、その補助シートも使ったことになります。"),
    )
    person_issues = forms.CharField(
        label=_("本人の課題"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    household_issues = forms.CharField(
        label=_("世帯の課題"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wishes = forms.CharField(
        label=_("本人の意向"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, cases: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        for section in catalogue.SECTIONS:
            self.fields[items_field(section)] = forms.MultipleChoiceField(
                label=str(section.title),
                choices=[(item.code, item.label) for item in section.items],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[note_field(section)] = forms.CharField(
                label=_("%(section)s：%(note)s")
                % {"section": section.title, "note": section.note_label},
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def sections(self, sheet: str) -> list[SectionFields]:
        return [
            SectionFields(section, self[items_field(section)], self[note_field(section)])
            for section in catalogue.sections_of(sheet)
        ]

    def basic_sections(self) -> list[SectionFields]:
        return self.sections(catalogue.BASIC)

    def supplement_sheets(self) -> list[tuple[catalogue.Sheet, list[SectionFields]]]:
        return [(sheet, self.sections(sheet.code)) for sheet in catalogue.SUPPLEMENTS]

    def ticked(self) -> list[str]:
        return [
            code
            for section in catalogue.SECTIONS
            for code in self.cleaned_data.get(items_field(section), [])
        ]

    def notes(self) -> dict[str, str]:
        return {
            section.code: self.cleaned_data.get(note_field(section), "")
            for section in catalogue.SECTIONS
        }


def initial_from(assessment: Any) -> dict[str, Any]:
    """The form's initial values from an earlier version (the next one starts from it)."""
    initial: dict[str, Any] = {
        "case": assessment.case_id,
        "background": assessment.background,
        "supplements": list(assessment.supplements),
        "person_issues": assessment.person_issues,
        "household_issues": assessment.household_issues,
        "wishes": assessment.wishes,
    }
    ticked = assessment.ticked_set
    for section in catalogue.SECTIONS:
        initial[items_field(section)] = [item.code for item in section.items if item.code in ticked]
        initial[note_field(section)] = assessment.note(section.code)
    return initial
