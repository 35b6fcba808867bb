"""The base every piece of tenant data is built on; the tenant itself is
``core.municipality.Municipality`` (kept apart so that ``core.tenancy`` can
name it without importing this module, which reads the current tenant)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core import tenancy

# Re-exported: every app names the tenant from here.
from tsunagu.core.municipality import Municipality as Municipality


class TenantManager(models.Manager):
    """The default manager of tenant data: only the current municipality's rows.

    Filtering happens here, in the one place every query starts from, so that
    no view, selector or API endpoint has to remember it.
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        municipality_id = tenancy.current_municipality_id()
        if municipality_id is None:
            return queryset.none()
        return queryset.filter(municipality_id=municipality_id)


class TenantModel(models.Model):
    """Base of every row of tenant data.

    ``objects`` sees the current municipality only. ``all_tenants`` is for the
    few places that must cross tenants on purpose (audit verification,
    installation-wide anonymised totals, backup) and is named so that its use
    stands out in review.
    """

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, editable=False
    )

    objects: ClassVar[TenantManager] = TenantManager()
    all_tenants: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        abstract = True
        # Django's internal lookups (a forward foreign key, a save) must not
        # depend on the context variable; the tenant check happens in save().
        base_manager_name = "all_tenants"

    def save(self, *args: Any, **kwargs: Any) -> None:
        current = tenancy.current_municipality()
        if self.municipality_id is None:
            if current is None:
                raise tenancy.TenantMismatch(f"{type(self).__name__} saved with no municipality")
            self.municipality = current
        elif current is not None and self.municipality_id != current.pk:
            raise tenancy.TenantMismatch(
                f"{type(self).__name__} of municipality {self.municipality_id} "
                f"saved while working for {current.pk}"
            )
        self._check_related_tenants()
        super().save(*args, **kwargs)

    def _check_related_tenants(self) -> None:
        """Every row this one points at belongs to the same municipality.

        Forms offer only the current municipality's rows, but an id can arrive
        from anywhere (an API payload, a crafted POST); a link across tenants
        is refused here, where every save passes."""
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            related_model = field.related_model
            if not (isinstance(related_model, type) and issubclass(related_model, TenantModel)):
                continue
            value = getattr(self, field.attname)
            if value is None:
                continue
            cached = field.get_cached_value(self, default=None)  # type: ignore[attr-defined]
            if cached is not None and cached.pk == value:
                owner = cached.municipality_id
            else:
                owner = (
                    related_model.all_tenants.filter(pk=value)
                    .values_list("municipality_id", flat=True)
                    .first()
                )
            if owner is not None and owner != self.municipality_id:
                raise tenancy.TenantMismatch(
                    f"{type(self).__name__}.{field.name} points at a row of municipality {owner}"
                )


class AppendOnly:
    """A history row: written once, never edited nor deleted (a change of state
    is a new row). Put before the model base: ``class X(AppendOnly, TenantModel)``."""

    pk: Any

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} is append-only")


class HistoryEvent(AppendOnly, TenantModel):
    """One entry of a record's history: who did it, for which organization, when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("操作した機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta(TenantModel.Meta):
        abstract = True
        ordering = ["occurred_at", "id"]


class TrackedModel(TenantModel):
    """Tenant data with who created and last changed it, and archiving instead of deletion."""

    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("アーカイブ日時"), null=True, blank=True, editable=False)
    archive_reason = models.CharField(_("アーカイブの理由"), max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AnonymisedRecord(AppendOnly, TenantModel):
    """A record whose personal data was anonymised after the municipality's
    retention period (``Municipality.retention_years``) had passed since its
    closure (``tsunagu.core.retention``). The record itself stays, with its
    dates and categories, so that reports count the work as before; this row
    says that its names and texts are markers now, when, and from which
    closure date the period ran. One row per household, person, case,
    consultation, referral, outreach contact, participation and activity
    record (their sub-records follow them)."""

    record_type = models.CharField(_("記録の種類"), max_length=40)
    record_id = models.BigIntegerField(_("記録のID"))
    closed_on = models.DateField(_("終結日（保存期間の起算日）"))
    anonymised_at = models.DateTimeField(_("匿名化日時"), default=timezone.now)

    class Meta(TenantModel.Meta):
        verbose_name = _("匿名化済みの記録")
        verbose_name_plural = _("匿名化済みの記録")
        ordering = ["anonymised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "record_type", "record_id"],
                name="anonymised_record_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}#{self.record_id}"


#: How long a draft no one finished is kept.
DRAFT_DAYS = 7


class Draft(TenantModel):
    """What a staff member has typed into a long form and not yet sent, kept on
    the server as they type (never in the browser's storage: a window's PC is
    shared) so that an idle sign-out or a closed tab loses nothing. Only the
    one who typed it reads it (policy ``draft``); it goes when the form is
    sent, when they discard it, or after :data:`DRAFT_DAYS` days."""

    staff = models.ForeignKey(
        "accounts.Staff", verbose_name=_("職員"), on_delete=models.CASCADE, related_name="+"
    )
    #: The page the form is on (its path) and the form's name on the page.
    form_key = models.CharField(_("フォーム"), max_length=300)
    values = models.JSONField(_("入力内容"), default=dict)
    updated_at = models.DateTimeField(_("保存日時"), default=timezone.now)
    expires_at = models.DateTimeField(_("期限"))

    class Meta(TenantModel.Meta):
        verbose_name = _("下書き")
        verbose_name_plural = _("下書き")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "staff", "form_key"], name="core_draft_one_per_form"
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="core_draft_expiry")]

    def __str__(self) -> str:
        return f"下書き {self.form_key}"
