"""The rules an activity record and a counted entry keep, whoever writes them
(the quick entry, the grid, the API): the kind belongs to the category,
直接/間接 is chosen for 個人支援 and only for it, a household is one the staff
member works with, only the recording organization corrects or archives, a
count is one per organization, item and month — and every write is audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Kind, Mode
from tsunagu.activities.services import (
    activity_record_archive,
    activity_record_create,
    activity_record_update,
    counted_entries_save,
    counted_entry_archive,
    counted_entry_save,
)
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
RECORD_TYPE, ENTRY_TYPE = "activities.activityrecord", "activities.countedentry"


def events(object_type: str, pk: int, **filters: Any) -> Any:
    return AuditEvent.objects.filter(
        object_type=object_type, object_id=str(pk), **filters
    ).order_by("id")


def record(ward: Ward, actor: Staff | None = None, **fields: Any) -> ActivityRecord:
    actor = actor or ward.member(Role.COUNSELOR)
    values: dict[str, Any] = {
        "organization": ward.center,
        "occurred_on": TODAY(),
        "district": ward.districts[0],
        "category": Category.INDIVIDUAL,
        "kind": Kind.INDIVIDUAL_SUPPORT,
        "mode": Mode.DIRECT,
        "intent": "通院の同行を調整する",
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return activity_record_create(actor=actor, **values)


def refusal(ward: Ward, **fields: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        record(ward, **fields)
    return refused.value.message_dict


def test_a_record_is_saved_for_the_organization_with_its_audit_event(ward: Ward) -> None:
    saved = record(ward, direction="incoming", note="民生委員から電話")
    with tenancy.tenant_context(ward.municipality):
        fresh = ActivityRecord.objects.get(pk=saved.pk)
        event = events(RECORD_TYPE, saved.pk, action="create").get()
    assert fresh.organization == ward.center and fresh.staff == ward.member(Role.COUNSELOR)
    assert fresh.label == "個別支援（直接支援）" and fresh.direction == "incoming"
    assert event.object_type == "activities.activityrecord"
    assert event.organization_id == ward.center.pk
    assert event.detail == {
        "category": "individual",
        "kind": "individual_support",
        "mode": "direct",
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        # 立上支援 is community work, not individual support.
        ({"kind": Kind.LAUNCH}, "kind", "「立上支援」は「個人支援（地域福祉コーディネーター）」"),
        # 企画立案 is the 生活支援コーディネーター's, not the community table's.
        (
            {"category": Category.COMMUNITY, "kind": Kind.PLANNING, "mode": ""},
            "kind",
            "「企画立案」は「地域支援（地域福祉コーディネーター）」の活動の種類ではありません",
        ),
        ({"mode": ""}, "mode", "個人支援は直接支援か間接支援かを選んでください"),
        (
            {"category": Category.COMMUNITY, "kind": Kind.OPERATION, "mode": Mode.INDIRECT},
            "mode",
            "直接支援・間接支援は個人支援のときだけ選びます",
        ),
        ({"intent": "  "}, "intent", "働きかけの意図を入力してください"),
        ({"occurred_on": "future"}, "occurred_on", "未来の日付は記録できません"),
        ({"category": "salon", "mode": ""}, "category", "区分を選んでください"),
    ],
    ids=[
        "kind-of-another-category",
        "kind-of-life-support",
        "no-mode",
        "mode-outside-individual",
        "no-intent",
        "future",
        "unknown-category",
    ],
)
def test_what_the_report_has_no_row_for_is_refused_in_japanese(
    ward: Ward, fields: dict[str, Any], field: str, message: str
) -> None:
    if fields.get("occurred_on") == "future":
        fields = {"occurred_on": TODAY() + datetime.timedelta(days=2)}
    errors = refusal(ward, **fields)
    assert message in errors[field][0]
    with tenancy.tenant_context(ward.municipality):
        assert not ActivityRecord.objects.exists()
        assert not AuditEvent.objects.filter(action="create", object_type=RECORD_TYPE).exists()


def test_every_option_of_every_category_is_accepted(ward: Ward) -> None:
    from tsunagu.activities.selectors import activity_groups

    options = [option for _label, group in activity_groups() for option in group]
    # 個人支援 3 kinds × 2 modes, 地域支援 4, 生活支援コーディネーター 4, 新規相談 2.
    assert len(options) == 16
    for option in options:
        record(ward, category=option.category, kind=option.kind, mode=option.mode)
    with tenancy.tenant_context(ward.municipality):
        assert ActivityRecord.objects.count() == 16


def test_a_household_must_be_one_the_staff_member_works_with(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    own = rf.household(counselor, ward.center)
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    foreign = rf.household(south, ward.other_center)
    assert record(ward, household=own).household == own
    errors = refusal(ward, household=foreign)
    assert errors["household"] == ["この世帯について記録する権限がありません。"]


def test_an_organization_the_actor_does_not_work_for_is_refused(ward: Ward) -> None:
    with pytest.raises(ValidationError, match="所属する機関の記録"):
        record(ward, organization=ward.other_center)
    # A manager does no casework: nothing is recorded in their section's name.
    with pytest.raises(ValidationError, match="所属する機関の記録"):
        record(ward, actor=ward.member(Role.MANAGER), organization=ward.coordinating)


def test_a_correction_keeps_the_rules_and_names_the_changed_fields(ward: Ward) -> None:
    saved = record(ward)
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError) as refused:
            activity_record_update(actor=counselor, record=saved, category=Category.COMMUNITY)
        # 個別支援 is no community kind, and community work has no 直接/間接.
        assert set(refused.value.message_dict) == {"kind", "mode"}
        saved = ActivityRecord.objects.get(pk=saved.pk)
        activity_record_update(
            actor=counselor,
            record=saved,
            category=Category.COMMUNITY,
            kind=Kind.OPERATION,
            mode="",
            intent="サロンの担い手の負担を減らす",
        )
        fresh = ActivityRecord.objects.get(pk=saved.pk)
        event = events(RECORD_TYPE, saved.pk, action="change").get()
    assert (fresh.category, fresh.kind, fresh.mode) == ("community", "operation", "")
    assert sorted(event.detail["fields"]) == ["category", "intent", "kind", "mode"]


def test_a_correction_keeps_a_household_the_staff_member_no_longer_sees(ward: Ward) -> None:
    """Keeping the link needs no new basis; making one does."""
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    saved = record(ward, household=household)
    colleague = rf.staff_at(ward, ward.center, Role.COUNSELOR, "colleague")
    with tenancy.tenant_context(ward.municipality):
        updated = activity_record_update(actor=colleague, record=saved, note="追記")
    assert updated.household == household and updated.note == "追記"


def test_only_the_recording_organization_corrects_or_archives(ward: Ward) -> None:
    saved = record(ward)
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError, match="所属する機関"):
            activity_record_update(actor=south, record=saved, note="書き換え")
        with pytest.raises(ValidationError, match="所属する機関"):
            activity_record_archive(actor=south, record=saved, reason="誤り")
        assert ActivityRecord.objects.get(pk=saved.pk).archived_at is None


def test_archiving_needs_a_reason_and_is_audited_once(ward: Ward) -> None:
    saved = record(ward)
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError) as refused:
            activity_record_archive(actor=counselor, record=saved, reason=" ")
        assert refused.value.message_dict == {"reason": ["アーカイブの理由を入力してください。"]}
        archived = activity_record_archive(actor=counselor, record=saved, reason="二重に入力した")
        assert archived.archive_reason == "二重に入力した" and archived.is_archived
        with pytest.raises(ValidationError, match="すでにアーカイブ"):
            activity_record_archive(actor=counselor, record=saved, reason="もう一度")
        with pytest.raises(ValidationError, match="アーカイブした記録は修正できません"):
            activity_record_update(actor=counselor, record=archived, note="x")
        archives = events(RECORD_TYPE, saved.pk, action="archive")
        assert [event.detail for event in archives] == [{"reason": "二重に入力した"}]


# --- Counted entries ------------------------------------------------------------------


def save(ward: Ward, count: int, month: datetime.date, **fields: Any) -> CountedEntry:
    values: dict[str, Any] = {"organization": ward.center, "item": "親子ひろば利用者数"}
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return counted_entry_save(
            actor=ward.member(Role.COUNSELOR), month=month, count=count, **values
        )


def last_month() -> datetime.date:
    return TODAY().replace(day=1) - datetime.timedelta(days=1)


def test_a_month_s_count_is_kept_once_on_its_first_day_and_replaced(ward: Ward) -> None:
    day = last_month()  # the month's last day: kept as its first
    first = save(ward, 1290, day)
    second = save(ward, 1312, day.replace(day=10), item="  親子ひろば利用者数 ")
    assert second.pk == first.pk
    with tenancy.tenant_context(ward.municipality):
        entry = CountedEntry.objects.get()
        written = list(events(ENTRY_TYPE, entry.pk))
    assert entry.month == day.replace(day=1) and entry.count == 1312
    assert [(e.action, e.detail["old"], e.detail["new"]) for e in written] == [
        ("create", None, 1290),
        ("change", 1290, 1312),
    ]
    # The same number again changes nothing and records nothing.
    save(ward, 1312, day)
    with tenancy.tenant_context(ward.municipality):
        assert events(ENTRY_TYPE, entry.pk).count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"count": -1}, "count", "0以上の数を入力してください。"),
        ({"item": "   "}, "item", "項目名を入力してください。"),
        ({"item": "あ" * 81}, "item", "項目名は80文字以内で入力してください。"),
        ({"month": "next"}, "month", "来月以降の件数は入力できません。"),
    ],
)
def test_a_count_that_cannot_be_is_refused(
    ward: Ward, fields: dict[str, Any], field: str, message: str
) -> None:
    month = last_month()
    if fields.get("month") == "next":
        fields["month"] = (TODAY().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    values = {"count": 10, "month": month, **fields}
    with pytest.raises(ValidationError) as refused:
        save(ward, **values)
    assert refused.value.message_dict[field] == [message]


def test_archived_counts_come_back_when_entered_again(ward: Ward) -> None:
    entry = save(ward, 800, last_month())
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        counted_entry_archive(actor=counselor, entry=entry, reason="別の項目だった")
    again = save(ward, 820, last_month())
    assert again.pk == entry.pk and again.archived_at is None and again.count == 820
    with tenancy.tenant_context(ward.municipality):
        event = events(ENTRY_TYPE, entry.pk).last()
    assert event is not None
    assert event.detail == {
        "item": "親子ひろば利用者数",
        "month": last_month().replace(day=1).isoformat(),
        "old": None,
        "new": 820,
        "restored": True,
    }


def test_another_organization_s_count_is_not_entered(ward: Ward) -> None:
    with pytest.raises(ValidationError, match="所属する機関"):
        save(ward, 5, last_month(), organization=ward.other_center)


def test_a_grid_is_saved_all_or_nothing(ward: Ward) -> None:
    month = last_month().replace(day=1)
    before = (month - datetime.timedelta(days=1)).replace(day=1)
    save(ward, 100, before)
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError):
            counted_entries_save(
                actor=counselor,
                organization=ward.center,
                cells=[("親子ひろば利用者数", month, 120), ("", month, 3)],
            )
        # The first cell was rolled back with the second.
        assert not CountedEntry.objects.filter(month=month).exists()
        changed = counted_entries_save(
            actor=counselor,
            organization=ward.center,
            cells=[("親子ひろば利用者数", month, 120), ("親子ひろば利用者数", before, None)],
        )
        assert changed == 2
        assert CountedEntry.objects.get(month=month).count == 120
        cleared = CountedEntry.objects.get(month=before)
        assert cleared.archived_at is not None
        assert cleared.archive_reason == "件数入力の表で空欄にした"
