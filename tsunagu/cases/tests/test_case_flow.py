"""The 多機関協働 flow through the services, and what each organization sees
at each step (the consent and 支援会議 bases following the records at once)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import ClosureReason, Stage
from tsunagu.cases.services import consent_withdraw
from tsunagu.core import tenancy
from tsunagu.meetings.models import Kind
from tsunagu.meetings.services import guest_invite, pledge_record
from tsunagu.plans.models import Decision, Monitoring
from tsunagu.plans.services import GoalPart, monitoring_record
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


def _sees(staff, resource, obj) -> bool:
    return bool(policy.decide(staff, policy.Action.VIEW, resource, obj))


def test_support_meeting_then_consent_then_plan_then_closure(ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    counselor = ward.member(Role.COUNSELOR)  # 地域包括支援センター北
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    household = rf.household(counselor, ward.center)
    case = cf.case(coordinator, ward.coordinating, household)
    assert _sees(coordinator, "case", case)
    assert not _sees(other, "case", case)
    assert not _sees(other, "household", household)

    meeting = cf.meeting(coordinator, ward.coordinating)
    cf.on_agenda(coordinator, meeting, case)
    attendee = cf.attend(coordinator, meeting, other, ward.other_center, pledge=False)
    # Attending without a pledge shows nothing of the material.
    assert not _sees(other, "case", case)
    with tenancy.tenant_context(ward.municipality):
        pledge_record(actor=other, attendee=attendee)
    assert (
        policy.decide(other, policy.Action.VIEW, "case", case).basis == policy.Basis.SUPPORT_MEETING
    )
    assert _sees(other, "household", household)
    cf.hold(coordinator, meeting)
    case.refresh_from_db()
    assert case.stage == Stage.MEETING_REVIEW

    consent = cf.consent(coordinator, case, organizations=[ward.center])
    case = cf.to_stage(coordinator, case, Stage.CONSENTED)
    assert policy.decide(counselor, policy.Action.VIEW, "case", case).basis == policy.Basis.CONSENT
    plan = cf.active_plan(coordinator, case)
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORTING
    assert _sees(counselor, "support_plan", plan)
    # The 支援会議's attendee sees the case, not the plan made under consent.
    assert _sees(other, "case", case)
    assert not _sees(other, "support_plan", plan)

    with tenancy.tenant_context(ward.municipality):
        goals = list(plan.members.first().goals.all()) + [
            g for m in plan.members.all()[1:] for g in m.goals.all()
        ]
        monitoring_record(
            actor=coordinator,
            plan=plan,
            monitoring=Monitoring(summary="落ち着いている", decision=Decision.CLOSE),
            progress=[GoalPart(goal=g, progress="achieved") for g in goals],
            closure_reason=ClosureReason.GOALS_MET,
            evaluation="目標を達成した",
        )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    # Closed: the 支援会議 basis ends; the consent still names the centre.
    assert not _sees(other, "case", case)
    assert _sees(counselor, "case", case)

    with tenancy.tenant_context(ward.municipality):
        consent_withdraw(actor=coordinator, consent=consent, note="本人から電話で撤回の申し出")
    assert not _sees(counselor, "case", case)


def test_plan_meeting_refused_without_consent(ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    household = rf.household(coordinator, ward.coordinating)
    case = cf.case(coordinator, ward.coordinating, household)
    meeting = cf.meeting(coordinator, ward.coordinating, kinds=[Kind.PLAN_MEETING])
    with pytest.raises(ValidationError) as refused:
        cf.on_agenda(coordinator, meeting, case, kind=Kind.PLAN_MEETING)
    assert "本人の同意がなければ開催できません" in str(refused.value)


def test_guest_sees_only_the_meeting_until_expiry(ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    household = rf.household(coordinator, ward.coordinating)
    case = cf.case(coordinator, ward.coordinating, household)
    police = ward.external
    meeting = cf.meeting(coordinator, ward.coordinating)
    item = cf.on_agenda(coordinator, meeting, case)
    with tenancy.tenant_context(ward.municipality):
        invitation = guest_invite(
            actor=coordinator,
            meeting=meeting,
            organization=police,
            name="山田 太郎",
            expires_at=timezone.now() + datetime.timedelta(hours=3),
        )
    guest = invitation.attendee.staff
    assert _sees(guest, "meeting", meeting)
    assert not _sees(guest, "agenda_item", item)
    with tenancy.tenant_context(ward.municipality):
        pledge_record(actor=guest, attendee=invitation.attendee)
    assert _sees(guest, "agenda_item", item)
    assert not _sees(guest, "case", case)
    assert not _sees(guest, "household", household)
    guest.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    with tenancy.tenant_context(ward.municipality):
        guest.save()
    assert not _sees(guest, "agenda_item", item)
    assert not _sees(guest, "meeting", meeting)


def test_a_consent_naming_some_members_shows_only_them(ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-members")
    head = rf.person(coordinator, ward.coordinating, family_name="田中", given_name="一郎")
    son = rf.person(coordinator, ward.coordinating, family_name="田中", given_name="翔太")
    household = rf.household(coordinator, ward.coordinating, head=head, members=[(son, "child")])
    case = cf.case(coordinator, ward.coordinating, household)
    with tenancy.tenant_context(ward.municipality):
        from tsunagu.cases.models import Consent, ConsentMethod
        from tsunagu.cases.services import consent_record

        consent_record(
            actor=coordinator,
            case=case,
            consent=Consent(
                grantor=head,
                method=ConsentMethod.ORAL,
                obtained_by_organization=ward.coordinating,
            ),
            members=[head],
            organizations=[ward.other_center],
        )
    assert policy.decide(other, policy.Action.VIEW, "household", household).basis == (
        policy.Basis.CONSENT
    )
    assert _sees(other, "person", head)
    assert not _sees(other, "person", son)
    visible = set(policy.visible(other, "person").values_list("pk", flat=True))
    assert head.pk in visible and son.pk not in visible
