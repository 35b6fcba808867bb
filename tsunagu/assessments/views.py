"""Assessment pages: a person's assessments (the latest of each organization
and every version), one version on screen, the next version's form (filled
from the last), and the printed sheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.api.lookups import LINKING_BASES
from tsunagu.assessments import selectors, services
from tsunagu.assessments.forms import AssessmentForm, initial_from
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import OPEN_STAGES, Case
from tsunagu.core.forms_base import add_service_errors, keep_input_at_version
from tsunagu.core.http import StaffRequest
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.people.models import Household, HouseholdMembership, Person


def current_household(person: Person) -> Household:
    """The household the person belongs to now (an assessment is of a member)."""
    membership = (
        HouseholdMembership.objects.filter(person=person, ended_on=None)
        .select_related("household")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.household


def linkable_cases(request: StaffRequest, household: Household) -> QuerySet[Case]:
    """The household's open cases an assessment may be made for: those the
    staff member works on (the coordinating section, or a consent's organization)."""
    cases = list(
        policy.visible(request.user, "case", policy.Action.VIEW).filter(
            household=household, stage__in=OPEN_STAGES
        )
    )
    bases = policy.bases(request.user, "case", cases)
    return Case.objects.filter(
        pk__in=[case.pk for case in cases if bases.get(case.pk) in LINKING_BASES]
    ).order_by("-opened_on")


@policy.route("assessment", policy.Action.LIST)
def person_assessments(request: StaffRequest, person_pk: int) -> HttpResponse:
    """A person's assessments: the latest of each organization, and every version."""
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_pk)
    versions = selectors.person_versions(request.user, person)
    bases = policy.bases(request.user, "assessment", versions)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=person,
        basis=decision.basis or "",
        detail={"page": "assessments", "shown": {"assessment": [a.pk for a in versions]}},
    )
    latest = selectors.latest_of_each(versions)
    return render(
        request,
        "assessments/person.html",
        {
            "person": person,
            "basis": decision.basis,
            "latest": [(a, selectors.sheet_rows(a), bases.get(a.pk)) for a in latest[:1]],
            "others": latest[1:],
            "versions": [(a, bases.get(a.pk)) for a in versions],
            "may_record": bool(policy.casework_organization_ids(request.user)),
            "case_pk": request.GET.get("case", ""),
        },
    )


@policy.route("assessment", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    """One version of an assessment, with the other versions of its series."""
    assessment, decision = policy.get_or_404(request.user, "assessment", policy.Action.VIEW, pk=pk)
    series = list(
        selectors.visible(request.user)
        .filter(organization_id=assessment.organization_id, person_id=assessment.person_id)
        .order_by("-version_number")
    )
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "basis": decision.basis,
            "rows": selectors.sheet_rows(assessment),
            "issues": assessment.issues(),
            "series": series,
            "is_latest": series[0].pk == assessment.pk,
            "may_record": bool(policy.casework_organization_ids(request.user)),
        },
    )


@policy.route("assessment", policy.Action.CREATE)
def create(request: StaffRequest, person_pk: int) -> HttpResponse:
    """The next version of the acting organization's assessment of a person,
    filled from the last version (its own, else the latest it may see)."""
    person, _decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_pk)
    household = current_household(person)
    policy.get_or_404(request.user, "household", policy.Action.CHANGE, pk=household.pk)
    organization = acting_casework_organization(request, "assessment")
    start = selectors.starting_point(request.user, person, organization.pk)
    based_on = services.latest_version_number(organization, person)
    cases = linkable_cases(request, household)
    initial: dict[str, Any] = initial_from(start) if start is not None else {}
    initial.update(based_on=based_on, assessed_on=timezone.localdate())
    wanted_case = request.GET.get("case", "")
    if wanted_case.isdigit() and cases.filter(pk=int(wanted_case)).exists():
        initial["case"] = int(wanted_case)
    elif initial.get("case") and not cases.filter(pk=initial["case"]).exists():
        initial["case"] = None
    form = AssessmentForm(request.POST or None, cases=cases, initial=initial)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                actor=request.user,
                organization=organization,
                household=household,
                person=person,
                case=form.cleaned_data["case"],
                based_on=form.cleaned_data["based_on"],
                assessed_on=form.cleaned_data["assessed_on"],
                ticked=form.ticked(),
                notes=form.notes(),
                supplements=form.cleaned_data["supplements"],
                background=form.cleaned_data["background"],
                person_issues=form.cleaned_data["person_issues"],
                household_issues=form.cleaned_data["household_issues"],
                wishes=form.cleaned_data["wishes"],
            )
        except services.AssessmentConflict as conflict:
            form.add_error(None, str(conflict))
            keep_input_at_version(
                form, services.latest_version_number(organization, person), "based_on"
            )
            status_code = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("アセスメント（第%(n)d版）を%(org)sの記録として保存しました。")
                % {"n": assessment.version_number, "org": organization.name},
            )
            return redirect("assessments:detail", pk=assessment.pk)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "person": person,
            "household": household,
            "organization": organization,
            "start": start,
            "next_number": based_on + 1,
            "invalid": request.method == "POST",
        },
        status=status_code,
    )


@policy.route("assessment", policy.Action.PRINT)
def print_sheet(request: StaffRequest, pk: int) -> HttpResponse:
    """The インテーク・アセスメントシート as a PDF; get_or_404 records the print with its basis."""
    assessment, decision = policy.get_or_404(request.user, "assessment", policy.Action.PRINT, pk=pk)
    from tsunagu.assessments.printing import assessment_sheet_pdf  # loads WeasyPrint

    pdf = assessment_sheet_pdf(assessment, viewer=request.user, basis=decision.basis)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = (
        f'inline; filename="assessment-{assessment.pk}-v{assessment.version_number}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response
