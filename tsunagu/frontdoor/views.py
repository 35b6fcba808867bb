"""The online inbox: the threads staff may see (crisis ones first), one
thread's conversation with its actions, and the coordinating section's door
settings and triage rules.

Thin views: every thread is opened through the policy (404 when the viewer
has no basis; the detail read is audited with its basis by ``get_or_404``),
the list is audited with the threads it showed (minimal fields only: no
message, no name), and every write goes through :mod:`tsunagu.frontdoor.inbox`
on the version the page showed (409 with the form kept on a conflict)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors, keep_input_at_version
from tsunagu.core.http import StaffRequest
from tsunagu.core.pagination import screen_page
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import inbox, selectors
from tsunagu.frontdoor.forms import (
    KNOWN,
    CloseForm,
    ConvertForm,
    FrontDoorSettingsForm,
    HandOverForm,
    ReopenForm,
    ReplyForm,
    TriageRuleForm,
    convert_initial,
)
from tsunagu.frontdoor.models import Delivery, FrontDoorSettings, Thread, TriageRule
from tsunagu.people.models import HouseholdMembership, Person
from tsunagu.people.selectors import person_search

OBJECT_TYPE = "frontdoor.thread"


def _acting_id(request: StaffRequest) -> int | None:
    return acting_organization_id(request, policy.casework_organization_ids(request.user))


@policy.route("thread", policy.Action.LIST)
def thread_list(request: StaffRequest) -> HttpResponse:
    box = request.GET.get("box", "open")
    if box not in selectors.BOXES:
        box = "open"
    acting = _acting_id(request)
    paged = screen_page(request, selectors.inbox(request.user, box, acting))
    rows = paged.rows
    now = timezone.now()
    for thread in rows:
        thread.waiting = selectors.waiting_label(thread.waiting_since, now)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=OBJECT_TYPE,
        detail={"page": "inbox", "box": box, "shown": [t.pk for t in rows]},
    )
    return render(
        request,
        "frontdoor/list.html",
        {
            "rows": rows,
            "paged": paged,
            "box": box,
            "boxes": _boxes(),
            "may_triage": bool(
                policy.decide(request.user, policy.Action.CHANGE, "triage_settings")
            ),
        },
    )


def _boxes() -> list[tuple[str, str]]:
    return [
        ("open", _("対応中")),
        ("mine", _("自分の窓口")),
        ("unassigned", _("未振り分け")),
        ("closed", _("終了")),
    ]


def _thread(request: StaffRequest, pk: int, action: policy.Action) -> tuple[Thread, Any]:
    return policy.get_or_404(request.user, "thread", action, pk=pk)  # type: ignore[no-any-return]


def _acting_for(request: StaffRequest, thread: Thread) -> Organization:
    """The window the staff member answers for (the thread's, where they belong to it)."""
    chosen = selectors.acting_window_id(request.user, thread, _acting_id(request))
    if chosen is None:
        raise ValidationError(_("所属する機関として操作してください。"))
    return Organization.objects.get(pk=chosen)


def _detail(
    request: StaffRequest, thread: Thread, basis: Any, status: int = 200, **forms: Any
) -> HttpResponse:
    may = policy.allowed(request.user, "thread", thread, [policy.Action.CHANGE], basis=basis)
    settings = FrontDoorSettings.objects.first()
    windows = selectors.windows()
    initial = {"version": thread.version}
    context = {
        "thread": thread,
        "basis": basis,
        "basis_label": policy.Basis(basis).label if basis else "",
        "conversation": thread.messages.select_related("author", "organization"),
        "events": thread.events.select_related("actor", "organization"),
        "guidance": settings.emergency_guidance if settings and thread.crisis else "",
        "first_response": selectors.duration_label(thread.opened_at, thread.first_response_at),
        "waiting": selectors.waiting_label(
            selectors.threads(request.user, policy.Action.VIEW)
            .filter(pk=thread.pk)
            .values_list("waiting_since", flat=True)
            .first()
            if thread.is_open
            else None,
            timezone.now(),
        ),
        "may_change": bool(may[policy.Action.CHANGE]) and thread.anonymised_at is None,
        "reply_form": forms.get("reply_form") or ReplyForm(initial=initial),
        "hand_over_form": forms.get("hand_over_form")
        or HandOverForm(initial=initial, windows=windows),
        "close_form": forms.get("close_form") or CloseForm(initial=initial),
        "reopen_form": forms.get("reopen_form") or ReopenForm(initial=initial),
        "failed": Delivery.FAILED,
    }
    return render(request, "frontdoor/detail.html", context, status=status)


@policy.route("thread", policy.Action.VIEW)
def thread_detail(request: StaffRequest, pk: int) -> HttpResponse:
    thread, decision = _thread(request, pk, policy.Action.VIEW)
    return _detail(request, thread, decision.basis)


def _act(
    request: StaffRequest,
    pk: int,
    form_name: str,
    form: Any,
    do: Any,
    done: str,
) -> HttpResponse:
    """Run one action's form on the thread: redirect on success, the page again
    with the form (and what was typed) on an error or a conflict."""
    thread, decision = _thread(request, pk, policy.Action.CHANGE)
    status = 422
    if form.is_valid():
        try:
            do(thread, _acting_for(request, thread), form.cleaned_data)
        except inbox.ThreadConflict as conflict:
            form.add_error(None, str(conflict))
            thread.refresh_from_db(fields=["version"])
            keep_input_at_version(form, thread.version)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            if policy.decide(request.user, policy.Action.VIEW, "thread", _reload(thread)):
                return redirect("frontdoor:detail", thread.pk)
            return redirect("frontdoor:list")
    # The page again, read anew (audited as a view).
    thread, decision = _thread(request, pk, policy.Action.VIEW)
    return _detail(request, thread, decision.basis, status, **{form_name: form})


def _reload(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


@require_POST
@policy.route("thread", policy.Action.CHANGE)
def thread_reply(request: StaffRequest, pk: int) -> HttpResponse:
    def do(thread: Thread, organization: Organization, data: dict[str, Any]) -> None:
        inbox.thread_reply(
            actor=request.user,
            organization=organization,
            thread=thread,
            version=data["version"],
            body=data["body"],
        )

    return _act(request, pk, "reply_form", ReplyForm(request.POST), do, _("返信しました。"))


@require_POST
@policy.route("thread", policy.Action.CHANGE)
def thread_hand_over(request: StaffRequest, pk: int) -> HttpResponse:
    def do(thread: Thread, organization: Organization, data: dict[str, Any]) -> None:
        inbox.thread_hand_over(
            actor=request.user,
            organization=organization,
            thread=thread,
            version=data["version"],
            to=data["organization"],
            note=data["note"],
        )

    form = HandOverForm(request.POST, windows=selectors.windows())
    return _act(request, pk, "hand_over_form", form, do, _("担当窓口を変更しました。"))


@require_POST
@policy.route("thread", policy.Action.CHANGE)
def thread_close(request: StaffRequest, pk: int) -> HttpResponse:
    def do(thread: Thread, organization: Organization, data: dict[str, Any]) -> None:
        inbox.thread_close(
            actor=request.user,
            organization=organization,
            thread=thread,
            version=data["version"],
            reason=data["reason"],
        )

    return _act(request, pk, "close_form", CloseForm(request.POST), do, _("終了しました。"))


@require_POST
@policy.route("thread", policy.Action.CHANGE)
def thread_reopen(request: StaffRequest, pk: int) -> HttpResponse:
    def do(thread: Thread, organization: Organization, data: dict[str, Any]) -> None:
        inbox.thread_reopen(
            actor=request.user, organization=organization, thread=thread, version=data["version"]
        )

    return _act(request, pk, "reopen_form", ReopenForm(request.POST), do, _("再開しました。"))


def linkable_persons(request: StaffRequest, ids: list[int]) -> list[Person]:
    """Persons the staff member may record a consultation about (a working basis)."""
    found = list(policy.visible(request.user, "person", policy.Action.CHANGE).filter(pk__in=ids))
    return [p for p in found if policy.decide(request.user, policy.Action.CHANGE, "person", p)]


@policy.route("thread", policy.Action.CHANGE)
def thread_convert(request: StaffRequest, pk: int) -> HttpResponse:
    """Turn the thread into a 相談受付 of the window answering it."""
    thread, _decision = _thread(request, pk, policy.Action.CHANGE)
    query = request.GET.get("q", "").strip()[:100]
    posted = request.POST.get("person", "")
    candidates: list[Person] = []
    if query:
        candidates = person_search(request.user, query)
    if posted.isdigit():
        candidates = [*candidates, *linkable_persons(request, [int(posted)])]
    persons = linkable_persons(request, [p.pk for p in candidates]) if candidates else []
    if request.method == "POST":
        form = ConvertForm(request.POST, persons=persons)
    else:
        form = ConvertForm(
            initial=convert_initial(thread, inbox.consultation_summary(thread)), persons=persons
        )
        if query:
            form.initial["subject_mode"] = KNOWN
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                consultation = _convert(request, thread, form, persons)
            except inbox.ThreadConflict as conflict:
                form.add_error(None, str(conflict))
                thread.refresh_from_db(fields=["version"])
                keep_input_at_version(form, thread.version)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("相談受付 %(number)s にしました。") % {"number": consultation.number},
                )
                return redirect("frontdoor:detail", thread.pk)
    return render(
        request,
        "frontdoor/convert.html",
        {"thread": thread, "form": form, "query": query, "persons": persons},
        status=status,
    )


def _convert(
    request: StaffRequest, thread: Thread, form: ConvertForm, persons: list[Person]
) -> Any:
    consultation = form.instance
    subjects: list[Person] = []
    if form.cleaned_data["subject_mode"] == KNOWN:
        person = next(p for p in persons if p.pk == form.cleaned_data["person"])
        subjects = [person]
        consultation.unknown_subject = ""
        household_id = (
            HouseholdMembership.objects.filter(person=person, ended_on=None)
            .values_list("household_id", flat=True)
            .first()
        )
        consultation.household_id = household_id
    return inbox.thread_convert(
        actor=request.user,
        organization=_acting_for(request, thread),
        thread=thread,
        version=form.cleaned_data["version"],
        consultation=consultation,
        topics=form.cleaned_data["topics"],
        subjects=subjects,
    )


# --- The coordinating section's settings ---------------------------------------------


def _triage_page(request: StaffRequest, status: int = 200, **forms: Any) -> HttpResponse:
    windows = selectors.windows()
    return render(
        request,
        "frontdoor/triage.html",
        {
            "settings_form": forms.get("settings_form")
            or FrontDoorSettingsForm(instance=inbox.front_door_settings()),
            "rule_form": forms.get("rule_form") or TriageRuleForm(windows=windows),
            "rules": TriageRule.objects.select_related("organization", "district").order_by(
                "organization__sort_order", "organization_id", "pk"
            ),
        },
        status=status,
    )


@policy.route("triage_settings", policy.Action.CHANGE)
def triage(request: StaffRequest) -> HttpResponse:
    if request.method != "POST":
        return _triage_page(request)
    form = FrontDoorSettingsForm(request.POST, instance=inbox.front_door_settings())
    if form.is_valid():
        try:
            inbox.front_door_settings_save(
                actor=request.user,
                **{name: form.cleaned_data[name] for name in inbox.SETTINGS_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("オンライン相談の設定を保存しました。"))
            return redirect("frontdoor:triage")
    return _triage_page(request, 422, settings_form=form)


@require_POST
@policy.route("triage_settings", policy.Action.CHANGE)
def triage_rule_add(request: StaffRequest) -> HttpResponse:
    form = TriageRuleForm(request.POST, windows=selectors.windows())
    if form.is_valid():
        try:
            inbox.triage_rule_add(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                topic=form.cleaned_data["topic"],
                language=form.cleaned_data["language"],
                district_id=form.cleaned_data["district"].pk
                if form.cleaned_data["district"]
                else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("振り分けの設定を追加しました。"))
            return redirect("frontdoor:triage")
    return _triage_page(request, 422, rule_form=form)


@require_POST
@policy.route("triage_settings", policy.Action.CHANGE)
def triage_rule_remove(request: StaffRequest, pk: int) -> HttpResponse:
    rule = TriageRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    inbox.triage_rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("振り分けの設定を削除しました。"))
    return redirect("frontdoor:triage")
