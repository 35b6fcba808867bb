"""The support-plan pages as the coordinating section and the organizations
around a case walk through them: making a plan under consent, confirming it,
monitoring, re-planning and closing, and who sees the plan at all."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import Case, ClosureReason, Consent, ConsentMethod, Stage
from tsunagu.cases.services import consent_record, consent_withdraw
from tsunagu.core import tenancy
from tsunagu.core.wareki import format_wareki
from tsunagu.people.models import Person
from tsunagu.plans.models import (
    Decision,
    Monitoring,
    PlanGoal,
    Status,
    SupportItem,
    SupportKind,
    SupportPlan,
)
from tsunagu.plans.services import (
    GoalPart,
    ItemPart,
    MemberPart,
    monitoring_record,
    plan_activate,
    plan_create,
)
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


class Family:
    """A household of three (A the head, B the child, C the parent) with a case
    at the coordinating section, as the coordinator sees it."""

    def __init__(self, ward: Any) -> None:
        self.ward = ward
        self.coordinator = ward.member(Role.COORDINATOR)
        staff = self.coordinator
        self.a = rf.person(staff, ward.coordinating, family_name="試験", given_name="一郎")
        self.b = rf.person(
            staff,
            ward.coordinating,
            family_name="試験",
            given_name="次郎",
            given_name_kana="じろう",
            birth_date=datetime.date(1985, 6, 1),
        )
        self.c = rf.person(
            staff,
            ward.coordinating,
            family_name="試験",
            given_name="ハナ",
            given_name_kana="はな",
            birth_date=datetime.date(1940, 1, 5),
        )
        self.household = rf.household(
            staff, ward.coordinating, head=self.a, members=[(self.b, "child"), (self.c, "parent")]
        )
        self.case = cf.case(staff, ward.coordinating, self.household)

    def consent(self, members: list[Person] | None = None, **fields: Any) -> Consent:
        """A written consent of A naming the 地域包括支援センター北 (for ``members``, default all)."""
        if members is None:
            return cf.consent(self.coordinator, self.case, organizations=[self.ward.center])
        with tenancy.tenant_context(self.ward.municipality):
            return consent_record(
                actor=self.coordinator,
                case=self.case,
                consent=Consent(
                    grantor=self.a,
                    method=ConsentMethod.WRITTEN,
                    obtained_by_organization=self.ward.coordinating,
                    **fields,
                ),
                members=members,
                organizations=[self.ward.center],
            )

    def consented(self, members: list[Person] | None = None) -> Family:
        self.consent(members)
        cf.to_stage(self.coordinator, self.case, Stage.ASSESSMENT)
        cf.to_stage(self.coordinator, self.case, Stage.CONSENTED)
        return self

    def active_plan(self) -> SupportPlan:
        """Version 1, confirmed, with goals for A and C and two support items."""
        with tenancy.tenant_context(self.ward.municipality):
            case = Case.objects.get(pk=self.case.pk)
            plan = plan_create(
                actor=self.coordinator,
                case=case,
                plan=SupportPlan(
                    overall_goal="家族が安心して暮らせる",
                    uses_outreach=True,
                    next_monitoring_on=timezone.localdate() + datetime.timedelta(days=60),
                ),
                members=[
                    MemberPart(self.a, wishes="仕事に戻りたい", goals=["週1回外出する"]),
                    MemberPart(self.c, issues="物忘れ", goals=["介護保険を申請する"]),
                ],
                items=[
                    ItemPart(
                        organization=self.ward.center,
                        content="見守り訪問",
                        kind=SupportKind.OUTREACH,
                        person=self.a,
                        frequency="月2回",
                    ),
                    ItemPart(
                        organization=self.ward.other_center,
                        content="介護保険の申請支援",
                        kind=SupportKind.SERVICE,
                        person=self.c,
                    ),
                ],
            )
            return plan_activate(actor=self.coordinator, plan=plan, version=plan.version)

    def fresh_case(self) -> Case:
        with tenancy.tenant_context(self.ward.municipality):
            return Case.objects.get(pk=self.case.pk)

    def plans(self) -> list[SupportPlan]:
        with tenancy.tenant_context(self.ward.municipality):
            return list(SupportPlan.objects.filter(case=self.case).order_by("version_number"))


def submitted(page: Any, **changes: Any) -> dict[str, Any]:
    """What the browser posts back from the plan form as shown (pre-filled values
    included, disabled fields left out), with ``changes`` applied."""
    context = page.context
    forms = [
        context["plan_form"],
        *context["member_forms"],
        context["items"].management_form,
        *context["items"].forms,
    ]
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
                continue
            if value is None:
                continue
            data[field.html_name] = field.field.prepare_value(value)
    for name, value in changes.items():
        name = name.replace("__", "-")
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def member_field(person: Person, name: str) -> str:
    return f"member-{person.pk}__{name}"


def test_coordinator_makes_a_plan_for_each_member_and_confirms_it(client, ward) -> None:
    family = Family(ward).consented()
    client.force_login(family.coordinator)
    url = reverse("plans:create", args=[family.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for person in (family.a, family.b, family.c):
        assert person.full_name in html
    assert html.count("このプランに含める") == 3
    assert "本人同意の対象外" not in html
    assert 'name="item-TOTAL_FORMS" value="5"' in html  # five empty support-item rows

    next_monitoring = timezone.localdate() + datetime.timedelta(days=90)
    goals = {
        family.a: "週1回ハローワークに行く\n生活リズムを整える",
        family.b: "通所先を見つける",
        family.c: "デイサービスを利用する",
    }
    changes: dict[str, Any] = {
        "overall_goal": "家族それぞれが地域とつながる",
        # 和暦 and 西暦 are both accepted.
        "next_monitoring_on": format_wareki(next_monitoring),
        "starts_on": timezone.localdate().isoformat(),
        "uses_participation": "on",
        "item__0__organization": ward.center.pk,
        "item__0__person": family.b.pk,
        "item__0__content": "居場所への同行",
        "item__0__kind": SupportKind.PARTICIPATION,
        "item__0__frequency": "週1回",
        "item__1__organization": ward.coordinating.pk,
        "item__1__content": "世帯全体の見守り",
        "item__1__kind": SupportKind.OUTREACH,
    }
    for person, text in goals.items():
        changes[member_field(person, "goals")] = text
        changes[member_field(person, "wishes")] = f"{person.given_name}さんの思い"
    response = client.post(url, submitted(page, **changes))
    assert response.status_code == 302, response.content.decode()[:3000]

    (plan,) = family.plans()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    with tenancy.tenant_context(ward.municipality):
        assert plan.status == Status.DRAFT
        assert plan.version_number == 1
        assert plan.next_monitoring_on == next_monitoring
        assert plan.uses_participation and not plan.uses_outreach
        by_person = {
            member.person_id: [goal.text for goal in member.goals.all()]
            for member in plan.members.all()
        }
        assert by_person == {
            family.a.pk: ["週1回ハローワークに行く", "生活リズムを整える"],
            family.b.pk: ["通所先を見つける"],
            family.c.pk: ["デイサービスを利用する"],
        }
        items = list(plan.items.order_by("id").values_list("content", "person_id", "kind"))
        assert items == [
            ("居場所への同行", family.b.pk, SupportKind.PARTICIPATION),
            ("世帯全体の見守り", None, SupportKind.OUTREACH),
        ]
    assert family.fresh_case().stage == Stage.PLANNING

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    shown = detail.content.decode()
    assert "作成中" in shown and "確定する" in shown
    assert "週1回ハローワークに行く" in shown and "居場所への同行" in shown
    assert "参加支援" in shown and "書面" in shown  # check items and the consent relied on

    confirmed = client.post(reverse("plans:activate", args=[plan.pk]), {"version": plan.version})
    assert confirmed.status_code == 302
    (plan,) = family.plans()
    assert plan.status == Status.ACTIVE
    case = family.fresh_case()
    assert case.stage == Stage.SUPPORTING
    assert case.next_action_on == next_monitoring


def test_member_outside_the_consent_is_shown_disabled_and_kept_out(client, ward) -> None:
    family = Family(ward)
    family.consented(members=[family.a, family.b])
    client.force_login(family.coordinator)
    url = reverse("plans:create", args=[family.case.pk])
    page = client.get(url)
    html = page.content.decode()
    assert html.count("本人同意の対象外") == 1
    c_include = f'name="member-{family.c.pk}-include"'
    assert c_include in html
    tag = html.split(c_include, 1)[0].rsplit("<input", 1)[1] + html.split(c_include, 1)[1]
    assert "disabled" in tag.split(">", 1)[0]

    # A forged post that puts C in anyway leaves C out.
    data = submitted(
        page,
        next_monitoring_on=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **{
            member_field(family.a, "goals"): "外出する",
            member_field(family.c, "include"): "on",
            member_field(family.c, "goals"): "通院する",
        },
    )
    assert client.post(url, data).status_code == 302
    (plan,) = family.plans()
    with tenancy.tenant_context(ward.municipality):
        assert set(plan.members.values_list("person_id", flat=True)) == {family.a.pk, family.b.pk}
        assert not PlanGoal.objects.filter(text="通院する").exists()


def test_without_consent_the_page_refuses_and_nothing_is_made(client, ward) -> None:
    family = Family(ward)
    cf.to_stage(family.coordinator, family.case, Stage.ASSESSMENT)
    client.force_login(family.coordinator)
    url = reverse("plans:create", args=[family.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "支援プランの作成には本人同意が必要です" in html
    assert "このプランに含める" not in html  # no form
    response = client.post(
        url,
        {
            "made_on": timezone.localdate().isoformat(),
            "starts_on": timezone.localdate().isoformat(),
            "next_monitoring_on": "令和9年1月1日",
            member_field(family.a, "include").replace("__", "-"): "on",
            member_field(family.a, "goals").replace("__", "-"): "外出する",
            "item-TOTAL_FORMS": "0",
            "item-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "支援プランの作成には本人同意が必要です" in response.content.decode()
    assert family.plans() == []
    assert family.fresh_case().stage == Stage.ASSESSMENT


def test_withdrawn_consent_refuses_a_new_version(client, ward) -> None:
    family = Family(ward).consented()
    with tenancy.tenant_context(ward.municipality):
        consent = Consent.objects.get(case=family.case)
        consent_withdraw(actor=family.coordinator, consent=consent, note="本人から電話で撤回")
    client.force_login(family.coordinator)
    page = client.get(reverse("plans:create", args=[family.case.pk]))
    assert "支援プランの作成には本人同意が必要です" in page.content.decode()


def test_replan_prefills_the_previous_version_and_needs_what_changed(client, ward) -> None:
    family = Family(ward).consented()
    first = family.active_plan()
    client.force_login(family.coordinator)

    # The monitoring decides 再プラン: the case goes back to プラン作成.
    monitor_url = reverse("plans:monitor", args=[first.pk])
    form = client.get(monitor_url)
    assert form.status_code == 200
    with tenancy.tenant_context(ward.municipality):
        goals = list(PlanGoal.objects.filter(member__plan=first))
    data = {
        "held_on": timezone.localdate().isoformat(),
        "summary": "長男の就労が進まず、支援の組み直しが必要。",
        "decision": Decision.REPLAN,
    }
    for goal in goals:
        data[f"goal-{goal.pk}-progress"] = "unchanged"
    response = client.post(monitor_url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:create", args=[family.case.pk])
    assert family.fresh_case().stage == Stage.PLANNING
    detail = client.get(reverse("plans:detail", args=[first.pk])).content.decode()
    assert "次の版を作成する（再プラン）" in detail
    assert "長男の就労が進まず" in detail and "変化なし" in detail  # the monitoring history

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "再プランの作成" in html
    # Everything of version 1 is there to start from.
    for text in ("家族が安心して暮らせる", "仕事に戻りたい", "週1回外出する", "物忘れ"):
        assert text in html
    assert "介護保険を申請する" in html and "見守り訪問" in html and "月2回" in html
    assert 'name="item-TOTAL_FORMS" value="7"' in html  # two pre-filled rows and five empty
    plan_form = page.context["plan_form"]
    assert plan_form["uses_outreach"].value() is True
    members = {form.person.pk: form for form in page.context["member_forms"]}
    assert members[family.a.pk]["include"].value() is True
    assert members[family.b.pk]["include"].value() is False  # not in version 1

    # 変更点 is required for a re-plan; the input is kept.
    edited = {
        member_field(family.a, "goals"): "週1回外出する\n就労体験に参加する",
        "item__0__content": "",  # the 見守り訪問 row is dropped
        "next_monitoring_on": (timezone.localdate() + datetime.timedelta(days=45)).isoformat(),
    }
    refused = client.post(response["Location"], submitted(page, **edited))
    assert refused.status_code == 200
    assert "changes" in refused.context["plan_form"].errors
    assert "就労体験に参加する" in refused.content.decode()
    assert len(family.plans()) == 1

    made = client.post(
        response["Location"],
        submitted(page, changes="就労体験を目標に加え、見守り訪問を終えた。", **edited),
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    first_again, second = family.plans()
    with tenancy.tenant_context(ward.municipality):
        assert second.version_number == 2
        assert second.previous_id == first.pk
        assert second.changes == "就労体験を目標に加え、見守り訪問を終えた。"
        assert second.overall_goal == "家族が安心して暮らせる"
        goals_a = list(
            PlanGoal.objects.filter(member__plan=second, member__person=family.a).values_list(
                "text", flat=True
            )
        )
        assert goals_a == ["週1回外出する", "就労体験に参加する"]
        assert list(SupportItem.objects.filter(plan=second).values_list("content", flat=True)) == [
            "介護保険の申請支援"
        ]
    assert first_again.status == Status.ACTIVE  # until the new version is confirmed

    client.post(reverse("plans:activate", args=[second.pk]), {"version": second.version})
    first_again, second = family.plans()
    assert first_again.status == Status.SUPERSEDED
    assert second.status == Status.ACTIVE
    assert family.fresh_case().stage == Stage.SUPPORTING
    shown = client.get(reverse("plans:detail", args=[second.pk])).content.decode()
    assert "就労体験を目標に加え" in shown
    assert reverse("plans:detail", args=[first.pk]) in shown  # link to version 1
    assert "再プラン済み" in shown


def test_support_meeting_basis_does_not_reach_the_plan(client, ward) -> None:
    family = Family(ward)
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    meeting = cf.meeting(family.coordinator, ward.coordinating)
    cf.on_agenda(family.coordinator, meeting, family.case)
    cf.attend(family.coordinator, meeting, other, ward.other_center, pledge=True)
    cf.hold(family.coordinator, meeting)
    family.consent()
    cf.to_stage(family.coordinator, family.case, Stage.CONSENTED)
    plan = family.active_plan()

    # The 支援会議's attendee sees the case, not the plan made under consent.
    client.force_login(other)
    assert client.get(reverse("cases:detail", args=[family.case.pk])).status_code == 200
    for name in ("plans:detail", "plans:print", "plans:monitor"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404, name
    assert AuditEvent.objects.filter(
        actor=other, action="deny", object_type="plans.supportplan", object_id=str(plan.pk)
    ).exists()

    # The organization the consent names reads it, on that basis, and cannot change it.
    counselor = ward.member(Role.COUNSELOR)
    client.force_login(counselor)
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "本人同意" in html and "週1回外出する" in html
    assert "確定する" not in html and "モニタリングを記録する" not in html
    assert AuditEvent.objects.filter(
        actor=counselor,
        action="view",
        object_type="plans.supportplan",
        object_id=str(plan.pk),
        basis="consent",
    ).exists()
    assert client.get(reverse("plans:monitor", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans:create", args=[family.case.pk])).status_code == 404
    assert (
        client.post(reverse("plans:activate", args=[plan.pk]), {"version": plan.version})
    ).status_code == 404


def test_monitoring_close_closes_the_case_with_its_reason(client, ward) -> None:
    family = Family(ward).consented()
    plan = family.active_plan()
    client.force_login(family.coordinator)
    url = reverse("plans:monitor", args=[plan.pk])
    with tenancy.tenant_context(ward.municipality):
        goals = list(PlanGoal.objects.filter(member__plan=plan))
    data = {
        "held_on": timezone.localdate().isoformat(),
        "summary": "母は介護保険を利用開始、長男は就労した。",
        "decision": Decision.CLOSE,
        "evaluation": "各機関の支援で生活が安定した。",
    }
    for goal in goals:
        data[f"goal-{goal.pk}-progress"] = "achieved"
        data[f"goal-{goal.pk}-note"] = "達成"

    # Without a closure reason the service refuses; nothing is recorded, the input stays.
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "closure_reason" in refused.context["form"].errors
    assert "各機関の支援で生活が安定した。" in refused.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert not Monitoring.objects.exists()
    assert family.fresh_case().stage == Stage.SUPPORTING

    response = client.post(url, {**data, "closure_reason": ClosureReason.STABLE})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[family.case.pk])
    case = family.fresh_case()
    assert case.stage == Stage.CLOSED
    assert case.closure_reason == ClosureReason.STABLE
    assert case.evaluation == "各機関の支援で生活が安定した。"
    (plan,) = family.plans()
    assert plan.status == Status.ENDED
    with tenancy.tenant_context(ward.municipality):
        monitoring = Monitoring.objects.get()
        assert monitoring.decision == Decision.CLOSE
        assert monitoring.progress.count() == len(goals)


def test_monitoring_continue_needs_the_next_date(client, ward) -> None:
    family = Family(ward).consented()
    plan = family.active_plan()
    client.force_login(family.coordinator)
    url = reverse("plans:monitor", args=[plan.pk])
    with tenancy.tenant_context(ward.municipality):
        goals = list(PlanGoal.objects.filter(member__plan=plan))
    data = {
        "held_on": timezone.localdate().isoformat(),
        "summary": "順調",
        "decision": Decision.CONTINUE,
        **{f"goal-{goal.pk}-progress": "improving" for goal in goals},
    }
    refused = client.post(url, data)
    assert "next_monitoring_on" in refused.context["form"].errors
    next_on = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(url, {**data, "next_monitoring_on": format_wareki(next_on)})
    assert response.status_code == 302
    (plan,) = family.plans()
    assert plan.next_monitoring_on == next_on
    assert family.fresh_case().stage == Stage.SUPPORTING


def test_confirming_a_stale_page_is_refused_with_409(client, ward) -> None:
    family = Family(ward).consented()
    with tenancy.tenant_context(ward.municipality):
        plan = plan_create(
            actor=family.coordinator,
            case=family.fresh_case(),
            plan=SupportPlan(next_monitoring_on=timezone.localdate()),
            members=[MemberPart(family.a, goals=["外出する"])],
        )
    client.force_login(family.coordinator)
    shown_version = plan.version
    # Another staff member changed the plan after the page was shown.
    with tenancy.tenant_context(ward.municipality):
        SupportPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
    response = client.post(reverse("plans:activate", args=[plan.pk]), {"version": shown_version})
    assert response.status_code == 409
    assert "他の職員が更新しました" in response.content.decode()
    (plan,) = family.plans()
    assert plan.status == Status.DRAFT
    assert family.fresh_case().stage == Stage.PLANNING

    # With the current version it goes through.
    response = client.post(reverse("plans:activate", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 302
    (plan,) = family.plans()
    assert plan.status == Status.ACTIVE


def _record_monitoring(family: Family, plan: SupportPlan, summary: str) -> None:
    with tenancy.tenant_context(family.ward.municipality):
        plan = SupportPlan.objects.get(pk=plan.pk)
        monitoring_record(
            actor=family.coordinator,
            plan=plan,
            monitoring=Monitoring(
                summary=summary,
                decision=Decision.CONTINUE,
                next_monitoring_on=timezone.localdate() + datetime.timedelta(days=30),
            ),
            progress=[
                GoalPart(goal=goal, progress="improving")
                for goal in PlanGoal.objects.filter(member__plan=plan)
            ],
        )


def test_detail_page_queries_do_not_grow_with_the_monitorings(client, ward) -> None:
    family = Family(ward).consented()
    plan = family.active_plan()
    client.force_login(family.coordinator)
    url = reverse("plans:detail", args=[plan.pk])
    _record_monitoring(family, plan, "一回目")
    client.get(url)  # the session and the like are loaded once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _record_monitoring(family, plan, "二回目")
    with CaptureQueriesContext(connection) as two:
        page = client.get(url)
    assert "一回目" in page.content.decode() and "二回目" in page.content.decode()
    assert len(two.captured_queries) == len(one.captured_queries) < 45
