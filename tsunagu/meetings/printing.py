"""The printed 議事録 of a sitting: header, kinds, attendees with their pledges
(observers marked), and for each case the viewer may see its review kind,
decisions (方針, 役割分担, 主担当機関) and tasks; then the minutes.

The caller has fetched the meeting through the policy
(``policy.get_or_404(user, "meeting", Action.PRINT, pk=...)``, which records
the print) and worked out the material the viewer may see with
:func:`tsunagu.meetings.selectors.material_for` (which records each agenda item
printed); this module lays out only that, and names the basis in the footer.

As for the 相談受付・申込票 (:mod:`tsunagu.consultations.printing`): one
self-contained template, fonts from the machine's fontconfig (Noto Sans CJK
JP), and a URL fetcher that refuses everything but inline ``data:`` URLs.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.core import tenancy
from tsunagu.core.printing import html_to_pdf, wareki_datetime
from tsunagu.core.printing import wareki_or_western as _wareki
from tsunagu.meetings.models import CASE_KINDS, Meeting

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff
    from tsunagu.meetings.selectors import Material

TEMPLATE = "meetings/minutes_print.html"


def _time_range(meeting: Meeting) -> str:
    if meeting.starts_at is None:
        return ""
    end = f"{meeting.ends_at:%H:%M}" if meeting.ends_at else ""
    return f"{meeting.starts_at:%H:%M}〜{end}"


def minutes_context(
    meeting: Meeting,
    *,
    material: Material,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the print template shows, resolved to plain values."""
    if meeting.municipality_id != viewer.municipality_id:
        raise PermissionDenied
    printed_at = printed_at or timezone.now()
    with tenancy.tenant_context(viewer.municipality):
        attendees = [
            {
                "name": attendee.name,
                "organization": attendee.organization.name,
                "kind": _("ゲスト") if attendee.is_guest else _("職員"),
                "observer": attendee.is_observer,
                "pledge": (
                    _("誓約済み（%(when)s）") % {"when": wareki_datetime(attendee.pledged_at)}
                    if attendee.pledged_at
                    else _("未誓約")
                ),
                "attended": attendee.attended,
            }
            for attendee in meeting.attendees.select_related("organization")
        ]
        parts = []
        for part_material in material.parts:
            part = part_material.part
            cases = []
            for entry in part_material.entries:
                item = entry.item
                cases.append(
                    {
                        "number": item.case.number,
                        "title": item.case.title,
                        "review": item.get_review_display(),
                        "basis_label": str(policy.Basis(entry.basis).label),
                        "decided": item.decided_at is not None,
                        "policy": item.policy,
                        "roles": item.roles,
                        "lead_organization": (
                            item.lead_organization.name if item.lead_organization else ""
                        ),
                        "actions": [
                            {
                                "owner": action.owner_organization.name,
                                "content": action.content,
                                "due_on": _wareki(action.due_on),
                                "done": (
                                    _("完了（%(when)s）") % {"when": _wareki(action.done_at)}
                                    if action.done_at
                                    else _("未完了")
                                ),
                            }
                            for action in entry.actions
                        ],
                    }
                )
            parts.append(
                {
                    "kind": part.get_kind_display(),
                    "discusses_cases": part.kind in CASE_KINDS,
                    "cases": cases,
                    "hidden": part_material.hidden,
                }
            )
        return {
            "municipality_name": viewer.municipality.name,
            "title": meeting.title,
            "number": meeting.number,
            "kinds": [part.get_kind_display() for part in meeting.parts.all()],
            "held_on": _wareki(meeting.held_on),
            "time_range": _time_range(meeting),
            "place": meeting.place,
            "host": meeting.organization.name,
            "status": meeting.get_status_display(),
            "attendees": attendees,
            "material_shown": material.basis is not None,
            "parts": parts,
            "minutes": meeting.minutes if material.basis is not None else "",
            "printed_at": wareki_datetime(printed_at),
            "printed_by": viewer.full_name,
            "basis_label": str(policy.Basis(basis).label) if basis else _("（根拠なし）"),
        }


def minutes_html(
    meeting: Meeting,
    *,
    material: Material,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> str:
    """The minutes as self-contained HTML+CSS for A4 print."""
    context = minutes_context(
        meeting, material=material, viewer=viewer, basis=basis, printed_at=printed_at
    )
    return render_to_string(TEMPLATE, context)


def minutes_pdf(
    meeting: Meeting,
    *,
    material: Material,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> bytes:
    """The 議事録 of ``meeting`` as PDF bytes."""
    return html_to_pdf(
        minutes_html(meeting, material=material, viewer=viewer, basis=basis, printed_at=printed_at)
    )
