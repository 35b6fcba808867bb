"""活動記録 as a coordinator uses it: the quick entry (one screen, the day and
district carried to the next entry), bad input refused in Japanese with
nothing lost, the month's list with the report's totals, corrections and
archiving by the recording organization only, and the 件数入力 grid."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Kind, Mode
from tsunagu.activities.services import activity_record_create, counted_entry_save
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_of, format_wareki
from tsunagu.reports.metrics import Period, figure
from tsunagu.reports.models import Metric
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def make(ward: Ward, actor: Staff | None = None, **fields: Any) -> ActivityRecord:
    values: dict[str, Any] = {
        "organization": ward.center,
        "occurred_on": timezone.localdate(),
        "district": ward.districts[0],
        "category": Category.COMMUNITY,
        "kind": Kind.OPERATION,
        "intent": "サロンの担い手の負担を減らす",
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return activity_record_create(actor=actor or ward.member(Role.COUNSELOR), **values)


def entry_data(ward: Ward, **fields: Any) -> dict[str, Any]:
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "district": ward.districts[1].pk,
        "activity": "individual:individual_support:indirect",
        "direction": "incoming",
        "intent": "家族の介護負担を聞き取る",
        "note": "民生委員から電話で相談",
    }
    data.update(fields)
    return data


def test_the_quick_entry_offers_only_the_report_s_combinations(ward: Ward) -> None:
    page = as_staff(ward.member(Role.COUNSELOR)).get(reverse("activities:create"))
    assert page.status_code == 200
    body = page.content.decode()
    # Today in 和暦, the center's district already chosen, 発信 by default.
    assert format_wareki(timezone.localdate()) in body
    assert page.context["form"]["district"].value() == ward.districts[0].pk
    values = re.findall(r'name="activity" value="([^"]+)"', body)
    assert len(values) == 16
    assert "individual:relationship:direct" in values and "community:launch" in values
    assert not any(v.startswith("community:") and v.count(":") == 2 for v in values)
    for legend in (
        "個人支援（地域福祉コーディネーター）",
        "生活支援コーディネーター活動",
        "新規相談",
    ):
        assert f"<legend>{legend}</legend>" in body
    assert "個別支援（間接支援）" in body and "保存して続けて入力" in body


def test_save_and_continue_keeps_the_day_and_district(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    client = as_staff(counselor)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("activities:create"),
        entry_data(ward, occurred_on=format_wareki(yesterday), **{"continue": "1"}),
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('activities:create')}?on={yesterday.isoformat()}&district={ward.districts[1].pk}"
    )
    with tenancy.tenant_context(ward.municipality):
        saved = ActivityRecord.objects.get()
        assert AuditEvent.objects.filter(
            action="create", object_type="activities.activityrecord", object_id=str(saved.pk)
        ).exists()
    assert (saved.category, saved.kind, saved.mode) == (
        "individual",
        "individual_support",
        "indirect",
    )
    assert saved.direction == "incoming" and saved.occurred_on == yesterday
    assert saved.organization == ward.center and saved.staff == counselor
    following = client.get(response["Location"])
    form = following.context["form"]
    assert form["occurred_on"].value() == format_wareki(yesterday)
    assert form["district"].value() == ward.districts[1].pk
    assert form["activity"].value() is None  # what the next act was is chosen anew
    body = following.content.decode()
    assert "活動記録を保存しました" in body
    # The intent just written is offered again.
    assert '<option value="家族の介護負担を聞き取る">' in body


def test_saving_goes_to_the_month_of_the_record(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.post(reverse("activities:create"), entry_data(ward))
    month = timezone.localdate().strftime("%Y-%m")
    assert response["Location"] == f"{reverse('activities:list')}?month={month}"


def test_bad_input_is_refused_in_japanese_and_kept(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("activities:create"),
        entry_data(ward, activity="", intent="", occurred_on=tomorrow.isoformat()),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "活動の区分と種類を選んでください。" in body
    assert "働きかけの意図を入力してください。" in body
    assert 'aria-invalid="true"' in body
    # What was typed stays.
    assert "民生委員から電話で相談" in body
    assert response.context["form"]["district"].value() == str(ward.districts[1].pk)
    # A choice no report row has cannot be sent either.
    response = client.post(
        reverse("activities:create"), entry_data(ward, activity="community:launch:direct")
    )
    assert response.status_code == 200 and response.context["form"].errors["activity"]
    # The service's refusal (a future day) lands at its field.
    response = client.post(
        reverse("activities:create"), entry_data(ward, occurred_on=tomorrow.isoformat())
    )
    assert response.context["form"].errors["occurred_on"] == ["未来の日付は記録できません。"]
    with tenancy.tenant_context(ward.municipality):
        assert not ActivityRecord.objects.exists()


def test_a_record_about_a_household_the_staff_member_works_with(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    client = as_staff(counselor)
    url = f"{reverse('activities:create')}?household={household.pk}"
    assert client.get(url).status_code == 200
    assert client.post(url, entry_data(ward)).status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert ActivityRecord.objects.get().household == household
    # A household of another organization, or of another municipality, is not found.
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    foreign = rf.household(south, ward.other_center)
    assert client.get(f"{reverse('activities:create')}?household={foreign.pk}").status_code == 404
    assert (
        client.post(
            f"{reverse('activities:create')}?household={foreign.pk}", entry_data(ward)
        ).status_code
        == 404
    )
    assert client.get(f"{reverse('activities:create')}?household=x").status_code == 404


@dataclass
class Spec:
    """A report row (reports.metrics counts one the same way)."""

    option: str
    organization_id: int | None = None
    district_id: int | None = None
    metric: str = Metric.ACTIVITIES
    include_branches: bool = False


def test_the_list_counts_what_the_report_counts(ward: Ward) -> None:
    _north, south = ward.districts
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = first - datetime.timedelta(days=1)
    for fields in (
        {},
        {"kind": Kind.LAUNCH},
        {"district": south},
        {"category": Category.INDIVIDUAL, "kind": Kind.LIAISON, "mode": Mode.DIRECT},
        {"category": Category.INDIVIDUAL, "kind": Kind.LIAISON, "mode": Mode.INDIRECT},
        {"occurred_on": last_month},
    ):
        make(ward, **fields)
    mistaken = make(ward, kind=Kind.RELATIONSHIP)
    with tenancy.tenant_context(ward.municipality):
        from tsunagu.activities.services import activity_record_archive

        activity_record_archive(actor=ward.member(Role.COUNSELOR), record=mistaken, reason="二重")
    # Another organization's work is not this list's.
    make(ward, actor=rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "s"),
         organization=ward.other_center)  # fmt: skip
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.get(reverse("activities:list"))
    assert response.status_code == 200
    period = Period(first, today)
    shown: dict[str, int] = {}
    for group in response.context["totals"]:
        for row in group.rows:
            shown[row.option.value] = row.count
    with tenancy.tenant_context(ward.municipality):
        expected = {
            value: figure(Spec(value, organization_id=ward.center.pk), period) for value in shown
        }
    assert shown == expected
    assert shown["community:operation"] == 2 and shown["community:relationship"] == 0
    assert response.context["grand_total"] == 5
    assert len(response.context["rows"]) == 5
    # Filtered by district, and a past month.
    response = client.get(
        reverse("activities:list"), {"district": south.pk, "category": "community"}
    )
    assert [group.category for group in response.context["totals"]] == ["community"]
    with tenancy.tenant_context(ward.municipality):
        assert response.context["grand_total"] == figure(
            Spec("community", organization_id=ward.center.pk, district_id=south.pk), period
        ) == 1  # fmt: skip
    response = client.get(reverse("activities:list"), {"month": last_month.strftime("%Y-%m")})
    assert response.context["grand_total"] == 1
    # Archived records are shown only when asked for, and never counted.
    response = client.get(reverse("activities:list"), {"archived": "on"})
    assert len(response.context["rows"]) == 6 and response.context["grand_total"] == 5
    assert "二重" in response.content.decode()
    event = AuditEvent.objects.filter(action="list", object_type="activities.activityrecord").last()
    assert event is not None and len(event.detail["shown"]) == 6


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GUEST, Role.SYSADMIN, Role.AUDITOR])
def test_roles_without_casework_cannot_list_or_enter_records(ward: Ward, role: str) -> None:
    make(ward)
    client = as_staff(ward.member(role))
    assert client.get(reverse("activities:list")).status_code == 403
    assert client.get(reverse("activities:create")).status_code == 403
    assert client.post(reverse("activities:create"), entry_data(ward)).status_code == 403
    with tenancy.tenant_context(ward.municipality):
        assert ActivityRecord.objects.count() == 1


def test_another_organization_neither_sees_nor_touches_the_records(ward: Ward) -> None:
    saved = make(ward, intent="町会長と顔の見える関係をつくる")
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    client = as_staff(south)
    listing = client.get(reverse("activities:list"))
    assert listing.status_code == 200
    assert "町会長と顔の見える関係をつくる" not in listing.content.decode()
    assert listing.context["grand_total"] == 0
    assert client.get(reverse("activities:update", args=[saved.pk])).status_code == 404
    assert (
        client.post(reverse("activities:update", args=[saved.pk]), entry_data(ward)).status_code
        == 404
    )
    assert (
        client.post(reverse("activities:archive", args=[saved.pk]), {"reason": "消す"}).status_code
        == 404
    )
    with tenancy.tenant_context(ward.municipality):
        fresh = ActivityRecord.objects.get(pk=saved.pk)
    assert fresh.intent == "町会長と顔の見える関係をつくる" and fresh.archived_at is None
    assert AuditEvent.objects.filter(
        action="deny", object_type="activities.activityrecord"
    ).exists()


def test_another_municipality_s_ids_are_not_found(ward: Ward, other_ward: Ward) -> None:
    theirs = make(other_ward)
    their_household = rf.household(other_ward.member(Role.COUNSELOR), other_ward.center)
    client = as_staff(ward.member(Role.COUNSELOR))
    for name in ("activities:update", "activities:archive"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.post(reverse(name, args=[theirs.pk]), {"reason": "x"}).status_code == 404
    url = f"{reverse('activities:create')}?household={their_household.pk}"
    assert client.get(url).status_code == 404
    # Their district cannot be chosen either.
    response = client.post(
        reverse("activities:create"), entry_data(ward, district=other_ward.districts[0].pk)
    )
    assert response.status_code == 200 and response.context["form"].errors["district"]
    assert ActivityRecord.all_tenants.count() == 1


def test_a_record_is_corrected_and_archived_by_its_organization(ward: Ward) -> None:
    saved = make(ward)
    colleague = rf.staff_at(ward, ward.center, Role.COUNSELOR, "colleague")
    client = as_staff(colleague)
    page = client.get(reverse("activities:update", args=[saved.pk]))
    assert page.status_code == 200
    assert page.context["form"]["activity"].value() == "community:operation"
    response = client.post(
        reverse("activities:update", args=[saved.pk]),
        entry_data(ward, activity="life_support:information", direction="outgoing"),
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        fresh = ActivityRecord.objects.get(pk=saved.pk)
    assert (fresh.category, fresh.kind, fresh.mode) == ("life_support", "information", "")
    assert fresh.updated_by == colleague and fresh.staff == ward.member(Role.COUNSELOR)
    # Archiving asks why, and keeps what was typed when the reason is missing.
    response = client.post(reverse("activities:archive", args=[saved.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "アーカイブの理由を入力してください。" in response.content.decode()
    response = client.post(
        reverse("activities:archive", args=[saved.pk]), {"reason": "別の地区の記録だった"}
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        fresh = ActivityRecord.objects.get(pk=saved.pk)
    assert fresh.archive_reason == "別の地区の記録だった"
    # An archived record is no longer edited.
    assert client.get(reverse("activities:update", args=[saved.pk])).status_code == 404


def test_the_list_queries_do_not_grow_with_the_rows(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)

    def add(count: int) -> None:
        for n in range(count):
            make(
                ward,
                category=Category.INDIVIDUAL,
                kind=Kind.RELATIONSHIP,
                mode=Mode.DIRECT if n % 2 else Mode.INDIRECT,
                household=household if n % 3 == 0 else None,
                district=ward.districts[n % 2],
            )

    add(3)
    client = as_staff(counselor)
    client.get(reverse("activities:list"))  # warm the session
    with django_assert_max_num_queries(40) as few:
        response = client.get(reverse("activities:list"))
    assert len(response.context["rows"]) == 3
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("activities:list"))
    assert len(response.context["rows"]) == 30
    assert response.context["grand_total"] == 30


def test_the_quick_entry_queries_do_not_grow_with_the_records(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    make(ward)
    client.get(reverse("activities:create"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("activities:create"))
    for n in range(20):
        make(ward, intent=f"意図{n}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("activities:create"))
    assert "意図19" in response.content.decode()


# --- 件数入力 -------------------------------------------------------------------------


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _period(ward: Ward, month: datetime.date) -> dict[str, int]:
    """The grid of the fiscal year ``month`` is in (last month is in the
    previous fiscal year in April)."""
    return {"organization": ward.center.pk, "fiscal_year": fiscal_year_of(month)}


def test_the_grid_enters_counts_and_shows_who_entered_them(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    month = _last_month()
    with tenancy.tenant_context(ward.municipality):
        counted_entry_save(
            actor=counselor,
            organization=ward.center,
            item="親子ひろば利用者数",
            month=month,
            count=1200,
        )
    colleague = rf.staff_at(ward, ward.center, Role.COUNSELOR, "colleague")
    client = as_staff(colleague)
    page = client.get(reverse("activities:counted"), _period(ward, month))
    assert page.status_code == 200
    body = page.content.decode()
    assert "親子ひろば利用者数" in body and counselor.full_name in body
    form = page.context["grid_form"]
    cell = form.cell_name("親子ひろば利用者数", month)
    assert form[cell].value() == 1200
    fiscal_year = page.context["fiscal_year"]
    data = {
        "organization": ward.center.pk,
        "fiscal_year": fiscal_year,
        cell: "1310",
        "new_item": "プラン作成数",
        f"new|{month:%Y-%m}": "7",
    }
    response = client.post(reverse("activities:counted_save"), data)
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        entries = {(e.item, e.count, e.updated_by_id) for e in CountedEntry.objects.all()}
    assert entries == {
        ("親子ひろば利用者数", 1310, colleague.pk),
        ("プラン作成数", 7, colleague.pk),
    }
    page = client.get(response["Location"])
    assert [row.item for row in page.context["grid"].rows] == ["プラン作成数", "親子ひろば利用者数"]
    assert "件数を保存しました（2件）" in page.content.decode()


def test_the_grid_refuses_bad_numbers_in_japanese_and_keeps_them(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    month = _last_month()
    page = client.get(reverse("activities:counted"), _period(ward, month))
    response = client.post(
        reverse("activities:counted_save"),
        {
            "organization": ward.center.pk,
            "fiscal_year": page.context["fiscal_year"],
            "new_item": "",
            f"new|{month:%Y-%m}": "-3",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "0以上の数を入力してください。" in body
    assert 'value="-3"' in body
    response = client.post(
        reverse("activities:counted_save"),
        {
            "organization": ward.center.pk,
            "fiscal_year": page.context["fiscal_year"],
            f"new|{month:%Y-%m}": "12",
        },
    )
    assert "新しい項目の名前を入力してください。" in response.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert not CountedEntry.objects.exists()


def test_staff_read_other_organizations_counts_but_enter_only_their_own(ward: Ward) -> None:
    month = _last_month()
    with tenancy.tenant_context(ward.municipality):
        counted_entry_save(
            actor=ward.member(Role.COUNSELOR),
            organization=ward.center,
            item="親子ひろば利用者数",
            month=month,
            count=900,
        )
    manager = as_staff(ward.member(Role.MANAGER))
    page = manager.get(reverse("activities:counted"), _period(ward, month))
    assert page.status_code == 200 and page.context["grid_form"] is None
    assert "900" in page.content.decode()
    fiscal_year = page.context["fiscal_year"]
    refused = {"organization": ward.center.pk, "fiscal_year": fiscal_year, "new_item": "x"}
    assert manager.post(reverse("activities:counted_save"), refused).status_code == 403
    south = as_staff(rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south"))
    page = south.get(reverse("activities:counted"), _period(ward, month))
    assert page.context["grid_form"] is None
    cell = f"c|{month:%Y-%m}|親子ひろば利用者数"
    response = south.post(
        reverse("activities:counted_save"),
        {"organization": ward.center.pk, "fiscal_year": fiscal_year, cell: "1"},
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert CountedEntry.objects.get().count == 900
    assert as_staff(ward.member(Role.GUEST)).get(reverse("activities:counted")).status_code == 403


def test_the_grid_queries_do_not_grow_with_the_entries(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    month = _last_month()

    def add(items: list[str]) -> None:
        with tenancy.tenant_context(ward.municipality):
            for item in items:
                counted_entry_save(
                    actor=counselor, organization=ward.center, item=item, month=month, count=5
                )

    add(["項目A"])
    client = as_staff(counselor)
    period = _period(ward, month)
    client.get(reverse("activities:counted"), period)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("activities:counted"), period)
    add([f"項目{n}" for n in range(10)])
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("activities:counted"), period)
    assert len(response.context["grid"].rows) == 11


def test_the_list_is_newest_first_and_paged_with_totals_for_all_pages(
    ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagu.activities import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    today = timezone.localdate()
    first_day = today.replace(day=1)
    make(ward, occurred_on=first_day, intent="意図0")
    make(ward, occurred_on=today, intent="意図1")
    make(ward, occurred_on=first_day, intent="意図2")
    client = as_staff(ward.member(Role.COUNSELOR))
    page = client.get(reverse("activities:list"))
    # By day, then the later entry first.
    expected = ["意図1", "意図2", "意図0"] if today != first_day else ["意図2", "意図1", "意図0"]
    assert [r.intent for r, _seen in page.context["rows"]] == expected[:2]
    assert page.context["grand_total"] == 3
    second = client.get(reverse("activities:list"), {"page": 2})
    assert [r.intent for r, _seen in second.context["rows"]] == expected[2:]
    assert second.context["grand_total"] == 3
    assert "2 / 2 ページ" in second.content.decode()
