"""The printed プランシート (プラン兼利用申込書): one version of a support plan
laid out like the national default form (自治体事務マニュアル, modelled on
the 自立相談支援 standard forms), as a PDF.

The sheet carries the identity block (世帯, 作成日 in 和暦, 版), each member's
wishes, issues and goals, the support items with their kind, the check items
for using 参加支援 and アウトリーチ, the next monitoring date, and the
application with a signature line for every member in the plan.

The caller has already fetched the plan through the policy
(``policy.get_or_404(user, "support_plan", Action.PRINT, pk=...)``), which
checks the viewer's basis and writes the print to the audit trail; this
module only lays out what that call allowed, and names the basis in the
footer of every page. As for the 相談受付・申込票, nothing is fetched from
outside while rendering (the same refusing URL fetcher) and the fonts come
from the machine's fontconfig (Noto Sans CJK JP).
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
from tsunagu.people.models import HouseholdMembership
from tsunagu.plans.models import Status, SupportKind, SupportPlan

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

TEMPLATE = "plans/plan_sheet_print.html"


@dataclass(frozen=True)
class CheckItem:
    label: str
    checked: bool


@dataclass(frozen=True)
class MemberBlock:
    """One member's part of the sheet: identity, then wishes, issues and goals."""

    name: str
    kana: str
    relationship: str
    birth_date: str
    age: int | None
    wishes: str
    issues: str
    goals: list[str]


@dataclass(frozen=True)
class ItemRow:
    target: str
    content: str
    kind: str
    organization: str
    frequency: str
    period: str


def _period(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{_wareki(start)}〜{_wareki(end)}"


def _members(plan: SupportPlan) -> list[MemberBlock]:
    relationships = {
        membership.person_id: membership.get_relationship_display()
        for membership in HouseholdMembership.objects.filter(
            household_id=plan.case.household_id, ended_on=None
        )
    }
    blocks = []
    for member in plan.members.select_related("person").prefetch_related("goals"):
        person = member.person
        blocks.append(
            MemberBlock(
                name=person.full_name,
                kana=person.full_name_kana,
                relationship=relationships.get(person.pk, ""),
                birth_date=_wareki(person.birth_date),
                age=person.age_on(plan.made_on),
                wishes=member.wishes,
                issues=member.issues,
                goals=[goal.text for goal in member.goals.all()],
            )
        )
    return blocks


def _items(plan: SupportPlan) -> list[ItemRow]:
    return [
        ItemRow(
            target=item.person.full_name if item.person is not None else _("世帯全体"),
            content=item.content,
            kind=item.get_kind_display(),
            organization=item.organization.name,
            frequency=item.frequency,
            period=_period(item.starts_on, item.ends_on),
        )
        for item in plan.items.select_related("organization", "person")
    ]


def plan_sheet_context(
    plan: SupportPlan,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the print template shows, resolved to plain values."""
    if plan.municipality_id != viewer.municipality_id:
        raise PermissionDenied
    printed_at = printed_at or timezone.now()
    with tenancy.tenant_context(viewer.municipality):
        case = plan.case
        household = case.household
        consent = plan.consent
        kinds_used = set(plan.items.values_list("kind", flat=True))
        return {
            "municipality_name": viewer.municipality.name,
            "draft": plan.status == Status.DRAFT,
            "status": plan.get_status_display(),
            "case_number": case.number,
            "household_label": str(household),
            "household_number": household.number,
            "household_address": household.address,
            "coordinating_name": case.organization.name,
            "lead_name": case.lead_organization.name if case.lead_organization else "",
            "version_number": plan.version_number,
            "replan": plan.previous_id is not None,
            "changes": plan.changes,
            "made_on": _wareki(plan.made_on),
            "period": _period(plan.starts_on, plan.ends_on),
            "next_monitoring_on": _wareki(plan.next_monitoring_on),
            "consent_on": _wareki(consent.obtained_on),
            "consent_method": consent.get_method_display(),
            "overall_goal": plan.overall_goal,
            "members": _members(plan),
            "items": _items(plan),
            "programmes": [
                CheckItem(_("参加支援事業を利用する"), plan.uses_participation),
                CheckItem(_("アウトリーチ等を通じた継続的支援事業を利用する"), plan.uses_outreach),
            ],
            "kinds": [CheckItem(str(kind.label), kind.value in kinds_used) for kind in SupportKind],
            "printed_at": wareki_datetime(printed_at),
            "printed_by": viewer.full_name,
            "basis_label": str(policy.Basis(basis).label) if basis else _("（根拠なし）"),
        }


def plan_sheet_html(
    plan: SupportPlan,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> str:
    """The sheet as self-contained HTML+CSS for A4 print."""
    context = plan_sheet_context(plan, viewer=viewer, basis=basis, printed_at=printed_at)
    return render_to_string(TEMPLATE, context)


def plan_sheet_pdf(
    plan: SupportPlan,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> bytes:
    """The プランシート of ``plan`` as PDF bytes (the view serves them as application/pdf)."""
    return html_to_pdf(plan_sheet_html(plan, viewer=viewer, basis=basis, printed_at=printed_at))
