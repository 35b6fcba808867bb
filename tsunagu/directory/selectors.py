"""Reads of master data that depend on who asks."""

from __future__ import annotations

from django.http import Http404

from tsunagu import policy
from tsunagu.core.http import StaffRequest
from tsunagu.core.middleware import acting_organization_id
from tsunagu.directory.models import Organization


def acting_casework_organization(request: StaffRequest) -> Organization:
    """The organization the staff member does casework for in this session:
    the one chosen in the header if they do casework there, else their first.
    Staff with no casework organization get "not found"."""
    organizations = policy.casework_organization_ids(request.user)
    acting = acting_organization_id(request)
    chosen = acting if acting in organizations else min(organizations, default=None)
    if chosen is None:
        raise Http404
    return Organization.objects.get(pk=chosen)
