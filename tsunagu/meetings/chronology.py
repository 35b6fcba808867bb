"""The 準備シート of one case at a 支援会議, printed with the household's
chronology (家族年表) for the meeting's pledged attendees.

Who may print it is the policy's (:func:`tsunagu.policy.meeting_chronology_bases`):
staff attending the 支援会議, themselves or through their organization, whose
守秘義務の誓約 is recorded. The chronology is material put before the meeting:
the household's life events whoever recorded them, and of the rest of the
家族年表 (consultations, つなぐシート, the case's records …) only what the
printing staff member may see, each with its basis. The print is audited
with every record it shows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.core.printing import html_to_pdf, wareki_datetime
from tsunagu.core.printing import wareki_or_western as _wareki

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff
    from tsunagu.meetings.models import AgendaItem

TEMPLATE = "meetings/chronology_print.html"


@dataclass
class Line:
    """One line of the printed chronology."""

    at: datetime.datetime
    when: str
    title: str
    organization: str
    detail: str
    basis_label: str
    life_event: bool


def chronology(staff: Staff, item: AgendaItem) -> tuple[list[Line], dict[str, list[int]]]:
    """The household's chronology as this staff member prints it, oldest
    first, and the records it shows (for the audit)."""
    from tsunagu.lifeevents.models import LifeEvent
    from tsunagu.people.selectors import household_view

    household = item.case.household
    decision = policy.decide(staff, policy.Action.VIEW, "household", household)
    view = household_view(staff, household, decision.basis or policy.Basis.SUPPORT_MEETING)
    named = {m.person_id for m in (*view.members, *view.former_members)}
    lines = [
        Line(
            at=event.at,
            when=event.when or _wareki(timezone.localtime(event.at).date()),
            title=event.title,
            organization=event.organization,
            detail=event.detail,
            basis_label=event.basis_label,
            life_event=False,
        )
        for event in view.timeline
        if event.kind != "life_event"
    ]
    shown = {kind: ids for kind, ids in view.shown.items() if kind != "life_event"}
    events = list(
        LifeEvent.objects.filter(household=household, archived_at=None)
        .select_related("organization", "person")
        .order_by("occurred_on", "pk")
    )
    for event in events:
        title = _("家族の出来事：%(kind)s") % {"kind": event.get_kind_display()}
        if event.person is not None and event.person_id in named:
            title += _("（%(name)s さん）") % {"name": event.person.full_name}
        source = event.get_source_display()
        if event.source_note:
            source += f"・{event.source_note}"
        lines.append(
            Line(
                at=timezone.make_aware(
                    datetime.datetime.combine(event.occurred_on, datetime.time())
                ),
                when=event.when_label,
                title=title,
                organization=event.organization.name,
                detail=" ".join(
                    part
                    for part in (event.description, _("（情報源: %(s)s）") % {"s": source})
                    if part
                ),
                basis_label=str(policy.Basis.SUPPORT_MEETING.label),
                life_event=True,
            )
        )
    shown["life_event"] = [event.pk for event in events]
    lines.sort(key=lambda line: line.at)
    return lines, shown


def chronology_context(
    staff: Staff, item: AgendaItem, lines: list[Line], printed_at: datetime.datetime | None = None
) -> dict[str, Any]:
    meeting = item.part.meeting
    return {
        "municipality_name": staff.municipality.name,
        "meeting_title": meeting.title,
        "meeting_number": meeting.number,
        "held_on": _wareki(meeting.held_on),
        "host": meeting.organization.name,
        "case_number": item.case.number,
        "case_title": item.case.title,
        "household": str(item.case.household),
        "review": item.get_review_display(),
        "brief": [
            (_("把握している世帯像"), item.brief_household),
            (_("現在の取り組み状況"), item.brief_current),
            (_("関わってほしい支援機関"), item.brief_organizations),
            (_("他部署へお願いしたいこと"), item.brief_requests),
        ],
        "lines": lines,
        "printed_at": wareki_datetime(printed_at or timezone.now()),
        "printed_by": staff.full_name,
        "basis_label": str(policy.Basis.SUPPORT_MEETING.label),
    }


def chronology_html(staff: Staff, item: AgendaItem, lines: list[Line]) -> str:
    return render_to_string(TEMPLATE, chronology_context(staff, item, lines))


def chronology_pdf(staff: Staff, item: AgendaItem, lines: list[Line]) -> bytes:
    return html_to_pdf(chronology_html(staff, item, lines))
