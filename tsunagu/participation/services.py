"""Writes of participation profiles and paths, each with its history row and
audit event in one transaction. The organization that supports the person
makes every change; the policy checks that before a view calls here, and the
services check it again."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.acting import require_casework
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.participation.models import (
    TRANSITIONS,
    EventKind,
    Participation,
    ParticipationEvent,
    ParticipationProfile,
    Stage,
)
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.plans.models import SupportPlan
from tsunagu.resources.models import Resource, Status


class ParticipationConflict(EditConflict):
    verb = gettext_lazy("操作")


PROFILE_FIELDS = (
    "interests",
    "strengths",
    "days",
    "times",
    "group_size",
    "travel",
    "pace",
    "preferences",
    "wishes",
    "constraints_note",
)


def current_household(person: Person) -> Household | None:
    membership = (
        HouseholdMembership.objects.filter(person=person, ended_on=None)
        .select_related("household")
        .order_by("-started_on", "-id")
        .first()
    )
    return membership.household if membership else None


def _clean_words(values: Any) -> list[str]:
    words = []
    for value in values or []:
        word = str(value).strip()
        if word and word not in words:
            words.append(word[:40])
    return words


@transaction.atomic
def profile_save(
    *,
    actor: Staff,
    organization: Organization,
    person: Person,
    version: int | None = None,
    **fields: Any,
) -> ParticipationProfile:
    """Create or update ``organization``'s participation profile of ``person``."""
    require_casework(actor, organization)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    profile = (
        ParticipationProfile.objects.select_for_update()
        .filter(person=person, organization=organization)
        .first()
    )
    created = profile is None
    if profile is None:
        profile = ParticipationProfile(
            person=person,
            organization=organization,
            household=current_household(person),
            created_by=actor,
        )
    elif version is not None and version != profile.version:
        raise ParticipationConflict
    for name in ("interests", "strengths", "days", "times", "preferences"):
        if name in fields:
            fields[name] = _clean_words(fields[name])
    changed = [name for name, value in fields.items() if getattr(profile, name) != value]
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.updated_by = actor
    if not created:
        profile.version += 1
        if profile.household_id is None:
            profile.household = current_household(person)
    profile.full_clean(exclude=["municipality", "person", "household", "organization"])
    profile.save()
    grants.refresh_for(profile)
    audit_record(
        AuditAction.CREATE if created else AuditAction.CHANGE,
        actor=actor,
        obj=profile,
        organization_id=organization.pk,
        detail={"fields": changed},
    )
    return profile


def _event(
    participation: Participation,
    actor: Staff,
    kind: str,
    happened_on: datetime.date,
    note: str = "",
    **stages: str,
) -> ParticipationEvent:
    return ParticipationEvent.objects.create(
        participation=participation,
        actor=actor,
        organization=participation.organization,
        kind=kind,
        happened_on=happened_on,
        note=note,
        **stages,
    )


@transaction.atomic
def participation_propose(
    *,
    actor: Staff,
    organization: Organization,
    person: Person,
    resource: Resource,
    reason: str,
    proposed_on: datetime.date | None = None,
    case: Case | None = None,
    plan: SupportPlan | None = None,
    next_follow_up_on: datetime.date | None = None,
    arrangement: str = "",
) -> Participation:
    """Record that ``resource`` was proposed to ``person`` (提案), with why."""
    require_casework(actor, organization)
    proposed_on = proposed_on or timezone.localdate()
    household = current_household(person)
    errors: dict[str, str] = {}
    if resource.status != Status.ACTIVE or resource.archived_at is not None:
        errors["resource"] = _("この社会資源は現在受け入れをしていません。")
    if plan is not None:
        case = case or plan.case
        if plan.case_id != case.pk:
            errors["plan"] = _("ケースの支援プランを選んでください。")
        elif not plan.members.filter(person=person).exists():
            errors["plan"] = _("この支援プランの対象者ではありません。")
    if case is not None and (household is None or case.household_id != household.pk):
        errors["case"] = _("本人の世帯のケースを選んでください。")
    if proposed_on > timezone.localdate():
        errors["proposed_on"] = _("提案日に未来の日付は入力できません。")
    if next_follow_up_on is not None and next_follow_up_on < proposed_on:
        errors["next_follow_up_on"] = _("フォローアップの日付は提案日以降にしてください。")
    if errors:
        raise ValidationError(errors)
    participation = Participation.objects.create(
        person=person,
        household=household,
        resource=resource,
        organization=organization,
        case=case,
        plan=plan,
        stage=Stage.PROPOSED,
        stage_changed_on=proposed_on,
        proposed_on=proposed_on,
        reason=reason.strip(),
        arrangement=arrangement.strip(),
        next_follow_up_on=next_follow_up_on,
        created_by=actor,
        updated_by=actor,
    )
    grants.refresh_for(participation)
    _event(participation, actor, EventKind.PROPOSED, proposed_on, reason, to_stage=Stage.PROPOSED)
    audit_record(
        AuditAction.CREATE, actor=actor, obj=participation, organization_id=organization.pk
    )
    return participation


def _locked(participation: Participation, version: int | None) -> Participation:
    current = Participation.objects.select_for_update().get(pk=participation.pk)
    if version is not None and version != current.version:
        raise ParticipationConflict
    return current


@transaction.atomic
def participation_transition(
    *,
    actor: Staff,
    participation: Participation,
    to_stage: str,
    happened_on: datetime.date | None = None,
    note: str = "",
    next_follow_up_on: datetime.date | None = None,
    version: int | None = None,
) -> Participation:
    """Move the path to ``to_stage``; ending or pausing it needs a reason."""
    require_casework(actor, participation.organization)
    current = _locked(participation, version)
    key = (current.stage, to_stage)
    if key not in TRANSITIONS:
        raise ValidationError(
            {
                "to_stage": _("「%(from)s」から「%(to)s」には進めません。")
                % {"from": Stage(current.stage).label, "to": Stage(to_stage).label}
            }
        )
    happened_on = happened_on or timezone.localdate()
    errors: dict[str, str] = {}
    if TRANSITIONS[key] and not note.strip():
        errors["note"] = _("終了・中断の理由を入力してください。")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("未来の日付は入力できません。")
    elif happened_on < current.stage_changed_on:
        errors["happened_on"] = _("前の段階の日付より後の日付にしてください。")
    if errors:
        raise ValidationError(errors)
    from_stage = current.stage
    current.stage = to_stage
    current.stage_changed_on = happened_on
    if to_stage in (Stage.PARTICIPATING,) and current.started_on is None:
        current.started_on = happened_on
    if to_stage in (Stage.ENDED, Stage.INTERRUPTED):
        current.end_reason = note.strip()[:200]
        current.ended_on = happened_on if to_stage == Stage.ENDED else None
        current.next_follow_up_on = next_follow_up_on if to_stage == Stage.INTERRUPTED else None
    else:
        current.ended_on = None
        current.next_follow_up_on = next_follow_up_on
    current.version += 1
    current.updated_by = actor
    current.save()
    _event(
        current,
        actor,
        EventKind.STAGE,
        happened_on,
        note.strip(),
        from_stage=from_stage,
        to_stage=to_stage,
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=current,
        organization_id=current.organization_id,
        detail={"from": from_stage, "to": to_stage},
    )
    return current


@transaction.atomic
def participation_note(
    *,
    actor: Staff,
    participation: Participation,
    kind: str,
    note: str,
    happened_on: datetime.date | None = None,
    next_follow_up_on: datetime.date | None = None,
    version: int | None = None,
) -> ParticipationEvent:
    """Record a follow-up with the person or support given to the host (受け入れ先支援)."""
    require_casework(actor, participation.organization)
    if kind not in (EventKind.FOLLOW_UP, EventKind.HOST_SUPPORT):
        raise ValidationError({"kind": _("記録の種類を選んでください。")})
    happened_on = happened_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = _("内容を入力してください。")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("未来の日付は入力できません。")
    if next_follow_up_on is not None and next_follow_up_on < happened_on:
        errors["next_follow_up_on"] = _("次のフォローアップは、この記録の日付以降にしてください。")
    if errors:
        raise ValidationError(errors)
    current = _locked(participation, version)
    if kind == EventKind.FOLLOW_UP or next_follow_up_on is not None:
        current.next_follow_up_on = next_follow_up_on
    current.version += 1
    current.updated_by = actor
    current.save()
    event = _event(current, actor, kind, happened_on, note.strip())
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=current,
        organization_id=current.organization_id,
        detail={"event": kind},
    )
    return event
