"""HSDS import page (being built)."""

from django.http import HttpResponse

from tsunagu import policy
from tsunagu.core.http import StaffRequest


@policy.route("resource", policy.Action.CREATE)
def hsds_import(request: StaffRequest) -> HttpResponse:
    return HttpResponse("")
