"""The auditor's screens: the trail with filters, and a check of the chain."""

from __future__ import annotations

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.selectors import EventFilters, audit_event_list
from tsunagu.audit.services import audit_record, audit_verify
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import parse_date


@policy.route("audit_event", policy.Action.LIST)
def event_list(request: StaffRequest) -> HttpResponse:
    filters = {
        "action": request.GET.get("action", ""),
        "actor": request.GET.get("actor", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        "date": request.GET.get("date", "").strip(),
    }
    errors = []
    day = None
    if filters["date"]:
        try:
            day = parse_date(filters["date"])
        except ValueError as error:
            errors.append(str(error))
    events = audit_event_list(
        request.user,
        EventFilters(
            action=filters["action"],
            actor=filters["actor"],
            object_type=filters["object_type"],
            object_id=filters["object_id"],
            date_from=day,
            date_to=day,
        ),
    )
    # Reading the trail is itself on the trail: who watched, with which filters.
    audit_record(
        AuditAction.LIST,
        object_type="audit.auditevent",
        basis=policy.Basis.AUDITOR,
        detail={key: bool(value) for key, value in filters.items()},
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    object_types = sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("tsunagu.")
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "filters": filters,
            "actions": AuditAction.choices,
            "object_types": object_types,
            "errors": errors,
        },
    )


@require_POST
@policy.route("audit_event", policy.Action.LIST)
def verify(request: StaffRequest) -> HttpResponse:
    # An auditor checks their own municipality's chain; the command checks all.
    problems = audit_verify(municipality_id=request.user.municipality_id)
    audit_record(AuditAction.VERIFY, detail={"ok": not problems, "problems": len(problems)})
    return render(request, "audit/_verify_result.html", {"problems": problems, "checked": True})
