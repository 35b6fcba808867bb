"""Recording consultations."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations.continuity import derive as derive_continuity
from tsunagu.consultations.models import (
    DEFAULT_CASE_FEATURES,
    CaseFeature,
    Consultation,
    ConsultationGram,
    ConsultationSubject,
    ConsultationTopic,
    Continuity,
)
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.models import Person
from tsunagu.people.names import normalize_text, text_grams
from tsunagu.reports import rollups
from tsunagu.reports.models import RecordKind


def consultation_search_text(consultation: Consultation) -> str:
    parts = [consultation.summary, consultation.unknown_subject, consultation.consulter_note]
    return normalize_text(" ".join(part for part in parts if part))


def consultation_grams_write(consultations: list[Consultation]) -> None:
    """Write the search index rows of ``consultations`` from their (saved)
    ``search_text``, replacing what was there: with every write of the text,
    so that search finds exactly what the text says."""
    if not consultations:
        return
    ConsultationGram.objects.filter(consultation__in=consultations).delete()
    ConsultationGram.objects.bulk_create(
        [
            ConsultationGram(
                municipality_id=consultation.municipality_id, consultation=consultation, gram=gram
            )
            for consultation in consultations
            for gram in sorted(text_grams(consultation.search_text))
        ],
        batch_size=2000,
    )


@transaction.atomic
def consultation_create(
    *,
    actor: Staff,
    organization: Organization,
    consultation: Consultation,
    topics: Iterable[str],
    subjects: Iterable[Person] = (),
    case_features: Iterable[CaseFeature] = (),
    continuity: str | None = None,
) -> Consultation:
    """Record a consultation received by ``organization`` (unsaved instance from the intake form).

    The main 相談内容 is always among the checked ones. Without a household the
    subject must be described, so that it can be linked later. 新規/継続 is
    ``continuity`` where the staff member chose it, else derived from the
    records (:mod:`tsunagu.consultations.continuity`)."""
    topics = set(topics) | {consultation.main_topic}
    subjects = list(subjects)
    if consultation.household_id is None and not subjects and not consultation.unknown_subject:
        raise ValidationError(
            {
                "unknown_subject": _(
                    "対象の本人・世帯を選ぶか、わからない場合は手がかり（住所など）を入力してください。"
                )
            }
        )
    if consultation.event_id is not None and consultation.event.organization_id != organization.pk:  # type: ignore[union-attr]
        raise ValidationError(
            {"event": _("受付機関が実施した出張相談会・巡回相談を選んでください。")}
        )
    consultation.organization = organization
    consultation.created_by = actor
    consultation.updated_by = actor
    if continuity:
        consultation.continuity = continuity
        consultation.continuity_by_hand = True
    else:
        consultation.continuity = derive_continuity(consultation, [p.pk for p in subjects])
        consultation.continuity_by_hand = False
    consultation.search_text = consultation_search_text(consultation)
    consultation.save()
    consultation_grams_write([consultation])
    rollups.refresh(
        municipality_id=consultation.municipality_id,
        record_kind=RecordKind.CONSULTATION,
        days=[consultation.received_at],
    )
    ConsultationTopic.objects.bulk_create(
        ConsultationTopic(
            consultation=consultation, topic=topic, municipality_id=consultation.municipality_id
        )
        for topic in sorted(topics)
    )
    ConsultationSubject.objects.bulk_create(
        ConsultationSubject(
            consultation=consultation, person=person, municipality_id=consultation.municipality_id
        )
        for person in subjects
    )
    consultation.case_features.set(list(case_features))
    grants.refresh_for(consultation)
    audit_record(AuditAction.CREATE, actor=actor, obj=consultation)
    return consultation


@transaction.atomic
def consultation_link_household(
    *, actor: Staff, consultation: Consultation, household_id: int, subjects: Iterable[Person]
) -> Consultation:
    """Link a consultation taken with an unknown subject to the household found
    later. Its 新規/継続, unless set by hand, is derived again: the records of
    the household now tell whether it continues support."""
    subjects = list(subjects)
    consultation.household_id = household_id
    consultation.updated_by = actor
    before = consultation.continuity
    if not consultation.continuity_by_hand:
        known = set(
            ConsultationSubject.objects.filter(consultation=consultation).values_list(
                "person_id", flat=True
            )
        )
        consultation.continuity = derive_continuity(
            consultation, sorted(known | {p.pk for p in subjects})
        )
    consultation.save(update_fields=["household", "continuity", "updated_by", "updated_at"])
    if consultation.continuity != before:
        rollups.refresh(
            municipality_id=consultation.municipality_id,
            record_kind=RecordKind.CONSULTATION,
            days=[consultation.received_at],
        )
    grants.refresh_for(consultation)
    for person in subjects:
        ConsultationSubject.objects.get_or_create(
            consultation=consultation,
            person=person,
            defaults={"municipality_id": consultation.municipality_id},
        )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=consultation,
        detail={
            "linked_household": household_id,
            "subjects": [p.pk for p in subjects],
            "continuity": consultation.continuity,
        },
    )
    return consultation


@transaction.atomic
def consultation_continuity_set(
    *, actor: Staff, consultation: Consultation, continuity: str
) -> Consultation:
    """The recording staff's 新規/継続 for a consultation (kept from then on as set by hand)."""
    if continuity not in Continuity.values:
        raise ValidationError({"continuity": _("新規か継続を選んでください。")})
    before = consultation.continuity
    consultation.continuity = continuity
    consultation.continuity_by_hand = True
    consultation.updated_by = actor
    consultation.save(
        update_fields=["continuity", "continuity_by_hand", "updated_by", "updated_at"]
    )
    rollups.refresh(
        municipality_id=consultation.municipality_id,
        record_kind=RecordKind.CONSULTATION,
        days=[consultation.received_at],
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=consultation,
        detail={"fields": ["continuity"], "from": before, "to": continuity},
    )
    return consultation


def case_features_ensure_defaults() -> None:
    """Give the current municipality the default 世帯の特徴 if it has none yet."""
    municipality = tenancy.current_municipality()
    if municipality is None or CaseFeature.objects.exists():
        return
    CaseFeature.objects.bulk_create(
        CaseFeature(municipality=municipality, name=name, sort_order=index * 10)
        for index, name in enumerate(DEFAULT_CASE_FEATURES, start=1)
    )
