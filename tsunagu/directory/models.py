"""Master data of a municipality's support system: districts, the five businesses
and their sub-businesses (seed 000's structure table), and organizations.

All of it is the tenant's configuration, edited by its system administrator.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TrackedModel


class District(TrackedModel):
    """A 日常生活圏域: the sub-area used for staffing and for reports."""

    name = models.CharField(_("圏域名"), max_length=40)
    address_prefixes = FreeTextField(
        _("圏域に含まれる町丁目"),
        blank=True,
        help_text=_(
            "1行に1つ、住所の町名（例: 大塚）または町丁目（例: 大塚3丁目）。"
            "受付で入力した住所から圏域を決めます（長く一致する行が優先）。"
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("日常生活圏域")
        verbose_name_plural = _("日常生活圏域")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="district_unique_name",
                violation_error_message=_("同じ名前の圏域がすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


#: The five businesses of 社会福祉法第106条の4第2項, by their number in the report.
BUSINESS_NAMES = {
    1: "包括的相談支援事業",
    2: "多機関協働事業",
    3: "アウトリーチ等を通じた継続的支援事業",
    4: "参加支援事業",
    5: "地域づくり事業",
}


class Business(TrackedModel):
    """One of the five businesses of 社会福祉法 §106-4 (重層の5事業)."""

    class Number(models.IntegerChoices):
        I = 1, "Ⅰ"  # noqa: E741 - the roman numeral is the business's name
        II = 2, "Ⅱ"
        III = 3, "Ⅲ"
        IV = 4, "Ⅳ"
        V = 5, "Ⅴ"

    number = models.PositiveSmallIntegerField(_("番号"), choices=Number.choices)
    name = models.CharField(_("事業名"), max_length=60)

    class Meta(TrackedModel.Meta):
        verbose_name = _("事業")
        verbose_name_plural = _("事業")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"],
                name="business_unique",
                violation_error_message=_("この番号の事業はすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_number_display()} {self.name}"


class SubBusiness(TrackedModel):
    """A 区該当事業: what the municipality runs under one business (a row of seed 000)."""

    business = models.ForeignKey(
        Business, verbose_name=_("事業"), on_delete=models.PROTECT, related_name="sub_businesses"
    )
    name = models.CharField(_("区該当事業"), max_length=80)
    legal_basis = models.CharField(
        _("社会福祉法の事業根拠"),
        max_length=100,
        blank=True,
        help_text=_("例: 法106条の4第2項第1号イ"),
    )
    content = FreeTextField(_("内容"), blank=True)
    capacity_count = models.PositiveIntegerField(_("窓口設置数又は配置人数"), null=True, blank=True)
    capacity_unit = models.CharField(
        _("単位"), max_length=10, blank=True, help_text=_("か所、人 など")
    )
    capacity_note = models.CharField(_("注記"), max_length=60, blank=True, help_text=_("例: 兼務"))
    report_items = FreeTextField(_("報告項目"), blank=True, help_text=_("1行に1項目"))
    departments: models.ManyToManyField[Organization, Organization] = models.ManyToManyField(
        "Organization",
        verbose_name=_("所管課（委託を含む）"),
        blank=True,
        related_name="responsible_for",
    )
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("区該当事業")
        verbose_name_plural = _("区該当事業")
        ordering = ["business__number", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity_label(self) -> str:
        if self.capacity_count is None:
            return "—"
        note = f"※{self.capacity_note}" if self.capacity_note else ""
        return f"{self.capacity_count}{self.capacity_unit}{note}"

    def report_item_list(self) -> list[str]:
        return [line.strip() for line in self.report_items.splitlines() if line.strip()]


class Organization(TrackedModel):
    """A 支援関係機関: a window, centre, department or contractor."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("窓口")
        CENTER = "center", _("センター")
        DEPARTMENT = "department", _("課")
        CONTRACTOR = "contractor", _("委託先")
        # 警察署・学校・消防署・町会 …: attend meetings as guests, named in consents.
        EXTERNAL = "external", _("外部の関係機関")

    class Management(models.TextChoices):
        DIRECT = "direct", _("直営")
        CONTRACTED = "contracted", _("委託")

    name = models.CharField(_("機関名"), max_length=80)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    management = models.CharField(
        _("運営形態"), max_length=20, choices=Management.choices, default=Management.DIRECT
    )
    operator = models.CharField(
        _("運営法人"),
        max_length=80,
        blank=True,
        help_text=_("委託の場合の受託者（例: 社会福祉協議会）"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("本所"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        help_text=_("分室・支所の場合の本所"),
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("担当圏域"), blank=True, related_name="organizations"
    )
    sub_businesses = models.ManyToManyField(
        SubBusiness, verbose_name=_("実施する区該当事業"), blank=True, related_name="organizations"
    )
    is_coordinating = models.BooleanField(
        _("多機関協働事務局"),
        default=False,
        help_text=_("多機関協働事業の事務局（調整機関）であるか"),
    )
    designated_multi_agency = models.BooleanField(
        _("多機関協働事業者"),
        default=False,
        help_text=_(
            "市区町村が多機関協働事業者として指定した機関（委託先を含む）。"
            "重層的支援会議を開催できます。支援会議（法第106条の6）は市区町村の会議体のため、"
            "直営の多機関協働事務局だけが開催します。"
        ),
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    address = models.CharField(_("所在地"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("支援関係機関")
        verbose_name_plural = _("支援関係機関")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="organization_unique_name",
                violation_error_message=_("同じ名前の支援関係機関がすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.management == self.Management.CONTRACTED and not self.operator:
            raise ValidationError({"operator": _("委託の場合は運営法人を入力してください")})
