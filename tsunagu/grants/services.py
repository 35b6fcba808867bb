"""Keeping the grants equal to the records.

A service that opens or ends a way calls :func:`refresh_for` (or
:func:`refresh`) with what it wrote, inside its own transaction: the rows of
the households and persons concerned are worked out again
(``ways.derive``) and the table is brought to them — rows no longer given
are deleted, new ones inserted, the rest left alone. No signal does this: a
write that changes a way says so where it is made. Bulk writers (the
synthetic generator) call :func:`rebuild` once; :func:`check` is what
``manage.py check_grants`` and the tests run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models

from tsunagu.core.links import Kind
from tsunagu.grants.models import Grant
from tsunagu.links import registry
from tsunagu.people.models import Household, Person
from tsunagu.policy.ways import FIELDS, Scope, Way, derive
from tsunagu.referrals.models import Referral


def _rows(scope: Scope) -> dict[Way, list[int]]:
    found: dict[Way, list[int]] = {}
    for pk, *values in Grant.all_tenants.filter(scope.grants()).values_list("pk", *FIELDS):
        found.setdefault(Way(*values), []).append(pk)
    return found


def _write(scope: Scope) -> None:
    wanted = derive(scope)
    present = _rows(scope)
    stale = [pk for way, pks in present.items() for pk in (pks if way not in wanted else pks[1:])]
    if stale:
        Grant.all_tenants.filter(pk__in=stale).delete()
    Grant.all_tenants.bulk_create(
        [
            Grant(municipality_id=scope.municipality_id, **way._asdict())
            for way in sorted(wanted - present.keys(), key=_order)
        ],
        batch_size=2000,
    )


def _order(way: Way) -> tuple[str, ...]:
    return tuple(str(value) for value in way)


def refresh(
    municipality_id: int, households: Iterable[int | None] = (), persons: Iterable[int] = ()
) -> None:
    """Bring the rows of ``households`` and of ``persons`` (those concerning no
    household) to what the records give now, in the caller's transaction."""
    scope = Scope(
        municipality_id,
        frozenset(pk for pk in households if pk is not None),
        frozenset(persons),
    )
    if scope.households or scope.persons:
        _write(scope)


def refresh_for(*records: models.Model) -> None:
    """Refresh the rows ``records`` may have changed: those of the households
    they concern (by the links their apps declare), and of the persons a
    person record, or a つなぐシート without a household, names."""
    by_municipality: dict[int, tuple[set[int], set[int]]] = {}
    for record in records:
        municipality_id: int = record.municipality_id  # type: ignore[attr-defined]
        households, persons = by_municipality.setdefault(municipality_id, (set(), set()))
        households.update(_households_of(record))
        if isinstance(record, Person):
            persons.add(record.pk)
        if isinstance(record, Referral) and record.household_id is None:
            persons.update(record.persons.values_list("pk", flat=True))
    for municipality_id, (households, persons) in by_municipality.items():
        refresh(municipality_id, households, persons)


def refresh_persons(municipality_id: int, persons: Iterable[int]) -> None:
    """Refresh every row that may name ``persons`` (a merge moved what names
    them): the households they belong or belonged to, those of the consents
    and つなぐシート naming them, and their rows concerning no household."""
    from tsunagu.cases.models import Consent
    from tsunagu.people.models import HouseholdMembership

    persons = set(persons)
    households = set(
        HouseholdMembership.all_tenants.filter(person_id__in=persons).values_list(
            "household_id", flat=True
        )
    )
    households |= set(
        Consent.all_tenants.filter(members__in=persons).values_list("case__household_id", flat=True)
    )
    households |= set(
        Referral.all_tenants.filter(persons__in=persons).values_list("household_id", flat=True)
    )
    households |= set(
        Grant.all_tenants.filter(person_id__in=persons).values_list("household_id", flat=True)
    )
    refresh(municipality_id, households, persons)


def _households_of(record: models.Model) -> set[int]:
    if isinstance(record, Household):
        return {record.pk}
    found: set[int] = set()
    for link in registry.of_model(type(record)):
        if link.kind == Kind.PERSON:
            continue
        path = link.household_path
        if "__" not in path:
            value = getattr(record, f"{path}_id", None)
            if value is not None:
                found.add(value)
            continue
        found.update(
            pk
            for pk in type(record)._base_manager.filter(pk=record.pk).values_list(path, flat=True)
            if pk is not None
        )
    return found


def rebuild(municipality_id: int) -> int:
    """Work out every row of a municipality again; returns how many there are."""
    _write(Scope(municipality_id))
    return Grant.all_tenants.filter(municipality_id=municipality_id).count()


@dataclass
class Difference:
    """What the table holds that the records do not give, and the reverse."""

    missing: list[Way] = field(default_factory=list)
    extra: list[Way] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)

    def lines(self, limit: int = 20) -> list[str]:
        return [f"missing {way}" for way in self.missing[:limit]] + [
            f"extra {way}" for way in self.extra[:limit]
        ]


def check(municipality_id: int) -> Difference:
    """Compare the municipality's rows with the records, row by row (a row
    written twice counts as extra)."""
    scope = Scope(municipality_id)
    wanted = derive(scope)
    present = _rows(scope)
    extra = [way for way, pks in present.items() for _pk in pks[(1 if way in wanted else 0) :]]
    return Difference(
        missing=sorted(wanted - present.keys(), key=_order), extra=sorted(extra, key=_order)
    )
