"""The resource directory (社会資源) pages: the list a CSW searches when looking
for a place for someone, a resource's page, its form (with schedules and its
place), and the providers that host them.

Every staff member reads the directory; those who do casework and the system
administrator keep it (policy: ResourceDirectoryRule). Views stay thin: reads
in :mod:`selectors`, writes in :mod:`services`, and every page is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.resources import selectors, services
from tsunagu.resources.forms import (
    SCHEDULE_SLOTS,
    ArchiveForm,
    LocationForm,
    ProviderForm,
    ResourceFilterForm,
    ResourceForm,
    ScheduleForm,
)
from tsunagu.resources.models import Provider, Resource, Schedule

PAGE_SIZE = 50


def _districts(request: StaffRequest) -> Any:
    return policy.visible(request.user, "district", policy.Action.LIST).filter(archived_at=None)


# --- Resources ------------------------------------------------------------------------


@policy.route("resource", policy.Action.LIST)
def resource_list(request: StaffRequest) -> HttpResponse:
    """Search the directory: keyword, category, district, weekday, ease, status."""
    form = ResourceFilterForm(request.GET or None, districts=_districts(request))
    filters = form.filters()
    resources = selectors.with_listing(selectors.resource_list(request.user, filters))
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.listing_rows(list(page.object_list))
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="resources.resource",
        detail={**filters.as_detail(), "shown": [row.resource.pk for row in rows]},
    )
    query = request.GET.copy()
    query.pop("page", None)
    provider = (
        selectors.provider_list(request.user, include_archived=True)
        .filter(pk=filters.provider_id)
        .first()
        if filters.provider_id is not None
        else None
    )
    return render(
        request,
        "resources/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "provider": provider,
            "query": query.urlencode(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
            "may_create": policy.decide(request.user, policy.Action.CREATE, "resource"),
        },
    )


@policy.route("resource", policy.Action.VIEW)
def resource_detail(request: StaffRequest, pk: int) -> HttpResponse:
    resource, decision = policy.get_or_404(request.user, "resource", policy.Action.VIEW, pk=pk)
    may = policy.allowed(
        request.user, "resource", resource, [policy.Action.CHANGE, policy.Action.ARCHIVE]
    )
    years = selectors.years_running(resource)
    context = {
        "resource": resource,
        "schedules": selectors.schedule_rows(selectors.resource_schedules(resource)),
        "links": selectors.resource_links(resource),
        "connected": selectors.connected_count(resource),
        "years_running": years,
        "succession": years is not None and years >= selectors.SUCCESSION_YEARS,
        "succession_years": selectors.SUCCESSION_YEARS,
        "may_change": bool(may[policy.Action.CHANGE]),
        "may_archive": bool(may[policy.Action.ARCHIVE]),
        "archive_form": ArchiveForm(),
    }
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=resource,
        basis=str(decision.basis or ""),
    )
    return render(request, "resources/detail.html", context)


def _location_initial(resource: Resource | None) -> dict[str, Any]:
    links = selectors.resource_links(resource) if resource is not None else []
    if not links:
        return {}
    location = links[0].location
    return {
        "name": location.name,
        "postal_code": location.postal_code,
        "address": location.address,
        "district": location.district_id,
        "transportation": location.transportation,
        "accessibility": location.accessibility,
    }


def _display(resource: Resource, name: str) -> str:
    """A field's saved value as a person reads it (for the conflict notice)."""
    value = getattr(resource, name)
    if name == "needs":
        return "、".join(resource.need_labels()) or _("（なし）")
    if name == "ease":
        return "、".join(resource.ease_labels()) or _("（なし）")
    if name == "interests":
        return "、".join(value or []) or _("（なし）")
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    display = getattr(resource, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if value in (None, ""):
        return _("（空欄）")
    return str(value)


class _Forms:
    """The resource form with its schedule rows and place, bound together."""

    def __init__(
        self,
        request: StaffRequest,
        resource: Resource | None,
        data: QueryDict | None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        current = resource.provider if resource is not None else None
        self.resource = ResourceForm(
            data,
            instance=resource,
            initial=initial or {},
            providers=selectors.provider_choices(request.user, current),
        )
        existing: list[Schedule] = (
            selectors.resource_schedules(resource) if resource is not None else []
        )
        self.schedules = [
            ScheduleForm(
                data,
                prefix=f"schedule-{index}",
                schedule=existing[index] if index < len(existing) else None,
            )
            for index in range(max(SCHEDULE_SLOTS, len(existing)))
        ]
        self.location = LocationForm(
            data,
            prefix="location",
            districts=_districts(request),
            initial=_location_initial(resource),
        )

    def is_valid(self) -> bool:
        # Every form is checked (no short cut), so that every error shows at once.
        results = [
            self.resource.is_valid(),
            *[form.is_valid() for form in self.schedules],
            self.location.is_valid(),
        ]
        return all(results)

    def changed(self) -> list[str]:
        changed = list(self.resource.changed_fields)
        if any(form.has_changed() for form in self.schedules):
            changed.append("schedules")
        if self.location.has_changed():
            changed.append("location")
        return changed

    def save(self, request: StaffRequest) -> Resource:
        return services.resource_save(
            actor=request.user,
            resource=self.resource.instance,
            version=self.resource.cleaned_data.get("version"),
            schedules=[form.spec() for form in self.schedules if not form.is_empty()],
            location=self.location.spec(),
            changed=self.changed(),
        )


def _edit(request: StaffRequest, resource: Resource | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if resource is None and request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    data = request.POST if request.method == "POST" else None
    forms = _Forms(request, resource, data, initial)
    status = 200
    differences: list[tuple[str, str]] = []
    if data is not None:
        if forms.is_valid():
            try:
                saved = forms.save(request)
            except services.ResourceConflict as conflict:
                forms, differences = _after_conflict(request, resource, data)
                forms.resource.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                add_service_errors(forms.resource, error)
                status = 422
            else:
                messages.success(request, _("「%(name)s」を保存しました。") % {"name": saved.name})
                return redirect("resources:detail", pk=saved.pk)
        else:
            status = 422
    response = render(
        request,
        "resources/form.html",
        {
            "resource": resource,
            "form": forms.resource,
            "schedule_forms": forms.schedules,
            "location_form": forms.location,
            "differences": differences,
        },
    )
    response.status_code = status
    return response


def _after_conflict(
    request: StaffRequest, resource: Resource | None, data: QueryDict
) -> tuple[_Forms, list[tuple[str, str]]]:
    """The user's input kept, now on the latest version, and where the latest
    saved values differ from it: saving again is a deliberate choice made
    after seeing what a colleague changed."""
    assert resource is not None  # only a change has a version to conflict on
    visible = selectors.visible_resources(request.user, policy.Action.CHANGE)
    latest = visible.get(pk=resource.pk)
    shown = visible.get(pk=resource.pk)
    rebased = data.copy()
    rebased["version"] = str(latest.version)
    forms = _Forms(request, latest, rebased)
    forms.is_valid()
    differences = [
        (str(forms.resource.fields[name].label), _display(shown, name))
        for name in forms.resource.changed_fields
    ]
    return forms, differences


@policy.route("resource", policy.Action.CREATE)
def resource_create(request: StaffRequest) -> HttpResponse:
    return _edit(request, None)


@policy.route("resource", policy.Action.CHANGE)
def resource_update(request: StaffRequest, pk: int) -> HttpResponse:
    resource, _decision = policy.get_or_404(request.user, "resource", policy.Action.CHANGE, pk=pk)
    return _edit(request, resource)


@require_POST
@policy.route("resource", policy.Action.ARCHIVE)
def resource_archive(request: StaffRequest, pk: int) -> HttpResponse:
    """Archive with a reason, or (``restore``) put an archived resource back."""
    resource, _decision = policy.get_or_404(request.user, "resource", policy.Action.ARCHIVE, pk=pk)
    if request.POST.get("restore") == "1":
        if resource.is_archived:
            services.resource_restore(actor=request.user, resource=resource)
            messages.success(request, _("「%(name)s」を一覧に戻しました。") % {"name": resource})
        return redirect("resources:detail", pk=pk)
    if resource.is_archived:
        return redirect("resources:detail", pk=pk)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            services.resource_archive(
                actor=request.user, resource=resource, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("「%(name)s」をアーカイブしました。") % {"name": resource})
            return redirect("resources:list")
    else:
        messages.error(request, _("アーカイブの理由を入力してください。"))
    return redirect("resources:detail", pk=pk)


# --- Providers ------------------------------------------------------------------------


@policy.route("provider", policy.Action.LIST)
def provider_list(request: StaffRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    providers = list(selectors.provider_list(request.user, include_archived=show_archived))
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="resources.provider",
        detail={"archived": show_archived, "shown": [p.pk for p in providers]},
    )
    return render(
        request,
        "resources/provider_list.html",
        {
            "providers": providers,
            "show_archived": show_archived,
            "may_create": policy.decide(request.user, policy.Action.CREATE, "provider"),
        },
    )


def _provider_edit(request: StaffRequest, provider: Provider | None) -> HttpResponse:
    # Registering a provider from the resource form goes back to it afterwards.
    for_resource = (request.GET.get("for") or request.POST.get("for")) == "resource"
    form = ProviderForm(request.POST or None, instance=provider)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = services.provider_save(
                actor=request.user, provider=form.instance, changed=form.changed_data
            )
            messages.success(request, _("「%(name)s」を保存しました。") % {"name": saved.name})
            if for_resource:
                return redirect(f"{reverse('resources:create')}?provider={saved.pk}")
            return redirect("resources:provider_list")
        status = 422
    resources = (
        list(
            selectors.visible_resources(request.user, policy.Action.LIST)
            .filter(provider=provider)
            .order_by("archived_at", "name")
        )
        if provider is not None
        else []
    )
    response = render(
        request,
        "resources/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "resources": resources,
            "for_resource": for_resource,
            "archive_form": ArchiveForm() if provider is not None else None,
        },
    )
    response.status_code = status
    return response


@policy.route("provider", policy.Action.CREATE)
def provider_create(request: StaffRequest) -> HttpResponse:
    return _provider_edit(request, None)


@policy.route("provider", policy.Action.CHANGE)
def provider_update(request: StaffRequest, pk: int) -> HttpResponse:
    provider, _decision = policy.get_or_404(request.user, "provider", policy.Action.CHANGE, pk=pk)
    return _provider_edit(request, provider)


@require_POST
@policy.route("provider", policy.Action.ARCHIVE)
def provider_archive(request: StaffRequest, pk: int) -> HttpResponse:
    provider, _decision = policy.get_or_404(request.user, "provider", policy.Action.ARCHIVE, pk=pk)
    if request.POST.get("restore") == "1":
        if provider.is_archived:
            services.provider_restore(actor=request.user, provider=provider)
            messages.success(request, _("「%(name)s」を一覧に戻しました。") % {"name": provider})
        return redirect("resources:provider_update", pk=pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("アーカイブの理由を入力してください。"))
        return redirect("resources:provider_update", pk=pk)
    try:
        services.provider_archive(
            actor=request.user, provider=provider, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("resources:provider_update", pk=pk)
    messages.success(request, _("「%(name)s」をアーカイブしました。") % {"name": provider})
    return redirect("resources:provider_list")
