from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Membership
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.directory.models import District, Organization, SubBusiness


@policy.route("own_account", policy.Action.VIEW)
def home(request: StaffRequest) -> HttpResponse:
    figures = {
        "organizations": Organization.objects.filter(archived_at=None).count(),
        "sub_businesses": SubBusiness.objects.filter(archived_at=None).count(),
        "districts": District.objects.filter(archived_at=None).count(),
        "fiscal_year": fiscal_year_label(fiscal_year_of(timezone.localdate())),
    }
    memberships = (
        Membership.objects.filter(staff=request.user, active=True)
        .select_related("organization")
        .order_by("organization__sort_order")
    )
    return render(request, "web/home.html", {"figures": figures, "memberships": memberships})


@policy.public_route("load balancers and monitoring ask whether the server is up")
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form comes back without a valid CSRF token (e.g. an expired page)."""
    return render(request, "csrf_failure.html", status=403)
