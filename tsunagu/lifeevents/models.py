"""家族の出来事 (life_event): a dated event in a family's history — a job lost,
school left, a move, a stay in hospital, a death — as an organization learned
it. They make the 家族年表 the family's history and not only the system's
(seed 002: 文京区 builds the chronology from what every organization knows).

Families often know only the year (「2019年頃」) or the month: the date is
stored as its first day with the precision it is known to, and shown so.
Each event says where it came from (本人・家族・関係機関・記録) and the basis
under which the recording organization saw the household."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TrackedModel
from tsunagu.core.wareki import format_wareki, format_wareki_month
from tsunagu.policy.vocabulary import Basis


class Kind(models.TextChoices):
    RETIREMENT = "retirement", _("退職")
    DROPOUT = "dropout", _("中退")
    MOVE = "move", _("転居")
    ADMISSION = "admission", _("入院")
    DISCHARGE = "discharge", _("退院")
    BEREAVEMENT = "bereavement", _("死別")
    BIRTH = "birth", _("出生")
    MARRIAGE = "marriage", _("結婚")
    DIVORCE = "divorce", _("離婚")
    JOB_LOSS = "job_loss", _("失業")
    EMPLOYMENT = "employment", _("就職")
    SCHOOLING = "schooling", _("進学")
    DISABILITY = "disability", _("障害認定")
    CARE_LEVEL = "care_level", _("要介護認定")
    OTHER = "other", _("その他")


class Precision(models.TextChoices):
    """How precisely the date is known (the stored date is the period's first day)."""

    DAY = "day", _("日まで")
    MONTH = "month", _("月まで")
    YEAR = "year", _("年まで（頃）")


class Source(models.TextChoices):
    """Who told the recording organization about the event."""

    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")
    AGENCY = "agency", _("関係機関")
    RECORD = "record", _("記録")
    NEIGHBOUR = "neighbour", _("近隣・地域")
    OTHER = "other", _("その他")


def truncate(day: datetime.date, precision: str) -> datetime.date:
    """The first day of the period ``day`` falls in at ``precision``."""
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


def when_label(day: datetime.date, precision: str) -> str:
    """A date as precisely as it is known, in 和暦 (「令和元年頃」「令和元年5月」)."""
    if precision == Precision.YEAR:
        # An era can change within a year (2019: 平成31年・令和元年): the western year.
        return str(_("%(year)d年頃")) % {"year": day.year}
    if precision == Precision.MONTH:
        return format_wareki_month(day.year, day.month)
    return format_wareki(day)


#: The bases a recorder may have seen a household under (access.md's six routes).
RESIDENT_BASES = [
    (basis.value, basis.label)
    for basis in (
        Basis.OWN_ORGANIZATION,
        Basis.REFERRAL,
        Basis.CONSENT,
        Basis.SUPPORT_MEETING,
        Basis.COORDINATOR,
        Basis.EMERGENCY,
    )
]


class LifeEvent(TrackedModel):
    """One event in the history of a household, or of one of its members."""

    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        related_name="life_events",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="life_events",
        help_text=_("世帯員のうち、出来事のあった人（世帯全体のことなら空欄）"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("記録した機関"),
        on_delete=models.PROTECT,
        related_name="life_events",
    )
    kind = models.CharField(_("出来事"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(
        _("時期"), help_text=_("月や年しかわからないときは、その月・年の1日として保存します")
    )
    precision = models.CharField(
        _("時期の精度"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    description = FreeTextField(_("内容"), max_length=2000, blank=True)
    source = models.CharField(_("情報源"), max_length=20, choices=Source.choices)
    source_note = models.CharField(
        _("情報源の補足"), max_length=200, blank=True, help_text=_("例: 長女から電話で")
    )
    recorded_basis = models.CharField(
        _("記録時の根拠"),
        max_length=20,
        choices=RESIDENT_BASES,
        help_text=_("記録した職員が世帯を見ていた根拠"),
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("家族の出来事")
        verbose_name_plural = _("家族の出来事")
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["household", "occurred_on"], name="lifeevent_household_day"),
            models.Index(fields=["organization"], name="lifeevent_org"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def when_label(self) -> str:
        """The date as precisely as it is known, in 和暦 (「令和元年頃」「令和元年5月」)."""
        return when_label(self.occurred_on, self.precision)
