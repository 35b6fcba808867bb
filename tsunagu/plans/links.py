"""The plans app's links: a support plan's case and the persons it names
(see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # Its monitorings are the plan's activity.
    Link(
        "plans.SupportPlan",
        "case",
        Kind.CASE,
        record_kind="support_plan",
        activity=("monitorings__held_on",),
    ),
    # A member's part holds their wishes and goals: where both records of a
    # merged person are members of one plan, the absorbed record's part stays.
    Link(
        "plans.PlanMember",
        "person",
        Kind.PERSON,
        key="plan_members",
        retained_with=("cases.case", "plan__case"),
    ),
    Link(
        "plans.SupportItem",
        "person",
        Kind.PERSON,
        key="support_items",
        retained_with=("cases.case", "plan__case"),
    ),
)
