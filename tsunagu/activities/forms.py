"""Forms of the activities pages.

The quick entry is built for a phone between visits: the day (today) and the
district (the last one used) already filled, one tap for what kind of work it
was — category, kind and 直接/間接 are a single choice, so that no combination
the report does not have can be picked — one for 発信/受信, and a short intent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.activities import selectors
from tsunagu.activities.models import ActivityRecord, Category, Direction
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of, format_wareki_month

#: Up to this many districts are offered as buttons; more as a list.
DISTRICT_BUTTONS = 8
INTENT_LIST_ID = "intent-suggestions"


class ActivityRecordForm(StyledForm):
    occurred_on = WarekiDateField(label=_("活動日"))
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), queryset=None, empty_label=None
    )
    activity = forms.ChoiceField(
        label=_("活動の区分と種類"),
        widget=forms.RadioSelect,
        error_messages={"required": _("活動の区分と種類を選んでください。")},
    )
    direction = forms.ChoiceField(
        label=_("発信/受信"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        initial=Direction.OUTGOING,
        help_text=_("こちらから働きかけたか（発信）、相手から連絡・相談があったか（受信）"),
    )
    intent = forms.CharField(
        label=_("働きかけの意図"),
        max_length=200,
        error_messages={"required": _("働きかけの意図を入力してください。")},
        help_text=_(
            "何を狙って働きかけたかを短く。例: 町会長と顔の見える関係をつくる（個人名は書かない）"
        ),
        widget=forms.TextInput(attrs={"list": INTENT_LIST_ID, "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    community_project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地域プロジェクト"),
        queryset=None,
        required=False,
        empty_label=_("なし"),
        help_text=_(
            "地域支援・生活支援コーディネーター活動で、プロジェクトのための働きかけなら選びます"
        ),
    )
    community_place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("居場所・拠点"), queryset=None, required=False, empty_label=_("なし")
    )

    def __init__(
        self,
        *args: Any,
        districts: QuerySet[Any],
        projects: QuerySet[Any],
        places: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        if districts.count() <= DISTRICT_BUTTONS:
            district.widget = forms.RadioSelect()
        district.queryset = districts  # type: ignore[attr-defined]
        self.fields["activity"].choices = [  # type: ignore[attr-defined]
            (label, [(option.value, option.label) for option in options])
            for label, options in selectors.activity_groups()
        ]
        self.fields["community_project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["community_place"].queryset = places  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, record: ActivityRecord) -> dict[str, Any]:
        return {
            "occurred_on": record.occurred_on,
            "district": record.district_id,
            "activity": selectors.option_of(record).value,
            "direction": record.direction,
            "intent": record.intent,
            "note": record.note,
            "community_project": record.community_project_id,
            "community_place": record.community_place_id,
        }

    def activity_groups(self) -> list[tuple[str, list[Any]]]:
        """The activity buttons grouped by category, each group a fieldset on the page."""
        buttons = {str(button.data["value"]): button for button in self["activity"]}
        return [
            (label, [buttons[option.value] for option in options])
            for label, options in selectors.activity_groups()
        ]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        option = selectors.parse_activity(data["activity"])
        assert option is not None  # the choice field admits only valid options
        return {
            "occurred_on": data["occurred_on"],
            "district": data["district"],
            "category": option.category,
            "kind": option.kind,
            "mode": option.mode,
            "direction": data["direction"],
            "intent": data["intent"],
            "note": data["note"],
            "community_project": data["community_project"],
            "community_place": data["community_place"],
        }


#: The service's field names as the form names them (category, kind and mode are one choice).
SERVICE_TO_FORM = {"category": "activity", "kind": "activity", "mode": "activity"}


class ActivityFilterForm(StyledForm):
    """The list's filters, from the query string."""

    month = forms.ChoiceField(label=_("月"), required=False)
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), required=False, queryset=None, empty_label=_("すべて")
    )
    category = forms.ChoiceField(
        label=_("区分"), required=False, choices=[("", _("すべて")), *Category.choices]
    )
    archived = forms.BooleanField(label=_("アーカイブした記録も表示する"), required=False)

    def __init__(
        self, *args: Any, districts: QuerySet[Any], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["month"].choices = [  # type: ignore[attr-defined]
            (month.strftime("%Y-%m"), format_wareki_month(month.year, month.month))
            for month in selectors.recent_months(today)
        ]
        self.today = today

    def filters(self) -> selectors.RecordFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        month = self.today.replace(day=1)
        if data.get("month"):
            month = datetime.date.fromisoformat(f"{data['month']}-01")
        start, end = selectors.month_range(month)
        district = data.get("district")
        return selectors.RecordFilter(
            start=start,
            end=end,
            district_id=district.pk if district is not None else None,
            category=data.get("category") or "",
            include_archived=bool(data.get("archived")),
        )


class ArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("アーカイブの理由"),
        max_length=200,
        error_messages={"required": _("アーカイブの理由を入力してください。")},
        help_text=_("例: 二重に入力した、別の地区の記録だった"),
    )


class CountedPeriodForm(StyledForm):
    """Which organization's grid, for which fiscal year."""

    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("機関"), queryset=None, empty_label=None
    )
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(
        self, *args: Any, organizations: QuerySet[Any], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        current = fiscal_year_of(today)
        self.fields["fiscal_year"].choices = [  # type: ignore[attr-defined]
            (fy, fiscal_year_label(fy)) for fy in range(current, current - 5, -1)
        ]


class CountedGridForm(StyledForm):
    """The month grid: a number field per item and month (past and this month),
    and a blank row for a new item. Fields are named by the item itself, so a
    row someone else added meanwhile cannot shift the numbers onto another."""

    new_item = forms.CharField(
        label=_("新しい項目"),
        max_length=80,
        required=False,
        help_text=_("例: 親子ひろば利用者数"),
    )

    def __init__(self, *args: Any, grid: selectors.CountedGrid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        labels = grid.month_labels
        self.cells: list[tuple[str, list[tuple[datetime.date, str | None]]]] = []
        for r, row in enumerate(grid.rows):
            names: list[tuple[datetime.date, str | None]] = []
            for c, cell in enumerate(row.cells):
                if cell.future:
                    names.append((cell.month, None))
                    continue
                name = self.cell_name(row.item, cell.month)
                self.fields[name] = self._number(
                    f"cell-{r}-{c}", f"{row.item} {labels[c]}", entered=cell.entry is not None
                )
                self.initial[name] = cell.count
                names.append((cell.month, name))
            self.cells.append((row.item, names))
        self.new_cells: list[tuple[datetime.date, str | None]] = []
        for c, month in enumerate(grid.months):
            if month > grid.this_month:
                self.new_cells.append((month, None))
                continue
            name = f"new|{month:%Y-%m}"
            self.fields[name] = self._number(f"cell-new-{c}", f"{_('新しい項目')} {labels[c]}")
            self.new_cells.append((month, name))

    @staticmethod
    def cell_name(item: str, month: datetime.date) -> str:
        return f"c|{month:%Y-%m}|{item}"

    @staticmethod
    def _number(html_id: str, label: str, entered: bool = False) -> forms.IntegerField:
        attrs: dict[str, Any] = {
            "id": html_id,
            "aria-label": label,
            "inputmode": "numeric",
            "min": 0,
        }
        if entered:
            # Who entered the count and when, written under the input.
            attrs["aria-describedby"] = f"{html_id}-by"
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            error_messages={
                "invalid": _("数を半角数字で入力してください。"),
                "min_value": _("0以上の数を入力してください。"),
            },
            widget=forms.NumberInput(attrs=attrs),
        )

    def clean_new_item(self) -> str:
        from tsunagu.activities.services import normalize_item

        item = normalize_item(self.cleaned_data.get("new_item") or "")
        if item and item in {row.item for row in self.grid.rows}:
            raise forms.ValidationError(
                _("この項目はすでに表にあります。表の行に入力してください。")
            )
        return item

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new_values = [data.get(name) for _month, name in self.new_cells if name]
        if not data.get("new_item") and any(value is not None for value in new_values):
            self.add_error("new_item", _("新しい項目の名前を入力してください。"))
        return data

    def rows(self) -> list[tuple[selectors.GridRow, list[tuple[Any, Any]]]]:
        """Each row of the grid with, per month, its cell and input (None for a month to come)."""
        return [
            (
                row,
                [
                    (cell, self[name] if name else None)
                    for cell, (_m, name) in zip(row.cells, names, strict=True)
                ],
            )
            for row, (_item, names) in zip(self.grid.rows, self.cells, strict=True)
        ]

    def new_row(self) -> list[tuple[datetime.date, Any]]:
        return [(month, self[name] if name else None) for month, name in self.new_cells]

    def changes(self) -> list[tuple[str, datetime.date, int | None]]:
        """The cells whose number differs from what is entered: (item, month, count or None)."""
        changed: list[tuple[str, datetime.date, int | None]] = []
        data = self.cleaned_data
        for item, names in self.cells:
            for month, name in names:
                if name is not None and data.get(name) != self.initial.get(name):
                    changed.append((item, month, data.get(name)))
        new_item: str = data.get("new_item") or ""
        if new_item:
            for month, name in self.new_cells:
                if name is not None and data.get(name) is not None:
                    changed.append((new_item, month, data[name]))
        return changed
