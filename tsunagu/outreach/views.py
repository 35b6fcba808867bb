"""Outreach pages: the staff member's list (overdue planned contacts first),
a household's contacts month by month, quick entry at the doorstep, and the
counts the reports need."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import OPEN_STAGES
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_of, fiscal_year_range, period_label, quarter_range
from tsunagu.directory.models import Organization
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.outreach import selectors, services
from tsunagu.outreach.forms import OutreachContactForm, PeriodForm
from tsunagu.outreach.models import OutreachContact, Stage
from tsunagu.people.models import Household


def working_organization(request: StaffRequest) -> Organization:
    """The organization a record is made for: the acting one where it does casework."""
    return acting_casework_organization(request, "outreach_contact")


@policy.route("outreach_contact", policy.Action.LIST)
def worklist(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    items = selectors.worklist(request.user, today)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="outreach.outreachcontact",
        detail={"page": "worklist", "shown": [item.last.pk for item in items]},
    )
    return render(
        request,
        "outreach/worklist.html",
        {"items": items, "today": today, "overdue": sum(1 for i in items if i.overdue)},
    )


def _household_choices(request: StaffRequest, household: Household) -> tuple[Any, Any]:
    persons = (
        policy.visible(request.user, "person", policy.Action.VIEW)
        .filter(memberships__household=household, memberships__ended_on=None)
        .distinct()
        .order_by("pk")
    )
    cases = (
        policy.visible(request.user, "case", policy.Action.VIEW)
        .filter(household=household, stage__in=OPEN_STAGES)
        .order_by("-opened_on")
    )
    return persons, cases


@policy.route("outreach_contact", policy.Action.LIST)
def household_history(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_pk
    )
    contacts = selectors.household_contacts(request.user, household.pk)
    months = selectors.monthly_view(contacts)
    bases = policy.bases(request.user, "outreach_contact", contacts)
    changeable = set(
        policy.visible(request.user, "outreach_contact", policy.Action.CHANGE)
        .filter(pk__in=[c.pk for c in contacts])
        .values_list("pk", flat=True)
    )
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=household,
        basis=decision.basis or "",
        detail={"page": "outreach", "shown": {"outreach_contact": [c.pk for c in contacts]}},
    )
    latest = contacts[0] if contacts else None
    return render(
        request,
        "outreach/household.html",
        {
            "household": household,
            "basis": decision.basis,
            "contacts": [(c, bases.get(c.pk), c.pk in changeable) for c in contacts],
            "months": list(reversed(months)),
            "latest": latest,
            "today": timezone.localdate(),
            "may_record": bool(
                policy.decide(request.user, policy.Action.CHANGE, "household", household)
            )
            and bool(policy.casework_organization_ids(request.user)),
            "max_in_month": max((m.count for m in months), default=0),
            "reached_total": sum(m.reached for m in months),
        },
    )


@policy.route("outreach_contact", policy.Action.CREATE)
def contact_create(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_pk
    )
    persons, cases = _household_choices(request, household)
    previous = (
        policy.visible(request.user, "outreach_contact", policy.Action.VIEW)
        .filter(household=household)
        .order_by("-occurred_at", "-id")
        .first()
    )
    now = timezone.localtime()
    initial: dict[str, Any] = {
        "occurred_on": now.date(),
        "occurred_time": now.time().replace(second=0, microsecond=0),
        "stage_after": previous.stage_after if previous else Stage.NONE,
        "person": previous.person_id if previous else None,
        "intent": previous.intent if previous else None,
    }
    if cases.count() == 1:
        initial["case"] = cases.first()
    form = OutreachContactForm(
        request.POST or None,
        persons=persons,
        cases=cases,
        actor_id=request.user.pk,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.outreach_contact_record(
                actor=request.user,
                organization=working_organization(request),
                household=household,
                person=form.cleaned_data["person"],
                case=form.cleaned_data["case"],
                visitors=form.visitor_pairs(),
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_at": "occurred_on"})
        else:
            messages.success(
                request,
                _("アウトリーチを記録しました（%(method)s・%(result)s）。")
                % {"method": contact.get_method_display(), "result": contact.get_result_display()},
            )
            return redirect("outreach:household", household.pk)
    return render(
        request,
        "outreach/form.html",
        {"form": form, "household": household, "previous": previous, "creating": True},
    )


@policy.route("outreach_contact", policy.Action.CHANGE)
def contact_update(request: StaffRequest, pk: int) -> HttpResponse:
    contact: OutreachContact
    contact, _decision = policy.get_or_404(
        request.user, "outreach_contact", policy.Action.CHANGE, pk=pk
    )
    household = contact.household
    persons, cases = _household_choices(request, household)
    local = timezone.localtime(contact.occurred_at)
    initial = {
        "occurred_on": local.date(),
        "occurred_time": local.time().replace(second=0, microsecond=0),
        "method": contact.method,
        "result": contact.result,
        "direction": contact.direction,
        "person": contact.person_id,
        "intent": contact.intent,
        "intent_note": contact.intent_note,
        "stage_after": contact.stage_after,
        "content": contact.content,
        "next_step": contact.next_step,
        "next_on": contact.next_on,
        "case": contact.case_id,
    }
    form = OutreachContactForm(
        request.POST or None,
        persons=persons,
        cases=cases,
        actor_id=request.user.pk,
        initial=initial,
    )
    if request.method != "POST":
        # Visitors are chosen as memberships (staff and organization): show the recorded ones.
        recorded = set(contact.visitors.values_list("staff_id", "organization_id"))
        form.initial["visitors"] = [
            m.pk
            for m in form.fields["visitors"].queryset  # type: ignore[attr-defined]
            if (m.staff_id, m.organization_id) in recorded
        ]
    if request.method == "POST" and form.is_valid():
        try:
            services.outreach_contact_update(
                actor=request.user,
                contact=contact,
                person=form.cleaned_data["person"],
                case=form.cleaned_data["case"],
                visitors=form.visitor_pairs(),
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_at": "occurred_on"})
        else:
            messages.success(request, _("アウトリーチの記録を修正しました。"))
            return redirect("outreach:household", household.pk)
    return render(
        request,
        "outreach/form.html",
        {"form": form, "household": household, "contact": contact, "creating": False},
    )


def report_period(request: StaffRequest) -> tuple[PeriodForm, Any, Any, str]:
    """The period the counts pages show: a fiscal year or one of its quarters."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    fiscal_year, quarter = fiscal_year_of(today), 0
    if request.GET and form.is_valid():
        fiscal_year = form.cleaned_data["fiscal_year"]
        quarter = form.cleaned_data["quarter"] or 0
    start, end = quarter_range(fiscal_year, quarter) if quarter else fiscal_year_range(fiscal_year)
    return form, start, end, period_label(start, end)


@policy.route("aggregate", policy.Action.VIEW)
def counts(request: StaffRequest) -> HttpResponse:
    """Outreach contacts per household per month for a period (seed 004's measure)."""
    form, start, end, label = report_period(request)
    # An aggregate over the whole municipality: no names, no basis needed.
    result = selectors.contacts_per_household_month(OutreachContact.objects.all(), start, end)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="outreach.counts",
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    return render(
        request,
        "outreach/counts.html",
        {"form": form, "result": result, "period": label, "start": start, "end": end},
    )
