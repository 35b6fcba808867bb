"""Writing to the audit trail, sealing it, and checking it.

``audit_record`` inserts one event inside the caller's transaction (a write and
its audit event commit or roll back together); ``audit_seal`` chains and
hashes the committed events afterwards, in batches, so that no request waits
for another to finish before it may record what it showed (like Certificate
Transparency's maximum merge delay: an event is in its chain within
``SEAL_BOUND``, and ``verify_audit`` fails on one that is not). The request middleware puts
the actor, acting organization, address and user agent into a context, so
services and the policy module need not pass the request around.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from tsunagu.audit.models import GENESIS_HASH, SEAL_FIELDS, AuditAction, AuditChain, AuditEvent

logger = logging.getLogger(__name__)

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
    """Record one event of the actor's (or the given) municipality, in the caller's transaction.

    The event is inserted unsealed, taking no lock, and sealed into its chain
    right after the transaction commits (see ``audit_seal``)."""
    info = _request_info.get()
    actor = actor if actor is not None else info.actor
    if municipality is None and actor is not None:
        municipality = actor.municipality
    if organization_id is None and actor is not None and actor == info.actor:
        organization_id = info.organization_id
    if obj is not None:
        object_type, object_id = _object_reference(obj)

    event = AuditEvent(
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
    )
    municipality_id = municipality.pk if municipality else None
    if settings.TSUNAGU_AUDIT_SEAL_INLINE:
        # How every event was written before the sealer: sealed inside the
        # caller's transaction, the chain's head locked until it ends. Kept
        # only to measure the difference (bench/audit_workers.py).
        with transaction.atomic():
            event.save(force_insert=True)
            _seal_batch(municipality_id, wait=True)
        return event
    # One statement: atomic by itself, and the caller's transaction (if any)
    # decides whether it stays.
    event.save(force_insert=True)
    if not _seal_scheduled(municipality_id):
        # Robust: a failed seal must not fail a request whose work has
        # committed; the next seal or ``seal_audit --loop`` picks the event up.
        transaction.on_commit(partial(_seal_after_commit, municipality_id), robust=True)
    return event


# --- Sealing ---------------------------------------------------------------------------

#: The longest an event may stay unsealed after it was recorded (docs/operations.md).
SEAL_BOUND = datetime.timedelta(seconds=5)
#: Events sealed in one short transaction; a sealer goes on while batches come full.
SEAL_BATCH = 500


#: Within a request: the chains its committed events wait in, sealed once the
#: response has gone out (``sealing_after_response``) rather than after each commit.
_pending_seals: contextvars.ContextVar[set[int | None] | None] = contextvars.ContextVar(
    "tsunagu_audit_pending_seals", default=None
)


def _seal_after_commit(municipality_id: int | None) -> None:
    pending = _pending_seals.get()
    if pending is not None:
        pending.add(municipality_id)
        return
    audit_seal(municipality_id=municipality_id)


@contextmanager
def sealing_after_response() -> Iterator[Callable[[], None]]:
    """Hold the seals of the block's committed events; the function yielded
    seals them, once per chain. The request middleware hands it to the
    response to call when the response has been sent, so that a page that
    records two events (the view, what was shown) seals its chain once and
    after its answer (well inside ``SEAL_BOUND``; ``seal_audit --loop``
    seals what a lost response left)."""
    pending: set[int | None] = set()
    token = _pending_seals.set(pending)

    def seal() -> None:
        for municipality_id in sorted(pending, key=lambda pk: pk or 0):
            try:
                audit_seal(municipality_id=municipality_id)
            except Exception:
                logger.exception("audit seal after the response failed")
        pending.clear()

    try:
        yield seal
    finally:
        _pending_seals.reset(token)


def _seal_scheduled(municipality_id: int | None) -> bool:
    """Whether the open transaction will already seal this municipality's chain
    when it commits (one seal seals all its events: a load of thousands of
    records needs one, not thousands). A callback of a savepoint rolled back
    is gone from the list together with the events it would have sealed."""
    return any(
        isinstance(callback, partial)
        and callback.func is _seal_after_commit
        and callback.args == (municipality_id,)
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit
    )


def audit_seal(*, municipality_id: int | None, wait: bool = False) -> int:
    """Seal the committed unsealed events of one municipality's chain (``None``:
    the installation's), oldest first; return how many were sealed.

    The chain's head is locked only inside the sealer's own short transactions.
    Unless ``wait``, a sealer that finds the head locked by another sealer
    leaves at once: that one, or the next (at the latest ``seal_audit
    --loop``), seals what is pending."""
    sealed = 0
    while True:
        count = _seal_batch(municipality_id, wait=wait)
        sealed += count
        if count < SEAL_BATCH:
            return sealed


def audit_seal_all(*, wait: bool = False) -> int:
    """Seal the unsealed events of every chain; return how many were sealed."""
    municipality_ids = (
        AuditEvent.objects.filter(hash__isnull=True)
        .order_by()
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    return sum(
        audit_seal(municipality_id=municipality_id, wait=wait)
        for municipality_id in list(municipality_ids)
    )


def _unsealed(municipality_id: int | None) -> models.QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(hash__isnull=True)
    if municipality_id is None:
        return events.filter(municipality__isnull=True)
    return events.filter(municipality_id=municipality_id)


def _locked_chain(municipality_id: int | None, *, wait: bool) -> AuditChain | None:
    """The chain's head, locked until the transaction ends; None if another holds it."""
    key = AuditChain.key_for(municipality_id)
    skip = not wait and connection.features.has_select_for_update_skip_locked
    chain = AuditChain.objects.select_for_update(skip_locked=skip).filter(key=key).first()
    if chain is None and not AuditChain.objects.filter(key=key).exists():
        # A municipality's first event: make its chain (get_or_create copes with
        # another sealer making it at the same moment), then take it in turn.
        AuditChain.objects.get_or_create(key=key, defaults={"municipality_id": municipality_id})
        chain = AuditChain.objects.select_for_update(skip_locked=skip).filter(key=key).first()
    return chain


def _seal_batch(municipality_id: int | None, *, wait: bool) -> int:
    with transaction.atomic():
        chain = _locked_chain(municipality_id, wait=wait)
        if chain is None:
            return 0
        # By id: the order the events were inserted in, so that sealing the
        # same pending events again gives the same chain.
        events = list(_unsealed(municipality_id).order_by("id")[:SEAL_BATCH])
        for event in events:
            event.chain = chain
            event.sequence = chain.last_sequence + 1
            event.previous_hash = chain.last_hash
            event.hash = event.compute_hash()
            chain.last_sequence, chain.last_hash = event.sequence, event.hash
        if events:
            AuditEvent.objects.bulk_update(events, SEAL_FIELDS)
            chain.save(update_fields=["last_sequence", "last_hash"])
        return len(events)


# --- Checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    chain_id: int | None
    municipality_id: int | None
    sequence: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"自治体ID {self.municipality_id}" if self.municipality_id else "自治体なし"
        event = f"イベントID {self.event_id}" if self.event_id else "イベントなし"
        if self.chain_id is None:  # unsealed events: not in a chain yet
            return f"封緘待ち（{where}、{event}）: {self.message}"
        return f"チェーン {self.chain_id}（{where}）連番 {self.sequence}（{event}）: {self.message}"


def audit_verify(*, municipality_id: int | None = None) -> list[ChainProblem]:
    """Check every chain (or one municipality's): return the first broken link of each
    broken chain, and the events of each municipality left unsealed past ``SEAL_BOUND``.

    Unsealed events younger than the bound are not problems: they are
    being sealed, and are checked once they are."""
    problems = []
    chains = AuditChain.objects.order_by("id")
    if municipality_id is not None:
        chains = chains.filter(municipality_id=municipality_id)
    for chain in chains:
        problem = _verify_chain(chain)
        if problem is not None:
            problems.append(problem)
    return problems + _overdue(municipality_id)


def audit_unsealed_count(*, municipality_id: int | None = None) -> int:
    events = AuditEvent.objects.filter(hash__isnull=True)
    if municipality_id is not None:
        events = events.filter(municipality_id=municipality_id)
    return events.count()


def _overdue(municipality_id: int | None) -> list[ChainProblem]:
    events = AuditEvent.objects.filter(
        hash__isnull=True, occurred_at__lt=timezone.now() - SEAL_BOUND
    )
    if municipality_id is not None:
        events = events.filter(municipality_id=municipality_id)
    late = (
        events.order_by("municipality_id")
        .values("municipality_id")
        .annotate(count=models.Count("id"), oldest=models.Min("id"))
    )
    bound = int(SEAL_BOUND.total_seconds())
    return [
        ChainProblem(
            None,
            row["municipality_id"],
            None,
            row["oldest"],
            f"{row['count']} 件のイベントが記録から {bound} 秒を過ぎても封緘されていません"
            "（seal_audit が動いていないか、封緘に失敗しています）",
        )
        for row in late
    ]


def _verify_chain(chain: AuditChain) -> ChainProblem | None:
    def problem(sequence: int, event_id: int | None, message: str) -> ChainProblem:
        return ChainProblem(chain.pk, chain.municipality_id, sequence, event_id, message)

    expected_sequence = 1
    previous_hash = GENESIS_HASH
    events = AuditEvent.objects.filter(chain=chain).order_by("sequence")
    for event in events.iterator(chunk_size=2000):
        if event.sequence is None or event.hash is None:
            return problem(expected_sequence, event.pk, "封緘が途中で欠けています（改変）")
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
