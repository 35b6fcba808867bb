"""Drafts of long forms, kept on the server as the clerk types (core.models.Draft).

The page's script (static js/tsunagu.js) sends what a form marked
``data-draft`` holds a moment after each change; the form's page gets it back
when it is opened again (after a sign-out for idleness too). A form sent
successfully (a POST answered with a redirect, :class:`DraftMiddleware`) takes
its page's drafts with it. Only the staff member who typed a draft reads it
(policy ``draft``)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.core.models import DRAFT_DAYS, Draft

#: The most a draft may hold (its JSON, in characters): the longest form's texts with room.
MAX_DRAFT_CHARACTERS = 200_000
#: Fields never kept: the CSRF token, passwords.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "password", "password1", "password2"})
#: The session remembers that its staff member has drafts, so that a form sent
#: by someone without one costs no statement.
SESSION_KEY = "has_drafts"


def _clean_values(values: Any) -> dict[str, list[str]]:
    if not isinstance(values, dict):
        raise ValidationError(_("下書きの形が正しくありません。"))
    cleaned: dict[str, list[str]] = {}
    for name, value in values.items():
        if not isinstance(name, str) or name in NOT_KEPT or len(name) > 200:
            continue
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise ValidationError(_("下書きの形が正しくありません。"))
        cleaned[name] = items
    if len(json.dumps(cleaned, ensure_ascii=False)) > MAX_DRAFT_CHARACTERS:
        raise ValidationError(_("下書きが長すぎるため保存できません。"))
    return cleaned


@transaction.atomic
def draft_save(*, actor: Staff, form_key: str, values: Any) -> Draft:
    """Keeps what ``actor`` has typed into the form ``form_key``, replacing the
    draft before. Not audited: it is the staff member's own unsent typing,
    saved every few seconds; the record it becomes is audited when sent."""
    if not form_key or len(form_key) > 300 or not form_key.startswith("/"):
        raise ValidationError(_("下書きのフォームが正しくありません。"))
    now = timezone.now()
    draft, _created = Draft.objects.update_or_create(
        staff=actor,
        form_key=form_key,
        defaults={
            "values": _clean_values(values),
            "updated_at": now,
            "expires_at": now + datetime.timedelta(days=DRAFT_DAYS),
        },
    )
    return draft


@transaction.atomic
def draft_discard(*, actor: Staff, form_key: str) -> int:
    """Removes ``actor``'s draft of ``form_key`` (the clerk discards it)."""
    deleted, _by_model = Draft.objects.filter(staff=actor, form_key=form_key).delete()
    return deleted


@transaction.atomic
def draft_discard_for_page(*, actor: Staff, path: str) -> int:
    """Removes ``actor``'s drafts of the forms on the page ``path`` (the form was sent)."""
    deleted, _by_model = (
        Draft.objects.filter(staff=actor, form_key__startswith=f"{path}#")
        | Draft.objects.filter(staff=actor, form_key=path)
    ).delete()
    return deleted


def draft_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Removes every municipality's drafts past their expiry (the retention
    run, ``manage.py purge_drafts``)."""
    deleted, _by_model = Draft.all_tenants.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


class DraftMiddleware:
    """A form sent successfully on a page (a POST answered with a redirect)
    takes the page's drafts of its staff member with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and 300 <= response.status_code < 400
            and request.user.is_authenticated
            and request.session.get(SESSION_KEY)
        ):
            draft_discard_for_page(actor=request.user, path=request.path)  # type: ignore[arg-type]
        return response
