"""Master data screens. The three kinds of master data share one set of
list / create / edit / archive views, configured per kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.consultations.services import case_features_ensure_defaults
from tsunagu.core.forms_base import StyledModelForm
from tsunagu.core.http import StaffRequest
from tsunagu.core.services import tracked_archive, tracked_restore, tracked_save_form
from tsunagu.directory.forms import (
    ArchiveForm,
    CaseFeatureForm,
    DistrictForm,
    OrganizationForm,
    SubBusinessForm,
)


@dataclass(frozen=True)
class MasterData:
    resource: str
    form_class: type[StyledModelForm]
    title: Any
    url_prefix: str
    list_template: str
    prefetch: tuple[str, ...] = ()
    select: tuple[str, ...] = ()

    def queryset(self, request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
        queryset = policy.visible(request.user, self.resource, action)
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset

    def url(self, name: str) -> str:
        return f"directory:{self.url_prefix}_{name}"


ORGANIZATIONS = MasterData(
    resource="organization",
    form_class=OrganizationForm,
    title=gettext_lazy("支援関係機関"),
    url_prefix="organization",
    list_template="directory/organization_list.html",
    prefetch=("districts", "sub_businesses"),
    select=("parent",),
)
DISTRICTS = MasterData(
    resource="district",
    form_class=DistrictForm,
    title=gettext_lazy("日常生活圏域"),
    url_prefix="district",
    list_template="directory/district_list.html",
)
CASE_FEATURES = MasterData(
    resource="case_feature",
    form_class=CaseFeatureForm,
    title=gettext_lazy("世帯の特徴"),
    url_prefix="case_feature",
    list_template="directory/case_feature_list.html",
)
SUB_BUSINESSES = MasterData(
    resource="business",
    form_class=SubBusinessForm,
    title=gettext_lazy("区該当事業"),
    url_prefix="business",
    list_template="directory/business_list.html",
    prefetch=("departments",),
    select=("business",),
)


def master_list(request: StaffRequest, kind: MasterData) -> HttpResponse:
    if kind is CASE_FEATURES:
        # A municipality starts with the features seen in the seeds, then edits them.
        case_features_ensure_defaults()
    show_archived = request.GET.get("archived") == "1"
    objects = kind.queryset(request, policy.Action.LIST)
    if not show_archived:
        objects = objects.filter(archived_at=None)
    return render(
        request,
        kind.list_template,
        {
            "objects": objects,
            "kind": kind,
            "show_archived": show_archived,
            "may_create": policy.decide(request.user, policy.Action.CREATE, kind.resource),
        },
    )


def master_edit(request: StaffRequest, kind: MasterData, pk: int | None = None) -> HttpResponse:
    instance: Model | None = None
    if pk is not None:
        instance, _decision = policy.get_or_404(
            request.user, kind.resource, policy.Action.CHANGE, pk=pk
        )
    form = kind.form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = tracked_save_form(actor=request.user, form=form)
        messages.success(request, _("「%(name)s」を保存しました。") % {"name": saved})
        return redirect(kind.url("list"))
    return render(
        request,
        "directory/master_form.html",
        {
            "form": form,
            "kind": kind,
            "instance": instance,
            "archive_form": ArchiveForm() if instance is not None else None,
            "list_url": kind.url("list"),
            "archive_url": reverse(kind.url("archive"), args=[pk]) if pk is not None else "",
        },
    )


def master_archive(request: StaffRequest, kind: MasterData, pk: int) -> HttpResponse:
    instance, _decision = policy.get_or_404(
        request.user, kind.resource, policy.Action.ARCHIVE, pk=pk
    )
    if instance.is_archived:
        tracked_restore(actor=request.user, instance=instance)
        messages.success(request, _("「%(name)s」を元に戻しました。") % {"name": instance})
        return redirect(kind.url("list"))
    form = ArchiveForm(request.POST)
    if form.is_valid():
        tracked_archive(actor=request.user, instance=instance, reason=form.cleaned_data["reason"])
        messages.success(request, _("「%(name)s」をアーカイブしました。") % {"name": instance})
        return redirect(kind.url("list"))
    messages.error(request, _("アーカイブの理由を入力してください。"))
    return redirect(kind.url("edit"), pk=pk)


def _views_for(kind: MasterData) -> tuple[Any, Any, Any, Any]:
    list_view = policy.route(kind.resource, policy.Action.LIST)(
        lambda request: master_list(request, kind)
    )
    create_view = policy.route(kind.resource, policy.Action.CREATE)(
        lambda request: master_edit(request, kind)
    )
    edit_view = policy.route(kind.resource, policy.Action.CHANGE)(
        lambda request, pk: master_edit(request, kind, pk)
    )
    archive_view = require_POST(
        policy.route(kind.resource, policy.Action.ARCHIVE)(
            lambda request, pk: master_archive(request, kind, pk)
        )
    )
    return list_view, create_view, edit_view, archive_view


organization_list, organization_create, organization_edit, organization_archive = _views_for(
    ORGANIZATIONS
)
district_list, district_create, district_edit, district_archive = _views_for(DISTRICTS)
business_list, business_create, business_edit, business_archive = _views_for(SUB_BUSINESSES)
case_feature_list, case_feature_create, case_feature_edit, case_feature_archive = _views_for(
    CASE_FEATURES
)
