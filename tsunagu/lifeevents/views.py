"""家族の出来事 pages: a household's events, recording one, correcting or
withdrawing one's own organization's. The 家族年表 on the household page shows
them among the rest (``people.selectors``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.lifeevents import selectors, services
from tsunagu.lifeevents.forms import ArchiveForm, LifeEventForm
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.people.models import Household


def _members(request: StaffRequest, household: Household) -> Any:
    """The members (present and former) the staff member may see, for the form's choice."""
    return (
        policy.visible(request.user, "person", policy.Action.VIEW)
        .filter(memberships__household=household)
        .distinct()
        .order_by("pk")
    )


@policy.route("life_event", policy.Action.LIST)
def household_events(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_pk
    )
    events = selectors.household_events(request.user, household.pk)
    bases = policy.bases(request.user, "life_event", events)
    changeable = set(
        policy.visible(request.user, "life_event", policy.Action.CHANGE)
        .filter(pk__in=[e.pk for e in events])
        .values_list("pk", flat=True)
    )
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=household,
        basis=decision.basis or "",
        detail={"page": "life_events", "shown": {"life_event": [e.pk for e in events]}},
    )
    return render(
        request,
        "lifeevents/household.html",
        {
            "household": household,
            "basis": decision.basis,
            "events": [(e, bases.get(e.pk), e.pk in changeable) for e in events],
            "may_record": bool(
                policy.decide(request.user, policy.Action.CHANGE, "household", household)
            )
            and bool(policy.casework_organization_ids(request.user)),
        },
    )


@policy.route("life_event", policy.Action.CREATE)
def event_create(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_pk
    )
    form = LifeEventForm(request.POST or None, persons=_members(request, household))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.life_event_record(
                actor=request.user,
                organization=acting_casework_organization(request, "life_event"),
                household=household,
                person=form.cleaned_data["person"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_on": "year"})
        else:
            messages.success(
                request,
                _("家族の出来事（%(kind)s、%(when)s）を記録しました。")
                % {"kind": event.get_kind_display(), "when": event.when_label},
            )
            return redirect("people:household_detail", household.pk)
    return render(
        request, "lifeevents/form.html", {"form": form, "household": household, "creating": True}
    )


@policy.route("life_event", policy.Action.CHANGE)
def event_update(request: StaffRequest, pk: int) -> HttpResponse:
    event: LifeEvent
    event, _decision = policy.get_or_404(request.user, "life_event", policy.Action.CHANGE, pk=pk)
    household = event.household
    form = LifeEventForm(
        request.POST or None,
        persons=_members(request, household),
        initial=LifeEventForm.initial_from(event),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.life_event_update(
                actor=request.user,
                event=event,
                person=form.cleaned_data["person"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_on": "year"})
        else:
            messages.success(request, _("家族の出来事を修正しました。"))
            return redirect("lifeevents:household", household.pk)
    return render(
        request,
        "lifeevents/form.html",
        {"form": form, "household": household, "event": event, "creating": False},
    )


@policy.route("life_event", policy.Action.ARCHIVE)
def event_archive(request: StaffRequest, pk: int) -> HttpResponse:
    event: LifeEvent
    event, _decision = policy.get_or_404(request.user, "life_event", policy.Action.ARCHIVE, pk=pk)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.life_event_archive(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("家族の出来事の記録を取り消しました。"))
            return redirect("lifeevents:household", event.household_id)
    return render(request, "lifeevents/archive.html", {"form": form, "event": event})
