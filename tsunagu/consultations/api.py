"""API of consultations (相談受付): listing, word search, one record, recording one.

Reads start from the policy's visible queryset and carry their basis; a new
consultation is recorded through ``consultation_create`` for the organization
the staff member acts for, with its rules answered as Japanese field errors.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label, changeable
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations import services
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    Consulter,
    Continuity,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core.dates import Moment
from tsunagu.core.http import StaffRequest
from tsunagu.people.models import Person
from tsunagu.people.selectors import consultation_search

#: Model field names as the payload names them.
RENAMED = {"household": "household_id"}
#: A clock a little ahead is not a consultation from the future.
CLOCK_SKEW = timedelta(minutes=5)


class ConsultationOut(Schema):
    id: int
    number: str
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    received_by_id: int
    received_at: datetime
    channel: str
    channel_label: str = Field(..., alias="get_channel_display")
    consulter: str
    consulter_label: str = Field(..., alias="get_consulter_display")
    consulter_note: str
    household_id: int | None
    subject_ids: list[int]
    unknown_subject: str
    main_topic: str
    main_topic_label: str = Field(..., alias="get_main_topic_display")
    topics: list[str]
    life_issues: list[str]
    case_feature_ids: list[int]
    summary: str
    urgency: str
    urgency_label: str = Field(..., alias="get_urgency_display")
    consent_to_share: str
    consent_to_share_label: str = Field(..., alias="get_consent_to_share_display")
    outcome: str
    outcome_label: str = Field(..., alias="get_outcome_display")
    #: 新規/継続 (consultations.continuity: derived from the records unless set by hand).
    continuity: str
    continuity_label: str = Field(..., alias="get_continuity_display")
    continuity_by_hand: bool
    archived: bool
    basis: str
    basis_label: str

    @staticmethod
    def resolve_subject_ids(obj: Consultation) -> list[int]:
        return sorted(person.pk for person in obj.subjects.all())

    @staticmethod
    def resolve_topics(obj: Consultation) -> list[str]:
        checked = {row.topic for row in obj.topics.all()}
        return [topic.value for topic in Topic if topic.value in checked]

    @staticmethod
    def resolve_case_feature_ids(obj: Consultation) -> list[int]:
        return [feature.pk for feature in obj.case_features.all()]

    @staticmethod
    def resolve_archived(obj: Consultation) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ConsultationIn(Schema):
    received_at: Moment | None = None
    channel: Channel
    consulter: Consulter
    consulter_note: str = ""
    household_id: int | None = None
    subject_ids: list[int] = []
    unknown_subject: str = ""
    main_topic: Topic
    topics: list[Topic] = []
    life_issues: list[LifeIssue] = []
    case_feature_ids: list[int] = []
    summary: str
    urgency: Urgency = Urgency.NORMAL
    consent_to_share: ConsentToShare
    outcome: Outcome
    #: 新規/継続 as the staff member sets it; left out: derived from the records.
    continuity: Continuity | None = None


class ContinuityIn(Schema):
    continuity: Continuity


class ConsultationLinkIn(Schema):
    #: The household found later (one the staff member may work on).
    household_id: int
    #: The members the consultation was about (at least one, of that household).
    subject_ids: list[int] = Field(..., min_length=1)


def _with_relations(consultations: QuerySet[Any]) -> QuerySet[Any]:
    return consultations.select_related("organization").prefetch_related(
        "topics",
        "case_features",
        Prefetch("subjects", queryset=Person.objects.only("pk")),
    )


router: Router = Router(tags=["相談受付"])


@router.get(
    "/consultations",
    response={200: list[ConsultationOut], **ERRORS},
    summary="相談受付の一覧・語句検索",
    description="q を指定すると、相談の概要などにすべての語句を含む相談受付を検索します"
    "（検索結果は最大50件）。閲覧できる相談受付だけが、閲覧の根拠（basis）とともに返ります。",
)
@paginate(BasisPagination, resource="consultation")
@policy.route("consultation", policy.Action.LIST)
def consultation_list(request: StaffRequest, q: str = "") -> Any:
    query = q.strip()[:100]
    if query:
        found = list(_with_relations(consultation_search(request.user, query)))
        audit_record(
            AuditAction.SEARCH,
            object_type="consultations.consultation",
            detail={"via": "api", "query": query, "results": [c.pk for c in found][:100]},
        )
        return found
    audit_record(AuditAction.LIST, object_type="consultations.consultation", detail={"via": "api"})
    return _with_relations(
        policy.visible(request.user, "consultation", policy.Action.LIST).order_by(
            "-received_at", "-pk"
        )
    )


@router.get(
    "/consultations/{consultation_id}",
    response={200: ConsultationOut, **ERRORS},
    summary="相談受付",
)
@policy.route("consultation", policy.Action.VIEW)
def consultation_detail(request: StaffRequest, consultation_id: int) -> Any:
    consultation, decision = policy.get_or_404(
        request.user, "consultation", policy.Action.VIEW, pk=consultation_id
    )
    consultation.basis = decision.basis
    return consultation


def _received_at(value: datetime | None, errors: dict[str, list[str]]) -> datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    # The same rule as the intake form's.
    if value > timezone.now() + CLOCK_SKEW:
        errors["received_at"] = ["受付日時が未来になっています。"]
    return value


@router.post(
    "/consultations",
    response={201: ConsultationOut, 422: FormErrorsOut, **ERRORS},
    summary="相談受付の登録",
)
@policy.route("consultation", policy.Action.CREATE)
def consultation_create(request: StaffRequest, payload: ConsultationIn) -> Any:
    organization = acting_casework_organization(request, "consultation")
    errors: dict[str, list[str]] = {}
    received_at = _received_at(payload.received_at, errors)
    household = changeable(request, "household", payload.household_id)
    if payload.household_id is not None and household is None:
        errors["household_id"] = [
            "指定された世帯が見つからないか、相談を記録する権限がありません。"
        ]
    found = [changeable(request, "person", pk) for pk in dict.fromkeys(payload.subject_ids)]
    subjects: list[Person] = [person for person in found if person is not None]
    if len(subjects) != len(found):
        errors["subject_ids"] = ["指定された本人が見つからないか、相談を記録する権限がありません。"]
    wanted_features = set(payload.case_feature_ids)
    case_features = list(
        policy.visible(request.user, "case_feature", policy.Action.LIST).filter(
            pk__in=wanted_features, archived_at=None
        )
    )
    if len(case_features) != len(wanted_features):
        errors["case_feature_ids"] = ["指定された世帯の特徴が見つかりません。"]
    consultation = Consultation(
        organization=organization,
        received_by=request.user,
        received_at=received_at,
        channel=payload.channel,
        consulter=payload.consulter,
        consulter_note=payload.consulter_note,
        household=household,
        unknown_subject=payload.unknown_subject,
        main_topic=payload.main_topic,
        life_issues=list(dict.fromkeys(payload.life_issues)),
        summary=payload.summary,
        urgency=payload.urgency,
        consent_to_share=payload.consent_to_share,
        outcome=payload.outcome,
    )
    try:
        consultation.full_clean()
    except DjangoValidationError as error:
        errors.update(field_errors(error, RENAMED))
    if errors:
        return invalid(errors)
    try:
        consultation = services.consultation_create(
            actor=request.user,
            organization=organization,
            consultation=consultation,
            topics=payload.topics,
            subjects=subjects,
            case_features=case_features,
            continuity=payload.continuity,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    created = _with_relations(policy.visible(request.user, "consultation", policy.Action.VIEW)).get(
        pk=consultation.pk
    )
    created.basis = policy.decide(request.user, policy.Action.VIEW, "consultation", created).basis
    return Status(201, created)


def _answer(request: StaffRequest, pk: int) -> Any:
    """The consultation as it is now, with its basis (after a change, already audited)."""
    found = _with_relations(policy.visible(request.user, "consultation", policy.Action.VIEW)).get(
        pk=pk
    )
    found.basis = policy.decide(request.user, policy.Action.VIEW, "consultation", found).basis
    return found


@router.put(
    "/consultations/{consultation_id}/continuity",
    response={200: ConsultationOut, 422: FormErrorsOut, **ERRORS},
    summary="相談受付の新規/継続の指定",
    description="受け付けた機関の職員が新規/継続を指定します。指定した区分は、その後の記録の変化では"
    "変わりません。新規相談受付の集計に反映されます。",
)
@policy.route("consultation", policy.Action.CHANGE)
def consultation_continuity_set(
    request: StaffRequest, consultation_id: int, payload: ContinuityIn
) -> Any:
    consultation, _decision = policy.get_or_404(
        request.user, "consultation", policy.Action.CHANGE, pk=consultation_id
    )
    try:
        services.consultation_continuity_set(
            actor=request.user, consultation=consultation, continuity=payload.continuity
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _answer(request, consultation.pk)


@router.post(
    "/consultations/{consultation_id}/link",
    response={200: ConsultationOut, 422: FormErrorsOut, **ERRORS},
    summary="対象者未特定の相談受付を本人・世帯に結び付ける",
    description="「上の階の人」のように対象者がわからないまま受け付けた相談受付を、後でわかった世帯と"
    "その世帯員に結び付けます（受け付けた機関だけ。世帯は記録を扱える世帯に限ります）。"
    "新規/継続は、職員が指定していなければ世帯の記録から判定し直します。操作は監査ログに残ります。",
)
@policy.route("consultation", policy.Action.CHANGE)
def consultation_link(
    request: StaffRequest, consultation_id: int, payload: ConsultationLinkIn
) -> Any:
    consultation, _decision = policy.get_or_404(
        request.user, "consultation", policy.Action.CHANGE, pk=consultation_id
    )
    errors: dict[str, list[str]] = {}
    if consultation.household_id is not None:
        return invalid({"household_id": ["この相談受付は、すでに世帯に結び付いています。"]})
    household = changeable(request, "household", payload.household_id)
    if household is None:
        return invalid(
            {"household_id": ["指定された世帯が見つからないか、記録を扱う権限がありません。"]}
        )
    members = set(
        household.memberships.filter(ended_on__isnull=True).values_list("person_id", flat=True)
    )
    subjects: list[Person] = list(
        policy.visible(request.user, "person", policy.Action.VIEW).filter(
            pk__in=set(payload.subject_ids) & members
        )
    )
    if len(subjects) != len(set(payload.subject_ids)):
        errors["subject_ids"] = ["指定された世帯の世帯員を選んでください。"]
    if errors:
        return invalid(errors)
    services.consultation_link_household(
        actor=request.user,
        consultation=consultation,
        household_id=household.pk,
        subjects=subjects,
    )
    return _answer(request, consultation.pk)
