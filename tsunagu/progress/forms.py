"""The 支援経過記録 form: today's date and time already filled, the 種別 as a
group of buttons (a fieldset with its legend), who took part from which
organizations, what happened and the next step."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import Membership
from tsunagu.core.forms_base import StyledForm
from tsunagu.outreach.forms import MembershipChoiceField
from tsunagu.progress.models import Kind, ProgressNote


class ProgressNoteForm(StyledForm):
    occurred_on = forms.DateField(
        label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    occurred_time = forms.TimeField(
        label=_("時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    kind = forms.ChoiceField(label=_("種別"), choices=Kind.choices, widget=forms.RadioSelect)
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("本人"), queryset=None, required=False, empty_label=_("世帯全体")
    )
    participants = MembershipChoiceField(
        label=_("対応した職員（他機関を含む）"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("自分は自動で含まれます。Ctrl（⌘）を押しながら選ぶと複数選べます。"),
    )
    other_participants = forms.CharField(
        label=_("その他の参加者"),
        max_length=200,
        required=False,
        help_text=_("職員以外の参加者（例: 本人、母、学校の担任）"),
    )
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    next_step = forms.CharField(label=_("次回の予定"), max_length=200, required=False)
    next_on = forms.DateField(
        label=_("次回予定日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("多機関協働ケース"),
        queryset=None,
        required=False,
        empty_label=_("ケースの支援としてではない"),
        help_text=_("ケースの支援として行った場合に選びます。ケースの記録として共有されます。"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        persons: QuerySet[Any],
        cases: QuerySet[Any],
        actor_id: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["participants"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(active=True, staff__is_active=True, staff__is_guest=False)
            .exclude(staff_id=actor_id)
            .select_related("staff", "organization")
            .order_by("organization__sort_order", "organization_id", "staff__full_name_kana")
        )

    @classmethod
    def initial_of(cls, note: ProgressNote) -> dict[str, Any]:
        local = timezone.localtime(note.occurred_at)
        return {
            "occurred_on": local.date(),
            "occurred_time": local.time().replace(second=0, microsecond=0),
            "kind": note.kind,
            "person": note.person_id,
            "other_participants": note.other_participants,
            "content": note.content,
            "next_step": note.next_step,
            "next_on": note.next_on,
            "case": note.case_id,
            "version": note.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("occurred_on"), data.get("occurred_time")
        if day and at:
            data["occurred_at"] = timezone.make_aware(datetime.datetime.combine(day, at))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "occurred_at": data["occurred_at"],
            "kind": data["kind"],
            "other_participants": data["other_participants"],
            "content": data["content"],
            "next_step": data["next_step"],
            "next_on": data["next_on"],
        }

    def participant_pairs(self) -> list[tuple[Any, Any]]:
        return [(m.staff, m.organization) for m in self.cleaned_data.get("participants") or []]
