"""多機関協働ケース: a household's team support under business II, and the
本人同意 (consent) that lets the team share its records and make a plan.

A case moves through the stages of domain.md behind one transitions table
(:data:`TRANSITIONS`); every change is kept in :class:`CaseEvent`. Consent is
shaped like a FHIR Consent: who agreed (本人 or a representative), for which
household members, to sharing with which organizations (named, or the case
team), for which purposes, how, for what period, recorded by whom, and its
withdrawal. The policy reads consents as they are at the moment of the
request, so a withdrawal stops access at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import HistoryEvent, TenantModel, TrackedModel
from tsunagu.core.text import ACCOUNT_MAX_LENGTH


class Stage(models.TextChoices):
    INTAKE = "intake", _("受付")
    ASSESSMENT = "assessment", _("アセスメント")
    MEETING_REVIEW = "meeting_review", _("支援会議で検討")
    CONSENTED = "consented", _("同意取得")
    PLANNING = "planning", _("プラン作成")
    SUPPORTING = "supporting", _("支援中")
    MONITORING = "monitoring", _("モニタリング")
    CLOSED = "closed", _("終結")
    FOLLOW_UP = "follow_up", _("経過観察")
    COMPLETED = "completed", _("完了")


#: Stages before the person's consent: the work is real and is counted.
BEFORE_CONSENT = frozenset({Stage.INTAKE, Stage.ASSESSMENT, Stage.MEETING_REVIEW})
#: Stages in which the team works the case (a 支援会議 basis lasts while it is open).
OPEN_STAGES = frozenset(
    {
        Stage.INTAKE,
        Stage.ASSESSMENT,
        Stage.MEETING_REVIEW,
        Stage.CONSENTED,
        Stage.PLANNING,
        Stage.SUPPORTING,
        Stage.MONITORING,
    }
)
#: Stages after closure.
ENDED_STAGES = frozenset({Stage.CLOSED, Stage.FOLLOW_UP, Stage.COMPLETED})


class Guard(models.TextChoices):
    """What must hold before a change of stage."""

    NONE = "", ""
    CONSENT = "consent", _("有効な本人同意が必要です")
    ACTIVE_PLAN = "active_plan", _("確定した支援プランが必要です")
    CLOSURE = "closure", _("終結理由と評価が必要です")
    REASON = "reason", _("理由の記入が必要です")


#: (from, to) → what must hold. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Stage.INTAKE, Stage.ASSESSMENT): Guard.NONE,
    (Stage.ASSESSMENT, Stage.MEETING_REVIEW): Guard.NONE,
    (Stage.ASSESSMENT, Stage.CONSENTED): Guard.CONSENT,
    (Stage.MEETING_REVIEW, Stage.CONSENTED): Guard.CONSENT,
    (Stage.CONSENTED, Stage.PLANNING): Guard.CONSENT,
    (Stage.PLANNING, Stage.SUPPORTING): Guard.ACTIVE_PLAN,
    (Stage.SUPPORTING, Stage.MONITORING): Guard.NONE,
    (Stage.MONITORING, Stage.SUPPORTING): Guard.ACTIVE_PLAN,
    (Stage.MONITORING, Stage.PLANNING): Guard.CONSENT,
    (Stage.MONITORING, Stage.CLOSED): Guard.CLOSURE,
    (Stage.SUPPORTING, Stage.CLOSED): Guard.CLOSURE,
    # A case may end before a plan: moved away, died, another system took it over.
    (Stage.INTAKE, Stage.CLOSED): Guard.CLOSURE,
    (Stage.ASSESSMENT, Stage.CLOSED): Guard.CLOSURE,
    (Stage.MEETING_REVIEW, Stage.CLOSED): Guard.CLOSURE,
    (Stage.CONSENTED, Stage.CLOSED): Guard.CLOSURE,
    (Stage.PLANNING, Stage.CLOSED): Guard.CLOSURE,
    # Consent withdrawn: back to working under 支援会議 (recorded with the reason).
    (Stage.CONSENTED, Stage.MEETING_REVIEW): Guard.REASON,
    (Stage.PLANNING, Stage.MEETING_REVIEW): Guard.REASON,
    (Stage.SUPPORTING, Stage.MEETING_REVIEW): Guard.REASON,
    (Stage.MONITORING, Stage.MEETING_REVIEW): Guard.REASON,
    (Stage.CLOSED, Stage.FOLLOW_UP): Guard.NONE,
    (Stage.CLOSED, Stage.COMPLETED): Guard.NONE,
    (Stage.FOLLOW_UP, Stage.COMPLETED): Guard.NONE,
    # Trouble again during the watch period: the team resumes.
    (Stage.FOLLOW_UP, Stage.MEETING_REVIEW): Guard.REASON,
    (Stage.FOLLOW_UP, Stage.SUPPORTING): Guard.ACTIVE_PLAN,
}


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("目標を達成した")
    STABLE = "stable", _("生活が安定し、各機関の支援で足りる")
    OTHER_SYSTEM = "other_system", _("他の制度・機関の支援へ移行")
    PERSON_DECLINED = "person_declined", _("本人が終結を希望")
    MOVED = "moved", _("転居")
    DIED = "died", _("死亡")
    UNREACHABLE = "unreachable", _("連絡が取れない")
    OTHER = "other", _("その他")


class Case(TrackedModel):
    """多機関協働ケース: one household's team support, held by the coordinating
    section (事務局) it was escalated to."""

    household = models.ForeignKey(
        "people.Household", verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="cases"
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("事務局"),
        on_delete=models.PROTECT,
        related_name="cases_held",
        help_text=_("ケースを受けた多機関協働事務局"),
    )
    lead_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("主担当機関"),
        on_delete=models.PROTECT,
        related_name="cases_led",
        null=True,
        blank=True,
    )
    lead_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主担当者"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("元のつなぐシート"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    consultations = models.ManyToManyField(
        "consultations.Consultation",
        verbose_name=_("きっかけの相談"),
        blank=True,
        related_name="cases",
    )
    title = models.CharField(
        _("ケースの概要"),
        max_length=120,
        help_text=_("一覧に出る短い説明（例: 8050・介護拒否・子のひきこもり）"),
    )
    opened_on = models.DateField(_("受付日"), default=timezone.localdate)
    stage = models.CharField(
        _("段階"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, editable=False
    )
    stage_changed_at = models.DateTimeField(
        _("段階の変更日時"), default=timezone.now, editable=False
    )
    next_action = models.CharField(_("次の対応"), max_length=200, blank=True)
    next_action_on = models.DateField(_("次の対応の期日"), null=True, blank=True)
    closure_reason = models.CharField(
        _("終結理由"), max_length=20, choices=ClosureReason.choices, blank=True, editable=False
    )
    evaluation = FreeTextField(_("評価"), blank=True, editable=False, max_length=ACCOUNT_MAX_LENGTH)
    closed_on = models.DateField(_("終結日"), null=True, blank=True, editable=False)
    follow_up_until = models.DateField(_("経過観察の期限"), null=True, blank=True, editable=False)
    #: Optimistic lock: a change made on an older version is refused, not applied.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("多機関協働ケース")
        verbose_name_plural = _("多機関協働ケース")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "stage"], name="case_coordinator"),
            models.Index(fields=["household", "stage"], name="case_household"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"C{self.pk or 0:07d}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def days_in_stage(self, now: datetime.datetime | None = None) -> int:
        now = now or timezone.now()
        return max((now - self.stage_changed_at).days, 0)

    def follow_up_due(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.stage == Stage.FOLLOW_UP
            and self.follow_up_until is not None
            and self.follow_up_until <= today
        )


class CaseEvent(HistoryEvent):
    """One change of a case: a stage, a change of lead or team, a consent. Append-only."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("段階の変更")
        LEAD = "lead", _("主担当の変更")
        TEAM = "team", _("チームの変更")
        CONSENT = "consent", _("本人同意")
        NOTE = "note", _("記録")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices, default=Kind.STAGE)
    from_stage = models.CharField(_("変更前"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("変更後"), max_length=20, choices=Stage.choices, blank=True)
    note = FreeTextField(_("内容"), blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("ケースの履歴")
        verbose_name_plural = _("ケースの履歴")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()}"


class CaseTeamMember(TenantModel):
    """An organization of the case's team (支援チーム), from when until when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team")
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        related_name="case_teams",
    )
    role = models.CharField(
        _("役割"), max_length=200, blank=True, help_text=_("例: 就労の相談、母の介護サービス調整")
    )
    joined_on = models.DateField(_("参加日"), default=timezone.localdate)
    left_on = models.DateField(_("離脱日"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("支援チームの機関")
        verbose_name_plural = _("支援チームの機関")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organization"],
                condition=models.Q(left_on=None),
                name="case_team_member_current_unique",
                violation_error_message=_("この機関はすでに支援チームに入っています。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.organization)


class ConsentPurpose(models.TextChoices):
    INFORMATION_SHARING = "information_sharing", _("情報共有")
    PLAN_MEETING = "plan_meeting", _("重層的支援会議")
    PLAN_MAKING = "plan_making", _("プラン作成")


#: Each purpose's flag on :class:`Consent`.
PURPOSE_FIELDS: dict[str, str] = {
    ConsentPurpose.INFORMATION_SHARING: "for_information_sharing",
    ConsentPurpose.PLAN_MEETING: "for_plan_meeting",
    ConsentPurpose.PLAN_MAKING: "for_plan_making",
}


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("書面")
    ORAL = "oral", _("口頭")


class Grantor(models.TextChoices):
    PERSON = "person", _("本人")
    REPRESENTATIVE = "representative", _("代理人")


class Consent(TrackedModel):
    """本人同意 for one case, shaped like a FHIR Consent (provision: actors,
    purposes, period; verification: who recorded it; status active/inactive)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    grantor_kind = models.CharField(
        _("同意した人"), max_length=20, choices=Grantor.choices, default=Grantor.PERSON
    )
    grantor = models.ForeignKey(
        "people.Person",
        verbose_name=_("同意した本人"),
        on_delete=models.PROTECT,
        related_name="consents_given",
        help_text=_("代理人の場合は、代理される本人"),
    )
    representative_name = models.CharField(_("代理人の氏名"), max_length=60, blank=True)
    representative_relationship = models.CharField(
        _("代理人の続柄・立場"), max_length=40, blank=True, help_text=_("例: 成年後見人、長女")
    )
    members = models.ManyToManyField(
        "people.Person",
        verbose_name=_("対象となる世帯員"),
        related_name="consents_covering",
    )
    organizations = models.ManyToManyField(
        "directory.Organization",
        verbose_name=_("共有先の機関"),
        blank=True,
        related_name="+",
    )
    covers_case_team = models.BooleanField(
        _("支援チームの全機関"),
        default=False,
        help_text=_("チームに後から入った機関も含みます（チームを離れると対象外）"),
    )
    # Purposes (FHIR provision.purpose), one flag each so that the policy's
    # question "does a consent cover this purpose?" is a plain indexed filter.
    for_information_sharing = models.BooleanField(_("情報共有"), default=True)
    for_plan_meeting = models.BooleanField(_("重層的支援会議"), default=True)
    for_plan_making = models.BooleanField(_("プラン作成"), default=True)
    method = models.CharField(_("同意の方法"), max_length=10, choices=ConsentMethod.choices)
    obtained_on = models.DateField(_("同意日"), default=timezone.localdate)
    obtained_by_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("同意を得た機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("有効期間（開始）"), default=timezone.localdate)
    valid_until = models.DateField(_("有効期間（終了）"), null=True, blank=True)
    note = FreeTextField(_("補足"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回日時"), null=True, blank=True, editable=False)
    withdrawal_note = FreeTextField(_("撤回の内容"), blank=True, editable=False)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回を記録した職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("本人同意")
        verbose_name_plural = _("本人同意")
        ordering = ["-obtained_on", "-id"]
        indexes = [models.Index(fields=["case", "withdrawn_at"], name="consent_case")]

    def __str__(self) -> str:
        return str(_("本人同意 %(date)s") % {"date": self.obtained_on})

    def is_active(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
        )

    @property
    def status_label(self) -> str:
        if self.withdrawn_at is not None:
            return str(_("撤回"))
        today = timezone.localdate()
        if self.valid_from > today:
            return str(_("開始前"))
        if self.valid_until is not None and self.valid_until < today:
            return str(_("期間満了"))
        return str(_("有効"))

    @property
    def purposes(self) -> list[str]:
        return [purpose for purpose in ConsentPurpose if getattr(self, PURPOSE_FIELDS[purpose])]

    def purpose_labels(self) -> list[str]:
        return [str(ConsentPurpose(code).label) for code in self.purposes]


def active_consents(today: datetime.date | None = None) -> models.QuerySet[Consent]:
    """Consents in force now (the policy's consent basis reads this)."""
    today = today or timezone.localdate()
    return Consent.objects.filter(
        withdrawn_at=None, valid_from__lte=today, archived_at=None
    ).filter(models.Q(valid_until=None) | models.Q(valid_until__gte=today))
