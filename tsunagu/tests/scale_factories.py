"""Records in bulk for the query-count tests: a page is rendered once over a
few rows and again after each helper here has added several times more of
the rows it lists. Every helper goes through the services (or the shared
factories), so the rows are what the product would make."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.directory.models import District, Organization
from tsunagu.meetings.models import Kind, Meeting, MeetingPart
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.models import Household
from tsunagu.people.services import household_member_add
from tsunagu.referrals.models import Referral
from tsunagu.reports import layout, rollups
from tsunagu.resources.models import Frequency, Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import staff_at
from tsunagu.tests.resource_factories import resource


def organization_of(staff: Staff) -> Organization:
    """The one organization ``staff`` works for (the helpers' staff hold one membership)."""
    with tenancy.tenant_context(staff.municipality):
        return staff.memberships.select_related("organization").get().organization


def household_grown(
    counselor: Staff,
    household: Household,
    receiver: Staff,
    *,
    members: int,
    consultations: int,
    referrals: int,
) -> None:
    """Add to ``household`` (registered by the counselor's organization) new
    members, consultations about them and つなぐシート sent and accepted."""
    organization = organization_of(counselor)
    receiving = organization_of(receiver)
    with tenancy.tenant_context(counselor.municipality):
        first = household.memberships.select_related("person").earliest("pk").person
    for n in range(members):
        member = rf.person(counselor, organization, given_name=f"家族{n}", given_name_kana="かぞく")
        with tenancy.tenant_context(counselor.municipality):
            household_member_add(
                actor=counselor, household=household, person=member, relationship="child"
            )
    made: list[Consultation] = [
        rf.consultation(counselor, organization, household=household, subjects=[first])
        for _n in range(consultations)
    ]
    for n in range(referrals):
        sent = rf.referral(
            counselor,
            organization,
            receiving,
            household=household,
            consultation=made[n % len(made)] if made else None,
            persons=[first],
        )
        rf.accepted(sent, receiver)


def persons_named(counselor: Staff, family_name: str, count: int, start: int = 0) -> None:
    """``count`` persons of the counselor's organization called ``family_name``,
    each the head of a household of their own (the search names it), with a
    consultation whose summary names them (the search lists it too)."""
    organization = organization_of(counselor)
    for n in range(start, start + count):
        head = rf.person(
            counselor,
            organization,
            family_name=family_name,
            given_name=f"太郎{n}",
            given_name_kana="たろう",
        )
        household = rf.household(counselor, organization, head=head)
        rf.consultation(
            counselor,
            organization,
            household=household,
            subjects=[head],
            summary=f"{family_name}さん本人から、家賃の支払いについて相談。",
        )


def referrals_received(
    sender: Staff, receiver: Staff, count: int, *, accept_every: int = 2
) -> list[Referral]:
    """``count`` つなぐシート for new households, sent to the receiver's
    organization; every ``accept_every``-th one accepted (so that the inbox
    names its household)."""
    organization = organization_of(sender)
    receiving = organization_of(receiver)
    sent = []
    for n in range(count):
        household = rf.household(sender, organization)
        referral = rf.referral(sender, organization, receiving, household=household)
        if n % accept_every == 0:
            referral = rf.accepted(referral, receiver)
        sent.append(referral)
    return sent


def cases_opened(coordinator: Staff, organization: Organization, count: int) -> list[Case]:
    """``count`` cases of the coordinating section, every other one with a consent."""
    opened = []
    for n in range(count):
        household = rf.household(coordinator, organization)
        case = cf.case(coordinator, organization, household, title=f"ケース{n}")
        if n % 2 == 0:
            cf.consent(coordinator, case, covers_case_team=True)
        opened.append(case)
    return opened


def seed_000_ward(ward: Ward) -> tuple[Staff, District]:
    """Give ``ward`` the organizations and districts the seed-000 layout names,
    install that layout, and return a counselor of 高齢者あんしん相談センター富坂
    and the district 富坂 (whose records the report counts)."""
    coordinator = ward.member(Role.COORDINATOR)
    names = [f"{layout.ANSHIN}{district}" for district in layout.DISTRICTS]
    names += ["子ども家庭支援センター", "障害者基幹相談支援センター", "保健サービスセンター"]
    names += ["保健サービスセンター本郷支所", "自立相談支援窓口"]
    with tenancy.tenant_context(ward.municipality):
        districts = [
            District.objects.create(name=name, sort_order=order)
            for order, name in enumerate(layout.DISTRICTS, start=10)
        ]
        centres = [
            Organization.objects.create(name=name, kind=Organization.Kind.CENTER) for name in names
        ]
        layout.report_layout_install(actor=coordinator)
    return staff_at(ward, centres[0], Role.COUNSELOR, "tomisaka"), districts[0]


def counted_records(
    counselor: Staff, district: District, count: int, *, first_day: datetime.date
) -> None:
    """``count`` each of consultations, activity records (個別支援・直接支援 in
    ``district``) and held 支援会議 of the counselor's organization, one a day
    from ``first_day``."""
    organization = organization_of(counselor)
    for n in range(count):
        day = first_day + datetime.timedelta(days=n)
        received = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        rf.consultation(counselor, organization, received_at=received)
        with tenancy.tenant_context(counselor.municipality):
            ActivityRecord.objects.create(
                organization=organization, staff=counselor, occurred_on=day, district=district,
                category="individual", kind="individual_support", mode="direct",
                intent="関係をつくる",
            )  # fmt: skip
            meeting = Meeting.objects.create(
                title="支援会議", organization=organization, held_on=day, status=MeetingStatus.HELD
            )
            MeetingPart.objects.create(meeting=meeting, kind=Kind.SUPPORT_MEETING)
    # The activity records and meetings were written directly, not through the
    # services: the reports' monthly counts once for them all.
    rollups.rebuild(counselor.municipality_id)


def services_listed(
    counselor: Staff, district: District, count: int, start: int = 0
) -> list[Resource]:
    """``count`` resources, each with its own provider, place in ``district`` and
    a weekly schedule (the rows the directory and the HSDS export list)."""
    return [
        resource(
            counselor.municipality,
            f"居場所{n:02d}",
            district=district,
            byday="FR",
            freq=Frequency.WEEKLY,
            opens_at=datetime.time(10),
            closes_at=datetime.time(12),
            description="誰でも立ち寄れる居場所です。",
        )
        for n in range(start, start + count)
    ]
