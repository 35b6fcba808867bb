"""活動記録 pages: an organization's records for a month with the report's
totals, the quick entry (one screen, a phone's width), corrections and
archiving by the recording organization, and the month grid of counted
entries (件数入力)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.activities import selectors, services
from tsunagu.activities.forms import (
    SERVICE_TO_FORM,
    ActivityFilterForm,
    ActivityRecordForm,
    ArchiveForm,
    CountedGridForm,
    CountedPeriodForm,
)
from tsunagu.activities.models import ActivityRecord, Category
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_of, format_wareki, period_label
from tsunagu.directory.models import Organization
from tsunagu.outreach.views import working_organization
from tsunagu.people.models import Household

PAGE_SIZE = 50
RECORD_TYPE = "activities.activityrecord"
ENTRY_TYPE = "activities.countedentry"


def _districts(request: StaffRequest, keep: int | None = None) -> QuerySet[Any]:
    """Districts in use (and ``keep``, a record's own, should it be retired since)."""
    condition = Q(archived_at=None)
    if keep is not None:
        condition |= Q(pk=keep)
    return (
        policy.visible(request.user, "district", policy.Action.LIST)
        .filter(condition)
        .order_by("sort_order", "pk")
    )


def _form(request: StaffRequest, initial: dict[str, Any], keep: int | None = None) -> Any:
    return ActivityRecordForm(
        request.POST or None,
        initial=initial,
        districts=_districts(request, keep),
        projects=policy.visible(request.user, "community_project", policy.Action.LIST)
        .filter(archived_at=None)
        .select_related("district"),
        places=policy.visible(request.user, "resource", policy.Action.LIST)
        .filter(is_community_place=True, archived_at=None)
        .order_by("name"),
    )


def _list_url(record: ActivityRecord) -> str:
    return (
        f"{reverse('activities:list')}?{urlencode({'month': record.occurred_on.strftime('%Y-%m')})}"
    )


@policy.route("activity_record", policy.Action.LIST)
def activity_list(request: StaffRequest) -> HttpResponse:
    """The acting organization's records of a month (this month by default),
    the report's totals for what is shown, newest first."""
    today = timezone.localdate()
    organization = working_organization(request)
    form = ActivityFilterForm(request.GET or None, districts=_districts(request), today=today)
    filters = form.filters()
    records = selectors.organization_records(request.user, organization, filters)
    categories = [filters.category] if filters.category else list(Category.values)
    totals = selectors.totals(records, categories)
    page = Paginator(selectors.with_listing(records), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # A household is named only to a viewer who may see it now.
    seen = policy.bases(request.user, "household", [r.household for r in rows if r.household])
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=RECORD_TYPE,
        organization_id=organization.pk,
        detail={
            **filters.as_detail(),
            "organization": organization.pk,
            "shown": [row.pk for row in rows],
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/list.html",
        {
            "form": form,
            "organization": organization,
            "period": period_label(filters.start, filters.end),
            "totals": totals,
            "grand_total": sum(group.total for group in totals),
            "page": page,
            "rows": [(row, row.household_id in seen) for row in rows],
            "query": query.urlencode(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


def _household(request: StaffRequest) -> Household | None:
    """The household of ``?household=``: one the staff member works with, else 404."""
    raw = request.GET.get("household")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=int(raw)
    )
    return household


def _initial_day(request: StaffRequest) -> datetime.date:
    """The day carried over from the previous entry, else today."""
    raw = request.GET.get("on", "")
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()
    return min(day, timezone.localdate())


@policy.route("activity_record", policy.Action.CREATE)
def activity_create(request: StaffRequest) -> HttpResponse:
    """Quick entry. 「保存して続けて入力」 comes back with the same day and district."""
    organization = working_organization(request)
    household = _household(request)
    district = request.GET.get("district", "")
    initial = {
        "occurred_on": _initial_day(request),
        "district": int(district)
        if district.isdigit()
        else selectors.default_district_id(request.user, organization),
        "direction": "outgoing",
    }
    form = _form(request, initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.activity_record_create(
                actor=request.user,
                organization=organization,
                household=household,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=SERVICE_TO_FORM)
        else:
            messages.success(
                request,
                _("活動記録を保存しました（%(day)s・%(label)s）。")
                % {"day": format_wareki(record.occurred_on), "label": record.label},
            )
            if "continue" in request.POST:
                carried = {"on": record.occurred_on.isoformat(), "district": record.district_id}
                return redirect(f"{reverse('activities:create')}?{urlencode(carried)}")
            return redirect(_list_url(record))
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "organization": organization,
            "household": household,
            "intents": selectors.recent_intents(request.user),
            "creating": True,
        },
    )


@policy.route("activity_record", policy.Action.CHANGE)
def activity_update(request: StaffRequest, pk: int) -> HttpResponse:
    record: ActivityRecord
    record, _decision = policy.get_or_404(
        request.user, "activity_record", policy.Action.CHANGE, pk=pk, archived_at=None
    )
    form = _form(request, ActivityRecordForm.initial_from(record), keep=record.district_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record_update(
                actor=request.user, record=record, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=SERVICE_TO_FORM)
        else:
            messages.success(request, _("活動記録を修正しました。"))
            return redirect(_list_url(record))
    household = record.household
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "record": record,
            "organization": record.organization,
            "household": household
            if household is not None
            and policy.decide(request.user, policy.Action.VIEW, "household", household)
            else None,
            "intents": selectors.recent_intents(request.user),
            "creating": False,
        },
    )


@policy.route("activity_record", policy.Action.ARCHIVE)
def activity_archive(request: StaffRequest, pk: int) -> HttpResponse:
    """Take a record out of the counts, with the reason (it stays on record)."""
    record: ActivityRecord
    record, _decision = policy.get_or_404(
        request.user, "activity_record", policy.Action.ARCHIVE, pk=pk, archived_at=None
    )
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record_archive(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("活動記録をアーカイブしました。件数には数えません。"))
            return redirect(_list_url(record))
    return render(request, "activities/archive.html", {"form": form, "record": record})


# --- Counted entries ------------------------------------------------------------------


def _organizations(request: StaffRequest) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "organization", policy.Action.LIST)
        .filter(archived_at=None)
        .exclude(kind=Organization.Kind.EXTERNAL)
        .order_by("sort_order", "pk")
    )


def _default_organization(request: StaffRequest, organizations: QuerySet[Any]) -> Any:
    if policy.casework_organization_ids(request.user):
        return working_organization(request)
    return organizations.first()


def _may_enter(request: StaffRequest, organization: Organization) -> bool:
    return organization.pk in policy.casework_organization_ids(request.user) and bool(
        policy.decide(request.user, policy.Action.CREATE, "counted_entry")
    )


def _counted_page(
    request: StaffRequest,
    organization: Organization,
    fiscal_year: int,
    period_form: CountedPeriodForm,
    grid_form: CountedGridForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    grid = selectors.counted_grid(request.user, organization, fiscal_year, today)
    editable = _may_enter(request, organization)
    if editable and grid_form is None:
        grid_form = CountedGridForm(grid=grid)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=ENTRY_TYPE,
        detail={"organization": organization.pk, "fiscal_year": fiscal_year},
    )
    return render(
        request,
        "activities/counted.html",
        {
            "period_form": period_form,
            "grid": grid,
            "grid_form": grid_form if editable else None,
            "rows": grid_form.rows() if editable and grid_form is not None else None,
            "organization": organization,
            "fiscal_year": fiscal_year,
        },
    )


@policy.route("counted_entry", policy.Action.LIST)
def counted(request: StaffRequest) -> HttpResponse:
    """件数入力: one organization's counts by item and month for a fiscal year."""
    today = timezone.localdate()
    organizations = _organizations(request)
    default = _default_organization(request, organizations)
    if default is None:
        raise Http404
    period_form = CountedPeriodForm(
        request.GET or None,
        organizations=organizations,
        today=today,
        initial={"organization": default.pk, "fiscal_year": fiscal_year_of(today)},
    )
    organization, fiscal_year = default, fiscal_year_of(today)
    if request.GET and period_form.is_valid():
        organization = period_form.cleaned_data["organization"]
        fiscal_year = period_form.cleaned_data["fiscal_year"]
    return _counted_page(request, organization, fiscal_year, period_form)


@require_POST
@policy.route("counted_entry", policy.Action.CREATE)
def counted_save(request: StaffRequest) -> HttpResponse:
    """Save the grid's changed cells for the staff member's own organization."""
    today = timezone.localdate()
    own = _organizations(request).filter(pk__in=policy.casework_organization_ids(request.user))
    period_form = CountedPeriodForm(request.POST, organizations=own, today=today)
    if not period_form.is_valid():
        policy.audit_denial(request.user, policy.Action.CREATE, "counted_entry")
        messages.error(request, _("件数を入力できる機関と年度を選んでください。"))
        return redirect("activities:counted")
    organization = period_form.cleaned_data["organization"]
    fiscal_year = period_form.cleaned_data["fiscal_year"]
    grid = selectors.counted_grid(request.user, organization, fiscal_year, today)
    form = CountedGridForm(request.POST, grid=grid)
    if form.is_valid():
        try:
            changed = services.counted_entries_save(
                actor=request.user, organization=organization, cells=form.changes()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("件数を保存しました（%(n)d件）。") % {"n": changed})
            query = urlencode({"organization": organization.pk, "fiscal_year": fiscal_year})
            return redirect(f"{reverse('activities:counted')}?{query}")
    shown = CountedPeriodForm(
        organizations=_organizations(request),
        today=today,
        initial={"organization": organization.pk, "fiscal_year": fiscal_year},
    )
    return _counted_page(request, organization, fiscal_year, shown, form)
