"""The printed 議事録: what it holds for the host and for an attendee before and
after the pledge, the print on the audit trail, and a real PDF with Japanese glyphs."""

from __future__ import annotations

import datetime
import re
import zlib
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.meetings.models import AgendaItem, Attendee, Kind, Meeting
from tsunagu.meetings.printing import minutes_html
from tsunagu.meetings.services import (
    NewAction,
    brief_save,
    decisions_record,
    minutes_save,
    pledge_record,
)
from tsunagu.meetings.views import material_for
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
PRINTED_AT = datetime.datetime(2025, 6, 2, 17, 30, tzinfo=TOKYO)
POLICY = "母の介護サービス導入を優先し、長男とは関係づくりから始める"
TASK = "長男への訪問を始める"
MINUTES = "開会。北地区のケースについて共有し、役割分担を確認した。"


class Printed:
    """A held-to-be 支援会議 of 福祉政策課 with one case decided, minutes written,
    a pledged observer of the 南 centre and an unpledged attendee of 総務課."""

    def __init__(self, ward) -> None:
        self.ward = ward
        self.coordinator = ward.member(Role.COORDINATOR)
        counselor = ward.member(Role.COUNSELOR)
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        self.clerk = rf.staff_at(ward, ward.department, Role.COUNSELOR, "soumu")
        household = rf.household(counselor, ward.center)
        self.case = cf.case(self.coordinator, ward.coordinating, household)
        self.meeting = cf.meeting(
            self.coordinator,
            ward.coordinating,
            kinds=[Kind.SUPPORT_MEETING],
            title="第2回 支援会議",
            held_on=datetime.date(2025, 6, 2),
        )
        self.item = cf.on_agenda(self.coordinator, self.meeting, self.case)
        observer = cf.attend(self.coordinator, self.meeting, self.south, ward.other_center)
        cf.attend(self.coordinator, self.meeting, self.clerk, ward.department, pledge=False)
        with tenancy.tenant_context(ward.municipality):
            Attendee.objects.filter(pk=observer.pk).update(is_observer=True)
            brief_save(
                actor=self.coordinator, item=self.item, fields={"brief_current": "包括が訪問中"}
            )
            decisions_record(
                actor=self.coordinator,
                item=self.item,
                policy_text=POLICY,
                roles="包括: 介護保険 / 南: 長男",
                lead_organization=ward.center,
                actions=[
                    NewAction(
                        owner_organization=ward.other_center,
                        content=TASK,
                        due_on=datetime.date(2025, 6, 30),
                    )
                ],
            )
            meeting = Meeting.objects.get(pk=self.meeting.pk)
            self.meeting = minutes_save(
                actor=self.coordinator, meeting=meeting, minutes=MINUTES, version=meeting.version
            )

    def html(self, viewer) -> str:
        with tenancy.tenant_context(self.ward.municipality):
            meeting = Meeting.objects.get(pk=self.meeting.pk)
            material = material_for(viewer, meeting)
            basis = policy.decide(viewer, policy.Action.PRINT, "meeting", meeting).basis
            return minutes_html(
                meeting, material=material, viewer=viewer, basis=basis, printed_at=PRINTED_AT
            )


def test_host_prints_header_attendees_decisions_tasks_and_minutes(ward):
    printed = Printed(ward)
    html = printed.html(printed.coordinator)
    assert "議事録" in html
    assert "第2回 支援会議" in html and printed.meeting.number in html
    assert "令和7年6月2日" in html
    assert "福祉政策課" in html
    # Attendees with their pledge; the observer marked.
    south_row = html.split(printed.south.full_name, 1)[1].split("</tr>", 1)[0]
    assert "オブザーバー" in south_row and "誓約済み" in south_row
    clerk_row = html.split(printed.clerk.full_name, 1)[1].split("</tr>", 1)[0]
    assert "未誓約" in clerk_row and "オブザーバー" not in clerk_row
    # The case: review kind, decisions, tasks; then the minutes.
    assert "新規" in html and printed.case.number in html
    assert POLICY in html
    assert "包括: 介護保険 / 南: 長男" in html
    assert "地域包括支援センター北" in html  # 主担当機関
    assert TASK in html and "令和7年6月30日" in html
    assert MINUTES in html
    footer = html.split('class="sheet-footer"', 1)[1].split("</div>", 1)[0]
    assert "令和7年6月2日 17:30" in footer
    assert printed.coordinator.full_name in footer
    assert str(policy.Basis.COORDINATOR.label) in footer


def test_unpledged_attendee_prints_no_material(ward):
    printed = Printed(ward)
    html = printed.html(printed.clerk)
    assert printed.clerk.full_name in html  # the sitting itself
    for secret in (POLICY, TASK, MINUTES, printed.case.number):
        assert secret not in html
    assert "印刷していません" in html
    with tenancy.tenant_context(ward.municipality):
        attendee = Attendee.objects.get(meeting=printed.meeting, staff=printed.clerk)
        pledge_record(actor=printed.clerk, attendee=attendee)
    after = printed.html(printed.clerk)
    assert POLICY in after and MINUTES in after
    assert str(policy.Basis.SUPPORT_MEETING.label) in after


def test_item_without_a_basis_is_left_out(ward):
    """An attending organization's access ends when the case closes; the host's stays."""
    printed = Printed(ward)
    other_case = cf.case(
        printed.coordinator,
        ward.coordinating,
        rf.household(printed.coordinator, ward.coordinating),
        title="別の世帯",
    )
    with tenancy.tenant_context(ward.municipality):
        extra = cf.on_agenda(printed.coordinator, printed.meeting, other_case)
        AgendaItem.objects.filter(pk=extra.pk).update(
            policy="別の世帯の方針", decided_at=timezone.now()
        )
        from tsunagu.cases.models import Case, Stage

        Case.objects.filter(pk=other_case.pk).update(stage=Stage.CLOSED)
    html = printed.html(printed.south)
    assert POLICY in html
    assert "別の世帯の方針" not in html
    assert "閲覧の根拠がないケース 1 件は印刷していません" in html
    assert "別の世帯の方針" in printed.html(printed.coordinator)


def test_viewer_of_another_municipality_is_refused(ward, other_ward):
    printed = Printed(ward)
    stranger = other_ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        meeting = Meeting.objects.get(pk=printed.meeting.pk)
        material = material_for(printed.coordinator, meeting)
    with pytest.raises(PermissionDenied):
        minutes_html(meeting, material=material, viewer=stranger, basis="")


def _pdf_text_parts(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated (font names may sit in compressed object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start : start + 2_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_print_view_serves_a_pdf_with_japanese_font_and_records_the_print(ward):
    printed = Printed(ward)
    client = Client()
    client.force_login(printed.coordinator)
    started = timezone.now()
    response = client.get(reverse("meetings:print", args=[printed.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert printed.meeting.number in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    content = _pdf_text_parts(pdf)
    # A subset (ABCDEF+…) of Noto Sans CJK, embedded: the Japanese text has its glyphs.
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK", content), (
        "Noto Sans CJK not embedded"
    )
    assert b"/FontFile" in content
    events = AuditEvent.objects.filter(actor=printed.coordinator, occurred_at__gte=started)
    assert events.filter(
        action="print", object_type="meetings.meeting", object_id=str(printed.meeting.pk)
    ).exists()
    assert events.filter(
        action="print", object_type="meetings.agendaitem", object_id=str(printed.item.pk)
    ).exists()


def test_print_is_refused_to_staff_who_neither_host_nor_attend(ward):
    printed = Printed(ward)
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    assert client.get(reverse("meetings:print", args=[printed.meeting.pk])).status_code == 404
