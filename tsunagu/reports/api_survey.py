"""API of the reports (survey): the answers to the Tokyo council's survey
(seed 004) for the current municipality, and the installation's anonymised
totals across its municipalities. Aggregates: every staff member but a guest
reads them; each call is audited like the page."""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Router, Schema

from tsunagu import policy
from tsunagu.api.errors import ERRORS, FormErrorsOut, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.reports import survey

router: Router = Router(tags=["調査回答"])

OBJECT_TYPE = "reports.survey"
#: The earliest fiscal year asked about (the business began in 令和3年度).
FIRST_FISCAL_YEAR = 2021


# --- Schemas -------------------------------------------------------------------------


class MeetingAnswerOut(Schema):
    kind: str
    kind_label: str
    held: int
    cases: int
    new_cases: int
    monitoring_cases: int
    agenda_items: int
    months_held: int
    frequency: str
    frequency_label: str


class BucketOut(Schema):
    label: str
    household_months: int


class OutreachAnswerOut(Schema):
    counted: bool
    contacts: int
    households: int
    maximum: int
    maximum_months: list[str]
    distribution: list[BucketOut]


class OnlineAnswerOut(Schema):
    """オンライン相談 received in the year (counted as in docs/reports.md)."""

    received: int
    web: int
    line: int
    mail: int
    converted: int
    answered: int
    answered_within_one_business_day: int
    #: Median minutes from receipt to the first reply (None: nothing answered).
    median_minutes_to_first_reply: int | None


class SurveyOut(Schema):
    fiscal_year: int
    fiscal_year_label: str
    start: date
    end: date
    support_meeting: MeetingAnswerOut
    plan_meeting: MeetingAnswerOut
    plans_made: int
    first_plans: int
    replans: int
    participation_plan_based: int
    participation_before_plan: int
    outreach: OutreachAnswerOut
    online: OnlineAnswerOut


class TotalOut(Schema):
    key: str
    label: str
    #: None when suppressed.
    value: int | None
    #: Municipalities with a non-zero figure (None when suppressed).
    municipalities: int | None
    suppressed: bool
    #: small / few / group (empty when shown).
    suppression: str
    display: str


class CategoryOut(Schema):
    label: str
    municipalities: int | None
    display: str


class DistributionOut(Schema):
    key: str
    label: str
    suppressed: bool
    categories: list[CategoryOut]


class InstallationOut(Schema):
    fiscal_year: int
    fiscal_year_label: str
    minimum: int
    municipalities: int
    #: Municipalities with records in the year (None when the installation
    #: serves fewer than ``minimum`` municipalities: not counted at all).
    answering: int | None
    #: The whole table is withheld: fewer than ``minimum`` municipalities answer.
    suppressed: bool
    totals: list[TotalOut]
    distributions: list[DistributionOut]


# --- Helpers -------------------------------------------------------------------------


def _year(fiscal_year: int | None) -> tuple[int | None, Any]:
    """The fiscal year asked for (the last full one by default), or a 422."""
    today = timezone.localdate()
    if fiscal_year is None:
        return survey.default_fiscal_year(today), None
    current = fiscal_year_of(today)
    if not FIRST_FISCAL_YEAR <= fiscal_year <= current:
        return None, invalid(
            {
                "fiscal_year": [
                    f"年度は{FIRST_FISCAL_YEAR}から{current}までの西暦（4月始まりの年）で指定してください。"
                ]
            }
        )
    return fiscal_year, None


def _meeting(answer: survey.MeetingAnswer) -> dict[str, Any]:
    return {
        "kind": answer.kind,
        "kind_label": answer.label,
        "held": answer.held,
        "cases": answer.cases,
        "new_cases": answer.new_cases,
        "monitoring_cases": answer.monitoring_cases,
        "agenda_items": answer.agenda_items,
        "months_held": answer.months_held,
        "frequency": answer.frequency,
        "frequency_label": answer.frequency_label,
    }


# --- Operations ----------------------------------------------------------------------


@router.get(
    "/survey",
    response={200: SurveyOut, 422: FormErrorsOut, **ERRORS},
    summary="調査回答（東京都社協 重層的支援体制整備事業調査）",
)
@policy.route("aggregate", policy.Action.LIST)
def survey_answers(request: StaffRequest, fiscal_year: int | None = None) -> Any:
    year, error = _year(fiscal_year)
    if error is not None:
        return error
    assert year is not None
    answers = survey.survey_answers(year)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=OBJECT_TYPE,
        detail={"via": "api", "fiscal_year": year},
    )
    outreach = answers.outreach
    return {
        "fiscal_year": year,
        "fiscal_year_label": answers.label,
        "start": answers.start,
        "end": answers.end,
        "support_meeting": _meeting(answers.support_meeting),
        "plan_meeting": _meeting(answers.plan_meeting),
        "plans_made": answers.plans_made,
        "first_plans": answers.first_plans,
        "replans": answers.replans,
        "participation_plan_based": answers.participation_plan_based,
        "participation_before_plan": answers.participation_before_plan,
        "outreach": {
            "counted": outreach.counted,
            "contacts": outreach.contacts,
            "households": outreach.households,
            "maximum": outreach.maximum,
            "maximum_months": outreach.maximum_months,
            "distribution": [
                {"label": label, "household_months": n} for label, n in outreach.distribution
            ],
        },
        "online": {
            "received": answers.online.total,
            "web": answers.online.received.get("web", 0),
            "line": answers.online.received.get("line", 0),
            "mail": answers.online.received.get("mail", 0),
            "converted": answers.online.converted,
            "answered": answers.online.answered,
            "answered_within_one_business_day": answers.online.answered_in_time,
            "median_minutes_to_first_reply": answers.online.median_minutes,
        },
    }


@router.get(
    "/survey/installation",
    response={200: InstallationOut, 422: FormErrorsOut, **ERRORS},
    summary="調査回答：この設置の自治体合計（匿名化）",
)
@policy.route("aggregate", policy.Action.LIST)
def survey_installation(request: StaffRequest, fiscal_year: int | None = None) -> Any:
    year, error = _year(fiscal_year)
    if error is not None:
        return error
    assert year is not None
    totals = survey.installation_totals(year)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=OBJECT_TYPE,
        detail={"via": "api", "fiscal_year": year, "installation": True},
    )
    return {
        "fiscal_year": year,
        "fiscal_year_label": totals.label,
        "minimum": totals.minimum,
        "municipalities": totals.municipalities,
        "answering": totals.answering,
        "suppressed": totals.suppressed,
        "totals": [
            {
                "key": t.key,
                "label": t.label,
                "value": t.value,
                "municipalities": t.municipalities,
                "suppressed": t.suppressed,
                "suppression": t.suppression,
                "display": t.display,
            }
            for t in totals.totals
        ],
        "distributions": [
            {
                "key": d.key,
                "label": d.label,
                "suppressed": d.suppressed,
                "categories": [
                    {"label": c.label, "municipalities": c.municipalities, "display": c.display}
                    for c in d.categories
                ],
            }
            for d in totals.distributions
        ],
    }
