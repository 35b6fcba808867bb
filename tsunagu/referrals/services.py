"""The referral loop: creating, sending, and every change of state, each
recorded in the referral's history in the same transaction as its audit event."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.models import Person
from tsunagu.referrals.models import (
    NEEDS_REASON,
    NEEDS_REPORT_BACK,
    OPEN,
    TRANSITIONS,
    Referral,
    ReferralEvent,
    Side,
    Status,
)
from tsunagu.workqueue import notices


class ReferralConflict(EditConflict):
    what = gettext_lazy("つなぐシート")
    verb = gettext_lazy("操作")


def side_of(referral: Referral, organization_ids: Iterable[int]) -> str | None:
    """Whether the staff's organizations are the referral's sender or receiver."""
    organizations = set(organization_ids)
    if referral.from_organization_id in organizations:
        return Side.SENDER
    if referral.to_organization_id in organizations:
        return Side.RECEIVER
    return None


def allowed_transitions(referral: Referral, side: str | None) -> list[Status]:
    return [
        Status(target)
        for (source, target), who in TRANSITIONS.items()
        if source == referral.status and who == side
    ]


def _require_member(actor: Staff, organization: Organization) -> None:
    """A change is made for an organization the actor does casework in, never another's."""
    from tsunagu.policy import casework_organization_ids

    if organization.pk not in casework_organization_ids(actor):
        raise ValidationError(_("所属していない機関として操作することはできません。"))


@transaction.atomic
def referral_create(
    *,
    actor: Staff,
    organization: Organization,
    referral: Referral,
    persons: Iterable[Person] = (),
    send: bool = True,
) -> Referral:
    """Create a referral from ``organization`` (an unsaved instance from the form),
    as a draft or sent at once."""
    _require_member(actor, organization)
    if referral.to_organization_id == organization.pk:
        raise ValidationError({"to_organization": _("自機関にはつなげません。")})
    # Not before the day the sheet is written (today, except in a backdated history load).
    written_on = timezone.localdate(referral.created_at) if referral.created_at else None
    if referral.due_on is not None and referral.due_on < (written_on or timezone.localdate()):
        raise ValidationError({"due_on": _("回答期限に過去の日付は指定できません。")})
    referral.from_organization = organization
    referral.status = Status.DRAFT
    referral.created_by = actor
    referral.updated_by = actor
    referral.save()
    referral.persons.set(list(persons))
    grants.refresh_for(referral)
    ReferralEvent.objects.create(
        referral=referral,
        from_status="",
        to_status=Status.DRAFT,
        actor=actor,
        organization=organization,
        note=_("作成"),
    )
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=referral,
        basis=referral.sharing_basis,
        detail={"to": referral.to_organization_id, "shared": referral.shared_items},
        organization_id=organization.pk,
    )
    if send:
        referral = referral_transition(
            actor=actor,
            organization=organization,
            referral=referral,
            to_status=Status.REQUESTED,
            version=referral.version,
        )
    return referral


@transaction.atomic
def referral_transition(
    *,
    actor: Staff,
    organization: Organization,
    referral: Referral,
    to_status: str,
    version: int,
    reason: str = "",
    note: str = "",
) -> Referral:
    """Change the state of ``referral`` as ``organization``'s staff member.

    Refused (ValidationError, in Japanese) when the transitions table does not
    allow this side to make the change, when a required reason or report-back
    is missing; refused with :class:`ReferralConflict` when ``version`` is not
    the current one (someone else changed it meanwhile)."""
    _require_member(actor, organization)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.version != version:
        raise ReferralConflict()
    side = side_of(locked, [organization.pk])
    who = TRANSITIONS.get((locked.status, to_status))
    if who is None:
        raise ValidationError(
            _("「%(source)s」から「%(target)s」には変更できません。")
            % {"source": Status(locked.status).label, "target": Status(to_status).label}
        )
    if who != side:
        raise ValidationError(
            _("「%(target)s」にできるのは%(side)sの機関です。")
            % {"target": Status(to_status).label, "side": Side(who).label}
        )
    if to_status in NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("理由を選んでください。")})
    if to_status in NEEDS_REPORT_BACK and not note.strip():
        raise ValidationError({"note": _("つなぐ元への報告（対応の結果）を入力してください。")})
    now = timezone.now()
    source = locked.status
    locked.status = to_status
    locked.version += 1
    locked.updated_by = actor
    if to_status == Status.REQUESTED:
        locked.sent_at = now
    if side == Side.RECEIVER and locked.first_answered_at is None:
        locked.first_answered_at = now
    if to_status in NEEDS_REPORT_BACK:
        locked.report_back = note
        locked.report_back_at = now
    if to_status not in OPEN:
        locked.closed_at = now
    locked.save()
    ReferralEvent.objects.create(
        referral=locked,
        from_status=source,
        to_status=to_status,
        reason=reason,
        note=note,
        is_report_back=to_status in NEEDS_REPORT_BACK,
        actor=actor,
        organization=organization,
        occurred_at=now,
    )
    # Accepting gives the receiver the household; a rejection or a
    # cancellation before that gives none, at once.
    grants.refresh_for(locked)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=locked,
        detail={"from": source, "to": to_status, "reason": reason},
        organization_id=organization.pk,
    )
    # E-mail notices (counts and links only) to the other side's staff who
    # chose them, after the commit.
    if to_status == Status.REQUESTED:
        notices.referral_sent(locked)
    elif to_status in NEEDS_REPORT_BACK:
        notices.referral_reported(locked)
    return locked


@transaction.atomic
def referral_note(
    *, actor: Staff, organization: Organization, referral: Referral, note: str
) -> ReferralEvent:
    """A message on the referral without a change of state (a progress report, a question)."""
    _require_member(actor, organization)
    if side_of(referral, [organization.pk]) is None:
        raise ValidationError(_("このつなぐシートの送り手・受け手の機関ではありません。"))
    if not note.strip():
        raise ValidationError({"note": _("コメントを入力してください。")})
    event = ReferralEvent.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=referral.status,
        note=note,
        is_report_back=side_of(referral, [organization.pk]) == Side.RECEIVER,
        actor=actor,
        organization=organization,
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=referral,
        detail={"note": event.pk},
        organization_id=organization.pk,
    )
    return event
