"""Which organizations have a way to which households (``HouseholdAccess``).

Person search at a million persons cannot ask the policy about every person
whose name matches (佐藤 is 15,000 of them) nor work out the policy's whole
visible set (every household an organization ever touched). So each record
that can open a way from an organization to a household also writes one row
(organization, household), in the same transaction, and search keeps only the
persons whose households have a row for the staff member's organizations —
one index probe each — before the policy decides on them exactly.

The rows are a superset of the policy's bases, never a permission:

============================  ==============================================
record (model)                organizations written for its household
============================  ==============================================
Household                     the one that registered it
Consultation                  the one that took it
Referral                      the sender and the receiver (whatever the state)
OutreachContact / Visitor     the one that made the contact, and each visitor's
Participation / Profile       the one that supports the participation
Case                          the coordinating section that holds it
CaseTeamMember                each organization on the team
Consent.organizations         each organization a consent names
Attendee / AgendaItem         each attending organization × each case on the
                              meeting's agenda (支援会議 and the others alike)
============================  ==============================================

Rows are never deleted: a referral rejected, a consent withdrawn, a case
closed still end access at once, because the policy decides on every person
search finds. Persons registered by an organization, persons named on a
referral to it and households opened in an emergency are matched without
this table (``search_condition``).

Writers that bypass ``save()`` (the demo's and the synthetic generator's bulk
loads) call ``rebuild`` once at the end; migration ``people.0003`` filled the
table for existing data the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_save
from django.utils import timezone

#: (municipality, organization, household) → one row, each source as SQL.
_SOURCES = (
    "SELECT municipality_id, registered_by_id AS organization_id, id AS household_id"
    " FROM people_household"
    " WHERE registered_by_id IS NOT NULL",
    "SELECT municipality_id, organization_id, household_id FROM consultations_consultation"
    " WHERE household_id IS NOT NULL",
    "SELECT municipality_id, from_organization_id, household_id FROM referrals_referral"
    " WHERE household_id IS NOT NULL",
    "SELECT municipality_id, to_organization_id, household_id FROM referrals_referral"
    " WHERE household_id IS NOT NULL",
    "SELECT municipality_id, organization_id, household_id FROM outreach_outreachcontact",
    "SELECT v.municipality_id, v.organization_id, c.household_id FROM outreach_outreachvisitor v"
    " JOIN outreach_outreachcontact c ON c.id = v.contact_id",
    "SELECT municipality_id, organization_id, household_id FROM participation_participation"
    " WHERE household_id IS NOT NULL",
    "SELECT municipality_id, organization_id, household_id"
    " FROM participation_participationprofile WHERE household_id IS NOT NULL",
    "SELECT municipality_id, organization_id, household_id FROM cases_case",
    "SELECT t.municipality_id, t.organization_id, c.household_id FROM cases_caseteammember t"
    " JOIN cases_case c ON c.id = t.case_id",
    "SELECT c.municipality_id, o.organization_id, c.household_id"
    " FROM cases_consent_organizations o JOIN cases_consent k ON k.id = o.consent_id"
    " JOIN cases_case c ON c.id = k.case_id",
    "SELECT a.municipality_id, a.organization_id, c.household_id FROM meetings_attendee a"
    " JOIN meetings_meetingpart p ON p.meeting_id = a.meeting_id"
    " JOIN meetings_agendaitem i ON i.part_id = p.id"
    " JOIN cases_case c ON c.id = i.case_id WHERE a.organization_id IS NOT NULL",
)


def rebuild(municipality_id: int | None = None) -> int:
    """Write the rows every existing record calls for (one municipality, or
    all); rows already there stay. Returns the number of rows afterwards."""
    only = "" if municipality_id is None else " AND s.municipality_id = %s"
    params = [] if municipality_id is None else [municipality_id]
    union = " UNION ".join(_SOURCES)
    with connection.cursor() as cursor:
        # Constant SQL (the sources above); "WHERE true" lets SQLite read
        # ON CONFLICT after INSERT … SELECT.
        cursor.execute(
            f"""INSERT INTO people_householdaccess (municipality_id, organization_id, household_id)
                SELECT s.municipality_id, s.organization_id, s.household_id
                FROM ({union}) s WHERE true{only} ON CONFLICT DO NOTHING""",  # noqa: S608
            params,
        )
        cursor.execute(
            "SELECT COUNT(*) FROM people_householdaccess"  # noqa: S608 - constant SQL
            + ("" if municipality_id is None else " WHERE municipality_id = %s"),
            params,
        )
        return int(cursor.fetchone()[0])


def grant(rows: Iterable[tuple[int, int | None, int | None]]) -> None:
    """Record (municipality, organization, household) rows, skipping those
    without an organization or a household and those already there."""
    from tsunagu.people.models import HouseholdAccess

    wanted = {(m, o, h) for m, o, h in rows if o is not None and h is not None}
    if wanted:
        HouseholdAccess.all_tenants.bulk_create(
            [
                HouseholdAccess(municipality_id=m, organization_id=o, household_id=h)
                for m, o, h in sorted(wanted)
            ],
            ignore_conflicts=True,
        )


def search_condition(staff: Any, orgs: frozenset[int]) -> Q:
    """A condition on Person that every person ``staff`` may see meets (and
    few others): registered by their organization, a member (now or before)
    of a household their organization has a row for or that they opened in an
    emergency, or named on a referral to their organization. Each part is an
    index probe from the person, so its cost follows the persons searched,
    not the size of the municipality."""
    from tsunagu.people.models import EmergencyAccess, HouseholdAccess, HouseholdMembership
    from tsunagu.referrals.models import Referral

    member = HouseholdMembership.objects.filter(person_id=OuterRef("pk"))
    emergency = EmergencyAccess.objects.filter(staff=staff, expires_at__gt=timezone.now()).values(
        "household_id"
    )
    condition: Any = Exists(member.filter(household_id__in=emergency))
    if orgs:
        # By household and organization alone: the household comes from the
        # current municipality's memberships, and a tenant condition here
        # makes PostgreSQL combine the municipality's index with the unique
        # one for every person (1.5 ms a probe instead of microseconds).
        way = HouseholdAccess.all_tenants.filter(
            household_id=OuterRef("household_id"), organization_id__in=orgs
        )
        named = Referral.persons.through.objects.filter(
            person_id=OuterRef("pk"), referral__to_organization_id__in=orgs
        )
        condition = (
            Q(registered_by_id__in=orgs)
            | Exists(member.filter(Exists(way)))
            | condition
            | Exists(named)
        )
    return Q(condition)


# ---------------------------------------------------------------------------
# Writing the rows with the records (post_save: inside the writer's transaction).


def _household_of_case(case_id: int | None) -> int | None:
    from tsunagu.cases.models import Case

    if case_id is None:
        return None
    return Case.all_tenants.filter(pk=case_id).values_list("household_id", flat=True).first()


def _on_household(instance: Any, **_: Any) -> None:
    grant([(instance.municipality_id, instance.registered_by_id, instance.pk)])


def _on_record(instance: Any, **_: Any) -> None:
    """A record with its own ``organization`` and ``household``."""
    grant([(instance.municipality_id, instance.organization_id, instance.household_id)])


def _on_referral(instance: Any, **_: Any) -> None:
    m, h = instance.municipality_id, instance.household_id
    grant([(m, instance.from_organization_id, h), (m, instance.to_organization_id, h)])


def _on_visitor(instance: Any, **_: Any) -> None:
    from tsunagu.outreach.models import OutreachContact

    household = (
        OutreachContact.all_tenants.filter(pk=instance.contact_id)
        .values_list("household_id", flat=True)
        .first()
    )
    grant([(instance.municipality_id, instance.organization_id, household)])


def _on_team_member(instance: Any, **_: Any) -> None:
    grant(
        [
            (
                instance.municipality_id,
                instance.organization_id,
                _household_of_case(instance.case_id),
            )
        ]
    )


def _on_consent_organizations(
    instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_: Any
) -> None:
    if action != "post_add" or not pk_set:
        return
    from tsunagu.cases.models import Consent

    if reverse:  # organization.consents.add(consent, …)
        pairs = Consent.all_tenants.filter(pk__in=pk_set).values_list(
            "municipality_id", "case__household_id"
        )
        grant([(m, instance.pk, h) for m, h in pairs])
    else:
        household = _household_of_case(instance.case_id)
        grant([(instance.municipality_id, org, household) for org in pk_set])


def _meeting_pairs(meeting_id: int) -> list[tuple[int, int | None, int | None]]:
    from tsunagu.meetings.models import AgendaItem, Attendee

    organizations = set(
        Attendee.all_tenants.filter(meeting_id=meeting_id, organization__isnull=False).values_list(
            "municipality_id", "organization_id"
        )
    )
    households = set(
        AgendaItem.all_tenants.filter(part__meeting_id=meeting_id, case__isnull=False).values_list(
            "case__household_id", flat=True
        )
    )
    return [(m, o, h) for m, o in organizations for h in households]


def _on_attendee(instance: Any, **_: Any) -> None:
    grant(_meeting_pairs(instance.meeting_id))


def _on_agenda_item(instance: Any, **_: Any) -> None:
    from tsunagu.meetings.models import MeetingPart

    meeting_id = (
        MeetingPart.all_tenants.filter(pk=instance.part_id)
        .values_list("meeting_id", flat=True)
        .first()
    )
    if meeting_id is not None:
        grant(_meeting_pairs(meeting_id))


def connect() -> None:
    """Called from ``PeopleConfig.ready``."""
    receivers: list[tuple[Any, str]] = [
        (_on_household, "people.Household"),
        (_on_record, "consultations.Consultation"),
        (_on_referral, "referrals.Referral"),
        (_on_record, "outreach.OutreachContact"),
        (_on_visitor, "outreach.OutreachVisitor"),
        (_on_record, "participation.Participation"),
        (_on_record, "participation.ParticipationProfile"),
        (_on_record, "cases.Case"),
        (_on_team_member, "cases.CaseTeamMember"),
        (_on_attendee, "meetings.Attendee"),
        (_on_agenda_item, "meetings.AgendaItem"),
    ]
    for receiver, sender in receivers:
        post_save.connect(
            receiver, sender=sender, weak=False, dispatch_uid=f"household_access:{sender}"
        )
    from tsunagu.cases.models import Consent

    m2m_changed.connect(
        _on_consent_organizations,
        sender=Consent.organizations.through,
        weak=False,
        dispatch_uid="household_access:consent_organizations",
    )
