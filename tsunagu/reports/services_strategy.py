"""Writes of the strategy check sheet: its header, programmes, indicators,
typed values and targets, budgets and narratives — each with its audit event
in the same transaction.

The sheet holds aggregates and text, no personal data; who may write it is
the policy's ``report_configuration`` (the coordinating section, managers,
the system administrator). The narratives are written by several people
over weeks: a section saved from a page loaded before someone else's save is
refused (a version lock), and nothing of the save is applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.appointments.models import EventKind
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.models import TrackedModel
from tsunagu.core.services import tracked_archive
from tsunagu.core.versioning import EditConflict
from tsunagu.reports.metrics import ADDS_COUNTED, EVENT_METRICS, EVENT_OPTION_ERROR, activity_option
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    Metric,
    NarrativeSection,
    ProgrammeBudget,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
)

SHEET_FIELDS = ("title", "policy_area", "vision", "direction", "first_year", "last_year")
PROGRAMME_FIELDS = ("name", "department", "role")
INDICATOR_FIELDS = (
    "name",
    "unit",
    "metric",
    "organization",
    "include_branches",
    "district",
    "option",
)
#: The longest plan period a sheet may span (the seed's is six years, R4–R9).
LONGEST_PERIOD = 10
#: The fiscal years a plan period may name (平成元年 to a far horizon).
EARLIEST_YEAR, LATEST_YEAR = 1989, 2100


class NarrativeConflict(EditConflict):
    """A narrative changed after the page was loaded; nothing was saved."""

    message = gettext_lazy(
        "この記述は、表示した後に他の職員が保存しました。"
        "他の職員が保存した内容を確認してから、もう一度保存してください（入力した内容は残っています）。"
    )

    def __init__(self, sections: list[str]) -> None:
        super().__init__()
        #: The sections that changed meanwhile.
        self.sections = sections


@dataclass(frozen=True)
class ValueEntry:
    """One indicator's typed actual and target for one fiscal year."""

    indicator: Indicator
    fiscal_year: int
    actual: int | None
    target: int | None


@dataclass(frozen=True)
class BudgetEntry:
    """One programme's 事業費 for one fiscal year, in 千円."""

    programme: StrategyProgramme
    fiscal_year: int
    actual: int | None
    initial: int | None


def _unknown(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _save(actor: Staff, instance: TrackedModel, fields: Mapping[str, Any]) -> list[str]:
    """Set ``fields`` on ``instance``, validate and save it; the names changed."""
    creating = instance.pk is None
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name, value in fields.items():
        setattr(instance, name, value)
    if creating:
        instance.created_by = actor
    instance.updated_by = actor
    instance.full_clean(exclude=["municipality"])
    instance.save()
    return sorted(changed)


# --- The sheet -----------------------------------------------------------------------


def _check_period(first_year: int, last_year: int) -> None:
    outside = {
        name: _("%(first)s〜%(last)s年度の範囲で指定してください。")
        % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        for name, year in (("first_year", first_year), ("last_year", last_year))
        if not EARLIEST_YEAR <= year <= LATEST_YEAR
    }
    if outside:
        raise ValidationError(outside)
    if last_year < first_year:
        raise ValidationError({"last_year": _("最後の年度は、最初の年度以降にしてください。")})
    if last_year - first_year + 1 > LONGEST_PERIOD:
        raise ValidationError(
            {"last_year": _("計画期間は%(n)s年度以内にしてください。") % {"n": LONGEST_PERIOD}}
        )


@transaction.atomic
def strategy_sheet_create(*, actor: Staff, **fields: Any) -> StrategySheet:
    """Start a sheet for one 主要課題."""
    _unknown(fields, SHEET_FIELDS)
    sheet = StrategySheet()
    _check_period(
        fields.get("first_year", sheet.first_year), fields.get("last_year", sheet.last_year)
    )
    _save(actor, sheet, fields)
    audit_record(AuditAction.CREATE, actor=actor, obj=sheet)
    return sheet


@transaction.atomic
def strategy_sheet_update(*, actor: Staff, sheet: StrategySheet, **fields: Any) -> StrategySheet:
    """Change the sheet's header: 主要課題, 基本政策, 目指す姿, 方向性, plan period."""
    _unknown(fields, SHEET_FIELDS)
    _check_period(
        fields.get("first_year", sheet.first_year), fields.get("last_year", sheet.last_year)
    )
    changed = _save(actor, sheet, fields)
    audit_record(AuditAction.CHANGE, actor=actor, obj=sheet, detail={"fields": changed})
    return sheet


# --- Programmes ----------------------------------------------------------------------


def _next_order(rows: Any) -> int:
    return int(rows.aggregate(last=Max("sort_order"))["last"] or 0) + 10


@transaction.atomic
def strategy_programme_create(
    *, actor: Staff, sheet: StrategySheet, **fields: Any
) -> StrategyProgramme:
    """Tie a 計画事業 to the sheet (placed last)."""
    _unknown(fields, PROGRAMME_FIELDS)
    programme = StrategyProgramme(
        sheet=sheet, sort_order=_next_order(StrategyProgramme.objects.filter(sheet=sheet))
    )
    _save(actor, programme, fields)
    audit_record(AuditAction.CREATE, actor=actor, obj=programme, detail={"sheet": sheet.pk})
    return programme


@transaction.atomic
def strategy_programme_update(
    *, actor: Staff, programme: StrategyProgramme, **fields: Any
) -> StrategyProgramme:
    _unknown(fields, PROGRAMME_FIELDS)
    changed = _save(actor, programme, fields)
    audit_record(AuditAction.CHANGE, actor=actor, obj=programme, detail={"fields": changed})
    return programme


def _move(actor: Staff, row: TrackedModel, siblings: Any, offset: int) -> None:
    """Swap ``row`` with its neighbour ``offset`` (-1 up, +1 down); the order is
    renumbered 10, 20, … on the way, so that equal numbers never stick."""
    ordered = list(siblings.select_for_update().order_by("sort_order", "id"))
    index = next(i for i, r in enumerate(ordered) if r.pk == row.pk)
    other = index + offset
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered, start=1):
        if sibling.sort_order != position * 10:
            sibling.sort_order = position * 10
            sibling.updated_by = actor
            sibling.save(update_fields=["sort_order", "updated_by", "updated_at"])
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=row,
        detail={"fields": ["sort_order"], "moved": "up" if offset < 0 else "down"},
    )


@transaction.atomic
def strategy_programme_move(*, actor: Staff, programme: StrategyProgramme, offset: int) -> None:
    """Move a programme up (-1) or down (+1) on the sheet."""
    siblings = StrategyProgramme.objects.filter(sheet_id=programme.sheet_id, archived_at=None)
    _move(actor, programme, siblings, offset)


def _reason(reason: str) -> str:
    """Why a row leaves the sheet: required, so that the record says why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("アーカイブの理由を入力してください。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("アーカイブの理由は200文字以内で入力してください。")})
    return reason


@transaction.atomic
def strategy_programme_archive(
    *, actor: Staff, programme: StrategyProgramme, reason: str
) -> StrategyProgramme:
    """Take a programme off the sheet (kept, with its figures, for the record)."""
    tracked_archive(actor=actor, instance=programme, reason=_reason(reason))
    return programme


# --- Indicators ----------------------------------------------------------------------


def _check_spec(fields: dict[str, Any]) -> dict[str, Any]:
    """The metric's parameters, checked; those the metric does not use cleared."""
    from tsunagu.activities.models import KINDS_BY_CATEGORY, Category, Mode
    from tsunagu.meetings.models import Kind as MeetingKind

    metric = fields.get("metric", Metric.ENTERED)
    option = (fields.get("option") or "").strip()
    errors: dict[str, str] = {}
    if metric == Metric.ENTERED:
        return {
            **fields,
            "metric": metric,
            "organization": None,
            "include_branches": False,
            "district": None,
            "option": "",
        }
    if metric == Metric.MEETINGS_HELD and option and option not in MeetingKind.values:
        errors["option"] = _("会議の種類を選んでください。")
    elif metric == Metric.ACTIVITIES and option:
        category, kind, mode = activity_option(option)
        if category not in Category.values or (kind and kind not in KINDS_BY_CATEGORY[category]):
            errors["option"] = _("活動記録の区分と種類を選んでください。")
        elif mode and (mode not in Mode.values or category != Category.INDIVIDUAL):
            errors["option"] = _("直接/間接は個人支援だけに指定できます。")
    elif metric == Metric.COUNTED and not option:
        errors["option"] = _("件数入力の項目名を入力してください。")
    elif metric in EVENT_METRICS and option and option not in EventKind.values:
        errors["option"] = str(EVENT_OPTION_ERROR)
    elif metric not in (
        Metric.MEETINGS_HELD,
        Metric.ACTIVITIES,
        Metric.COUNTED,
        *ADDS_COUNTED,
        *EVENT_METRICS,
    ):
        # Consultations and received keep theirs: the counted entry added (委託事業件数と合算).
        option = ""
    if errors:
        raise ValidationError(errors)
    cleaned = {**fields, "metric": metric, "option": option}
    if metric != Metric.ACTIVITIES:
        cleaned["district"] = None
    if cleaned.get("organization") is None:
        cleaned["include_branches"] = False
    return cleaned


@transaction.atomic
def strategy_indicator_create(
    *, actor: Staff, programme: StrategyProgramme, **fields: Any
) -> Indicator:
    """Add an indicator (主な取組実績) under a programme (placed last)."""
    _unknown(fields, INDICATOR_FIELDS)
    indicator = Indicator(
        programme=programme,
        sort_order=_next_order(Indicator.objects.filter(programme=programme)),
    )
    _save(actor, indicator, _check_spec(fields))
    audit_record(AuditAction.CREATE, actor=actor, obj=indicator, detail={"programme": programme.pk})
    return indicator


@transaction.atomic
def strategy_indicator_update(*, actor: Staff, indicator: Indicator, **fields: Any) -> Indicator:
    """Change an indicator: its name, unit, and how it is counted."""
    _unknown(fields, INDICATOR_FIELDS)
    merged = {name: fields.get(name, getattr(indicator, name)) for name in INDICATOR_FIELDS}
    changed = _save(actor, indicator, _check_spec(merged))
    audit_record(AuditAction.CHANGE, actor=actor, obj=indicator, detail={"fields": changed})
    return indicator


@transaction.atomic
def strategy_indicator_move(*, actor: Staff, indicator: Indicator, offset: int) -> None:
    """Move an indicator up (-1) or down (+1) within its programme."""
    siblings = Indicator.objects.filter(programme_id=indicator.programme_id, archived_at=None)
    _move(actor, indicator, siblings, offset)


@transaction.atomic
def strategy_indicator_archive(*, actor: Staff, indicator: Indicator, reason: str) -> Indicator:
    tracked_archive(actor=actor, instance=indicator, reason=_reason(reason))
    return indicator


# --- Values, budgets -----------------------------------------------------------------


def _check_year(sheet: StrategySheet, fiscal_year: int) -> None:
    if fiscal_year not in sheet.fiscal_years():
        raise ValidationError(
            {"fiscal_year": _("計画期間（%(first)s〜%(last)s年度）の年度を指定してください。")
             % {"first": sheet.first_year, "last": sheet.last_year}}
        )  # fmt: skip


def _check_once(keys: list[tuple[int, int]]) -> None:
    """One figure per row and year: a second one for the same cell is refused
    (which one should win?), rather than failing on the unique constraint."""
    if len(set(keys)) != len(keys):
        raise ValidationError(_("同じ行と年度の値が2回指定されています。"))


def _programme_ids(sheet: StrategySheet) -> set[int]:
    return set(StrategyProgramme.objects.filter(sheet=sheet).values_list("pk", flat=True))


@transaction.atomic
def strategy_values_set(
    *, actor: Staff, sheet: StrategySheet, entries: Iterable[ValueEntry]
) -> int:
    """Write the typed actuals and targets of the sheet's indicators; returns how
    many changed. An indicator counted from records keeps its actuals there: a
    typed actual for it is refused (its target may be typed)."""
    entries = list(entries)
    errors: list[str] = []
    programmes = _programme_ids(sheet)
    _check_once([(entry.indicator.pk, entry.fiscal_year) for entry in entries])
    for entry in entries:
        _check_year(sheet, entry.fiscal_year)
        if entry.indicator.programme_id not in programmes:
            raise ValidationError(_("このシートの指標ではありません。"))
        if entry.indicator.is_computed and entry.actual is not None:
            errors.append(
                _("「%(name)s」の実績は記録から集計します（入力できるのは目標だけです）。")
                % {"name": entry.indicator.name}
            )
    if errors:
        raise ValidationError(errors)
    existing = {
        (v.indicator_id, v.fiscal_year): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator__programme__sheet=sheet
        )
    }
    changed: list[dict[str, Any]] = []
    for entry in entries:
        found = existing.get((entry.indicator.pk, entry.fiscal_year))
        new = found is None
        if found is None:
            if entry.actual is None and entry.target is None:
                continue
            row = IndicatorValue(indicator=entry.indicator, fiscal_year=entry.fiscal_year)
        elif (found.actual, found.target) == (entry.actual, entry.target):
            continue
        else:
            row = found
        fields = _save(actor, row, {"actual": entry.actual, "target": entry.target})
        if fields or new:
            changed.append(
                {
                    "indicator": entry.indicator.pk,
                    "fiscal_year": entry.fiscal_year,
                    "fields": fields,
                }
            )
    if changed:
        audit_record(
            AuditAction.CHANGE,
            actor=actor,
            obj=sheet,
            detail={"indicator_values": changed},
        )
    return len(changed)


@transaction.atomic
def strategy_budgets_set(
    *, actor: Staff, sheet: StrategySheet, entries: Iterable[BudgetEntry]
) -> int:
    """Write the programmes' 事業費 (actual and initial budget, 千円) per year;
    returns how many changed."""
    entries = list(entries)
    programmes = _programme_ids(sheet)
    _check_once([(entry.programme.pk, entry.fiscal_year) for entry in entries])
    for entry in entries:
        _check_year(sheet, entry.fiscal_year)
        if entry.programme.pk not in programmes:
            raise ValidationError(_("このシートの計画事業ではありません。"))
    existing = {
        (b.programme_id, b.fiscal_year): b
        for b in ProgrammeBudget.objects.select_for_update().filter(programme__sheet=sheet)
    }
    changed: list[dict[str, Any]] = []
    for entry in entries:
        found = existing.get((entry.programme.pk, entry.fiscal_year))
        new = found is None
        if found is None:
            if entry.actual is None and entry.initial is None:
                continue
            budget = ProgrammeBudget(programme=entry.programme, fiscal_year=entry.fiscal_year)
        elif (found.actual, found.initial) == (entry.actual, entry.initial):
            continue
        else:
            budget = found
        fields = _save(actor, budget, {"actual": entry.actual, "initial": entry.initial})
        if fields or new:
            changed.append(
                {
                    "programme": entry.programme.pk,
                    "fiscal_year": entry.fiscal_year,
                    "fields": fields,
                }
            )
    if changed:
        audit_record(AuditAction.CHANGE, actor=actor, obj=sheet, detail={"budgets": changed})
    return len(changed)


# --- Narratives ----------------------------------------------------------------------


@transaction.atomic
def strategy_narratives_save(
    *,
    actor: Staff,
    sheet: StrategySheet,
    fiscal_year: int,
    changes: Mapping[str, tuple[str, int]],
) -> list[SheetNarrative]:
    """Save sections of one year's narrative: ``{section: (text, version)}``,
    the version being the one the writer's page showed (0: not written yet).

    All or nothing: when any section was saved by someone else since, none is
    saved and :class:`NarrativeConflict` names the sections."""
    _check_year(sheet, fiscal_year)
    unknown = set(changes) - set(NarrativeSection.values)
    if unknown:
        raise ValidationError({"section": _("記述の項目が正しくありません。")})
    current = {
        n.section: n
        for n in SheetNarrative.objects.select_for_update().filter(
            sheet=sheet, fiscal_year=fiscal_year, section__in=list(changes)
        )
    }
    stale = [
        section
        for section, (_text, version) in changes.items()
        if (current[section].version if section in current else 0) != version
    ]
    if stale:
        raise NarrativeConflict(sorted(stale, key=NarrativeSection.values.index))
    saved = []
    for section, (typed, _version) in changes.items():
        # Line breaks as LF only, whichever way they were sent (CR LF from a browser).
        text = typed.replace("\r\n", "\n").replace("\r", "\n")
        narrative = current.get(section)
        if narrative is None:
            narrative = SheetNarrative(sheet=sheet, fiscal_year=fiscal_year, section=section)
        elif narrative.text == text:
            continue
        else:
            narrative.version += 1
        try:
            with transaction.atomic():
                _save(actor, narrative, {"text": text})
        except (IntegrityError, ValidationError):
            # Someone wrote the section's first text in the same moment.
            if narrative.pk is None:
                raise NarrativeConflict([section]) from None
            raise
        audit_record(
            AuditAction.CHANGE if narrative.version > 1 else AuditAction.CREATE,
            actor=actor,
            obj=narrative,
            detail={"fiscal_year": fiscal_year, "section": section, "version": narrative.version},
        )
        saved.append(narrative)
    return saved
