"""The search pre-filter's rows (``people.access``) are written by the
services with the records, from the ways the apps declare (``tsunagu.links``):
a household with a record of every declared way has every row working them
out again calls for, and each way gives the rows it says."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.cases.services import case_team_add
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.links import registry
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.services import participation_propose, profile_save
from tsunagu.people import access
from tsunagu.people.models import HouseholdAccess
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db


def _rows(ward: Ward) -> set[tuple[int, int]]:
    with tenancy.tenant_context(ward.municipality):
        return set(HouseholdAccess.objects.values_list("organization_id", "household_id"))


def test_the_services_write_every_row_the_declared_ways_call_for(ward: Ward) -> None:
    registrar, coordinator = ward.member(Role.COUNSELOR), ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        names = ["東", "西", "中央", "港", "川", "山", "森"]
        orgs = {
            name: Organization.objects.create(
                name=f"地域包括支援センター{name}", kind=Organization.Kind.CENTER
            )
            for name in names
        }
    visitor = rf.staff_at(ward, orgs["西"], Role.COUNSELOR, "visitor")
    attendee = rf.staff_at(ward, orgs["港"], Role.COUNSELOR, "attendee")
    outreach_worker = rf.staff_at(ward, orgs["川"], Role.COUNSELOR, "outreach")
    participation_worker = rf.staff_at(ward, orgs["山"], Role.COUNSELOR, "participation")
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    head = rf.person(registrar, ward.center)
    household = rf.household(registrar, ward.center, head=head)
    consultation = rf.consultation(south, ward.other_center, household=household, subjects=[head])
    rf.referral(south, ward.other_center, orgs["東"], household=household, persons=[head])
    case = cf.case(coordinator, ward.coordinating, household, consultations=[consultation])
    cf.consent(coordinator, case, organizations=[orgs["中央"]])
    meeting = cf.meeting(coordinator, ward.coordinating)
    cf.on_agenda(coordinator, meeting, case)
    cf.attend(coordinator, meeting, attendee, orgs["港"])
    with tenancy.tenant_context(ward.municipality):
        case_team_add(actor=coordinator, case=Case.objects.get(pk=case.pk), organization=orgs["森"])
        outreach_contact_record(
            actor=outreach_worker,
            organization=orgs["川"],
            household=household,
            person=head,
            visitors=[(visitor, orgs["西"])],
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            method="visit",
            result="absent",
            intent="safety",
            stage_after="none",
        )
        participation_propose(
            actor=participation_worker,
            organization=orgs["山"],
            person=head,
            resource=resource(ward.municipality, "コーヒーを淹れる会"),
            reason="関心",
        )
        profile_save(
            actor=participation_worker, organization=orgs["山"], person=head, interests=["読書"]
        )
    written = _rows(ward)
    expected = {
        ward.center: "registered the household",
        ward.other_center: "took the consultation, sent the referral",
        orgs["東"]: "received the referral",
        ward.coordinating: "holds the case",
        orgs["中央"]: "named by the consent",
        orgs["港"]: "attended the meeting that discussed the case",
        orgs["森"]: "joined the case team",
        orgs["川"]: "made the outreach contact",
        orgs["西"]: "visited with it",
        orgs["山"]: "supports the participation and keeps the profile",
    }
    assert written == {(org.pk, household.pk) for org in expected}
    # Worked out again from every record, from nothing: the same rows.
    HouseholdAccess.all_tenants.all().delete()
    access.rebuild(ward.municipality.pk)
    assert _rows(ward) == written


def test_every_way_is_declared_with_a_household_and_organizations() -> None:
    assert registry.ways
    for link in registry.ways:
        assert link.kind != "person" and link.organizations, link
