"""Reads of master data that depend on who asks."""

from __future__ import annotations

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization, acting_organization_id
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization


def acting_casework_organization(request: StaffRequest, resource: str) -> Organization:
    """The organization the staff member does casework for in this request,
    where a new ``resource`` record is registered (accounts.acting decides;
    staff with no casework organization are refused, 403 audited)."""
    return acting_organization(
        request, policy.casework_organization_ids(request.user), resource=resource
    )


def casework_organizations(request: StaffRequest) -> list[Organization]:
    """The staff member's casework organizations in the directory's order, the acting one first
    (for a form's choice of organization)."""
    ids = policy.casework_organization_ids(request.user)
    organizations = list(Organization.objects.filter(pk__in=ids).order_by("sort_order", "pk"))
    acting = acting_organization_id(request, ids)
    organizations.sort(key=lambda o: o.pk != acting)
    return organizations
