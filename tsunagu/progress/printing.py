"""The printed 支援経過記録シート: a household's running record laid out like
the national form (自立相談支援 standard forms), as a PDF.

The header carries the identity block of the 本人 (ID, 氏名, ふりがな, 性別,
生年月日 in 和暦, 住所) and the household; then one row per entry: 日付・時間 /
種別 / 対応者（機関） / 内容 / 次回の予定, oldest first.

The caller has opened the household through the policy
(``policy.get_or_404(user, "household", Action.PRINT, pk=...)``, which
writes the print to the audit trail) and passes only the notes the policy
shows the viewer; this module lays them out and names the basis in the
footer of every page. Nothing is fetched from outside while rendering
(``core.printing``'s refusing URL fetcher).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.core import tenancy
from tsunagu.core.printing import html_to_pdf, wareki_datetime
from tsunagu.core.printing import wareki_or_western as _wareki
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

TEMPLATE = "progress/sheet_print.html"


@dataclass(frozen=True)
class Row:
    at: str
    kind: str
    participants: str
    content: str
    next_step: str


def _subject(viewer: Staff, household: Household, subject: Person | None) -> Person | None:
    """The 本人 of the header: the one asked for, else the head of the
    household where the viewer may see them."""
    if subject is not None:
        return subject
    head = (
        HouseholdMembership.objects.filter(
            household=household, relationship=Relationship.HEAD, ended_on=None
        )
        .values_list("person_id", flat=True)
        .first()
    )
    if head is None:
        return None
    return policy.visible(viewer, "person", policy.Action.VIEW).filter(pk=head).first()


def _row(note: Any) -> Row:
    people = [
        f"{participant.staff.full_name}（{participant.organization.name}）"
        for participant in note.participants.all()
    ]
    if note.other_participants:
        people.append(note.other_participants)
    next_step = note.next_step
    if note.next_on:
        next_step = f"{_wareki(note.next_on)} {next_step}".strip()
    return Row(
        at=wareki_datetime(note.occurred_at),
        kind=note.get_kind_display(),
        participants="、".join(people),
        content=note.content,
        next_step=next_step,
    )


def progress_sheet_context(
    household: Household,
    notes: list[Any],
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    subject: Person | None = None,
    printed_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the print template shows, resolved to plain values."""
    if household.municipality_id != viewer.municipality_id:
        raise PermissionDenied
    printed_at = printed_at or timezone.now()
    with tenancy.tenant_context(viewer.municipality):
        person = _subject(viewer, household, subject)
        return {
            "municipality_name": viewer.municipality.name,
            "household_label": str(household),
            "household_number": household.number,
            "person_id": f"P{person.pk:07d}" if person else "",
            "name": person.full_name if person else "",
            "kana": person.full_name_kana if person else "",
            "sex": person.get_sex_display() if person else "",
            "birth_date": _wareki(person.birth_date) if person else "",
            "address": (person.address if person and person.address else household.address),
            "rows": [_row(note) for note in notes],
            "printed_at": wareki_datetime(printed_at),
            "printed_by": viewer.full_name,
            "basis_label": str(policy.Basis(basis).label) if basis else _("（根拠なし）"),
        }


def progress_sheet_html(
    household: Household,
    notes: list[Any],
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    subject: Person | None = None,
    printed_at: datetime.datetime | None = None,
) -> str:
    """The sheet as self-contained HTML+CSS for A4 print."""
    context = progress_sheet_context(
        household, notes, viewer=viewer, basis=basis, subject=subject, printed_at=printed_at
    )
    return render_to_string(TEMPLATE, context)


def progress_sheet_pdf(
    household: Household,
    notes: list[Any],
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    subject: Person | None = None,
    printed_at: datetime.datetime | None = None,
) -> bytes:
    """The 支援経過記録シート as PDF bytes (the view serves them as application/pdf)."""
    return html_to_pdf(
        progress_sheet_html(
            household, notes, viewer=viewer, basis=basis, subject=subject, printed_at=printed_at
        )
    )
