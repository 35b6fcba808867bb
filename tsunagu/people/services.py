"""Writes of residents' identities: registering, moving between households,
merging two records of one person (and undoing it), breaking the glass."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.links import Link, attname
from tsunagu.directory import districts
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.links import registry
from tsunagu.people.models import (
    EmergencyAccess,
    Household,
    HouseholdMembership,
    NameVariant,
    Person,
    PersonMerge,
    PersonNameGram,
    Relationship,
)
from tsunagu.people.names import VARIANT_KANJI, name_keys, person_name_grams


def name_variants() -> dict[str, str]:
    """The variant table of the current municipality: the built-in rows and its own."""
    table = dict(VARIANT_KANJI)
    table.update(dict(NameVariant.objects.values_list("variant", "standard")))
    return table


def person_grams_write(persons: list[Person]) -> None:
    """Write the search index rows of ``persons`` from their (saved) keys,
    replacing what was there: with every write of the keys, so that search
    finds exactly what the keys say."""
    if not persons:
        return
    PersonNameGram.objects.filter(person__in=persons).delete()
    PersonNameGram.objects.bulk_create(
        [
            PersonNameGram(municipality_id=person.municipality_id, person=person, gram=gram)
            for person in persons
            for gram in sorted(
                person_name_grams(person.name_key, person.sound_key, person.roman_key)
            )
        ],
        batch_size=2000,
    )


#: The search keys of a person, all written from ``names.name_keys``.
KEY_FIELDS = ["family_key", "name_key", "family_kana_key", "kana_key", "sound_key", "roman_key"]


def person_set_keys(person: Person, variants: Mapping[str, str]) -> None:
    keys = name_keys(
        person.family_name,
        person.given_name,
        person.family_name_kana,
        person.given_name_kana,
        variants,
    )
    for name in KEY_FIELDS:
        setattr(person, name, getattr(keys, name))


@transaction.atomic
def person_create(*, actor: Staff, organization: Organization, person: Person) -> Person:
    """Register a person (unsaved instance with the typed fields) for ``organization``.
    Without a 圏域, the one the address lies in (the districts' 町丁目)."""
    if person.district_id is None and person.address:
        person.district = districts.for_address(person.address)
    person.registered_by = organization
    person.created_by = actor
    person.updated_by = actor
    person_set_keys(person, name_variants())
    person.full_clean(exclude=["registered_by"])
    person.save()
    person_grams_write([person])
    grants.refresh_for(person)
    audit_record(AuditAction.CREATE, actor=actor, obj=person)
    return person


@transaction.atomic
def person_update(*, actor: Staff, person: Person, changed: list[str]) -> Person:
    person.updated_by = actor
    person_set_keys(person, name_variants())
    person.save()
    person_grams_write([person])
    audit_record(AuditAction.CHANGE, actor=actor, obj=person, detail={"fields": sorted(changed)})
    return person


@transaction.atomic
def household_update(*, actor: Staff, household: Household, changed: list[str]) -> Household:
    """Save the household's edited fields (住所, 圏域, 電話番号, 世帯の状況): who
    changed it, and an audit event naming the changed fields (not their values)."""
    household.full_clean(exclude=["registered_by", "label"])
    household.updated_by = actor
    household.save()
    audit_record(AuditAction.CHANGE, actor=actor, obj=household, detail={"fields": sorted(changed)})
    return household


def _household_label(household: Household) -> str:
    """The head's name (or the longest-standing member's, where no head is recorded)."""
    current = list(
        household.memberships.filter(ended_on__isnull=True)
        .select_related("person")
        .order_by("started_on", "id")
    )
    heads = [m for m in current if m.relationship == Relationship.HEAD]
    chosen = (heads or current)[:1]
    return chosen[0].person.full_name[:90] if chosen else household.label


@transaction.atomic
def household_create(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    head: Person,
    relationship: str = Relationship.HEAD,
) -> Household:
    """Register a household with its first member (usually the head)."""
    household.registered_by = organization
    household.created_by = actor
    household.updated_by = actor
    if not household.address:
        household.address = head.address
    if household.district_id is None:
        household.district_id = head.district_id
    household.label = head.full_name[:90]
    household.save()
    grants.refresh_for(household)
    audit_record(AuditAction.CREATE, actor=actor, obj=household)
    household_member_add(actor=actor, household=household, person=head, relationship=relationship)
    return household


@transaction.atomic
def household_member_add(
    *,
    actor: Staff,
    household: Household,
    person: Person,
    relationship: str,
    started_on: date | None = None,
    reason: str = "",
) -> HouseholdMembership:
    """Add ``person`` to ``household``. If they belong to another household,
    that membership ends on the same day (a move); the old row stays."""
    started_on = started_on or timezone.localdate()
    current = HouseholdMembership.objects.filter(person=person, ended_on__isnull=True).first()
    if current is not None:
        if current.household_id == household.pk:
            raise ValidationError(_("この方はすでにこの世帯の世帯員です。"))
        current.ended_on = started_on
        current.end_reason = reason or _("別の世帯へ移動")
        current.save(update_fields=["ended_on", "end_reason"])
        _refresh_label(current.household)
    membership = HouseholdMembership.objects.create(
        household=household,
        person=person,
        relationship=relationship,
        started_on=started_on,
        recorded_by=actor,
    )
    _refresh_label(household)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=household,
        detail={
            "member_added": person.pk,
            "moved_from": current.household_id if current else None,
        },
    )
    return membership


@transaction.atomic
def household_member_end(
    *, actor: Staff, membership: HouseholdMembership, ended_on: date, reason: str
) -> HouseholdMembership:
    """A member leaves (転出, 死亡, 施設入所 …); the row stays with the date and reason,
    which are history: an ended membership is not ended again."""
    if membership.ended_on is not None:
        raise ValidationError(_("この世帯員はすでに離脱しています。"))
    if ended_on < membership.started_on:
        raise ValidationError({"ended_on": _("離脱日は加入日より後の日付にしてください。")})
    if not reason.strip():
        raise ValidationError({"end_reason": _("離脱の理由を入力してください。")})
    membership.ended_on = ended_on
    membership.end_reason = reason
    membership.save(update_fields=["ended_on", "end_reason"])
    _refresh_label(membership.household)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=membership.household,
        detail={"member_ended": membership.person_id},
    )
    return membership


def _refresh_label(household: Household) -> None:
    label = _household_label(household)
    if label != household.label:
        household.label = label
        household.save(update_fields=["label", "updated_at"])


@transaction.atomic
def person_archive(*, actor: Staff, person: Person, reason: str) -> Person:
    if not reason.strip():
        raise ValidationError({"archive_reason": _("アーカイブの理由を入力してください。")})
    person.archived_at = timezone.now()
    person.archive_reason = reason
    person.updated_by = actor
    person.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=person, detail={"reason": reason})
    return person


# ---------------------------------------------------------------------------
# Merging two records of one person.


def _merge_rows(link: Link) -> tuple[Any, str]:
    """The manager of the table that holds ``link``'s person column, and the column."""
    table, _field = link.rows()
    return table._default_manager, link.column()


def _move_links(
    survivor: Person, absorbed: Person
) -> tuple[dict[str, list[int]], dict[str, list[Any]], dict[str, list[int]]]:
    """Move every declared person link (``tsunagu.links``) from ``absorbed``
    to ``survivor``. Where the survivor already has the row a table keeps
    unique (a consultation, referral or consent naming both), the absorbed
    record's row is removed if it is a bare list entry (``drop``) and left
    with the absorbed record if it holds its own text (``keep``). Returns the
    ids moved, the rows dropped (the values they pointed at, to be put back
    on undo) and the ids kept, each by the link's key."""
    moved: dict[str, list[int]] = {}
    dropped: dict[str, list[Any]] = {}
    kept: dict[str, list[int]] = {}
    for link in registry.person_links:
        manager, column = _merge_rows(link)
        rows = manager.filter(**{column: absorbed.pk})
        together = link.unique_with()
        if together:
            # One field beside the person in every declared table (a
            # consultation, referral, consent, plan, organization).
            (other,) = together
            other_column = attname(manager.model, other)
            shared = rows.filter(
                **{
                    f"{other_column}__in": manager.filter(**{column: survivor.pk}).values(
                        other_column
                    )
                }
            )
            if link.on_conflict == "drop":
                values = sorted(shared.values_list(other_column, flat=True))
                if values:
                    dropped[link.key] = values
                shared.delete()
            else:
                ids = sorted(shared.values_list("pk", flat=True))
                if ids:
                    kept[link.key] = ids
                rows = rows.exclude(pk__in=ids)
        moved[link.key] = sorted(rows.values_list("pk", flat=True))
        manager.filter(pk__in=moved[link.key]).update(**{column: survivor.pk})
    return moved, dropped, kept


#: Keys of rows dropped by merges recorded before the registry, by the link's key.
_LEGACY_DROPPED = {"consultations": "consultation_subjects", "referrals": "referral_persons"}


def _restore_links(merge: PersonMerge) -> None:
    """Put every row a merge moved back on the absorbed record, and the rows
    it dropped back in place."""
    absorbed_id = merge.absorbed_id
    for link in registry.person_links:
        manager, column = _merge_rows(link)
        manager.filter(pk__in=merge.moved.get(link.key, [])).update(**{column: absorbed_id})
    for key, values in merge.moved.get("dropped", {}).items():
        link = registry.person_link(_LEGACY_DROPPED.get(key, key))
        manager, column = _merge_rows(link)
        (other,) = link.unique_with()
        other_column = attname(manager.model, other)
        for value in values:
            manager.get_or_create(**{other_column: value, column: absorbed_id})


@transaction.atomic
def person_merge(*, actor: Staff, survivor: Person, absorbed: Person, reason: str) -> PersonMerge:
    """Make ``absorbed`` part of ``survivor``: every record that names it (each
    person link of ``tsunagu.links``: household history, consultations,
    referrals, consents, plans, outreach, participation) moves over, and it is
    archived pointing at the survivor. What moved is recorded row by row, so
    the merge can be undone exactly."""
    if survivor.pk == absorbed.pk:
        raise ValidationError(_("同じ記録どうしは統合できません。"))
    if absorbed.merged_into_id or survivor.merged_into_id:
        raise ValidationError(_("すでに統合された記録は統合できません。"))
    if not reason.strip():
        raise ValidationError({"reason": _("統合の理由を入力してください。")})
    ended: list[int] = []
    survivor_current = HouseholdMembership.objects.filter(
        person=survivor, ended_on__isnull=True
    ).first()
    if survivor_current is not None:
        # One person has one current household: the absorbed record's ends.
        for membership in HouseholdMembership.objects.filter(
            person=absorbed, ended_on__isnull=True
        ):
            membership.ended_on = timezone.localdate()
            membership.end_reason = _("本人の記録の統合")
            membership.save(update_fields=["ended_on", "end_reason"])
            ended.append(membership.pk)
    moved, dropped, kept = _move_links(survivor, absorbed)
    absorbed.merged_into = survivor
    absorbed.archived_at = timezone.now()
    absorbed.archive_reason = _("本人の記録の統合（%(number)s へ）") % {"number": survivor.pk}
    absorbed.updated_by = actor
    absorbed.save()
    merge = PersonMerge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        reason=reason,
        moved={**moved, "ended_memberships": ended, "dropped": dropped, "kept": kept},
        merged_by=actor,
    )
    grants.refresh_persons(survivor.municipality_id, [survivor.pk, absorbed.pk])
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=survivor,
        detail={"merged": absorbed.pk, "merge": merge.pk, "reason": reason},
    )
    return merge


@transaction.atomic
def person_merge_undo(*, actor: Staff, merge: PersonMerge, reason: str) -> PersonMerge:
    """Put every moved row back on the absorbed record and restore it."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("この統合はすでに取り消されています。"))
    if not reason.strip():
        raise ValidationError({"undo_reason": _("取り消しの理由を入力してください。")})
    _restore_links(merge)
    HouseholdMembership.objects.filter(pk__in=merge.moved.get("ended_memberships", [])).update(
        ended_on=None, end_reason=""
    )
    absorbed = merge.absorbed
    absorbed.merged_into = None
    absorbed.archived_at = None
    absorbed.archive_reason = ""
    absorbed.updated_by = actor
    absorbed.save()
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.undo_reason = reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    grants.refresh_persons(absorbed.municipality_id, [merge.survivor_id, absorbed.pk])
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=merge.survivor,
        detail={"merge_undone": merge.pk, "restored": absorbed.pk, "reason": reason},
    )
    return merge


# ---------------------------------------------------------------------------
# Break-glass.


def emergency_access_open(
    *, actor: Staff, organization_id: int | None, household: Household, reason: str
) -> EmergencyAccess:
    """Open ``household`` to ``actor`` for a working day, for a stated reason.

    Only staff doing casework may (the policy's emergency rule): the service
    refuses anyone else as the route does, so that no other caller opens a way."""
    from tsunagu import policy

    if not policy.decide(actor, policy.Action.CREATE, "emergency_access"):
        # Audited outside the opening's transaction, which the refusal rolls back.
        policy.audit_denial(actor, policy.Action.CREATE, "emergency_access")
        raise PermissionDenied
    return _emergency_access_create(
        actor=actor, organization_id=organization_id, household=household, reason=reason
    )


@transaction.atomic
def _emergency_access_create(
    *, actor: Staff, organization_id: int | None, household: Household, reason: str
) -> EmergencyAccess:
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": _("緊急に閲覧する理由を具体的に（10文字以上）入力してください。")}
        )
    grant = EmergencyAccess.objects.create(
        staff=actor, organization_id=organization_id, household=household, reason=reason
    )
    grants.refresh_for(grant)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=grant,
        basis="emergency",
        detail={"household": household.pk, "reason": reason},
    )
    return grant


@transaction.atomic
def emergency_access_review(*, actor: Staff, grant: EmergencyAccess, note: str) -> EmergencyAccess:
    grant.reviewed_by = actor
    grant.reviewed_at = timezone.now()
    grant.review_note = note
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=grant, detail={"reviewed": True})
    return grant


@transaction.atomic
def name_variant_add(*, actor: Staff, variant: NameVariant) -> NameVariant:
    """Add a variant to the municipality's table and re-key every person's name."""
    if variant.municipality_id is None:
        # Set before validating, so the per-municipality uniqueness is checked
        # (and answered in Japanese) rather than failing in the database.
        variant.municipality = tenancy.current_municipality()  # type: ignore[assignment]
    variant.full_clean()
    variant.save()
    audit_record(AuditAction.CREATE, actor=actor, obj=variant)
    persons_rekey()
    return variant


def persons_rekey(batch_size: int = 2000) -> int:
    """Recompute every person's search keys after the variant table changed.
    Anonymised persons keep their empty keys (their names are markers now,
    and must not be found by searching for the marker)."""
    from tsunagu.core.models import AnonymisedRecord
    from tsunagu.core.retention import PERSON

    variants = name_variants()
    changed = 0
    batch: list[Person] = []
    anonymised = AnonymisedRecord.objects.filter(record_type=PERSON).values("record_id")
    persons = Person.objects.exclude(pk__in=anonymised).order_by("pk")
    for person in persons.iterator(chunk_size=batch_size):
        before = [getattr(person, name) for name in KEY_FIELDS]
        person_set_keys(person, variants)
        if [getattr(person, name) for name in KEY_FIELDS] != before:
            batch.append(person)
        if len(batch) >= batch_size:
            changed += Person.objects.bulk_update(batch, KEY_FIELDS)
            person_grams_write(batch)
            batch = []
    if batch:
        changed += Person.objects.bulk_update(batch, KEY_FIELDS)
        person_grams_write(batch)
    return changed
