"""出張相談会・巡回相談 (consultation_event) and 予約 (appointment).

A consultation event is a session a window holds away from its desk — at a
community place, on a date, with the staff who go — and the consultations
taken there attach to it, so that the report counts per event (seed 004:
出張相談・巡回型相談). An appointment is a booked slot at a window that works
by appointment: booked by staff for a person, or by a resident through the
public page where the window allows it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel


class EventKind(models.TextChoices):
    SESSION = "session", _("出張相談会")
    ROUND = "round", _("巡回相談")


class ConsultationEvent(TrackedModel):
    """One 出張相談会 or 巡回相談: its holding window, when, where and who went."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("実施機関"),
        on_delete=models.PROTECT,
        related_name="consultation_events",
    )
    kind = models.CharField(_("種類"), max_length=10, choices=EventKind.choices)
    held_on = models.DateField(_("実施日"))
    starts_at = models.TimeField(_("開始時刻"))
    ends_at = models.TimeField(_("終了時刻"))
    place = models.ForeignKey(
        "community.CommunityPlace",
        verbose_name=_("会場（居場所・拠点）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_events",
    )
    venue = models.CharField(
        _("会場（その他）"),
        max_length=200,
        blank=True,
        help_text=_("居場所・拠点に登録のない会場（例: ○○地区公民館 2階和室）"),
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("従事した職員"),
        through="EventStaff",
        related_name="consultation_events",
        blank=True,
    )
    note = FreeTextField(_("メモ"), max_length=1000, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("出張相談会・巡回相談")
        verbose_name_plural = _("出張相談会・巡回相談")
        ordering = ["-held_on", "-starts_at", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"], name="event_org_day")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()} {self.venue_label}"

    @property
    def venue_label(self) -> str:
        if self.place_id is not None:
            return self.place.resource.name  # type: ignore[union-attr]
        return self.venue


class EventStaff(TenantModel):
    """A staff member who attended an event."""

    event = models.ForeignKey(
        ConsultationEvent, on_delete=models.CASCADE, related_name="attendance"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(TenantModel.Meta):
        verbose_name = _("従事した職員")
        verbose_name_plural = _("従事した職員")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "event", "staff"], name="event_staff_unique"
            )
        ]


class AppointmentSettings(TenantModel):
    """How one window takes appointments: its hours, slot length and capacity.

    Slots fall on working days only: not on Saturdays, Sundays, Japanese
    public holidays (the ``holidays`` package) or, where the office closes
    then as Japanese municipal offices customarily do, 12/29–1/3."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    takes_appointments = models.BooleanField(_("予約を受け付ける"), default=False)
    public_booking = models.BooleanField(_("住民が公開ページから予約できる"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(_("1枠の長さ（分）"), default=30)
    opens_at = models.TimeField(_("受付開始"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("受付終了"), default=datetime.time(17, 0))
    lunch_starts_at = models.TimeField(
        _("昼休み（開始）"), null=True, blank=True, default=datetime.time(12, 0)
    )
    lunch_ends_at = models.TimeField(
        _("昼休み（終了）"), null=True, blank=True, default=datetime.time(13, 0)
    )
    days_ahead = models.PositiveSmallIntegerField(_("何日先まで予約できるか"), default=30)
    capacity = models.PositiveSmallIntegerField(_("1枠の定員"), default=1)
    year_end_closure = models.BooleanField(_("年末年始（12月29日〜1月3日）は休み"), default=True)

    class Meta:
        verbose_name = _("予約の設定")
        verbose_name_plural = _("予約の設定")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "organization"], name="appointment_settings_unique"
            )
        ]

    def __str__(self) -> str:
        return str(_("予約の設定"))


class Status(models.TextChoices):
    BOOKED = "booked", _("予約済み")
    ARRIVED = "arrived", _("来所済み")
    CANCELLED = "cancelled", _("キャンセル")
    NO_SHOW = "no_show", _("無断キャンセル")


#: The one table of status changes (a booked slot is the only open state).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.ARRIVED, Status.CANCELLED, Status.NO_SHOW}),
    Status.ARRIVED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}
#: Statuses that hold their slot (a cancelled booking frees it).
HOLDING = (Status.BOOKED, Status.ARRIVED, Status.NO_SHOW)


class Source(models.TextChoices):
    STAFF = "staff", _("職員が登録")
    PUBLIC = "public", _("住民が公開ページから予約")


class Appointment(TrackedModel):
    """A booked slot at a window."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("窓口"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    source = models.CharField(_("予約の経路"), max_length=10, choices=Source.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    name = models.CharField(_("お名前（ニックネーム可）"), max_length=100, blank=True)
    contact_mail = models.EmailField(_("メールアドレス"), blank=True)
    contact_phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    purpose = FreeTextField(_("ご相談の内容"), max_length=1000, blank=True)
    language = models.CharField(_("言語"), max_length=10, default="ja")
    thread = models.ForeignKey(
        "frontdoor.Thread",
        verbose_name=_("オンライン相談"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    #: The digest of the secret cancel link given on the public receipt.
    cancel_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("リマインド送信日時"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("予約")
        verbose_name_plural = _("予約")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "starts_at"], name="appointment_org_start"),
            models.Index(fields=["cancel_token_hash"], name="appointment_cancel_token"),
        ]

    def __str__(self) -> str:
        return str(_("予約 %(day)s")) % {"day": f"{self.starts_at:%Y-%m-%d %H:%M}"}

    @property
    def number(self) -> str:
        return f"Y{self.pk:07d}"
