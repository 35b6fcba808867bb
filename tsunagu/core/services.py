"""Writing tenant data with its audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.models import TrackedModel


@transaction.atomic
def tracked_save_form(*, actor: Staff, form: ModelForm[Any]) -> Any:
    """Save a valid model form of tracked data: who created or changed it, and an
    audit event naming the changed fields (not their values)."""
    instance = form.instance
    creating = instance.pk is None
    if isinstance(instance, TrackedModel):
        if creating:
            instance.created_by = actor
        instance.updated_by = actor
    instance = form.save()
    audit_record(
        AuditAction.CREATE if creating else AuditAction.CHANGE,
        actor=actor,
        obj=instance,
        detail={"fields": sorted(form.changed_data)},
    )
    return instance


@transaction.atomic
def tracked_archive(*, actor: Staff, instance: TrackedModel, reason: str) -> TrackedModel:
    """Archive instead of deleting: the record stays, with who, when and why.

    The reason is required here, not only by the pages' forms, so that every
    caller (page or API) refuses a blank one alike."""
    if not reason.strip():
        raise ValidationError({"archive_reason": _("アーカイブの理由を入力してください。")})
    instance.archived_at = timezone.now()
    instance.archive_reason = reason
    instance.updated_by = actor
    instance.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=instance, detail={"reason": reason})
    return instance


@transaction.atomic
def tracked_restore(*, actor: Staff, instance: TrackedModel) -> TrackedModel:
    instance.archived_at = None
    instance.archive_reason = ""
    instance.updated_by = actor
    instance.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=instance, detail={"restored": True})
    return instance
