"""Forms of the strategy check sheet: choosing the sheet and year, the header,
programmes and indicators, the grids of values and budgets, and the
narratives with their version lock."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.appointments.models import EventKind
from tsunagu.core.forms_base import StyledForm
from tsunagu.directory.models import District, Organization
from tsunagu.frontdoor.models import Channel
from tsunagu.reports import strategy
from tsunagu.reports.metrics import (
    ADDS_COUNTED,
    EVENT_METRICS,
    EVENT_OPTION_ERROR,
    THREAD_METRICS,
    THREAD_OPTION_ERROR,
    option_choices,
)
from tsunagu.reports.models import (
    Indicator,
    Metric,
    StrategyProgramme,
    StrategySheet,
    Unit,
)
from tsunagu.reports.services_strategy import INDICATOR_FIELDS, BudgetEntry, ValueEntry

#: The largest figure a cell holds (the database's positive integer).
LARGEST = 2_147_483_647


class StrategyChoiceForm(StyledForm):
    """Which sheet, and which year's check (進行管理年度), the page shows."""

    sheet = forms.TypedChoiceField(label=_("主要課題"), coerce=int)
    year = forms.TypedChoiceField(label=_("進行管理年度"), coerce=int)

    def __init__(
        self, *args: Any, sheets: list[StrategySheet], sheet: StrategySheet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s.pk, s.title) for s in sheets]  # type: ignore[attr-defined]
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (fy, strategy.management_label(fy)) for fy in sheet.fiscal_years()
        ]


class StrategySheetForm(StyledForm):
    title = forms.CharField(label=_("主要課題"), max_length=120)
    policy_area = forms.CharField(label=_("基本政策"), max_length=120, required=False)
    vision = forms.CharField(
        label=_("4年後の目指す姿"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    direction = forms.CharField(
        label=_("計画期間の方向性"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("方向性ごとに段落を分けて書けます。"),
    )
    first_year = forms.IntegerField(
        label=_("計画期間の最初の年度（西暦）"), min_value=1989, max_value=2100, initial=2022
    )
    last_year = forms.IntegerField(
        label=_("計画期間の最後の年度（西暦）"), min_value=1989, max_value=2100, initial=2027
    )

    @classmethod
    def initial_of(cls, sheet: StrategySheet) -> dict[str, Any]:
        return {name: getattr(sheet, name) for name in cls.base_fields}


class ProgrammeForm(StyledForm):
    name = forms.CharField(label=_("事業名称"), max_length=120)
    department = forms.CharField(
        label=_("所管課"),
        max_length=120,
        help_text=_("複数の課で所管する場合は「・」で区切ります。"),
    )
    role = forms.CharField(
        label=_("事業の持つ役割"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_of(cls, programme: StrategyProgramme) -> dict[str, Any]:
        return {name: getattr(programme, name) for name in cls.base_fields}


class IndicatorForm(StyledForm):
    """An indicator: typed per year (入力値), or counted from the records by a
    metric and its parameters."""

    name = forms.CharField(label=_("指標（主な取組実績）"), max_length=120)
    unit = forms.ChoiceField(label=_("単位"), choices=Unit.choices)
    metric = forms.ChoiceField(
        label=_("数え方"),
        choices=Metric.choices,
        initial=Metric.ENTERED,
        help_text=_("「入力値」以外を選ぶと、実績は記録から集計します（目標は入力します）。"),
    )
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("機関"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("すべての機関"),
        help_text=_("記録から数える場合: この機関の記録だけを数えます。"),
    )
    include_branches = forms.BooleanField(label=_("分室・支所の記録も数える"), required=False)
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("すべての地区"),
        help_text=_("活動記録の件数の場合だけ使います。"),
    )
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).order_by("sort_order", "id")
        self.fields["district"].queryset = District.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).order_by("sort_order", "id")
        self.fields["option"].choices = option_choices()  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, indicator: Indicator) -> dict[str, Any]:
        # The option of a counted row, or of a consultations row adding one, is an item typed.
        counted = indicator.metric in (Metric.COUNTED, *ADDS_COUNTED)
        return {
            "name": indicator.name,
            "unit": indicator.unit,
            "metric": indicator.metric,
            "organization": indicator.organization_id,
            "include_branches": indicator.include_branches,
            "district": indicator.district_id,
            "option": "" if counted else indicator.option,
            "counted_item": indicator.option if counted else "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("metric") == Metric.COUNTED:
            if not data.get("counted_item"):
                self.add_error("counted_item", _("件数入力の項目名を入力してください。"))
            data["option"] = data.get("counted_item", "")
        if data.get("metric") in ADDS_COUNTED:
            # 「*委託事業件数と合算」: the counted entry added to the records' count, if any.
            data["option"] = data.get("counted_item", "")
        if data.get("metric") in THREAD_METRICS and data.get("option") not in ("", *Channel.values):
            self.add_error("option", THREAD_OPTION_ERROR)
        if data.get("metric") in EVENT_METRICS and data.get("option") not in (
            "",
            *EventKind.values,
        ):
            self.add_error("option", EVENT_OPTION_ERROR)
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in INDICATOR_FIELDS}


class ArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("アーカイブの理由"), max_length=200, help_text=_("例: 計画の見直しにより終了")
    )


class FigureField(forms.IntegerField):
    """A count or an amount as clerks type it: 1,500 and full-width １５００ are read too."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
        return super().to_python(value)


def _figure_field(label: str) -> FigureField:
    return FigureField(
        label=label,
        required=False,
        min_value=0,
        max_value=LARGEST,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "size": 8,
                "class": "figure-input",
                "autocomplete": "off",
            }
        ),
    )


@dataclass(frozen=True)
class GridCell:
    year: strategy.Year
    first: forms.BoundField | None
    second: forms.BoundField


@dataclass(frozen=True)
class GridRow:
    label: str
    note: str
    cells: list[GridCell]
    heading: str = ""


class ValuesForm(StyledForm):
    """Every indicator's typed actual and target per year, as one grid. An
    indicator counted from records has no actual to type."""

    def __init__(
        self,
        *args: Any,
        programmes: list[StrategyProgramme],
        years: list[strategy.Year],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.indicators = [i for p in programmes for i in p.indicators.all()]
        self.programme_of = {i.pk: p for p in programmes for i in p.indicators.all()}
        for indicator in self.indicators:
            values = {v.fiscal_year: v for v in indicator.values.all()}
            for year in years:
                typed = values.get(year.fiscal_year)
                name = f"{indicator.pk}-{year.fiscal_year}"
                if not indicator.is_computed:
                    self.fields[f"actual-{name}"] = _figure_field(
                        f"{indicator.name} {year.heading} {_('実績')}"
                    )
                    self.initial[f"actual-{name}"] = typed.actual if typed else None
                self.fields[f"target-{name}"] = _figure_field(
                    f"{indicator.name} {year.heading} {_('目標')}"
                )
                self.initial[f"target-{name}"] = typed.target if typed else None

    def rows(self) -> list[GridRow]:
        rows = []
        shown = None
        for indicator in self.indicators:
            programme = self.programme_of[indicator.pk]
            cells = []
            for year in self.years:
                name = f"{indicator.pk}-{year.fiscal_year}"
                actual = f"actual-{name}"
                cells.append(
                    GridCell(
                        year,
                        self[actual] if actual in self.fields else None,
                        self[f"target-{name}"],
                    )
                )
            rows.append(
                GridRow(
                    label=indicator.name,
                    note=str(_("実績は記録から集計")) if indicator.is_computed else "",
                    cells=cells,
                    heading=programme.name if programme.pk != shown else "",
                )
            )
            shown = programme.pk
        return rows

    def entries(self) -> list[ValueEntry]:
        data = self.cleaned_data
        return [
            ValueEntry(
                indicator=indicator,
                fiscal_year=year.fiscal_year,
                actual=data.get(f"actual-{indicator.pk}-{year.fiscal_year}"),
                target=data.get(f"target-{indicator.pk}-{year.fiscal_year}"),
            )
            for indicator in self.indicators
            for year in self.years
        ]


class BudgetsForm(StyledForm):
    """Every programme's 事業費 per year: the actual and the initial budget (千円)."""

    def __init__(
        self,
        *args: Any,
        programmes: list[StrategyProgramme],
        years: list[strategy.Year],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.programmes = programmes
        for programme in programmes:
            budgets = {b.fiscal_year: b for b in programme.budgets.all()}
            for year in years:
                budget = budgets.get(year.fiscal_year)
                name = f"{programme.pk}-{year.fiscal_year}"
                self.fields[f"actual-{name}"] = _figure_field(
                    f"{programme.name} {year.heading} {_('実績（千円）')}"
                )
                self.fields[f"initial-{name}"] = _figure_field(
                    f"{programme.name} {year.heading} {_('当初予算（千円）')}"
                )
                self.initial[f"actual-{name}"] = budget.actual if budget else None
                self.initial[f"initial-{name}"] = budget.initial if budget else None

    def rows(self) -> list[GridRow]:
        return [
            GridRow(
                label=programme.name,
                note=programme.department,
                cells=[
                    GridCell(
                        year,
                        self[f"actual-{programme.pk}-{year.fiscal_year}"],
                        self[f"initial-{programme.pk}-{year.fiscal_year}"],
                    )
                    for year in self.years
                ],
            )
            for programme in self.programmes
        ]

    def entries(self) -> list[BudgetEntry]:
        data = self.cleaned_data
        return [
            BudgetEntry(
                programme=programme,
                fiscal_year=year.fiscal_year,
                actual=data.get(f"actual-{programme.pk}-{year.fiscal_year}"),
                initial=data.get(f"initial-{programme.pk}-{year.fiscal_year}"),
            )
            for programme in self.programmes
            for year in self.years
        ]


def _normalized(text: str) -> str:
    """Browsers send a textarea's line breaks as CR LF: keep LF only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def digest(text: str) -> str:
    """A short fingerprint of a section's text as the page showed it."""
    return hashlib.sha256(_normalized(text).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class NarrativeField:
    section: str
    text: forms.BoundField
    version: forms.BoundField
    digest: forms.BoundField
    #: The text someone else saved meanwhile (after a conflict).
    theirs: str | None


class NarrativesForm(StyledForm):
    """One year's four narrative sections. Each carries the version and a
    fingerprint of the text the page showed: only sections the writer changed
    are saved, and only if no one saved them in between."""

    def __init__(self, *args: Any, narratives: list[strategy.Narrative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.theirs: dict[str, str] = {}
        self.sections = [n.section for n in narratives]
        for narrative in narratives:
            section = narrative.section
            self.fields[section] = forms.CharField(
                label=narrative.label,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
            self.fields[f"{section}-version"] = forms.IntegerField(
                min_value=0, widget=forms.HiddenInput
            )
            self.fields[f"{section}-digest"] = forms.CharField(
                max_length=64, required=False, widget=forms.HiddenInput
            )
            self.initial[section] = narrative.text
            self.initial[f"{section}-version"] = narrative.version
            self.initial[f"{section}-digest"] = digest(narrative.text)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for section in self.sections:
            if section in data:
                data[section] = _normalized(data[section])
        return data

    def changes(self) -> dict[str, tuple[str, int]]:
        """The sections the writer changed: ``{section: (text, version shown)}``."""
        data = self.cleaned_data
        return {
            section: (data[section], data[f"{section}-version"])
            for section in self.sections
            if digest(data[section]) != data.get(f"{section}-digest")
        }

    def show_conflict(self, current: list[strategy.Narrative], sections: list[str]) -> None:
        """After a refused save: keep what was typed, show what the others saved,
        and take their version, so that saving again means "mine, having seen theirs"."""
        data = self.data.copy()  # type: ignore[attr-defined]
        for narrative in current:
            if narrative.section in sections:
                self.theirs[narrative.section] = narrative.text
                data[f"{narrative.section}-version"] = str(narrative.version)
                data[f"{narrative.section}-digest"] = digest(narrative.text)
        self.data = data

    @property
    def tampered(self) -> bool:
        """A hidden version or fingerprint did not come back as the page sent it."""
        return any(
            self[name].errors for name in self.fields if name.endswith(("-version", "-digest"))
        )

    def sections_fields(self) -> list[NarrativeField]:
        return [
            NarrativeField(
                section=section,
                text=self[section],
                version=self[f"{section}-version"],
                digest=self[f"{section}-digest"],
                theirs=self.theirs.get(section),
            )
            for section in self.sections
        ]
