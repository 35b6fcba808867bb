"""The ways in, worked out from the records: the bases of access.md as queries.

Each function below is one rule, read over a :class:`Scope` (a whole
municipality, or the rows of some households and persons) and giving
:class:`Way` tuples. ``services.refresh`` writes what they give for the
households and persons a service touched; ``services.check`` works out a
whole municipality and compares. The policy reads only the rows
(``tsunagu.policy``), and what a basis allows stays decided there.

- **自機関の記録** (own organization): every record an app declares as an
  organization's own about a household (``links.py``: the household's
  registration, consultations, つなぐシート sent, outreach contacts and their
  visitors, participation); and the persons an organization registered.
- **つなぎ** (referral): a つなぐシート accepted by its receiver (and held
  after: in progress, on hold, completed, failed) gives the receiver its
  household and the persons it names — as 多機関協働事務局 where the
  receiver coordinates.
- **多機関協働事務局** (coordinator): the section holding a case, to the case
  and its household.
- **本人同意** (consent): a consent in force for information sharing, to the
  organizations it names and, where it covers the case team, to the team's
  present members: the case, its household, and the household members it
  names; from the consent's first day to the end of its last.
- **支援会議** (§106-6): an open case on the agenda of a 支援会議 not cancelled,
  to each organization with a pledged attendee who is not a guest, until the
  case closes.
- **緊急時の閲覧** (emergency): the staff member who opened a household, for
  the opening's hours.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from tsunagu.cases.models import OPEN_STAGES, Case, CaseTeamMember, Consent
from tsunagu.grants.models import Subject
from tsunagu.links import registry
from tsunagu.meetings.models import AgendaItem, Attendee
from tsunagu.meetings.models import Kind as MeetingKind
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.models import EmergencyAccess, Person
from tsunagu.policy.vocabulary import Basis
from tsunagu.referrals.models import RECEIVER_HOLDS, Referral


class Way(NamedTuple):
    """One row of ``grants.Grant``, as its values (the comparison key)."""

    subject: str
    organization_id: int | None
    staff_id: int | None
    household_id: int | None
    case_id: int | None
    person_id: int | None
    basis: str
    source: str
    source_id: int
    valid_from: datetime.datetime | None = None
    valid_until: datetime.datetime | None = None


FIELDS = Way._fields


@dataclass(frozen=True)
class Scope:
    """The rows to work out: a municipality's, all of them (``households``
    None) or those of some households, with the persons' rows that concern
    no household (a person registered alone, named on a つなぐシート without
    one) for ``persons``."""

    municipality_id: int
    households: frozenset[int] | None = None
    persons: frozenset[int] = frozenset()

    @property
    def whole(self) -> bool:
        return self.households is None

    def records(
        self,
        queryset: QuerySet[Any],
        household: str,
        person: str = "",
        municipality: str = "municipality_id",
    ) -> QuerySet[Any]:
        """``queryset``'s records in scope, ``household`` (and ``person``) the
        lookups from them to the household (and the person) their row concerns."""
        queryset = queryset.filter(**{municipality: self.municipality_id})
        if self.households is None:
            return queryset
        condition = Q(**{f"{household}__in": self.households})
        if person:
            condition |= Q(**{f"{household}__isnull": True, f"{person}__in": self.persons})
        return queryset.filter(condition)

    def holds(self, way: Way) -> bool:
        if self.households is None:
            return True
        if way.household_id is not None:
            return way.household_id in self.households
        return way.person_id in self.persons

    def grants(self) -> Q:
        """The same rows, as a condition on ``Grant``."""
        condition = Q(municipality_id=self.municipality_id)
        if self.households is None:
            return condition
        return condition & (
            Q(household_id__in=self.households)
            | Q(household__isnull=True, person_id__in=self.persons)
        )


def derive(scope: Scope) -> set[Way]:
    """Every way the records in ``scope`` give."""
    found: set[Way] = set()
    for rule in RULES:
        found.update(way for way in rule(scope) if scope.holds(way))
    return found


def _start(day: datetime.date | None) -> datetime.datetime | None:
    """The first moment of ``day`` in the municipality's time (Japan)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _end(day: datetime.date | None) -> datetime.datetime | None:
    """The moment after ``day`` ends: a consent valid until a date covers all of it."""
    if day is None:
        return None
    return _start(day + datetime.timedelta(days=1))


def own_records(scope: Scope) -> Iterator[Way]:
    """自機関の記録: the first record of each kind an organization keeps about a household."""
    for link in registry.household_links:
        household = "pk" if link.is_self else link.household_path
        for organization in link.own:
            rows = (
                scope.records(link.model_class._base_manager.all(), household)
                .filter(**{f"{organization}__isnull": False, f"{household}__isnull": False})
                .order_by()
                .values_list(organization, household)
                .annotate(first=Min("pk"))
            )
            for org, household_id, first in rows:
                yield Way(
                    Subject.HOUSEHOLD, org, None, household_id, None, None,
                    Basis.OWN_ORGANIZATION, link.model, first,
                )  # fmt: skip


def registered_persons(scope: Scope) -> Iterator[Way]:
    """自機関の記録: the persons an organization registered."""
    persons = Person._base_manager.filter(
        municipality_id=scope.municipality_id, registered_by__isnull=False
    )
    if not scope.whole:
        persons = persons.filter(pk__in=scope.persons)
    for pk, org in persons.values_list("pk", "registered_by_id"):
        yield Way(
            Subject.PERSON, org, None, None, None, pk,
            Basis.OWN_ORGANIZATION, "people.Person", pk,
        )  # fmt: skip


def _held_basis(coordinating: bool) -> Basis:
    return Basis.COORDINATOR if coordinating else Basis.REFERRAL


def held_referrals(scope: Scope) -> Iterator[Way]:
    """つなぎ: the household of a つなぐシート its receiver accepted, and the persons it names."""
    held = Referral._base_manager.filter(status__in=RECEIVER_HOLDS)
    rows = (
        scope.records(held, "household")
        .filter(household__isnull=False)
        .order_by()
        .values_list("to_organization_id", "household_id", "to_organization__is_coordinating")
        .annotate(first=Min("pk"))
    )
    for org, household_id, coordinating, first in rows:
        yield Way(
            Subject.HOUSEHOLD, org, None, household_id, None, None,
            _held_basis(coordinating), "referrals.Referral", first,
        )  # fmt: skip
    named = Referral.persons.through._default_manager.filter(referral__status__in=RECEIVER_HOLDS)
    rows = (
        scope.records(
            named, "referral__household", "person", municipality="referral__municipality_id"
        )
        .order_by()
        .values_list(
            "referral__to_organization_id",
            "person_id",
            "referral__household_id",
            "referral__to_organization__is_coordinating",
        )
        .annotate(first=Min("referral_id"))
    )
    for org, person_id, household_id, coordinating, first in rows:
        yield Way(
            Subject.PERSON, org, None, household_id, None, person_id,
            _held_basis(coordinating), "referrals.Referral", first,
        )  # fmt: skip


def held_cases(scope: Scope) -> Iterator[Way]:
    """多機関協働事務局: the section holding a case, to the case and its household."""
    first: dict[tuple[int, int], int] = {}
    for pk, org, household_id in (
        scope.records(Case._base_manager.all(), "household")
        .order_by("pk")
        .values_list("pk", "organization_id", "household_id")
    ):
        yield Way(
            Subject.CASE, org, None, household_id, pk, None,
            Basis.COORDINATOR, "cases.Case", pk,
        )  # fmt: skip
        first.setdefault((org, household_id), pk)
    for (org, household_id), pk in first.items():
        yield Way(
            Subject.HOUSEHOLD, org, None, household_id, None, None,
            Basis.COORDINATOR, "cases.Case", pk,
        )  # fmt: skip


def consents(scope: Scope) -> Iterator[Way]:
    """本人同意: a consent for information sharing, neither withdrawn nor
    archived, over its period, to the organizations it covers."""
    given = scope.records(
        Consent._base_manager.filter(
            withdrawn_at=None, archived_at=None, for_information_sharing=True
        ),
        "case__household",
    )
    rows = list(
        given.values_list(
            "pk", "case_id", "case__household_id", "valid_from", "valid_until", "covers_case_team"
        )
    )
    if not rows:
        return
    ids = [row[0] for row in rows]
    named: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, org in Consent.organizations.through._default_manager.filter(
        consent_id__in=ids
    ).values_list("consent_id", "organization_id"):
        named[pk].add(org)
    team: dict[int, set[int]] = {}
    for case_id, org in CaseTeamMember._base_manager.filter(
        case_id__in={row[1] for row in rows if row[5]}, left_on=None
    ).values_list("case_id", "organization_id"):
        team.setdefault(case_id, set()).add(org)
    members: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, person_id in Consent.members.through._default_manager.filter(
        consent_id__in=ids
    ).values_list("consent_id", "person_id"):
        members[pk].add(person_id)
    for pk, case_id, household_id, valid_from, valid_until, covers_team in rows:
        window = (_start(valid_from), _end(valid_until))
        covered = named[pk] | (team.get(case_id, set()) if covers_team else set())
        for org in covered:
            yield Way(
                Subject.CASE, org, None, household_id, case_id, None,
                Basis.CONSENT, "cases.Consent", pk, *window,
            )  # fmt: skip
            yield Way(
                Subject.HOUSEHOLD, org, None, household_id, None, None,
                Basis.CONSENT, "cases.Consent", pk, *window,
            )  # fmt: skip
            for person_id in members[pk]:
                yield Way(
                    Subject.PERSON, org, None, household_id, None, person_id,
                    Basis.CONSENT, "cases.Consent", pk, *window,
                )  # fmt: skip


def support_meetings(scope: Scope) -> Iterator[Way]:
    """支援会議: an open case on the agenda of a 支援会議 not cancelled, to each
    organization a pledged attendee (not a guest) came from."""
    items = list(
        scope.records(
            AgendaItem._base_manager.filter(
                part__kind=MeetingKind.SUPPORT_MEETING, case__stage__in=OPEN_STAGES
            ).exclude(part__meeting__status=MeetingStatus.CANCELLED),
            "case__household",
        )
        .order_by("pk")
        .values_list("pk", "case_id", "case__household_id", "part__meeting_id")
    )
    if not items:
        return
    attending: dict[int, set[int]] = {}
    for meeting_id, org in Attendee._base_manager.filter(
        meeting_id__in={item[3] for item in items},
        pledged_at__isnull=False,
        is_guest=False,
        organization__isnull=False,
    ).values_list("meeting_id", "organization_id"):
        attending.setdefault(meeting_id, set()).add(org)
    cases: dict[tuple[int, int, int], int] = {}
    households: dict[tuple[int, int], int] = {}
    for pk, case_id, household_id, meeting_id in items:
        for org in attending.get(meeting_id, ()):
            cases.setdefault((org, case_id, household_id), pk)
            households.setdefault((org, household_id), pk)
    for (org, case_id, household_id), pk in cases.items():
        yield Way(
            Subject.CASE, org, None, household_id, case_id, None,
            Basis.SUPPORT_MEETING, "meetings.AgendaItem", pk,
        )  # fmt: skip
    for (org, household_id), pk in households.items():
        yield Way(
            Subject.HOUSEHOLD, org, None, household_id, None, None,
            Basis.SUPPORT_MEETING, "meetings.AgendaItem", pk,
        )  # fmt: skip


def emergency_openings(scope: Scope) -> Iterator[Way]:
    """緊急時の閲覧: the staff member who opened a household, for the opening's hours."""
    for pk, staff_id, household_id, opened_at, expires_at in scope.records(
        EmergencyAccess._base_manager.all(), "household"
    ).values_list("pk", "staff_id", "household_id", "opened_at", "expires_at"):
        yield Way(
            Subject.HOUSEHOLD, None, staff_id, household_id, None, None,
            Basis.EMERGENCY, "people.EmergencyAccess", pk, opened_at, expires_at,
        )  # fmt: skip


RULES = (
    own_records,
    registered_persons,
    held_referrals,
    held_cases,
    consents,
    support_meetings,
    emergency_openings,
)
