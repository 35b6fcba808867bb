"""API of 家族の出来事 (life_event): a household's events, recording, correcting
and withdrawing one.

Like the pages: the household is opened through the policy first (404 when
the viewer has no basis to it), every event answered carries the basis it is
shown under, and writes go through :mod:`tsunagu.lifeevents.services` for the
organization the staff member acts for. Only the recording organization
corrects or withdraws an event.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.lifeevents import services
from tsunagu.lifeevents.models import Kind, LifeEvent, Precision, Source
from tsunagu.people.models import Person

if TYPE_CHECKING:
    LifeEventKind = Kind
    LifeEventPrecision = Precision
    LifeEventSource = Source
else:
    LifeEventKind = api_choices("LifeEventKind", Kind)
    LifeEventPrecision = api_choices("LifeEventPrecision", Precision)
    LifeEventSource = api_choices("LifeEventSource", Source)

RENAMED = {"person": "person_id"}
OBJECT_TYPE = "lifeevents.lifeevent"


class LifeEventOut(Schema):
    id: int
    household_id: int
    #: The member it concerns: empty when none was named or the viewer may not see them.
    person_id: int | None = Field(..., alias="shown_person_id")
    person: str = Field(..., alias="shown_person_name")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    #: The first day of the period the event is known to (see ``precision``).
    occurred_on: date
    precision: str
    #: The date as precisely as it is known (「2019年頃」「令和元年5月」).
    when_label: str
    description: str
    source: str
    source_label: str = Field(..., alias="get_source_display")
    source_note: str
    #: The basis under which the recorder saw the household.
    recorded_basis: str
    basis: str
    basis_label: str

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class LifeEventIn(Schema):
    kind: LifeEventKind
    #: The day, or the first day of the month or year when only those are known.
    occurred_on: Day
    precision: LifeEventPrecision = LifeEventPrecision.DAY
    description: str = ""
    source: LifeEventSource
    source_note: str = Field("", max_length=200)
    #: The household member it concerns (none: the household as a whole).
    person_id: int | None = None


class LifeEventArchiveIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


def _events(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "life_event", action).select_related(
        "organization", "person"
    )


def _annotate(request: StaffRequest, events: list[Any]) -> None:
    """Name the member only where the viewer may see them."""
    persons = policy.bases(request.user, "person", [e.person for e in events if e.person])
    for event in events:
        shown = event.person if event.person_id in persons else None
        event.shown_person_id = shown.pk if shown else None
        event.shown_person_name = shown.full_name if shown else ""


def _with_basis(request: StaffRequest, event: LifeEvent, basis: Any) -> LifeEvent:
    event.basis = basis  # type: ignore[attr-defined]
    _annotate(request, [event])
    return event


def _fresh(request: StaffRequest, pk: int) -> LifeEvent:
    event = _events(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "life_event", event)
    return _with_basis(request, event, decision.basis)


def _member(request: StaffRequest, pk: int | None) -> tuple[Person | None, dict[str, list[str]]]:
    if pk is None:
        return None, {}
    person = policy.visible(request.user, "person", policy.Action.VIEW).filter(pk=pk).first()
    if person is None:
        return None, {"person_id": ["指定された本人が見つかりません。"]}
    return person, {}


def _fields(payload: LifeEventIn) -> dict[str, Any]:
    return payload.dict(include=set(services.EVENT_FIELDS))


router: Router = Router(tags=["家族の出来事"])


@router.get(
    "/households/{household_id}/life-events",
    response={200: list[LifeEventOut], **ERRORS},
    summary="世帯の家族の出来事",
    description="閲覧できる出来事（自機関・ケースの記録・本人同意・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに古い順に返ります。取り消された出来事は含みません。",
)
@paginate(BasisPagination, resource="life_event", annotate=_annotate)
@policy.route("life_event", policy.Action.LIST)
def life_event_list(request: StaffRequest, household_id: int) -> Any:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_id
    )
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={"via": "api", "household": household.pk},
    )
    return (
        _events(request, policy.Action.LIST)
        .filter(household=household, archived_at=None)
        .order_by("occurred_on", "pk")
    )


@router.post(
    "/households/{household_id}/life-events",
    response={201: LifeEventOut, 422: FormErrorsOut, **ERRORS},
    summary="家族の出来事の登録",
    description="退職・中退・入院・転居などを、情報源とともに記録します。操作している機関の記録になり、"
    "記録時の根拠（recorded_basis）が残ります。月や年しかわからないときは precision を "
    "month・year にし、occurred_on にはその期間の初日を送ります。",
)
@policy.route("life_event", policy.Action.CREATE)
def life_event_create(request: StaffRequest, household_id: int, payload: LifeEventIn) -> Any:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id
    )
    organization = acting_casework_organization(request, "life_event")
    person, errors = _member(request, payload.person_id)
    if errors:
        return invalid(errors)
    try:
        event = services.life_event_record(
            actor=request.user,
            organization=organization,
            household=household,
            person=person,
            **_fields(payload),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, event.pk))


@router.get(
    "/life-events/{event_id}",
    response={200: LifeEventOut, **ERRORS},
    summary="家族の出来事",
)
@policy.route("life_event", policy.Action.VIEW)
def life_event_detail(request: StaffRequest, event_id: int) -> Any:
    event, decision = policy.get_or_404(request.user, "life_event", policy.Action.VIEW, pk=event_id)
    return _with_basis(request, event, decision.basis)


@router.put(
    "/life-events/{event_id}",
    response={200: LifeEventOut, 422: FormErrorsOut, **ERRORS},
    summary="家族の出来事の訂正",
    description="記録した機関だけが訂正できます。本人は送った内容に置き換わります。",
)
@policy.route("life_event", policy.Action.CHANGE)
def life_event_update(request: StaffRequest, event_id: int, payload: LifeEventIn) -> Any:
    event, _decision = policy.get_or_404(
        request.user, "life_event", policy.Action.CHANGE, pk=event_id
    )
    person, errors = _member(request, payload.person_id)
    if errors:
        return invalid(errors)
    try:
        services.life_event_update(
            actor=request.user, event=event, person=person, **_fields(payload)
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _fresh(request, event.pk)


@router.post(
    "/life-events/{event_id}/archive",
    response={200: LifeEventOut, 422: FormErrorsOut, **ERRORS},
    summary="家族の出来事の取り消し",
    description="誤って記録した出来事を、理由とともに取り消します（記録した機関だけ）。"
    "取り消した出来事は家族年表に載りません。",
)
@policy.route("life_event", policy.Action.ARCHIVE)
def life_event_archive(request: StaffRequest, event_id: int, payload: LifeEventArchiveIn) -> Any:
    event, _decision = policy.get_or_404(
        request.user, "life_event", policy.Action.ARCHIVE, pk=event_id
    )
    try:
        services.life_event_archive(actor=request.user, event=event, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    event = _events(request, policy.Action.VIEW).get(pk=event.pk)
    return _with_basis(
        request, event, policy.decide(request.user, policy.Action.VIEW, "life_event", event).basis
    )
