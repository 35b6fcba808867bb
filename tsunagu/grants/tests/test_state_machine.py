"""Random sequences of the writes that open and end ways — a household
registered, a consultation taken, a 支援経過記録 written or corrected, a つなぐシート sent, accepted, rejected or
cancelled, a case opened or closed, a team joined or left, a consent given or
withdrawn, a 支援会議 attended, pledged or cancelled, a household opened in an
emergency — made through the services as the product makes them. After every
step the grants the services wrote must equal what working every way out
again from the records gives, and a withdrawn consent must give no way."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, CaseTeamMember, ClosureReason, Consent, Stage
from tsunagu.cases.services import case_team_add, case_team_leave, consent_withdraw
from tsunagu.core import tenancy
from tsunagu.grants import services
from tsunagu.grants.models import Grant
from tsunagu.meetings.models import Attendee, Meeting
from tsunagu.meetings.services import meeting_cancel, pledge_record
from tsunagu.people.models import Household, Person
from tsunagu.people.services import emergency_access_open
from tsunagu.progress.models import Kind, ProgressNote
from tsunagu.progress.services import progress_note_record, progress_note_update
from tsunagu.referrals.models import Referral, Status
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as residents
from tsunagu.tests.factories import Ward

#: What a service refuses in a sequence that makes no sense (closing a closed
#: case, accepting a cancelled つなぐシート): the step changes nothing.
REFUSED = (ValidationError, PermissionDenied)


def _machine(ward: Ward) -> type[RuleBasedStateMachine]:
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    south = residents.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    organizations = [ward.center, ward.other_center, ward.coordinating]
    window_staff = {ward.center.pk: counselor, ward.other_center.pk: south}

    class Ways(RuleBasedStateMachine):
        households = Bundle("households")
        referrals = Bundle("referrals")
        case_files = Bundle("cases")
        consents = Bundle("consents")
        attendees = Bundle("attendees")
        meetings = Bundle("meetings")
        team = Bundle("team")
        notes = Bundle("notes")

        def __init__(self) -> None:
            super().__init__()
            # Each sequence in a savepoint of its own, rolled back at the end.
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.context = tenancy.tenant_context(ward.municipality)
            self.context.__enter__()

        def teardown(self) -> None:
            self.context.__exit__(None, None, None)
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @rule(target=households, window=st.sampled_from([ward.center, ward.other_center]))
        def register(self, window: Any) -> Household:
            staff = window_staff[window.pk]
            child = residents.person(
                staff, window, given_name="一郎", birth_date=datetime.date(1980, 5, 5)
            )
            return residents.household(staff, window, members=[(child, "child")])

        @rule(household=households, window=st.sampled_from([ward.center, ward.other_center]))
        def consult(self, household: Household, window: Any) -> None:
            residents.consultation(window_staff[window.pk], window, household=household)

        @rule(
            target=referrals,
            household=households,
            to=st.sampled_from([ward.other_center, ward.coordinating]),
            named=st.booleans(),
        )
        def send(self, household: Household, to: Any, named: bool) -> Referral:
            persons = list(Person.objects.filter(memberships__household=household)) if named else []
            return residents.referral(
                counselor, ward.center, to, household=household, persons=persons
            )

        @rule(
            referral=referrals,
            status=st.sampled_from([Status.ACCEPTED, Status.REJECTED, Status.CANCELLED]),
        )
        def answer(self, referral: Referral, status: str) -> None:
            if status == Status.CANCELLED:
                actor, side = counselor, ward.center
            else:
                actor = (
                    south if referral.to_organization_id == ward.other_center.pk else coordinator
                )
                side = referral.to_organization
            with contextlib.suppress(*REFUSED):
                residents.transition(actor, side, referral, status)

        @rule(target=case_files, household=households)
        def open_case(self, household: Household) -> Case:
            return cases.case(coordinator, ward.coordinating, household)

        @rule(case=case_files)
        def close(self, case: Case) -> None:
            with contextlib.suppress(*REFUSED):
                cases.to_stage(
                    coordinator, case, Stage.CLOSED,
                    closure_reason=ClosureReason.values[0], evaluation="目標を達成した。",
                )  # fmt: skip

        @rule(target=team, case=case_files)
        def join(self, case: Case) -> CaseTeamMember | None:
            try:
                return case_team_add(actor=coordinator, case=case, organization=ward.other_center)
            except REFUSED:
                return None

        @rule(member=consumes(team))
        def leave(self, member: CaseTeamMember | None) -> None:
            if member is None:
                return
            with contextlib.suppress(*REFUSED):
                case_team_leave(actor=coordinator, case=member.case, member=member)

        @rule(
            target=consents,
            case=case_files,
            named=st.sets(st.sampled_from(organizations)),
            team=st.booleans(),
            ends=st.sampled_from([None, -1, 30]),
        )
        def consent(
            self, case: Case, named: set[Any], team: bool, ends: int | None
        ) -> Consent | None:
            today = timezone.localdate()
            until = None if ends is None else today + datetime.timedelta(days=ends)
            valid_from = today - datetime.timedelta(days=60)
            try:
                return cases.consent(
                    coordinator, case, organizations=named or [ward.center],
                    covers_case_team=team, valid_from=valid_from, valid_until=until,
                )  # fmt: skip
            except REFUSED:
                return None

        @rule(consent=consents)
        def withdraw(self, consent: Consent | None) -> None:
            if consent is None:
                return
            with contextlib.suppress(*REFUSED):
                consent_withdraw(
                    actor=coordinator,
                    consent=Consent.objects.get(pk=consent.pk),
                    note="本人から電話で撤回。",
                )

        @rule(target=meetings, case=case_files)
        def meet(self, case: Case) -> Meeting:
            meeting = cases.meeting(coordinator, ward.coordinating)
            cases.on_agenda(coordinator, meeting, case)
            return meeting

        @rule(target=attendees, meeting=meetings, pledge=st.booleans())
        def attend(self, meeting: Meeting, pledge: bool) -> Attendee | None:
            try:
                return cases.attend(coordinator, meeting, south, ward.other_center, pledge=pledge)
            except REFUSED:
                return None

        @rule(attendee=attendees)
        def pledge(self, attendee: Attendee | None) -> None:
            if attendee is not None:
                pledge_record(actor=coordinator, attendee=Attendee.objects.get(pk=attendee.pk))

        @rule(meeting=meetings)
        def cancel(self, meeting: Meeting) -> None:
            with contextlib.suppress(*REFUSED):
                meeting_cancel(
                    actor=coordinator,
                    meeting=Meeting.objects.get(pk=meeting.pk),
                    reason="台風のため",
                )

        @rule(target=notes, household=households, partner=st.booleans())
        def write_note(self, household: Household, partner: bool) -> ProgressNote:
            # A 支援経過記録 is its writer's and its participants' own record.
            return progress_note_record(
                actor=south, organization=ward.other_center, household=household,
                participants=[(coordinator, ward.coordinating)] if partner else [],
                kind=Kind.PHONE, content="電話で近況を聞いた。",
            )  # fmt: skip

        @rule(note=notes, partner=st.booleans())
        def correct_note(self, note: ProgressNote, partner: bool) -> None:
            progress_note_update(
                actor=south, note=ProgressNote.objects.get(pk=note.pk), version=None,
                participants=[(coordinator, ward.coordinating)] if partner else [],
                kind=Kind.VISIT, content="訪問に訂正。",
            )  # fmt: skip

        @rule(household=households)
        def break_glass(self, household: Household) -> None:
            emergency_access_open(
                actor=south, organization_id=ward.other_center.pk, household=household,
                reason="本人が救急搬送され、家族の連絡先を確認するため",
            )  # fmt: skip

        @invariant()
        def grants_equal_the_records(self) -> None:
            difference = services.check(ward.municipality.pk)
            assert not difference, difference.lines()

        @invariant()
        def a_withdrawn_consent_gives_no_way(self) -> None:
            withdrawn = Consent.objects.filter(withdrawn_at__isnull=False).values("pk")
            assert not Grant.objects.filter(
                source="cases.Consent", source_id__in=withdrawn
            ).exists()

    return Ways


@pytest.mark.django_db
def test_the_grants_follow_every_write_that_opens_or_ends_a_way(ward: Ward) -> None:
    run_state_machine_as_test(
        _machine(ward),
        settings=settings(
            max_examples=12,
            stateful_step_count=14,
            # A failing sequence is short enough to read as it comes; shrinking
            # one replays the services for many minutes.
            phases=[Phase.explicit, Phase.generate],
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
