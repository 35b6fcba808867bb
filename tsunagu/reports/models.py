"""What a municipality reports, as its own configuration: the rows of the
business report (seed 000), the strategy check sheet's programmes,
indicators, budgets and narratives (seed 001).

The rows say *what* to count (a metric with its parameters); the counting is
the product's (``metrics.py``), from the records themselves.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel
from tsunagu.core.text import ACCOUNT_MAX_LENGTH


class Metric(models.TextChoices):
    """What a row counts. Each is computed in ``metrics.py`` from records."""

    CONSULTATIONS = "consultations", _("相談受付件数（延べ・受付機関）")
    #: Only the consultations marked 新規 (consultations.continuity).
    NEW_CONSULTATIONS = "new_consultations", _("新規相談受付件数（受付機関）")
    #: What reached an organization, each once: consultations at its windows,
    #: つなぐシート addressed to it and the cases it opened (事務局相談受付件数).
    RECEIVED = "received", _("届いた相談の件数（相談受付・つなぐシート・ケース、受付機関）")
    MEETINGS_HELD = "meetings_held", _("会議の開催件数（種類）")
    PLAN_OUTREACH = "plan_outreach", _("支援プランに基づくアウトリーチ（世帯数）")
    PLAN_PARTICIPATIONS = "plan_participations", _("支援プランに基づく参加支援（件数）")
    ACTIVITIES = "activities", _("活動記録の件数")
    COUNTED = "counted", _("件数入力の合計")
    ENTERED = "entered", _("入力値（記録から数えない）")
    #: オンライン相談 (frontdoor), by the channel in the option (reports/threads.py).
    THREADS = "threads", _("オンライン相談の受信件数（経路）")
    THREADS_CONVERTED = "threads_converted", _("相談受付にしたオンライン相談の件数（経路）")
    THREADS_ANSWERED = (
        "threads_answered",
        _("1開庁日以内に最初の返信をしたオンライン相談の件数（経路）"),
    )
    #: 出張相談会・巡回相談 (appointments.ConsultationEvent), by kind in the option.
    EVENTS_HELD = "events_held", _("出張相談会・巡回相談の開催回数（種類）")
    EVENT_CONSULTATIONS = (
        "event_consultations",
        _("出張相談会・巡回相談で受けた相談件数（種類）"),
    )


class MetricSpec(models.Model):
    """A metric with its parameters: which organization, district, kind."""

    metric = models.CharField(_("数え方"), max_length=30, choices=Metric.choices)
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    include_branches = models.BooleanField(
        _("分室・支所を含める"),
        default=False,
        help_text=_("相談受付件数・届いた相談の件数で、分室・支所の受付も数える"),
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    option = models.CharField(
        _("種類"),
        max_length=60,
        blank=True,
        help_text=_("会議の種類、活動記録の「区分:種類:直接/間接」、件数入力の項目名"),
    )

    class Meta:
        abstract = True


class ReportTable(TrackedModel):
    """One table of the business report, under one of the five businesses."""

    business_number = models.PositiveSmallIntegerField(
        _("事業"), choices=[(n, label) for n, label in zip(range(1, 6), "ⅠⅡⅢⅣⅤ", strict=True)]
    )
    heading = models.CharField(_("見出し"), max_length=120, blank=True)
    title = models.CharField(_("表題"), max_length=120, blank=True)
    note = models.CharField(_("注記"), max_length=120, blank=True, help_text=_("例: ※富坂地区"))
    column_suffix = models.CharField(
        _("列見出しの末尾"), max_length=20, default="件数", help_text=_("件数、利用者数 など")
    )
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("事業報告の表")
        verbose_name_plural = _("事業報告の表")
        ordering = ["business_number", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title or self.heading


class ReportRow(MetricSpec, TrackedModel):
    """One figure row of a table: its label and what it counts."""

    table = models.ForeignKey(ReportTable, on_delete=models.CASCADE, related_name="rows")
    label = models.CharField(_("行の名前"), max_length=80, blank=True)
    cell_note = models.CharField(
        _("数値の注記"), max_length=60, blank=True, help_text=_("例: *委託事業件数と合算")
    )
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("事業報告の行")
        verbose_name_plural = _("事業報告の行")
        ordering = ["table__business_number", "table__sort_order", "sort_order", "id"]

    def __str__(self) -> str:
        return self.label or str(self.table)


class StrategySheet(TrackedModel):
    """戦略点検シート: one 主要課題 of the municipality's plan, checked each year."""

    title = models.CharField(_("主要課題"), max_length=120)
    policy_area = models.CharField(_("基本政策"), max_length=120, blank=True)
    vision = FreeTextField(_("4年後の目指す姿"), blank=True, max_length=ACCOUNT_MAX_LENGTH)
    direction = FreeTextField(_("計画期間の方向性"), blank=True, max_length=ACCOUNT_MAX_LENGTH)
    first_year = models.PositiveSmallIntegerField(_("最初の年度（西暦）"), default=2022)
    last_year = models.PositiveSmallIntegerField(_("最後の年度（西暦）"), default=2027)

    class Meta(TrackedModel.Meta):
        verbose_name = _("戦略点検シート")
        verbose_name_plural = _("戦略点検シート")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    def fiscal_years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class StrategyProgramme(TrackedModel):
    """A 計画事業 tied to the sheet, with its department and role."""

    sheet = models.ForeignKey(StrategySheet, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(_("事業名称"), max_length=120)
    department = models.CharField(_("所管課"), max_length=120)
    role = FreeTextField(_("事業の持つ役割"), blank=True, max_length=ACCOUNT_MAX_LENGTH)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("計画事業")
        verbose_name_plural = _("計画事業")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeBudget(TrackedModel):
    """事業費 of one fiscal year, in 千円: the actual and the initial budget."""

    programme = models.ForeignKey(
        StrategyProgramme, on_delete=models.CASCADE, related_name="budgets"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"))
    actual = models.PositiveIntegerField(_("実績（千円）"), null=True, blank=True)
    initial = models.PositiveIntegerField(_("当初予算（千円）"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("事業費")
        verbose_name_plural = _("事業費")
        ordering = ["fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "fiscal_year"], name="budget_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.fiscal_year}"


class Unit(models.TextChoices):
    CASES = "件", _("件")
    TIMES = "回", _("回")
    PEOPLE = "人", _("人")
    PLACES = "箇所", _("箇所")


class Indicator(MetricSpec, TrackedModel):
    """主な取組実績: an indicator row with a unit, computed from records by its
    metric or, with 「入力値」, typed per fiscal year."""

    programme = models.ForeignKey(
        StrategyProgramme, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("指標"), max_length=120)
    unit = models.CharField(_("単位"), max_length=4, choices=Unit.choices)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("評価指標")
        verbose_name_plural = _("評価指標")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.metric != Metric.ENTERED


class IndicatorValue(TrackedModel):
    """An indicator's figure for one fiscal year: the actual where it is typed,
    the target where the year is ahead."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"))
    actual = models.PositiveIntegerField(_("実績"), null=True, blank=True)
    target = models.PositiveIntegerField(_("目標"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("評価指標の値")
        verbose_name_plural = _("評価指標の値")
        ordering = ["fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="indicator_value_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year}"


class NarrativeSection(models.TextChoices):
    RESULTS = "results", _("1 どのような事業で何をしたか（実績）")
    SOCIETY = "society", _("2 社会ではどのような動きがあったか")
    FINDINGS = "findings", _("3 成果や課題は何か（点検・分析）")
    NEXT = "next", _("4 今後どのように進めていくか（展開）")


class SheetNarrative(TrackedModel):
    """One narrative section of the sheet for one fiscal year."""

    sheet = models.ForeignKey(StrategySheet, on_delete=models.CASCADE, related_name="narratives")
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"))
    section = models.CharField(_("項目"), max_length=20, choices=NarrativeSection.choices)
    text = FreeTextField(_("本文"), blank=True, max_length=ACCOUNT_MAX_LENGTH)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("点検シートの記述")
        verbose_name_plural = _("点検シートの記述")
        ordering = ["fiscal_year", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "fiscal_year", "section"], name="narrative_unique_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.fiscal_year} {self.get_section_display()}"


class RecordKind(models.TextChoices):
    """The kinds of record the monthly counts keep (the policy's record kinds)."""

    CONSULTATION = "consultation", _("相談受付")
    ACTIVITY_RECORD = "activity_record", _("活動記録")
    MEETING = "meeting", _("会議")
    COUNTED_ENTRY = "counted_entry", _("件数入力")
    PROGRESS_NOTE = "progress_note", _("支援経過記録")


class MonthlyCount(TenantModel):
    """How many records of one kind fall in one month, per group of what the
    report's rows filter on: kept by the services that write the records
    (``rollups.refresh``), in the same transaction, and read by the business
    report, the survey and the strategy sheet instead of the records.

    The groups, by kind (a column a kind does not have stays empty):

    - consultation: the receiving organization and 新規/継続 (``kind``), by the
      local month of 受付日時;
    - activity_record: organization, district, category, kind and 直接/間接, by 活動日;
    - meeting: held sittings, by 開催日 and host: one row per kind of part
      (``kind``, the parts of that kind) and one with ``kind`` empty (the sittings);
    - counted_entry: organization and item; ``count`` is the entries' sum.
    - progress_note: the writing organization and the 種別 (``kind``), by the
      local month of its 日時 (延べ: every entry counts).
    """

    record_kind = models.CharField(_("記録の種類"), max_length=20, choices=RecordKind.choices)
    month = models.DateField(_("月"), help_text=_("月の初日"))
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(_("区分"), max_length=20, blank=True)
    kind = models.CharField(_("種類"), max_length=30, blank=True)
    mode = models.CharField(_("直接/間接"), max_length=10, blank=True)
    item = models.CharField(_("件数入力の項目"), max_length=80, blank=True)
    count = models.PositiveIntegerField(_("件数"))

    class Meta(TenantModel.Meta):
        verbose_name = _("月ごとの件数")
        verbose_name_plural = _("月ごとの件数")
        constraints = [
            # One row per group: ``district`` is empty for all kinds but
            # activity records, hence the Coalesce (NULLs are never equal).
            models.UniqueConstraint(
                F("municipality"),
                F("record_kind"),
                F("month"),
                F("organization"),
                Coalesce(F("district"), Value(0)),
                F("category"),
                F("kind"),
                F("mode"),
                F("item"),
                name="monthly_count_unique_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.month:%Y-%m} {self.count}"
