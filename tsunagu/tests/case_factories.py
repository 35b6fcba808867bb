"""多機関協働 records for tests — cases, consents, meetings, plans — made
through the services, in states the tests name (a consented case, a held
支援会議 …). Every helper works for the actor's municipality by itself."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case, Consent, ConsentMethod, Stage
from tsunagu.cases.services import case_open, case_transition, consent_record, household_members
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import AgendaItem, Attendee, Kind, Meeting
from tsunagu.meetings.services import (
    agenda_item_add,
    attendee_add,
    meeting_create,
    meeting_hold,
    pledge_record,
)
from tsunagu.people.models import Household
from tsunagu.plans.models import SupportPlan
from tsunagu.plans.services import MemberPart, plan_activate, plan_create


def case(
    coordinator: Staff, organization: Organization, household: Household, **fields: Any
) -> Case:
    """A case opened at ``organization`` (a coordinating section) for ``household``."""
    values: dict[str, Any] = {"title": "8050・介護拒否・子のひきこもり"}
    values.update(fields)
    with tenancy.tenant_context(coordinator.municipality):
        return case_open(
            actor=coordinator, organization=organization, household=household, **values
        )


def consent(
    coordinator: Staff,
    case: Case,
    organizations: Iterable[Organization] = (),
    covers_case_team: bool = False,
    **fields: Any,
) -> Consent:
    """A consent given by the household's first member, covering all members."""
    with tenancy.tenant_context(coordinator.municipality):
        members = household_members(case)
        values: dict[str, Any] = {
            "grantor": members[0],
            "method": ConsentMethod.WRITTEN,
            "obtained_by_organization": case.organization,
            "covers_case_team": covers_case_team,
        }
        values.update(fields)
        return consent_record(
            actor=coordinator,
            case=case,
            consent=Consent(**values),
            members=members,
            organizations=list(organizations),
        )


def meeting(
    host: Staff,
    organization: Organization,
    kinds: Iterable[str] = (Kind.SUPPORT_MEETING,),
    **fields: Any,
) -> Meeting:
    values: dict[str, Any] = {"title": "福祉包括化推進部会", "held_on": timezone.localdate()}
    values.update(fields)
    with tenancy.tenant_context(host.municipality):
        return meeting_create(
            actor=host, organization=organization, meeting=Meeting(**values), kinds=list(kinds)
        )


def attend(
    host: Staff, meeting: Meeting, staff: Staff, organization: Organization, pledge: bool = True
) -> Attendee:
    with tenancy.tenant_context(host.municipality):
        attendee = attendee_add(actor=host, meeting=meeting, organization=organization, staff=staff)
        if pledge:
            attendee = pledge_record(actor=host, attendee=attendee)
        return attendee


def on_agenda(
    host: Staff,
    meeting: Meeting,
    case: Case,
    kind: str = Kind.SUPPORT_MEETING,
    review: str = AgendaItem.Review.NEW,
) -> AgendaItem:
    with tenancy.tenant_context(host.municipality):
        return agenda_item_add(actor=host, meeting=meeting, kind=kind, case=case, review=review)


def hold(host: Staff, meeting: Meeting) -> Meeting:
    with tenancy.tenant_context(host.municipality):
        return meeting_hold(actor=host, meeting=meeting)


def to_stage(coordinator: Staff, case: Case, stage: str, **fields: Any) -> Case:
    with tenancy.tenant_context(coordinator.municipality):
        fresh = Case.objects.get(pk=case.pk)
        return case_transition(
            actor=coordinator, case=fresh, to_stage=stage, version=fresh.version, **fields
        )


def active_plan(
    coordinator: Staff, case: Case, goals: dict[int, list[str]] | None = None
) -> SupportPlan:
    """A confirmed plan with a goal for every member (the case needs a consent)."""
    with tenancy.tenant_context(coordinator.municipality):
        fresh = Case.objects.get(pk=case.pk)
        if fresh.stage in (Stage.ASSESSMENT, Stage.MEETING_REVIEW, Stage.INTAKE):
            if fresh.stage == Stage.INTAKE:
                fresh = case_transition(
                    actor=coordinator, case=fresh, to_stage=Stage.ASSESSMENT, version=fresh.version
                )
            fresh = case_transition(
                actor=coordinator, case=fresh, to_stage=Stage.CONSENTED, version=fresh.version
            )
        members = [
            MemberPart(
                person=p,
                wishes="自分のペースで",
                goals=(goals or {}).get(p.pk, [f"{p.given_name}さんの生活が安定する"]),
            )
            for p in household_members(fresh)
        ]
        plan = plan_create(
            actor=coordinator,
            case=fresh,
            plan=SupportPlan(next_monitoring_on=timezone.localdate() + datetime.timedelta(days=90)),
            members=members,
        )
        return plan_activate(actor=coordinator, plan=plan, version=plan.version)
