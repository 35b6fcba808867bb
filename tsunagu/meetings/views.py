"""会議: the sittings a staff member (or an external guest) may see, scheduling
one, the sitting page (attendees and pledges, agenda with briefs and
decisions, holding it, minutes, questionnaire), its printed minutes, and the
task list of the organizations that own what the meetings decided.

Who sees the material of a sitting is the policy's
(:func:`tsunagu.policy.meeting_material_basis`, :func:`~tsunagu.policy.agenda_item_bases`);
every write goes through :mod:`tsunagu.meetings.services`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import OPEN_STAGES, Case
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.directory.selectors import acting_casework_organization, casework_organizations
from tsunagu.meetings import services
from tsunagu.meetings.forms import (
    ActionDoneForm,
    AgendaForm,
    AttendeeForm,
    BriefForm,
    CancelForm,
    DecisionsForm,
    GuestForm,
    MeetingForm,
    MinutesForm,
    QuestionnaireForm,
)
from tsunagu.meetings.models import (
    CASE_KINDS,
    AgendaItem,
    Attendee,
    Meeting,
    QuestionnaireAnswer,
    Status,
)
from tsunagu.meetings.selectors import material_for

# ---------------------------------------------------------------------------
# Helpers.


def _int_or_404(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def _host_cases(staff: Staff) -> QuerySet[Case]:
    """Open cases the host may put on an agenda: those its own section holds.

    ``visible(..., CHANGE)`` also lists cases seen on a consent or a 支援会議,
    which the policy does not let anyone but the holding section change (and
    ``agenda_item_add`` refuses), so the list keeps to the holder's cases."""
    return (
        policy.visible(staff, "case", policy.Action.CHANGE)
        .filter(stage__in=OPEN_STAGES, organization_id__in=policy.casework_organization_ids(staff))
        .order_by("-opened_on", "-pk")
    )


def _fresh(meeting: Meeting) -> Meeting:
    """The meeting (already allowed by ``get_or_404``) as a service left it."""
    meeting.refresh_from_db()
    return meeting


# ---------------------------------------------------------------------------
# Lists.


@policy.route("meeting", policy.Action.LIST)
def meeting_list(request: StaffRequest) -> HttpResponse:
    """The sittings the user may see: upcoming (soonest first), then past (latest first)."""
    when = request.GET.get("when", "")
    if when not in ("upcoming", "past"):
        when = ""
    today = timezone.localdate()
    meetings = (
        policy.visible(request.user, "meeting", policy.Action.LIST)
        .select_related("organization")
        .prefetch_related("parts")
        .annotate(case_count=Count("parts__agenda", distinct=True))
    )
    upcoming: list[Meeting] = []
    past: list[Meeting] = []
    if when in ("", "upcoming"):
        upcoming = list(
            meetings.filter(held_on__gte=today).order_by("held_on", "starts_at", "pk")[:200]
        )
    if when in ("", "past"):
        past = list(
            meetings.filter(held_on__lt=today).order_by("-held_on", "-starts_at", "-pk")[:200]
        )
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="meetings.meeting",
        detail={"when": when or "all", "shown": [m.pk for m in upcoming + past]},
    )
    return render(
        request,
        "meetings/list.html",
        {
            "when": when,
            "upcoming": upcoming,
            "past": past,
            "may_create": bool(policy.decide(request.user, policy.Action.CREATE, "meeting")),
        },
    )


@policy.route("meeting", policy.Action.CREATE)
def meeting_create(request: StaffRequest) -> HttpResponse:
    """Schedule a sitting; with ``?case=`` the case goes on its first case agenda."""
    organizations = casework_organizations(request)
    case: Case | None = None
    case_pk = request.GET.get("case") or request.POST.get("case")
    if case_pk:
        case, _decision = policy.get_or_404(
            request.user, "case", policy.Action.CHANGE, pk=_int_or_404(case_pk)
        )
    form = MeetingForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                meeting=form.instance,
                kinds=form.cleaned_data["kinds"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会議を登録しました。"))
            if case is not None:
                _put_case_on_agenda(request, meeting, case)
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/create.html", {"form": form, "case": case})


def _put_case_on_agenda(request: StaffRequest, meeting: Meeting, case: Case) -> None:
    part = next((p for p in meeting.parts.all() if p.kind in CASE_KINDS), None)
    if part is None:
        messages.warning(
            request,
            _("この会議にはケースを検討する部がないため、%(case)s は議題に入れていません。")
            % {"case": case.number},
        )
        return
    reviewed_before = AgendaItem.objects.filter(case=case).exists()
    try:
        services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            kind=part.kind,
            case=case,
            review=AgendaItem.Review.MONITORING if reviewed_before else AgendaItem.Review.NEW,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(case)s を「%(part)s」の議題に入れました。")
            % {"case": case.number, "part": part.get_kind_display()},
        )


# ---------------------------------------------------------------------------
# The sitting page.


def _detail_context(
    request: StaffRequest,
    meeting: Meeting,
    bound: dict[str, forms.BaseForm] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    orgs = policy.casework_organization_ids(user)
    is_host = meeting.organization_id in orgs
    attendees = list(
        meeting.attendees.select_related("organization", "staff", "pledge_recorded_by")
    )
    mine = next((a for a in attendees if a.staff_id == user.pk), None)
    material = material_for(user, meeting)
    open_for_work = meeting.status != Status.CANCELLED
    host = is_host and open_for_work
    chronology_items = set(
        policy.meeting_chronology_bases(user, [entry.item for entry in material.entries])
    )
    context: dict[str, Any] = {
        "meeting": meeting,
        "chronology_items": chronology_items,
        "parts": [pm.part for pm in material.parts],
        "attendees": attendees,
        "mine": mine,
        "is_host": is_host,
        "material": material,
        "basis": material.basis,
        "may_print": material.basis is not None,
        "pledge_needed": (mine is not None and not mine.has_pledged and meeting.has_support_part),
        "needs_pledge_to_see": (
            material.basis is None and meeting.has_support_part and not is_host
        ),
        "scheduled": meeting.status == Status.SCHEDULED,
        "case_kinds": [str(kind) for kind in CASE_KINDS],
        # The forms sent back, for the page's error summary (some sit on agenda items).
        "sent_forms": list(bound.values()),
    }
    if host:
        context["attendee_form"] = bound.get("attendee") or AttendeeForm(
            exclude_staff={a.staff_id for a in attendees if a.staff_id}
        )
        context["guest_form"] = bound.get("guest") or GuestForm(
            default_expiry=services.guest_default_expiry(meeting)
        )
        case_parts = [pm.part for pm in material.parts if pm.part.kind in CASE_KINDS]
        if case_parts:
            context["agenda_form"] = bound.get("agenda") or AgendaForm(
                parts=case_parts, cases=_host_cases(user)
            )
        for entry in material.entries:
            item = entry.item
            entry.brief_form = bound.get(f"brief-{item.pk}") or BriefForm(
                instance=item, prefix=f"brief-{item.pk}"
            )
            entry.decisions_form = bound.get(f"decide-{item.pk}") or DecisionsForm(
                prefix=f"decide-{item.pk}",
                initial={
                    "policy": item.policy,
                    "roles": item.roles,
                    "lead_organization": item.lead_organization_id,
                },
            )
        if meeting.status == Status.SCHEDULED:
            context["cancel_form"] = bound.get("cancel") or CancelForm()
            context["plan_problems"] = services.plan_meeting_problems(meeting)
            context["unpledged"] = (
                [a for a in attendees if a.attended and not a.has_pledged]
                if meeting.has_support_part
                else []
            )
    if is_host:
        context["minutes_form"] = bound.get("minutes") or MinutesForm(
            initial={"minutes": meeting.minutes, "version": meeting.version}
        )
        answers = list(
            QuestionnaireAnswer.objects.filter(attendee__meeting=meeting)
            .select_related("attendee__organization")
            .order_by("attendee__organization__sort_order", "attendee_id")
        )
        context["answers"] = answers
        if answers:
            context["answers_average"] = round(sum(a.usefulness for a in answers) / len(answers), 1)
            context["answers_roles_clear"] = sum(1 for a in answers if a.roles_clear)
    if (
        mine is not None
        and meeting.status == Status.HELD
        and not QuestionnaireAnswer.objects.filter(attendee=mine).exists()
    ):
        context["questionnaire_form"] = bound.get("questionnaire") or QuestionnaireForm()
    context.update(extra)
    return context


#: Where on the sitting page each form sits (a case's forms sit in its item).
_ANCHORS = {
    "attendee": "attendee-add",
    "guest": "guest-invite",
    "agenda": "agenda-add",
    "minutes": "minutes",
    "cancel": "hold",
    "questionnaire": "questionnaire",
}


def _render_detail(
    request: StaffRequest,
    meeting: Meeting,
    status: int = 200,
    bound: dict[str, forms.BaseForm] | None = None,
    **extra: Any,
) -> HttpResponse:
    failed = next((key for key, form in (bound or {}).items() if form.errors), None)
    if failed is not None:
        extra.setdefault("error_anchor", _ANCHORS.get(failed) or f"item-{failed.split('-')[-1]}")
    response = render(
        request, "meetings/detail.html", _detail_context(request, meeting, bound, **extra)
    )
    response.status_code = status
    return response


def _to_detail(meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:detail", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@policy.route("meeting", policy.Action.VIEW)
def meeting_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The sitting; get_or_404 records the view, each agenda item shown is recorded too."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.VIEW, pk=pk)
    return _render_detail(request, meeting)


@policy.route("meeting", policy.Action.PRINT)
def meeting_print(request: StaffRequest, pk: int) -> HttpResponse:
    """The minutes (議事録) as a PDF, with only the material the user may see;
    get_or_404 records the print of the sitting, each agenda item printed is recorded."""
    meeting, decision = policy.get_or_404(request.user, "meeting", policy.Action.PRINT, pk=pk)
    from tsunagu.meetings.printing import minutes_pdf  # loads WeasyPrint on first print

    material = material_for(request.user, meeting, AuditAction.PRINT)
    pdf = minutes_pdf(meeting, material=material, viewer=request.user, basis=decision.basis)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = f'inline; filename="gijiroku-{meeting.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@policy.route("agenda_item", policy.Action.PRINT)
def chronology_print(request: StaffRequest, pk: int) -> HttpResponse:
    """A case's 準備シート with the household's chronology (家族年表), as a PDF, for
    the pledged attendees of the 支援会議 only (policy.meeting_chronology_bases).
    Anyone else gets the same not-found as for a missing item, audited; the
    print is audited with every record it shows."""
    item = (
        policy.visible(request.user, "agenda_item", policy.Action.PRINT)
        .select_related("part__meeting__organization", "case__household")
        .filter(pk=pk)
        .first()
    )
    basis = policy.meeting_chronology_bases(request.user, [item]).get(pk) if item else None
    if item is None or basis is None:
        policy.audit_denial(request.user, policy.Action.PRINT, "agenda_item", pk)
        raise Http404
    from tsunagu.meetings.chronology import chronology, chronology_pdf  # loads WeasyPrint

    lines, shown = chronology(request.user, item)
    audit_record(
        AuditAction.PRINT,
        actor=request.user,
        obj=item,
        basis=basis,
        detail={"print": "chronology", "household": item.case.household_id, "shown": shown},
    )
    pdf = chronology_pdf(request.user, item, lines)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = f'inline; filename="nenpyo-{item.case.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# The host's actions on the sitting.


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def attendee_add(request: StaffRequest, pk: int) -> HttpResponse:
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    attendees = meeting.attendees.exclude(staff=None).values_list("staff_id", flat=True)
    form = AttendeeForm(request.POST, exclude_staff=set(attendees))
    if form.is_valid():
        data = form.cleaned_data
        try:
            attendee = services.attendee_add(
                actor=request.user,
                meeting=meeting,
                organization=data["organization"],
                staff=data["staff"],
                name=data.get("name") or "",
                is_observer=data["is_observer"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s さんを出席者に加えました。") % {"name": attendee.name}
            )
            return _to_detail(meeting, "attendees")
    return _render_detail(request, _fresh(meeting), bound={"attendee": form})


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def guest_invite(request: StaffRequest, pk: int) -> HttpResponse:
    """Invite an external guest: the login ID and one-time password are shown on
    this answer only (never stored in clear, never shown again)."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    form = GuestForm(request.POST, default_expiry=services.guest_default_expiry(meeting))
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.guest_invite(
                actor=request.user,
                meeting=meeting,
                organization=data["organization"],
                name=data["name"],
                expires_at=data["expires_at"],
                is_observer=data["is_observer"],
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"expires_at": "expires_on"})
        else:
            response = _render_detail(request, _fresh(meeting), invitation=invitation)
            response["Cache-Control"] = "no-store"
            return response
    return _render_detail(request, _fresh(meeting), bound={"guest": form})


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def pledge_on_behalf(request: StaffRequest, pk: int, attendee_pk: int) -> HttpResponse:
    """The host records a pledge signed on paper."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    attendee = get_object_or_404(Attendee, meeting=meeting, pk=attendee_pk)
    try:
        services.pledge_record(actor=request.user, attendee=attendee)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(name)s さんの書面による誓約を記録しました。") % {"name": attendee.name}
        )
    return _to_detail(meeting, "attendees")


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def agenda_add(request: StaffRequest, pk: int) -> HttpResponse:
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    parts = [part for part in meeting.parts.all() if part.kind in CASE_KINDS]
    form = AgendaForm(request.POST, parts=parts, cases=_host_cases(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.agenda_item_add(
                actor=request.user,
                meeting=meeting,
                kind=data["kind"],
                case=data["case"],
                review=data["review"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(case)s を「%(part)s」の議題に入れました。")
                % {"case": item.case.number, "part": item.part.get_kind_display()},
            )
            return _to_detail(meeting, f"item-{item.pk}")
    return _render_detail(request, _fresh(meeting), bound={"agenda": form})


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def meeting_hold(request: StaffRequest, pk: int) -> HttpResponse:
    """開催済みにする: refused, with every reason, while a rule is not met."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    try:
        services.meeting_hold(actor=request.user, meeting=meeting)
    except ValidationError as error:
        return _render_detail(request, _fresh(meeting), hold_errors=error.messages)
    messages.success(request, _("会議を開催済みにしました。"))
    return _to_detail(meeting)


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def meeting_cancel(request: StaffRequest, pk: int) -> HttpResponse:
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会議を中止にしました。"))
            return _to_detail(meeting)
    return _render_detail(request, _fresh(meeting), bound={"cancel": form})


@require_POST
@policy.route("meeting", policy.Action.CHANGE)
def minutes_save(request: StaffRequest, pk: int) -> HttpResponse:
    """The minutes, under an optimistic lock: a stale version is refused (409)
    with the text the user typed kept in the form."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.CHANGE, pk=pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_save(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                version=form.cleaned_data["version"],
            )
        except services.MeetingConflict as conflict:
            # Keep what the user typed; the form now carries the version they have
            # been shown (the saved minutes appear beside it), so that saving again
            # is a decision taken after seeing the other change.
            fresh = _fresh(meeting)
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(fresh.version)
            kept = MinutesForm(data)
            kept.is_valid()
            kept.add_error(None, str(conflict))
            return _render_detail(
                request, fresh, status=409, bound={"minutes": kept}, minutes_conflict=True
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("議事録を保存しました。"))
            return _to_detail(meeting, "minutes")
    return _render_detail(request, _fresh(meeting), bound={"minutes": form})


# ---------------------------------------------------------------------------
# An attendee's own actions (staff of other organizations and guests).


def _own_attendee(request: StaffRequest, meeting: Meeting) -> Attendee:
    attendee = meeting.attendees.filter(staff=request.user).first()
    if attendee is None:
        raise Http404
    return attendee


@require_POST
@policy.route("meeting", policy.Action.VIEW)
def pledge(request: StaffRequest, pk: int) -> HttpResponse:
    """The attendee's own confidentiality pledge (守秘義務の誓約)."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.VIEW, pk=pk)
    attendee = _own_attendee(request, meeting)
    try:
        services.pledge_record(actor=request.user, attendee=attendee)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("守秘義務の誓約を記録しました。"))
    return _to_detail(meeting)


@require_POST
@policy.route("meeting", policy.Action.VIEW)
def questionnaire(request: StaffRequest, pk: int) -> HttpResponse:
    """The named post-meeting questionnaire, answered once by each attendee."""
    meeting, _decision = policy.get_or_404(request.user, "meeting", policy.Action.VIEW, pk=pk)
    attendee = _own_attendee(request, meeting)
    form = QuestionnaireForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.questionnaire_answer(
                actor=request.user,
                attendee=attendee,
                usefulness=data["usefulness"],
                roles_clear=data["roles_clear"],
                comment=data["comment"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return _to_detail(meeting, "questionnaire")
        messages.success(request, _("アンケートに回答しました。ありがとうございました。"))
        return _to_detail(meeting)
    return _render_detail(request, _fresh(meeting), bound={"questionnaire": form})


# ---------------------------------------------------------------------------
# One case on the agenda: the brief and the decisions (the host).


@require_POST
@policy.route("agenda_item", policy.Action.CHANGE)
def brief_save(request: StaffRequest, pk: int) -> HttpResponse:
    item, _decision = policy.get_or_404(request.user, "agenda_item", policy.Action.CHANGE, pk=pk)
    meeting = item.part.meeting
    form = BriefForm(request.POST, instance=item, prefix=f"brief-{item.pk}")
    if form.is_valid():
        try:
            services.brief_save(actor=request.user, item=item, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(case)s の準備シートを保存しました。") % {"case": item.case.number}
            )
            return _to_detail(meeting, f"item-{item.pk}")
    return _render_detail(request, _fresh(meeting), bound={f"brief-{item.pk}": form})


@require_POST
@policy.route("agenda_item", policy.Action.CHANGE)
def decisions_record(request: StaffRequest, pk: int) -> HttpResponse:
    item, _decision = policy.get_or_404(request.user, "agenda_item", policy.Action.CHANGE, pk=pk)
    meeting = item.part.meeting
    form = DecisionsForm(request.POST, prefix=f"decide-{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decisions_record(
                actor=request.user,
                item=item,
                policy_text=data["policy"],
                roles=data["roles"],
                lead_organization=data["lead_organization"],
                actions=[
                    services.NewAction(owner_organization=owner, content=content, due_on=due_on)
                    for owner, content, due_on in data["actions"]
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(case)s の決定事項を記録しました。") % {"case": item.case.number}
            )
            return _to_detail(meeting, f"item-{item.pk}")
    return _render_detail(request, _fresh(meeting), bound={f"decide-{item.pk}": form})


# ---------------------------------------------------------------------------
# The organization's tasks.


def _tasks_response(
    request: StaffRequest, row_errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    organization = acting_casework_organization(request, "action_item")
    today = timezone.localdate()
    tasks = (
        policy.visible(request.user, "action_item", policy.Action.LIST)
        .filter(owner_organization=organization)
        .select_related("agenda_item__part__meeting", "agenda_item__case", "done_by")
    )
    open_tasks = list(tasks.filter(done_at=None).order_by("due_on", "pk")[:300])
    done_tasks = list(tasks.exclude(done_at=None).order_by("-done_at", "-pk")[:50])
    meeting_ids = {t.agenda_item.part.meeting_id for t in open_tasks + done_tasks}
    visible_meetings = set(
        policy.visible(request.user, "meeting", policy.Action.VIEW)
        .filter(pk__in=meeting_ids)
        .values_list("pk", flat=True)
    )
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="meetings.actionitem",
        detail={"shown": [t.pk for t in open_tasks + done_tasks]},
        organization_id=organization.pk,
    )
    response = render(
        request,
        "meetings/tasks.html",
        {
            "organization": organization,
            "open_tasks": [
                (t, t.is_overdue(today), t.agenda_item.part.meeting_id in visible_meetings)
                for t in open_tasks
            ],
            "done_tasks": [
                (t, False, t.agenda_item.part.meeting_id in visible_meetings) for t in done_tasks
            ],
            "row_errors": row_errors or {},
            "posted": request.POST if row_errors else {},
        },
    )
    response.status_code = status
    return response


@policy.route("action_item", policy.Action.LIST)
def tasks(request: StaffRequest) -> HttpResponse:
    """The acting organization's tasks from meetings: open ones first, soonest due
    first, overdue marked in words."""
    return _tasks_response(request)


@require_POST
@policy.route("action_item", policy.Action.CHANGE)
def task_done(request: StaffRequest, pk: int) -> HttpResponse:
    action, _decision = policy.get_or_404(request.user, "action_item", policy.Action.CHANGE, pk=pk)
    form = ActionDoneForm(request.POST)
    form.is_valid()
    try:
        services.action_item_done(
            actor=request.user, action=action, result=form.cleaned_data.get("result", "")
        )
    except ValidationError as error:
        return _tasks_response(request, row_errors={action.pk: " ".join(error.messages)})
    messages.success(
        request, _("タスク「%(content)s」を完了にしました。") % {"content": action.content}
    )
    return redirect("meetings:tasks")
