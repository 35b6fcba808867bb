from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.consultations.models import CaseFeature
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import District, Organization, SubBusiness


class OrganizationForm(StyledModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "management",
            "operator",
            "parent",
            "is_coordinating",
            "designated_multi_agency",
            "districts",
            "sub_businesses",
            "phone",
            "address",
            "sort_order",
        ]
        widgets = {
            "districts": forms.CheckboxSelectMultiple,
            "sub_businesses": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Organization.objects.filter(archived_at=None)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["districts"].queryset = District.objects.filter(archived_at=None)  # type: ignore[attr-defined]
        self.fields["sub_businesses"].queryset = SubBusiness.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).select_related("business")


class DistrictForm(StyledModelForm):
    class Meta:
        model = District
        fields = ["name", "address_prefixes", "sort_order"]
        widgets = {"address_prefixes": forms.Textarea(attrs={"rows": 4})}


class CaseFeatureForm(StyledModelForm):
    class Meta:
        model = CaseFeature
        fields = ["name", "sort_order"]


class SubBusinessForm(StyledModelForm):
    class Meta:
        model = SubBusiness
        fields = [
            "business",
            "name",
            "legal_basis",
            "content",
            "capacity_count",
            "capacity_unit",
            "capacity_note",
            "report_items",
            "departments",
            "sort_order",
        ]
        widgets = {"departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Organization.objects.filter(archived_at=None)  # type: ignore[attr-defined]


class ArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("アーカイブの理由"), max_length=200, help_text=_("例: 組織改正により廃止")
    )
