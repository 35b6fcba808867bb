"""The survey answers (seed 004) and the process measures: aggregates over the
municipality's records, which every staff member but a guest may read
(managers included). No names, no case numbers: nothing personal is shown, so
the pages are audited as a list of figures, not as views of records."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.reports import process as process_selectors
from tsunagu.reports import survey as survey_selectors

#: How many fiscal years the selector offers, the current one first.
YEARS_OFFERED = 6


class FiscalYearForm(StyledForm):
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args: Any, today: datetime.date, default: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = fiscal_year_of(today)
        field = self.fields["fiscal_year"]
        field.choices = [  # type: ignore[attr-defined]
            (fy, fiscal_year_label(fy)) for fy in range(current, current - YEARS_OFFERED, -1)
        ]
        field.initial = default


def chosen_year(request: StaffRequest, default: int) -> tuple[FiscalYearForm, int]:
    """The fiscal year asked for, else ``default`` (a wrong one is shown as an
    error on the selector, with the default year's figures below it)."""
    today = timezone.localdate()
    form = FiscalYearForm(request.GET or None, today=today, default=default)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["fiscal_year"]
    return form, default


@policy.route("aggregate", policy.Action.LIST)
def survey(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    form, fiscal_year = chosen_year(request, survey_selectors.default_fiscal_year(today))
    answers = survey_selectors.survey_answers(fiscal_year, today)
    serves_several = survey_selectors.installation_municipalities().count() > 1
    totals = (
        survey_selectors.installation_totals(fiscal_year, today=today) if serves_several else None
    )
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="reports.survey",
        detail={"page": "survey", "fiscal_year": fiscal_year, "installation": serves_several},
    )
    return render(
        request,
        "reports/survey.html",
        {"form": form, "answers": answers, "totals": totals, "minimum": survey_selectors.MINIMUM},
    )


@policy.route("aggregate", policy.Action.LIST)
def process(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    # The work under way: this fiscal year (to date) unless another is chosen.
    form, fiscal_year = chosen_year(request, fiscal_year_of(today))
    figures = process_selectors.process_measures(fiscal_year, today)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="reports.process",
        detail={"page": "process", "fiscal_year": fiscal_year},
    )
    return render(
        request,
        "reports/process.html",
        {
            "form": form,
            "figures": figures,
            "charts": process_selectors.process_charts(figures),
        },
    )
