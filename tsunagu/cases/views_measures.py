"""Process measures of 多機関協働 (being written: helper D overwrites this file)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect

from tsunagu import policy
from tsunagu.core.http import StaffRequest


@policy.route("case", policy.Action.LIST)
def measures(request: StaffRequest) -> HttpResponse:
    return redirect("cases:list")
