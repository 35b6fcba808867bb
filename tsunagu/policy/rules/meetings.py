"""Rules for meetings (the meeting part of ``tests/test_policy_cases.py``):
the sitting, each case's agenda item at it and the tasks decided there; and
who sees a meeting's material, on what basis."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import OPEN_STAGES, active_consents
from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Meeting
from tsunagu.meetings.models import Kind as MeetingKind
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.policy.rules.bases import (
    case_bases,
    casework_organization_ids,
    consent_case_ids,
    emergency_household_ids,
    strongest,
)
from tsunagu.policy.rules.rule import Rule, active_staff
from tsunagu.policy.vocabulary import BASIS_ORDER, DENY, Action, Basis, Decision


def _attendance(staff: Staff, meeting_ids: list[int]) -> dict[int, list[Any]]:
    """The attendee rows through which this staff member takes part in each meeting:
    their own (a guest's only way in) and those of their casework organizations.
    A row marked absent gives nothing."""
    orgs = casework_organization_ids(staff)
    rows = Attendee.objects.filter(meeting_id__in=meeting_ids, attended=True).filter(
        models.Q(staff_id=staff.pk) | models.Q(organization_id__in=orgs, is_guest=False)
    )
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(row.meeting_id, []).append(row)
    return found


def _host_basis(meeting: Any) -> Basis:
    return Basis.COORDINATOR if meeting.organization.is_coordinating else Basis.OWN_ORGANIZATION


def _covered_by_consent(case_id: int, organization_ids: set[int]) -> bool:
    """Does a consent in force (for sharing or for the 重層的支援会議) cover one of
    ``organization_ids`` for this case?"""
    consents = (
        active_consents()
        .filter(case_id=case_id)
        .filter(models.Q(for_information_sharing=True) | models.Q(for_plan_meeting=True))
    )
    return consents.filter(
        models.Q(organizations__in=organization_ids)
        | models.Q(
            covers_case_team=True,
            case__team__organization_id__in=organization_ids,
            case__team__left_on=None,
        )
    ).exists()


def agenda_item_bases(staff: Staff, items: list[Any]) -> dict[int, Basis]:
    """The basis each agenda item (a case's brief and decisions at one meeting)
    is shown under.

    - the case's own bases where they reach all of its record (the
      coordinating section, a consent, an emergency opening);
    - the meeting's host;
    - an attendee of a meeting that was not cancelled: for a 支援会議 item,
      once their pledge is recorded, and for an attending organization only
      while the case is open (a guest until the account expires); for a
      重層的支援会議 item, while a consent in force covers their organization.
    A 関係者会議 or other meeting gives attendees no basis of its own."""
    by_case = case_bases(staff, list({item.case_id: item.case for item in items}.values()))
    orgs = casework_organization_ids(staff)
    rows = _attendance(staff, sorted({item.part.meeting_id for item in items}))
    found: dict[int, set[Basis]] = {}
    for item in items:
        meeting = item.part.meeting
        bases = by_case.get(item.case_id, set()) & {
            Basis.COORDINATOR,
            Basis.CONSENT,
            Basis.EMERGENCY,
        }
        if meeting.organization_id in orgs:
            bases.add(_host_basis(meeting))
        attending = rows.get(meeting.pk, [])
        if attending and meeting.status != MeetingStatus.CANCELLED:
            if item.part.kind == MeetingKind.SUPPORT_MEETING:
                if any(row.has_pledged for row in attending) and (
                    staff.is_guest or item.case.stage in OPEN_STAGES
                ):
                    bases.add(Basis.SUPPORT_MEETING)
            elif item.part.kind == MeetingKind.PLAN_MEETING and _covered_by_consent(
                item.case_id, {row.organization_id for row in attending}
            ):
                bases.add(Basis.CONSENT)
        found[item.pk] = bases
    return strongest(found)


def meeting_material_basis(staff: Staff, meeting: Any) -> Basis | None:
    """May this staff member see the meeting's own material (its minutes), and
    on what basis? The host always; otherwise the strongest basis to one of its
    agenda items; for a meeting with no cases on it (a 研修, a 連絡会), an
    attendee of a meeting that was not cancelled."""
    if meeting.organization_id in casework_organization_ids(staff):
        return _host_basis(meeting)
    items = list(
        AgendaItem.objects.filter(part__meeting=meeting).select_related(
            "case", "part__meeting__organization"
        )
    )
    if items:
        found = {basis for basis in agenda_item_bases(staff, items).values()}
        return next((basis for basis in BASIS_ORDER if basis in found), None)
    if meeting.status == MeetingStatus.CANCELLED:
        return None
    rows = _attendance(staff, [meeting.pk]).get(meeting.pk, [])
    if meeting.has_support_part:
        return Basis.SUPPORT_MEETING if any(row.has_pledged for row in rows) else None
    return Basis.OWN_ORGANIZATION if rows else None


def meeting_chronology_bases(staff: Staff, items: list[Any]) -> dict[int, Basis]:
    """The agenda items with whose 準備シート this staff member may print the
    household's chronology (家族年表), each with its basis (absent: refused).

    Only a 支援会議's items (§106-6 lets its attendees share what they know,
    bound by a duty of confidentiality), of a sitting not cancelled, for staff
    who attend it themselves or through their organization once that
    attendance's 守秘義務の誓約 is recorded, while the case is open (a guest
    until the account expires). The host without a pledged attendance does
    not print it either: the chronology goes only to those bound by the
    pledge. The chronology is material put before the meeting: it carries
    the household's life events whoever recorded them, and of the rest of
    the 家族年表 what the printing staff member may see."""
    if active_staff(staff) is None or not items:
        return {}
    rows = _attendance(staff, sorted({item.part.meeting_id for item in items}))
    found: dict[int, Basis] = {}
    for item in items:
        meeting = item.part.meeting
        if item.part.kind != MeetingKind.SUPPORT_MEETING:
            continue
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        if not staff.is_guest and item.case.stage not in OPEN_STAGES:
            continue
        if any(row.has_pledged for row in rows.get(meeting.pk, [])):
            found[item.pk] = Basis.SUPPORT_MEETING
    return found


class MeetingRule(Rule):
    """A sitting (date, place, attendees): seen by its host and its attendees.
    What was discussed is decided separately (:func:`agenda_item_bases`,
    :func:`meeting_material_basis`)."""

    resource = "meeting"
    personal = True

    def model(self) -> type[models.Model]:
        return Meeting

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT):
                return Decision(True)
            if action == Action.LIST and staff.is_guest:
                return Decision(True)
            # Managers, system administrators and auditors hold no meetings.
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        if obj.organization_id in orgs:
            return Decision(True, _host_basis(obj))
        if action in (Action.VIEW, Action.LIST, Action.PRINT) and _attendance(staff, [obj.pk]).get(
            obj.pk
        ):
            # The sitting itself (who, when, where); its material has its own check.
            return Decision(
                True,
                Basis.SUPPORT_MEETING
                if obj.has_support_part
                else (Basis.CONSENT if obj.has_plan_part else Basis.OWN_ORGANIZATION),
            )
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        orgs = casework_organization_ids(staff)
        condition = models.Q(
            pk__in=Attendee.objects.filter(staff_id=staff.pk, attended=True).values("meeting_id")
        )
        if orgs:
            condition |= models.Q(organization_id__in=orgs)
            if action in (Action.VIEW, Action.LIST, Action.PRINT):
                condition |= models.Q(
                    pk__in=Attendee.objects.filter(
                        organization_id__in=orgs, is_guest=False, attended=True
                    ).values("meeting_id")
                )
        elif action not in (Action.VIEW, Action.LIST, Action.PRINT):
            return Meeting.objects.none()
        return Meeting.objects.filter(condition)


def _visible_agenda_condition(staff: Staff) -> models.Q:
    """The agenda items :func:`agenda_item_bases` gives a basis to, as a condition
    (kept to the same rules; the policy tests compare the two)."""
    orgs = casework_organization_ids(staff)
    not_cancelled = ~models.Q(part__meeting__status=MeetingStatus.CANCELLED)
    own_rows = Attendee.objects.filter(staff_id=staff.pk, attended=True)
    org_rows = Attendee.objects.filter(organization_id__in=orgs, is_guest=False, attended=True)
    condition = models.Q(case__household_id__in=emergency_household_ids(staff))
    support = models.Q(part__kind=MeetingKind.SUPPORT_MEETING) & not_cancelled
    own_support = support & models.Q(
        part__meeting_id__in=own_rows.filter(pledged_at__isnull=False).values("meeting_id")
    )
    if not staff.is_guest:
        own_support &= models.Q(case__stage__in=OPEN_STAGES)
    condition |= own_support
    if orgs:
        condition |= (
            models.Q(case__organization_id__in=orgs)
            | models.Q(case_id__in=consent_case_ids(orgs))
            | models.Q(part__meeting__organization_id__in=orgs)
            | (
                support
                & models.Q(case__stage__in=OPEN_STAGES)
                & models.Q(
                    part__meeting_id__in=org_rows.filter(pledged_at__isnull=False).values(
                        "meeting_id"
                    )
                )
            )
        )
    plan_rows = own_rows if not orgs else (own_rows | org_rows)
    plan_cases = active_consents().filter(
        models.Q(for_information_sharing=True) | models.Q(for_plan_meeting=True)
    )
    attending_orgs = plan_rows.values("organization_id")
    condition |= (
        models.Q(part__kind=MeetingKind.PLAN_MEETING)
        & not_cancelled
        & models.Q(part__meeting_id__in=plan_rows.values("meeting_id"))
        & models.Q(
            case_id__in=plan_cases.filter(
                models.Q(organizations__in=attending_orgs)
                | models.Q(
                    covers_case_team=True,
                    case__team__organization_id__in=attending_orgs,
                    case__team__left_on=None,
                )
            ).values("case_id")
        )
    )
    return condition


class AgendaItemRule(Rule):
    """One case at one meeting: the brief before, the decisions after. The
    host prepares and records it; who reads it is :func:`agenda_item_bases`."""

    resource = "agenda_item"
    personal = True

    def model(self) -> type[models.Model]:
        return AgendaItem

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT, Action.LIST):
                return Decision(True)
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        basis = agenda_item_bases(staff, [obj]).get(obj.pk)
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT, Action.EXPORT):
            return Decision(True, basis)
        if obj.part.meeting.organization_id in orgs:
            return Decision(True, basis)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        return AgendaItem.objects.filter(_visible_agenda_condition(staff))


class ActionItemRule(Rule):
    """A task decided at a meeting: seen by whoever sees the agenda item it was
    decided under, and by the organization that owns it (it is addressed to
    them, like a referral); the owner or the host marks it done."""

    resource = "action_item"
    personal = True
    own_field = "owner_organization"

    def model(self) -> type[models.Model]:
        return ActionItem

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT):
                return Decision(True)
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        item = obj.agenda_item
        basis = agenda_item_bases(staff, [item]).get(item.pk)
        if obj.owner_organization_id in orgs:
            owned = (
                Basis.SUPPORT_MEETING
                if item.part.kind == MeetingKind.SUPPORT_MEETING
                else Basis.CONSENT
            )
            basis = basis if basis in (Basis.COORDINATOR, Basis.OWN_ORGANIZATION) else owned
            return Decision(True, basis)
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT):
            return Decision(True, basis)
        if action == Action.CHANGE and item.part.meeting.organization_id in orgs:
            return Decision(True, basis)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        orgs = casework_organization_ids(staff)
        condition = models.Q(
            agenda_item_id__in=AgendaItem.objects.filter(_visible_agenda_condition(staff)).values(
                "pk"
            )
        )
        if orgs:
            condition |= models.Q(owner_organization_id__in=orgs)
        return ActionItem.objects.filter(condition)
