"""A client generated from the OpenAPI document walks the seed-003 household.

Seed 003 (Toshima's plan) follows one household: A (52, the head), B (18, A's
child) and C (81, A's parent). This test generates a typed Python client from
the live document with openapi-python-client, then walks that household through
the flow of a 多機関協働 case using only the generated functions and models,
against Django in process. A document that does not match what the server
takes or returns fails here.
"""

from __future__ import annotations

import datetime
import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

PACKAGE = "tsunagu_generated_client"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the document, importable."""
    from tsunagu.api.root import api

    root = tmp_path_factory.mktemp("generated_client")
    document = root / "openapi.json"
    document.write_text(
        json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder, ensure_ascii=False),
        encoding="utf-8",
    )
    config = root / "config.yml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    script = Path(sys.executable).with_name("openapi-python-client")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "openapi_python_client"]
    # The generator found next to this interpreter, run on a document written here.
    result = subprocess.run(  # noqa: S603
        [
            *command,
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # It names every schema or operation it could not read as a warning or error.
    assert not re.search(r"warning|error|unable|could not|cannot", output, re.IGNORECASE), output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Generated:
    """The generated package's operations and models by short name."""

    def __init__(self, package: ModuleType) -> None:
        self.package = package
        self.models = importlib.import_module(f"{PACKAGE}.models")

    def op(self, tag: str, app: str, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.api.{tag}.tsunagu_{app}_api_{name}")

    def client(self, staff: Staff) -> Any:
        with tenancy.tenant_context(staff.municipality):
            _token, raw = api_token_create(actor=staff, name="生成クライアント")
        client_module = importlib.import_module(f"{PACKAGE}.client")
        client = client_module.AuthenticatedClient(base_url="http://testserver", token=raw)
        return client.set_httpx_client(
            httpx.Client(
                base_url="http://testserver",
                transport=httpx.WSGITransport(app=get_wsgi_application()),
                headers={"Authorization": f"Bearer {raw}"},
            )
        )


def call(operation: ModuleType, expected: int, **arguments: Any) -> Any:
    """Call ``operation`` and return its parsed answer, which must have ``expected`` status."""
    response = operation.sync_detailed(**arguments)
    said = response.content.decode()
    if said.startswith("{"):
        said = json.dumps(json.loads(said), ensure_ascii=False)
    assert response.status_code == expected, said
    assert response.parsed is not None, said
    return response.parsed


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """The WSGI handler closes the database connection at the end of each
    request (close_old_connections); inside a test's transaction it must not,
    as Django's own test client arranges for its requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept")
def test_a_generated_client_walks_the_seed_003_household(generated: ModuleType, ward: Ward) -> None:
    g = Generated(generated)
    m = g.models
    today = datetime.date.today()
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    # A second organization's counselor, who attends, pledges and is shared with.
    partner = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "partner-counselor")
    # An organization the person's consent names, which attends no meeting.
    reader = make.staff_at(ward, ward.department, Role.COUNSELOR, "consent-reader")
    centre = g.client(counselor)
    section = g.client(coordinator)
    other = g.client(partner)
    named = g.client(reader)

    # a. A (52) consults the centre.
    a = call(
        g.op("本人世帯", "people", "person_create"),
        201,
        client=centre,
        body=m.PersonIn(
            family_name="豊島",
            given_name="Ａ",
            family_name_kana="としま",
            given_name_kana="えー",
            sex=m.Sex.UNKNOWN,
            birth_date=datetime.date(today.year - 52, 4, 1),
        ),
    )
    consultation = call(
        g.op("相談受付", "consultations", "consultation_create"),
        201,
        client=centre,
        body=m.ConsultationIn(
            channel=m.Channel.WINDOW,
            consulter=m.Consulter.SELF,
            subject_ids=[a.id],
            main_topic=m.Topic.CARE,
            topics=[m.Topic.WITHDRAWAL, m.Topic.INCOME],
            summary="母Ｃの介護と、子Ｂのひきこもり、自身の離職で生活が苦しい。",
            consent_to_share=m.ConsentToShare.OBTAINED,
            outcome=m.Outcome.ESCALATE,
        ),
    )
    assert consultation.id

    # b. The household: head A, child B (18), parent C (81).
    household = call(
        g.op("本人世帯", "people", "household_create"),
        201,
        client=centre,
        body=m.HouseholdIn(head_person_id=a.id, address="テスト区北町1-2-3"),
    )
    add_member = g.op("本人世帯", "people", "household_member_add")
    b = call(
        add_member,
        201,
        household_id=household.id,
        client=centre,
        body=m.HouseholdMemberIn(
            relationship=m.Relationship.CHILD,
            person=m.PersonIn(
                family_name="豊島", given_name="Ｂ", birth_date=datetime.date(today.year - 18, 4, 1)
            ),
        ),
    )
    c = call(
        add_member,
        201,
        household_id=household.id,
        client=centre,
        body=m.HouseholdMemberIn(
            relationship=m.Relationship.PARENT,
            person=m.PersonIn(
                family_name="豊島", given_name="Ｃ", birth_date=datetime.date(today.year - 81, 4, 1)
            ),
        ),
    )
    detail = call(
        g.op("本人世帯", "people", "household_detail"),
        200,
        household_id=household.id,
        client=centre,
    )
    members = {row.person_id: row.relationship for row in detail.members}
    b_id, c_id = b.person_id, c.person_id
    assert (b.relationship_label, c.relationship_label) == ("子", "父母")
    assert members == {a.id: "head", b_id: "child", c_id: "parent"}

    # c. A つなぐシート to the coordinating section, accepted; the case opened from it.
    referral = call(
        g.op("つなぐシート", "referrals", "referral_create"),
        201,
        client=centre,
        body=m.ReferralIn(
            to_organization_id=ward.coordinating.pk,
            household_id=household.id,
            person_ids=[a.id, b_id, c_id],
            consultation_id=consultation.id,
            request="複合的な課題のため、多機関協働での支援をお願いします。",
            shared_summary="介護・ひきこもり・生活困窮の複合課題。",
            shared_items=[m.SharedItem.IDENTITY, m.SharedItem.HOUSEHOLD, m.SharedItem.CONSULTATION],
            sharing_basis=m.SharingBasis.CONSENT,
            due_on=today + datetime.timedelta(days=14),
        ),
    )
    assert referral.status == "requested"
    accepted = call(
        g.op("つなぐシート", "referrals", "referral_transition"),
        200,
        referral_id=referral.id,
        client=section,
        body=m.ReferralTransitionIn(to_status=m.Status.ACCEPTED, version=referral.version),
    )
    assert accepted.status == "accepted"
    case = call(
        g.op("多機関協働ケース", "cases", "case_create"),
        201,
        client=section,
        body=m.CaseIn(title="豊島さん世帯（介護・ひきこもり・生活困窮）", referral_id=referral.id),
    )
    assert case.household_id == household.id
    seen = call(
        g.op("つなぐシート", "referrals", "referral_detail"),
        200,
        referral_id=referral.id,
        client=centre,
    )
    assert (seen.status, seen.status_label) == ("in-progress", "対応中")

    # d. A 支援会議: the partner attends and pledges; the case is on the agenda.
    meeting_create = g.op("会議", "meetings", "meeting_create")
    meeting = call(
        meeting_create,
        201,
        client=section,
        body=m.MeetingIn(
            title="支援会議（豊島さん世帯）", held_on=today, kinds=[m.MeetingKind.SUPPORT_MEETING]
        ),
    )
    attendee = call(
        g.op("会議", "meetings", "meeting_attendee_add"),
        201,
        meeting_id=meeting.id,
        client=section,
        body=m.MeetingAttendeeIn(organization_id=ward.other_center.pk, staff_id=partner.pk),
    )
    item = call(
        g.op("会議", "meetings", "agenda_item_create"),
        201,
        meeting_id=meeting.id,
        client=section,
        body=m.AgendaItemIn(kind=m.MeetingKind.SUPPORT_MEETING, case_id=case.id),
    )
    assert item.case_id == case.id
    pledge = g.op("会議", "meetings", "attendee_pledge")
    pledged = call(pledge, 200, meeting_id=meeting.id, attendee_id=attendee.id, client=other)
    assert pledged.pledged_at is not None
    present = call(
        g.op("会議", "meetings", "meeting_detail"), 200, meeting_id=meeting.id, client=section
    )
    for row in present.attendees:
        if row.pledged_at is None:
            call(pledge, 200, meeting_id=meeting.id, attendee_id=row.id, client=section)
    held = call(
        g.op("会議", "meetings", "meeting_hold"), 200, meeting_id=meeting.id, client=section
    )
    assert held.status == "held"

    # e. A 重層的支援会議 is refused without the person's consent.
    plan_meeting = call(
        meeting_create,
        201,
        client=section,
        body=m.MeetingIn(
            title="重層的支援会議（豊島さん世帯）",
            held_on=today,
            kinds=[m.MeetingKind.PLAN_MEETING],
        ),
    )
    refused = call(
        g.op("会議", "meetings", "agenda_item_create"),
        422,
        meeting_id=plan_meeting.id,
        client=section,
        body=m.AgendaItemIn(kind=m.MeetingKind.PLAN_MEETING, case_id=case.id),
    )
    reasons = [message for messages in refused.errors.to_dict().values() for message in messages]
    assert reasons and all(JAPANESE.search(reason) for reason in reasons), reasons
    assert any("同意" in reason for reason in reasons), reasons

    # f. Consent of A for all three members, shared with the partner and a department.
    case_detail = g.op("多機関協働ケース", "cases", "case_detail")
    assert case_detail.sync_detailed(case_id=case.id, client=named).status_code == 404
    consent = call(
        g.op("多機関協働ケース", "cases", "consent_create"),
        201,
        case_id=case.id,
        client=section,
        body=m.ConsentIn(
            grantor_id=a.id,
            member_ids=[a.id, b_id, c_id],
            organization_ids=[ward.other_center.pk, ward.department.pk],
            purposes=[
                m.ConsentPurpose.INFORMATION_SHARING,
                m.ConsentPurpose.PLAN_MEETING,
                m.ConsentPurpose.PLAN_MAKING,
            ],
            method=m.ConsentMethod.WRITTEN,
        ),
    )
    assert consent.status == "active"
    assert {member.id for member in consent.members} == {a.id, b_id, c_id}
    shared = call(case_detail, 200, case_id=case.id, client=named)
    assert (shared.basis, shared.basis_label, shared.consent_in_force) == (
        "consent",
        "本人同意",
        True,
    )
    reviewed = call(case_detail, 200, case_id=case.id, client=section)
    assert reviewed.stage == "meeting_review"
    consented = call(
        g.op("多機関協働ケース", "cases", "case_transition"),
        200,
        case_id=case.id,
        client=section,
        body=m.CaseTransitionIn(to_stage=m.CaseStage.CONSENTED, version=reviewed.version),
    )
    assert (consented.stage, consented.stage_label) == ("consented", "同意取得")
    # With the consent, the case may go before the 重層的支援会議.
    on_plan_meeting = call(
        g.op("会議", "meetings", "agenda_item_create"),
        201,
        meeting_id=plan_meeting.id,
        client=section,
        body=m.AgendaItemIn(kind=m.MeetingKind.PLAN_MEETING, case_id=case.id),
    )
    assert on_plan_meeting.kind == "plan_meeting"

    # g. A plan with a goal per member, confirmed.
    plan_create = g.op("支援プラン", "plans", "plan_create")
    plan = call(
        plan_create,
        201,
        client=section,
        body=m.SupportPlanIn(
            case_id=case.id,
            next_monitoring_on=today + datetime.timedelta(days=90),
            overall_goal="世帯がそれぞれ安心して暮らせる",
            members=[
                m.PlanMemberIn(person_id=a.id, goals=["再就職する"]),
                m.PlanMemberIn(person_id=b_id, goals=["週に一度外出する"]),
                m.PlanMemberIn(person_id=c_id, goals=["介護サービスを使う"]),
            ],
        ),
    )
    assert (plan.version_number, plan.status) == (1, "draft")
    active = call(
        g.op("支援プラン", "plans", "plan_activate"),
        200,
        plan_id=plan.id,
        client=section,
        body=m.SupportPlanActivateIn(version=plan.version),
    )
    assert active.status == "active"
    goals = [goal for member in active.members for goal in member.goals]
    assert len(goals) == 3

    # h. A monitoring that re-plans, then the next version.
    monitoring = call(
        g.op("支援プラン", "plans", "plan_monitoring_create"),
        201,
        plan_id=active.id,
        client=section,
        body=m.PlanMonitoringIn(
            version=active.version,
            held_on=today,
            summary="Ｃの入院で状況が変わった。",
            decision=m.Decision.REPLAN,
            progress=[
                m.GoalProgressIn(goal_id=goal.id, progress=m.Progress.UNCHANGED) for goal in goals
            ],
        ),
    )
    assert monitoring.decision == "replan"
    second = call(
        plan_create,
        201,
        client=section,
        body=m.SupportPlanIn(
            case_id=case.id,
            next_monitoring_on=today + datetime.timedelta(days=60),
            changes="Ｃの退院後の在宅介護を加えた。",
            members=[
                m.PlanMemberIn(person_id=a.id, goals=["再就職する"]),
                m.PlanMemberIn(person_id=b_id, goals=["居場所に通う"]),
                m.PlanMemberIn(person_id=c_id, goals=["在宅で介護サービスを使う"]),
            ],
        ),
    )
    assert (second.version_number, second.previous_id) == (2, active.id)

    # i. The consent withdrawn: the department that saw the case under it no longer does.
    withdrawn = call(
        g.op("多機関協働ケース", "cases", "consent_withdraw"),
        200,
        consent_id=consent.id,
        client=section,
        body=m.ConsentWithdrawIn(note="本人から電話で撤回の申し出"),
    )
    assert withdrawn.status == "withdrawn"
    gone = case_detail.sync_detailed(case_id=case.id, client=named)
    assert gone.status_code == 404
    # Without the consent, holding the 重層的支援会議 is refused, in Japanese.
    not_held = call(
        g.op("会議", "meetings", "meeting_hold"), 422, meeting_id=plan_meeting.id, client=section
    )
    assert "重層的支援会議は、本人の同意がなければ開催できません。" in not_held.detail
    # The partner still sees it, on the 支援会議 it attended, not on the consent.
    kept = call(case_detail, 200, case_id=case.id, client=other)
    assert (kept.basis, kept.basis_label) == ("support_meeting", "支援会議（法106条の6）")
