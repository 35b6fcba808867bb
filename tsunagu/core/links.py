"""What a declaration of a person or household link says (``<app>/links.py``).

Every record tied to a person (本人) or a household (世帯) — directly, by a
many-to-many list, or through a 多機関協働 case — is declared once, by the app
that owns the record, as a :class:`Link`. Merge, retention, the 家族年表, the
grants (``tsunagu.policy.ways``: the organizations' own records) and the policy read these
declarations (assembled in ``tsunagu.links``) instead of keeping lists of
their own, and ``tests/test_links.py`` walks Django's model graph so that a
new relation to a person, a household or a case fails until it is declared
here, or set aside as :class:`Unlinked` with the reason.

This module imports no model: declarations name models by label, and are
resolved once the app registry is ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from django.apps import apps
from django.db import models


class Kind(StrEnum):
    """What a link's field names."""

    PERSON = "person"
    HOUSEHOLD = "household"
    #: A 多機関協働 case: the record belongs to the case's household.
    CASE = "case"


@dataclass(frozen=True)
class Link:
    """One field of one model that ties its record to a person, a household or a case.

    ``own``: lookups from the record to the organizations whose own record it
    is (basis 1 of access.md: ``policy.ways.own_records``).

    For a person link: ``key`` names its rows in ``PersonMerge.moved``;
    ``on_conflict`` says what a merge does where the survivor already has a
    row the uniqueness of the table forbids a second of (``drop``: the
    absorbed record's row is a bare list entry, removed and put back on undo;
    ``keep``: it holds the person's own text and stays with the absorbed
    record); ``retained_with`` is the kind of record (``AnonymisedRecord``'s
    ``record_type``) and the lookup from the row to it whose retention keeps
    the person named, or None where the row is anonymised with the person.

    ``record_kind``: the policy's name for the kind of record (``policy.RULES``),
    where it has one.

    ``activity``: lookups from the record to the days of the work it records
    (a consultation received, a contact made, a meeting held): retention
    counts a household's, and a case's, latest activity from them.
    """

    model: str
    field: str
    kind: Kind
    own: tuple[str, ...] = ()
    key: str = ""
    on_conflict: Literal["drop", "keep"] = "keep"
    retained_with: tuple[str, str] | None = None
    record_kind: str = ""
    activity: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.model}.{self.field}"

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def is_self(self) -> bool:
        """The household itself (``Household.pk``): the ways its registration gives."""
        return self.field == "pk"

    def relation(self) -> Any:
        return self.model_class._meta.get_field(self.field)

    def rows(self) -> tuple[type[models.Model], str]:
        """The table whose rows hold the link, and its column's field name:
        the model itself, or a many-to-many field's through table."""
        field = self.relation()
        if field.many_to_many:
            return field.remote_field.through, field.m2m_reverse_field_name()
        return self.model_class, self.field

    def column(self) -> str:
        """The attribute of :meth:`rows`'s table that holds the person's id."""
        table, field = self.rows()
        return attname(table, field)

    def unique_with(self) -> tuple[str, ...]:
        """The fields the link's table keeps unique together with its column
        (unconditionally), if any: where a merge may meet the survivor's row."""
        table, column = self.rows()
        meta = table._meta
        sets = [tuple(fields) for fields in meta.unique_together]
        sets += [
            tuple(constraint.fields)
            for constraint in meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ]
        for fields in sets:
            if column in fields:
                return tuple(name for name in fields if name != column)
        return ()

    @property
    def household_path(self) -> str:
        """The lookup from the record to its household (household and case links)."""
        if self.kind == Kind.CASE:
            return f"{self.field}__household"
        if self.kind == Kind.HOUSEHOLD:
            return self.field
        raise ValueError(f"{self} names a person, not a household")


def attname(model: type[models.Model], field: str) -> str:
    """The attribute of ``model`` that holds ``field``'s value (a foreign key's id)."""
    found = model._meta.get_field(field)
    assert isinstance(found, models.Field), f"{model._meta.label}.{field} is a reverse relation"
    return found.attname


@dataclass(frozen=True)
class Unlinked:
    """A relation to a person, household or case that is not a link of a
    record to them (an index, the merge's own bookkeeping …), and why."""

    model: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.model}.{self.field}"


class Registry:
    """The declarations of a tuple of ``links`` modules (each with ``LINKS``
    and, optionally, ``UNLINKED``)."""

    def __init__(self, modules: tuple[Any, ...]) -> None:
        self.modules = modules

    @cached_property
    def links(self) -> tuple[Link, ...]:
        return tuple(link for module in self.modules for link in module.LINKS)

    @cached_property
    def unlinked(self) -> tuple[Unlinked, ...]:
        return tuple(item for module in self.modules for item in getattr(module, "UNLINKED", ()))

    def of_kind(self, kind: Kind) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.kind == kind)

    @property
    def person_links(self) -> tuple[Link, ...]:
        return self.of_kind(Kind.PERSON)

    @property
    def household_links(self) -> tuple[Link, ...]:
        """Links to a household, directly or through a case."""
        return tuple(link for link in self.links if link.kind != Kind.PERSON)

    def of_model(self, model: type[models.Model] | str) -> tuple[Link, ...]:
        label = model if isinstance(model, str) else model._meta.label
        return tuple(link for link in self.links if link.model == label)

    def person_link(self, key: str) -> Link:
        return next(link for link in self.person_links if link.key == key)
