"""The bases of access to residents' personal data (access.md): which
households, persons and cases a staff member reaches, and on what basis.

Access is decided household by household from the records themselves, so
that it follows them at once (a referral rejected, an emergency opening
expired): nothing is granted by a flag that could be forgotten. Every rule
over residents' records reads its bases from the functions here, and only
here, so that how a basis is found can change in one place.

Imports the models: loaded with the rules, once the app registry is ready
(see :mod:`tsunagu.policy`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import OPEN_STAGES, PURPOSE_FIELDS, Case, active_consents
from tsunagu.directory.models import Organization
from tsunagu.links import registry
from tsunagu.meetings.models import AgendaItem
from tsunagu.meetings.models import Kind as MeetingKind
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.models import EmergencyAccess, Household
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


def emergency_household_ids(staff: Staff) -> models.QuerySet[Any]:
    """Households this staff member opened in an emergency and may still see."""
    if not casework_organization_ids(staff):
        # An opening outlives no casework membership: a counselor who became a
        # manager or left the organization keeps no emergency basis.
        return EmergencyAccess.objects.none().values("household_id")
    return EmergencyAccess.objects.filter(staff=staff, expires_at__gt=timezone.now()).values(
        "household_id"
    )


def held_referrals(staff: Staff, orgs: frozenset[int]) -> models.QuerySet[Any]:
    """Referrals addressed to the staff's organizations and accepted: the receiver
    holds the household's identity and the attached records."""
    return Referral.objects.filter(to_organization_id__in=orgs, status__in=RECEIVER_HOLDS)


def consent_case_ids(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
    """Cases whose consent in force names one of ``orgs``, or the case team while
    one of them is in it (basis 3). Read at every request: a withdrawal, an
    expiry or an organization leaving the team stops access at once."""
    return consents_covering(orgs, purpose).values("case_id")


def consent_member_ids(orgs: frozenset[int]) -> Any:
    """Persons a consent in force for sharing, covering one of ``orgs``, names
    as its members (a consent may leave household members out)."""
    return consents_covering(orgs).values("members")


def consents_covering(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
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
    return (
        AgendaItem.objects.filter(
            part__kind=MeetingKind.SUPPORT_MEETING,
            part__meeting__attendees__organization_id__in=orgs,
            part__meeting__attendees__pledged_at__isnull=False,
            part__meeting__attendees__is_guest=False,
            case__stage__in=OPEN_STAGES,
        )
        .exclude(part__meeting__status=MeetingStatus.CANCELLED)
        .values("case_id")
    )


def case_bases(staff: Staff, cases: list[Any]) -> dict[int, set[Basis]]:
    """Every basis this staff member has to each case (the case record itself)."""
    orgs = casework_organization_ids(staff)
    ids = [case.pk for case in cases]
    found: dict[int, set[Basis]] = {pk: set() for pk in ids}
    if orgs and ids:
        for case in cases:
            if case.organization_id in orgs:
                found[case.pk].add(Basis.COORDINATOR)
        for pk in Case.objects.filter(pk__in=ids, id__in=consent_case_ids(orgs)).values_list(
            "pk", flat=True
        ):
            found[pk].add(Basis.CONSENT)
        for pk in Case.objects.filter(
            pk__in=ids, id__in=support_meeting_case_ids(orgs)
        ).values_list("pk", flat=True):
            found[pk].add(Basis.SUPPORT_MEETING)
    emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
    for case in cases:
        if case.household_id in emergency:
            found[case.pk].add(Basis.EMERGENCY)
    return found


def visible_case_condition(staff: Staff) -> models.Q:
    """The cases this staff member sees, as a condition on Case."""
    orgs = casework_organization_ids(staff)
    condition = models.Q(household_id__in=emergency_household_ids(staff))
    if orgs:
        condition |= (
            models.Q(organization_id__in=orgs)
            | models.Q(pk__in=consent_case_ids(orgs))
            | models.Q(pk__in=support_meeting_case_ids(orgs))
        )
    return condition


def household_bases(
    staff: Staff, household_ids: list[int], include_consent: bool = True
) -> dict[int, Basis]:
    """For each household, the basis this staff member sees it under (absent: none)."""
    orgs = casework_organization_ids(staff)
    found: dict[int, set[Basis]] = {pk: set() for pk in household_ids}
    if not household_ids:
        return {}
    if orgs:
        own: set[int] = set()
        for link in _own_links():
            own |= _own_households(link, orgs, household_ids)
        for pk in own:
            found[pk].add(Basis.OWN_ORGANIZATION)
        for pk, coordinating in (
            held_referrals(staff, orgs)
            .filter(household_id__in=household_ids)
            .values_list("household_id", "to_organization__is_coordinating")
        ):
            found[pk].add(Basis.COORDINATOR if coordinating else Basis.REFERRAL)
        cases = Case.objects.filter(household_id__in=household_ids)
        for pk in cases.filter(organization_id__in=orgs).values_list("household_id", flat=True):
            found[pk].add(Basis.COORDINATOR)
        # The consents and meetings of these households' cases, then whether
        # they cover ``orgs`` — not every case any consent or meeting of
        # ``orgs`` covers, worked out whole (20 ms a household at 20,000 cases).
        if include_consent:
            for pk in (
                consents_covering(orgs)
                .filter(case__household_id__in=household_ids)
                .values_list("case__household_id", flat=True)
            ):
                found[pk].add(Basis.CONSENT)
        for pk in (
            support_meeting_case_ids(orgs)
            .filter(case__household_id__in=household_ids)
            .values_list("case__household_id", flat=True)
        ):
            found[pk].add(Basis.SUPPORT_MEETING)
    for pk in (
        emergency_household_ids(staff)
        .filter(household_id__in=household_ids)
        .values_list("household_id", flat=True)
    ):
        found[pk].add(Basis.EMERGENCY)
    return strongest(found)


def _own_links() -> tuple[Any, ...]:
    """The records that are an organization's own about a household (basis 1),
    as their apps declare them (``tsunagu.links``: the household's
    registration, consultations, referrals sent, outreach contacts and their
    visits, participation paths and profiles)."""
    return tuple(link for link in registry.household_links if link.own)


def _own_households(link: Any, orgs: frozenset[int], household_ids: list[int]) -> set[int]:
    """Which of ``household_ids`` a record of ``link`` that is one of ``orgs``'s own ties to.

    By household only, the organization checked here: given both, SQLite
    walks the organization's index (every consultation it ever took, 70 ms at
    the ward scale) instead of these households' few records."""
    household = "pk" if link.is_self else link.household_path
    rows = (
        link.model_class._default_manager.filter(**{f"{household}__in": household_ids})
        .order_by()
        .values_list(household, *link.own)
        .distinct()
    )
    return {row[0] for row in rows if any(org in orgs for org in row[1:])}


def _own_household_condition(orgs: frozenset[int]) -> models.Q:
    """The households ``orgs`` have a record of their own about, as a condition on Household."""
    condition = models.Q()
    for link in _own_links():
        if link.is_self:
            for lookup in link.own:
                condition |= models.Q(**{f"{lookup}__in": orgs})
            continue
        records = models.Q()
        for lookup in link.own:
            records |= models.Q(**{f"{lookup}__in": orgs})
        condition |= models.Q(
            pk__in=link.model_class._default_manager.filter(
                records, **{f"{link.household_path}__isnull": False}
            ).values(link.household_path)
        )
    return condition


def visible_household_ids(staff: Staff, include_consent: bool = True) -> models.QuerySet[Any]:
    """A subquery of the households this staff member may see on any basis."""
    orgs = casework_organization_ids(staff)
    condition = models.Q(pk__in=emergency_household_ids(staff))
    if orgs:
        condition |= _own_household_condition(orgs) | models.Q(
            pk__in=held_referrals(staff, orgs).values("household_id")
        )
        cases = models.Q(organization_id__in=orgs) | models.Q(pk__in=support_meeting_case_ids(orgs))
        if include_consent:
            cases |= models.Q(pk__in=consent_case_ids(orgs))
        condition |= models.Q(pk__in=Case.objects.filter(cases).values("household_id"))
    return Household.objects.filter(condition).values("pk")


def coordinating_organization_ids(staff: Staff) -> frozenset[int]:
    """The staff member's casework organizations that are a 多機関協働事務局."""
    orgs = casework_organization_ids(staff)
    if not orgs:
        return frozenset()
    return frozenset(
        Organization.objects.filter(pk__in=orgs, is_coordinating=True).values_list("pk", flat=True)
    )
