"""The registry of person and household links (``tsunagu.links``) holds every
relation of Django's model graph to a person, a household or a case: a new
one fails here until its app declares it in its ``links.py`` (or sets it
aside, saying why). Enumerated from the models, not from a remembered list,
in the spirit of ``test_routes.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from tsunagu.core import retention
from tsunagu.core.links import Kind
from tsunagu.links import registry

TARGETS = {
    "people.Person": Kind.PERSON,
    "people.Household": Kind.HOUSEHOLD,
    "cases.Case": Kind.CASE,
}


def _relations() -> dict[tuple[str, str], str]:
    """Every relation to a person, household or case: (model, field) → target.
    A many-to-many list is one relation, named by its field on the model that
    declares it, whether its table is made by Django or by the app (then its
    through model's foreign keys are the relations)."""
    found: dict[tuple[str, str], str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        for field in meta.get_fields(include_hidden=True):
            if not isinstance(field, models.Field) or not field.is_relation:
                continue  # reverse accessors are the other side's fields
            target = field.related_model._meta.label
            if meta.auto_created:
                # Django's table of a many-to-many list: each of its two keys
                # is that list, seen from one side.
                owner: Any = meta.auto_created
                [m2m] = [f for f in owner._meta.many_to_many if f.remote_field.through is model]
                if target in TARGETS:
                    found[(owner._meta.label, m2m.name)] = target
                continue
            if field.many_to_many and not field.remote_field.through._meta.auto_created:
                continue  # its through model's foreign keys are walked
            if target in TARGETS:
                found[(meta.label, field.name)] = target
    return found


def test_the_walk_finds_the_relations_the_merge_missed() -> None:
    """The walk is not empty-handed: the consent's grantor and members, plan
    members and support items (issue 17) are among what it finds."""
    found = _relations()
    for relation in [
        ("cases.Consent", "grantor"),
        ("cases.Consent", "members"),
        ("plans.PlanMember", "person"),
        ("plans.SupportItem", "person"),
        ("consultations.ConsultationSubject", "person"),
        ("referrals.Referral", "persons"),
        ("meetings.AgendaItem", "case"),
    ]:
        assert relation in found, relation


def test_every_relation_to_a_person_household_or_case_is_declared() -> None:
    declared = {(link.model, link.field) for link in registry.links if not link.is_self}
    set_aside = {(item.model, item.field) for item in registry.unlinked}
    assert not declared & set_aside, "declared both as a link and as set aside"
    found = _relations()
    missing = sorted(set(found) - declared - set_aside)
    assert not missing, (
        "relations to a person, household or case that no <app>/links.py declares: "
        f"{missing} — add a Link (or an Unlinked with the reason) in the app's links.py"
    )
    stale = sorted((declared | set_aside) - set(found))
    assert not stale, f"declared relations the models no longer have: {stale}"


@pytest.mark.parametrize("link", registry.links, ids=str)
def test_each_link_is_of_its_kind_and_its_lookups_resolve(link: Any) -> None:
    model = link.model_class
    if link.is_self:
        assert (link.model, link.kind) == ("people.Household", Kind.HOUSEHOLD)
    else:
        target = link.relation().related_model._meta.label
        assert TARGETS[target] == link.kind
    household = () if link.kind == Kind.PERSON or link.is_self else (link.household_path,)
    for path in (*link.own, *household, *link.activity):
        # Compiles (raises FieldError on a lookup that does not resolve).
        str(model._base_manager.values_list(path).query)
    if link.own:
        assert link.kind != Kind.PERSON, "an organization's own record is about a household"


@pytest.mark.parametrize("link", registry.person_links, ids=str)
def test_each_person_link_can_be_merged_and_retained(link: Any) -> None:
    assert link.key and link.key not in {"ended_memberships", "dropped", "kept"}
    together = link.unique_with()
    assert len(together) <= 1, "a merge handles one field beside the person"
    if link.on_conflict == "drop":
        assert together, "only a row the table keeps unique can meet the survivor's"
    if link.retained_with is not None:
        kind, path = link.retained_with
        assert kind in retention.KINDS
        table, _column = link.rows()
        str(table._base_manager.values_list(path).query)


def test_person_link_keys_are_unique() -> None:
    keys = [link.key for link in registry.person_links]
    assert len(keys) == len(set(keys))


def test_every_record_tied_to_a_household_has_its_place_on_the_household_page() -> None:
    """A new kind of record tied to a household is either a section of the
    家族年表 (read where the household has one) or set aside with the reason."""
    from tsunagu.people.selectors import OTHER_RECORDS, TIMELINE_SECTIONS

    direct = [link for link in registry.household_links if link.kind == Kind.HOUSEHOLD]
    for link in direct:
        if link.model == "people.HouseholdMembership":
            continue  # the members: the page's own subject
        assert link.record_kind, f"{link} declares no record_kind"
        assert link.record_kind in {*TIMELINE_SECTIONS, *OTHER_RECORDS}, link
    assert set(TIMELINE_SECTIONS) <= {link.record_kind for link in direct}
