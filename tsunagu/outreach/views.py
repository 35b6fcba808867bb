"""(being built)"""

from django.http import HttpResponse

from tsunagu import policy
from tsunagu.core.http import StaffRequest


@policy.route("outreach_contact", policy.Action.LIST)
def worklist(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("outreach_contact", policy.Action.LIST)
def household_history(request: StaffRequest, household_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("outreach_contact", policy.Action.CREATE)
def contact_create(request: StaffRequest, household_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("outreach_contact", policy.Action.CHANGE)
def contact_update(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("aggregate", policy.Action.VIEW)
def counts(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")
