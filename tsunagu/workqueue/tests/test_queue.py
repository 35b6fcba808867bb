"""The work queue on the home page and the counts on the menu: what waits for
a member of staff, read through the policy — another organization's
つなぐシート never appears, and staff without casework have no queue."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import Referral, Status
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.workqueue import selectors

pytestmark = pytest.mark.django_db


def signed_in(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def overdue(referral: Referral, days: int = 3) -> None:
    """``referral``'s deadline moved ``days`` into the past (a sheet cannot be
    written with a past deadline)."""
    with tenancy.tenant_context(referral.municipality):
        Referral.objects.filter(pk=referral.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=days)
        )


@pytest.fixture
def receiver(ward: Ward) -> Staff:
    return rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")


def test_a_receiving_window_sees_the_sheets_waiting_and_those_past_their_deadline(
    ward: Ward, receiver: Staff
) -> None:
    sender = ward.member(Role.COUNSELOR)
    household = rf.household(sender, ward.center)
    waiting = rf.referral(sender, ward.center, ward.other_center, household=household)
    late = rf.referral(sender, ward.center, ward.other_center, household=household)
    overdue(late)

    page = signed_in(receiver).get(reverse("home"))
    html = page.content.decode()
    found = page.context["queue"].counts
    assert (found.referrals_waiting, found.referrals_waiting_overdue) == (2, 1)
    assert "今日の仕事" in html
    assert "受理待ち 2件（うち期限超過 1件）" in html
    for referral in (waiting, late):
        assert f'href="{reverse("referrals:detail", args=[referral.pk])}"' in html
        assert referral.number in html
    assert ward.center.name in html
    # Before accepting, the receiver's inbox does not name the household: nor does the queue.
    assert "鈴木" not in html
    # The menu's つなぐシート entry carries the count.
    assert '<span class="nav-count" aria-hidden="true">2</span>' in html
    assert ">2件の対応待ち</span>" in html  # read as the link's description, not its name


def test_once_accepted_the_sheet_waits_for_a_report_and_names_the_household(
    ward: Ward, receiver: Staff
) -> None:
    sender = ward.member(Role.COUNSELOR)
    household = rf.household(sender, ward.center)
    referral = rf.accepted(rf.referral(sender, ward.center, ward.other_center, household), receiver)

    page = signed_in(receiver).get(reverse("home"))
    found = page.context["queue"].counts
    assert (found.referrals_waiting, found.report_backs_owed) == (0, 1)
    html = page.content.decode()
    assert "報告待ち" in html and str(household) in html
    assert referral.number in html


def test_the_sender_sees_a_sheet_unanswered_past_its_deadline(ward: Ward, receiver: Staff) -> None:
    sender = ward.member(Role.COUNSELOR)
    answered_late = rf.referral(sender, ward.center, ward.other_center)
    not_yet_due = rf.referral(sender, ward.center, ward.other_center)
    overdue(answered_late)

    page = signed_in(sender).get(reverse("home"))
    assert page.context["queue"].counts.referrals_sent_overdue == 1
    html = page.content.decode()
    assert answered_late.number in html
    assert not_yet_due.number not in html
    assert "回答待ち" in html and "期限超過" in html


def test_another_organizations_sheets_never_appear(ward: Ward, receiver: Staff) -> None:
    """A sheet between two other organizations is in nobody else's queue,
    counts and menu included, even overdue."""
    with tenancy.tenant_context(ward.municipality):
        third = Organization.objects.create(
            name="障害者相談支援センター", kind=Organization.Kind.CENTER
        )
    elsewhere = rf.staff_at(ward, third, Role.COUNSELOR, "third")
    foreign = rf.referral(receiver, ward.other_center, third)
    overdue(foreign)

    counselor = ward.member(Role.COUNSELOR)
    page = signed_in(counselor).get(reverse("home"))
    assert page.context["queue"].counts == selectors.Counts()
    html = page.content.decode()
    assert foreign.number not in html
    assert "nav-count" not in html
    # Its two ends do see it.
    assert signed_in(elsewhere).get(reverse("home")).context["queue"].counts.referrals_waiting == 1
    assert (
        signed_in(receiver).get(reverse("home")).context["queue"].counts.referrals_sent_overdue == 1
    )


def test_the_queue_follows_the_acting_organization(ward: Ward, receiver: Staff) -> None:
    """A staff member of two windows sees the queue of the one they act for."""
    from tsunagu.tests.factories import add_member

    sender = ward.member(Role.COUNSELOR)
    rf.referral(sender, ward.center, ward.other_center)
    both = rf.staff_at(ward, ward.center, Role.COUNSELOR, "both")
    add_member(both, ward.other_center, Role.COUNSELOR)
    client = signed_in(both)
    session = client.session
    session["acting_organization_id"] = ward.center.pk
    session.save()
    assert client.get(reverse("home")).context["queue"].counts.referrals_waiting == 0
    session["acting_organization_id"] = ward.other_center.pk
    session.save()
    assert client.get(reverse("home")).context["queue"].counts.referrals_waiting == 1


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSADMIN, Role.MANAGER, Role.GUEST])
def test_staff_without_casework_have_no_queue(ward: Ward, role: str) -> None:
    sender = ward.member(Role.COUNSELOR)
    overdue(rf.referral(sender, ward.center, ward.department))
    page = signed_in(ward.member(role)).get(reverse("home"))
    assert page.status_code == 200
    assert "queue" not in page.context
    html = page.content.decode()
    assert "今日の仕事" not in html and "nav-count" not in html


def test_tasks_due_within_the_week_and_overdue_outreach_are_listed(ward: Ward) -> None:
    from tsunagu.outreach.models import Intent, Method, Result, Stage
    from tsunagu.outreach.services import outreach_contact_record

    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    with tenancy.tenant_context(ward.municipality):
        outreach_contact_record(
            actor=counselor,
            organization=ward.center,
            household=household,
            method=Method.VISIT,
            result=Result.ABSENT,
            intent=Intent.SAFETY,
            stage_after=Stage.NONE,
            occurred_at=timezone.now() - datetime.timedelta(days=7),
            next_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    page = signed_in(counselor).get(reverse("home"))
    found = page.context["queue"].counts
    assert found.outreach_overdue == 1
    html = page.content.decode()
    assert reverse("outreach:household", args=[household.pk]) in html
    assert str(household) in html  # the outreach work list names it to this staff too


def test_the_count_of_sheets_waiting_agrees_with_the_inbox(ward: Ward, receiver: Staff) -> None:
    """The counts are those of the inbox (the open received sheets waiting for acceptance)."""
    sender = ward.member(Role.COUNSELOR)
    for _n in range(5):
        rf.referral(sender, ward.center, ward.other_center)
    client = signed_in(receiver)
    inbox = client.get(reverse("referrals:inbox"))
    waiting_in_inbox = sum(1 for r, _label in inbox.context["rows"] if r.status == Status.REQUESTED)
    assert client.get(reverse("home")).context["queue"].counts.referrals_waiting == waiting_in_inbox
