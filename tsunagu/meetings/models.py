"""Meetings of the support system: a sitting (one date and place) holding one
or more parts of different kinds in turn (国立市 splits one sitting by time).

For each case on a part's agenda: 新規 or モニタリング, the brief prepared
before it (準備シート), and what was decided (方針, 役割分担, 主担当機関),
with action items owned by organizations. In a 支援会議 (§106-6) each
attendee's confidentiality pledge is recorded before any material is shown;
a 重層的支援会議 needs the person's consent covering the case and the
attending organizations (checked in :mod:`tsunagu.meetings.services`).
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


class Kind(models.TextChoices):
    SUPPORT_MEETING = "support_meeting", _("支援会議")
    PLAN_MEETING = "plan_meeting", _("重層的支援会議")
    STAKEHOLDER = "stakeholder", _("関係者会議")
    COMMUNITY = "community", _("地域支援会議")
    PROMOTION = "promotion", _("推進会議・推進部会")
    LIAISON = "liaison", _("連絡会")
    WORKING_GROUP = "working_group", _("作業部会")
    TRAINING = "training", _("研修")
    BRIEFING = "briefing", _("事業説明会")


#: Kinds that discuss individual cases (an agenda of cases, a brief, decisions).
CASE_KINDS = frozenset({Kind.SUPPORT_MEETING, Kind.PLAN_MEETING, Kind.STAKEHOLDER})
#: Kinds the law reserves to the municipality's coordinating section to convene.
STATUTORY_KINDS = frozenset({Kind.SUPPORT_MEETING, Kind.PLAN_MEETING})


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class Meeting(TrackedModel):
    """One sitting: date, time, place, host, attendees and minutes."""

    title = models.CharField(
        _("会議名"), max_length=120, help_text=_("例: 第3回 福祉包括化推進部会（個人名は書かない）")
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("主催機関"),
        on_delete=models.PROTECT,
        related_name="meetings_hosted",
    )
    held_on = models.DateField(_("開催日"))
    starts_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    ends_at = models.TimeField(_("終了時刻"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=120, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False
    )
    minutes = FreeTextField(_("議事録"), blank=True, max_length=ACCOUNT_MAX_LENGTH)
    #: Optimistic lock for the minutes and decisions.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-held_on", "-starts_at", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"], name="meeting_host_date")]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"M{self.pk or 0:07d}"

    def kinds(self) -> list[str]:
        return [part.kind for part in self.parts.all()]

    @property
    def has_support_part(self) -> bool:
        return Kind.SUPPORT_MEETING in self.kinds()

    @property
    def has_plan_part(self) -> bool:
        return Kind.PLAN_MEETING in self.kinds()


class MeetingPart(TenantModel):
    """One kind of meeting held within a sitting, in turn."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("会議の種類"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    starts_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    ends_at = models.TimeField(_("終了時刻"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("会議の部")
        verbose_name_plural = _("会議の部")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"],
                name="meeting_part_unique_kind",
                violation_error_message=_("同じ種類の部がすでにあります。"),
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Attendee(TenantModel):
    """A person at the sitting: a staff member, or an external guest with their
    organization (警察・学校・消防・町会 …). Observers are marked."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員・ゲストのアカウント"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_attendances",
    )
    name = models.CharField(_("氏名"), max_length=60)
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    is_guest = models.BooleanField(_("外部ゲスト"), default=False)
    is_observer = models.BooleanField(_("オブザーバー参加"), default=False)
    pledged_at = models.DateTimeField(_("守秘義務の誓約日時"), null=True, blank=True)
    pledge_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("誓約を記録した職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attended = models.BooleanField(_("出席"), default=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("出席者")
        verbose_name_plural = _("出席者")
        ordering = ["is_guest", "organization__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "staff"],
                name="attendee_unique_staff",
                violation_error_message=_("この方はすでに出席者に入っています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）"

    @property
    def has_pledged(self) -> bool:
        return self.pledged_at is not None


class AgendaItem(TrackedModel):
    """One case on a part's agenda: the brief before, the decisions after."""

    class Review(models.TextChoices):
        NEW = "new", _("新規")
        MONITORING = "monitoring", _("モニタリング")

    part = models.ForeignKey(MeetingPart, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("ケース"),
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    review = models.CharField(_("検討区分"), max_length=20, choices=Review.choices)
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    # 準備シート: the four prompts, pre-filled from the case.
    brief_household = FreeTextField(_("把握している世帯像"), blank=True)
    brief_current = FreeTextField(_("現在の取り組み状況"), blank=True)
    brief_organizations = FreeTextField(_("関わってほしい支援機関"), blank=True)
    brief_requests = FreeTextField(_("他部署へお願いしたいこと"), blank=True)
    # Decisions.
    policy = FreeTextField(_("支援方針"), blank=True)
    roles = FreeTextField(_("役割分担"), blank=True)
    lead_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("主担当機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("検討ケース")
        verbose_name_plural = _("検討ケース")
        ordering = ["part__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["part", "case"],
                name="agenda_item_unique_case",
                violation_error_message=_("このケースはすでにこの会議の議題に入っています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.part} / {self.case.number}"

    @property
    def kind(self) -> str:
        return self.part.kind


class ActionItem(TrackedModel):
    """A task decided at the meeting, owned by an organization, with a due date;
    it appears in that organization's task list until done."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="action_items"
    )
    owner_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    content = models.CharField(_("内容"), max_length=300)
    due_on = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("完了日時"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完了を記録した職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    result = FreeTextField(_("結果"), blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("役割分担のタスク")
        verbose_name_plural = _("役割分担のタスク")
        ordering = ["done_at", "due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner_organization", "done_at", "due_on"], name="action_item_inbox"
            )
        ]

    def __str__(self) -> str:
        return self.content

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.done_at is None and self.due_on < today


class QuestionnaireAnswer(TenantModel):
    """The optional named questionnaire after a meeting (文京区's practice)."""

    class Rating(models.IntegerChoices):
        VERY_USEFUL = 4, _("とても役に立った")
        USEFUL = 3, _("役に立った")
        NOT_VERY = 2, _("あまり役に立たなかった")
        NOT_USEFUL = 1, _("役に立たなかった")

    attendee = models.OneToOneField(
        Attendee, on_delete=models.CASCADE, related_name="questionnaire"
    )
    usefulness = models.PositiveSmallIntegerField(_("会議は役に立ったか"), choices=Rating.choices)
    roles_clear = models.BooleanField(_("自機関の役割がはっきりした"), default=False)
    comment = FreeTextField(_("運営への意見"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), default=timezone.now)

    class Meta(TenantModel.Meta):
        verbose_name = _("会議後アンケート")
        verbose_name_plural = _("会議後アンケート")

    def __str__(self) -> str:
        return str(self.attendee)
