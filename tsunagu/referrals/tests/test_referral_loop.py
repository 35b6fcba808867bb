"""The referral loop (つなぐシート): who may make each change of state, what each
change needs, and what it leaves behind (history, audit, optimistic lock)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import (
    NEEDS_REASON,
    NEEDS_REPORT_BACK,
    OPEN,
    TRANSITIONS,
    Reason,
    Referral,
    ReferralEvent,
    Side,
    Status,
)
from tsunagu.referrals.services import ReferralConflict, referral_note
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


class Loop:
    """A sender (地域包括支援センター北) and a receiver (地域包括支援センター南), each with a counselor."""

    def __init__(self, ward: Ward) -> None:
        self.ward = ward
        self.sender: Staff = ward.member(Role.COUNSELOR)
        self.sender_org: Organization = ward.center
        self.receiver: Staff = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        self.receiver_org: Organization = ward.other_center

    def actor(self, side: str) -> tuple[Staff, Organization]:
        if side == Side.SENDER:
            return self.sender, self.sender_org
        return self.receiver, self.receiver_org

    def new(self, send: bool = True) -> Referral:
        household = make.household(self.sender, self.sender_org)
        return make.referral(
            self.sender, self.sender_org, self.receiver_org, household=household, send=send
        )

    def at(self, status: str) -> Referral:
        """A referral brought to ``status`` by the allowed path."""
        path = {
            Status.DRAFT: [],
            Status.REQUESTED: [],
            Status.ACCEPTED: [Status.ACCEPTED],
            Status.REJECTED: [Status.REJECTED],
            Status.CANCELLED: [Status.CANCELLED],
            Status.IN_PROGRESS: [Status.ACCEPTED, Status.IN_PROGRESS],
            Status.ON_HOLD: [Status.ACCEPTED, Status.ON_HOLD],
            Status.COMPLETED: [Status.ACCEPTED, Status.COMPLETED],
            Status.FAILED: [Status.ACCEPTED, Status.FAILED],
        }[Status(status)]
        referral = self.new(send=status != Status.DRAFT)
        for step in path:
            side = TRANSITIONS[(referral.status, step)]
            referral = make.transition(*self.actor(side), referral, step)
        assert referral.status == status
        return referral

    def state(self, referral: Referral) -> tuple[str, int, int, int]:
        """What a refused change must leave as it was."""
        with tenancy.tenant_context(self.ward.municipality):
            fresh = Referral.objects.get(pk=referral.pk)
            events = ReferralEvent.objects.filter(referral=referral).count()
        audits = AuditEvent.objects.filter(
            object_type="referrals.referral", object_id=str(referral.pk)
        ).count()
        return fresh.status, fresh.version, events, audits


@pytest.fixture
def loop(ward: Ward) -> Loop:
    return Loop(ward)


def _other(side: str) -> str:
    return Side.RECEIVER if side == Side.SENDER else Side.SENDER


@pytest.mark.parametrize(
    ("source", "target"),
    list(TRANSITIONS),
    ids=[f"{s.value}->{t.value}" for s, t in TRANSITIONS],
)
def test_each_allowed_change_is_made_by_its_side_only(loop: Loop, source: str, target: str) -> None:
    side = TRANSITIONS[(source, target)]
    referral = loop.at(source)
    before = loop.state(referral)

    wrong, wrong_org = loop.actor(_other(side))
    with pytest.raises(ValidationError) as refused:
        make.transition(wrong, wrong_org, referral, target)
    assert f"「{Status(target).label}」にできるのは{Side(side).label}の機関です。" in str(
        refused.value
    )
    # An organization that is neither sender nor receiver is refused as well.
    outsider = loop.ward.member(Role.COORDINATOR)
    with pytest.raises(ValidationError):
        make.transition(outsider, loop.ward.coordinating, referral, target)
    assert loop.state(referral) == before

    actor, organization = loop.actor(side)
    changed = make.transition(actor, organization, referral, target, reason=Reason.NO_CAPACITY)
    assert changed.status == target
    assert changed.version == before[1] + 1
    assert changed.updated_by == actor
    with tenancy.tenant_context(loop.ward.municipality):
        event = ReferralEvent.objects.filter(referral=referral).latest("occurred_at", "pk")
    assert (event.from_status, event.to_status, event.actor, event.organization) == (
        source,
        target,
        actor,
        organization,
    )
    assert event.reason == Reason.NO_CAPACITY
    assert event.is_report_back == (target in NEEDS_REPORT_BACK)
    assert (changed.closed_at is None) == (target in OPEN)


@pytest.mark.parametrize("source", list(Status), ids=[s.value for s in Status])
def test_changes_outside_the_table_are_refused_for_both_sides(loop: Loop, source: str) -> None:
    referral = loop.at(source)
    before = loop.state(referral)
    refused = [target for target in Status if (source, target) not in TRANSITIONS]
    assert refused
    for target in refused:
        for side in (Side.SENDER, Side.RECEIVER):
            with pytest.raises(ValidationError) as error:
                make.transition(*loop.actor(side), referral, target)
            assert "には変更できません" in str(error.value), (source, target, side)
    assert loop.state(referral) == before


@pytest.mark.parametrize("target", sorted(NEEDS_REASON), ids=lambda s: s.value)
def test_changes_that_need_a_reason_are_refused_without_one(loop: Loop, target: str) -> None:
    source = next(s for (s, t) in TRANSITIONS if t == target)
    referral = loop.at(source)
    before = loop.state(referral)
    side = TRANSITIONS[(source, target)]
    with pytest.raises(ValidationError) as error:
        make.transition(*loop.actor(side), referral, target, reason="")
    assert error.value.message_dict == {"reason": ["理由を選んでください。"]}
    assert loop.state(referral) == before


def test_the_table_requires_reasons_and_report_backs_where_the_issue_says() -> None:
    assert {Status.REJECTED, Status.CANCELLED, Status.ON_HOLD, Status.FAILED} == NEEDS_REASON
    assert {Status.COMPLETED, Status.FAILED} == NEEDS_REPORT_BACK


@pytest.mark.parametrize("target", [Status.COMPLETED, Status.FAILED], ids=lambda s: s.value)
def test_closing_needs_a_report_back_which_the_sender_then_reads(loop: Loop, target: str) -> None:
    referral = loop.at(Status.IN_PROGRESS)
    before = loop.state(referral)
    for blank in ("", "  \n"):
        with pytest.raises(ValidationError) as error:
            make.transition(loop.receiver, loop.receiver_org, referral, target, note=blank)
        assert "つなぐ元への報告" in str(error.value)
    assert loop.state(referral) == before

    report = "介護保険の申請を支援し、要介護1の認定が出ました。"
    make.transition(loop.receiver, loop.receiver_org, referral, target, note=report)
    with tenancy.tenant_context(loop.ward.municipality):
        seen, decision = policy.get_or_404(
            loop.sender, "referral", policy.Action.VIEW, pk=referral.pk
        )
        events = list(
            ReferralEvent.objects.filter(referral=referral, is_report_back=True).values_list(
                "note", "organization_id"
            )
        )
    assert decision.basis == policy.Basis.OWN_ORGANIZATION
    assert seen.report_back == report and seen.report_back_at is not None
    assert events == [(report, loop.receiver_org.pk)]


def test_the_first_answer_of_the_receiver_is_timed_once(loop: Loop) -> None:
    referral = loop.new()
    assert referral.sent_at is not None
    assert referral.first_answered_at is None  # sending is not an answer
    accepted = make.accepted(referral, loop.receiver)
    assert accepted.first_answered_at is not None
    later = make.transition(loop.receiver, loop.receiver_org, referral, Status.IN_PROGRESS)
    assert later.first_answered_at == accepted.first_answered_at


def test_a_rejection_is_an_answer_too(loop: Loop) -> None:
    rejected = make.transition(
        loop.receiver, loop.receiver_org, loop.new(), Status.REJECTED, reason=Reason.NOT_ELIGIBLE
    )
    assert rejected.first_answered_at is not None and rejected.closed_at is not None


def test_a_cancellation_by_the_sender_is_no_answer(loop: Loop) -> None:
    cancelled = make.transition(loop.sender, loop.sender_org, loop.new(), Status.CANCELLED)
    assert cancelled.first_answered_at is None


def test_a_change_on_a_stale_version_is_refused_and_changes_nothing(loop: Loop) -> None:
    referral = loop.new()
    seen_version = referral.version
    make.accepted(referral, loop.receiver)  # someone else, meanwhile
    before = loop.state(referral)
    with pytest.raises(ReferralConflict):
        make.transition(
            loop.receiver,
            loop.receiver_org,
            referral,
            Status.REJECTED,
            reason=Reason.NO_CAPACITY,
            version=seen_version,
        )
    assert loop.state(referral) == before
    assert before[0] == Status.ACCEPTED


def test_the_creation_and_every_change_are_audited(loop: Loop) -> None:
    referral = loop.new()
    make.accepted(referral, loop.receiver)
    events = list(
        AuditEvent.objects.filter(
            object_type="referrals.referral", object_id=str(referral.pk)
        ).order_by("id")
    )
    assert [(e.action, e.detail.get("from"), e.detail.get("to")) for e in events] == [
        ("create", None, loop.receiver_org.pk),
        ("change", Status.DRAFT, Status.REQUESTED),
        ("change", Status.REQUESTED, Status.ACCEPTED),
    ]
    assert [e.actor for e in events] == [loop.sender, loop.sender, loop.receiver]
    assert [e.organization_id for e in events] == [
        loop.sender_org.pk,
        loop.sender_org.pk,
        loop.receiver_org.pk,
    ]
    assert events[0].basis == referral.sharing_basis


def test_the_history_is_append_only(loop: Loop) -> None:
    referral = loop.new()
    with tenancy.tenant_context(loop.ward.municipality):
        event = ReferralEvent.objects.filter(referral=referral).first()
        event.note = "書き換え"
        with pytest.raises(ValueError, match="append-only"):
            event.save()
        with pytest.raises(ValueError, match="append-only"):
            event.delete()
        assert ReferralEvent.objects.get(pk=event.pk).note == "作成"
        assert list(
            ReferralEvent.objects.filter(referral=referral).values_list("from_status", "to_status")
        ) == [("", Status.DRAFT), (Status.DRAFT, Status.REQUESTED)]


def test_a_comment_changes_no_state_and_counts_as_a_report_from_the_receiver(loop: Loop) -> None:
    referral = make.accepted(loop.new(), loop.receiver)
    with tenancy.tenant_context(loop.ward.municipality):
        with pytest.raises(ValidationError):
            referral_note(
                actor=loop.receiver, organization=loop.receiver_org, referral=referral, note=" "
            )
        from_receiver = referral_note(
            actor=loop.receiver,
            organization=loop.receiver_org,
            referral=referral,
            note="初回訪問済み",
        )
        from_sender = referral_note(
            actor=loop.sender,
            organization=loop.sender_org,
            referral=referral,
            note="よろしくお願いします",
        )
        fresh = Referral.objects.get(pk=referral.pk)
    assert from_receiver.is_report_back and not from_sender.is_report_back
    assert (from_receiver.from_status, from_receiver.to_status) == (
        Status.ACCEPTED,
        Status.ACCEPTED,
    )
    assert (fresh.status, fresh.version) == (referral.status, referral.version)


def test_a_referral_to_the_own_organization_is_refused(loop: Loop) -> None:
    with pytest.raises(ValidationError, match="自機関にはつなげません"):
        make.referral(loop.sender, loop.sender_org, loop.sender_org)


def test_a_staff_member_cannot_act_for_an_organization_they_do_not_belong_to(
    loop: Loop,
) -> None:
    referral = loop.new()
    outsider = make.staff_at(loop.ward, loop.ward.department, Role.COUNSELOR, "outsider")
    with pytest.raises(ValidationError):
        make.transition(outsider, loop.receiver_org, referral, Status.ACCEPTED)
