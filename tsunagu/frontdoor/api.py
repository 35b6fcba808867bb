"""API of the online inbox (オンライン相談): the threads, one thread with its
conversation, and each staff action the thread page offers (reply, hand over,
turn into a 相談受付, close, reopen); and the coordinating section's door
settings and triage rules.

Like the pages: threads are read through the policy (the list carries each
thread's basis, the detail read is audited with it), writes go through
:mod:`tsunagu.frontdoor.inbox` for the window the staff member answers for, on
the version they read (409 when a colleague acted meanwhile).
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import basis_label
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations.models import (
    ConsentToShare,
    Consultation,
    Consulter,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import District, Organization
from tsunagu.frontdoor import inbox, selectors
from tsunagu.frontdoor.models import FrontDoorSettings, Language, PublicTopic, Thread, TriageRule
from tsunagu.people.models import HouseholdMembership

OBJECT_TYPE = "frontdoor.thread"

# --- Schemas -------------------------------------------------------------------------


class ThreadOut(Schema):
    id: int
    number: str
    channel: str
    channel_label: str = Field(..., alias="get_channel_display")
    language: str
    language_label: str = Field(..., alias="get_language_display")
    topic: str
    #: The window answering it (none: the coordinating section triages it).
    organization_id: int | None
    organization: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    crisis: bool
    opened_at: datetime
    #: The first resident message not yet answered (none: nobody waits).
    waiting_since: datetime | None
    first_response_at: datetime | None
    consultation_id: int | None
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_organization(obj: Thread) -> str:
        return obj.organization.name if obj.organization else ""

    @staticmethod
    def resolve_waiting_since(obj: Any) -> datetime | None:
        return getattr(obj, "waiting_since", None)

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class MessageOut(Schema):
    id: int
    direction: str
    body: str
    sent_at: datetime
    author: str
    organization: str
    delivery: str
    delivery_label: str = Field(..., alias="get_delivery_display")
    #: Why a LINE or mail reply did not reach the resident (``delivery`` is failed).
    delivery_error: str

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return obj.author.full_name if obj.author else ""

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return obj.organization.name if obj.organization else ""


class ThreadDetailOut(ThreadOut):
    nickname: str
    contact: str
    crisis_words: list[str]
    closed_at: datetime | None
    #: The municipality's own emergency guidance, when the thread holds words of crisis.
    emergency_guidance: str
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Thread) -> list[Any]:
        return list(obj.messages.select_related("author", "organization"))

    @staticmethod
    def resolve_emergency_guidance(obj: Thread) -> str:
        if not obj.crisis:
            return ""
        settings = FrontDoorSettings.objects.first()
        return settings.emergency_guidance if settings else ""


class VersionIn(Schema):
    #: The version read (optimistic lock): 409 when a colleague acted meanwhile.
    version: int


class ReplyIn(VersionIn):
    body: str = Field(..., min_length=1, max_length=4000)


class HandOverIn(VersionIn):
    #: The window to hand to (null: back to the coordinating section).
    organization_id: int | None
    note: str = Field("", max_length=200)


class CloseIn(VersionIn):
    reason: str = Field(..., min_length=1, max_length=200)


class ConvertIn(VersionIn):
    #: A person the staff member may record about (none: an unknown subject, linked later).
    person_id: int | None = None
    unknown_subject: str = Field("", max_length=200)
    consulter: Consulter = Consulter.SELF
    main_topic: Topic = Topic.OTHER
    topics: list[Topic] = []
    #: 相談の概要 (by default the resident's messages).
    summary: str = Field("", max_length=4000)
    urgency: Urgency | None = None
    consent_to_share: ConsentToShare = ConsentToShare.NOT_OBTAINED
    outcome: Outcome = Outcome.CONTINUE_HERE


class ConvertOut(Schema):
    consultation_id: int
    number: str
    thread: ThreadDetailOut


class FrontDoorSettingsOut(Schema):
    accepting: bool
    public_host: str
    mail_address: str
    emergency_guidance: str
    public_notice: str


class FrontDoorSettingsIn(Schema):
    accepting: bool
    public_host: str = Field("", max_length=200)
    mail_address: str = Field("", max_length=254)
    emergency_guidance: str = Field("", max_length=4000)
    public_notice: str = Field("", max_length=1000)


class TriageRuleOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    topic: str
    language: str
    district_id: int | None


class TriageRuleIn(Schema):
    organization_id: int
    topic: PublicTopic | None = None
    language: Language | None = None
    district_id: int | None = None


# --- Helpers -------------------------------------------------------------------------


def _window(request: StaffRequest, thread: Thread) -> Organization | None:
    acting = acting_organization_id(request, policy.casework_organization_ids(request.user))
    chosen = selectors.acting_window_id(request.user, thread, acting)
    return Organization.objects.filter(pk=chosen).first() if chosen else None


def _fresh(request: StaffRequest, pk: int) -> Any:
    """The thread as it is now, for the answer to a write (not audited as a read:
    the write is)."""
    thread = selectors.threads(request.user, policy.Action.VIEW).filter(pk=pk).first()
    if thread is None:  # handed away: the writer no longer sees it
        return None
    thread.basis = policy.decide(request.user, policy.Action.VIEW, "thread", thread).basis
    return thread


def _changeable(request: StaffRequest, thread_id: int) -> Thread:
    thread, _decision = policy.get_or_404(
        request.user, "thread", policy.Action.CHANGE, pk=thread_id
    )
    return thread  # type: ignore[no-any-return]


def _conflict() -> Status:
    return Status(409, {"detail": str(inbox.ThreadConflict.message)})


def _answer(request: StaffRequest, thread: Thread) -> Any:
    fresh = _fresh(request, thread.pk)
    if fresh is None:
        return Status(204, None)
    return fresh


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["オンライン相談"])


NOT_ACTING = "所属する機関として操作してください。"


def _act(
    request: StaffRequest,
    thread_id: int,
    write: Callable[..., Any],
    renamed: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    """One versioned action on a thread, for the window the staff member acts
    as: the same refusals (no window, 409 on a stale version, 422) for each."""
    thread = _changeable(request, thread_id)
    organization = _window(request, thread)
    if organization is None:
        return invalid({"__all__": [NOT_ACTING]})
    try:
        write(actor=request.user, organization=organization, thread=thread, **fields)
    except inbox.ThreadConflict:
        return _conflict()
    except DjangoValidationError as error:
        return invalid(field_errors(error, renamed))
    return _answer(request, thread)


@router.get(
    "/threads",
    response={200: list[ThreadOut], **ERRORS},
    summary="オンライン相談の一覧",
    description="閲覧できるオンライン相談（担当窓口のもの、多機関協働事務局はすべて）が、"
    "対応中・危機の言葉・待ち時間の長い順に返ります。box: open（対応中）・mine（自分の窓口）・"
    "unassigned（未振り分け）・closed（終了）。一覧には本文・名前を含みません。",
)
@paginate(BasisPagination, resource="thread")
@policy.route("thread", policy.Action.LIST)
def thread_list(request: StaffRequest, box: str = "open") -> Any:
    if box not in selectors.BOXES:
        box = "open"
    acting = acting_organization_id(request, policy.casework_organization_ids(request.user))
    audit_record(AuditAction.LIST, object_type=OBJECT_TYPE, detail={"via": "api", "box": box})
    return selectors.inbox(request.user, box, acting)


@router.get(
    "/threads/{thread_id}",
    response={200: ThreadDetailOut, **ERRORS},
    summary="オンライン相談",
    description="やりとりの全文を返します。閲覧は根拠とともに監査証跡に記録されます。",
)
@policy.route("thread", policy.Action.VIEW)
def thread_detail(request: StaffRequest, thread_id: int) -> Any:
    thread, decision = policy.get_or_404(request.user, "thread", policy.Action.VIEW, pk=thread_id)
    shown = selectors.threads(request.user, policy.Action.VIEW).get(pk=thread.pk)
    shown.basis = decision.basis
    return shown


WRITE_RESPONSES = {200: ThreadDetailOut, 204: None, 409: ErrorOut, 422: FormErrorsOut, **ERRORS}


@router.post(
    "/threads/{thread_id}/replies",
    response=WRITE_RESPONSES,
    summary="オンライン相談への返信",
    description="担当窓口の職員はその窓口として、多機関協働事務局は操作している機関として返信します。"
    "LINE・メールでは返信後に送信され、送信結果はメッセージの delivery に残ります。",
)
@policy.route("thread", policy.Action.CHANGE)
def thread_reply(request: StaffRequest, thread_id: int, payload: ReplyIn) -> Any:
    return _act(request, thread_id, inbox.thread_reply, version=payload.version, body=payload.body)


@router.post(
    "/threads/{thread_id}/hand-over",
    response=WRITE_RESPONSES,
    summary="オンライン相談を他の窓口に渡す",
    description="渡した後、前の窓口はこの相談を見られなくなります（204 を返します）。"
    "organization_id が null なら多機関協働事務局に戻します。",
)
@policy.route("thread", policy.Action.CHANGE)
def thread_hand_over(request: StaffRequest, thread_id: int, payload: HandOverIn) -> Any:
    to = None
    if payload.organization_id is not None:
        to = selectors.windows().filter(pk=payload.organization_id).first()
        if to is None:
            return invalid({"organization_id": ["指定された窓口が見つかりません。"]})
    return _act(
        request,
        thread_id,
        inbox.thread_hand_over,
        {"organization": "organization_id"},
        version=payload.version,
        to=to,
        note=payload.note,
    )


@router.post(
    "/threads/{thread_id}/consultation",
    response={201: ConvertOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="オンライン相談を相談受付にする",
    description="操作している窓口の相談受付を作り、オンライン相談と結び付けます。"
    "person_id がなければ対象者未特定の相談受付になり、後で本人・世帯に結び付けます。"
    "相談経路は web→相談フォーム、line→LINE等、mail→メール です。",
)
@policy.route("thread", policy.Action.CHANGE)
def thread_convert(request: StaffRequest, thread_id: int, payload: ConvertIn) -> Any:
    thread = _changeable(request, thread_id)
    organization = _window(request, thread)
    if organization is None or organization.pk not in policy.casework_organization_ids(
        request.user
    ):
        return invalid({"__all__": [NOT_ACTING]})
    subjects = []
    household_id = None
    if payload.person_id is not None:
        person = (
            policy.visible(request.user, "person", policy.Action.CHANGE)
            .filter(pk=payload.person_id)
            .first()
        )
        if person is None or not policy.decide(
            request.user, policy.Action.CHANGE, "person", person
        ):
            return invalid({"person_id": ["指定された本人が見つかりません。"]})
        subjects = [person]
        household_id = (
            HouseholdMembership.objects.filter(person=person, ended_on=None)
            .values_list("household_id", flat=True)
            .first()
        )
    consultation = Consultation(
        consulter=payload.consulter,
        unknown_subject="" if subjects else payload.unknown_subject,
        household_id=household_id,
        main_topic=payload.main_topic,
        summary=payload.summary or inbox.consultation_summary(thread),
        urgency=payload.urgency or (Urgency.URGENT if thread.crisis else Urgency.NORMAL),
        consent_to_share=payload.consent_to_share,
        outcome=payload.outcome,
    )
    try:
        made = inbox.thread_convert(
            actor=request.user,
            organization=organization,
            thread=thread,
            version=payload.version,
            consultation=consultation,
            topics=[str(t) for t in payload.topics],
            subjects=subjects,
        )
    except inbox.ThreadConflict:
        return _conflict()
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(
        201,
        {"consultation_id": made.pk, "number": made.number, "thread": _fresh(request, thread.pk)},
    )


@router.post(
    "/threads/{thread_id}/close",
    response=WRITE_RESPONSES,
    summary="オンライン相談を終了する",
)
@policy.route("thread", policy.Action.CHANGE)
def thread_close(request: StaffRequest, thread_id: int, payload: CloseIn) -> Any:
    return _act(
        request, thread_id, inbox.thread_close, version=payload.version, reason=payload.reason
    )


@router.post(
    "/threads/{thread_id}/reopen",
    response=WRITE_RESPONSES,
    summary="終了したオンライン相談を再開する",
)
@policy.route("thread", policy.Action.CHANGE)
def thread_reopen(request: StaffRequest, thread_id: int, payload: VersionIn) -> Any:
    return _act(request, thread_id, inbox.thread_reopen, version=payload.version)


@router.get(
    "/front-door/settings",
    response={200: FrontDoorSettingsOut, **ERRORS},
    summary="オンライン相談の設定",
)
@policy.route("triage_settings", policy.Action.VIEW)
def front_door_settings_detail(request: StaffRequest) -> Any:
    return inbox.front_door_settings()


@router.put(
    "/front-door/settings",
    response={200: FrontDoorSettingsOut, 422: FormErrorsOut, **ERRORS},
    summary="オンライン相談の設定の保存",
    description="多機関協働事務局が、受付中かどうか・公開ページのホスト名・相談用メールアドレス・"
    "緊急時の対応手順（職員向け）・お知らせ（住民向け）を保存します。",
)
@policy.route("triage_settings", policy.Action.CHANGE)
def front_door_settings_update(request: StaffRequest, payload: FrontDoorSettingsIn) -> Any:
    try:
        return inbox.front_door_settings_save(actor=request.user, **payload.dict())
    except DjangoValidationError as error:
        return invalid(field_errors(error))


@router.get(
    "/front-door/triage-rules",
    response={200: list[TriageRuleOut], **ERRORS},
    summary="振り分けの設定の一覧",
)
@policy.route("triage_settings", policy.Action.LIST)
def triage_rule_list(request: StaffRequest) -> Any:
    return list(TriageRule.objects.select_related("organization").order_by("pk"))


@router.post(
    "/front-door/triage-rules",
    response={201: TriageRuleOut, 422: FormErrorsOut, **ERRORS},
    summary="振り分けの設定の追加",
)
@policy.route("triage_settings", policy.Action.CREATE)
def triage_rule_create(request: StaffRequest, payload: TriageRuleIn) -> Any:
    errors: dict[str, list[str]] = {}
    organization = selectors.windows().filter(pk=payload.organization_id).first()
    if organization is None:
        errors["organization_id"] = ["指定された窓口が見つかりません。"]
    if (
        payload.district_id is not None
        and not District.objects.filter(pk=payload.district_id, archived_at=None).exists()
    ):
        errors["district_id"] = ["指定された日常生活圏域が見つかりません。"]
    if not (payload.topic or payload.language or payload.district_id):
        errors["__all__"] = ["相談したいこと・言語・圏域のうち少なくとも1つを指定してください。"]
    if errors:
        return invalid(errors)
    assert organization is not None
    try:
        rule = inbox.triage_rule_add(
            actor=request.user,
            organization=organization,
            topic=str(payload.topic or ""),
            language=str(payload.language or ""),
            district_id=payload.district_id,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(201, rule)


@router.delete(
    "/front-door/triage-rules/{rule_id}",
    response={204: None, **ERRORS},
    summary="振り分けの設定の削除",
)
@policy.route("triage_settings", policy.Action.CHANGE)
def triage_rule_delete(request: StaffRequest, rule_id: int) -> Any:
    rule = TriageRule.objects.filter(pk=rule_id).first()
    if rule is None:
        return Status(404, {"detail": "見つかりません。"})
    inbox.triage_rule_remove(actor=request.user, rule=rule)
    return Status(204, None)
