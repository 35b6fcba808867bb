"""The pages' background calls that keep a clerk's work: the draft of a long
form (core.drafts) and "stay signed in" before the idle timeout. Called by the
page script (static js/tsunagu.js) with the page's CSRF token; JSON answers."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from tsunagu import policy
from tsunagu.accounts.middleware import idle_limit_seconds, keep_alive
from tsunagu.core import drafts
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import format_wareki


@require_GET
@policy.route("draft", policy.Action.VIEW)
def draft_detail(request: StaffRequest) -> HttpResponse:
    """The staff member's own draft of the form named by ``?form=`` (``values``
    null when there is none: every long form asks as it opens, and an empty
    answer is no error to log)."""
    key = request.GET.get("form", "")
    draft = policy.visible(request.user, "draft", policy.Action.VIEW).filter(form_key=key).first()
    if draft is None:
        return JsonResponse({"values": None})
    local = draft.updated_at.astimezone()
    return JsonResponse(
        {
            "values": draft.values,
            "saved": f"{format_wareki(local.date())} {local:%H:%M}",
        }
    )


@require_POST
@policy.route("draft", policy.Action.CHANGE)
def draft_save(request: StaffRequest) -> HttpResponse:
    """Keeps the form's values as typed (``{"form": key, "values": {...}}``)."""
    try:
        sent = json.loads(request.body or b"{}")
        drafts.draft_save(
            actor=request.user, form_key=str(sent.get("form", "")), values=sent.get("values")
        )
    except (ValueError, AttributeError, ValidationError) as error:
        message = (
            error.messages[0]
            if isinstance(error, ValidationError)
            else "下書きの形が正しくありません。"
        )
        return JsonResponse({"detail": message}, status=400)
    request.session[drafts.SESSION_KEY] = True
    return JsonResponse({"saved": True})


@require_POST
@policy.route("draft", policy.Action.CHANGE)
def draft_discard(request: StaffRequest) -> HttpResponse:
    """The clerk discards the draft restored into the form (``form`` = its key)."""
    drafts.draft_discard(actor=request.user, form_key=request.POST.get("form", ""))
    return JsonResponse({"discarded": True})


@require_POST
@policy.route("own_account", policy.Action.VIEW)
def stay_signed_in(request: StaffRequest) -> HttpResponse:
    """「サインインを続ける」: the idle time starts again. It changes no record
    (the session's clock only), so it is declared as a look at one's own
    account, as every page view also renews the clock."""
    keep_alive(request)
    return JsonResponse({"idle_seconds": idle_limit_seconds(request.user)})
