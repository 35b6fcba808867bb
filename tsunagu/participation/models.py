"""参加支援 (business IV): a person's participation profile, and each path
into one resource (提案 → 見学・体験 → 参加中 → 定着 → 終了 / 中断).

Paths are counted both when they are part of a consented support plan and
when they come before one (seed 004: 14 against 1,527 across Tokyo): the
work before a plan is most of it. Supporting the host (受け入れ先支援) is
recorded on the path as well, because a place that is not looked after stops
taking people.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import HistoryEvent, TrackedModel


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("午前")
    AFTERNOON = "afternoon", _("午後")
    EVENING = "evening", _("夕方以降")


class GroupSize(models.TextChoices):
    ONE_TO_ONE = "one", _("1対1なら")
    SMALL = "small", _("少人数（5人くらいまで）")
    ANY = "any", _("人数は気にしない")


class Travel(models.TextChoices):
    HOME = "home", _("自宅（訪問・オンライン）")
    WALK = "walk", _("歩いて行ける範囲")
    DISTRICT = "district", _("同じ圏域まで")
    CITY = "city", _("区内どこでも")


class Pace(models.TextChoices):
    MONTHLY = "monthly", _("月1回くらい")
    FEW_A_MONTH = "few_a_month", _("月2〜3回")
    WEEKLY = "weekly", _("週1回")
    OFTEN = "often", _("週2回以上")


class ParticipationProfile(TrackedModel):
    """What a person likes, is good at and can manage, and what they said they
    want in their own words: the basis of matching."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        related_name="participation_profiles",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("記録した機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    interests = models.JSONField(
        _("関心のあること"), default=list, blank=True, help_text=_("例: コーヒー、静かな場所、植物")
    )
    strengths = models.JSONField(
        _("特技・得意なこと"), default=list, blank=True, help_text=_("例: パソコン、絵")
    )
    days = models.JSONField(_("参加できる曜日"), default=list, blank=True)
    times = models.JSONField(_("参加できる時間帯"), default=list, blank=True)
    group_size = models.CharField(
        _("人数"), max_length=10, choices=GroupSize.choices, default=GroupSize.ANY
    )
    travel = models.CharField(
        _("移動できる範囲"), max_length=10, choices=Travel.choices, default=Travel.DISTRICT
    )
    pace = models.CharField(_("ペース"), max_length=20, choices=Pace.choices, blank=True)
    preferences = models.JSONField(
        _("参加しやすい条件"), default=list, blank=True, help_text=_("短時間可・見学可 など")
    )
    wishes = FreeTextField(_("本人の言葉（したいこと）"), blank=True)
    constraints_note = FreeTextField(_("配慮が必要なこと"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("参加支援プロフィール")
        verbose_name_plural = _("参加支援プロフィール")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"], name="participation_profile_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("提案")
    TRIAL = "trial", _("見学・体験")
    PARTICIPATING = "participating", _("参加中")
    SETTLED = "settled", _("定着")
    ENDED = "ended", _("終了")
    INTERRUPTED = "interrupted", _("中断")


#: Stages in which the person is connected to the resource (drawn on the ecomap).
CONNECTED = frozenset({Stage.TRIAL, Stage.PARTICIPATING, Stage.SETTLED})
#: Paths still being supported.
OPEN = frozenset({Stage.PROPOSED, Stage.TRIAL, Stage.PARTICIPATING, Stage.SETTLED})

#: (from, to) → whether a reason is required. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], bool] = {
    (Stage.PROPOSED, Stage.TRIAL): False,
    (Stage.PROPOSED, Stage.PARTICIPATING): False,
    (Stage.PROPOSED, Stage.ENDED): True,
    (Stage.TRIAL, Stage.PARTICIPATING): False,
    (Stage.TRIAL, Stage.ENDED): True,
    (Stage.TRIAL, Stage.INTERRUPTED): True,
    (Stage.PARTICIPATING, Stage.SETTLED): False,
    (Stage.PARTICIPATING, Stage.ENDED): True,
    (Stage.PARTICIPATING, Stage.INTERRUPTED): True,
    (Stage.SETTLED, Stage.ENDED): True,
    (Stage.SETTLED, Stage.INTERRUPTED): True,
    # A pause is not an end: the person may come back.
    (Stage.INTERRUPTED, Stage.TRIAL): False,
    (Stage.INTERRUPTED, Stage.PARTICIPATING): False,
    (Stage.INTERRUPTED, Stage.ENDED): True,
}


class Participation(TrackedModel):
    """One person's path into one resource, supported by one organization."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    resource = models.ForeignKey(
        "resources.Resource",
        verbose_name=_("社会資源"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("支援する機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("多機関協働ケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    plan = models.ForeignKey(
        "plans.SupportPlan",
        verbose_name=_("支援プラン"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        help_text=_("支援プランに位置づけた参加支援の場合"),
    )
    stage = models.CharField(
        _("段階"), max_length=20, choices=Stage.choices, default=Stage.PROPOSED
    )
    stage_changed_on = models.DateField(_("段階の変更日"))
    proposed_on = models.DateField(_("提案日"))
    started_on = models.DateField(_("参加開始日"), null=True, blank=True)
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    reason = FreeTextField(
        _("提案の理由"), blank=True, help_text=_("どの関心・特技・条件に合ったか")
    )
    arrangement = models.CharField(
        _("参加のしかた"), max_length=200, blank=True, help_text=_("例: 月1回 1時間から")
    )
    next_follow_up_on = models.DateField(_("次のフォローアップ"), null=True, blank=True)
    end_reason = models.CharField(_("終了・中断の理由"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("参加支援")
        verbose_name_plural = _("参加支援")
        ordering = ["-proposed_on", "-id"]
        indexes = [models.Index(fields=["organization", "stage"], name="participation_org_stage")]

    def __str__(self) -> str:
        return f"{self.person} → {self.resource}"

    @property
    def plan_based(self) -> bool:
        return self.plan_id is not None

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN

    def follow_up_overdue(self, today: datetime.date) -> bool:
        return (
            self.is_open and self.next_follow_up_on is not None and self.next_follow_up_on < today
        )

    def allowed_stages(self) -> list[Stage]:
        return [Stage(to) for (frm, to) in TRANSITIONS if frm == self.stage]


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("提案")
    STAGE = "stage", _("段階の変更")
    FOLLOW_UP = "follow_up", _("フォローアップ")
    HOST_SUPPORT = "host_support", _("受け入れ先支援")


class ParticipationEvent(HistoryEvent):
    """The path's history: stage changes, follow-ups with the person, and support
    given to the host (受け入れ先支援). Append-only."""

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=EventKind.choices)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    happened_on = models.DateField(_("日付"))
    note = FreeTextField(_("内容"), blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("参加支援の経過")
        verbose_name_plural = _("参加支援の経過")
        ordering = ["happened_on", "occurred_at", "id"]
