"""Request type for views behind login: ``request.user`` is a Staff there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tsunagu.accounts.models import Staff


class StaffRequest(HttpRequest):
    user: Staff  # type: ignore[assignment]
    htmx: HtmxDetails
