"""Every printout of the demo ward, on records in every state they take there:
meetings with done tasks, with open tasks and without any; consultations and
plans of cases whose consent was withdrawn and of cases under a consent.
(Anonymised households: ``tsunagu/tests/test_prints.py``.)

The minutes of the demo's meetings with a done task answered 500 (issue 22).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef

from tsunagu.accounts.models import Staff
from tsunagu.assessments.models import Assessment
from tsunagu.cases.models import Consent
from tsunagu.cases.services import consent_withdraw
from tsunagu.consultations.models import Consultation
from tsunagu.core.models import Municipality
from tsunagu.meetings.models import ActionItem, Meeting
from tsunagu.people.models import Household
from tsunagu.plans.models import SupportPlan
from tsunagu.tests.test_prints import PRINTS, assert_prints, printer


def _withdraw_a_plans_consent() -> None:
    """The demo withdraws consents only of cases without a plan: withdraw the
    consent of a planned case here (rolled back with the test)."""
    plan = SupportPlan.objects.select_related("consent__case").order_by("pk").first()
    assert plan is not None
    consent = plan.consent
    for staff in Staff.objects.filter(is_active=True).order_by("pk"):
        try:
            consent_withdraw(actor=staff, consent=consent, note="電話で撤回の申し出")
        except (PermissionDenied, ValidationError):
            continue
        return
    raise AssertionError("nobody may withdraw the plan's consent")


def _states(demo: Municipality) -> dict[str, list[tuple[str, object]]]:
    done = ActionItem.objects.filter(agenda_item__part__meeting=OuterRef("pk")).exclude(
        done_at=None
    )
    open_ = ActionItem.objects.filter(agenda_item__part__meeting=OuterRef("pk"), done_at=None)
    meetings = Meeting.objects.annotate(done=Exists(done), open=Exists(open_)).order_by("pk")
    withdrawn = Consent.objects.filter(case=OuterRef("case"), withdrawn_at__isnull=False)
    plans = SupportPlan.objects.annotate(withdrawn=Exists(withdrawn)).order_by("pk")
    withdrawn_case = Consent.objects.filter(
        case__household=OuterRef("household"), withdrawn_at__isnull=False
    )
    consultations = Consultation.objects.annotate(withdrawn=Exists(withdrawn_case)).order_by("pk")
    with_notes = (
        Household.objects.filter(progress_notes__isnull=False).distinct().order_by("pk").first()
    )
    return {
        "progress:print": [("its running record", with_notes)],
        "meetings:print": [
            ("a done task", meetings.filter(done=True).first()),
            ("an open task", meetings.filter(open=True).first()),
            ("no task", meetings.filter(done=False, open=False).first()),
        ],
        "plans:print": [
            ("its consent withdrawn", plans.filter(withdrawn=True).first()),
            ("under its consent", plans.filter(withdrawn=False).first()),
        ],
        "consultations:print": [
            ("its household's consent withdrawn", consultations.filter(withdrawn=True).first()),
            ("another", consultations.filter(withdrawn=False).first()),
        ],
        "assessments:print": [
            ("a first version", Assessment.objects.filter(previous=None).order_by("pk").first()),
            ("a later version", Assessment.objects.exclude(previous=None).order_by("pk").first()),
        ],
    }


def test_every_printout_prints_records_in_every_state(demo: Municipality) -> None:
    _withdraw_a_plans_consent()
    states = _states(demo)
    assert set(states) == set(PRINTS)
    staff = list(Staff.objects.filter(is_active=True).order_by("pk"))
    printed = []
    for route, records in states.items():
        printout = PRINTS[route]
        for state, record in records:
            assert record is not None, f"the demo has no {route} with {state}"
            who = printer(staff, printout, record)
            assert who is not None, f"nobody may print {route} with {state}"
            assert_prints(route, record, who)
            printed.append((route, state))
    assert len(printed) == 10
