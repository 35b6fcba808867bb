"""The audit trail for auditors through the API: list with filters, and one event.

The same rule as the auditor's page (policy: 監査担当 of the municipality),
the same filters (audit.selectors), and the reading itself is on the trail.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS
from tsunagu.audit.models import AuditAction
from tsunagu.audit.selectors import EventFilters, audit_event_list
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest

router: Router = Router(tags=["監査証跡"])


class AuditEventOut(Schema):
    id: int
    #: False for an event listed before the sealer chained it (封緘待ち: at
    #: most a few seconds after its commit); then sequence and hashes are null.
    sealed: bool
    sequence: int | None
    occurred_at: datetime
    action: AuditAction
    action_label: str = Field(..., alias="get_action_display")
    actor_id: int | None
    actor_label: str
    organization_id: int | None
    object_type: str
    object_id: str
    basis: str
    detail: dict[str, Any]
    ip_address: str | None
    user_agent: str
    #: The chain: the hash of the previous event and of this one (SHA-256, hex).
    previous_hash: str | None
    hash: str | None


class AuditEventFiltersIn(Schema):
    action: AuditAction | None = None
    #: Part of the actor's name as recorded.
    actor: str = Field("", max_length=80)
    #: The kind of object, e.g. ``people.household``.
    object_type: str = Field("", max_length=60)
    object_id: str = Field("", max_length=40)
    date_from: Day | None = None
    date_to: Day | None = None


@router.get(
    "/audit/events",
    response={200: list[AuditEventOut], **ERRORS},
    summary="監査証跡の一覧",
    description="監査担当が、自治体の監査証跡を新しい順に読みます。"
    "操作・操作者（表示名の一部）・対象の種類とID・期間で絞り込めます。この閲覧も監査証跡に残ります。"
    "記録された直後のイベントは封緘待ち（sealed が false、連番とハッシュが null）のことがあります。",
)
@paginate
@policy.route("audit_event", policy.Action.LIST)
def audit_event_list_api(request: StaffRequest, given: Query[AuditEventFiltersIn]) -> Any:
    filters = EventFilters(
        action=given.action or "",
        actor=given.actor.strip(),
        object_type=given.object_type.strip(),
        object_id=given.object_id.strip(),
        date_from=given.date_from,
        date_to=given.date_to,
    )
    audit_record(
        AuditAction.LIST,
        object_type="audit.auditevent",
        basis=policy.Basis.AUDITOR,
        detail={**filters.used(), "api": True},
    )
    return audit_event_list(request.user, filters)


@router.get(
    "/audit/events/{event_id}",
    response={200: AuditEventOut, **ERRORS},
    summary="監査証跡の一件",
)
@policy.route("audit_event", policy.Action.VIEW)
def audit_event_detail(request: StaffRequest, event_id: int) -> Any:
    event, decision = policy.get_or_404(
        request.user, "audit_event", policy.Action.VIEW, pk=event_id
    )
    audit_record(AuditAction.VIEW, obj=event, basis=decision.basis or "")
    return event
