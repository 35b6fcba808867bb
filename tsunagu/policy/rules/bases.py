"""The bases of access to residents' personal data (access.md): which
households, persons and cases a staff member reaches, and on what basis.

The ways in are rows of ``grants.Grant`` (relation tuples, as in Google's
Zanzibar): organization — or, for an emergency opening, one staff member —
→ household, case or person, under a basis, because of a record, from when
until when. :mod:`.ways` works them out from the records and the services
keep them in their own transactions, so that they follow the records at
once (a consent withdrawn, a referral rejected); time-bounded ways (a
consent's period, the 8-hour break-glass) are read against the moment of
the request. Every rule over residents' records reads its bases from the
functions here, and only here: a visible set is an indexed join on the
rows, a decision on one object one statement.

Imports the models: loaded with the rules, once the app registry is ready
(see :mod:`tsunagu.policy`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import PURPOSE_FIELDS, active_consents
from tsunagu.directory.models import Organization
from tsunagu.grants.models import Grant, Subject, in_force
from tsunagu.people.models import HouseholdMembership
from tsunagu.policy.vocabulary import BASIS_ORDER, Basis
from tsunagu.referrals.models import RECEIVER_HOLDS, Referral

#: Roles that do casework and so may hold bases to residents' records.
CASEWORK_ROLES = (Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR)


def strongest(found: dict[int, set[Basis]]) -> dict[int, Basis]:
    """Each object's strongest basis (the first of BASIS_ORDER it has); none: absent."""
    return {
        pk: next(basis for basis in BASIS_ORDER if basis in bases)
        for pk, bases in found.items()
        if bases
    }


def casework_organization_ids(staff: Staff) -> frozenset[int]:
    return staff.organization_ids(*CASEWORK_ROLES)


def _grants(staff: Staff, subject: str) -> models.QuerySet[Grant]:
    """The rows in force that give ``staff`` a way to a ``subject``: through
    their casework organizations, or their own (an emergency opening). None
    without casework: an opening outlives no casework membership either."""
    orgs = casework_organization_ids(staff)
    if not orgs:
        return Grant.all_tenants.none()
    return Grant.all_tenants.filter(
        in_force(), Q(organization_id__in=orgs) | Q(staff_id=staff.pk), subject=subject
    )


def _organization_grants(
    orgs: frozenset[int], subject: str, basis: Basis
) -> models.QuerySet[Grant]:
    return Grant.all_tenants.filter(
        in_force(), organization_id__in=orgs, subject=subject, basis=basis
    )


def emergency_household_ids(staff: Staff) -> models.QuerySet[Any]:
    """Households this staff member opened in an emergency and may still see
    (none without casework: an opening outlives no casework membership).

    The staff member's own rows only, by their index: asked together with
    the organizations' rows, SQLite walked the organization's (150 ms at the
    ward scale)."""
    if not casework_organization_ids(staff):
        return Grant.all_tenants.none().values("household_id")
    return Grant.all_tenants.filter(
        in_force(), staff_id=staff.pk, subject=Subject.HOUSEHOLD
    ).values("household_id")


def held_referrals(staff: Staff, orgs: frozenset[int]) -> models.QuerySet[Any]:
    """Referrals addressed to the staff's organizations and accepted: the receiver
    holds the household's identity and the attached records."""
    return Referral.objects.filter(to_organization_id__in=orgs, status__in=RECEIVER_HOLDS)


def consent_case_ids(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
    """Cases whose consent in force names one of ``orgs``, or the case team while
    one of them is in it (basis 3). A withdrawal, an expiry or an
    organization leaving the team stops access at once.

    Sharing is the way in, kept as grants; whether a consent in force also
    covers a 重層的支援会議 or the making of a plan is read from the consents."""
    if purpose != "information_sharing":
        return consents_covering(orgs, purpose).values("case_id")
    return _organization_grants(orgs, Subject.CASE, Basis.CONSENT).values("case_id")


def consent_member_ids(orgs: frozenset[int]) -> Any:
    """Persons a consent in force for sharing, covering one of ``orgs``, names
    as its members (a consent may leave household members out)."""
    return _organization_grants(orgs, Subject.PERSON, Basis.CONSENT).values("person_id")


def consents_covering(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
    """The consents in force for ``purpose`` that cover one of ``orgs``, from the records."""
    return (
        active_consents()
        .filter(**{PURPOSE_FIELDS[purpose]: True})
        .filter(
            models.Q(organizations__in=orgs)
            | models.Q(
                covers_case_team=True,
                case__team__organization_id__in=orgs,
                case__team__left_on=None,
            )
        )
    )


def support_meeting_case_ids(orgs: frozenset[int]) -> Any:
    """Open cases on the agenda of a 支援会議 that a pledged staff member of one of
    ``orgs`` attended (basis 4): the organization keeps access to what was put
    before the meeting until the case closes."""
    return _organization_grants(orgs, Subject.CASE, Basis.SUPPORT_MEETING).values("case_id")


def case_bases(staff: Staff, cases: list[Any]) -> dict[int, set[Basis]]:
    """Every basis this staff member has to each case (the case record itself),
    in one statement: the cases' rows, and the emergency openings of their households."""
    found: dict[int, set[Basis]] = {case.pk: set() for case in cases}
    orgs = casework_organization_ids(staff)
    if not orgs or not cases:
        return found
    by_household: dict[int, list[int]] = defaultdict(list)
    for case in cases:
        by_household[case.household_id].append(case.pk)
    rows = Grant.all_tenants.filter(in_force()).filter(
        Q(subject=Subject.CASE, case_id__in=list(found), organization_id__in=orgs)
        | Q(subject=Subject.HOUSEHOLD, staff_id=staff.pk, household_id__in=list(by_household))
    )
    for case_id, household_id, basis in rows.values_list("case_id", "household_id", "basis"):
        for pk in [case_id] if case_id is not None else by_household[household_id]:
            found[pk].add(Basis(basis))
    return found


def visible_case_condition(staff: Staff) -> models.Q:
    """The cases this staff member sees, as a condition on Case."""
    return Q(pk__in=_grants(staff, Subject.CASE).values("case_id")) | Q(
        household_id__in=emergency_household_ids(staff)
    )


def household_bases(
    staff: Staff, household_ids: list[int], include_consent: bool = True
) -> dict[int, Basis]:
    """For each household, the basis this staff member sees it under (absent:
    none), in one statement."""
    if not household_ids:
        return {}
    rows = _grants(staff, Subject.HOUSEHOLD).filter(household_id__in=household_ids)
    if not include_consent:
        rows = rows.exclude(basis=Basis.CONSENT)
    found: dict[int, set[Basis]] = {pk: set() for pk in household_ids}
    for pk, basis in rows.values_list("household_id", "basis"):
        found[pk].add(Basis(basis))
    return strongest(found)


def visible_household_ids(staff: Staff, include_consent: bool = True) -> models.QuerySet[Any]:
    """A subquery of the households this staff member may see on any basis."""
    rows = _grants(staff, Subject.HOUSEHOLD)
    if not include_consent:
        rows = rows.exclude(basis=Basis.CONSENT)
    return rows.values("household_id")


def person_bases(staff: Staff, person_ids: list[int]) -> dict[int, Basis]:
    """A person is seen under the basis of a household they belong or belonged
    to — under a consent, only if the consent names them — or of a row naming
    them (registered by the organization, named on a つなぐシート it holds, a
    consent's member). Two statements: the memberships, and the rows."""
    found: dict[int, set[Basis]] = {pk: set() for pk in person_ids}
    if not person_ids:
        return {}
    links = list(
        HouseholdMembership.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "household_id"
        )
    )
    persons_of: dict[int, list[int]] = defaultdict(list)
    for person_id, household_id in links:
        persons_of[household_id].append(person_id)
    rows = (
        Grant.all_tenants.filter(in_force())
        .filter(
            Q(subject=Subject.PERSON, person_id__in=person_ids)
            | (
                Q(subject=Subject.HOUSEHOLD, household_id__in=list(persons_of))
                & ~Q(basis=Basis.CONSENT)
            )
        )
        .filter(_grantee(staff))
    )
    for subject, person_id, household_id, basis in rows.values_list(
        "subject", "person_id", "household_id", "basis"
    ):
        for pk in [person_id] if subject == Subject.PERSON else persons_of[household_id]:
            found[pk].add(Basis(basis))
    return strongest(found)


def _grantee(staff: Staff) -> Q:
    orgs = casework_organization_ids(staff)
    if not orgs:
        return Q(pk__in=[])
    return Q(organization_id__in=orgs) | Q(staff_id=staff.pk)


def person_condition(staff: Staff) -> Q:
    """The persons this staff member may see, as a condition on Person: index
    probes from each person (a row naming them; a membership of a household
    with a row), so that search pays for the persons whose names match, not
    for the size of the municipality."""
    named = _grants(staff, Subject.PERSON).filter(person_id=OuterRef("pk"))
    way = (
        _grants(staff, Subject.HOUSEHOLD)
        .exclude(basis=Basis.CONSENT)
        .filter(household_id=OuterRef("household_id"))
    )
    member = HouseholdMembership.all_tenants.filter(person_id=OuterRef("pk"))
    return Q(Exists(named)) | Q(Exists(member.filter(Exists(way))))


def coordinating_organization_ids(staff: Staff) -> frozenset[int]:
    """The staff member's casework organizations that are a 多機関協働事務局."""
    orgs = casework_organization_ids(staff)
    if not orgs:
        return frozenset()
    return frozenset(
        Organization.objects.filter(pk__in=orgs, is_coordinating=True).values_list("pk", flat=True)
    )
