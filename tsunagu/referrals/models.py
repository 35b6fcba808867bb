"""つなぐシート: a hand-off from one organization to another (or to 多機関協働),
tracked until the receiver reports back — a closed loop.

States follow the FHIR SDOH referral Task. Who may set each state, and which
changes need a coded reason, is one table (:data:`TRANSITIONS`); every change
is kept in :class:`ReferralEvent`, which is never edited.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import HistoryEvent, TrackedModel
from tsunagu.core.text import ACCOUNT_MAX_LENGTH


class Status(models.TextChoices):
    DRAFT = "draft", _("下書き")
    REQUESTED = "requested", _("送付")
    ACCEPTED = "accepted", _("受理")
    REJECTED = "rejected", _("差戻し")
    CANCELLED = "cancelled", _("取消")
    IN_PROGRESS = "in-progress", _("対応中")
    ON_HOLD = "on-hold", _("保留")
    COMPLETED = "completed", _("完了")
    FAILED = "failed", _("不調")


class Side(models.TextChoices):
    SENDER = "sender", _("送り手")
    RECEIVER = "receiver", _("受け手")


#: (from, to) → the side that may make the change. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.REQUESTED): Side.SENDER,
    (Status.DRAFT, Status.CANCELLED): Side.SENDER,
    (Status.REQUESTED, Status.CANCELLED): Side.SENDER,
    (Status.REQUESTED, Status.ACCEPTED): Side.RECEIVER,
    (Status.REQUESTED, Status.REJECTED): Side.RECEIVER,
    (Status.ACCEPTED, Status.IN_PROGRESS): Side.RECEIVER,
    (Status.ACCEPTED, Status.ON_HOLD): Side.RECEIVER,
    (Status.ACCEPTED, Status.COMPLETED): Side.RECEIVER,
    (Status.ACCEPTED, Status.FAILED): Side.RECEIVER,
    (Status.IN_PROGRESS, Status.ON_HOLD): Side.RECEIVER,
    (Status.IN_PROGRESS, Status.COMPLETED): Side.RECEIVER,
    (Status.IN_PROGRESS, Status.FAILED): Side.RECEIVER,
    (Status.ON_HOLD, Status.IN_PROGRESS): Side.RECEIVER,
    (Status.ON_HOLD, Status.COMPLETED): Side.RECEIVER,
    (Status.ON_HOLD, Status.FAILED): Side.RECEIVER,
}

#: Changes that must say why (a coded reason).
NEEDS_REASON = frozenset({Status.REJECTED, Status.CANCELLED, Status.ON_HOLD, Status.FAILED})
#: Changes that close the loop and so need the receiver's report-back.
NEEDS_REPORT_BACK = frozenset({Status.COMPLETED, Status.FAILED})
#: States in which the receiver holds the household's identity and attached records.
RECEIVER_HOLDS = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED, Status.FAILED}
)
#: States the receiver can see the referral in (a draft is the sender's alone).
RECEIVER_SEES = RECEIVER_HOLDS | {Status.REQUESTED, Status.REJECTED, Status.CANCELLED}
#: States still waiting for someone.
OPEN = frozenset(
    {Status.DRAFT, Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD}
)


class Reason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("対象外")
    NO_CAPACITY = "no_capacity", _("対応できる体制がない")
    UNREACHABLE = "unreachable", _("連絡がつかない")
    DECLINED = "declined", _("本人が希望しない")
    OTHER_ORGANIZATION = "other_organization", _("他機関へ")
    OTHER = "other", _("その他")


class SharingBasis(models.TextChoices):
    """On what legal basis the sender shares the information."""

    CONSENT = "consent", _("本人同意")
    SUPPORT_MEETING = "support_meeting", _("支援会議")
    EMERGENCY = "emergency", _("生命・身体の保護のため緊急")
    LAW = "law", _("法令に基づく")


class SharedItem(models.TextChoices):
    """What the sender shares with the receiver."""

    IDENTITY = "identity", _("氏名・連絡先")
    HOUSEHOLD = "household", _("世帯の状況")
    CONSULTATION = "consultation", _("相談内容")
    HISTORY = "history", _("これまでの支援経過")
    HEALTH = "health", _("心身の状況")


class Referral(TrackedModel):
    """つなぐシート."""

    from_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("つなぐ元"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("つなぎ先"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    persons = models.ManyToManyField(
        "people.Person", verbose_name=_("対象者"), blank=True, related_name="referrals"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("元の相談受付"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    request = FreeTextField(_("依頼したいこと"), max_length=ACCOUNT_MAX_LENGTH)
    shared_summary = FreeTextField(
        _("共有する内容"),
        help_text=_("つなぎ先に伝える情報。受理前でもつなぎ先が読みます。"),
        max_length=ACCOUNT_MAX_LENGTH,
    )
    shared_items = models.JSONField(_("共有する情報の種類"), default=list)
    sharing_basis = models.CharField(_("共有の根拠"), max_length=20, choices=SharingBasis.choices)
    due_on = models.DateField(_("回答期限"))
    sent_at = models.DateTimeField(_("送付日時"), null=True, blank=True, editable=False)
    first_answered_at = models.DateTimeField(
        _("最初の回答日時"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True, editable=False)
    report_back = FreeTextField(
        _("つなぎ先からの報告"), blank=True, editable=False, max_length=ACCOUNT_MAX_LENGTH
    )
    report_back_at = models.DateTimeField(_("報告日時"), null=True, blank=True, editable=False)
    #: Optimistic lock: a change made on an older version is refused, not applied.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("つなぐシート")
        verbose_name_plural = _("つなぐシート")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["to_organization", "status", "due_on"], name="referral_inbox"),
            models.Index(fields=["from_organization", "status", "due_on"], name="referral_sent"),
            models.Index(fields=["household", "status"], name="referral_household"),
        ]

    def __str__(self) -> str:
        return _("つなぐシート R%(number)07d") % {"number": self.pk or 0}

    @property
    def number(self) -> str:
        return f"R{self.pk:07d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def is_overdue(self, today: object = None) -> bool:
        """Past its due date and still waiting for the receiver to finish."""
        today = today or timezone.localdate()
        return self.status in OPEN - {Status.DRAFT} and self.due_on < today  # type: ignore[operator]

    def shared_item_labels(self) -> list[str]:
        return [str(SharedItem(code).label) for code in self.shared_items if code in SharedItem]


class ReferralEvent(HistoryEvent):
    """One change of a referral: who, for which organization, when, why. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("変更前"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=Status.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=30, choices=Reason.choices, blank=True)
    note = FreeTextField(_("コメント"), blank=True)
    is_report_back = models.BooleanField(_("報告"), default=False)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("つなぐシートの履歴")
        verbose_name_plural = _("つなぐシートの履歴")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status}→{self.to_status}"
