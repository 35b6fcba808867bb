"""Writing to the audit trail, and checking it.

``audit_record`` appends one event inside the caller's transaction (a write and
its audit event commit or roll back together). The request middleware puts
the actor, acting organization, address and user agent into a context, so
services and the policy module need not pass the request around.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from tsunagu.audit.models import GENESIS_HASH, AuditAction, AuditChain, AuditEvent

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff
    from tsunagu.core.models import Municipality


@dataclass(frozen=True)
class RequestInfo:
    """Where an action comes from: filled in by the middleware for each request."""

    actor: Staff | None = None
    organization_id: int | None = None
    ip_address: str | None = None
    user_agent: str = ""


_request_info: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar(
    "tsunagu_audit_request",
    default=RequestInfo(),  # noqa: B039 - a frozen dataclass, never mutated
)


@contextmanager
def request_info(info: RequestInfo) -> Iterator[None]:
    token = _request_info.set(info)
    try:
        yield
    finally:
        _request_info.reset(token)


def request_info_set(info: RequestInfo) -> None:
    """Replace the request's info for the rest of the request (API token auth);
    the middleware's ``request_info`` block restores the outer value."""
    _request_info.set(info)


def _object_reference(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def audit_record(
    action: AuditAction | str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    basis: str = "",
    detail: dict[str, Any] | None = None,
    actor: Staff | None = None,
    actor_label: str = "",
    municipality: Municipality | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain of the actor's (or the given) municipality."""
    info = _request_info.get()
    actor = actor if actor is not None else info.actor
    if municipality is None and actor is not None:
        municipality = actor.municipality
    if organization_id is None and actor is not None and actor == info.actor:
        organization_id = info.organization_id
    if obj is not None:
        object_type, object_id = _object_reference(obj)

    chain, _created = AuditChain.objects.select_for_update().get_or_create(
        key=AuditChain.key_for(municipality.pk if municipality else None),
        defaults={"municipality": municipality},
    )
    event = AuditEvent(
        chain=chain,
        sequence=chain.last_sequence + 1,
        occurred_at=timezone.now(),
        municipality=municipality,
        actor=actor,
        actor_label=(actor_label or (actor.username if actor else ""))[:80],
        organization_id=organization_id,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        basis=str(basis),
        detail=detail or {},
        ip_address=info.ip_address,
        user_agent=info.user_agent[:300],
        previous_hash=chain.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    chain.last_sequence = event.sequence
    chain.last_hash = event.hash
    chain.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    chain_id: int
    municipality_id: int | None
    sequence: int
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"自治体ID {self.municipality_id}" if self.municipality_id else "自治体なし"
        event = f"イベントID {self.event_id}" if self.event_id else "イベントなし"
        return f"チェーン {self.chain_id}（{where}）連番 {self.sequence}（{event}）: {self.message}"


def audit_verify(*, municipality_id: int | None = None) -> list[ChainProblem]:
    """Check every chain (or one municipality's); return the first broken link of each broken chain."""
    problems = []
    chains = AuditChain.objects.order_by("id")
    if municipality_id is not None:
        chains = chains.filter(municipality_id=municipality_id)
    for chain in chains:
        problem = _verify_chain(chain)
        if problem is not None:
            problems.append(problem)
    return problems


def _verify_chain(chain: AuditChain) -> ChainProblem | None:
    def problem(sequence: int, event_id: int | None, message: str) -> ChainProblem:
        return ChainProblem(chain.pk, chain.municipality_id, sequence, event_id, message)

    expected_sequence = 1
    previous_hash = GENESIS_HASH
    events = AuditEvent.objects.filter(chain=chain).order_by("sequence")
    for event in events.iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return problem(
                expected_sequence,
                event.pk,
                f"連番 {expected_sequence} が欠けています（削除された可能性があります）"
                if event.sequence > expected_sequence
                else "連番が重複しています",
            )
        if event.previous_hash != previous_hash:
            return problem(
                event.sequence, event.pk, "直前のイベントのハッシュと一致しません（挿入または改変）"
            )
        if event.compute_hash() != event.hash:
            return problem(event.sequence, event.pk, "内容がハッシュと一致しません（改変）")
        previous_hash = event.hash
        expected_sequence += 1
    last_sequence = expected_sequence - 1
    if last_sequence != chain.last_sequence or previous_hash != chain.last_hash:
        return problem(
            last_sequence + 1,
            None,
            f"チェーンの末尾が記録（連番 {chain.last_sequence}）と一致しません（末尾の削除または追加）",
        )
    return None
