"""Merging two records of one person carries their outreach and participation
records over, and undoing the merge puts them back."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.services import participation_propose, profile_save
from tsunagu.people.services import person_merge, person_merge_undo
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db


def test_merge_moves_outreach_and_participation_and_undo_restores(ward):
    csw = ward.member(Role.COUNSELOR)
    survivor = rf.person(csw, ward.center, family_name="髙橋", given_name="優")
    absorbed = rf.person(csw, ward.center, family_name="高橋", given_name="優")
    household = rf.household(csw, ward.center, head=absorbed)
    cafe = resource(ward.municipality, "コーヒーを淹れる会")
    with tenancy.tenant_context(ward.municipality):
        contact = outreach_contact_record(
            actor=csw,
            organization=ward.center,
            household=household,
            person=absorbed,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            method="visit",
            result="absent",
            intent="safety",
            stage_after="none",
        )
        path = participation_propose(
            actor=csw, organization=ward.center, person=absorbed, resource=cafe, reason="関心"
        )
        survivor_profile = profile_save(
            actor=csw, organization=ward.center, person=survivor, interests=["読書"]
        )
        absorbed_profile = profile_save(
            actor=csw, organization=ward.center, person=absorbed, interests=["コーヒー"]
        )
        merge = person_merge(actor=csw, survivor=survivor, absorbed=absorbed, reason="同一人物")
        for record in (contact, path, survivor_profile, absorbed_profile):
            record.refresh_from_db()
        assert contact.person_id == survivor.pk and path.person_id == survivor.pk
        # The survivor keeps its own profile; the other stays with the merged record.
        assert survivor_profile.person_id == survivor.pk
        assert absorbed_profile.person_id == absorbed.pk
        person_merge_undo(actor=csw, merge=merge, reason="別人だった")
        contact.refresh_from_db()
        path.refresh_from_db()
        assert contact.person_id == absorbed.pk and path.person_id == absorbed.pk
