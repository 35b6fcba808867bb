"""支援経過記録 as a counsellor uses it: writing an entry without JavaScript,
errors tied to their fields, the household's and the case's lists, the
家族年表 and the case page, the printed 支援経過記録シート, and the 延べ
counts by 種別 and month with their Excel file — each page audited."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_of, format_wareki
from tsunagu.progress.models import Kind, ProgressNote
from tsunagu.progress.printing import progress_sheet_html
from tsunagu.progress.services import progress_note_record, progress_note_update
from tsunagu.reports import rollups
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.test_statement_budgets import HOUSEHOLD, as_staff, flat_within

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(ward: Any) -> Any:
    counselor = ward.member(Role.COUNSELOR)
    head = rf.person(
        counselor,
        ward.center,
        family_name="架空",
        given_name="花子",
        family_name_kana="かくう",
        given_name_kana="はなこ",
        sex="female",
        birth_date=datetime.date(1950, 4, 2),
        address="デモ区富坂一丁目1-1",
    )
    son = rf.person(counselor, ward.center, family_name="架空", given_name="一郎")
    household = rf.household(counselor, ward.center, head=head, members=[(son, "child")])
    return counselor, household, head, son


def _at(days_ago: int, hours: int = 1) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago, hours=hours)


def _write(ward: Any, actor: Any, household: Any, **fields: Any) -> ProgressNote:
    values: dict[str, Any] = {
        "occurred_at": _at(1),
        "kind": Kind.PHONE,
        "content": "電話で近況を聞いた。",
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return progress_note_record(
            actor=actor, organization=ward.center, household=household, **values
        )


def test_an_entry_is_written_without_javascript_with_a_partner(
    client: Client, ward: Any, setting: Any
) -> None:
    counselor, household, _head, son = setting
    partner = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "progress-partner")
    client.force_login(counselor)
    url = reverse("progress:create", args=[household.pk])
    page = client.get(url).content.decode()
    # The 種別 are a group of radio buttons with a legend; every field has its label.
    assert "<legend>種別" in page
    for label in ("面談", "電話", "訪問", "同行", "メール/LINE", "関係機関との連絡", "ケース協議"):
        assert label in page
    assert 'for="id_content"' in page and 'for="id_next_on"' in page
    with tenancy.tenant_context(ward.municipality):
        membership = partner.memberships.get()
    moment = timezone.localtime(_at(0))
    response = client.post(
        url,
        {
            "occurred_on": moment.date().isoformat(),
            "occurred_time": moment.strftime("%H:%M"),
            "kind": "accompany",
            "person": son.pk,
            "participants": [membership.pk],
            "other_participants": "本人",
            "content": "ハローワークへ同行した。",
            "next_step": "応募書類を一緒に書く",
            "next_on": (moment.date() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("progress:household", args=[household.pk])
    with tenancy.tenant_context(ward.municipality):
        note = ProgressNote.objects.get()
        assert note.organization_id == ward.center.pk
        assert note.person_id == son.pk
        assert set(note.participants.values_list("staff_id", "organization_id")) == {
            (counselor.pk, ward.center.pk),
            (partner.pk, ward.other_center.pk),
        }
        created = AuditEvent.objects.get(action="create", object_type="progress.progressnote")
        assert created.object_id == str(note.pk)
    listing = client.get(reverse("progress:household", args=[household.pk])).content.decode()
    assert "ハローワークへ同行した。" in listing
    assert "progress-partner" in listing or partner.full_name in listing


def test_a_missing_content_is_refused_with_its_own_message(
    client: Client, ward: Any, setting: Any
) -> None:
    counselor, household, _head, _son = setting
    client.force_login(counselor)
    moment = timezone.localtime(_at(0))
    response = client.post(
        reverse("progress:create", args=[household.pk]),
        {
            "occurred_on": moment.date().isoformat(),
            "occurred_time": moment.strftime("%H:%M"),
            "kind": "phone",
            "content": "",
            "next_step": "来週電話",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_content_errors"' in page
    assert 'value="来週電話"' in page  # what was typed is kept
    with tenancy.tenant_context(ward.municipality):
        assert not ProgressNote.objects.exists()


def test_a_future_entry_is_refused_on_the_date_field(
    client: Client, ward: Any, setting: Any
) -> None:
    counselor, household, _head, _son = setting
    client.force_login(counselor)
    later = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        reverse("progress:create", args=[household.pk]),
        {
            "occurred_on": later.date().isoformat(),
            "occurred_time": "10:00",
            "kind": "visit",
            "content": "訪問",
        },
    )
    assert response.status_code == 422
    assert 'id="id_occurred_on_errors"' in response.content.decode()


def test_the_household_timeline_has_one_entry_per_note(
    client: Client, ward: Any, setting: Any
) -> None:
    counselor, household, _head, son = setting
    first = _write(ward, counselor, household, kind=Kind.INTERVIEW, content="面談の記録")
    _write(ward, counselor, household, kind=Kind.VISIT, content="訪問の記録", person=son)
    client.force_login(counselor)
    response = client.get(reverse("people:household_detail", args=[household.pk]))
    events = [e for e in response.context["view"].timeline if e.kind == "progress"]
    assert [e.title for e in events] == ["支援経過（面談）", "支援経過（訪問）：架空　一郎 さん"]
    assert events[0].url.endswith(f"#note-{first.pk}")
    with tenancy.tenant_context(ward.municipality):
        view = AuditEvent.objects.filter(action="list", object_type="people.household").last()
        written = sorted(
            ProgressNote.objects.filter(household=household).values_list("pk", flat=True)
        )
    assert view is not None
    assert sorted(view.detail["shown"]["progress_note"]) == written


def test_the_case_page_and_the_case_list_show_the_case_notes(ward: Any, setting: Any) -> None:
    counselor, household, _head, _son = setting
    coordinator = ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, ward.coordinating, household)
    cf.consent(coordinator, case, organizations=[ward.coordinating])
    with tenancy.tenant_context(ward.municipality):
        note = progress_note_record(
            actor=coordinator,
            organization=ward.coordinating,
            household=household,
            case=case,
            occurred_at=_at(2),
            kind=Kind.CASE_CONFERENCE,
            content="ケース協議で役割分担を確認した。",
        )
    _write(ward, counselor, household, content="ケースの外の記録")
    client = as_staff(coordinator)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert [n.pk for n in page.context["progress_notes"]] == [note.pk]
    assert "ケース協議で役割分担を確認した。" in page.content.decode()
    listing = client.get(reverse("progress:case", args=[case.pk])).content.decode()
    assert "ケース協議で役割分担を確認した。" in listing
    assert "ケースの外の記録" not in listing


def test_the_sheet_prints_the_identity_and_the_rows(ward: Any, setting: Any) -> None:
    counselor, household, head, _son = setting
    _write(
        ward,
        counselor,
        household,
        occurred_at=_at(3),
        kind=Kind.LIAISON,
        other_participants="学校の担任",
        content="学校と連絡を取った。",
        next_step="来週の面談",
        next_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    client = as_staff(counselor)
    response = client.get(reverse("progress:print", args=[household.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with tenancy.tenant_context(ward.municipality):
        printed = AuditEvent.objects.get(action="print", object_type="progress.progressnote")
        notes = list(ProgressNote.objects.filter(household=household))
        html = progress_sheet_html(household, notes, viewer=counselor, basis="own_organization")
    assert printed.detail["shown"] == [n.pk for n in notes]
    for text in (
        "支援経過記録シート",
        f"P{head.pk:07d}",
        "架空　花子",
        "かくう　はなこ",
        "女性",
        format_wareki(datetime.date(1950, 4, 2)),
        "デモ区富坂一丁目1-1",
        "関係機関との連絡",
        "学校の担任",
        "学校と連絡を取った。",
        "来週の面談",
        "日付・時間",
        "対応者（機関）",
    ):
        assert text in html, text


def test_contacts_are_counted_by_kind_and_month(ward: Any, setting: Any) -> None:
    """延べ: every entry counts, by its 種別 and its month, recounted when one changes."""
    counselor, household, _head, _son = setting
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    day = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    notes = [
        _write(ward, counselor, household, kind=kind, occurred_at=day)
        for kind in (Kind.PHONE, Kind.PHONE, Kind.VISIT)
    ]
    _write(ward, counselor, household, kind=Kind.PHONE)  # this month: another row
    with tenancy.tenant_context(ward.municipality):
        progress_note_update(
            actor=counselor, note=notes[0], version=notes[0].version, kind=Kind.INTERVIEW
        )
        assert rollups.differences(ward.municipality.pk) == []
    client = as_staff(ward.member(Role.MANAGER))
    query = {"fiscal_year": fiscal_year_of(last_month)}
    page = client.get(reverse("progress:counts"), query)
    assert page.status_code == 200
    table = page.context["table"]
    [row] = [r for r in table.rows if r.month == last_month.replace(day=1)]
    kinds = [value for value, _label in table.kinds]
    assert {kinds[i]: n for i, n in enumerate(row.counts) if n} == {
        "interview": 1,
        "phone": 1,
        "visit": 1,
    }
    excel = client.get(reverse("progress:counts_excel"), query)
    assert excel.status_code == 200
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[2]]
    assert header[1:3] == ["面談", "電話"]
    assert sheet.cell(row=sheet.max_row, column=len(header)).value == table.total
    with tenancy.tenant_context(ward.municipality):
        assert AuditEvent.objects.filter(object_type="progress.counts").count() == 2


def test_the_household_list_does_not_grow_with_its_notes(ward: Any, setting: Any) -> None:
    counselor, household, _head, _son = setting
    partner = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "budget-partner")
    _write(ward, counselor, household)
    client = as_staff(counselor)

    def grow() -> None:
        for days in range(2, 14):
            _write(
                ward,
                counselor,
                household,
                occurred_at=_at(days),
                participants=[(partner, ward.other_center)],
            )

    flat_within(
        HOUSEHOLD, lambda: client.get(reverse("progress:household", args=[household.pk])), grow
    )


def test_the_household_page_with_notes_stays_flat(ward: Any, setting: Any) -> None:
    """The 家族年表's section costs 3 statements where a household has notes
    (the notes, their bases, their participants' organizations), none where
    it has none (its presence is a column of the one query that asks which
    kinds the household has), and does not grow with them."""
    counselor, household, _head, _son = setting
    _write(ward, counselor, household)
    client = as_staff(counselor)
    url = reverse("people:household_detail", args=[household.pk])

    def grow() -> None:
        for days in range(2, 14):
            _write(ward, counselor, household, occurred_at=_at(days))

    flat_within(HOUSEHOLD + 3, lambda: client.get(url), grow)
