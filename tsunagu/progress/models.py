"""支援経過記録 (progress_note): the running record of ordinary casework
between the programme's milestones — the follow-up interview, the phone
call, the accompanied trip to the job centre, the call with a school.

Each entry is written by an organization with a working basis to the
household (the acting organization), about the household, optionally one of
its members and one of its 多機関協働 cases; it names who took part and for
which organizations, and the next step with its date (the national
支援経過記録シート's rows: 日付・時間 / 種別 / 対応者（機関） / 内容 / 次回の予定;
seed 004: records that keep each case's progress so that support continues
and can be handed over).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel


class Kind(models.TextChoices):
    """種別 of the national sheet's rows."""

    INTERVIEW = "interview", _("面談")
    PHONE = "phone", _("電話")
    VISIT = "visit", _("訪問")
    ACCOMPANY = "accompany", _("同行")
    MESSAGE = "message", _("メール/LINE")
    LIAISON = "liaison", _("関係機関との連絡")
    CASE_CONFERENCE = "case_conference", _("ケース協議")


class ProgressNote(TrackedModel):
    """One entry of a household's 支援経過記録, recorded by one organization."""

    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        related_name="progress_notes",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_notes",
        help_text=_("世帯員のうち、この記録の対象となる人（世帯全体なら空欄）"),
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("多機関協働ケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_notes",
        help_text=_("ケースの支援として行った場合、その記録はケースの記録にもなります"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("記録した機関"),
        on_delete=models.PROTECT,
        related_name="progress_notes",
    )
    occurred_at = models.DateTimeField(_("日時"))
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    other_participants = models.CharField(
        _("その他の参加者"),
        max_length=200,
        blank=True,
        help_text=_("職員以外の参加者（例: 本人、母、学校の担任）"),
    )
    content = FreeTextField(_("内容"))
    next_step = models.CharField(_("次回の予定"), max_length=200, blank=True)
    next_on = models.DateField(_("次回予定日"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("支援経過記録")
        verbose_name_plural = _("支援経過記録")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["household", "occurred_at"], name="progress_household_time"),
            models.Index(fields=["case", "occurred_at"], name="progress_case_time"),
            models.Index(fields=["organization", "occurred_at"], name="progress_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.next_on is not None and self.next_on < today


class ProgressNoteParticipant(TenantModel):
    """A staff member who took part, with the organization they took part for
    (a joint interview of the CSW and the 障害 counsellor)."""

    note = models.ForeignKey(ProgressNote, on_delete=models.CASCADE, related_name="participants")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("職員"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("対応者")
        verbose_name_plural = _("対応者")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "note", "staff"], name="progress_participant_unique"
            )
        ]
