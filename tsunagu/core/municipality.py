"""The tenant: a 市区町村 that owns all of its data (a model of the ``core`` app,
imported by ``core.models``)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A 市区町村: the tenant that owns all of its data.

    Nothing crosses from one municipality to another except anonymised
    aggregates. An installation may serve one municipality or dozens.
    """

    code = models.CharField(
        _("地方公共団体コード"),
        max_length=6,
        unique=True,
        help_text=_("全国地方公共団体コード（6桁）"),
    )
    name = models.CharField(_("名称"), max_length=50)
    is_demo = models.BooleanField(
        _("デモデータ"), default=False, help_text=_("架空のデモ自治体であることを画面に表示します")
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("無操作で自動ログアウトするまでの分数"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
        help_text=_("5〜30分"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("記録の保存期間（終結後の年数）"),
        default=5,
        validators=[
            MinValueValidator(1, message=_("保存期間は1〜30年の範囲で入力してください。")),
            MaxValueValidator(30, message=_("保存期間は1〜30年の範囲で入力してください。")),
        ],
        help_text=_(
            "1〜30年。終結からこの年数を過ぎた世帯・ケース・相談の個人情報は、"
            "毎日の自動処理で匿名化されます（件数と日付は残ります）。"
        ),
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
