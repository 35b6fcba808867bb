"""つなぐシート: the inbox of an organization (received and sent), creating a
referral from a consultation or a household, and acting on it (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.people.models import Household, Person
from tsunagu.referrals import services
from tsunagu.referrals.forms import ReferralForm, TransitionForm, suggested_shared_items
from tsunagu.referrals.models import (
    NEEDS_REASON,
    NEEDS_REPORT_BACK,
    OPEN,
    RECEIVER_HOLDS,
    RECEIVER_SEES,
    Reason,
    Referral,
    SharingBasis,
    Status,
)

#: Referrals on one page of the inbox.
INBOX_PAGE = 50


def _with_overdue(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    today = timezone.localdate()
    return queryset.annotate(
        overdue=Case(
            When(
                Q(due_on__lt=today) & Q(status__in=OPEN - {Status.DRAFT}),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-overdue", "due_on", "pk")


@policy.route("referral", policy.Action.LIST)
def inbox(request: StaffRequest) -> HttpResponse:
    """Received and sent referrals of the acting organization, overdue first."""
    organization = acting_casework_organization(request, "referral")
    box = "sent" if request.GET.get("box") == "sent" else "received"
    state = "closed" if request.GET.get("state") == "closed" else "open"
    referrals = policy.visible(request.user, "referral", policy.Action.LIST).select_related(
        "from_organization", "to_organization"
    )
    if box == "received":
        referrals = referrals.filter(to_organization=organization, status__in=RECEIVER_SEES)
    else:
        referrals = referrals.filter(from_organization=organization)
    referrals = (
        referrals.filter(status__in=OPEN) if state == "open" else referrals.exclude(status__in=OPEN)
    )
    # A page of 50, overdue first: an organization may hold hundreds open, and
    # drawing them all cost most of the page's time (docs/scale.md).
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * INBOX_PAGE
    rows = list(_with_overdue(referrals)[start : start + INBOX_PAGE + 1])
    has_next = len(rows) > INBOX_PAGE
    rows = rows[:INBOX_PAGE]
    household_labels = _household_labels(request, rows)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="referrals.referral",
        detail={"box": box, "state": state, "shown": [r.pk for r in rows]},
        organization_id=organization.pk,
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "organization": organization,
            "box": box,
            "state": state,
            "page": page,
            "has_next": has_next,
            "first_number": start + 1,
            "last_number": start + len(rows),
            "rows": [(r, household_labels.get(r.pk)) for r in rows],
        },
    )


def _household_labels(request: StaffRequest, referrals: list[Referral]) -> dict[int, str]:
    """The household's name for the referrals whose household the viewer may see
    (a receiver sees it once accepted)."""
    ids = {r.household_id for r in referrals if r.household_id}
    # Decided on these (at most 200) households by id: filtering the whole
    # visible set instead took a second at the ward scale (docs/scale.md).
    households = Household.objects.in_bulk(ids)
    bases = policy.bases(request.user, "household", list(households.values()))
    return {r.pk: str(households[r.household_id]) for r in referrals if r.household_id in bases}


@policy.route("referral", policy.Action.CREATE)
def create(request: StaffRequest) -> HttpResponse:
    """A referral from a consultation or a household of the sender's own records."""
    organization = acting_casework_organization(request, "referral")
    consultation = None
    household: Household | None = None
    initial: dict[str, Any] = {"sharing_basis": SharingBasis.CONSENT}
    source = request.GET.get("consultation") or request.POST.get("consultation")
    if source:
        consultation, _decision = policy.get_or_404(
            request.user, "consultation", policy.Action.CHANGE, pk=source
        )
        household = consultation.household
        organization = consultation.organization
        initial["shared_summary"] = consultation.summary
        if consultation.consent_to_share != "obtained":
            initial["sharing_basis"] = ""
    elif request.GET.get("household") or request.POST.get("household"):
        household, _decision = policy.get_or_404(
            request.user,
            "household",
            policy.Action.CHANGE,
            pk=request.GET.get("household") or request.POST.get("household"),
        )
    escalate = request.GET.get("escalate") == "1" or request.POST.get("escalate") == "1"
    if escalate:
        coordinating = Organization.objects.filter(is_coordinating=True, archived_at=None).first()
        if coordinating is not None:
            initial["to_organization"] = coordinating.pk
            initial["request"] = _("多機関協働での検討をお願いします。")
    persons: list[Person] = []
    if household is not None:
        persons = list(
            Person.objects.filter(
                memberships__household=household, memberships__ended_on__isnull=True
            )
        )
    if consultation is not None:
        initial["persons"] = [
            p.pk for p in Person.objects.filter(consultation_links__consultation=consultation)
        ]
        initial["shared_items"] = suggested_shared_items(
            consent=consultation.consent_to_share,
            identified=bool(initial["persons"]),
            household_noted=consultation.case_features.exists(),
            topics=consultation.topics.values_list("topic", flat=True),
        )
    form = ReferralForm(request.POST or None, sender=organization, persons=persons, initial=initial)
    if request.method == "POST" and form.is_valid():
        referral = form.instance
        referral.household = household
        referral.consultation = consultation
        referral.shared_items = form.cleaned_data["shared_items"]
        try:
            referral = services.referral_create(
                actor=request.user,
                organization=organization,
                referral=referral,
                persons=form.cleaned_data.get("persons") or [],
                send=request.POST.get("draft") != "1",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("つなぐシートを送りました。")
                if referral.status == Status.REQUESTED
                else _("つなぐシートを下書きとして保存しました。"),
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/create.html",
        {
            "form": form,
            "organization": organization,
            "consultation": consultation,
            "household": household,
            "escalate": escalate,
            # Closed when both have their defaults; open for an error, or when
            # no consent was recorded and the clerk must name the basis.
            "details_open": not form["sharing_basis"].value()
            or any(name in form.errors for name in ("sharing_basis", "due_on")),
        },
    )


def _inbox_row(
    request: StaffRequest, referral: Referral, form: TransitionForm | None
) -> HttpResponse:
    """The inbox row after an action taken from the inbox (htmx), with its outcome."""
    referral = _with_overdue(Referral.objects.filter(pk=referral.pk)).select_related(
        "from_organization", "to_organization"
    )[0]
    errors = [error for field in (form.errors if form else {}).values() for error in field]
    return render(
        request,
        "referrals/_inbox_row.html",
        {
            "referral": referral,
            "household_label": _household_labels(request, [referral]).get(referral.pk),
            "box": "received",
            "row_error": " ".join(str(error) for error in errors) if form is not None else "",
            "row_done": _("「%(status)s」にしました。") % {"status": referral.get_status_display()}
            if form is None
            else "",
        },
    )


def _detail_context(
    request: StaffRequest, referral: Referral, basis: Any, form: TransitionForm | None = None
) -> dict[str, Any]:
    organizations = policy.casework_organization_ids(request.user)
    side = services.side_of(referral, organizations)
    household_visible = referral.household_id is not None and bool(
        policy.visible(request.user, "household", policy.Action.VIEW)
        .filter(pk=referral.household_id)
        .exists()
    )
    persons = list(
        policy.visible(request.user, "person", policy.Action.VIEW).filter(referrals=referral)
    )
    consultation_visible = referral.consultation_id is not None and bool(
        policy.visible(request.user, "consultation", policy.Action.VIEW)
        .filter(pk=referral.consultation_id)
        .exists()
    )
    actions = (
        services.allowed_transitions(referral, side) if basis != policy.Basis.EMERGENCY else []
    )
    return {
        "referral": referral,
        "basis": basis,
        "side": side,
        "household_visible": household_visible,
        "persons": persons,
        "consultation_visible": consultation_visible,
        "actions": [
            {
                "status": status,
                "needs_reason": status in NEEDS_REASON,
                "needs_report": status in NEEDS_REPORT_BACK,
            }
            for status in actions
        ],
        "events": referral.events.select_related("actor", "organization"),
        "form": form,
        "reasons": Reason.choices,
        "may_comment": side is not None and basis != policy.Basis.EMERGENCY,
        # The coordinating section that accepted an escalation opens the case from here.
        "may_open_case": side == "receiver"
        and referral.status in RECEIVER_HOLDS
        and referral.household_id is not None
        and referral.to_organization_id in policy.coordinating_organization_ids(request.user),
        "cases": policy.visible(request.user, "case", policy.Action.VIEW).filter(referral=referral),
    }


@policy.route("referral", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    referral, decision = policy.get_or_404(request.user, "referral", policy.Action.VIEW, pk=pk)
    return render(
        request, "referrals/detail.html", _detail_context(request, referral, decision.basis)
    )


@require_POST
@policy.route("referral", policy.Action.CHANGE)
def transition(request: StaffRequest, pk: int) -> HttpResponse:
    """Change a referral's state (or add a comment) as the acting side; a stale
    version is refused with the user's input kept on the page."""
    referral, decision = policy.get_or_404(request.user, "referral", policy.Action.CHANGE, pk=pk)
    organizations = policy.casework_organization_ids(request.user)
    side = services.side_of(referral, organizations)
    if side is None:
        raise Http404
    organization = Organization.objects.get(
        pk=referral.from_organization_id if side == "sender" else referral.to_organization_id
    )
    form = TransitionForm(request.POST)
    status_code = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["to_status"] == "comment":
                services.referral_note(
                    actor=request.user,
                    organization=organization,
                    referral=referral,
                    note=data["note"],
                )
            else:
                referral = services.referral_transition(
                    actor=request.user,
                    organization=organization,
                    referral=referral,
                    to_status=data["to_status"],
                    version=data["version"],
                    reason=data["reason"],
                    note=data["note"],
                )
        except services.ReferralConflict as conflict:
            form.add_error(None, str(conflict))
            status_code = 409
            referral.refresh_from_db()
        except ValidationError as error:
            add_service_errors(form, error)
            status_code = 422 if request.htmx else 200
        else:
            form = None  # type: ignore[assignment]
            if not request.htmx:
                messages.success(request, _("つなぐシートを更新しました。"))
                return redirect("referrals:detail", pk=referral.pk)
    if request.htmx and request.POST.get("view") == "row":
        return _inbox_row(request, referral, form)
    context = _detail_context(request, referral, decision.basis, form)
    template = "referrals/_detail_body.html" if request.htmx else "referrals/detail.html"
    response = render(request, template, context)
    if request.htmx and status_code != 200:
        # htmx swaps only 2xx answers by default; the body carries the message, so swap it.
        response["HX-Reswap"] = "innerHTML"
        response.status_code = 200
        response["X-Tsunagu-Refused"] = str(status_code)
    else:
        response.status_code = status_code
    return response
