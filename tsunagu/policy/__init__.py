"""The access policy: the one place that answers "may this user do this to
this object, and on what basis?" and produces the querysets a user may see.

Views, the API, search, exports and reports ask here; nothing else reads
personal data. The default is to deny: a kind of record with no rule, a role
with no grant, an object outside the visible queryset — all refused.

Bases follow ../shared/design/access.md. The six bases for personal data
(own organization, referral, consent, 支援会議, coordinator, emergency) are
found in :mod:`.rules.bases`; the rules for persons, households and records
that use them sit beside the other rules in :mod:`.rules`, a module per
domain mirroring the permission tests. Master data and staff are governed by
role bases (システム管理者, 機関管理者, any staff of the municipality).

Every route is declared to the policy with :func:`route` (or, for the few
pages a stranger must reach, :func:`public_route`); a test walks the URL
configuration and fails on any route that is neither.

The package:

- :mod:`.vocabulary`: Action, Basis, Decision. Imports nothing from tsunagu,
  so that the audit trail may record a basis without importing the engine.
- :mod:`.engine`: decide, visible, bases, allowed, get_or_404, audit_denial
  and the registry of rules (``RULES``).
- :mod:`.routes`: route, public_route, declaration_of.
- :mod:`.rules`: the rules, and :mod:`.rules.bases`, the bases of access to
  residents' records.

Only the vocabulary is imported with this package. The engine, the routes and
the rules import the models (and the engine the audit trail), so they can be
imported only once the app registry is ready; their names are resolved here on
first use (a module ``__getattr__``, PEP 562). ``from tsunagu import policy``
is therefore safe anywhere, models included, so long as only the vocabulary is
used while the apps load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tsunagu.policy.vocabulary import BASIS_ORDER, DENY, Action, Basis, Decision

if TYPE_CHECKING:
    from tsunagu.policy.engine import (
        RULES,
        allowed,
        audit_denial,
        bases,
        decide,
        get_or_404,
        own,
        rule_for,
        visible,
    )
    from tsunagu.policy.routes import RouteDeclaration, declaration_of, public_route, route
    from tsunagu.policy.rules.bases import (
        CASEWORK_ROLES,
        case_bases,
        casework_organization_ids,
        consent_case_ids,
        consent_member_ids,
        coordinating_organization_ids,
        emergency_household_ids,
        household_bases,
        person_condition,
        support_meeting_case_ids,
        visible_case_condition,
        visible_household_ids,
    )
    from tsunagu.policy.rules.meetings import (
        agenda_item_bases,
        meeting_chronology_bases,
        meeting_material_basis,
    )

#: The names resolved on first use, and the module each comes from.
_LAZY = {
    **dict.fromkeys(
        (
            "RULES",
            "allowed",
            "audit_denial",
            "bases",
            "decide",
            "get_or_404",
            "own",
            "rule_for",
            "visible",
        ),
        "tsunagu.policy.engine",
    ),
    **dict.fromkeys(
        ("RouteDeclaration", "declaration_of", "public_route", "route"), "tsunagu.policy.routes"
    ),
    **dict.fromkeys(
        (
            "CASEWORK_ROLES",
            "case_bases",
            "casework_organization_ids",
            "consent_case_ids",
            "consent_member_ids",
            "coordinating_organization_ids",
            "emergency_household_ids",
            "household_bases",
            "person_condition",
            "support_meeting_case_ids",
            "visible_case_condition",
            "visible_household_ids",
        ),
        "tsunagu.policy.rules.bases",
    ),
    **dict.fromkeys(
        ("agenda_item_bases", "meeting_chronology_bases", "meeting_material_basis"),
        "tsunagu.policy.rules.meetings",
    ),
}

__all__ = [
    "BASIS_ORDER",
    "CASEWORK_ROLES",
    "DENY",
    "RULES",
    "Action",
    "Basis",
    "Decision",
    "RouteDeclaration",
    "agenda_item_bases",
    "allowed",
    "audit_denial",
    "bases",
    "case_bases",
    "casework_organization_ids",
    "consent_case_ids",
    "consent_member_ids",
    "coordinating_organization_ids",
    "decide",
    "declaration_of",
    "emergency_household_ids",
    "get_or_404",
    "household_bases",
    "meeting_chronology_bases",
    "meeting_material_basis",
    "own",
    "person_condition",
    "public_route",
    "route",
    "rule_for",
    "support_meeting_case_ids",
    "visible",
    "visible_case_condition",
    "visible_household_ids",
]


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
