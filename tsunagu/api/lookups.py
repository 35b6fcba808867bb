"""Look-ups every app's API shares: the organization a record is made for, the
objects a record may be linked to, the label of a basis."""

from typing import Any

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization
from tsunagu.cases.models import Case
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import District, Organization

#: The bases on which a record may be tied to a case: working on it (the
#: coordinating section holding it, or an organization its consent covers).
LINKING_BASES = frozenset({policy.Basis.COORDINATOR, policy.Basis.CONSENT})


def acting_casework_organization(request: StaffRequest, resource: str) -> Organization:
    """The organization the staff member acts for in this request (the one chosen
    in the header, else their first), where they do casework: a new ``resource``
    record is registered for it. Refused (403, audited) otherwise."""
    return acting_organization(
        request, policy.casework_organization_ids(request.user), resource=resource
    )


def changeable(request: StaffRequest, resource: str, pk: int | None) -> Any | None:
    """The object the staff member may act on (CHANGE) by this id, or None.

    Linking a record to a household, person or consultation gives the acting
    organization a basis to it, so linking needs a working basis (not an
    emergency opening, not mere visibility)."""
    if pk is None:
        return None
    found = (
        policy.visible(request.user, resource, policy.Action.CHANGE)
        .filter(pk=pk, archived_at=None)
        .first()
    )
    if found is None or not policy.decide(request.user, policy.Action.CHANGE, resource, found):
        return None
    return found


def linkable_case(request: StaffRequest, pk: int | None) -> Case | None:
    """The case a record may be tied to: one the staff member works on
    (the coordinating section holding it, or an organization its consent covers)."""
    if pk is None:
        return None
    case = policy.visible(request.user, "case", policy.Action.VIEW).filter(pk=pk).first()
    if case is None:
        return None
    decision = policy.decide(request.user, policy.Action.VIEW, "case", case)
    return case if decision.basis in LINKING_BASES else None


def district_or_error(
    request: StaffRequest, district_id: int | None, errors: dict[str, list[str]]
) -> District | None:
    """The district of the staff's municipality with this id (None when not given)."""
    if district_id is None:
        return None
    district = (
        policy.visible(request.user, "district", policy.Action.VIEW)
        .filter(pk=district_id, archived_at=None)
        .first()
    )
    if district is None:
        errors["district_id"] = ["指定された日常生活圏域が見つかりません。"]
    return district


def basis_label(basis: Any) -> str:
    return str(policy.Basis(basis).label)
