"""Households and their history; merging two records of one person and undoing it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations.models import ConsultationSubject
from tsunagu.core import tenancy
from tsunagu.people.models import (
    HouseholdMembership,
    Person,
    PersonMerge,
    Relationship,
)
from tsunagu.people.services import (
    household_member_add,
    household_member_end,
    person_merge,
    person_merge_undo,
)
from tsunagu.referrals.models import Referral
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def memberships_of(ward: Ward, person: Person) -> list[HouseholdMembership]:
    with tenancy.tenant_context(ward.municipality):
        return list(HouseholdMembership.objects.filter(person=person).order_by("pk"))


def audit_events(ward: Ward, obj: object, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            municipality=ward.municipality,
            object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(obj.pk),  # type: ignore[attr-defined]
            action=action,
        ).order_by("id")
    )


# ---------------------------------------------------------------------------
# Households.


def test_a_household_is_created_with_its_head(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    head = make.person(counselor, ward.center, family_name="山田", given_name="一郎")
    household = make.household(counselor, ward.center, head=head)
    assert household.registered_by == ward.center
    assert household.label == "山田　一郎"
    assert household.address == head.address
    [membership] = memberships_of(ward, head)
    assert (membership.household, membership.relationship, membership.is_current) == (
        household,
        Relationship.HEAD,
        True,
    )
    assert membership.recorded_by == counselor
    assert audit_events(ward, household, "create")


def test_members_are_added_with_their_relationship(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    head = make.person(counselor, ward.center, family_name="山田", given_name="一郎")
    spouse = make.person(counselor, ward.center, family_name="山田", given_name="花子")
    household = make.household(
        counselor, ward.center, head=head, members=[(spouse, Relationship.SPOUSE)]
    )
    with tenancy.tenant_context(ward.municipality):
        current = list(
            household.memberships.filter(ended_on__isnull=True).values_list(
                "person_id", "relationship"
            )
        )
        with pytest.raises(ValidationError, match="すでにこの世帯の世帯員です"):
            household_member_add(
                actor=counselor,
                household=household,
                person=spouse,
                relationship=Relationship.SPOUSE,
            )
    assert sorted(current) == sorted(
        [(head.pk, Relationship.HEAD), (spouse.pk, Relationship.SPOUSE)]
    )
    changes = audit_events(ward, household, "change")
    assert any(e.detail.get("member_added") == spouse.pk for e in changes)


def test_moving_to_another_household_keeps_the_old_membership_ended(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    mother = make.person(counselor, ward.center, family_name="佐藤", given_name="和子")
    son = make.person(counselor, ward.center, family_name="佐藤", given_name="健")
    old = make.household(counselor, ward.center, head=son, members=[(mother, Relationship.PARENT)])
    new = make.household(
        counselor,
        ward.center,
        head=make.person(counselor, ward.center, family_name="田中", given_name="恵"),
    )
    moved_on = timezone.localdate() - timedelta(days=3)
    with tenancy.tenant_context(ward.municipality):
        household_member_add(
            actor=counselor,
            household=new,
            person=son,
            relationship=Relationship.HOUSEMATE,
            started_on=moved_on,
            reason="転居",
        )
        old.refresh_from_db()
    before, after = memberships_of(ward, son)
    assert before.household == old and after.household == new
    assert (before.ended_on, before.end_reason) == (moved_on, "転居")
    assert after.is_current and after.started_on == moved_on
    # The old household is now known by the member who stayed.
    assert old.label == "佐藤　和子"
    move = audit_events(ward, new, "change")[-1]
    assert move.detail == {"member_added": son.pk, "moved_from": old.pk}


def test_a_move_without_a_reason_records_a_default_one(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = make.person(counselor, ward.center)
    make.household(counselor, ward.center, head=person)
    make.household(counselor, ward.center, members=[(person, Relationship.PARENT)])
    before, _after = memberships_of(ward, person)
    assert before.end_reason == "別の世帯へ移動"


def test_the_database_allows_one_current_household_per_person(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = make.person(counselor, ward.center)
    make.household(counselor, ward.center, head=person)
    other = make.household(counselor, ward.center)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(IntegrityError), transaction.atomic():
            HouseholdMembership.objects.create(
                household=other, person=person, relationship=Relationship.CHILD
            )
        # Ended memberships are history and may be as many as there were moves.
        HouseholdMembership.objects.create(
            household=other,
            person=person,
            relationship=Relationship.CHILD,
            started_on=date(2001, 4, 1),
            ended_on=date(2010, 3, 31),
            end_reason="進学のため転出",
        )
    assert len(memberships_of(ward, person)) == 2


def test_ending_a_membership_needs_a_reason(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = make.person(counselor, ward.center)
    make.household(counselor, ward.center, head=person)
    [membership] = memberships_of(ward, person)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError, match="離脱の理由"):
            household_member_end(
                actor=counselor, membership=membership, ended_on=timezone.localdate(), reason=" "
            )
        household_member_end(
            actor=counselor, membership=membership, ended_on=timezone.localdate(), reason="施設入所"
        )
    [membership] = memberships_of(ward, person)
    assert membership.ended_on == timezone.localdate() and membership.end_reason == "施設入所"


# ---------------------------------------------------------------------------
# Merging.


def _links(ward: Ward, person: Person) -> dict[str, list[int]]:
    """The rows that tie ``person`` to other records, by primary key."""
    with tenancy.tenant_context(ward.municipality):
        return {
            "consultation_subjects": sorted(
                ConsultationSubject.objects.filter(person=person).values_list("pk", flat=True)
            ),
            "referral_persons": sorted(
                Referral.persons.through.objects.filter(person_id=person.pk).values_list(
                    "pk", flat=True
                )
            ),
            "memberships": sorted(
                HouseholdMembership.objects.filter(person=person).values_list("pk", flat=True)
            ),
        }


@pytest.fixture
def duplicates(ward: Ward) -> tuple[Person, Person]:
    """One person registered twice (高橋/髙橋), each record with its own history."""
    counselor = ward.member(Role.COUNSELOR)
    survivor = make.person(counselor, ward.center, family_name="高橋", given_name="正")
    absorbed = make.person(counselor, ward.center, family_name="髙橋", given_name="正")
    make.household(counselor, ward.center, head=survivor)
    lodging = make.household(counselor, ward.center)
    with tenancy.tenant_context(ward.municipality):
        household_member_add(
            actor=counselor, household=lodging, person=absorbed, relationship=Relationship.HOUSEMATE
        )
    consultation = make.consultation(counselor, ward.center, subjects=[absorbed])
    make.referral(
        counselor, ward.center, ward.other_center, consultation=consultation, persons=[absorbed]
    )
    return survivor, absorbed


def test_a_merge_moves_every_link_and_is_audited(
    ward: Ward, duplicates: tuple[Person, Person]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    survivor, absorbed = duplicates
    survivor_links, absorbed_links = _links(ward, survivor), _links(ward, absorbed)
    [lodging_membership] = [m for m in memberships_of(ward, absorbed) if m.is_current]
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物の二重登録"
        )
        absorbed.refresh_from_db()
    after = _links(ward, survivor)
    for key in after:
        assert after[key] == sorted(survivor_links[key] + absorbed_links[key]), key
    assert _links(ward, absorbed) == {
        "consultation_subjects": [],
        "referral_persons": [],
        "memberships": [],
    }
    # One person, one current household: the absorbed record's one ended.
    current = [m for m in memberships_of(ward, survivor) if m.is_current]
    assert len(current) == 1
    moved = next(m for m in memberships_of(ward, survivor) if m.pk == lodging_membership.pk)
    assert moved.ended_on == timezone.localdate() and moved.end_reason == "本人の記録の統合"
    assert absorbed.merged_into == survivor and absorbed.is_archived
    [event] = [e for e in audit_events(ward, survivor, "change") if "merged" in e.detail]
    assert event.detail == {
        "merged": absorbed.pk,
        "merge": merge.pk,
        "reason": "同一人物の二重登録",
    }
    assert event.actor == counselor


def test_undoing_a_merge_puts_the_same_rows_back(
    ward: Ward, duplicates: tuple[Person, Person]
) -> None:
    counselor, manager = ward.member(Role.COUNSELOR), ward.member(Role.ORG_MANAGER)
    survivor, absorbed = duplicates
    survivor_links, absorbed_links = _links(ward, survivor), _links(ward, absorbed)
    memberships_before = {
        m.pk: (m.person_id, m.household_id, m.ended_on, m.end_reason)
        for person in duplicates
        for m in memberships_of(ward, person)
    }
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物"
        )
        person_merge_undo(actor=manager, merge=merge, reason="別人と判明")
        absorbed.refresh_from_db()
        merge.refresh_from_db()
    assert _links(ward, survivor) == survivor_links
    assert _links(ward, absorbed) == absorbed_links
    assert {
        m.pk: (m.person_id, m.household_id, m.ended_on, m.end_reason)
        for person in duplicates
        for m in memberships_of(ward, person)
    } == memberships_before
    assert absorbed.merged_into is None and not absorbed.is_archived
    assert absorbed.archive_reason == ""
    assert (merge.undone_by, merge.undo_reason) == (manager, "別人と判明")
    assert merge.undone_at is not None
    [event] = [e for e in audit_events(ward, survivor, "change") if "merge_undone" in e.detail]
    assert event.detail["restored"] == absorbed.pk and event.actor == manager


def test_a_merge_cannot_be_undone_twice(ward: Ward, duplicates: tuple[Person, Person]) -> None:
    counselor = ward.member(Role.COUNSELOR)
    survivor, absorbed = duplicates
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物"
        )
        person_merge_undo(actor=counselor, merge=merge, reason="誤り")
        links = _links(ward, absorbed), _links(ward, survivor)
        with pytest.raises(ValidationError, match="すでに取り消されています"):
            person_merge_undo(actor=counselor, merge=merge, reason="誤り")
    assert (_links(ward, absorbed), _links(ward, survivor)) == links


def test_an_undo_needs_a_reason(ward: Ward, duplicates: tuple[Person, Person]) -> None:
    counselor = ward.member(Role.COUNSELOR)
    survivor, absorbed = duplicates
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物"
        )
        with pytest.raises(ValidationError, match="取り消しの理由"):
            person_merge_undo(actor=counselor, merge=merge, reason="")
        assert PersonMerge.objects.get(pk=merge.pk).undone_at is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("same", "同じ記録どうし"),
        ("no_reason", "統合の理由"),
        ("already_merged", "すでに統合された記録"),
    ],
)
def test_merges_that_make_no_sense_are_refused(
    ward: Ward, duplicates: tuple[Person, Person], case: str, message: str
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    survivor, absorbed = duplicates
    with tenancy.tenant_context(ward.municipality):
        if case == "same":
            call = {"survivor": survivor, "absorbed": survivor, "reason": "同一人物"}
        elif case == "no_reason":
            call = {"survivor": survivor, "absorbed": absorbed, "reason": "  "}
        else:
            third = make.person(counselor, ward.center, family_name="高橋", given_name="正")
            person_merge(actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物")
            absorbed.refresh_from_db()
            call = {"survivor": third, "absorbed": absorbed, "reason": "同一人物"}
        links = _links(ward, call["absorbed"])
        with pytest.raises(ValidationError, match=message):
            person_merge(actor=counselor, **call)
        assert _links(ward, call["absorbed"]) == links


def test_records_about_both_duplicates_can_still_be_merged(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    survivor = make.person(counselor, ward.center, family_name="高橋", given_name="正")
    absorbed = make.person(counselor, ward.center, family_name="髙橋", given_name="正")
    make.consultation(counselor, ward.center, subjects=[survivor, absorbed])
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物"
        )
        person_merge_undo(actor=counselor, merge=merge, reason="別人と判明")
    assert len(_links(ward, survivor)["consultation_subjects"]) == 1
    assert len(_links(ward, absorbed)["consultation_subjects"]) == 1
