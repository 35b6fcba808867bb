"""Two staff members change the same case, plan or referral from pages (or
API reads) they opened at the same time. The first change is saved; the
second is refused with a clear conflict in Japanese, its author keeps what
they typed (the form comes back filled in, carrying the version now in the
database, so that saving again after a look applies it on purpose), and the
first change is intact: nothing is overwritten silently.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.forms import BaseForm, CheckboxInput
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, CaseEvent, ClosureReason, Stage
from tsunagu.core import tenancy
from tsunagu.plans.models import Decision, Monitoring, PlanGoal, Status, SupportPlan
from tsunagu.plans.services import MemberPart, plan_create
from tsunagu.plans.tests.test_plan_pages import member_field, submitted
from tsunagu.referrals.models import Reason, Referral, ReferralEvent
from tsunagu.referrals.models import Status as ReferralStatus
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

CASE_CONFLICT = "このケースは、表示した後に他の職員が更新しました。"
PLAN_CONFLICT = "この支援プランは、表示した後に他の職員が更新しました。"
REFERRAL_CONFLICT = "他の職員が更新しました"
INPUT_KEPT = "入力した内容は残っています"


def signed_in(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def posted(form: BaseForm, **changes: Any) -> dict[str, Any]:
    """What the browser sends back from ``form`` as shown, with ``changes``."""
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if isinstance(field.field.widget, CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = field.field.prepare_value(value)
    data.update(changes)
    return data


def fresh_case(case: Case) -> Case:
    return Case.all_tenants.get(pk=case.pk)


class Team:
    """Two coordinators of the same coordinating section, and a household's case."""

    def __init__(self, ward: Ward) -> None:
        self.ward = ward
        self.first = ward.member(Role.COORDINATOR)
        self.second = rf.staff_at(ward, ward.coordinating, Role.COORDINATOR, "coordinator-2")
        self.head = rf.person(self.first, ward.coordinating, family_name="競合", given_name="一郎")
        child = rf.person(self.first, ward.coordinating, family_name="競合", given_name="次郎")
        household = rf.household(
            self.first, ward.coordinating, head=self.head, members=[(child, "child")]
        )
        self.case = cf.case(self.first, ward.coordinating, household)

    def consented(self) -> Team:
        cf.consent(self.first, self.case, organizations=[self.ward.center])
        cf.to_stage(self.first, self.case, Stage.ASSESSMENT)
        cf.to_stage(self.first, self.case, Stage.CONSENTED)
        return self


@pytest.fixture
def team(ward: Ward) -> Team:
    return Team(ward)


# --- Cases --------------------------------------------------------------------------


def test_case_update_second_save_is_a_conflict_that_keeps_the_input(team: Team) -> None:
    url = reverse("cases:detail", args=[team.case.pk])
    first, second = signed_in(team.first), signed_in(team.second)
    shown_first = first.get(url).context["update_form"]
    shown_second = second.get(url).context["update_form"]

    saved = first.post(
        reverse("cases:update", args=[team.case.pk]),
        posted(shown_first, title="8050・介護", next_action="長男と面談"),
    )
    assert saved.status_code == 302

    mine = {"title": "子のひきこもり・家計", "next_action": "家計相談につなぐ"}
    refused = second.post(
        reverse("cases:update", args=[team.case.pk]), posted(shown_second, **mine)
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert CASE_CONFLICT in html and INPUT_KEPT in html
    form = refused.context["update_form"]
    assert form["title"].value() == mine["title"]
    assert form["next_action"].value() == mine["next_action"]
    assert f'value="{mine["next_action"]}"' in html  # on the page, not only in the context
    case = fresh_case(team.case)
    assert (case.title, case.next_action) == ("8050・介護", "長男と面談")  # the first is intact
    # The page shows the case as it is now, and the form its current version.
    assert "8050・介護" in html
    assert int(form["version"].value()) == case.version

    # Having read it, the second saves again from the page as shown: on purpose, it applies.
    again = second.post(reverse("cases:update", args=[team.case.pk]), posted(form))
    assert again.status_code == 302
    case = fresh_case(team.case)
    assert (case.title, case.next_action) == (mine["title"], mine["next_action"])


def test_case_transition_conflict_keeps_the_evaluation_typed(team: Team) -> None:
    cf.to_stage(team.first, team.case, Stage.ASSESSMENT)
    version = fresh_case(team.case).version
    first, second = signed_in(team.first), signed_in(team.second)
    moved = first.post(
        reverse("cases:transition", args=[team.case.pk]),
        {"to_stage": Stage.MEETING_REVIEW, "version": version},
    )
    assert moved.status_code == 302

    evaluation = "転居先の自治体の窓口に引き継いだ。本人も納得している。"
    refused = second.post(
        reverse("cases:transition", args=[team.case.pk]),
        {
            "to_stage": Stage.CLOSED,
            "version": version,
            "closure_reason": ClosureReason.MOVED,
            "evaluation": evaluation,
        },
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert CASE_CONFLICT in html
    # Closing is still possible from here: its form comes back filled in.
    assert f'id="evaluation" name="evaluation" rows="3" required>{evaluation}</textarea>' in html
    assert f'<option value="{ClosureReason.MOVED}" selected>' in html
    case = fresh_case(team.case)
    assert case.stage == Stage.MEETING_REVIEW and case.evaluation == ""
    assert f'name="version" value="{case.version}"' in html
    assert not CaseEvent.all_tenants.filter(note=evaluation).exists()


def test_case_transition_no_longer_offered_still_shows_what_was_typed(team: Team) -> None:
    version = fresh_case(team.case).version
    first, second = signed_in(team.first), signed_in(team.second)
    closing = {"to_stage": Stage.CLOSED, "version": version, "closure_reason": ClosureReason.MOVED}
    closed = first.post(
        reverse("cases:transition", args=[team.case.pk]),
        {**closing, "evaluation": "転居のため終結。"},
    )
    assert closed.status_code == 302

    mine = "本人が支援の終了を希望した。地域の居場所には通い続ける。"
    refused = second.post(
        reverse("cases:transition", args=[team.case.pk]),
        {**closing, "closure_reason": ClosureReason.PERSON_DECLINED, "evaluation": mine},
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert CASE_CONFLICT in html and mine in html
    assert fresh_case(team.case).evaluation == "転居のため終結。"


def test_case_transition_through_the_api_is_a_409_that_applies_nothing(team: Team) -> None:
    first, second = signed_in(team.first), signed_in(team.second)
    url = f"/api/v1/cases/{team.case.pk}"
    seen_first = first.get(url).json()["version"]
    seen_second = second.get(url).json()["version"]

    def transition(client: Client, payload: dict[str, Any]) -> Any:
        return client.post(
            url + "/transition", json.dumps(payload), content_type="application/json"
        )

    done = transition(first, {"to_stage": "closed", "version": seen_first, **closure("転居のため")})
    assert done.status_code == 200
    refused = transition(
        second, {"to_stage": "closed", "version": seen_second, **closure("本人の希望で")}
    )
    assert refused.status_code == 409
    assert CASE_CONFLICT in refused.json()["detail"]
    case = fresh_case(team.case)
    assert case.evaluation == "転居のため" and case.version == done.json()["version"]
    assert not CaseEvent.all_tenants.filter(note="本人の希望で").exists()


def closure(evaluation: str) -> dict[str, str]:
    return {"closure_reason": ClosureReason.MOVED, "evaluation": evaluation}


# --- Plans --------------------------------------------------------------------------


def plans_of(case: Case) -> list[SupportPlan]:
    return list(SupportPlan.all_tenants.filter(case=case).order_by("version_number"))


def test_two_drafts_of_one_plan_the_second_is_a_conflict_that_keeps_the_input(
    team: Team,
) -> None:
    team.consented()
    url = reverse("plans:create", args=[team.case.pk])
    first, second = signed_in(team.first), signed_in(team.second)
    page_first, page_second = first.get(url), second.get(url)
    head, monitoring = team.head, (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    theirs = {
        "overall_goal": "長男が外出できる",
        "next_monitoring_on": monitoring,
        member_field(head, "goals"): "週1回外出する",
    }
    mine = {
        "overall_goal": "家族で家計を立て直す",
        "next_monitoring_on": monitoring,
        member_field(head, "goals"): "家計簿をつける",
    }

    made = first.post(url, submitted(page_first, **theirs))
    assert made.status_code == 302, made.context["plan_form"].errors
    refused = second.post(url, submitted(page_second, **mine))
    assert refused.status_code == 409
    html = refused.content.decode()
    (plan,) = plans_of(team.case)
    assert "この画面を開いた後に、このケースの支援プラン（第1版）が作成されました。" in html
    assert "入力した内容は下に残っています" in html
    assert reverse("plans:detail", args=[plan.pk]) in html  # to the draft that was made
    # The second coordinator's plan, on the page as typed.
    assert refused.context["plan_form"]["overall_goal"].value() == mine["overall_goal"]
    assert "家族で家計を立て直す" in html and "家計簿をつける" in html
    # The first coordinator's plan, as they made it.
    assert plan.overall_goal == "長男が外出できる"
    goals = PlanGoal.all_tenants.filter(member__plan=plan).values_list("text", flat=True)
    assert list(goals) == ["週1回外出する"]


def test_two_monitorings_of_one_plan_the_second_is_a_conflict_that_keeps_the_input(
    team: Team,
) -> None:
    team.consented()
    plan = cf.active_plan(team.first, team.case)
    url = reverse("plans:monitor", args=[plan.pk])
    first, second = signed_in(team.first), signed_in(team.second)
    shown_first = first.get(url).context
    shown_second = second.get(url).context

    def review(context: Any, **fields: Any) -> dict[str, Any]:
        data = posted(context["form"], held_on=timezone.localdate().isoformat(), **fields)
        for goal_form in context["goal_forms"]:
            data[goal_form["progress"].html_name] = "improving"
        return data

    replanned = first.post(
        url, review(shown_first, summary="長男の状況が変わった", decision=Decision.REPLAN)
    )
    assert replanned.status_code == 302
    next_on = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    mine = {
        "summary": "順調。このまま続ける",
        "decision": Decision.CONTINUE,
        "next_monitoring_on": next_on,
    }
    refused = second.post(url, review(shown_second, **mine))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert PLAN_CONFLICT in html and INPUT_KEPT in html
    form = refused.context["form"]
    assert form["summary"].value() == mine["summary"]
    assert form["decision"].value() == Decision.CONTINUE
    assert "順調。このまま続ける" in html
    # The 再プラン stands: a 継続 from an older page did not undo it.
    assert list(Monitoring.all_tenants.filter(plan=plan).values_list("decision", flat=True)) == [
        Decision.REPLAN
    ]
    assert fresh_case(team.case).stage == Stage.PLANNING
    plan.refresh_from_db()
    assert int(form["version"].value()) == plan.version


def test_confirming_a_draft_twice_the_second_is_a_conflict(team: Team) -> None:
    team.consented()
    with tenancy.tenant_context(team.ward.municipality):
        draft = plan_create(
            actor=team.first,
            case=fresh_case(team.case),
            plan=SupportPlan(next_monitoring_on=timezone.localdate()),
            members=[MemberPart(team.head, goals=["外出する"])],
        )
    first, second = signed_in(team.first), signed_in(team.second)
    url = reverse("plans:activate", args=[draft.pk])
    assert first.post(url, {"version": draft.version}).status_code == 302
    refused = second.post(url, {"version": draft.version})
    assert refused.status_code == 409
    assert PLAN_CONFLICT in refused.content.decode()
    (plan,) = plans_of(team.case)
    assert plan.status == Status.ACTIVE and plan.updated_by == team.first


# --- Referrals ----------------------------------------------------------------------


class Receivers:
    """A つなぐシート sent to 地域包括支援センター南, where two counselors answer it."""

    def __init__(self, ward: Ward) -> None:
        sender = ward.member(Role.COUNSELOR)
        self.first = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-1")
        self.second = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-2")
        household = rf.household(sender, ward.center)
        self.referral = rf.referral(sender, ward.center, ward.other_center, household=household)

    def fresh(self) -> Referral:
        return Referral.all_tenants.get(pk=self.referral.pk)


@pytest.fixture
def receivers(ward: Ward) -> Receivers:
    return Receivers(ward)


MY_NOTE = "当センターでは対応できる職員がいません。自立相談支援窓口をご検討ください。"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_referral_second_answer_is_a_conflict_that_keeps_the_input(
    receivers: Receivers, htmx: bool
) -> None:
    url = reverse("referrals:detail", args=[receivers.referral.pk])
    first, second = signed_in(receivers.first), signed_in(receivers.second)
    shown = second.get(url).context["referral"].version
    first.get(url)
    accepted = first.post(
        reverse("referrals:transition", args=[receivers.referral.pk]),
        {"to_status": ReferralStatus.ACCEPTED, "version": shown},
    )
    assert accepted.status_code == 302

    headers = {"HX-Request": "true"} if htmx else {}
    refused = second.post(
        reverse("referrals:transition", args=[receivers.referral.pk]),
        {
            "to_status": ReferralStatus.REJECTED,
            "version": shown,
            "reason": Reason.NO_CAPACITY,
            "note": MY_NOTE,
        },
        headers=headers,
    )
    html = refused.content.decode()
    if htmx:  # swapped in place, with the refusal named in a header
        assert refused.status_code == 200 and refused["X-Tsunagu-Refused"] == "409"
    else:
        assert refused.status_code == 409
    assert REFERRAL_CONFLICT in html
    assert f">{MY_NOTE}</textarea>" in html
    assert f'<option value="{Reason.NO_CAPACITY}" selected>' in html
    referral = receivers.fresh()
    assert referral.status == ReferralStatus.ACCEPTED
    assert f'name="version" value="{referral.version}"' in html
    assert not ReferralEvent.all_tenants.filter(note=MY_NOTE).exists()


def test_referral_transition_through_the_api_is_a_409_that_applies_nothing(
    receivers: Receivers,
) -> None:
    first, second = signed_in(receivers.first), signed_in(receivers.second)
    url = f"/api/v1/referrals/{receivers.referral.pk}"
    seen_first = first.get(url).json()["version"]
    seen_second = second.get(url).json()["version"]

    def transition(client: Client, payload: dict[str, Any]) -> Any:
        return client.post(
            url + "/transition", json.dumps(payload), content_type="application/json"
        )

    done = transition(first, {"to_status": "accepted", "version": seen_first})
    assert done.status_code == 200, done.json()
    refused = transition(
        second,
        {"to_status": "rejected", "version": seen_second, "reason": "no_capacity", "note": MY_NOTE},
    )
    assert refused.status_code == 409
    assert REFERRAL_CONFLICT in refused.json()["detail"]
    referral = receivers.fresh()
    assert referral.status == ReferralStatus.ACCEPTED and referral.version == done.json()["version"]
    assert not ReferralEvent.all_tenants.filter(note=MY_NOTE).exists()
