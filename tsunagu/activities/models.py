"""活動記録: a coordinator's work that is not a contact with a case — the rows
of seed 000's 地域づくり tables (地域福祉コーディネーター and 生活支援コーディネーター)
— and counted entries, for figures no one keeps record by record (the
visitors of a parent-and-child plaza).

Each activity is one act on one day: what kind of work it was (seed 002's
江戸川区 records the intent behind each act), in which district, received or
sent. The business report counts them; nothing is typed as a total except a
counted entry, which says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TrackedModel


class Category(models.TextChoices):
    """Which table of the report an activity belongs to."""

    INDIVIDUAL = "individual", _("個人支援（地域福祉コーディネーター）")
    COMMUNITY = "community", _("地域支援（地域福祉コーディネーター）")
    LIFE_SUPPORT = "life_support", _("生活支援コーディネーター活動")
    NEW_CONSULTATION = "new_consultation", _("新規相談")


class Kind(models.TextChoices):
    # 個人支援
    RELATIONSHIP = "relationship", _("関係形成")
    INDIVIDUAL_SUPPORT = "individual_support", _("個別支援")
    LIAISON = "liaison", _("連絡調整")
    # 地域支援 (関係形成・連絡調整 shared with 個人支援)
    LAUNCH = "launch", _("立上支援")
    OPERATION = "operation", _("運営支援")
    # 生活支援コーディネーター (関係形成・運営支援 shared)
    INFORMATION = "information", _("情報収集")
    PLANNING = "planning", _("企画立案")
    # 新規相談
    NEW_INDIVIDUAL = "new_individual", _("新規相談（個人）")
    NEW_COMMUNITY = "new_community", _("新規相談（地域）")


#: The kinds each category records, in the order the report lists them.
KINDS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    Category.INDIVIDUAL: (Kind.RELATIONSHIP, Kind.INDIVIDUAL_SUPPORT, Kind.LIAISON),
    Category.COMMUNITY: (Kind.RELATIONSHIP, Kind.LAUNCH, Kind.OPERATION, Kind.LIAISON),
    Category.LIFE_SUPPORT: (
        Kind.INFORMATION,
        Kind.RELATIONSHIP,
        Kind.PLANNING,
        Kind.OPERATION,
    ),
    Category.NEW_CONSULTATION: (Kind.NEW_INDIVIDUAL, Kind.NEW_COMMUNITY),
}


class Mode(models.TextChoices):
    """個人支援 only: with the person (直接) or around them (間接: family, neighbours, organizations)."""

    DIRECT = "direct", _("直接支援")
    INDIRECT = "indirect", _("間接支援")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("発信")
    INCOMING = "incoming", _("受信")


class ActivityRecord(TrackedModel):
    """One act of a coordinator's work, on one day, in one district."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("記録した機関"),
        on_delete=models.PROTECT,
        related_name="activity_records",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.PROTECT,
        related_name="activity_records",
    )
    occurred_on = models.DateField(_("活動日"))
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        related_name="activity_records",
    )
    category = models.CharField(_("区分"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("活動の種類"), max_length=30, choices=Kind.choices)
    mode = models.CharField(
        _("直接/間接"), max_length=10, choices=Mode.choices, blank=True, help_text=_("個人支援のみ")
    )
    direction = models.CharField(
        _("発信/受信"), max_length=10, choices=Direction.choices, default=Direction.OUTGOING
    )
    intent = models.CharField(
        _("働きかけの意図"),
        max_length=200,
        help_text=_("例: 町会長と顔の見える関係をつくる（個人名は書かない）"),
    )
    note = FreeTextField(_("メモ"), blank=True)
    # 個人支援 may be about a household the organization supports; the record
    # then follows the policy's rules for that household's records.
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_records",
    )
    community_project = models.ForeignKey(
        "community.CommunityProject",
        verbose_name=_("地域プロジェクト"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_records",
    )
    community_place = models.ForeignKey(
        "resources.Resource",
        verbose_name=_("居場所・拠点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_records",
        limit_choices_to={"is_community_place": True},
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("活動記録")
        verbose_name_plural = _("活動記録")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # The report counts by category and kind over a period, per district.
            models.Index(
                fields=["municipality", "category", "occurred_on"], name="activity_category_day"
            ),
            models.Index(fields=["organization", "occurred_on"], name="activity_org_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category="individual") | ~models.Q(mode=""),
                name="activity_individual_has_mode",
                violation_error_message=_("個人支援は直接支援か間接支援かを選んでください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.label}"

    @property
    def label(self) -> str:
        """e.g. 「個別支援（直接支援）」, as the report's rows read."""
        kind = str(self.get_kind_display())
        return f"{kind}（{self.get_mode_display()}）" if self.mode else kind


class CountedEntry(TrackedModel):
    """A figure kept as a count, not as records: one organization's count of
    one thing for one month (親子ひろばの利用者数). The business report adds up
    the months of its period; the entry says who typed it and when."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        related_name="counted_entries",
    )
    item = models.CharField(
        _("項目"), max_length=80, help_text=_("例: 親子ひろば利用者数、プラン作成数")
    )
    month = models.DateField(_("月"), help_text=_("その月の1日"))
    count = models.PositiveIntegerField(_("件数・人数"))
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("件数入力")
        verbose_name_plural = _("件数入力")
        ordering = ["-month", "organization__sort_order", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "item", "month"],
                name="counted_entry_unique_month",
                violation_error_message=_("この機関・項目・月の件数はすでに入力されています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.month:%Y-%m} {self.count}"
