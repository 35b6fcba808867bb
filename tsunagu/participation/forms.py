"""Forms of 参加支援: the profile (in the person's words), a proposal from a
suggestion, a change of stage, and a follow-up or host-support note."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms_base import StyledForm
from tsunagu.participation.models import (
    EventKind,
    GroupSize,
    Pace,
    Stage,
    TimeOfDay,
    Travel,
)
from tsunagu.resources.models import WEEKDAY_LABELS, Ease

WEEKDAY_CHOICES = [(code, f"{label}曜日") for code, label in WEEKDAY_LABELS.items()]


def split_words(text: str) -> list[str]:
    """「コーヒー、静かな場所, 植物」 → ["コーヒー", "静かな場所", "植物"]."""
    return [word.strip() for word in re.split(r"[、,，\n/・]+", text or "") if word.strip()]


class WordsField(forms.CharField):
    """A list of words typed as one line separated by 、 or commas."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        return split_words(super().to_python(value) or "")


class ProfileForm(StyledForm):
    interests = WordsField(
        label=_("関心のあること・好きなこと"),
        required=False,
        help_text=_("「、」で区切ります。例: コーヒー、静かな場所、植物"),
    )
    strengths = WordsField(
        label=_("特技・得意なこと"), required=False, help_text=_("例: パソコン、絵、料理")
    )
    wishes = forms.CharField(
        label=_("本人の言葉（したいこと）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "本人が話したとおりに書きます。例: 「人とあまり話さなくていいなら、何か手伝ってみたい」"
        ),
    )
    days = forms.MultipleChoiceField(
        label=_("参加できる曜日"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.MultipleChoiceField(
        label=_("参加できる時間帯"),
        choices=TimeOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    group_size = forms.ChoiceField(
        label=_("人数"), choices=GroupSize.choices, widget=forms.RadioSelect
    )
    travel = forms.ChoiceField(
        label=_("移動できる範囲"), choices=Travel.choices, widget=forms.RadioSelect
    )
    pace = forms.ChoiceField(label=_("ペース"), choices=[("", ""), *Pace.choices], required=False)
    preferences = forms.MultipleChoiceField(
        label=_("参加しやすい条件"),
        choices=Ease.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    constraints_note = forms.CharField(
        label=_("配慮が必要なこと"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SuggestionFilterForm(StyledForm):
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("圏域"), queryset=None, required=False
    )
    weekday = forms.ChoiceField(
        label=_("曜日"), choices=[("", ""), *WEEKDAY_CHOICES], required=False
    )

    def __init__(self, *args: Any, districts: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["district"].empty_label = _("すべての圏域")  # type: ignore[attr-defined]
        self.fields["weekday"].choices = [("", _("すべての曜日")), *WEEKDAY_CHOICES]  # type: ignore[attr-defined]


class ProposeForm(StyledForm):
    resource = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("提案の理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    arrangement = forms.CharField(
        label=_("参加のしかた"),
        max_length=200,
        required=False,
        help_text=_("例: 月1回 1時間から、CSWが同行"),
    )
    next_follow_up_on = forms.DateField(
        label=_("次のフォローアップ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    plan: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("支援プラン"),
        queryset=None,
        required=False,
        empty_label=_("プランに基づかない（プラン前の参加支援）"),
    )

    def __init__(self, *args: Any, plans: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class TransitionForm(StyledForm):
    to_stage = forms.ChoiceField(
        label=_("次の段階"), choices=Stage.choices, widget=forms.RadioSelect
    )
    happened_on = forms.DateField(
        label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("経過・理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("終了・中断のときは理由が必要です"),
    )
    next_follow_up_on = forms.DateField(
        label=_("次のフォローアップ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s.value, s.label) for s in stages]  # type: ignore[attr-defined]


class NoteForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("記録の種類"),
        choices=[
            (EventKind.FOLLOW_UP.value, _("本人へのフォローアップ")),
            (EventKind.HOST_SUPPORT.value, _("受け入れ先への支援")),
        ],
        widget=forms.RadioSelect,
        initial=EventKind.FOLLOW_UP.value,
    )
    happened_on = forms.DateField(
        label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    next_follow_up_on = forms.DateField(
        label=_("次のフォローアップ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
