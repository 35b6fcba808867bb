"""Writes of meetings: scheduling a sitting with its parts, attendees and
external guests, confidentiality pledges, the agenda with its briefs, holding
the meeting, decisions and action items, minutes and the questionnaire.

The rules of the two statutory meetings live here, where every caller passes:
a 支援会議's material is shown to an attendee only after their pledge; a
重層的支援会議 is refused unless a consent in force covers the case and every
attending organization.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case, Stage
from tsunagu.cases.services import CaseEvent, _event, _team_join, consent_covers, consent_in_force
from tsunagu.core.printing import wareki_or_western
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.meetings.models import (
    CASE_KINDS,
    ActionItem,
    AgendaItem,
    Attendee,
    Kind,
    Meeting,
    MeetingPart,
    QuestionnaireAnswer,
    Status,
)
from tsunagu.reports import rollups
from tsunagu.reports.models import RecordKind


class MeetingConflict(EditConflict):
    what = gettext_lazy("会議の記録")


def _require_host(actor: Staff, meeting: Meeting) -> None:
    from tsunagu.policy import casework_organization_ids

    if meeting.organization_id not in casework_organization_ids(actor):
        raise ValidationError(_("この会議を運営できるのは主催機関の職員です。"))


@transaction.atomic
def meeting_create(
    *,
    actor: Staff,
    organization: Organization,
    meeting: Meeting,
    kinds: list[str],
) -> Meeting:
    """Schedule a sitting (an unsaved instance from the form) with its parts in order."""
    from tsunagu.policy import casework_organization_ids

    if organization.pk not in casework_organization_ids(actor):
        raise ValidationError(_("所属していない機関として会議を開くことはできません。"))
    if not kinds:
        raise ValidationError({"kinds": _("会議の種類を一つ以上選んでください。")})
    problem = host_problem(organization, kinds)
    if problem:
        raise ValidationError({"kinds": problem})
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("終了時刻は開始時刻より後にしてください。")})
    meeting.organization = organization
    meeting.created_by = actor
    meeting.updated_by = actor
    meeting.save()
    for order, kind in enumerate(dict.fromkeys(kinds), start=1):
        MeetingPart.objects.create(meeting=meeting, kind=kind, order=order)
    rollups.refresh(
        municipality_id=meeting.municipality_id,
        record_kind=RecordKind.MEETING,
        days=[meeting.held_on],
    )
    audit_record(AuditAction.CREATE, actor=actor, obj=meeting, detail={"kinds": kinds})
    return meeting


def host_problem(organization: Organization, kinds: list[str]) -> str:
    """Why ``organization`` may not host a sitting with these parts ("" if it may).

    A 支援会議 (社会福祉法第106条の6) is the municipality's own body: only its
    coordinating section, run directly, hosts one. A 重層的支援会議 may also be
    hosted by an organization the municipality designates as 多機関協働事業者,
    contractor or not (第106条の4第2項第5号)."""
    if Kind.SUPPORT_MEETING in kinds and not (
        organization.is_coordinating and organization.management == Organization.Management.DIRECT
    ):
        return _(
            "支援会議（社会福祉法第106条の6）は市区町村が設ける会議体です。"
            "開催できるのは市区町村の多機関協働事務局（直営）です。"
        )
    if Kind.PLAN_MEETING in kinds and not (
        organization.is_coordinating or organization.designated_multi_agency
    ):
        return _(
            "重層的支援会議を開けるのは、多機関協働事務局と、"
            "市区町村が多機関協働事業者として指定した機関です。"
        )
    return ""


def plan_meeting_problems(meeting: Meeting) -> list[str]:
    """Why a 重層的支援会議 in this sitting may not be held now (empty: it may).

    Every case on its agenda needs a consent in force for 重層的支援会議 that
    covers every attending organization other than the host."""
    problems: list[str] = []
    part = meeting.parts.filter(kind=Kind.PLAN_MEETING).first()
    if part is None:
        return problems
    attending = {
        attendee.organization_id: attendee.organization.name
        for attendee in meeting.attendees.select_related("organization")
        if attendee.organization_id != meeting.organization_id
    }
    for item in part.agenda.select_related("case"):
        case = item.case
        if consent_in_force(case, "for_plan_meeting") is None:
            problems.append(
                _(
                    "%(case)s には重層的支援会議への本人同意（有効なもの）がありません。"
                    "同意を得るまでは支援会議として検討してください。"
                )
                % {"case": case.number}
            )
            continue
        missing = set(attending) - consent_covers(case, attending, "for_plan_meeting")
        if missing:
            problems.append(
                _(
                    "%(case)s の本人同意は、出席する次の機関を共有先に含んでいません: "
                    "%(names)s。同意の範囲を確認するか、出席者を見直してください。"
                )
                % {"case": case.number, "names": "、".join(sorted(attending[o] for o in missing))}
            )
    return problems


def _refuse_plan_meeting(meeting: Meeting) -> None:
    problems = plan_meeting_problems(meeting)
    if problems:
        raise ValidationError(
            [_("重層的支援会議は、本人の同意がなければ開催できません。"), *problems]
        )


@transaction.atomic
def attendee_add(
    *,
    actor: Staff,
    meeting: Meeting,
    organization: Organization,
    staff: Staff | None = None,
    name: str = "",
    is_observer: bool = False,
) -> Attendee:
    """Add a staff member (or a named person of an organization without an account)."""
    _require_host(actor, meeting)
    if (
        staff is not None
        and not staff.memberships.filter(organization=organization, active=True).exists()
    ):
        raise ValidationError({"staff": _("この職員は選んだ機関に所属していません。")})
    name = (staff.full_name if staff is not None else name).strip()
    if not name:
        raise ValidationError({"name": _("出席者の氏名を入力してください。")})
    if staff is not None and meeting.attendees.filter(staff=staff).exists():
        raise ValidationError(_("この方はすでに出席者に入っています。"))
    attendee = Attendee.objects.create(
        meeting=meeting,
        staff=staff,
        name=name,
        organization=organization,
        is_guest=organization.kind == Organization.Kind.EXTERNAL,
        is_observer=is_observer,
    )
    _record_meeting_ways(meeting)
    if meeting.status == Status.HELD:
        _refuse_plan_meeting(meeting)
    audit_record(AuditAction.CHANGE, actor=actor, obj=meeting, detail={"attendee_add": attendee.pk})
    return attendee


def _record_meeting_ways(meeting: Meeting) -> None:
    """The ways the meeting gives (a pledged attendee's organization to the
    open cases on a 支援会議's agenda) follow its attendees, pledges and status."""
    grants.refresh_for(*AgendaItem.objects.filter(part__meeting=meeting))


@dataclass(frozen=True)
class GuestInvitation:
    attendee: Attendee
    username: str
    password: str  # shown once, to be handed over in person; only its hash is stored


GUEST_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet


def _guest_username(meeting: Meeting) -> str:
    return f"guest-{meeting.pk}-{secrets.token_hex(3)}"


@transaction.atomic
def guest_invite(
    *,
    actor: Staff,
    meeting: Meeting,
    organization: Organization,
    name: str,
    expires_at: datetime.datetime,
    is_observer: bool = False,
) -> GuestInvitation:
    """An external guest (警察・学校・消防・町会 …) with a time-limited account
    that sees only this meeting's material, after pledging, until it expires."""
    _require_host(actor, meeting)
    if organization.kind != Organization.Kind.EXTERNAL:
        raise ValidationError(
            {"organization": _("外部ゲストの所属は「外部の関係機関」から選んでください。")}
        )
    if not name.strip():
        raise ValidationError({"name": _("ゲストの氏名を入力してください。")})
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("有効期限は現在より後にしてください。")})
    if expires_at > timezone.now() + datetime.timedelta(days=31):
        raise ValidationError({"expires_at": _("ゲストの有効期限は31日以内にしてください。")})
    # Handed over on paper: no characters that read alike (0/O, 1/l/I).
    password = "".join(secrets.choice(GUEST_PASSWORD_ALPHABET) for _ in range(14))
    guest = Staff(
        username=_guest_username(meeting),
        full_name=name.strip(),
        expires_at=expires_at,
        is_guest=True,
    )
    guest.set_password(password)
    guest.save()
    Membership.objects.create(staff=guest, organization=organization, role=Role.GUEST)
    attendee = Attendee.objects.create(
        meeting=meeting,
        staff=guest,
        name=guest.full_name,
        organization=organization,
        is_guest=True,
        is_observer=is_observer,
    )
    _record_meeting_ways(meeting)
    if meeting.status == Status.HELD:
        _refuse_plan_meeting(meeting)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=guest,
        detail={"meeting": meeting.pk, "expires_at": expires_at.isoformat()},
    )
    return GuestInvitation(attendee=attendee, username=guest.username, password=password)


@transaction.atomic
def pledge_record(*, actor: Staff, attendee: Attendee) -> Attendee:
    """Record the attendee's confidentiality pledge (守秘義務, 法106条の6第6項):
    the attendee themself, or the host on their behalf (a signed paper pledge)."""
    meeting = attendee.meeting
    if attendee.staff_id != actor.pk:
        _require_host(actor, meeting)
    if attendee.pledged_at is not None:
        return attendee
    attendee.pledged_at = timezone.now()
    attendee.pledge_recorded_by = actor
    attendee.save(update_fields=["pledged_at", "pledge_recorded_by"])
    # The pledge is what opens the 支援会議's cases to the attendee's organization.
    _record_meeting_ways(meeting)
    audit_record(AuditAction.CHANGE, actor=actor, obj=meeting, detail={"pledge": attendee.pk})
    return attendee


def brief_prefill(actor: Staff, case: Case) -> dict[str, str]:
    """The four prompts of the 準備シート, filled from what the preparer may see
    of the case: the household, the work so far, the team, open tasks."""
    from tsunagu import policy
    from tsunagu.cases.services import household_members
    from tsunagu.core.templatetags.wareki import age

    lines = []
    for person in household_members(case):
        membership = person.memberships.filter(ended_on=None).first()
        relationship = membership.get_relationship_display() if membership else ""
        years = age(person.birth_date) if person.birth_date else ""
        lines.append(
            "・"
            + " ".join(
                part
                for part in (
                    relationship,
                    f"{years}歳" if years != "" else "",
                    person.get_sex_display(),
                )
                if part
            )
        )
    consultations = list(
        policy.visible(actor, "consultation", policy.Action.VIEW)
        .filter(household_id=case.household_id)
        .select_related("organization")
        .order_by("received_at")
    )
    features = sorted({feature.name for c in consultations for feature in c.case_features.all()})
    household_text = "\n".join(
        [case.title, *lines] + ([_("世帯の特徴: ") + "・".join(features)] if features else [])
    )
    current = "\n".join(
        f"・{wareki_or_western(timezone.localtime(c.received_at).date())} {c.organization.name}: "
        f"{c.get_main_topic_display()}（{c.get_outcome_display()}）"
        for c in consultations[-8:]
    )
    team = "\n".join(
        f"・{member.organization.name}" + (f"（{member.role}）" if member.role else "")
        for member in case.team.filter(left_on=None).select_related("organization")
    )
    requests = "\n".join(
        f"・{item.owner_organization.name}: {item.content}（{wareki_or_western(item.due_on)}まで）"
        for item in ActionItem.objects.filter(agenda_item__case=case, done_at=None).select_related(
            "owner_organization"
        )
    )
    return {
        "brief_household": household_text,
        "brief_current": current,
        "brief_organizations": team,
        "brief_requests": requests,
    }


@transaction.atomic
def agenda_item_add(
    *, actor: Staff, meeting: Meeting, kind: str, case: Case, review: str
) -> AgendaItem:
    """Put ``case`` on the agenda of the sitting's ``kind`` part, with its brief pre-filled."""
    _require_host(actor, meeting)
    from tsunagu import policy

    # Putting a case on the agenda shares it with the attendees: only those who
    # work the case (its coordinating section) may do it.
    if not policy.decide(actor, policy.Action.CHANGE, "case", case):
        raise ValidationError(
            {"case": _("このケースを議題にできるのは、ケースを担当する事務局です。")}
        )
    if meeting.status == Status.CANCELLED:
        raise ValidationError(_("中止した会議には議題を追加できません。"))
    part = meeting.parts.filter(kind=kind).first()
    if part is None or kind not in CASE_KINDS:
        raise ValidationError({"kind": _("この会議には、ケースを検討する部がありません。")})
    if not case.is_open:
        raise ValidationError({"case": _("終結したケースは議題にできません。")})
    if kind == Kind.PLAN_MEETING and consent_in_force(case, "for_plan_meeting") is None:
        raise ValidationError(
            {
                "case": _(
                    "重層的支援会議は、本人の同意がなければ開催できません。"
                    "%(case)s には重層的支援会議への有効な本人同意がありません。"
                    "同意を得るまでは支援会議の議題にしてください。"
                )
                % {"case": case.number}
            }
        )
    if part.agenda.filter(case=case).exists():
        raise ValidationError({"case": _("このケースはすでにこの会議の議題に入っています。")})
    item = AgendaItem(
        part=part,
        case=case,
        review=review,
        order=part.agenda.count() + 1,
        created_by=actor,
        updated_by=actor,
        **brief_prefill(actor, case),
    )
    item.save()
    grants.refresh_for(item)
    if kind == Kind.SUPPORT_MEETING and case.stage in (Stage.INTAKE, Stage.ASSESSMENT):
        _event(
            case, actor, CaseEvent.Kind.NOTE, _("支援会議の議題に: %(title)s") % {"title": meeting}
        )
    audit_record(AuditAction.CHANGE, actor=actor, obj=meeting, detail={"agenda_add": case.pk})
    return item


@transaction.atomic
def brief_save(*, actor: Staff, item: AgendaItem, fields: dict[str, str]) -> AgendaItem:
    _require_host(actor, item.part.meeting)
    for name in ("brief_household", "brief_current", "brief_organizations", "brief_requests"):
        if name in fields:
            setattr(item, name, fields[name])
    item.updated_by = actor
    item.save()
    audit_record(AuditAction.CHANGE, actor=actor, obj=item, detail={"brief": True})
    return item


@transaction.atomic
def meeting_hold(*, actor: Staff, meeting: Meeting) -> Meeting:
    """Record that the sitting took place. A 重層的支援会議 part is refused
    without consent; a 支援会議 part needs every attendee's pledge."""
    _require_host(actor, meeting)
    if meeting.status != Status.SCHEDULED:
        raise ValidationError(_("予定の会議だけを開催済みにできます。"))
    _refuse_plan_meeting(meeting)
    if meeting.has_support_part:
        unpledged = [a.name for a in meeting.attendees.filter(pledged_at=None, attended=True)]
        if unpledged:
            raise ValidationError(
                _("支援会議では、出席者全員の守秘義務の誓約が必要です。未記録: %(names)s")
                % {"names": "、".join(unpledged)}
            )
    meeting.status = Status.HELD
    meeting.updated_by = actor
    meeting.version += 1
    meeting.save(update_fields=["status", "updated_by", "updated_at", "version"])
    rollups.refresh(
        municipality_id=meeting.municipality_id,
        record_kind=RecordKind.MEETING,
        days=[meeting.held_on],
    )
    # A case first reviewed at a 支援会議 is now "支援会議で検討".
    from tsunagu.cases.services import case_transition

    for item in AgendaItem.objects.filter(
        part__meeting=meeting, part__kind=Kind.SUPPORT_MEETING
    ).select_related("case"):
        case = item.case
        if case.stage == Stage.INTAKE:
            case = case_transition(
                actor=actor, case=case, to_stage=Stage.ASSESSMENT, version=case.version
            )
        if case.stage == Stage.ASSESSMENT:
            case_transition(
                actor=actor, case=case, to_stage=Stage.MEETING_REVIEW, version=case.version
            )
    audit_record(AuditAction.CHANGE, actor=actor, obj=meeting, detail={"held": True})
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Staff, meeting: Meeting, reason: str) -> Meeting:
    _require_host(actor, meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("中止の理由を入力してください。")})
    if meeting.status != Status.SCHEDULED:
        raise ValidationError(_("予定の会議だけを中止にできます。"))
    meeting.status = Status.CANCELLED
    meeting.minutes = (meeting.minutes + "\n" if meeting.minutes else "") + _("中止: ") + reason
    meeting.updated_by = actor
    # The minutes changed: an edit opened before must not overwrite this line.
    meeting.version += 1
    meeting.save(update_fields=["status", "minutes", "updated_by", "updated_at", "version"])
    # A cancelled 支援会議 gives its attendees no way to its cases.
    _record_meeting_ways(meeting)
    audit_record(AuditAction.CHANGE, actor=actor, obj=meeting, detail={"cancelled": True})
    return meeting


@dataclass
class NewAction:
    owner_organization: Organization
    content: str
    due_on: datetime.date


@transaction.atomic
def decisions_record(
    *,
    actor: Staff,
    item: AgendaItem,
    policy_text: str,
    roles: str,
    lead_organization: Organization | None,
    actions: Iterable[NewAction] = (),
) -> AgendaItem:
    """Record what the meeting decided for one case: 方針, 役割分担, 主担当機関,
    and action items that go to the owners' task lists. The lead organization
    and the owners join the case team."""
    meeting = item.part.meeting
    _require_host(actor, meeting)
    if meeting.status == Status.CANCELLED:
        raise ValidationError(_("中止した会議には決定事項を記録できません。"))
    if item.kind == Kind.PLAN_MEETING:
        _refuse_plan_meeting(meeting)
    if not policy_text.strip():
        raise ValidationError({"policy": _("支援方針を入力してください。")})
    item.policy = policy_text.strip()
    item.roles = roles.strip()
    item.lead_organization = lead_organization
    item.decided_at = timezone.now()
    item.updated_by = actor
    item.save()
    case = Case.objects.select_for_update().get(pk=item.case_id)
    if lead_organization is not None and case.lead_organization_id != lead_organization.pk:
        case.lead_organization = lead_organization
        case.version += 1
        case.updated_by = actor
        case.save(update_fields=["lead_organization", "version", "updated_by", "updated_at"])
        _team_join(case, lead_organization, role=_("主担当"))
        _event(
            case,
            actor,
            CaseEvent.Kind.LEAD,
            _("%(meeting)s で主担当機関を %(name)s に決定")
            % {"meeting": meeting, "name": lead_organization},
        )
    for action in actions:
        if not action.content.strip():
            continue
        ActionItem.objects.create(
            agenda_item=item,
            owner_organization=action.owner_organization,
            content=action.content.strip(),
            due_on=action.due_on,
            created_by=actor,
            updated_by=actor,
        )
        _team_join(case, action.owner_organization)
    audit_record(AuditAction.CHANGE, actor=actor, obj=item, detail={"decided": True})
    return item


@transaction.atomic
def action_item_done(*, actor: Staff, action: ActionItem, result: str) -> ActionItem:
    """The owner organization (or the host) records that the task is done."""
    from tsunagu.policy import casework_organization_ids

    orgs = casework_organization_ids(actor)
    if (
        action.owner_organization_id not in orgs
        and action.agenda_item.part.meeting.organization_id not in orgs
    ):
        raise ValidationError(_("このタスクの担当機関または主催機関の職員だけが完了にできます。"))
    if action.done_at is not None:
        raise ValidationError(_("このタスクはすでに完了しています。"))
    action.done_at = timezone.now()
    action.done_by = actor
    action.result = result.strip()
    action.updated_by = actor
    action.save()
    audit_record(AuditAction.CHANGE, actor=actor, obj=action, detail={"done": True})
    return action


@transaction.atomic
def minutes_save(*, actor: Staff, meeting: Meeting, minutes: str, version: int) -> Meeting:
    _require_host(actor, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.version != version:
        raise MeetingConflict()
    locked.minutes = minutes
    locked.version += 1
    locked.updated_by = actor
    locked.save(update_fields=["minutes", "version", "updated_by", "updated_at"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=locked, detail={"minutes": True})
    return locked


@transaction.atomic
def questionnaire_answer(
    *, actor: Staff, attendee: Attendee, usefulness: int, roles_clear: bool, comment: str
) -> QuestionnaireAnswer:
    """The named post-meeting questionnaire: each attendee answers once, for themself."""
    if attendee.staff_id != actor.pk:
        raise ValidationError(_("アンケートには出席者本人が回答します。"))
    # A double submit answers once: the second waits here and then finds the answer.
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.meeting.status != Status.HELD:
        raise ValidationError(_("アンケートは会議の開催後に回答できます。"))
    if QuestionnaireAnswer.objects.filter(attendee=attendee).exists():
        raise ValidationError(_("このアンケートにはすでに回答しています。"))
    answer = QuestionnaireAnswer.objects.create(
        attendee=attendee, usefulness=usefulness, roles_clear=roles_clear, comment=comment.strip()
    )
    audit_record(AuditAction.CREATE, actor=actor, obj=answer)
    return answer


def guest_default_expiry(meeting: Meeting) -> datetime.datetime:
    """Guests' accounts end at the close of the meeting day by default."""
    end = datetime.datetime.combine(meeting.held_on, datetime.time(23, 59))
    return timezone.make_aware(end)
