"""The life event form: the date as far as the family knows it — the year
alone (「2019年頃」), the year and month, or the whole date."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms_base import StyledForm
from tsunagu.lifeevents.models import Kind, LifeEvent, Precision, Source


class LifeEventForm(StyledForm):
    kind = forms.ChoiceField(label=_("出来事"), choices=Kind.choices)
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("本人"), queryset=None, required=False, empty_label=_("世帯全体")
    )
    year = forms.IntegerField(
        label=_("年（西暦）"),
        min_value=1900,
        max_value=2100,
        help_text=_("わかる範囲で。年だけなら「頃」として記録します"),
    )
    month = forms.IntegerField(label=_("月"), min_value=1, max_value=12, required=False)
    day = forms.IntegerField(label=_("日"), min_value=1, max_value=31, required=False)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(label=_("情報源"), choices=Source.choices)
    source_note = forms.CharField(
        label=_("情報源の補足"), max_length=200, required=False, help_text=_("例: 長女から電話で")
    )

    def __init__(self, *args: Any, persons: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, event: LifeEvent) -> dict[str, Any]:
        day = event.occurred_on
        return {
            "kind": event.kind,
            "person": event.person_id,
            "year": day.year,
            "month": day.month if event.precision != Precision.YEAR else None,
            "day": day.day if event.precision == Precision.DAY else None,
            "description": event.description,
            "source": event.source,
            "source_note": event.source_note,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, month, day = data.get("year"), data.get("month"), data.get("day")
        if year is None:
            return data
        if day is not None and month is None:
            self.add_error("month", _("日を入力したときは、月も入力してください。"))
            return data
        try:
            data["occurred_on"] = datetime.date(year, month or 1, day or 1)
        except ValueError:
            self.add_error("day", _("その月にない日付です。"))
            return data
        data["precision"] = (
            Precision.DAY if day is not None else Precision.MONTH if month else Precision.YEAR
        )
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "kind",
                "occurred_on",
                "precision",
                "description",
                "source",
                "source_note",
            )
        }


class ArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("取り消す理由"), max_length=200, help_text=_("例: 別の世帯の出来事を誤って記録した")
    )
