"""The resource directory's pages (being built)."""

from django.http import HttpResponse

from tsunagu import policy
from tsunagu.core.http import StaffRequest


@policy.route("resource", policy.Action.LIST)
def resource_list(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("resource", policy.Action.CREATE)
def resource_create(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("resource", policy.Action.VIEW)
def resource_detail(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("resource", policy.Action.CHANGE)
def resource_update(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


@policy.route("provider", policy.Action.LIST)
def provider_list(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("provider", policy.Action.CREATE)
def provider_create(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")


@policy.route("provider", policy.Action.CHANGE)
def provider_update(request: StaffRequest, pk: int) -> HttpResponse:
    return HttpResponse("")
