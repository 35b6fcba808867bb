"""Which organizations have a way to which households (``HouseholdAccess``).

Person search at a million persons cannot ask the policy about every person
whose name matches (佐藤 is 15,000 of them) nor work out the policy's whole
visible set (every household an organization ever touched). So each record
that can open a way from an organization to a household also writes one row
(organization, household), in the same transaction, and search keeps only the
persons whose households have a row for the staff member's organizations —
one index probe each — before the policy decides on them exactly.

The rows are a superset of the policy's bases, never a permission. Which
records open a way, and to which organizations, each app declares in its
``links.py`` (the ``organizations`` of its links, assembled in
``tsunagu.links``): the organization that registered the household, took a
consultation, sent or received a referral (whatever its state), made an
outreach contact or visited with it, supports a participation, holds a case
or is on its team, is named by a consent, or attended a meeting (支援会議 and
the others alike) with the case on its agenda.

Rows are never deleted: a referral rejected, a consent withdrawn, a case
closed still end access at once, because the policy decides on every person
search finds. Persons registered by an organization, persons named on a
referral to it and households opened in an emergency are matched without
this table (``search_condition``).

The services that write such a record call ``record_ways`` in their own
transaction (no signal: a write that opens a way says so where it is made).
Writers that bypass the services (the synthetic generator's bulk loads) call
``rebuild`` once at the end; migration ``people.0003`` filled the table for
existing data the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tsunagu.core.links import Link, attname
from tsunagu.links import registry


def _household_lookup(link: Link) -> str:
    return "pk" if link.is_self else link.household_path


def _simple(link: Link, lookup: str) -> bool:
    """Whether ``lookup`` is a column of the record itself (read without a query)."""
    if lookup == "pk":
        return True
    if "__" in lookup:
        return False
    field = link.model_class._meta.get_field(lookup)
    return bool(field.concrete and field.many_to_one)


def _source(link: Link, organization: str) -> QuerySet[Any]:
    """(municipality, organization, household) of every record of ``link``'s
    model, for one lookup of its organizations, skipping rows without either."""
    household = _household_lookup(link)
    return (
        link.model_class._base_manager.filter(
            **{f"{organization}__isnull": False, f"{household}__isnull": False}
        )
        .order_by()
        .values_list("municipality_id", organization, household)
        .distinct()
    )


def rebuild(municipality_id: int | None = None) -> int:
    """Write the rows every existing record calls for (one municipality, or
    all), from the ways the apps declare (``tsunagu.links``); rows already
    there stay. Returns the number of rows afterwards."""
    with connection.cursor() as cursor:
        for link in registry.ways:
            for organization in link.organizations:
                source = _source(link, organization)
                if municipality_id is not None:
                    source = source.filter(municipality_id=municipality_id)
                sql, params = source.query.sql_with_params()
                # The ORM's own SQL for the declared lookups; "WHERE true"
                # lets SQLite read ON CONFLICT after INSERT … SELECT.
                cursor.execute(
                    "INSERT INTO people_householdaccess"  # noqa: S608 - the ORM's SQL
                    " (municipality_id, organization_id, household_id)"
                    f" SELECT * FROM ({sql}) s WHERE true ON CONFLICT DO NOTHING",
                    params,
                )
        cursor.execute(
            "SELECT COUNT(*) FROM people_householdaccess"  # noqa: S608 - constant SQL
            + ("" if municipality_id is None else " WHERE municipality_id = %s"),
            [] if municipality_id is None else [municipality_id],
        )
        return int(cursor.fetchone()[0])


def record_ways(*records: models.Model) -> None:
    """Write the rows ``records`` call for (the ways their links declare), in
    the caller's transaction: the services call it with every record they
    write that opens a way, or whose way another record changed (an
    attendee's meeting's agenda items, a visitor's contact, a consent whose
    organizations were set)."""
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    rows: list[tuple[int, int | None, int | None]] = []
    for model, instances in by_model.items():
        for link in registry.ways_of(model):
            household = _household_lookup(link)
            for organization in link.organizations:
                if _simple(link, organization) and _simple(link, household):
                    rows += [
                        (
                            instance.municipality_id,  # type: ignore[attr-defined]
                            _value(instance, organization),
                            _value(instance, household),
                        )
                        for instance in instances
                    ]
                else:
                    ids = [instance.pk for instance in instances]
                    rows += list(_source(link, organization).filter(pk__in=ids))
    grant(rows)


def _value(instance: models.Model, lookup: str) -> Any:
    if lookup == "pk":
        return instance.pk
    return getattr(instance, attname(type(instance), lookup))


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
