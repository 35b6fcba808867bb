"""The online inbox as staff use it: the list (crisis first, then the longest
waiting), one thread with its emergency guidance, and each action on it —
reply, hand over, turn into a 相談受付, close and reopen — with the audit
trail, version conflicts and the borders between windows and municipalities."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.consultations.models import Channel as ConsultationChannel
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import (
    EventKind,
    FrontDoorSettings,
    Message,
    Status,
    Thread,
    ThreadEvent,
    TriageRule,
)
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

GUIDANCE = "警察110・救急119へ。自殺をほのめかす場合は係長に報告し、折り返しの連絡先を確認する。"


def _thread(
    ward: Ward,
    body: str,
    *,
    organization: Organization | None = None,
    hours_ago: float = 1,
    channel: str = "web",
    language: str = "ja",
) -> Thread:
    with tenancy.tenant_context(ward.municipality):
        thread = services.open_thread(channel=channel, language=language, topic="income")
        thread.organization = organization
        thread.save(update_fields=["organization"])
        message = services.receive(thread, body)
        Message.objects.filter(pk=message.pk).update(
            sent_at=timezone.now() - datetime.timedelta(hours=hours_ago)
        )
        return Thread.objects.get(pk=thread.pk)


def _client(staff: Any) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _events(ward: Ward, **filters: Any) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return list(AuditEvent.objects.filter(**filters))


def test_the_list_puts_crisis_first_then_the_longest_waiting(ward: Ward) -> None:
    recent = _thread(ward, "家賃が払えません", hours_ago=1)
    oldest = _thread(ward, "仕事が見つかりません", hours_ago=5)
    crisis = _thread(ward, "もう死にたい", hours_ago=0.2, language="ja")
    answered = _thread(ward, "ありがとうございました", hours_ago=30)
    with tenancy.tenant_context(ward.municipality):
        services.reply(
            answered, "ご連絡ありがとうございます。", staff=ward.member(Role.COORDINATOR),
            organization=ward.coordinating,
        )  # fmt: skip
        closed = _thread(ward, "解決しました", hours_ago=40)
        Thread.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    response = _client(ward.member(Role.COORDINATOR)).get("/threads/")
    assert response.status_code == 200
    page = response.content.decode()
    order = [page.index(t.number) for t in (crisis, oldest, recent, answered)]
    assert order == sorted(order)
    assert closed.number not in page  # 終了 is its own box
    assert "危機の言葉" in page  # a word, not a colour only
    assert "5時間待ち" in page and "12分待ち" in page
    # Minimal fields only: no resident's words on the list.
    assert "仕事が見つかりません" not in page
    (listed,) = _events(ward, action=AuditAction.LIST, object_type="frontdoor.thread")
    assert set(listed.detail["shown"]) == {crisis.pk, oldest.pk, recent.pk, answered.pk}
    closed_box = _client(ward.member(Role.COORDINATOR)).get("/threads/?box=closed")
    assert closed.number in closed_box.content.decode()


def test_a_window_lists_its_own_threads_and_the_unassigned_box_is_the_coordinators(
    ward: Ward,
) -> None:
    mine = _thread(ward, "相談です", organization=ward.center)
    unassigned = _thread(ward, "どこに相談すれば", organization=None)
    theirs = _thread(ward, "相談です", organization=ward.other_center)
    page = _client(ward.member(Role.COUNSELOR)).get("/threads/?box=mine").content.decode()
    assert mine.number in page
    assert unassigned.number not in page and theirs.number not in page
    coordinator = _client(ward.member(Role.COORDINATOR))
    page = coordinator.get("/threads/?box=unassigned").content.decode()
    assert unassigned.number in page and mine.number not in page


def test_the_thread_page_is_audited_and_shows_the_emergency_guidance(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        FrontDoorSettings.objects.create(emergency_guidance=GUIDANCE)
    thread = _thread(ward, "Tôi muốn chết", language="vi", organization=ward.center)
    response = _client(ward.member(Role.COUNSELOR)).get(f"/threads/{thread.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert GUIDANCE in page
    assert "Tiếng Việt" in page and "Tôi muốn chết" in page
    (viewed,) = _events(ward, action=AuditAction.VIEW, object_type="frontdoor.thread")
    assert viewed.object_id == str(thread.pk)
    assert viewed.basis == "own_organization"
    # Without the crisis word there is no guidance.
    calm = _thread(ward, "Xin chào", language="vi", organization=ward.center)
    assert (
        GUIDANCE
        not in _client(ward.member(Role.COUNSELOR)).get(f"/threads/{calm.pk}/").content.decode()
    )


def test_reply_measures_the_first_response_and_refuses_a_stale_version(ward: Ward) -> None:
    thread = _thread(ward, "Tôi cần giúp đỡ", language="vi", organization=ward.center)
    client = _client(ward.member(Role.COUNSELOR))
    response = client.post(
        f"/threads/{thread.pk}/reply/",
        {"version": thread.version, "body": "ご相談ありがとうございます。"},
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        thread.refresh_from_db()
        assert thread.first_response_at is not None
        reply = Message.objects.get(thread=thread, direction="out")
        assert reply.organization == ward.center
        assert ThreadEvent.objects.filter(thread=thread, kind=EventKind.REPLIED).exists()
    assert "最初の返信までの時間" in client.get(f"/threads/{thread.pk}/").content.decode()
    stale = client.post(
        f"/threads/{thread.pk}/reply/", {"version": thread.version - 1, "body": "二通目の返信です"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "他の職員が更新しました" in page
    assert "二通目の返信です" in page  # what was typed is kept
    with tenancy.tenant_context(ward.municipality):
        assert Message.objects.filter(thread=thread, direction="out").count() == 1


def test_handing_over_removes_the_old_windows_access(ward: Ward) -> None:
    thread = _thread(ward, "相談です", organization=ward.center)
    counselor = _client(ward.member(Role.COUNSELOR))
    response = counselor.post(
        f"/threads/{thread.pk}/hand-over/",
        {"version": thread.version, "organization": ward.other_center.pk, "note": "南の担当地域"},
    )
    assert response.status_code == 302 and response["Location"] == "/threads/"
    assert counselor.get(f"/threads/{thread.pk}/").status_code == 404
    assert thread.number not in counselor.get("/threads/").content.decode()
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    assert _client(south).get(f"/threads/{thread.pk}/").status_code == 200
    with tenancy.tenant_context(ward.municipality):
        event = ThreadEvent.objects.get(thread=thread, kind=EventKind.HANDED_OVER)
        assert event.detail["from"] == ward.center.pk and event.detail["to"] == ward.other_center.pk
    (changed,) = _events(ward, action=AuditAction.CHANGE, object_type="frontdoor.thread")
    assert changed.detail["handed_over"] == {"from": ward.center.pk, "to": ward.other_center.pk}


def test_a_thread_becomes_a_consultation_about_an_unknown_subject(ward: Ward) -> None:
    thread = _thread(ward, "Tôi mất việc và không trả được tiền nhà.", language="vi")
    client = _client(ward.member(Role.COORDINATOR))
    form = client.get(f"/threads/{thread.pk}/convert/")
    assert "Tôi mất việc" in form.content.decode()  # the content prefilled from the messages
    response = client.post(
        f"/threads/{thread.pk}/convert/",
        {
            "version": thread.version,
            "subject_mode": "unknown",
            "consulter": "self",
            "main_topic": "income",
            "topics": ["income", "rent_loan"],
            "summary": "失業し家賃が払えない（ベトナム語での相談）",
            "urgency": "normal",
            "consent_to_share": "not_obtained",
            "outcome": "continue_here",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenancy.tenant_context(ward.municipality):
        thread.refresh_from_db()
        consultation = Consultation.objects.get()
        assert thread.status == Status.CONVERTED and thread.consultation == consultation
        assert consultation.channel == ConsultationChannel.WEB_FORM
        assert consultation.organization == ward.coordinating
        assert consultation.household_id is None and thread.number in consultation.unknown_subject
        assert ThreadEvent.objects.filter(thread=thread, kind=EventKind.CONVERTED).exists()
    page = client.get(f"/threads/{thread.pk}/").content.decode()
    assert f"/consultations/{consultation.pk}/" in page
    # The consultation is linked to the household later, on its own page.
    link = client.get(f"/consultations/{consultation.pk}/")
    assert f"/consultations/{consultation.pk}/link/" in link.content.decode()


def test_a_thread_becomes_a_consultation_about_a_known_person(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = rf.person(counselor, ward.center, family_name="架空", family_name_kana="かくう")
    household = rf.household(counselor, ward.center, head=person)
    thread = _thread(ward, "母のことで相談です", organization=ward.center, channel="mail")
    client = _client(counselor)
    found = client.get(f"/threads/{thread.pk}/convert/", {"q": "かくう"}).content.decode()
    assert "架空" in found
    response = client.post(
        f"/threads/{thread.pk}/convert/",
        {
            "version": thread.version,
            "subject_mode": "known",
            "person": person.pk,
            "consulter": "family",
            "main_topic": "care",
            "summary": "母の介護について",
            "urgency": "normal",
            "consent_to_share": "not_obtained",
            "outcome": "continue_here",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenancy.tenant_context(ward.municipality):
        consultation = Consultation.objects.get()
        assert consultation.channel == ConsultationChannel.EMAIL
        assert consultation.household_id == household.pk
        assert list(consultation.subjects.all()) == [person]


def test_a_person_out_of_reach_cannot_be_chosen(ward: Ward) -> None:
    other = rf.person(ward.member(Role.COUNSELOR), ward.other_center, family_name="他所")
    thread = _thread(ward, "相談です", organization=ward.center)
    response = _client(ward.member(Role.COUNSELOR)).post(
        f"/threads/{thread.pk}/convert/",
        {
            "version": thread.version,
            "subject_mode": "known",
            "person": other.pk,
            "consulter": "self",
            "main_topic": "other",
            "summary": "相談",
            "urgency": "normal",
            "consent_to_share": "not_obtained",
            "outcome": "continue_here",
        },
    )
    assert response.status_code == 422
    with tenancy.tenant_context(ward.municipality):
        assert not Consultation.objects.exists()


def test_close_with_a_reason_and_reopen(ward: Ward) -> None:
    thread = _thread(ward, "相談です", organization=ward.center)
    client = _client(ward.member(Role.COUNSELOR))
    refused = client.post(f"/threads/{thread.pk}/close/", {"version": thread.version, "reason": ""})
    assert refused.status_code == 422
    assert "終了する理由" in refused.content.decode()
    assert (
        client.post(
            f"/threads/{thread.pk}/close/", {"version": thread.version, "reason": "情報提供で解決"}
        ).status_code
        == 302
    )
    with tenancy.tenant_context(ward.municipality):
        thread.refresh_from_db()
        assert thread.status == Status.CLOSED and thread.closed_at is not None
    assert (
        client.post(f"/threads/{thread.pk}/reopen/", {"version": thread.version}).status_code == 302
    )
    with tenancy.tenant_context(ward.municipality):
        thread.refresh_from_db()
        assert thread.status == Status.OPEN and thread.closed_at is None
        kinds = list(ThreadEvent.objects.filter(thread=thread).values_list("kind", flat=True))
        assert kinds[-2:] == [EventKind.CLOSED, EventKind.REOPENED]


def test_other_municipalities_and_roles_without_casework_get_nothing(
    ward: Ward, other_ward: Ward
) -> None:
    thread = _thread(ward, "相談です", organization=None)
    outsider = _client(other_ward.member(Role.COORDINATOR))
    assert outsider.get(f"/threads/{thread.pk}/").status_code == 404
    assert thread.number not in outsider.get("/threads/").content.decode()
    for role in (Role.MANAGER, Role.SYSADMIN, Role.AUDITOR, Role.GUEST):
        client = _client(ward.member(role))
        assert client.get("/threads/").status_code == 403
        assert client.get(f"/threads/{thread.pk}/").status_code == 404


def test_the_coordinating_section_keeps_the_triage_rules_and_guidance(ward: Ward) -> None:
    client = _client(ward.member(Role.COORDINATOR))
    assert client.get("/threads/triage/").status_code == 200
    refused = client.post("/threads/triage/rules/new/", {"organization": ward.center.pk})
    assert refused.status_code == 422
    assert "少なくとも1つ" in refused.content.decode()
    added = client.post(
        "/threads/triage/rules/new/", {"organization": ward.center.pk, "language": "vi"}
    )
    assert added.status_code == 302
    saved = client.post(
        "/threads/triage/",
        {"accepting": "on", "public_host": "localhost", "emergency_guidance": GUIDANCE},
    )
    assert saved.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        rule = TriageRule.objects.get()
        assert FrontDoorSettings.objects.get().emergency_guidance == GUIDANCE
        # A new Vietnamese thread now goes to the window of the rule.
        assert services.open_thread(channel="web", language="vi").organization == ward.center
        assert AuditEvent.objects.filter(object_type="frontdoor.triagerule").count() == 1
        assert AuditEvent.objects.filter(object_type="frontdoor.frontdoorsettings").count() == 1
    assert client.post(f"/threads/triage/rules/{rule.pk}/remove/").status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert not TriageRule.objects.exists()
    assert _client(ward.member(Role.COUNSELOR)).get("/threads/triage/").status_code == 403


def test_the_menu_counts_the_open_threads_of_the_acting_window(ward: Ward) -> None:
    from tsunagu.workqueue.selectors import counts

    _thread(ward, "相談です", organization=ward.center)
    _thread(ward, "相談です", organization=ward.center)
    _thread(ward, "どこに相談すれば", organization=None)
    closed = _thread(ward, "相談です", organization=ward.center)
    with tenancy.tenant_context(ward.municipality):
        Thread.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert counts(ward.member(Role.COUNSELOR), ward.center.pk).threads_open == 2
    coordinator = ward.member(Role.COORDINATOR)
    assert counts(coordinator, ward.coordinating.pk).threads_open == 1  # the unassigned one
    assert counts(coordinator, ward.coordinating.pk).total == 0  # not in the notices' total
    page = _client(ward.member(Role.COUNSELOR)).get("/threads/").content.decode()
    assert "2件の対応待ち" in page
