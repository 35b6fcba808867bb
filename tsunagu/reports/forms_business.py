"""The business report's columns (two periods) and its row configuration."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.appointments.models import EventKind
from tsunagu.core import wareki
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import District, Organization
from tsunagu.frontdoor.models import Channel
from tsunagu.reports.metrics import (
    ADDS_COUNTED,
    EVENT_METRICS,
    EVENT_OPTION_ERROR,
    THREAD_METRICS,
    THREAD_OPTION_ERROR,
    Period,
    default_periods,
    option_choices,
)
from tsunagu.reports.models import Metric, ReportRow

#: Months of a fiscal year, April first.
FISCAL_MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
MONTH_CHOICES = [(m, f"{m}月") for m in FISCAL_MONTHS]


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


class ColumnsForm(StyledForm):
    """Each column: a fiscal year and the months of it (年度全体 or 4月〜6月 …)."""

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = wareki.fiscal_year_of(today)
        years = [(fy, wareki.fiscal_year_label(fy)) for fy in range(current, current - 10, -1)]
        defaults = default_periods(today)
        for index, period in enumerate(defaults, start=1):
            self.fields[f"c{index}_year"] = forms.TypedChoiceField(
                label=_("%(n)d列目の年度") % {"n": index},
                coerce=int,
                choices=years,
                initial=wareki.fiscal_year_of(period.start),
            )
            self.fields[f"c{index}_from"] = forms.TypedChoiceField(
                label=_("から"), coerce=int, choices=MONTH_CHOICES, initial=period.start.month
            )
            self.fields[f"c{index}_to"] = forms.TypedChoiceField(
                label=_("まで"), coerce=int, choices=MONTH_CHOICES, initial=period.end.month
            )
        self.defaults = defaults

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for index in (1, 2):
            first = cleaned.get(f"c{index}_from")
            last = cleaned.get(f"c{index}_to")
            if (
                first is not None
                and last is not None
                and FISCAL_MONTHS.index(last) < FISCAL_MONTHS.index(first)
            ):
                self.add_error(
                    f"c{index}_to", _("終わりの月は始まりの月より後（年度内）にしてください。")
                )
        return cleaned

    def periods(self) -> tuple[Period, Period]:
        """The chosen columns; the defaults when nothing (or something invalid) was chosen."""
        if not self.is_bound or not self.is_valid():
            return self.defaults
        chosen = []
        for index in (1, 2):
            fy = self.cleaned_data[f"c{index}_year"]
            first = self.cleaned_data[f"c{index}_from"]
            last = self.cleaned_data[f"c{index}_to"]
            start_year = fy if first >= 4 else fy + 1
            end_year = fy if last >= 4 else fy + 1
            chosen.append(Period(datetime.date(start_year, first, 1), _month_end(end_year, last)))
        return chosen[0], chosen[1]


class ReportRowForm(StyledModelForm):
    """One row: its label and what it counts (the 種類 chosen from Japanese
    labels, as for an indicator; a counted entry's item typed)."""

    option = forms.ChoiceField(
        label=_("種類"),
        required=False,
        help_text=_("会議の開催件数では会議の種類、活動記録の件数では区分と種類を選びます。"),
    )
    counted_item = forms.CharField(
        label=_("件数入力の項目名"),
        max_length=60,
        required=False,
        help_text=_(
            "件数入力の合計の場合: 例 親子ひろば利用者数。"
            "相談受付件数・届いた相談の件数では、合算する件数入力（委託事業の件数など）の項目名。"
        ),
    )

    class Meta:
        model = ReportRow
        fields = [
            "label",
            "metric",
            "organization",
            "include_branches",
            "district",
            "option",
            "cell_note",
            "sort_order",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).order_by("sort_order", "name")
        self.fields["district"].queryset = District.objects.order_by("sort_order")  # type: ignore[attr-defined]
        # Left empty, a row counts every organization's (or district's) records.
        self.fields["organization"].empty_label = _("すべての機関")  # type: ignore[attr-defined]
        self.fields["district"].empty_label = _("すべての地区")  # type: ignore[attr-defined]
        self.fields["option"].choices = option_choices()  # type: ignore[attr-defined]
        if self.instance.pk and self.instance.metric in (Metric.COUNTED, *ADDS_COUNTED):
            self.initial["counted_item"] = self.instance.option
            self.initial["option"] = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        metric = cleaned.get("metric")
        if metric in (
            Metric.CONSULTATIONS,
            Metric.NEW_CONSULTATIONS,
            Metric.RECEIVED,
        ) and not cleaned.get("organization"):
            self.add_error("organization", _("相談受付件数は受付機関を選んでください。"))
        if metric == Metric.COUNTED:
            if not cleaned.get("counted_item"):
                self.add_error(
                    "counted_item",
                    _("件数入力の項目名を入れてください（例: 親子ひろば利用者数）。"),
                )
            cleaned["option"] = cleaned.get("counted_item", "")
        if metric in ADDS_COUNTED:
            # 「*委託事業件数と合算」: the counted entry added to the records' count, if any.
            cleaned["option"] = cleaned.get("counted_item", "")
        if metric in THREAD_METRICS and cleaned.get("option") not in ("", *Channel.values):
            self.add_error("option", THREAD_OPTION_ERROR)
        if metric in EVENT_METRICS and cleaned.get("option") not in ("", *EventKind.values):
            self.add_error("option", EVENT_OPTION_ERROR)
        return cleaned
