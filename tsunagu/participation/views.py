"""(being built)"""

from django.http import HttpResponse

from tsunagu import policy
from tsunagu.core.http import StaffRequest


@policy.route("participation", policy.Action.LIST)
def worklist(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation", policy.Action.LIST)
def person(request: StaffRequest, person_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation_profile", policy.Action.CREATE)
def profile_edit(request: StaffRequest, person_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation_profile", policy.Action.VIEW)
def suggestions(request: StaffRequest, person_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation", policy.Action.CREATE)
def propose(request: StaffRequest, person_pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation", policy.Action.CHANGE)
def transition(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("participation", policy.Action.CHANGE)
def note(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("aggregate", policy.Action.VIEW)
def counts(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")
