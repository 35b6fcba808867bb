"""社会資源: the places, activities and hosts a person can be connected to
(参加支援), modelled on Open Referral HSDS 3.0 so the directory can be
exchanged with other systems.

HSDS's objects map one to one: organization → :class:`Provider` (the host:
企業, 寺, 農園, NPO …), service → :class:`Resource`, location →
:class:`Location`, service_at_location → :class:`ResourceLocation`,
schedule → :class:`Schedule` (RFC 5545 recurrence: 毎月第2火曜日 is
``freq=MONTHLY, byday=2TU``). What our users need beyond HSDS (what a host
needs, how easy it is to join, interests it suits, year started) are fields
here and travel in the export as HSDS attributes under our own taxonomies.
"""

from __future__ import annotations

import datetime
import uuid

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel


class ProviderKind(models.TextChoices):
    COMPANY = "company", _("企業・商店")
    TEMPLE = "temple", _("寺社")
    FARM = "farm", _("農園")
    NPO = "npo", _("NPO法人")
    SOCIAL_WELFARE = "social_welfare", _("社会福祉法人")
    RESIDENTS = "residents", _("住民団体・町会")
    SELF_HELP = "self_help", _("当事者団体・家族会")
    PUBLIC = "public", _("行政・公共施設")
    COUNCIL = "council", _("社会福祉協議会")
    OTHER = "other", _("その他")


class Provider(TrackedModel):
    """受け入れ先・運営団体 (HSDS organization): who runs a resource."""

    hsds_id = models.UUIDField(_("HSDS ID"), default=uuid.uuid4, editable=False)
    name = models.CharField(_("団体名"), max_length=120)
    alternate_name = models.CharField(_("通称"), max_length=120, blank=True)
    kind = models.CharField(
        _("種別"), max_length=20, choices=ProviderKind.choices, default=ProviderKind.OTHER
    )
    description = FreeTextField(_("団体の紹介"), blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(_("設立年"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("運営団体")
        verbose_name_plural = _("運営団体")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "hsds_id"], name="provider_unique_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A year of incorporation is a Western year from Meiji 1 to this year:
        # the page's form and the API refuse the same ones.
        this_year = timezone.localdate().year
        year = self.year_incorporated
        if year is not None and not 1868 <= year <= this_year:
            raise ValidationError(
                {
                    "year_incorporated": _(
                        "設立年は1868年から%(year)s年までの西暦で入力してください。"
                    )
                    % {"year": this_year}
                }
            )


class Category(models.TextChoices):
    PLACE = "place", _("居場所")
    SALON = "salon", _("サロン")
    CHILDREN_CAFETERIA = "children_cafeteria", _("子ども食堂")
    FARM = "farm", _("農園・畑")
    TEMPLE = "temple", _("寺社での活動")
    SPOT_WORK = "spot_work", _("企業のスポット就労")
    VOLUNTEER = "volunteer", _("ボランティア")
    FAMILY_GROUP = "family_group", _("家族会")
    PEER_GROUP = "peer_group", _("当事者会")
    LEARNING = "learning", _("学習支援")
    HOBBY = "hobby", _("趣味・サークル")
    WORK_READINESS = "work_readiness", _("就労準備")
    FOOD = "food", _("食支援・フードパントリー")
    OTHER = "other", _("その他")


class Need(models.TextChoices):
    """What a host needs (seed 002, 目黒区: 人・物・場所・お金)."""

    PEOPLE = "people", _("人")
    THINGS = "things", _("物")
    PLACE = "place", _("場所")
    MONEY = "money", _("お金")


class Ease(models.TextChoices):
    """How easy it is to join: what a person who finds people hard looks for first."""

    SHORT_TIME = "short_time", _("短時間可")
    VISIT_FIRST = "visit_first", _("見学可")
    SMALL_GROUP = "small_group", _("少人数")
    LITTLE_TALK = "little_talk", _("会話少なめ")
    ALONE_OK = "alone_ok", _("一人で参加しやすい")
    DROP_IN = "drop_in", _("予約不要")
    FREE = "free", _("無料")
    LEAVE_ANYTIME = "leave_anytime", _("途中退出可")
    QUIET = "quiet", _("静かな環境")
    ONLINE = "online", _("オンライン可")


class Status(models.TextChoices):
    """HSDS service status."""

    ACTIVE = "active", _("活動中")
    TEMPORARILY_CLOSED = "temporarily closed", _("休止中")
    INACTIVE = "inactive", _("受け入れ停止")
    DEFUNCT = "defunct", _("終了")


class Resource(TrackedModel):
    """社会資源 (HSDS service): an activity or place a person can join."""

    hsds_id = models.UUIDField(_("HSDS ID"), default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(
        Provider, verbose_name=_("運営団体"), on_delete=models.PROTECT, related_name="resources"
    )
    name = models.CharField(_("名称"), max_length=120)
    alternate_name = models.CharField(_("通称"), max_length=120, blank=True)
    category = models.CharField(_("分類"), max_length=30, choices=Category.choices)
    is_community_place = models.BooleanField(
        _("居場所・拠点"),
        default=False,
        help_text=_("地域の拠点でもある（つどい〜の、かよい〜の、サロン、なごみの家 など）"),
    )
    description = FreeTextField(_("概要"), blank=True)
    audience = FreeTextField(_("対象"), blank=True, help_text=_("誰のための場か"))
    offers = FreeTextField(_("できること・内容"), blank=True)
    needs = models.JSONField(_("必要としているもの"), default=list, blank=True)
    needs_note = models.CharField(
        _("必要としているものの詳細"),
        max_length=200,
        blank=True,
        help_text=_("例: 調理のボランティア"),
    )
    ease = models.JSONField(_("参加のしやすさ"), default=list, blank=True)
    interests = models.JSONField(
        _("関心・活動のキーワード"),
        default=list,
        blank=True,
        help_text=_("例: コーヒー、料理、農作業、ゲーム（マッチングに使います）"),
    )
    capacity = models.PositiveSmallIntegerField(_("受け入れ可能人数"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    year_started = models.PositiveSmallIntegerField(
        _("開始年"), null=True, blank=True, help_text=_("古い活動は継承の支援が必要になります")
    )
    fees_description = FreeTextField(_("参加費"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("対象年齢（下限）"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("対象年齢（上限）"), null=True, blank=True)
    application_process = models.CharField(_("参加の方法"), max_length=200, blank=True)
    contact_name = models.CharField(_("担当者"), max_length=60, blank=True)
    contact_phone = models.CharField(_("担当者の電話番号"), max_length=30, blank=True)
    contact_email = models.EmailField(_("担当者のメールアドレス"), blank=True)
    url = models.URLField(_("ウェブサイト"), blank=True)
    #: Attributes of imported HSDS data under taxonomies we do not model
    #: ({"taxonomy", "code", "name", "value"}), kept so an export gives them back.
    extra_terms = models.JSONField(default=list, blank=True, editable=False)
    imported_at = models.DateTimeField(_("取り込み日時"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("社会資源")
        verbose_name_plural = _("社会資源")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "hsds_id"], name="resource_unique_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ease_labels(self) -> list[str]:
        return [str(Ease(code).label) for code in self.ease if code in Ease.values]

    def need_labels(self) -> list[str]:
        return [str(Need(code).label) for code in self.needs if code in Need.values]

    @property
    def accepting(self) -> bool:
        return self.status == Status.ACTIVE


class Location(TrackedModel):
    """場所 (HSDS location)."""

    class Type(models.TextChoices):
        PHYSICAL = "physical", _("所在地")
        POSTAL = "postal", _("郵送先")
        VIRTUAL = "virtual", _("オンライン")

    hsds_id = models.UUIDField(_("HSDS ID"), default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("運営団体"),
        on_delete=models.PROTECT,
        related_name="locations",
        null=True,
        blank=True,
    )
    location_type = models.CharField(
        _("種類"), max_length=10, choices=Type.choices, default=Type.PHYSICAL
    )
    name = models.CharField(_("場所の名称"), max_length=120)
    description = FreeTextField(_("説明"), blank=True)
    postal_code = models.CharField(_("郵便番号"), max_length=10, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("日常生活圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resource_locations",
    )
    transportation = models.CharField(_("交通手段"), max_length=200, blank=True)
    accessibility = models.CharField(
        _("バリアフリー"), max_length=200, blank=True, help_text=_("例: 1階・段差なし")
    )
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("経度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("場所")
        verbose_name_plural = _("場所")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "hsds_id"], name="location_unique_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResourceLocation(TenantModel):
    """Where a resource is held (HSDS service_at_location)."""

    hsds_id = models.UUIDField(_("HSDS ID"), default=uuid.uuid4, editable=False)
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="resource_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="resource_locations"
    )
    description = models.CharField(_("説明"), max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("開催場所")
        verbose_name_plural = _("開催場所")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "hsds_id"], name="resource_location_unique_hsds_id"
            ),
            models.UniqueConstraint(
                fields=["resource", "location"], name="resource_location_unique_pair"
            ),
        ]


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("毎週")
    MONTHLY = "MONTHLY", _("毎月")


#: RFC 5545 weekday codes in Japanese week order for display.
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_LABELS = {
    "MO": "月",
    "TU": "火",
    "WE": "水",
    "TH": "木",
    "FR": "金",
    "SA": "土",
    "SU": "日",
}


class Schedule(TenantModel):
    """When a resource meets (HSDS schedule, an RFC 5545 recurrence rule).

    ``byday`` holds weekday codes, each optionally preceded by the occurrence
    in the month for a monthly rule: ``2TU`` is the second Tuesday, ``-1FR``
    the last Friday."""

    hsds_id = models.UUIDField(_("HSDS ID"), default=uuid.uuid4, editable=False)
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="schedules", null=True, blank=True
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="schedules", null=True, blank=True
    )
    freq = models.CharField(_("繰り返し"), max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(_("間隔"), default=1)
    byday = models.CharField(_("曜日"), max_length=60, blank=True)
    bymonthday = models.CharField(_("日付"), max_length=60, blank=True)
    opens_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    closes_at = models.TimeField(_("終了時刻"), null=True, blank=True)
    dtstart = models.DateField(_("初回"), null=True, blank=True)
    valid_from = models.DateField(_("有効期間（開始）"), null=True, blank=True)
    valid_to = models.DateField(_("有効期間（終了）"), null=True, blank=True)
    description = models.CharField(_("説明"), max_length=200, blank=True)
    attending_type = models.CharField(_("参加の形"), max_length=200, blank=True)
    notes = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("開催日時")
        verbose_name_plural = _("開催日時")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "hsds_id"], name="schedule_unique_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return self.label()

    def weekdays(self) -> set[str]:
        """The weekday codes this schedule falls on (ordinals dropped)."""
        return {part.strip()[-2:] for part in self.byday.split(",") if part.strip()}

    def label(self) -> str:
        """The schedule in Japanese: 毎月第2火曜日 10時〜12時."""
        return schedule_label(self)

    def next_dates(self, after: datetime.date, count: int = 3) -> list[datetime.date]:
        return next_dates(self, after, count)


# ---------------------------------------------------------------------------
# Schedules in Japanese and their next dates, from RFC 5545 rules
# (python-dateutil): the behaviour of ``Schedule``, kept beside it.

_RRULE_DAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}


def _parts(byday: str) -> list[tuple[int | None, str]]:
    """``"2TU,-1FR"`` → ``[(2, "TU"), (-1, "FR")]``; unknown parts are skipped."""
    found = []
    for raw in byday.upper().replace(" ", "").split(","):
        code = raw[-2:]
        if code not in _RRULE_DAYS:
            continue
        ordinal = raw[:-2]
        try:
            found.append((int(ordinal) if ordinal else None, code))
        except ValueError:
            continue
    return sorted(found, key=lambda part: (WEEKDAYS.index(part[1]), part[0] or 0))


def _time(value: datetime.time | None) -> str:
    if value is None:
        return ""
    return f"{value.hour}時" + (f"{value.minute}分" if value.minute else "")


def _ordinal(n: int) -> str:
    return "最終" if n == -1 else f"第{n}"


def schedule_label(schedule: Schedule) -> str:
    """毎月第2火曜日 10時〜12時, 毎週月・水曜日 13時30分〜, 隔週木曜日 …"""
    parts = _parts(schedule.byday)
    if schedule.freq == Frequency.MONTHLY:
        if parts:
            by_ordinal: dict[int | None, list[str]] = {}
            for ordinal, code in parts:
                by_ordinal.setdefault(ordinal, []).append(code)
            ordinals = sorted({o for o, _c in parts if o is not None}, key=lambda o: (o < 0, o))
            codes = sorted({c for _o, c in parts}, key=WEEKDAYS.index)
            if ordinals and len(codes) == 1:
                when = "・".join(_ordinal(o) for o in ordinals) + WEEKDAY_LABELS[codes[0]] + "曜日"
            else:
                when = "・".join(
                    (_ordinal(o) if o is not None else "") + WEEKDAY_LABELS[c] + "曜日"
                    for o, c in parts
                )
        elif schedule.bymonthday:
            when = "・".join(f"{d.strip()}日" for d in schedule.bymonthday.split(",") if d.strip())
        else:
            when = ""
        head = ("毎月" if schedule.interval <= 1 else f"{schedule.interval}か月ごと") + when
    elif schedule.freq == Frequency.WEEKLY:
        codes = [c for _o, c in parts]
        when = ("・".join(WEEKDAY_LABELS[c] for c in codes) + "曜日") if codes else ""
        prefix = {1: "毎週", 2: "隔週"}.get(schedule.interval, f"{schedule.interval}週ごと")
        head = prefix + when
    else:
        head = schedule.description or "随時"
    times = ""
    if schedule.opens_at or schedule.closes_at:
        times = f" {_time(schedule.opens_at)}〜{_time(schedule.closes_at)}"
    return (head + times).strip()


def next_dates(schedule: Schedule, after: datetime.date, count: int = 3) -> list[datetime.date]:
    """The next ``count`` dates on or after ``after`` (none for a rule we cannot read)."""
    if schedule.freq not in Frequency.values:
        return []
    parts = _parts(schedule.byday)
    byweekday = [_RRULE_DAYS[c](o) if o is not None else _RRULE_DAYS[c] for o, c in parts]
    bymonthday = [int(d) for d in schedule.bymonthday.split(",") if d.strip().lstrip("-").isdigit()]
    if not byweekday and not bymonthday:
        return []
    start = schedule.dtstart or schedule.valid_from or after
    rule = rrule.rrule(
        rrule.MONTHLY if schedule.freq == Frequency.MONTHLY else rrule.WEEKLY,
        dtstart=datetime.datetime.combine(start, datetime.time()),
        interval=max(schedule.interval, 1),
        byweekday=byweekday or None,
        bymonthday=bymonthday or None,
        until=datetime.datetime.combine(schedule.valid_to, datetime.time())
        if schedule.valid_to
        else None,
    )
    found = []
    for moment in rule.xafter(
        datetime.datetime.combine(after, datetime.time()), count=count, inc=True
    ):
        found.append(moment.date())
    return found
