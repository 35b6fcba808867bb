"""Process measures of 多機関協働: days from the first consultation to the first
支援会議, to consent and to a plan, and the cases still waiting for consent —
over the cases the viewer may see, by fiscal year and coordinating section."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases import measures as selectors
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization


class MeasuresFilterForm(StyledForm):
    fiscal_year = forms.TypedChoiceField(
        label=_("受付年度"), coerce=int, required=False, empty_value=None
    )
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("多機関協働事務局"), queryset=Organization.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, years: list[tuple[int, str]], organizations: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # A filter's empty choice means "all", not "choose one".
        self.fields["fiscal_year"].choices = [("", _("すべての年度")), *years]  # type: ignore[attr-defined]
        organization = self.fields["organization"]
        organization.queryset = organizations  # type: ignore[attr-defined]
        organization.empty_label = _("すべての事務局")  # type: ignore[attr-defined]


@policy.route("case", policy.Action.LIST)
def measures(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = policy.visible(request.user, "case", policy.Action.LIST).filter(archived_at=None)
    organizations = (
        policy.visible(request.user, "organization", policy.Action.LIST)
        .filter(is_coordinating=True)
        .order_by("sort_order", "name")
    )
    form = MeasuresFilterForm(
        request.GET or None,
        years=selectors.fiscal_years(cases, today),
        organizations=organizations,
    )
    fiscal_year, organization = None, None
    if form.is_valid():
        fiscal_year = form.cleaned_data["fiscal_year"]
        organization = form.cleaned_data["organization"]
    figures = selectors.measures(
        cases,
        today,
        consultations=policy.visible(request.user, "consultation", policy.Action.LIST),
        fiscal_year=fiscal_year,
        organization_id=organization.pk if organization else None,
    )
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="cases.case",
        detail={
            "page": "measures",
            "fiscal_year": fiscal_year,
            "organization": organization.pk if organization else None,
            "shown": [row.case_id for row in figures.cases],
        },
    )
    return render(
        request,
        "cases/measures.html",
        {
            "form": form,
            "figures": figures,
            "fiscal_year": fiscal_year,
            "organization": organization,
            "today": today,
        },
    )
