"""The questions the rest of the code asks the policy: may this user do this
(:func:`decide`, :func:`allowed`), which objects may they see
(:func:`visible`), on what basis (:func:`bases`), and fetch-and-check in one
call (:func:`get_or_404`). Each looks up the rule of the kind of record in
:data:`RULES` and answers within the staff member's municipality.

Imports the rules, and so the models, and the audit trail, which it writes
refusals and views of personal data to: :mod:`tsunagu.policy` imports this
module on first use, once the app registry is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import Http404

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.policy.rules import RULES
from tsunagu.policy.rules.rule import ResidentRule, Rule, active_staff
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision

__all__ = [
    "RULES",
    "active_staff",
    "allowed",
    "audit_denial",
    "bases",
    "decide",
    "get_or_404",
    "rule_for",
    "visible",
]


def rule_for(resource: str) -> Rule:
    """The rule of ``resource``; an unknown kind of record is an error, not a refusal."""
    try:
        return RULES[resource]
    except KeyError:
        raise LookupError(f"no policy rule for resource {resource!r}") from None


def decide(user: Any, action: Action, resource: str, obj: Any | None = None) -> Decision:
    """May ``user`` do ``action`` to ``obj`` (or to the resource at all, when obj is None)?"""
    staff = active_staff(user)
    if staff is None:
        return DENY
    if obj is not None and getattr(obj, "municipality_id", staff.municipality_id) != (
        staff.municipality_id
    ):
        return DENY
    # Answers are always about the staff member's own municipality, whatever
    # context the caller runs in (a request, a command, a test).
    with tenancy.tenant_context(staff.municipality):
        return rule_for(resource).decide(staff, action, obj)


def visible(user: Any, resource: str, action: Action = Action.VIEW) -> models.QuerySet[Any]:
    """The objects of ``resource`` that ``user`` may ``action``."""
    return _objects(user, resource, lambda rule, staff: rule.visible(staff, action))


def own(user: Any, resource: str) -> models.QuerySet[Any]:
    """The objects of ``resource`` that are ``user``'s casework organizations'
    own records (a part of :func:`visible`: the rule's own-organization basis)."""
    return _objects(user, resource, lambda rule, staff: rule.own(staff))


def _objects(
    user: Any, resource: str, ask: Callable[[Rule, Staff], models.QuerySet[Any]]
) -> models.QuerySet[Any]:
    """What ``ask`` gives for an active staff member, in their municipality; none otherwise."""
    rule = rule_for(resource)
    staff = active_staff(user)
    if staff is None:
        model = rule.model()
        assert model is not None
        return model._default_manager.none()
    with tenancy.tenant_context(staff.municipality):
        return ask(rule, staff)


def bases(user: Any, resource: str, objects: list[Any]) -> dict[int, Basis]:
    """The basis each of ``objects`` (already from :func:`visible`) is shown under,
    in one pass: the household page and lists label every record with it."""
    rule = rule_for(resource)
    staff = active_staff(user)
    if staff is None or not isinstance(rule, ResidentRule) or not objects:
        return {}
    with tenancy.tenant_context(staff.municipality):
        return rule.bases(staff, objects)


def allowed(
    user: Any, resource: str, obj: Any, actions: list[Action], basis: Basis | None = None
) -> dict[Action, Decision]:
    """Several decisions about one object at once (what a page offers: change,
    archive …); for residents' records the basis is worked out once, or not at
    all when the page already has it (``basis``: from ``get_or_404`` in the
    same request — the household page's eleven access queries, not twice)."""
    rule = rule_for(resource)
    staff = active_staff(user)
    if staff is None or obj is None:
        return dict.fromkeys(actions, DENY)
    if not isinstance(rule, ResidentRule) or obj.municipality_id != staff.municipality_id:
        return {action: decide(user, action, resource, obj) for action in actions}
    with tenancy.tenant_context(staff.municipality):
        if basis is None:
            basis = rule.bases(staff, [obj]).get(obj.pk)
        return {action: rule.decide_on_object(staff, action, obj, basis) for action in actions}


def audit_denial(user: Any, action: Action, resource: str, object_id: Any = "") -> None:
    staff = active_staff(user)
    try:
        model = rule_for(resource).model()
    except LookupError:
        model = None
    audit_record(
        AuditAction.DENY,
        actor=staff,
        # The model's label, as views record it, so that an auditor finds a
        # refusal under the same kind of object as the views of it.
        object_type=model._meta.label_lower if model is not None else resource,
        object_id=str(object_id),
        detail={"action": str(action)},
    )


def get_or_404(
    user: Any, resource: str, action: Action = Action.VIEW, **lookup: Any
) -> tuple[Any, Decision]:
    """Fetch *and* check in one call. Missing and forbidden look the same
    (404), so that ids reveal nothing; a refusal is audited; a view of
    personal data is audited with its basis."""
    rule = rule_for(resource)
    staff = active_staff(user)
    if isinstance(rule, ResidentRule) and staff is not None:
        # One record of a resident: its bases are a few indexed lookups, much
        # cheaper than the visible set filtered down to it; the decision is the
        # same (the policy tests check that decide and visible agree).
        with tenancy.tenant_context(staff.municipality):
            obj = rule.model()._default_manager.filter(**lookup).first()  # type: ignore[union-attr]
    else:
        obj = visible(user, resource, action).filter(**lookup).first()
    decision = decide(user, action, resource, obj) if obj is not None else DENY
    if obj is None or not decision:
        audit_denial(user, action, resource, lookup.get("pk", ""))
        raise Http404
    if rule.personal and action in (Action.VIEW, Action.EXPORT, Action.PRINT):
        audit_record(
            {Action.VIEW: AuditAction.VIEW, Action.EXPORT: AuditAction.EXPORT}.get(
                action, AuditAction.PRINT
            ),
            actor=active_staff(user),
            obj=obj,
            basis=decision.basis or "",
        )
    return obj, decision
