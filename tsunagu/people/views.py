"""Screens for residents: search, the household page, the person page, probable
duplicates at intake, merges, break-glass openings and the variant table.

Names typed to search or match travel in POST bodies, never in URLs (access.md:
no personal data in URLs or access logs)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.core.text import control_characters
from tsunagu.core.wareki import parse_date
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.people import selectors, services
from tsunagu.people.forms import (
    EmergencyForm,
    HouseholdForm,
    MemberAddForm,
    MemberEndForm,
    NameVariantForm,
    PersonForm,
    ReasonForm,
)
from tsunagu.people.matching import Typed, probable_matches
from tsunagu.people.models import EmergencyAccess, Household, HouseholdMembership, Person
from tsunagu.people.names import fold
from tsunagu.people.readings import suggest_reading


def _typed_query(request: StaffRequest) -> str:
    """The search typed, without control characters: they are no part of a name
    or a word (search ignores them), and the audit trail's JSON on PostgreSQL
    cannot hold NUL."""
    typed = request.POST.get("q", "") if request.method == "POST" else ""
    return "".join(char for char in typed if not control_characters(char)).strip()[:100]


def _audit_search(request: StaffRequest, kind: str, query: str, ids: list[int]) -> None:
    audit_record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type=kind,
        detail={"query": query[:100], "results": ids[:100]},
    )


@policy.route("person", policy.Action.LIST)
def search(request: StaffRequest) -> HttpResponse:
    """Persons by any part of the name: only those the viewer may see. The
    consultations whose text has the words come in a second request
    (:func:`search_consultations`, which the page asks for as it shows), so
    that names answer at once, however many records there are to read."""
    query = _typed_query(request)
    persons: list[Person] = []
    if query:
        persons = selectors.person_search(request.user, query)
        _audit_search(request, "people.person", query, [p.pk for p in persons])
    households = selectors.openable_households(request.user, persons)
    rows = [(person, households.get(person.pk)) for person in persons]
    template = "people/_search_results.html" if request.htmx else "people/search.html"
    return render(
        request,
        template,
        {"query": query, "rows": rows, "limit": selectors.SEARCH_LIMIT},
    )


@policy.route("consultation", policy.Action.LIST)
def search_consultations(request: StaffRequest) -> HttpResponse:
    """Consultations the viewer may see whose text has every word."""
    query = _typed_query(request)
    consultations: list[Any] = []
    if query:
        consultations = list(selectors.consultation_search(request.user, query))
        _audit_search(request, "consultations.consultation", query, [c.pk for c in consultations])
    template = (
        "people/_consultation_results.html" if request.htmx else "people/search_consultations.html"
    )
    return render(
        request,
        template,
        {"query": query, "consultations": consultations, "limit": selectors.SEARCH_LIMIT},
    )


def _basis_context(request: StaffRequest, household_id: int | None, basis: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"basis": basis}
    if basis == policy.Basis.EMERGENCY and household_id is not None:
        context["emergency"] = (
            EmergencyAccess.objects.filter(staff=request.user, household_id=household_id)
            .order_by("-opened_at")
            .first()
        )
    return context


@policy.route("household", policy.Action.VIEW)
def household_detail(request: StaffRequest, pk: int) -> HttpResponse:
    household, decision = policy.get_or_404(request.user, "household", policy.Action.VIEW, pk=pk)
    assert decision.basis is not None  # get_or_404 returns only allowed decisions
    view = selectors.household_view(request.user, household, decision.basis)
    # get_or_404 recorded the view of the household; this event lists the
    # records shown on the page, so that an auditor sees what was on screen.
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        obj=household,
        basis=decision.basis or "",
        detail={"shown": view.shown, "page": "household"},
    )
    may = policy.allowed(
        request.user,
        "household",
        household,
        [policy.Action.CHANGE, policy.Action.ARCHIVE],
        basis=decision.basis,
    )
    return render(
        request,
        "people/household_detail.html",
        {
            "view": view,
            "household": household,
            "may_change": bool(may[policy.Action.CHANGE]),
            "may_archive": bool(may[policy.Action.ARCHIVE]),
            **_basis_context(request, household.pk, decision.basis),
        },
    )


@policy.route("household", policy.Action.CHANGE)
def household_edit(request: StaffRequest, pk: int) -> HttpResponse:
    household, decision = policy.get_or_404(request.user, "household", policy.Action.CHANGE, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        services.household_update(
            actor=request.user, household=form.instance, changed=form.changed_data
        )
        messages.success(request, _("世帯の情報を更新しました。"))
        return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "household": household, "basis": decision.basis},
    )


@policy.route("household", policy.Action.CHANGE)
def member_add(request: StaffRequest, pk: int) -> HttpResponse:
    """Add a member: a person the viewer already sees (moved from their household), or a new one."""
    household, _decision = policy.get_or_404(request.user, "household", policy.Action.CHANGE, pk=pk)
    organization = acting_casework_organization(request, "household")
    member_form = MemberAddForm(request.POST or None)
    person_form = PersonForm(request.POST or None, prefix="person")
    existing_id = request.POST.get("existing_person", "")
    if request.method == "POST" and member_form.is_valid():
        try:
            if existing_id:
                person, _d = policy.get_or_404(
                    request.user, "person", policy.Action.CHANGE, pk=int(existing_id)
                )
            elif person_form.is_valid():
                person = services.person_create(
                    actor=request.user, organization=organization, person=person_form.instance
                )
            else:
                person = None
            if person is not None:
                services.household_member_add(
                    actor=request.user,
                    household=household,
                    person=person,
                    relationship=member_form.cleaned_data["relationship"],
                    started_on=member_form.cleaned_data["started_on"],
                )
                messages.success(request, _("世帯員を追加しました。"))
                return redirect("people:household_detail", pk=household.pk)
        except ValidationError as error:
            member_form.add_error(None, error)
    return render(
        request,
        "people/member_add.html",
        {"household": household, "member_form": member_form, "person_form": person_form},
    )


@policy.route("household", policy.Action.CHANGE)
def member_end(request: StaffRequest, pk: int) -> HttpResponse:
    membership = HouseholdMembership.objects.filter(pk=pk).first()
    if membership is None:
        raise Http404
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=membership.household_id
    )
    form = MemberEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_end(
                actor=request.user,
                membership=membership,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("世帯員の離脱を記録しました。"))
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/member_end.html",
        {"household": household, "membership": membership, "form": form},
    )


@policy.route("person", policy.Action.VIEW)
def person_detail(request: StaffRequest, pk: int) -> HttpResponse:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=pk)
    visible_households = set(
        policy.visible(request.user, "household", policy.Action.VIEW)
        .filter(memberships__person=person)
        .values_list("pk", flat=True)
    )
    memberships = [
        m
        for m in person.memberships.select_related("household").order_by("started_on", "id")
        if m.household_id in visible_households
    ]
    current = next((m for m in memberships if m.ended_on is None), None)
    consultations = list(
        policy.visible(request.user, "consultation", policy.Action.VIEW)
        .filter(subjects=person)
        .select_related("organization")
        .order_by("-received_at")[:50]
    )
    consultation_bases = policy.bases(request.user, "consultation", consultations)
    may_change = bool(policy.decide(request.user, policy.Action.CHANGE, "person", person))
    form = PersonForm(instance=person)
    if request.method == "POST" and may_change:
        form = PersonForm(request.POST, instance=person)
        if form.is_valid():
            services.person_update(
                actor=request.user, person=form.instance, changed=form.changed_data
            )
            messages.success(request, _("本人の情報を更新しました。"))
            return redirect("people:person_detail", pk=person.pk)
    candidates = []
    if may_change and person.merged_into_id is None:
        candidates = [
            match
            for match in probable_matches(
                policy.visible(request.user, "person", policy.Action.CHANGE).exclude(pk=person.pk),
                _typed_of(person),
                services.name_variants(),
            )
        ]
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "form": form,
            "may_change": may_change,
            "memberships": memberships,
            "current": current,
            "consultations": [(c, consultation_bases.get(c.pk)) for c in consultations],
            "candidates": candidates,
            **_basis_context(request, current.household_id if current else None, decision.basis),
        },
    )


def _typed_of(person: Person) -> Typed:
    return Typed(
        family_name=person.family_name,
        given_name=person.given_name,
        family_name_kana=person.family_name_kana,
        given_name_kana=person.given_name_kana,
        birth_date=person.birth_date,
        address=person.address,
    )


@policy.route("person", policy.Action.CHANGE)
def person_archive(request: StaffRequest, pk: int) -> HttpResponse:
    person, _decision = policy.get_or_404(request.user, "person", policy.Action.ARCHIVE, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_archive(
            actor=request.user, person=person, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("本人の記録をアーカイブしました。記録は削除されていません。"))
        return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_archive.html", {"person": person, "form": form})


@policy.route("household", policy.Action.ARCHIVE)
def household_archive(request: StaffRequest, pk: int) -> HttpResponse:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.ARCHIVE, pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from tsunagu.core.services import tracked_archive

        tracked_archive(actor=request.user, instance=household, reason=form.cleaned_data["reason"])
        messages.success(request, _("世帯の記録をアーカイブしました。記録は削除されていません。"))
        return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/household_archive.html", {"household": household, "form": form})


# ---------------------------------------------------------------------------
# Intake helpers (htmx): probable duplicates and the suggested reading.


@require_POST
@policy.route("person", policy.Action.CREATE)
def matches(request: StaffRequest) -> HttpResponse:
    """Probable existing persons for the name typed at intake, with score and reasons."""
    post = request.POST
    prefix = post.get("prefix", "person")

    def value(name: str) -> str:
        typed = post.get(f"{prefix}-{name}", "")
        return "".join(char for char in typed if char.isprintable()).strip()[:60]

    try:
        born = parse_date(value("birth_date")) if value("birth_date") else None
    except ValueError:
        born = None
    typed = Typed(
        family_name=value("family_name"),
        given_name=value("given_name"),
        family_name_kana=value("family_name_kana"),
        given_name_kana=value("given_name_kana"),
        birth_date=born,
        address="".join(c for c in post.get(f"{prefix}-address", "") if c.isprintable())[:200],
    )
    found = probable_matches(
        policy.visible(request.user, "person", policy.Action.VIEW),
        typed,
        services.name_variants(),
    )
    households = selectors.openable_households(request.user, [m.person for m in found])
    if found:
        audit_record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="people.person",
            detail={"purpose": "duplicate_check", "results": [m.person.pk for m in found]},
        )
    return render(
        request,
        "people/_matches.html",
        {
            "matches": [(m, households.get(m.person.pk)) for m in found],
            "typed": typed,
            # A re-check while typing keeps the candidate the clerk already chose.
            "selected": int(post["existing_person"])
            if post.get("existing_person", "").isdigit()
            else None,
        },
    )


@require_POST
@policy.route("person", policy.Action.CREATE)
def reading(request: StaffRequest) -> HttpResponse:
    """A suggested ふりがな for the typed name; offered, never stored unless the clerk keeps it."""
    prefix = request.POST.get("prefix", "person")
    family = request.POST.get(f"{prefix}-family_name", "")[:40]
    given = request.POST.get(f"{prefix}-given_name", "")[:40]
    typed_family = request.POST.get(f"{prefix}-family_name_kana", "")
    typed_given = request.POST.get(f"{prefix}-given_name_kana", "")
    suggestion = {
        "family": suggest_reading(family) if family and not typed_family else "",
        "given": suggest_reading(given) if given and not typed_given else "",
    }
    return render(request, "people/_reading.html", {"suggestion": suggestion, "prefix": prefix})


# ---------------------------------------------------------------------------
# Merging duplicates.


@policy.route("person_merge", policy.Action.CREATE)
def merge(request: StaffRequest, pk: int, other: int) -> HttpResponse:
    survivor, _d1 = policy.get_or_404(request.user, "person", policy.Action.CHANGE, pk=pk)
    absorbed, _d2 = policy.get_or_404(request.user, "person", policy.Action.CHANGE, pk=other)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_merge(
                actor=request.user,
                survivor=survivor,
                absorbed=absorbed,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("2つの記録を統合しました。管理者は統合の一覧から取り消せます。"),
            )
            return redirect("people:person_detail", pk=survivor.pk)
    return render(
        request,
        "people/merge_confirm.html",
        {"survivor": survivor, "absorbed": absorbed, "form": form},
    )


@policy.route("person_merge", policy.Action.LIST)
def merge_list(request: StaffRequest) -> HttpResponse:
    merges = policy.visible(request.user, "person_merge", policy.Action.LIST).select_related(
        "survivor", "absorbed", "merged_by", "undone_by"
    )[:200]
    return render(request, "people/merge_list.html", {"merges": merges})


@require_POST
@policy.route("person_merge", policy.Action.CHANGE)
def merge_undo(request: StaffRequest, pk: int) -> HttpResponse:
    merge_record, _decision = policy.get_or_404(
        request.user, "person_merge", policy.Action.CHANGE, pk=pk
    )
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.person_merge_undo(
                actor=request.user, merge=merge_record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("統合を取り消しました。2つの記録は元に戻りました。"))
    else:
        messages.error(request, _("取り消しの理由を入力してください。"))
    return redirect("people:merge_list")


# ---------------------------------------------------------------------------
# Break-glass.


@policy.route("emergency_access", policy.Action.CREATE)
def emergency(request: StaffRequest) -> HttpResponse:
    """Find a household in an emergency, stating why; opening one is recorded and reviewed."""
    form = EmergencyForm(request.POST or None)
    rows: list[tuple[Person, int | None]] = []
    if request.method == "POST" and "household" in request.POST and form.is_valid():
        household = Household.objects.filter(pk=request.POST.get("household")).first()
        if household is None:
            raise Http404
        services.emergency_access_open(
            actor=request.user,
            organization_id=acting_organization_id(
                request, policy.casework_organization_ids(request.user)
            ),
            household=household,
            reason=form.cleaned_data["reason"],
        )
        return redirect("people:household_detail", pk=household.pk)
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["query"]
        key = fold(query, services.name_variants())
        try:
            born = parse_date(query)
        except ValueError:
            born = None
        found = Person.objects.filter(archived_at__isnull=True)
        found = (
            found.filter(birth_date=born)
            if born
            else found.filter(name_key__contains=key) | found.filter(kana_key__contains=key)
        )
        persons = list(found.order_by("kana_key", "pk")[:20]) if (key or born) else []
        households = {
            m.person_id: m.household_id
            for m in HouseholdMembership.objects.filter(person__in=persons, ended_on__isnull=True)
        }
        rows = [(p, households.get(p.pk)) for p in persons]
        audit_record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="people.person",
            basis=policy.Basis.EMERGENCY,
            detail={
                "query": query,
                "reason": form.cleaned_data["reason"],
                "results": [p.pk for p in persons],
            },
        )
    return render(request, "people/emergency.html", {"form": form, "rows": rows})


@policy.route("emergency_access", policy.Action.LIST)
def emergency_list(request: StaffRequest) -> HttpResponse:
    """Every break-glass opening, for the auditors' review."""
    grants = policy.visible(request.user, "emergency_access", policy.Action.LIST).select_related(
        "staff", "organization", "reviewed_by"
    )[:500]
    if request.method == "POST":
        grant, _decision = policy.get_or_404(
            request.user, "emergency_access", policy.Action.CHANGE, pk=request.POST.get("grant")
        )
        services.emergency_access_review(
            actor=request.user, grant=grant, note=request.POST.get("note", "")[:200]
        )
        messages.success(request, _("確認済みにしました。"))
        return redirect("people:emergency_list")
    audit_record(AuditAction.LIST, actor=request.user, object_type="people.emergencyaccess")
    return render(request, "people/emergency_list.html", {"grants": grants})


# ---------------------------------------------------------------------------
# The municipality's variant table.


@policy.route("name_variant", policy.Action.LIST)
def name_variants(request: StaffRequest) -> HttpResponse:
    from tsunagu.people.models import NameVariant
    from tsunagu.people.names import VARIANT_KANJI

    may_add = bool(policy.decide(request.user, policy.Action.CREATE, "name_variant"))
    form = NameVariantForm(request.POST or None)
    if request.method == "POST" and may_add and form.is_valid():
        services.name_variant_add(actor=request.user, variant=form.instance)
        messages.success(request, _("異体字を追加し、本人の検索用の読みを更新しました。"))
        return redirect("people:name_variants")
    return render(
        request,
        "people/name_variants.html",
        {
            "form": form,
            "may_add": may_add,
            "own": NameVariant.objects.all(),
            "builtin": sorted(VARIANT_KANJI.items(), key=lambda item: item[1]),
        },
    )
