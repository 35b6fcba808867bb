"""Reads of a sitting that need the policy: what of its material a viewer may
see. Shared by the sitting's page and its minutes print (meetings/printing.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.db.models import Count

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.meetings.models import ActionItem, AgendaItem, Meeting, MeetingPart


@dataclass
class AgendaEntry:
    """One case on the agenda as the viewer may see it."""

    item: AgendaItem
    #: The basis the brief and decisions are shown under.
    basis: policy.Basis
    #: The viewer's basis to the case record itself (a link to it), if any.
    case_basis: policy.Basis | None
    actions: list[ActionItem] = field(default_factory=list)
    #: The host's forms for this case (set on the sitting page only).
    brief_form: forms.BaseForm | None = None
    decisions_form: forms.BaseForm | None = None


@dataclass
class PartMaterial:
    part: MeetingPart
    entries: list[AgendaEntry]
    #: Agenda items of this part the viewer has no basis to see.
    hidden: int = 0


@dataclass
class Material:
    """The sitting's material for one viewer: None basis means nothing is shown."""

    basis: policy.Basis | None
    parts: list[PartMaterial]

    @property
    def entries(self) -> list[AgendaEntry]:
        return [entry for part in self.parts for entry in part.entries]


def material_for(
    staff: Staff, meeting: Meeting, audit_action: AuditAction = AuditAction.VIEW
) -> Material:
    """The briefs, decisions and tasks of ``meeting`` that ``staff`` may see, each
    with its basis; every agenda item shown is recorded (viewed or printed)."""
    basis = policy.meeting_material_basis(staff, meeting)
    parts = list(meeting.parts.all())
    if basis is None:
        return Material(basis=None, parts=[PartMaterial(part, []) for part in parts])
    items = list(
        policy.visible(staff, "agenda_item", policy.Action.VIEW)
        .filter(part__meeting=meeting)
        .select_related(
            "part__meeting__organization", "case__household", "lead_organization", "case"
        )
        .prefetch_related("action_items__owner_organization")
        .order_by("part__order", "order", "pk")
    )
    item_bases = policy.agenda_item_bases(staff, items)
    shown = [item for item in items if item.pk in item_bases]
    case_bases = policy.bases(staff, "case", list({i.case_id: i.case for i in shown}.values()))
    by_part: dict[int, PartMaterial] = {part.pk: PartMaterial(part, []) for part in parts}
    for item in shown:
        by_part[item.part_id].entries.append(
            AgendaEntry(
                item=item,
                basis=item_bases[item.pk],
                case_basis=case_bases.get(item.case_id),
                actions=list(item.action_items.all()),
            )
        )
        audit_record(
            audit_action,
            actor=staff,
            obj=item,
            basis=item_bases[item.pk],
            detail={"meeting": meeting.pk},
        )
    # How many cases are left out (a count only, so that a print says it is partial).
    for part_id, total in (
        AgendaItem.objects.filter(part__meeting=meeting)
        .values_list("part_id")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        by_part[part_id].hidden = total - len(by_part[part_id].entries)
    return Material(basis=basis, parts=list(by_part.values()))
