"""支援プラン (プランシート): made with the person's consent at a 重層的支援会議,
versioned (再プラン), reviewed by monitoring until the case closes.

Per household member: their own wishes (本人の思い), the issues, and goals.
Support items say which organization does what, of which kind, how often and
for how long. A monitoring records progress per goal and decides 継続,
再プラン or 終結.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel
from tsunagu.core.text import ACCOUNT_MAX_LENGTH


class Status(models.TextChoices):
    DRAFT = "draft", _("作成中")
    ACTIVE = "active", _("実施中")
    SUPERSEDED = "superseded", _("再プラン済み")
    ENDED = "ended", _("終了")


class SupportPlan(TrackedModel):
    """One version of a case's plan."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("ケース"), on_delete=models.PROTECT, related_name="plans"
    )
    version_number = models.PositiveSmallIntegerField(_("版"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("前の版"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
    )
    consent = models.ForeignKey(
        "cases.Consent",
        verbose_name=_("根拠とする本人同意"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("検討した会議"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    overall_goal = FreeTextField(_("世帯全体の目標"), blank=True)
    changes = FreeTextField(
        _("前の版からの変更点"), blank=True, help_text=_("再プランのとき、何をなぜ変えたか")
    )
    made_on = models.DateField(_("作成日"), default=timezone.localdate)
    starts_on = models.DateField(_("プラン期間（開始）"), default=timezone.localdate)
    ends_on = models.DateField(_("プラン期間（終了）"), null=True, blank=True)
    next_monitoring_on = models.DateField(_("次回モニタリング予定日"), null=True, blank=True)
    uses_participation = models.BooleanField(_("参加支援を利用する"), default=False)
    uses_outreach = models.BooleanField(_("アウトリーチ等を利用する"), default=False)
    activated_at = models.DateTimeField(_("確定日時"), null=True, blank=True, editable=False)
    #: Optimistic lock: a change made on an older version is refused, not applied.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("支援プラン")
        verbose_name_plural = _("支援プラン")
        ordering = ["case", "-version_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version_number"], name="support_plan_unique_version"
            )
        ]

    def __str__(self) -> str:
        return str(_("支援プラン 第%(n)d版") % {"n": self.version_number})


class PlanMember(TenantModel):
    """A household member's part of the plan: their wishes, issues and goals."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("世帯員"), on_delete=models.PROTECT, related_name="+"
    )
    wishes = FreeTextField(_("本人の思い"), blank=True)
    issues = FreeTextField(_("課題"), blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("プランの世帯員")
        verbose_name_plural = _("プランの世帯員")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="plan_member_unique_person")
        ]

    def __str__(self) -> str:
        return str(self.person)


class PlanGoal(TenantModel):
    """One goal of one member."""

    member = models.ForeignKey(PlanMember, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("目標"), max_length=300)
    order = models.PositiveSmallIntegerField(_("順番"), default=1)

    class Meta(TenantModel.Meta):
        verbose_name = _("目標")
        verbose_name_plural = _("目標")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class SupportKind(models.TextChoices):
    CONSULTATION = "consultation", _("包括的相談")
    PARTICIPATION = "participation", _("参加支援")
    OUTREACH = "outreach", _("アウトリーチ")
    SERVICE = "service", _("制度サービス")
    COMMUNITY = "community", _("地域資源")


class SupportItem(TenantModel):
    """Who does what for whom: organization, content, kind, frequency, period."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("対象の世帯員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空欄は世帯全体"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        related_name="support_items",
    )
    content = models.CharField(_("支援内容"), max_length=300)
    kind = models.CharField(_("種別"), max_length=20, choices=SupportKind.choices)
    frequency = models.CharField(_("頻度"), max_length=60, blank=True, help_text=_("例: 月2回"))
    starts_on = models.DateField(_("期間（開始）"), null=True, blank=True)
    ends_on = models.DateField(_("期間（終了）"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("支援内容")
        verbose_name_plural = _("支援内容")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.content


class Decision(models.TextChoices):
    CONTINUE = "continue", _("継続")
    REPLAN = "replan", _("再プラン")
    CLOSE = "close", _("終結")


class Progress(models.TextChoices):
    ACHIEVED = "achieved", _("達成")
    IMPROVING = "improving", _("改善・前進")
    UNCHANGED = "unchanged", _("変化なし")
    WORSE = "worse", _("悪化・後退")


class Monitoring(TrackedModel):
    """A review of a plan version: progress per goal and a decision."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="monitorings")
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("検討した会議"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitorings",
    )
    held_on = models.DateField(_("実施日"), default=timezone.localdate)
    summary = FreeTextField(_("全体の状況"), max_length=ACCOUNT_MAX_LENGTH)
    decision = models.CharField(_("判断"), max_length=20, choices=Decision.choices)
    next_monitoring_on = models.DateField(_("次回モニタリング予定日"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("モニタリング")
        verbose_name_plural = _("モニタリング")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return str(_("モニタリング %(date)s") % {"date": self.held_on})


class GoalProgress(TenantModel):
    """Progress of one goal at one monitoring."""

    monitoring = models.ForeignKey(Monitoring, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="progress")
    progress = models.CharField(_("進捗"), max_length=20, choices=Progress.choices)
    note = FreeTextField(_("様子"), blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("目標の進捗")
        verbose_name_plural = _("目標の進捗")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["monitoring", "goal"], name="goal_progress_unique")
        ]

    def __str__(self) -> str:
        return self.get_progress_display()


def plan_monitoring_due(today: datetime.date | None = None) -> models.Q:
    """Active plans whose next monitoring date has come."""
    today = today or timezone.localdate()
    return models.Q(status=Status.ACTIVE, next_monitoring_on__lte=today)
