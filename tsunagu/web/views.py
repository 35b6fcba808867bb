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
    return render(
        request,
        "web/home.html",
        {"figures": figures, "memberships": memberships, **_my_work(request)},
    )


def _my_work(request: StaffRequest) -> dict[str, object]:
    """What waits for this staff member: cases whose next action or watch period
    is due (the coordinating section), their organizations' open tasks, and for
    a meeting's guest, the meetings they are invited to."""
    from tsunagu.cases.selectors import follow_up_reminders
    from tsunagu.meetings.models import Status as MeetingStatus

    user = request.user
    work: dict[str, object] = {}
    if user.is_guest:
        work["my_meetings"] = list(
            policy.visible(user, "meeting", policy.Action.LIST)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("held_on")
        )
        return work
    today = timezone.localdate()
    work["today"] = today
    if policy.coordinating_organization_ids(user):
        work["reminders"] = list(follow_up_reminders(user, today)[:20])
    orgs = policy.casework_organization_ids(user)
    if orgs:
        tasks = policy.visible(user, "action_item", policy.Action.LIST).filter(
            owner_organization_id__in=orgs, done_at=None
        )
        work["tasks_open"] = tasks.count()
        work["tasks_overdue"] = tasks.filter(due_on__lt=today).count()
        from tsunagu.outreach.selectors import overdue_count
        from tsunagu.participation.selectors import follow_ups_due

        work["outreach_overdue"] = overdue_count(user, today)
        work["follow_ups_due"] = follow_ups_due(user, today)
    return work


@policy.public_route("load balancers and monitoring ask whether the server is up")
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form comes back without a valid CSRF token (e.g. an expired page)."""
    return render(request, "csrf_failure.html", status=403)
