"""Writes of 多機関協働 cases and consents, each with its history row and audit
event in one transaction. The coordinating section (事務局) holding the case
makes every change; the policy checks that before a view calls here, and the
services check it again so that no caller can forget."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseTeamMember,
    ClosureReason,
    Consent,
    Guard,
    Stage,
    active_consents,
)
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.referrals.models import TRANSITIONS as REFERRAL_TRANSITIONS
from tsunagu.referrals.models import Referral
from tsunagu.referrals.models import Status as ReferralStatus


class CaseConflict(EditConflict):
    what = gettext_lazy("ケース")
    verb = gettext_lazy("操作")


def _require_coordinator(actor: Staff, organization: Organization) -> None:
    from tsunagu.policy import coordinating_organization_ids

    if organization.pk not in coordinating_organization_ids(actor):
        raise ValidationError(
            _("多機関協働ケースを扱えるのは、多機関協働事務局に所属する職員です。")
        )


def _require_holder(actor: Staff, case: Case) -> Organization:
    """The case's coordinating section, which the actor must belong to."""
    _require_coordinator(actor, case.organization)
    return case.organization


def _event(case: Case, actor: Staff, kind: str, note: str = "", **stages: str) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        note=note,
        actor=actor,
        organization=case.organization,
        from_stage=stages.get("from_stage", ""),
        to_stage=stages.get("to_stage", ""),
    )


@transaction.atomic
def case_open(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    title: str,
    opened_on: datetime.date | None = None,
    referral: Referral | None = None,
    consultations: Iterable[object] = (),
    lead_organization: Organization | None = None,
    team: Iterable[Organization] = (),
) -> Case:
    """Open a case for ``household`` at ``organization`` (a coordinating section),
    escalated by ``referral`` when one is given: a つなぐシート addressed to that
    section, held by it (受理 or later), about the same household."""
    _require_coordinator(actor, organization)
    if not title.strip():
        raise ValidationError({"title": _("ケースの概要を入力してください。")})
    if referral is not None:
        _check_escalation(referral, organization, household)
    case = Case(
        household=household,
        organization=organization,
        title=title.strip(),
        opened_on=opened_on or timezone.localdate(),
        referral=referral,
        lead_organization=lead_organization,
        created_by=actor,
        updated_by=actor,
    )
    case.save()
    case.consultations.set(list(consultations))  # type: ignore[arg-type]
    members = {organization.pk: organization}
    if lead_organization is not None:
        members[lead_organization.pk] = lead_organization
    for member in team:
        members[member.pk] = member
    team_members = [
        CaseTeamMember.objects.create(case=case, organization=member, joined_on=case.opened_on)
        for member in members.values()
    ]
    grants.refresh_for(case, *team_members)
    _event(case, actor, CaseEvent.Kind.STAGE, _("ケースを受付"), to_stage=Stage.INTAKE)
    audit_record(AuditAction.CREATE, actor=actor, obj=case, organization_id=organization.pk)
    _referral_follows(
        actor, case, ReferralStatus.IN_PROGRESS, _("多機関協働ケース %(n)s として受け付けました。")
    )
    return case


def _check_escalation(referral: Referral, organization: Organization, household: Household) -> None:
    from tsunagu.referrals.models import RECEIVER_HOLDS

    referral.refresh_from_db()  # as it stands now, not as the caller loaded it
    if referral.to_organization_id != organization.pk:
        raise ValidationError(
            {
                "referral": _(
                    "ケースにできるのは、ケースを受け付ける多機関協働事務局あてのつなぐシートです。"
                )
            }
        )
    if referral.status not in RECEIVER_HOLDS:
        raise ValidationError(
            {"referral": _("受理したつなぐシートからだけ、ケースを受け付けられます。")}
        )
    if referral.household_id != household.pk:
        raise ValidationError({"household": _("つなぐシートの世帯と異なる世帯は指定できません。")})


def _referral_follows(actor: Staff, case: Case, to_status: str, note: str) -> None:
    """The つなぐシート that escalated the case follows it, so that the sender
    sees the outcome: 対応中 once the case is opened, 完了 with a report-back
    when it closes. Only the receiving coordinating section moves it."""
    from tsunagu.referrals.services import referral_transition

    referral = case.referral
    if referral is None or referral.to_organization_id != case.organization_id:
        return
    referral.refresh_from_db()
    if (referral.status, to_status) not in REFERRAL_TRANSITIONS:
        return
    referral_transition(
        actor=actor,
        organization=case.organization,
        referral=referral,
        to_status=to_status,
        version=referral.version,
        note=note % {"n": case.number},
    )


def allowed_stages(case: Case) -> list[Stage]:
    return [Stage(target) for (source, target) in TRANSITIONS if source == case.stage]


def consent_in_force(case: Case, purpose_field: str = "for_information_sharing") -> Consent | None:
    return (
        active_consents()
        .filter(case=case, **{purpose_field: True})
        .order_by("-obtained_on", "-id")
        .first()
    )


def _check_guard(case: Case, guard: str, *, reason: str, closure: dict[str, str]) -> None:
    if guard == Guard.CONSENT and consent_in_force(case) is None:
        raise ValidationError(_("有効な本人同意がありません。先に「本人同意」を記録してください。"))
    if guard == Guard.ACTIVE_PLAN:
        from tsunagu.plans.models import Status as PlanStatus

        if not case.plans.filter(status=PlanStatus.ACTIVE).exists():
            raise ValidationError(
                _("確定した支援プランがありません。先にプランを確定してください。")
            )
    if guard == Guard.REASON and not reason.strip():
        raise ValidationError({"note": _("理由を入力してください。")})
    if guard == Guard.CLOSURE:
        errors = {}
        if closure.get("reason") not in ClosureReason.values:
            errors["closure_reason"] = _("終結理由を選んでください。")
        if not closure.get("evaluation", "").strip():
            errors["evaluation"] = _("評価（支援の振り返り）を入力してください。")
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def case_transition(
    *,
    actor: Staff,
    case: Case,
    to_stage: str,
    version: int,
    note: str = "",
    closure_reason: str = "",
    evaluation: str = "",
    follow_up_until: datetime.date | None = None,
) -> Case:
    """Move ``case`` to ``to_stage`` if the transitions table allows it and its guard holds.

    Refused with :class:`CaseConflict` when ``version`` is not the current one."""
    _require_holder(actor, case)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != version:
        raise CaseConflict()
    guard = TRANSITIONS.get((locked.stage, to_stage))
    if guard is None:
        raise ValidationError(
            _("「%(source)s」から「%(target)s」には進められません。")
            % {"source": Stage(locked.stage).label, "target": Stage(to_stage).label}
        )
    _check_guard(
        locked, guard, reason=note, closure={"reason": closure_reason, "evaluation": evaluation}
    )
    if to_stage == Stage.FOLLOW_UP and follow_up_until is None:
        raise ValidationError({"follow_up_until": _("経過観察の期限を入力してください。")})
    source = locked.stage
    locked.stage = to_stage
    locked.stage_changed_at = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    if to_stage == Stage.CLOSED:
        locked.closure_reason = closure_reason
        locked.evaluation = evaluation
        locked.closed_on = timezone.localdate()
    if to_stage == Stage.FOLLOW_UP:
        locked.follow_up_until = follow_up_until
        locked.next_action = _("経過観察の終了を確認")
        locked.next_action_on = follow_up_until
    if to_stage in (Stage.CLOSED, Stage.COMPLETED):
        from tsunagu.plans.models import Status as PlanStatus

        locked.plans.filter(status=PlanStatus.ACTIVE).update(status=PlanStatus.ENDED)
        # The team's next step no longer applies; the list shows what an ended case waits for.
        locked.next_action = ""
        locked.next_action_on = None
    locked.save()
    # A 支援会議's attendees see an open case only: closing it ends their way.
    grants.refresh_for(locked)
    _event(
        locked,
        actor,
        CaseEvent.Kind.STAGE,
        note or evaluation,
        from_stage=source,
        to_stage=to_stage,
    )
    if to_stage == Stage.CLOSED:
        # The sender learns that the case ended and why, not the evaluation itself.
        _referral_follows(
            actor,
            locked,
            ReferralStatus.COMPLETED,
            _("多機関協働ケース %(n)s を終結しました。")
            + _("終結理由: ")
            + str(ClosureReason(closure_reason).label),
        )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=locked,
        detail={"from": source, "to": to_stage, "closure_reason": closure_reason},
    )
    return locked


@transaction.atomic
def case_update(
    *,
    actor: Staff,
    case: Case,
    version: int,
    lead_organization: Organization | None,
    lead_staff: Staff | None,
    next_action: str,
    next_action_on: datetime.date | None,
    title: str,
) -> Case:
    """Change the lead (主担当機関・主担当者), the next action and the summary."""
    _require_holder(actor, case)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != version:
        raise CaseConflict()
    changed_lead = locked.lead_organization_id != (
        lead_organization.pk if lead_organization else None
    )
    locked.lead_organization = lead_organization
    locked.lead_staff = lead_staff
    locked.next_action = next_action
    locked.next_action_on = next_action_on
    locked.title = title.strip() or locked.title
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    if changed_lead:
        _event(
            locked,
            actor,
            CaseEvent.Kind.LEAD,
            _("主担当機関: %(name)s") % {"name": lead_organization or "—"},
        )
        if lead_organization is not None:
            _team_join(locked, lead_organization, role=_("主担当"))
    audit_record(AuditAction.CHANGE, actor=actor, obj=locked, detail={"lead_changed": changed_lead})
    return locked


def _team_join(case: Case, organization: Organization, role: str = "") -> CaseTeamMember:
    current = case.team.filter(organization=organization, left_on=None).first()
    if current is not None:
        return current
    member = CaseTeamMember.objects.create(case=case, organization=organization, role=role)
    grants.refresh_for(member)
    return member


@transaction.atomic
def case_team_add(
    *, actor: Staff, case: Case, organization: Organization, role: str = ""
) -> CaseTeamMember:
    _require_holder(actor, case)
    if case.team.filter(organization=organization, left_on=None).exists():
        raise ValidationError(_("この機関はすでに支援チームに入っています。"))
    member = _team_join(case, organization, role)
    _event(case, actor, CaseEvent.Kind.TEAM, _("チームに参加: %(name)s") % {"name": organization})
    audit_record(AuditAction.CHANGE, actor=actor, obj=case, detail={"team_add": organization.pk})
    return member


@transaction.atomic
def case_team_leave(*, actor: Staff, case: Case, member: CaseTeamMember) -> CaseTeamMember:
    """The organization leaves the team; a consent naming "the case team" stops covering it."""
    _require_holder(actor, case)
    if member.case_id != case.pk or member.left_on is not None:
        raise ValidationError(_("この機関は支援チームに入っていません。"))
    if member.organization_id == case.organization_id:
        raise ValidationError(_("事務局はチームから外せません。"))
    member.left_on = timezone.localdate()
    member.save(update_fields=["left_on"])
    # A consent covering "the case team" stops covering it with this commit.
    grants.refresh_for(member)
    _event(
        case,
        actor,
        CaseEvent.Kind.TEAM,
        _("チームから離脱: %(name)s") % {"name": member.organization},
    )
    audit_record(
        AuditAction.CHANGE, actor=actor, obj=case, detail={"team_leave": member.organization_id}
    )
    return member


def household_members(case: Case) -> list[Person]:
    return [
        membership.person
        for membership in HouseholdMembership.objects.filter(
            household_id=case.household_id, ended_on=None
        ).select_related("person")
    ]


@transaction.atomic
def consent_record(
    *,
    actor: Staff,
    case: Case,
    consent: Consent,
    members: Iterable[Person],
    organizations: Iterable[Organization],
) -> Consent:
    """Record a consent (an unsaved instance from the form) for ``case``. The
    policy's consent basis follows it from this commit on."""
    _require_holder(actor, case)
    members = list(members)
    organizations = list(organizations)
    household = {person.pk for person in household_members(case)}
    errors: dict[str, str] = {}
    if not members:
        errors["members"] = _("同意の対象となる世帯員を選んでください。")
    elif any(person.pk not in household for person in members):
        errors["members"] = _("この世帯の世帯員だけを選べます。")
    if consent.grantor_id not in household:
        errors["grantor"] = _("同意した本人は、この世帯の世帯員から選んでください。")
    if not organizations and not consent.covers_case_team:
        errors["organizations"] = _(
            "共有先の機関を選ぶか、「支援チームの全機関」にチェックを入れてください。"
        )
    if not (consent.for_information_sharing or consent.for_plan_meeting or consent.for_plan_making):
        errors["for_information_sharing"] = _("同意の目的を一つ以上選んでください。")
    if consent.grantor_kind == "representative" and not consent.representative_name.strip():
        errors["representative_name"] = _("代理人の氏名を入力してください。")
    if consent.valid_until and consent.valid_until < consent.valid_from:
        errors["valid_until"] = _("有効期間の終了は開始より後の日付にしてください。")
    if errors:
        raise ValidationError(errors)
    consent.case = case
    consent.created_by = actor
    consent.updated_by = actor
    consent.save()
    consent.members.set(members)
    consent.organizations.set(organizations)
    grants.refresh_for(consent)
    _event(
        case,
        actor,
        CaseEvent.Kind.CONSENT,
        _("本人同意を記録（%(method)s・%(purposes)s）")
        % {"method": consent.get_method_display(), "purposes": "・".join(consent.purpose_labels())},
    )
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=consent,
        detail={
            "case": case.pk,
            "organizations": sorted(org.pk for org in organizations),
            "case_team": consent.covers_case_team,
            "purposes": consent.purposes,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Staff, consent: Consent, note: str) -> Consent:
    """The person withdrew their consent. Access that relied on it stops with
    this commit; a case working under consent goes back to 支援会議で検討 when
    no other consent remains in force, recorded with the reason."""
    case = consent.case
    _require_holder(actor, case)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("この同意はすでに撤回されています。"))
    if not note.strip():
        raise ValidationError(
            {"withdrawal_note": _("撤回の内容（いつ、誰に、どのように）を入力してください。")}
        )
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_note = note.strip()
    consent.withdrawn_recorded_by = actor
    consent.updated_by = actor
    consent.save(
        update_fields=[
            "withdrawn_at",
            "withdrawal_note",
            "withdrawn_recorded_by",
            "updated_by",
            "updated_at",
        ]
    )
    # Access that relied on it ends with this commit.
    grants.refresh_for(consent)
    _event(case, actor, CaseEvent.Kind.CONSENT, _("本人同意の撤回: %(note)s") % {"note": note})
    audit_record(AuditAction.CHANGE, actor=actor, obj=consent, detail={"withdrawn": True})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if (
        (locked.stage, Stage.MEETING_REVIEW) in TRANSITIONS
        and consent_in_force(locked) is None
        and locked.stage not in (Stage.FOLLOW_UP,)
    ):
        from tsunagu.plans.models import Status as PlanStatus

        # A plan rests on consent: without one in force it ends with the withdrawal.
        ended = locked.plans.filter(status__in=[PlanStatus.ACTIVE, PlanStatus.DRAFT]).update(
            status=PlanStatus.ENDED
        )
        case_transition(
            actor=actor,
            case=locked,
            to_stage=Stage.MEETING_REVIEW,
            version=locked.version,
            note=_("本人同意の撤回のため") + (_("（支援プランは終了）") if ended else ""),
        )
    return consent


def consent_covers(case: Case, organization_ids: Iterable[int], purpose_field: str) -> set[int]:
    """Which of ``organization_ids`` a consent in force for ``purpose_field`` covers."""
    wanted = set(organization_ids)
    covered: set[int] = set()
    team = set(case.team.filter(left_on=None).values_list("organization_id", flat=True))
    for consent in (
        active_consents()
        .filter(case=case, **{purpose_field: True})
        .prefetch_related("organizations")
    ):
        covered |= {org.pk for org in consent.organizations.all()} & wanted
        if consent.covers_case_team:
            covered |= team & wanted
    return covered
