"""Residents' records for tests, made through the services (so keys, histories
and audit events are what the product would make).

Every helper works for the actor's municipality by itself: callers need no
``tenant_context`` around it. All names, addresses and dates are made up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    Consulter,
    Outcome,
    Topic,
)
from tsunagu.consultations.services import consultation_create
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.people.models import Household, Person
from tsunagu.people.services import household_create, household_member_add, person_create
from tsunagu.referrals.models import Reason, Referral, SharedItem, SharingBasis, Status
from tsunagu.referrals.services import referral_create, referral_transition
from tsunagu.tests.factories import StaffFactory, Ward, add_member


def staff_at(ward: Ward, organization: Organization, role: str, username: str) -> Staff:
    """A new staff member of ``ward`` holding ``role`` at ``organization``."""
    staff = StaffFactory(municipality=ward.municipality, username=username)
    add_member(staff, organization, role)
    return staff


def person(actor: Staff, organization: Organization, **fields: Any) -> Person:
    """A person registered by ``organization`` (鈴木 花子 unless told otherwise)."""
    values: dict[str, Any] = {
        "family_name": "鈴木",
        "given_name": "花子",
        "family_name_kana": "すずき",
        "given_name_kana": "はなこ",
        "birth_date": date(1950, 4, 1),
        "address": "テスト区北町1-2-3",
    }
    values.update(fields)
    with tenancy.tenant_context(actor.municipality):
        return person_create(actor=actor, organization=organization, person=Person(**values))


def household(
    actor: Staff,
    organization: Organization,
    head: Person | None = None,
    members: Iterable[tuple[Person, str]] = (),
    **fields: Any,
) -> Household:
    """A household registered by ``organization`` with ``head`` (a new person if
    none) and further ``(person, relationship)`` members."""
    head = head or person(actor, organization)
    with tenancy.tenant_context(actor.municipality):
        created = household_create(
            actor=actor, organization=organization, household=Household(**fields), head=head
        )
        for member, relationship in members:
            household_member_add(
                actor=actor, household=created, person=member, relationship=relationship
            )
    return created


def consultation(
    actor: Staff,
    organization: Organization,
    household: Household | None = None,
    subjects: Iterable[Person] = (),
    topics: Iterable[str] = (),
    **fields: Any,
) -> Consultation:
    """A consultation received by ``organization`` (about ``household``, if given)."""
    values: dict[str, Any] = {
        "received_by": actor,
        "channel": Channel.PHONE,
        "consulter": Consulter.FAMILY,
        "main_topic": Topic.CARE,
        "summary": "長女から、母の物忘れが増えたとの相談。",
        "consent_to_share": ConsentToShare.OBTAINED,
        "outcome": Outcome.REFER,
        "household": household,
    }
    values.update(fields)
    if values["household"] is None and not subjects and "unknown_subject" not in fields:
        values["unknown_subject"] = "北町の2階に住む高齢の方"
    with tenancy.tenant_context(actor.municipality):
        return consultation_create(
            actor=actor,
            organization=organization,
            consultation=Consultation(**values),
            topics=topics,
            subjects=subjects,
        )


def referral(
    actor: Staff,
    from_organization: Organization,
    to_organization: Organization,
    household: Household | None = None,
    consultation: Consultation | None = None,
    persons: Iterable[Person] = (),
    send: bool = True,
    **fields: Any,
) -> Referral:
    """A つなぐシート from ``from_organization`` to ``to_organization``, sent unless ``send=False``."""
    values: dict[str, Any] = {
        "to_organization": to_organization,
        "household": household,
        "consultation": consultation,
        "request": "介護保険の申請について相談に乗ってください。",
        "shared_summary": "母の物忘れが増え、長女が介護に悩んでいる。",
        "shared_items": [SharedItem.IDENTITY, SharedItem.CONSULTATION],
        "sharing_basis": SharingBasis.CONSENT,
        "due_on": timezone.localdate() + timedelta(days=14),
    }
    values.update(fields)
    with tenancy.tenant_context(actor.municipality):
        return referral_create(
            actor=actor,
            organization=from_organization,
            referral=Referral(**values),
            persons=persons,
            send=send,
        )


#: A reason and a note good enough for any change of state (tests that check
#: the requirements themselves pass their own).
DEFAULT_REASON = Reason.OTHER
DEFAULT_NOTE = "対応の結果を報告します。"


def transition(
    actor: Staff,
    organization: Organization,
    referral: Referral,
    to_status: str,
    reason: str = DEFAULT_REASON,
    note: str = DEFAULT_NOTE,
    version: int | None = None,
) -> Referral:
    """Change ``referral``'s state as ``organization``'s staff member ``actor``
    (at its current version unless ``version`` is given)."""
    with tenancy.tenant_context(actor.municipality):
        if version is None:
            version = Referral.objects.values_list("version", flat=True).get(pk=referral.pk)
        return referral_transition(
            actor=actor,
            organization=organization,
            referral=referral,
            to_status=to_status,
            version=version,
            reason=reason,
            note=note,
        )


def accepted(referral: Referral, receiver: Staff) -> Referral:
    """``referral`` accepted by ``receiver`` for its addressee."""
    return transition(receiver, referral.to_organization, referral, Status.ACCEPTED)
