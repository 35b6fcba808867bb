"""Master data through the screens: organizations, districts and
sub-businesses (create, edit, archive, restore, validation, permissions),
and the demo ward built from seed 000's structure table."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.audit.services import audit_seal_all
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.ward import DEMO_CODE, load_demo_ward
from tsunagu.directory.models import Business, District, Organization, SubBusiness
from tsunagu.tests.factories import StaffFactory, Ward, add_member
from tsunagu.tests.two_factor import force_login_verified

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ORGANIZATION_TYPE = "directory.organization"


def signed_in(client: Client, staff: Staff) -> Client:
    client.force_login(staff)
    return client


def organization_data(ward: Ward, **overrides: Any) -> dict[str, Any]:
    """A complete organization form as the browser posts it."""
    with tenancy.tenant_context(ward.municipality):
        sub_business = SubBusiness.objects.get()
    data: dict[str, Any] = {
        "name": "地域包括支援センター東",
        "kind": Organization.Kind.CENTER,
        "management": Organization.Management.CONTRACTED,
        "operator": "社会福祉法人ひがし会",
        "parent": "",
        "is_coordinating": "on",
        "districts": [str(d.pk) for d in ward.districts],
        "sub_businesses": [str(sub_business.pk)],
        "phone": "03-1111-2222",
        "address": "テスト区東1-1",
        "sort_order": "5",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def organization(pk: int) -> Organization:
    return Organization.all_tenants.get(pk=pk)


def events_for(obj_pk: int, object_type: str = ORGANIZATION_TYPE) -> list[AuditEvent]:
    return list(
        # Sealed events by their place in the chain; those the test's
        # transaction never sealed (sequence NULL) in the order they were written.
        AuditEvent.objects.filter(object_type=object_type, object_id=str(obj_pk)).order_by(
            "sequence", "pk"
        )
    )


def error_messages(response: Any) -> list[str]:
    content = response.content.decode()
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', content, re.S)


def table_of(response: Any) -> str:
    """The page's tables (not the flash messages, which repeat names)."""
    content = response.content.decode()
    return "".join(re.findall(r"<table>.*?</table>", content, re.S))


def page_messages(response: Any) -> str:
    content = response.content.decode()
    found = re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', content, re.S)
    return found.group(1) if found else ""


# --- Organizations: the full life cycle ---------------------------------------


@pytest.mark.django_db
def test_system_administrator_creates_edits_archives_and_restores_an_organization(
    client: Client, ward: Ward
) -> None:
    admin = ward.member(Role.SYSADMIN)
    signed_in(client, admin)

    # Create: 委託 with operator, two districts, a sub-business, 多機関協働事務局.
    response = client.post("/directory/organizations/new/", organization_data(ward))
    assert response.status_code == 302, error_messages(response)
    assert response.url == "/directory/organizations/"
    created = Organization.all_tenants.get(name="地域包括支援センター東")
    assert created.municipality == ward.municipality
    assert created.kind == Organization.Kind.CENTER
    assert created.management == Organization.Management.CONTRACTED
    assert created.operator == "社会福祉法人ひがし会"
    assert created.is_coordinating is True
    assert created.parent is None
    with tenancy.tenant_context(ward.municipality):
        assert {d.pk for d in created.districts.all()} == {d.pk for d in ward.districts}
        assert [s.name for s in created.sub_businesses.all()] == ["地域包括支援センター"]
    assert created.phone == "03-1111-2222"
    assert created.sort_order == 5
    assert created.created_by == admin
    assert created.updated_by == admin
    assert created.archived_at is None

    (create_event,) = events_for(created.pk)
    assert create_event.action == AuditAction.CREATE
    assert create_event.actor == admin
    assert create_event.municipality == ward.municipality
    assert "name" in create_event.detail["fields"]
    assert "operator" in create_event.detail["fields"]

    # It shows in the list, with its badge and operator.
    listing = client.get("/directory/organizations/").content.decode()
    assert "地域包括支援センター東" in listing
    assert "社会福祉法人ひがし会" in listing

    # Edit: the name, phone, one district fewer, a parent.
    edit_page = client.get(f"/directory/organizations/{created.pk}/")
    assert edit_page.status_code == 200
    assert "地域包括支援センター東" in edit_page.content.decode()
    response = client.post(
        f"/directory/organizations/{created.pk}/",
        organization_data(
            ward,
            name="地域包括支援センター東分室",
            phone="03-9999-0000",
            districts=[str(ward.districts[1].pk)],
            parent=str(ward.center.pk),
        ),
    )
    assert response.status_code == 302, error_messages(response)
    edited = organization(created.pk)
    assert edited.name == "地域包括支援センター東分室"
    assert edited.phone == "03-9999-0000"
    assert edited.parent == ward.center
    with tenancy.tenant_context(ward.municipality):
        assert list(edited.districts.all()) == [ward.districts[1]]
        assert [s.name for s in edited.sub_businesses.all()] == ["地域包括支援センター"]
    assert edited.operator == "社会福祉法人ひがし会"  # untouched fields stay
    assert edited.created_by == admin
    assert edited.updated_by == admin

    change_event = events_for(created.pk)[-1]
    assert change_event.action == AuditAction.CHANGE
    assert change_event.actor == admin
    # The changed fields' names, never their values.
    assert change_event.detail == {"fields": ["districts", "name", "parent", "phone"]}
    serialized = json.dumps(change_event.detail, ensure_ascii=False)
    assert "03-9999-0000" not in serialized
    assert "分室" not in serialized

    # Archive, with a reason.
    response = client.post(
        f"/directory/organizations/{created.pk}/archive/", {"reason": "組織改正により廃止"}
    )
    assert response.status_code == 302
    archived = organization(created.pk)
    assert archived.archived_at is not None
    assert archived.archive_reason == "組織改正により廃止"
    assert archived.updated_by == admin
    archive_event = events_for(created.pk)[-1]
    assert archive_event.action == AuditAction.ARCHIVE
    assert archive_event.actor == admin
    assert archive_event.detail == {"reason": "組織改正により廃止"}

    # Hidden from the default list, shown with ?archived=1.
    default_list = table_of(client.get("/directory/organizations/"))
    assert "地域包括支援センター東分室" not in default_list
    assert ward.center.name in default_list
    with_archived = table_of(client.get("/directory/organizations/?archived=1"))
    assert "地域包括支援センター東分室" in with_archived
    assert "組織改正により廃止" in with_archived

    # Restore: the same POST on an archived one.
    response = client.post(f"/directory/organizations/{created.pk}/archive/")
    assert response.status_code == 302
    restored = organization(created.pk)
    assert restored.archived_at is None
    assert restored.archive_reason == ""
    assert restored.updated_by == admin
    restore_event = events_for(created.pk)[-1]
    assert restore_event.action == AuditAction.CHANGE
    assert restore_event.actor == admin
    assert "地域包括支援センター東分室" in table_of(client.get("/directory/organizations/"))

    assert [e.action for e in events_for(created.pk)] == [
        AuditAction.CREATE,
        AuditAction.CHANGE,
        AuditAction.ARCHIVE,
        AuditAction.CHANGE,
    ]


@pytest.mark.django_db
def test_an_edit_by_another_administrator_keeps_the_creator(client: Client, ward: Ward) -> None:
    creator = ward.member(Role.SYSADMIN)
    editor = StaffFactory(municipality=ward.municipality, username="sysadmin-2")
    add_member(editor, ward.department, Role.SYSADMIN)

    signed_in(client, creator)
    client.post("/directory/organizations/new/", organization_data(ward))
    created = Organization.all_tenants.get(name="地域包括支援センター東")

    editor_client = signed_in(Client(), editor)
    response = editor_client.post(
        f"/directory/organizations/{created.pk}/", organization_data(ward, phone="03-0000-0001")
    )
    assert response.status_code == 302, error_messages(response)
    edited = organization(created.pk)
    assert edited.created_by == creator
    assert edited.updated_by == editor
    change_event = events_for(created.pk)[-1]
    assert change_event.actor == editor
    assert change_event.detail == {"fields": ["phone"]}


# --- Organizations: validation --------------------------------------------------


@pytest.mark.django_db
def test_contracted_without_operator_is_refused_in_japanese(client: Client, ward: Ward) -> None:
    signed_in(client, ward.member(Role.SYSADMIN))
    before = Organization.all_tenants.count()
    events_before = AuditEvent.objects.filter(action=AuditAction.CREATE).count()

    response = client.post("/directory/organizations/new/", organization_data(ward, operator=""))

    assert response.status_code == 200
    errors = error_messages(response)
    assert any("委託の場合は運営法人を入力してください" in e for e in errors), errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert Organization.all_tenants.count() == before
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == events_before


@pytest.mark.django_db
def test_direct_management_needs_no_operator(client: Client, ward: Ward) -> None:
    signed_in(client, ward.member(Role.SYSADMIN))
    response = client.post(
        "/directory/organizations/new/",
        organization_data(ward, management=Organization.Management.DIRECT, operator=""),
    )
    assert response.status_code == 302, error_messages(response)
    assert Organization.all_tenants.filter(name="地域包括支援センター東").exists()


@pytest.mark.django_db
def test_duplicate_name_in_the_same_municipality_is_refused_in_japanese(ward: Ward) -> None:
    client = Client(raise_request_exception=False)
    signed_in(client, ward.member(Role.SYSADMIN))
    before = Organization.all_tenants.count()

    response = client.post(
        "/directory/organizations/new/", organization_data(ward, name=ward.center.name)
    )

    assert response.status_code == 200
    errors = " ".join(error_messages(response))
    assert JAPANESE.search(errors), errors
    assert "既に存在" in errors or "すでに" in errors or "重複" in errors, errors
    assert Organization.all_tenants.count() == before


@pytest.mark.django_db
def test_the_same_name_in_another_municipality_is_allowed(
    client: Client, ward: Ward, other_ward: Ward
) -> None:
    with tenancy.tenant_context(other_ward.municipality):
        Organization.objects.create(name="高齢者あんしん相談センター駒込", kind="center")

    signed_in(client, ward.member(Role.SYSADMIN))
    response = client.post(
        "/directory/organizations/new/",
        organization_data(ward, name="高齢者あんしん相談センター駒込"),
    )

    assert response.status_code == 302, error_messages(response)
    found = Organization.all_tenants.filter(name="高齢者あんしん相談センター駒込")
    assert sorted(found.values_list("municipality_id", flat=True)) == sorted(
        [ward.municipality.pk, other_ward.municipality.pk]
    )


@pytest.mark.django_db
def test_archive_without_a_reason_is_refused(client: Client, ward: Ward) -> None:
    signed_in(client, ward.member(Role.SYSADMIN))
    before = organization(ward.department.pk)
    events_before = AuditEvent.objects.count()

    response = client.post(
        f"/directory/organizations/{ward.department.pk}/archive/", {"reason": ""}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == f"/directory/organizations/{ward.department.pk}/"
    assert "アーカイブの理由を入力してください。" in page_messages(response)
    after = organization(ward.department.pk)
    assert after.archived_at is None
    assert after.archive_reason == ""
    assert after.updated_at == before.updated_at
    assert not AuditEvent.objects.filter(
        action=AuditAction.ARCHIVE, object_id=str(ward.department.pk)
    ).exists()
    assert AuditEvent.objects.count() == events_before


# --- Districts and sub-businesses -------------------------------------------------


@pytest.mark.django_db
def test_districts_are_created_edited_and_archived_through_their_screens(
    client: Client, ward: Ward
) -> None:
    admin = ward.member(Role.SYSADMIN)
    signed_in(client, admin)

    response = client.post("/directory/districts/new/", {"name": "東", "sort_order": "3"})
    assert response.status_code == 302, error_messages(response)
    district = District.all_tenants.get(name="東")
    assert district.municipality == ward.municipality
    assert district.sort_order == 3
    assert district.created_by == admin

    response = client.post(
        f"/directory/districts/{district.pk}/", {"name": "東部", "sort_order": "0"}
    )
    assert response.status_code == 302, error_messages(response)
    district.refresh_from_db()
    assert (district.name, district.sort_order) == ("東部", 0)
    assert district.updated_by == admin

    content = table_of(client.get("/directory/districts/"))
    # Ordered by sort_order, then id: 北 (0), 東部 (0, created later), 南 (1).
    assert content.index("北") < content.index("東部") < content.index("南")

    response = client.post(f"/directory/districts/{district.pk}/archive/", {"reason": "統合"})
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.is_archived
    assert "東部" not in table_of(client.get("/directory/districts/"))
    assert "東部" in table_of(client.get("/directory/districts/?archived=1"))

    actions = [e.action for e in events_for(district.pk, "directory.district")]
    assert actions == [AuditAction.CREATE, AuditAction.CHANGE, AuditAction.ARCHIVE]
    assert events_for(district.pk, "directory.district")[1].detail == {
        "fields": ["name", "sort_order"]
    }


@pytest.mark.django_db
def test_the_sub_business_form_offers_the_municipality_s_businesses(
    client: Client, ward: Ward
) -> None:
    """The select of /directory/businesses/new/ lists the five businesses (here: Ⅰ)."""
    signed_in(client, ward.member(Role.SYSADMIN))
    with tenancy.tenant_context(ward.municipality):
        first = Business.objects.get(number=1)
    content = client.get("/directory/businesses/new/").content.decode()
    select = re.search(r'<select name="business".*?</select>', content, re.S)
    assert select is not None
    assert f'value="{first.pk}"' in select.group(0)
    assert "Ⅰ 包括的相談支援事業" in select.group(0)


@pytest.mark.django_db
def test_sub_businesses_are_created_and_edited_through_their_screens(
    client: Client, ward: Ward
) -> None:
    admin = ward.member(Role.SYSADMIN)
    with tenancy.tenant_context(ward.municipality):
        first = Business.objects.get(number=1)
        fifth = Business.objects.create(number=5, name="地域づくり事業")
    signed_in(client, admin)

    response = client.post(
        "/directory/businesses/new/",
        {
            "business": str(first.pk),
            "name": "高齢者あんしん相談センター",
            "legal_basis": "法106条の4第2項第1号イ",
            "content": "高齢者の総合相談。",
            "capacity_count": "8",
            "capacity_unit": "か所",
            "capacity_note": "",
            "report_items": "相談実績\n訪問件数",
            "departments": [str(ward.department.pk)],
            "sort_order": "1",
        },
    )
    assert response.status_code == 302, error_messages(response)
    anshin = SubBusiness.all_tenants.get(name="高齢者あんしん相談センター")
    assert anshin.municipality == ward.municipality
    assert anshin.business == first
    assert anshin.capacity_label == "8か所"
    assert anshin.report_item_list() == ["相談実績", "訪問件数"]
    with tenancy.tenant_context(ward.municipality):
        assert list(anshin.departments.all()) == [ward.department]
    assert anshin.created_by == admin
    assert events_for(anshin.pk, "directory.subbusiness")[0].action == AuditAction.CREATE

    with tenancy.tenant_context(ward.municipality):
        coordinators = SubBusiness.objects.create(
            business=fifth, name="生活支援体制整備事業", capacity_count=9, capacity_unit="人"
        )
    response = client.post(
        f"/directory/businesses/{coordinators.pk}/",
        {
            "business": str(fifth.pk),
            "name": "生活支援体制整備事業（生活支援コーディネーター）",
            "legal_basis": "",
            "capacity_count": "10",
            "capacity_unit": "人",
            "capacity_note": "兼務",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302, error_messages(response)
    coordinators.refresh_from_db()
    assert coordinators.name == "生活支援体制整備事業（生活支援コーディネーター）"
    assert coordinators.capacity_label == "10人※兼務"
    assert coordinators.updated_by == admin
    change = events_for(coordinators.pk, "directory.subbusiness")[-1]
    assert change.action == AuditAction.CHANGE
    assert change.detail == {"fields": ["capacity_count", "capacity_note", "name"]}


@pytest.mark.django_db
def test_the_business_list_shows_each_business_and_its_sub_businesses(
    client: Client, ward: Ward
) -> None:
    with tenancy.tenant_context(ward.municipality):
        first = Business.objects.get(number=1)
        fifth = Business.objects.create(number=5, name="地域づくり事業")
        anshin = SubBusiness.objects.create(
            business=first,
            name="高齢者あんしん相談センター",
            legal_basis="法106条の4第2項第1号イ",
            capacity_count=8,
            capacity_unit="か所",
            report_items="相談実績\n訪問件数",
            sort_order=1,
        )
        anshin.departments.add(ward.department)
        SubBusiness.objects.create(
            business=fifth,
            name="生活支援体制整備事業（生活支援コーディネーター）",
            legal_basis="法106条の4第2項第3号ロ",
            capacity_count=10,
            capacity_unit="人",
            capacity_note="兼務",
        )
        SubBusiness.objects.create(
            business=fifth, name="廃止した事業", archived_at=timezone.now(), archive_reason="統合"
        )
    signed_in(client, ward.member(Role.SYSADMIN))

    page = client.get("/directory/businesses/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Ⅰ 包括的相談支援事業" in content
    assert "Ⅴ 地域づくり事業" in content
    assert "廃止した事業" not in content
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>.*?高齢者あんしん相談センター.*?</tr>", content, re.S)
    assert row is not None
    assert "法106条の4第2項第1号イ" in row.group(0)
    assert "8か所" in row.group(0)
    assert "相談実績<br>訪問件数" in row.group(0)
    assert ward.department.name in row.group(0)
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>.*?生活支援コーディネーター.*?</tr>", content, re.S)
    assert row is not None
    assert "法106条の4第2項第3号ロ" in row.group(0)
    assert "10人※兼務" in row.group(0)
    # Each row sits under its business's heading, businesses in number order.
    assert (
        content.index("Ⅰ 包括的相談支援事業")
        < content.index("法106条の4第2項第1号イ")
        < content.index("Ⅴ 地域づくり事業")
        < content.index("10人※兼務")
    )
    assert "廃止した事業" in client.get("/directory/businesses/?archived=1").content.decode()


# --- Who may maintain master data ----------------------------------------------------

LISTS = ["/directory/organizations/", "/directory/districts/", "/directory/businesses/"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.MANAGER])
def test_other_roles_read_the_lists_but_may_not_change_them(
    client: Client, ward: Ward, role: Role
) -> None:
    staff = ward.member(role)
    signed_in(client, staff)
    district = ward.districts[0]
    with tenancy.tenant_context(ward.municipality):
        sub_business = SubBusiness.objects.get()

    for url in LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "新規登録" not in content, url
    assert ward.center.name in client.get(LISTS[0]).content.decode()
    assert district.name in client.get(LISTS[1]).content.decode()
    assert sub_business.name in client.get(LISTS[2]).content.decode()

    refused: list[tuple[str, str, str]] = []
    for plural, resource, pk in (
        ("organizations", "directory.organization", ward.center.pk),
        ("districts", "directory.district", district.pk),
        ("businesses", "directory.subbusiness", sub_business.pk),
    ):
        refused += [
            ("get", f"/directory/{plural}/new/", resource),
            ("post", f"/directory/{plural}/new/", resource),
            ("get", f"/directory/{plural}/{pk}/", resource),
            ("post", f"/directory/{plural}/{pk}/", resource),
            ("post", f"/directory/{plural}/{pk}/archive/", resource),
        ]
    before = {
        "organizations": Organization.all_tenants.count(),
        "center": organization(ward.center.pk).updated_at,
    }
    for method, url, _resource in refused:
        data = {"name": "書き換え", "sort_order": "0", "reason": "権限なし"}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, (method, url)

    # Nothing changed.
    assert Organization.all_tenants.count() == before["organizations"]
    center = organization(ward.center.pk)
    assert center.updated_at == before["center"]
    assert center.archived_at is None
    assert not Organization.all_tenants.filter(name="書き換え").exists()
    assert not District.all_tenants.filter(name="書き換え").exists()
    assert not SubBusiness.all_tenants.filter(name="書き換え").exists()

    # Every refusal is in the audit trail.
    denials = AuditEvent.objects.filter(action=AuditAction.DENY, actor=staff)
    assert denials.count() == len(refused)
    assert all(d.municipality == ward.municipality for d in denials)
    recorded = sorted((d.object_type, d.detail["action"]) for d in denials)
    expected = sorted(
        (
            resource,
            "create" if url.endswith("/new/") else "archive" if "archive" in url else "change",
        )
        for _method, url, resource in refused
    )
    assert recorded == expected


# --- The demo ward -----------------------------------------------------------------------


@pytest.fixture
def demo(db: None) -> Municipality:
    return load_demo_ward()


@pytest.mark.django_db
def test_demo_ward_has_the_four_districts_and_five_businesses(demo: Municipality) -> None:
    assert demo.code == DEMO_CODE
    assert demo.is_demo
    with tenancy.tenant_context(demo):
        assert list(District.objects.values_list("name", flat=True)) == [
            "富坂",
            "大塚",
            "本富士",
            "駒込",
        ]
        assert [str(b) for b in Business.objects.all()] == [
            "Ⅰ 包括的相談支援事業",
            "Ⅱ 多機関協働事業",
            "Ⅲ アウトリーチ等を通じた継続的支援事業",
            "Ⅳ 参加支援事業",
            "Ⅴ 地域づくり事業",
        ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "number", "legal_basis", "capacity"),
    [
        ("高齢者あんしん相談センター", 1, "法106条の4第2項第1号イ", "8か所"),
        ("障害者基幹相談支援センター", 1, "法106条の4第2項第1号ロ", "1か所"),
        ("利用者支援事業", 1, "法106条の4第2項第1号ハ", "3か所"),
        ("自立相談支援事業", 1, "法106条の4第2項第1号ニ", "1か所"),
        ("多機関協働事業", 2, "法106条の4第2項第5号・第6号、法106条の6", "—"),
        ("各支援機関による支援（アウトリーチ）", 3, "法106条の4第2項第4号", "—"),
        ("各支援機関による支援（参加支援）", 4, "法106条の4第2項第2号", "—"),
        ("地域介護予防活動支援事業（かよい～の）", 5, "法106条の4第2項第3号イ", "38か所"),
        ("生活支援体制整備事業（生活支援コーディネーター）", 5, "法106条の4第2項第3号ロ", "10人※兼務"),
        ("地域活動支援センター", 5, "法106条の4第2項第3号ハ", "6か所"),
        ("地域子育て支援拠点事業", 5, "法106条の4第2項第3号ニ", "9か所"),
        ("生活困窮者の共助の基盤づくり事業（地域福祉コーディネーター）", 5, "法106条の4第2項第3号柱書", "10人※兼務"),
    ],
)  # fmt: skip
def test_demo_sub_businesses_carry_the_legal_bases_of_seed_000(
    demo: Municipality, name: str, number: int, legal_basis: str, capacity: str
) -> None:
    with tenancy.tenant_context(demo):
        sub = SubBusiness.objects.select_related("business").get(name=name)
    assert sub.business.number == number
    assert sub.legal_basis == legal_basis
    assert sub.capacity_label == capacity


@pytest.mark.django_db
def test_demo_coordination_is_run_by_the_welfare_policy_division(demo: Municipality) -> None:
    with tenancy.tenant_context(demo):
        sub = SubBusiness.objects.get(name="多機関協働事業")
        assert [o.name for o in sub.organizations.all()] == ["福祉政策課"]
        assert [o.name for o in sub.departments.all()] == ["福祉政策課"]
        assert list(
            Organization.objects.filter(is_coordinating=True).values_list("name", flat=True)
        ) == ["福祉政策課"]


@pytest.mark.django_db
def test_demo_has_eight_contracted_elderly_centres_with_one_district_each(
    demo: Municipality,
) -> None:
    with tenancy.tenant_context(demo):
        centres = list(
            Organization.objects.filter(name__startswith="高齢者あんしん相談センター")
            .select_related("parent")
            .prefetch_related("districts", "sub_businesses", "parent__districts")
        )
    assert len(centres) == 8
    main = [c for c in centres if c.parent is None]
    branches = [c for c in centres if c.parent is not None]
    assert sorted(c.name for c in main) == sorted(
        f"高齢者あんしん相談センター{d}" for d in ("富坂", "大塚", "本富士", "駒込")
    )
    assert len(branches) == 4
    for centre in centres:
        assert centre.management == Organization.Management.CONTRACTED, centre
        assert centre.operator, centre
        assert centre.kind == Organization.Kind.CENTER
        districts = [d.name for d in centre.districts.all()]
        assert len(districts) == 1, centre
        assert centre.name.removesuffix("分室").endswith(districts[0]), centre
        assert [s.name for s in centre.sub_businesses.all()] == ["高齢者あんしん相談センター"]
    for branch in branches:
        assert branch.name == f"{branch.parent.name}分室"
        assert branch.operator == branch.parent.operator
        assert list(branch.districts.all()) == list(branch.parent.districts.all())


@pytest.mark.django_db
def test_demo_has_an_account_for_every_role_and_a_valid_audit_trail(
    demo: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    with tenancy.tenant_context(demo):
        staff = list(Staff.objects.all())
        memberships = list(Membership.objects.select_related("staff", "organization"))
    assert staff
    assert all(s.username.startswith("demo-") for s in staff)
    assert all(s.is_active and s.has_usable_password() for s in staff)
    assert {m.role for m in memberships} == set(Role.values)
    for role in Role:
        holders = {m.staff.username for m in memberships if m.role == role}
        assert holders, role

    audit_seal_all()  # as the load's commit would (the test's transaction never commits)
    call_command("verify_audit")  # raises CommandError on a broken chain
    assert "監査証跡は正常です" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_ward_loads_only_once(demo: Municipality) -> None:
    organizations = Organization.all_tenants.filter(municipality=demo).count()
    with pytest.raises(ValueError, match=DEMO_CODE):
        load_demo_ward()
    assert Municipality.objects.filter(code=DEMO_CODE).count() == 1
    assert Organization.all_tenants.filter(municipality=demo).count() == organizations


@pytest.mark.django_db
def test_demo_accounts_can_sign_in_and_see_the_demo_master_data(demo: Municipality) -> None:
    client = Client()
    with tenancy.tenant_context(demo):
        admin = Staff.objects.get(username="demo-sysadmin")
    force_login_verified(client, admin)
    content = client.get("/directory/businesses/").content.decode()
    assert "Ⅰ 包括的相談支援事業" in content
    assert "法106条の4第2項第1号イ" in content
    assert "8か所" in content
    assert "10人※兼務" in content
    assert timezone.now()  # the page rendered for the demo tenant without a tenant leak
