from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.core.http import StaffRequest
from tsunagu.core.models import Municipality
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.directory.models import District, Organization, SubBusiness
from tsunagu.workqueue.selectors import count_subquery


@policy.route("own_account", policy.Action.VIEW)
def home(request: StaffRequest) -> HttpResponse:
    figures: dict[str, object] = {
        **_directory_figures(request.user),
        "fiscal_year": fiscal_year_label(fiscal_year_of(timezone.localdate())),
    }
    return render(
        request,
        "web/home.html",
        {
            "figures": figures,
            # Read with the request's memberships (every request loads them).
            "memberships": request.user.memberships_in_order(),
            **_my_work(request),
        },
    )


def _directory_figures(staff: Staff) -> dict[str, int]:
    """How many organizations, 区該当事業 and 日常生活圏域 the municipality has
    in use, in one statement (three counts were three round trips)."""
    figures = (
        Municipality.objects.filter(pk=staff.municipality_id)
        .annotate(
            organizations=count_subquery(Organization.objects.filter(archived_at=None)),
            sub_businesses=count_subquery(SubBusiness.objects.filter(archived_at=None)),
            districts=count_subquery(District.objects.filter(archived_at=None)),
        )
        .values("organizations", "sub_businesses", "districts")
        .get()
    )
    return {
        name: int(figures[name] or 0) for name in ("organizations", "sub_businesses", "districts")
    }


def _my_work(request: StaffRequest) -> dict[str, object]:
    """What waits for this staff member: for a meeting's guest, the meetings
    they are invited to; for casework staff, the work queue of their acting
    organization (workqueue.selectors: its counts are the menu's, one
    statement, and the first lines of each part that has any)."""
    from tsunagu.meetings.models import Status as MeetingStatus
    from tsunagu.workqueue import selectors as workqueue

    user = request.user
    if user.is_guest:
        return {
            "my_meetings": list(
                policy.visible(user, "meeting", policy.Action.LIST)
                .exclude(status=MeetingStatus.CANCELLED)
                .order_by("held_on")
            )
        }
    today = timezone.localdate()
    organization_id = workqueue.acting_organization_for_queue(request)
    if organization_id is None:
        return {"today": today}  # no casework (an auditor, an administrator): no queue
    found = workqueue.request_counts(request)
    queue = workqueue.queue(user, organization_id, today, found=found)
    return {"today": today, "queue": queue, "reminders": queue.cases}


@policy.public_route("load balancers and monitoring ask whether the server is up")
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form comes back without a valid CSRF token (e.g. an expired page)."""
    return render(request, "csrf_failure.html", status=403)
