"""アウトリーチ記録: one attempt to reach a person who will not or cannot come
(business III), successful or not.

A year and a half of monthly visits with the door never opened is a normal
record (seed 002, 三鷹市): every attempt is kept with its method, result and
the intent behind it, and the relationship stage it left, so the process can
be shown and counted (seed 004: contacts per household per month).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel


class Method(models.TextChoices):
    VISIT = "visit", _("訪問")
    PHONE = "phone", _("電話")
    LETTER = "letter", _("手紙投函")
    MESSAGE = "message", _("メール/LINE")
    ACCOMPANY = "accompany", _("同行支援")
    AT_PLACE = "at_place", _("居場所で")
    WATCH = "watch", _("見守り")


class Result(models.TextChoices):
    MET = "met", _("会えた")
    THROUGH_DOOR = "through_door", _("ドア越し")
    ABSENT = "absent", _("不在")
    REFUSED = "refused", _("拒否")
    NO_RESPONSE = "no_response", _("応答なし")


#: Results in which the person was actually reached (face to face or through the door).
REACHED = frozenset({Result.MET, Result.THROUGH_DOOR})


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("発信")
    INCOMING = "incoming", _("受信")


class Intent(models.TextChoices):
    """働きかけの意図: why the contact was made (seed 004's 発見・関係構築・参加支援・継続支援)."""

    SAFETY = "safety", _("安否確認")
    ASSESS = "assess", _("状況の把握")
    RELATIONSHIP = "relationship", _("関係づくり")
    INFORMATION = "information", _("情報提供")
    CONNECT = "connect", _("つなぎ・同行")
    PARTICIPATION = "participation", _("参加の後押し")
    FAMILY = "family", _("家族への支援")
    NEIGHBOURS = "neighbours", _("近隣・地域への働きかけ")
    CONTINUING = "continuing", _("継続的な見守り")


class Stage(models.TextChoices):
    """Relationship stage after a contact; the order is the order of the path."""

    NONE = "none", _("未接触")
    CONTACT = "contact", _("接触")
    CONVERSATION = "conversation", _("会話")
    RELATIONSHIP = "relationship", _("関係構築")
    CONSULTATION = "consultation", _("相談・同意")


STAGE_ORDER: dict[str, int] = {str(stage): index for index, stage in enumerate(Stage)}


class OutreachContact(TrackedModel):
    """One attempt to reach a household member, recorded by the organization that made it."""

    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        related_name="outreach_contacts",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("働きかけた相手"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_contacts",
        help_text=_("世帯員のうち、働きかけた相手（わからなければ空欄）"),
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("多機関協働ケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_contacts",
        help_text=_("ケースの支援として行った場合、その記録はケースの記録にもなります"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("記録した機関"),
        on_delete=models.PROTECT,
        related_name="outreach_contacts",
    )
    occurred_at = models.DateTimeField(_("日時"))
    method = models.CharField(_("方法"), max_length=20, choices=Method.choices)
    result = models.CharField(_("結果"), max_length=20, choices=Result.choices)
    direction = models.CharField(
        _("発信/受信"), max_length=10, choices=Direction.choices, default=Direction.OUTGOING
    )
    intent = models.CharField(_("働きかけの意図"), max_length=20, choices=Intent.choices)
    intent_note = models.CharField(
        _("意図の補足"), max_length=200, blank=True, help_text=_("例: 顔を覚えてもらう")
    )
    stage_after = models.CharField(_("関係の段階（この後）"), max_length=20, choices=Stage.choices)
    content = FreeTextField(_("内容"), blank=True)
    next_step = models.CharField(_("次の働きかけ"), max_length=200, blank=True)
    next_on = models.DateField(_("次回予定日"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("アウトリーチ記録")
        verbose_name_plural = _("アウトリーチ記録")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["household", "occurred_at"], name="outreach_household_time"),
            models.Index(fields=["organization", "occurred_at"], name="outreach_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.get_method_display()}"

    @property
    def reached(self) -> bool:
        return self.result in REACHED

    def is_overdue(self, today: datetime.date) -> bool:
        return self.next_on is not None and self.next_on < today


class OutreachVisitor(TenantModel):
    """A staff member who took part in a contact, with the organization they
    went for: joint visits across organizations (社協のCSW と 障害のアウトリーチ担当)."""

    contact = models.ForeignKey(OutreachContact, on_delete=models.CASCADE, related_name="visitors")
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
        verbose_name = _("訪問者")
        verbose_name_plural = _("訪問者")
        constraints = [
            models.UniqueConstraint(fields=["contact", "staff"], name="outreach_visitor_unique")
        ]
