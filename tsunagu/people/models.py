"""Residents the support is about (本人), their households (世帯), and the
records that keep identities straight: name variants, merges, and break-glass
openings of a household."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel


class Sex(models.TextChoices):
    MALE = "male", _("男性")
    FEMALE = "female", _("女性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明・未回答")


class Person(TrackedModel):
    """本人: a resident. Identity fields follow the national intake sheet
    (氏名, ふりがな, 性別, 生年月日, 住所, 電話) and carry over to every sheet."""

    family_name = models.CharField(_("氏"), max_length=40)
    given_name = models.CharField(_("名"), max_length=40, blank=True)
    # What the clerk typed; a reading suggested by the system is offered in
    # the form and stored only if the clerk keeps it.
    family_name_kana = models.CharField(_("氏（ふりがな）"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("名（ふりがな）"), max_length=60, blank=True)
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("日常生活圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    language_note = models.CharField(
        _("言語"),
        max_length=100,
        blank=True,
        help_text=_("例: 日本語の読み書きが難しい、通訳が必要（ベトナム語）"),
    )
    nationality_note = models.CharField(_("国籍"), max_length=100, blank=True)
    registered_by = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("登録した機関"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("統合先"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Search keys (names.fold); what was typed stays in the fields above.
    name_key = models.CharField(max_length=90, editable=False, db_index=True)
    family_key = models.CharField(max_length=45, editable=False)
    kana_key = models.CharField(max_length=130, editable=False, db_index=True)
    family_kana_key = models.CharField(max_length=65, editable=False)
    # The reading without voicing marks (やまさき for ヤマザキ), and the name in
    # rough romaji (NGUYEN ≡ グエン): found at a lower rank (names.name_keys).
    sound_key = models.CharField(max_length=130, editable=False, default="")
    roman_key = models.CharField(max_length=200, editable=False, default="")

    class Meta(TrackedModel.Meta):
        verbose_name = _("本人")
        verbose_name_plural = _("本人")
        ordering = ["kana_key", "id"]
        indexes = [
            models.Index(fields=["municipality", "family_key"], name="person_family_key"),
            models.Index(fields=["municipality", "family_kana_key"], name="person_family_kana_key"),
            models.Index(fields=["municipality", "birth_date"], name="person_birth_date"),
            # The duplicate warning at intake asks for the same romaji (matching.py).
            models.Index(fields=["municipality", "roman_key"], name="person_roman_key"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.family_name}　{self.given_name}".strip("　")

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana}　{self.given_name_kana}".strip("　")

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PersonNameGram(TenantModel):
    """An index of names for search: one row per person and piece of their
    folded keys (``names.NameKeys.grams``: kanji, the reading without voicing
    marks, the name in romaji). A search for any
    part of a name reads the rows of its pieces instead of every person of a
    municipality of a million (see ``selectors.person_search``). Written with
    the keys by ``services.person_grams_write``; never shown."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    class Meta(TenantModel.Meta):
        verbose_name = _("氏名の検索索引")
        verbose_name_plural = _("氏名の検索索引")
        indexes = [
            models.Index(fields=["municipality", "gram", "person"], name="person_name_gram"),
        ]


class Household(TrackedModel):
    """世帯: the unit of support. Its members change over time; the history stays."""

    address = models.CharField(_("住所"), max_length=200, blank=True)
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("日常生活圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    note = FreeTextField(_("世帯の状況"), blank=True)
    registered_by = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("登録した機関"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # The head's name, kept for lists (a household is found by its head).
    label = models.CharField(_("世帯名"), max_length=90, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("世帯")
        verbose_name_plural = _("世帯")
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(_("%(name)s 世帯") % {"name": self.label} if self.label else _("世帯"))

    @property
    def number(self) -> str:
        return f"H{self.pk:07d}"


class Relationship(models.TextChoices):
    """続柄 to the head of the household."""

    HEAD = "head", _("世帯主")
    SPOUSE = "spouse", _("配偶者")
    CHILD = "child", _("子")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母")
    GRANDCHILD = "grandchild", _("孫")
    SIBLING = "sibling", _("兄弟姉妹")
    CHILD_IN_LAW = "child_in_law", _("子の配偶者")
    OTHER_RELATIVE = "other_relative", _("その他の親族")
    HOUSEMATE = "housemate", _("同居人")


class HouseholdMembership(TenantModel):
    """A person's place in a household for a period. Moving keeps the old row, ended."""

    household = models.ForeignKey(
        Household, verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("本人"), on_delete=models.PROTECT, related_name="memberships"
    )
    relationship = models.CharField(_("続柄"), max_length=20, choices=Relationship.choices)
    started_on = models.DateField(_("加入日"), default=timezone.localdate)
    ended_on = models.DateField(_("離脱日"), null=True, blank=True)
    end_reason = models.CharField(_("離脱の理由"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta(TenantModel.Meta):
        verbose_name = _("世帯員")
        verbose_name_plural = _("世帯員")
        ordering = ["household", "ended_on", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True),
                name="membership_one_current_household",
                violation_error_message=_("この方はすでに別の世帯に属しています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class NameVariant(TenantModel):
    """A variant kanji the municipality folds to a standard form in name search
    (in addition to the built-in table of names.VARIANT_KANJI)."""

    variant = models.CharField(_("異体字"), max_length=1)
    standard = models.CharField(_("標準字"), max_length=1)
    note = models.CharField(_("備考"), max_length=100, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("異体字")
        verbose_name_plural = _("異体字")
        ordering = ["standard", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "variant"],
                name="namevariant_unique",
                violation_error_message=_("この異体字はすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.variant}→{self.standard}"


class PersonMerge(TenantModel):
    """Two records of one person made one. What moved is kept so that an
    administrator can undo the merge exactly."""

    survivor = models.ForeignKey(
        Person, verbose_name=_("残す記録"), on_delete=models.PROTECT, related_name="+"
    )
    absorbed = models.ForeignKey(
        Person, verbose_name=_("統合される記録"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("統合の理由"), max_length=200)
    moved = models.JSONField(_("移した記録"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.CharField(_("取り消しの理由"), max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("本人の統合")
        verbose_name_plural = _("本人の統合")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"#{self.absorbed_id}→#{self.survivor_id}"


EMERGENCY_ACCESS_HOURS = 8


def _emergency_expiry() -> object:
    return timezone.now() + timedelta(hours=EMERGENCY_ACCESS_HOURS)


class EmergencyAccess(TenantModel):
    """緊急時の閲覧 (break-glass): a staff member opened a household they had no
    other basis to see, stating why. It works for a working day, is marked
    on every page it opens, and is listed for the auditors' review."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="+"
    )
    reason = FreeTextField(_("理由"))
    opened_at = models.DateTimeField(_("開始日時"), default=timezone.now)
    expires_at = models.DateTimeField(_("有効期限"), default=_emergency_expiry)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    review_note = models.CharField(_("確認の所見"), max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("緊急時の閲覧")
        verbose_name_plural = _("緊急時の閲覧")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["staff", "expires_at"], name="emergency_staff_expiry")]

    def __str__(self) -> str:
        return f"{self.opened_at:%Y-%m-%d %H:%M} #{self.household_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
