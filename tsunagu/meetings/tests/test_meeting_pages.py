"""The meeting pages as a coordinator, an attending organization and an
external guest walk through them: scheduling a sitting with a 支援会議 and a
重層的支援会議, the agenda, pledges before any material is shown, guests with
a one-time password, the consent rules, decisions that become tasks of the
owner organization, the minutes under an optimistic lock, the questionnaire."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.services import consent_withdraw
from tsunagu.core import tenancy
from tsunagu.core.wareki import format_wareki
from tsunagu.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Kind,
    Meeting,
    QuestionnaireAnswer,
    Status,
)
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

BRIEF = "長男は日中も自室にこもり、母の受診に同行できていない。"
PLEDGE_BUTTON = "守秘義務を確認し、誓約します"
OVERDUE = 'badge-overdue">期限超過</span>'


def _client(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _text(response: Any) -> str:
    return str(response.content.decode())


class Sitting:
    """A coordinator of 福祉政策課 hosting, an open case of a household the
    地域包括支援センター北 registered, and a counselor of the 南 centre."""

    def __init__(self, ward: Ward) -> None:
        self.ward = ward
        self.coordinator = ward.member(Role.COORDINATOR)
        self.counselor = ward.member(Role.COUNSELOR)  # 地域包括支援センター北
        self.other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        self.household = rf.household(self.counselor, ward.center)
        self.case = cf.case(self.coordinator, ward.coordinating, self.household)
        self.host = _client(self.coordinator)

    def create(self, kinds: list[str], **extra: str) -> Meeting:
        day = timezone.localdate() + datetime.timedelta(days=7)
        data = {
            "organization": self.ward.coordinating.pk,
            "title": "第1回 北地区 支援会議",
            "held_on": format_wareki(day),
            "starts_at": "14:00",
            "ends_at": "16:00",
            "place": "区役所 第2会議室",
            "kinds": kinds,
            **extra,
        }
        response = self.host.post(reverse("meetings:create"), data)
        assert response.status_code == 302, _text(response)[:3000]
        with tenancy.tenant_context(self.ward.municipality):
            meeting = Meeting.objects.latest("pk")
        assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
        return meeting

    def add_case(self, meeting: Meeting, kind: str = Kind.SUPPORT_MEETING) -> Any:
        return self.host.post(
            reverse("meetings:agenda_add", args=[meeting.pk]),
            {"agenda-kind": kind, "agenda-case": self.case.pk, "agenda-review": "new"},
        )

    def item(self, meeting: Meeting, kind: str = Kind.SUPPORT_MEETING) -> AgendaItem:
        with tenancy.tenant_context(self.ward.municipality):
            return AgendaItem.objects.get(part__meeting=meeting, part__kind=kind)

    def write_brief(self, item: AgendaItem) -> None:
        prefix = f"brief-{item.pk}"
        response = self.host.post(
            reverse("meetings:brief", args=[item.pk]),
            {
                f"{prefix}-brief_household": BRIEF,
                f"{prefix}-brief_current": "包括の訪問を月1回",
                f"{prefix}-brief_organizations": "障害の相談窓口",
                f"{prefix}-brief_requests": "",
            },
        )
        assert response.status_code == 302, _text(response)[:3000]

    def add_attendee(self, meeting: Meeting, staff: Staff, organization: Any) -> Any:
        return self.host.post(
            reverse("meetings:attendee_add", args=[meeting.pk]),
            {"attendee-member": f"{organization.pk}-{staff.pk}"},
        )

    def invite_guest(self, meeting: Meeting) -> tuple[Any, str, str]:
        expiry = timezone.localtime() + datetime.timedelta(hours=6)
        response = self.host.post(
            reverse("meetings:guest_invite", args=[meeting.pk]),
            {
                "guest-organization": self.ward.external.pk,  # type: ignore[union-attr]
                "guest-name": "山田 太郎",
                "guest-expires_on": expiry.date().isoformat(),
                "guest-expires_time": expiry.strftime("%H:%M"),
            },
        )
        assert response.status_code == 200
        secrets = re.findall(r'<code class="secret">([^<]+)</code>', _text(response))
        assert len(secrets) == 2, _text(response)[:3000]
        return response, secrets[0], secrets[1]


def test_create_sitting_with_two_parts_in_order(ward):
    sitting = Sitting(ward)
    form = sitting.host.get(reverse("meetings:create"))
    assert form.status_code == 200
    meeting = sitting.create([Kind.PLAN_MEETING, Kind.SUPPORT_MEETING])
    with tenancy.tenant_context(ward.municipality):
        assert meeting.kinds() == [Kind.SUPPORT_MEETING, Kind.PLAN_MEETING]
    assert meeting.organization == ward.coordinating
    assert meeting.starts_at == datetime.time(14, 0)
    page = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "1. 支援会議 → 2. 重層的支援会議" in page
    assert format_wareki(meeting.held_on) in page
    listing = _text(sitting.host.get(reverse("meetings:list")))
    assert "第1回 北地区 支援会議" in listing
    assert "支援会議、重層的支援会議" in listing


def test_only_the_coordinating_section_opens_a_support_meeting(ward):
    center = _client(ward.member(Role.COUNSELOR))
    response = center.post(
        reverse("meetings:create"),
        {
            "organization": ward.center.pk,
            "title": "ケース検討",
            "held_on": timezone.localdate().isoformat(),
            "kinds": [Kind.SUPPORT_MEETING],
        },
    )
    assert response.status_code == 200
    assert "開催できるのは市区町村の多機関協働事務局（直営）です。" in _text(response)
    with tenancy.tenant_context(ward.municipality):
        assert not Meeting.objects.exists()


def test_create_from_a_case_puts_it_on_the_agenda(ward):
    sitting = Sitting(ward)
    url = reverse("meetings:create") + f"?case={sitting.case.pk}"
    assert sitting.host.get(url).status_code == 200
    meeting = sitting.create([Kind.SUPPORT_MEETING], case=str(sitting.case.pk))
    item = sitting.item(meeting)
    assert item.case == sitting.case
    assert item.review == AgendaItem.Review.NEW
    # Another organization's staff may not schedule from a case they cannot change.
    other = _client(sitting.other)
    assert other.get(url).status_code == 404


def test_attendee_sees_the_brief_only_after_pledging(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING, Kind.PLAN_MEETING])
    response = sitting.add_case(meeting)
    assert response.status_code == 302, _text(response)[:3000]
    item = sitting.item(meeting)
    sitting.write_brief(item)
    assert sitting.add_attendee(meeting, sitting.other, ward.other_center).status_code == 302

    other = _client(sitting.other)
    before = other.get(reverse("meetings:detail", args=[meeting.pk]))
    assert before.status_code == 200
    page = _text(before)
    assert BRIEF not in page
    assert sitting.case.number not in page
    assert PLEDGE_BUTTON in page
    assert "社会福祉法第106条の6" in page
    assert "1年以下の拘禁刑又は100万円以下の罰金" in page
    assert "誓約を記録した後に表示されます" in page
    # The printed minutes hold nothing of the material either.
    # The host's page shows the brief and the pledge still missing.
    host_page = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert BRIEF in host_page
    assert "未誓約" in host_page

    pledged = other.post(reverse("meetings:pledge", args=[meeting.pk]))
    assert pledged.status_code == 302
    after = _text(other.get(reverse("meetings:detail", args=[meeting.pk])))
    assert BRIEF in after
    assert PLEDGE_BUTTON not in after
    assert str(policy.Basis.SUPPORT_MEETING.label) in after
    # The case is now seen under the 支援会議 basis, so its number links to it.
    assert reverse("cases:detail", args=[sitting.case.pk]) in after
    with tenancy.tenant_context(ward.municipality):
        attendee = Attendee.objects.get(meeting=meeting, staff=sitting.other)
        assert attendee.pledge_recorded_by == sitting.other
        shown = AuditEvent.objects.filter(
            actor=sitting.other,
            action="view",
            object_type="meetings.agendaitem",
            object_id=str(item.pk),
        )
        assert [event.basis for event in shown] == [policy.Basis.SUPPORT_MEETING]


def test_host_records_a_paper_pledge(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_attendee(meeting, sitting.other, ward.other_center)
    with tenancy.tenant_context(ward.municipality):
        attendee = Attendee.objects.get(meeting=meeting)
    # Only the host records a pledge on someone's behalf.
    other = _client(sitting.other)
    url = reverse("meetings:pledge_on_behalf", args=[meeting.pk, attendee.pk])
    assert other.post(url).status_code in (403, 404)
    assert sitting.host.post(url).status_code == 302
    attendee.refresh_from_db()
    assert attendee.pledged_at is not None
    assert attendee.pledge_recorded_by == sitting.coordinator
    page = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "書面の誓約を" in page


def test_guest_invitation_login_pledge_and_expiry(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_case(meeting)
    sitting.write_brief(sitting.item(meeting))
    other_meeting = sitting.create([Kind.SUPPORT_MEETING])

    invited, username, password = sitting.invite_guest(meeting)
    page = _text(invited)
    assert "この画面を閉じると再表示できません。ゲストに直接お渡しください。" in page
    assert invited["Cache-Control"] == "no-store"
    # Shown once: the page afterwards has neither the password nor a way to get it.
    again = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert password not in again
    assert "山田 太郎" in again
    with tenancy.tenant_context(ward.municipality):
        guest = Staff.objects.get(username=username)
        assert guest.password != password  # only the hash is stored
        assert not AuditEvent.objects.filter(detail__icontains=password).exists()

    browser = Client()
    login = browser.post("/login/", {"username": username, "password": password})
    assert login.status_code == 302, _text(login)[:2000]
    before = browser.get(reverse("meetings:detail", args=[meeting.pk]))
    assert before.status_code == 200
    assert BRIEF not in _text(before)
    assert PLEDGE_BUTTON in _text(before)
    assert browser.post(reverse("meetings:pledge", args=[meeting.pk])).status_code == 302
    after = _text(browser.get(reverse("meetings:detail", args=[meeting.pk])))
    assert BRIEF in after
    # The guest sees the meeting's material, not the case record nor other meetings.
    assert reverse("cases:detail", args=[sitting.case.pk]) not in after
    assert browser.get(reverse("cases:detail", args=[sitting.case.pk])).status_code == 404
    assert browser.get(reverse("meetings:detail", args=[other_meeting.pk])).status_code == 404
    listing = _text(browser.get(reverse("meetings:list")))
    assert reverse("meetings:detail", args=[meeting.pk]) in listing
    assert reverse("meetings:detail", args=[other_meeting.pk]) not in listing
    # Host actions are refused to a guest.
    assert browser.post(reverse("meetings:hold", args=[meeting.pk])).status_code == 403
    assert browser.get(reverse("meetings:tasks")).status_code == 403

    Staff.all_tenants.filter(pk=guest.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    expired = browser.get(reverse("meetings:detail", args=[meeting.pk]))
    assert expired.status_code == 302
    assert expired["Location"].startswith("/login/")


def test_case_without_consent_is_refused_for_the_plan_meeting(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING, Kind.PLAN_MEETING])
    response = sitting.add_case(meeting, kind=Kind.PLAN_MEETING)
    assert response.status_code == 200
    page = _text(response)
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "本人の同意がなければ開催できません" in alert
    assert sitting.case.number in alert
    with tenancy.tenant_context(ward.municipality):
        assert not AgendaItem.objects.filter(part__meeting=meeting).exists()


def test_holding_a_plan_meeting_without_consent_is_refused(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.PLAN_MEETING])
    consent = cf.consent(sitting.coordinator, sitting.case, organizations=[ward.other_center])
    assert sitting.add_case(meeting, kind=Kind.PLAN_MEETING).status_code == 302
    sitting.add_attendee(meeting, sitting.other, ward.other_center)
    with tenancy.tenant_context(ward.municipality):
        consent_withdraw(actor=sitting.coordinator, consent=consent, note="本人から電話で撤回")

    page = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "重層的支援会議への本人同意（有効なもの）がありません" in page  # warned before

    refused = sitting.host.post(reverse("meetings:hold", args=[meeting.pk]))
    assert refused.status_code == 200
    summary = _text(refused).split('id="hold-errors"', 1)[1].split("</div>", 1)[0]
    assert "重層的支援会議は、本人の同意がなければ開催できません。" in summary
    assert f"{sitting.case.number} には重層的支援会議への本人同意" in summary
    meeting.refresh_from_db()
    assert meeting.status == Status.SCHEDULED


def test_support_meeting_is_held_once_everyone_pledged(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_case(meeting)
    sitting.add_attendee(meeting, sitting.other, ward.other_center)
    refused = _text(sitting.host.post(reverse("meetings:hold", args=[meeting.pk])))
    assert "出席者全員の守秘義務の誓約が必要です" in refused
    _client(sitting.other).post(reverse("meetings:pledge", args=[meeting.pk]))
    assert sitting.host.post(reverse("meetings:hold", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Status.HELD


def _decide(sitting: Sitting, item: AgendaItem, rows: list[tuple[Any, str, str]]) -> Any:
    prefix = f"decide-{item.pk}"
    data = {
        f"{prefix}-policy": "母の介護サービス導入を優先し、長男とは関係づくりから",
        f"{prefix}-roles": "包括: 介護保険の申請支援 / 南: 長男への訪問",
        f"{prefix}-lead_organization": sitting.ward.center.pk,
    }
    for row, (owner, content, due) in enumerate(rows, start=1):
        data[f"{prefix}-action_{row}_owner"] = owner.pk
        data[f"{prefix}-action_{row}_content"] = content
        data[f"{prefix}-action_{row}_due_on"] = due
    return sitting.host.post(reverse("meetings:decisions", args=[item.pk]), data)


def test_decisions_become_tasks_of_the_owner_organization(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_case(meeting)
    item = sitting.item(meeting)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    in_a_month = format_wareki(timezone.localdate() + datetime.timedelta(days=30))
    response = _decide(
        sitting,
        item,
        [
            (ward.other_center, "長男への訪問を始める", yesterday),
            (ward.center, "介護保険の申請を支援する", in_a_month),
        ],
    )
    assert response.status_code == 302, _text(response)[:3000]
    with tenancy.tenant_context(ward.municipality):
        assert ActionItem.objects.filter(agenda_item=item).count() == 2
    host_page = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "母の介護サービス導入を優先し" in host_page

    south = _client(sitting.other)
    tasks = _text(south.get(reverse("meetings:tasks")))
    assert "長男への訪問を始める" in tasks
    assert "介護保険の申請を支援する" not in tasks
    assert OVERDUE in tasks  # in words, not only colour
    assert sitting.case.number in tasks
    north = _text(_client(sitting.counselor).get(reverse("meetings:tasks")))
    assert "介護保険の申請を支援する" in north
    assert "長男への訪問を始める" not in north
    assert OVERDUE not in north

    with tenancy.tenant_context(ward.municipality):
        visit = ActionItem.objects.get(content="長男への訪問を始める")
    # Another organization may not close it.
    refused = _client(sitting.counselor).post(
        reverse("meetings:task_done", args=[visit.pk]), {"result": "x"}
    )
    assert refused.status_code == 404
    done = south.post(reverse("meetings:task_done", args=[visit.pk]), {"result": "初回訪問済み"})
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.done_at is not None and visit.done_by == sitting.other
    assert visit.result == "初回訪問済み"
    tasks = _text(south.get(reverse("meetings:tasks")))
    assert OVERDUE not in tasks
    assert "初回訪問済み" in tasks


def test_incomplete_task_row_keeps_the_input(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_case(meeting)
    item = sitting.item(meeting)
    prefix = f"decide-{item.pk}"
    response = sitting.host.post(
        reverse("meetings:decisions", args=[item.pk]),
        {
            f"{prefix}-policy": "見守りを続ける",
            f"{prefix}-action_1_content": "民生委員と訪問する",
        },
    )
    assert response.status_code == 200
    page = _text(response)
    assert "タスクの担当機関を選んでください。" in page
    assert "タスクの期限を入力してください。" in page
    assert "民生委員と訪問する" in page
    with tenancy.tenant_context(ward.municipality):
        assert not ActionItem.objects.exists()


def test_minutes_conflict_answers_409_and_keeps_the_input(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    version = meeting.version
    url = reverse("meetings:minutes", args=[meeting.pk])
    first = sitting.host.post(
        url, {"minutes-minutes": "開会。ケースの共有。", "minutes-version": version}
    )
    assert first.status_code == 302
    stale = sitting.host.post(
        url, {"minutes-minutes": "別の職員が書いた議事録", "minutes-version": version}
    )
    assert stale.status_code == 409
    page = _text(stale)
    assert "他の職員が更新しました" in page
    assert "別の職員が書いた議事録" in page  # the input is kept
    assert "開会。ケースの共有。" in page  # beside the saved minutes
    meeting.refresh_from_db()
    assert meeting.minutes == "開会。ケースの共有。"


def test_questionnaire_is_answered_once(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    sitting.add_attendee(meeting, sitting.other, ward.other_center)
    other = _client(sitting.other)
    other.post(reverse("meetings:pledge", args=[meeting.pk]))
    url = reverse("meetings:questionnaire", args=[meeting.pk])
    answer = {
        "questionnaire-usefulness": 4,
        "questionnaire-roles_clear": "on",
        "questionnaire-comment": "役割がはっきりした",
    }
    # Not before the meeting is held.
    other.post(url, answer)
    with tenancy.tenant_context(ward.municipality):
        assert not QuestionnaireAnswer.objects.exists()
    assert sitting.host.post(reverse("meetings:hold", args=[meeting.pk])).status_code == 302

    page = _text(other.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "会議後アンケート" in page
    assert other.post(url, answer).status_code == 302
    second = other.post(url, {**answer, "questionnaire-usefulness": 1}, follow=True)
    assert "このアンケートにはすでに回答しています。" in _text(second)
    with tenancy.tenant_context(ward.municipality):
        answers = list(QuestionnaireAnswer.objects.all())
    assert [(a.usefulness, a.roles_clear) for a in answers] == [(4, True)]
    assert "会議後アンケート" not in _text(other.get(reverse("meetings:detail", args=[meeting.pk])))
    summary = _text(sitting.host.get(reverse("meetings:detail", args=[meeting.pk])))
    assert "役割がはっきりした" in summary
    assert "とても役に立った" in summary


def test_cancel_needs_a_reason(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    url = reverse("meetings:cancel", args=[meeting.pk])
    assert sitting.host.post(url, {"cancel-reason": ""}).status_code == 200
    assert sitting.host.post(url, {"cancel-reason": "台風のため"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Status.CANCELLED
    assert "台風のため" in meeting.minutes


def test_meeting_list_upcoming_then_past_and_filters(ward):
    coordinator = ward.member(Role.COORDINATOR)
    today = timezone.localdate()
    cf.meeting(coordinator, ward.coordinating, title="来月の推進部会", kinds=[Kind.PROMOTION],
               held_on=today + datetime.timedelta(days=30))  # fmt: skip
    cf.meeting(coordinator, ward.coordinating, title="来週の支援会議",
               held_on=today + datetime.timedelta(days=7))  # fmt: skip
    cf.meeting(coordinator, ward.coordinating, title="先月の連絡会", kinds=[Kind.LIAISON],
               held_on=today - datetime.timedelta(days=30))  # fmt: skip
    host = _client(coordinator)
    page = _text(host.get(reverse("meetings:list")))
    assert page.index("来週の支援会議") < page.index("来月の推進部会") < page.index("先月の連絡会")
    upcoming = _text(host.get(reverse("meetings:list") + "?when=upcoming"))
    assert "先月の連絡会" not in upcoming and "来週の支援会議" in upcoming
    past = _text(host.get(reverse("meetings:list") + "?when=past"))
    assert "先月の連絡会" in past and "来週の支援会議" not in past
    # Another organization that neither hosts nor attends sees none of them.
    other = _text(_client(ward.member(Role.COUNSELOR)).get(reverse("meetings:list")))
    assert "来週の支援会議" not in other
    assert AuditEvent.objects.filter(
        actor=coordinator, action="list", object_type="meetings.meeting"
    ).exists()


def test_minutes_opened_before_a_cancellation_do_not_overwrite_it(ward):
    sitting = Sitting(ward)
    meeting = sitting.create([Kind.SUPPORT_MEETING])
    shown_version = meeting.version
    sitting.host.post(reverse("meetings:cancel", args=[meeting.pk]), {"cancel-reason": "台風"})
    stale = sitting.host.post(
        reverse("meetings:minutes", args=[meeting.pk]),
        {"minutes-minutes": "開会前のメモ", "minutes-version": shown_version},
    )
    assert stale.status_code == 409
