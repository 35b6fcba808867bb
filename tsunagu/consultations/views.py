"""Intake at any window, the consultation record, and its printed sheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations import services
from tsunagu.consultations.forms import HOUSEHOLD, NEW, ContinuityForm, IntakeForm, LinkForm
from tsunagu.consultations.models import Channel, Consultation, Outcome
from tsunagu.core.http import StaffRequest
from tsunagu.directory.selectors import casework_organizations
from tsunagu.people import selectors as people_selectors
from tsunagu.people import services as people_services
from tsunagu.people.forms import PersonForm
from tsunagu.people.models import Household, HouseholdMembership, Person


@policy.route("consultation", policy.Action.CREATE)
def intake(request: StaffRequest) -> HttpResponse:
    """Record a consultation in about a minute: who received it, how, from whom,
    about whom (new, already registered, a household, or not yet known), what."""
    services.case_features_ensure_defaults()
    organizations = casework_organizations(request)
    household: Household | None = None
    members: list[Person] | None = None
    household_pk = request.GET.get("household") or request.POST.get("household")
    if household_pk:
        household, _decision = policy.get_or_404(
            request.user, "household", policy.Action.CHANGE, pk=household_pk
        )
        members = list(
            Person.objects.filter(
                memberships__household=household, memberships__ended_on__isnull=True
            ).order_by("memberships__started_on", "pk")
        )
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    if request.GET.get("event", "").isdigit():
        # 「この会場で相談を受け付ける」 on an event's page.
        initial = {"event": int(request.GET["event"]), "channel": Channel.OUTREACH_DESK}
    form = IntakeForm(data, organizations=organizations, household_members=members, initial=initial)
    person_form = PersonForm(data, prefix="person")
    if data is not None and form.is_valid():
        mode = form.cleaned_data["subject_mode"]
        existing_id = request.POST.get("existing_person", "")
        try:
            with transaction.atomic():
                consultation = _record(request, form, person_form, mode, existing_id, household)
        except ValidationError as error:
            _attach(form, error)
        else:
            if consultation is not None:
                return _after_intake(request, consultation)
    details_open = any(name in form.errors for name in DETAIL_FIELDS) or any(
        name in person_form.errors for name in PERSON_DETAIL_FIELDS
    )
    return render(
        request,
        "consultations/intake.html",
        {
            "form": form,
            "person_form": person_form,
            "household": household,
            "members": members,
            "details_open": details_open,
        },
    )


#: The fields of the intake's 「詳細」 section (closed unless one of them has an error).
DETAIL_FIELDS = (
    "organization",
    "received_on",
    "received_time",
    "continuity",
    "consulter_note",
    "life_issues",
    "case_features",
)
PERSON_DETAIL_FIELDS = ("district", "phone", "language_note", "nationality_note")


def _attach(form: IntakeForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _record(
    request: StaffRequest,
    form: IntakeForm,
    person_form: PersonForm,
    mode: str,
    existing_id: str,
    household: Household | None,
) -> Consultation | None:
    organization = form.cleaned_data["organization"]
    subjects: list[Person] = []
    if mode == HOUSEHOLD and household is not None:
        subjects = list(form.cleaned_data["subjects"])
    elif mode == NEW:
        if existing_id:
            person, _decision = policy.get_or_404(
                request.user, "person", policy.Action.CHANGE, pk=int(existing_id)
            )
            current = HouseholdMembership.objects.filter(
                person=person, ended_on__isnull=True
            ).first()
            household = current.household if current else None
        elif person_form.is_valid():
            person = people_services.person_create(
                actor=request.user, organization=organization, person=person_form.instance
            )
            household = None
        else:
            form.add_error(None, _("本人の入力内容を確認してください。"))
            return None
        if household is None:
            household = people_services.household_create(
                actor=request.user, organization=organization, household=Household(), head=person
            )
        subjects = [person]
    consultation = form.instance
    consultation.household = household
    consultation.received_by = request.user
    consultation.life_issues = form.cleaned_data["life_issues"]
    return services.consultation_create(
        actor=request.user,
        organization=organization,
        consultation=consultation,
        topics=form.cleaned_data["topics"],
        subjects=subjects,
        case_features=form.cleaned_data["case_features"],
        continuity=form.cleaned_data.get("continuity") or None,
    )


def _after_intake(request: StaffRequest, consultation: Consultation) -> HttpResponse:
    if consultation.outcome in (Outcome.REFER, Outcome.ESCALATE):
        messages.success(request, _("相談を受け付けました。続けてつなぐシートを作成してください。"))
        url = reverse("referrals:create") + f"?consultation={consultation.pk}"
        if consultation.outcome == Outcome.ESCALATE:
            url += "&escalate=1"
        return redirect(url)
    messages.success(
        request,
        _("相談を受け付けました（受付番号 %(number)s）。") % {"number": consultation.number},
    )
    if consultation.household_id:
        return redirect("people:household_detail", pk=consultation.household_id)
    return redirect("consultations:detail", pk=consultation.pk)


@policy.route("consultation", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    consultation, decision = policy.get_or_404(
        request.user, "consultation", policy.Action.VIEW, pk=pk
    )
    household_visible = consultation.household_id is not None and bool(
        policy.visible(request.user, "household", policy.Action.VIEW)
        .filter(pk=consultation.household_id)
        .exists()
    )
    subjects = list(
        policy.visible(request.user, "person", policy.Action.VIEW).filter(
            consultation_links__consultation=consultation
        )
    )
    referrals = list(
        policy.visible(request.user, "referral", policy.Action.VIEW)
        .filter(consultation=consultation)
        .select_related("to_organization")
    )
    context: dict[str, Any] = {
        "consultation": consultation,
        "basis": decision.basis,
        "household_visible": household_visible,
        "subjects": subjects,
        "referrals": referrals,
        "may_refer": decision.basis == policy.Basis.OWN_ORGANIZATION,
        "may_change": bool(
            policy.decide(request.user, policy.Action.CHANGE, "consultation", consultation)
        ),
        "continuity_form": ContinuityForm(initial={"continuity": consultation.continuity}),
    }
    if decision.basis == policy.Basis.EMERGENCY:
        from tsunagu.people.models import EmergencyAccess

        context["emergency"] = (
            EmergencyAccess.objects.filter(
                staff=request.user, household_id=consultation.household_id
            )
            .order_by("-opened_at")
            .first()
        )
    return render(request, "consultations/detail.html", context)


@policy.route("consultation", policy.Action.PRINT)
def print_sheet(request: StaffRequest, pk: int) -> HttpResponse:
    """The 相談受付・申込票 as a PDF (the consent variant follows the record).
    get_or_404 records the print with its basis."""
    consultation, decision = policy.get_or_404(
        request.user, "consultation", policy.Action.PRINT, pk=pk
    )
    from tsunagu.consultations.printing import intake_sheet_pdf  # loads WeasyPrint on first print

    pdf = intake_sheet_pdf(consultation, viewer=request.user, basis=decision.basis)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = (
        f'inline; filename="soudan-uketsuke-{consultation.number}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@policy.route("consultation", policy.Action.CHANGE)
def continuity_set(request: StaffRequest, pk: int) -> HttpResponse:
    """The recording organization's 新規/継続 for a consultation."""
    consultation, _decision = policy.get_or_404(
        request.user, "consultation", policy.Action.CHANGE, pk=pk
    )
    form = ContinuityForm(request.POST)
    if form.is_valid():
        services.consultation_continuity_set(
            actor=request.user,
            consultation=consultation,
            continuity=form.cleaned_data["continuity"],
        )
        messages.success(
            request,
            _("新規/継続を「%(mark)s」にしました。")
            % {"mark": consultation.get_continuity_display()},
        )
    else:
        messages.error(request, _("新規か継続を選んでください。"))
    return redirect("consultations:detail", pk=consultation.pk)


@policy.route("consultation", policy.Action.CHANGE)
def link_household(request: StaffRequest, pk: int) -> HttpResponse:
    """Link a consultation about an unknown subject (「上の階の人」) to the person
    and household found later: search the person as the search page does,
    choose one, confirm the household and the members it was about."""
    consultation, _decision = policy.get_or_404(
        request.user, "consultation", policy.Action.CHANGE, pk=pk
    )
    if consultation.household_id is not None:
        messages.info(request, _("この相談受付は、すでに世帯に結び付いています。"))
        return redirect("consultations:detail", pk=consultation.pk)
    chosen = request.POST.get("person") or request.GET.get("person")
    if chosen:
        return _link_confirm(request, consultation, chosen)
    query = request.GET.get("q", "").strip()[:100]
    rows: list[tuple[Person, int | None]] = []
    if query:
        persons = people_selectors.person_search(request.user, query)
        audit_record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="people.person",
            detail={"query": query, "results": [p.pk for p in persons][:100], "for": "link"},
        )
        households = people_selectors.openable_households(request.user, persons)
        rows = [(person, households.get(person.pk)) for person in persons]
    return render(
        request,
        "consultations/link.html",
        {"consultation": consultation, "query": query, "rows": rows},
    )


def _link_confirm(request: StaffRequest, consultation: Consultation, chosen: str) -> HttpResponse:
    if not chosen.isdigit():
        raise Http404
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.VIEW, pk=int(chosen)
    )
    membership = (
        HouseholdMembership.objects.filter(person=person, ended_on__isnull=True)
        .select_related("household")
        .first()
    )
    if membership is None:
        messages.error(request, _("この方は世帯に属していません。先に世帯を登録してください。"))
        return redirect("consultations:link", pk=consultation.pk)
    household, _household_decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=membership.household_id
    )
    members = list(
        policy.visible(request.user, "person", policy.Action.VIEW)
        .filter(memberships__household=household, memberships__ended_on__isnull=True)
        .distinct()
        .order_by("pk")
    )
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"person": person.pk, "subjects": [person.pk]},
    )
    if request.method == "POST" and form.is_valid():
        subjects = list(form.cleaned_data["subjects"])
        if person not in subjects:
            subjects.insert(0, person)
        services.consultation_link_household(
            actor=request.user,
            consultation=consultation,
            household_id=household.pk,
            subjects=subjects,
        )
        messages.success(
            request,
            _("相談受付を %(household)s に結び付けました（%(mark)s）。")
            % {"household": household, "mark": consultation.get_continuity_display()},
        )
        return redirect("consultations:detail", pk=consultation.pk)
    return render(
        request,
        "consultations/link_confirm.html",
        {"consultation": consultation, "person": person, "household": household, "form": form},
    )
