"""The outreach contact form: built for a phone at the doorstep — big choice
buttons for method, result and stage, today's date and time already filled."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import Membership
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.outreach.models import Direction, Intent, Method, Result, Stage


class MembershipChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.staff.full_name}（{obj.organization.name}）"


class OutreachContactForm(StyledForm):
    occurred_on = forms.DateField(
        label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    occurred_time = forms.TimeField(
        label=_("時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    method = forms.ChoiceField(label=_("方法"), choices=Method.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("結果"), choices=Result.choices, widget=forms.RadioSelect)
    direction = forms.ChoiceField(
        label=_("発信/受信"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        initial=Direction.OUTGOING,
    )
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("働きかけた相手"), queryset=None, required=False, empty_label=_("世帯全体・不明")
    )
    intent = forms.ChoiceField(label=_("働きかけの意図"), choices=Intent.choices)
    intent_note = forms.CharField(
        label=_("意図の補足"),
        max_length=200,
        required=False,
        help_text=_("例: 顔を覚えてもらう、困りごとを聞ける関係をつくる"),
    )
    stage_after = forms.ChoiceField(
        label=_("関係の段階（この後）"), choices=Stage.choices, widget=forms.RadioSelect
    )
    content = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("次の働きかけ"), max_length=200, required=False)
    next_on = forms.DateField(
        label=_("次回予定日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visitors = MembershipChoiceField(
        label=_("同行した職員（他機関を含む）"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("自分は自動で含まれます。Ctrl（⌘）を押しながら選ぶと複数選べます。"),
    )
    case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("多機関協働ケース"),
        queryset=None,
        required=False,
        empty_label=_("ケースの支援としてではない"),
        help_text=_("ケースの支援として行った場合に選びます。ケースの記録として共有されます。"),
    )

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
        self.fields["visitors"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(active=True, staff__is_active=True, staff__is_guest=False)
            .exclude(staff_id=actor_id)
            .select_related("staff", "organization")
            .order_by("organization__sort_order", "organization_id", "staff__full_name_kana")
        )

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
            "method": data["method"],
            "result": data["result"],
            "direction": data["direction"],
            "intent": data["intent"],
            "intent_note": data["intent_note"],
            "stage_after": data["stage_after"],
            "content": data["content"],
            "next_step": data["next_step"],
            "next_on": data["next_on"],
        }

    def visitor_pairs(self) -> list[tuple[Any, Any]]:
        return [(m.staff, m.organization) for m in self.cleaned_data.get("visitors") or []]


class PeriodForm(StyledForm):
    """A fiscal year and optionally one quarter (the report's periods)."""

    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("期間"),
        coerce=int,
        required=False,
        empty_value=0,  # type: ignore[arg-type]
        choices=[
            (0, _("年度全体")),
            (1, _("4月〜6月")),
            (2, _("7月〜9月")),
            (3, _("10月〜12月")),
            (4, _("1月〜3月")),
        ],
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = fiscal_year_of(today)
        self.fields["fiscal_year"].choices = [  # type: ignore[attr-defined]
            (fy, fiscal_year_label(fy)) for fy in range(current, current - 5, -1)
        ]
        self.fields["fiscal_year"].initial = current
