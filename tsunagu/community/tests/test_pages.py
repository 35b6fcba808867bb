"""The 地域づくり pages as a CSW and the coordinating section use them: the
index by district with the places needing succession support standing out,
the project board and the open issues; a page, a form and the steps of each —
who may do what, another municipality's records out of reach, the source
case shown only to those with a basis, Japanese errors, no lost edits, and
pages whose queries do not grow with their rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueSource,
    IssueStatus,
    PlaceFunction,
    ProjectEvent,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.community.tests import builders as b
from tsunagu.core import tenancy
from tsunagu.resources.models import Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

INDEX = reverse("community:index")
THIS_YEAR = timezone.localdate().year


def text(response: Any) -> str:
    return response.content.decode()


# --- The index ----------------------------------------------------------------------------


def test_the_index_shows_places_by_district_with_those_needing_succession_support_first(
    ward: Ward,
) -> None:
    south = ward.districts[1]
    b.place(
        ward, "北町みんなの茶の間", year_started=THIS_YEAR - 17, succession=Succession.SUPPORTING
    )
    b.place(ward, "北町の縁側", year_started=THIS_YEAR - 3)
    b.place(ward, "南町サロン", district=south, year_started=THIS_YEAR - 12)
    b.place(ward, "南町の体操の会", district=south, succession=Succession.WATCH)
    b.place(ward, "南町の食堂", district=south, year_started=THIS_YEAR - 30, succession="succeeded")
    response = b.as_staff(ward.member(Role.MANAGER)).get(INDEX)
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [group.district.name for group in groups] == ["北", "南"]
    assert [row.place.resource.name for row in groups[0].rows] == [
        "北町の縁側",
        "北町みんなの茶の間",
    ]
    flagged = {row.place.resource.name for row in response.context["needing_support"]}
    # 継承支援中, 担い手の高齢化, and 10 years and more not yet handed on; not one handed on.
    assert flagged == {"北町みんなの茶の間", "南町の体操の会", "南町サロン"}
    page = text(response)
    assert "継承の支援が必要な居場所・拠点" in page
    assert page.count("badge badge-overdue") == 3
    assert "開始から17年" in page


def test_the_board_shows_projects_by_stage_and_the_index_the_open_issues(ward: Ward) -> None:
    b.project(ward, "買い物支援の構想")
    b.advance(ward, b.project(ward, "多世代食堂"), ProjectStage.LAUNCH)
    b.advance(ward, b.project(ward, "見守りの輪"), ProjectStage.LAUNCH, ProjectStage.RUNNING)
    b.advance(ward, b.project(ward, "終わった会"), ProjectStage.ENDED)
    b.issue(ward, "坂の上の買い物")
    closed = b.issue(ward, "解決した課題")
    with tenancy.tenant_context(ward.municipality):
        RegionalIssue.objects.filter(pk=closed.pk).update(status=IssueStatus.RESOLVED)
    response = b.as_staff(ward.member(Role.COUNSELOR)).get(INDEX)
    board = response.context["board"]
    assert [
        (str(column.stage.label), [card.project.title for card in column.cards])
        for column in board.columns
    ] == [
        ("構想", ["買い物支援の構想"]),
        ("立上げ", ["多世代食堂"]),
        ("運営", ["見守りの輪"]),
        ("継承", []),
    ]
    assert [project.title for project in board.ended] == ["終わった会"]
    assert [issue.title for issue in response.context["issues"]] == ["坂の上の買い物"]


def test_the_index_is_filtered_by_district_and_the_list_is_audited(ward: Ward) -> None:
    north, south = ward.districts
    b.place(ward, "北町サロン")
    south_place = b.place(ward, "南町サロン", district=south)
    b.project(ward, "北のプロジェクト")
    b.project(ward, "南のプロジェクト", district=south)
    b.issue(ward, "北の課題", district=north)
    b.issue(ward, "区全体の課題")
    client = b.as_staff(ward.member(Role.COUNSELOR))
    response = client.get(f"{INDEX}?district={south.pk}")
    assert [r.place.resource.name for g in response.context["groups"] for r in g.rows] == [
        "南町サロン"
    ]
    cards = [c.project.title for col in response.context["board"].columns for c in col.cards]
    assert cards == ["南のプロジェクト"]
    # An issue of the whole ward concerns every district.
    assert [i.title for i in response.context["issues"]] == ["区全体の課題"]
    event = AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="community.communityplace"
    ).latest("id")
    assert event.detail == {"page": "community", "district_id": south.pk, "shown": [south_place.pk]}
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="community.regionalissue"
    ).exists()
    # A district that cannot be read is ignored, not refused.
    assert client.get(f"{INDEX}?district=x").status_code == 200


# --- Who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "reads", "writes"),
    [
        (Role.COUNSELOR, True, True),
        (Role.ORG_MANAGER, True, True),
        (Role.COORDINATOR, True, True),
        (Role.SYSADMIN, True, True),
        (Role.MANAGER, True, False),
        (Role.AUDITOR, True, False),
        (Role.GUEST, False, False),
    ],
)
def test_every_staff_member_reads_and_casework_and_the_administrator_keep(
    ward: Ward, role: Role, reads: bool, writes: bool
) -> None:
    place = b.place(ward, "北町サロン")
    project = b.project(ward, "見守りの輪")
    issue = b.issue(ward, "坂の上の買い物")
    client = b.as_staff(ward.member(role))
    pages = [
        INDEX,
        reverse("community:place_detail", args=[place.pk]),
        reverse("community:project_detail", args=[project.pk]),
        reverse("community:issue_detail", args=[issue.pk]),
    ]
    forms = [
        reverse("community:place_create"),
        reverse("community:place_update", args=[place.pk]),
        reverse("community:project_create"),
        reverse("community:project_update", args=[project.pk]),
        reverse("community:issue_create"),
        reverse("community:issue_update", args=[issue.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == (200 if reads else 403), url
    for url in forms:
        assert client.get(url).status_code == (200 if writes else 403), url
    if reads:
        page = text(client.get(reverse("community:project_detail", args=[project.pk])))
        assert ("段階を更新" in page) is writes
    # A manager cannot create what the page would not offer.
    response = client.post(reverse("community:issue_create"), {"title": "書き込み"})
    assert response.status_code == (422 if writes else 403)
    assert not RegionalIssue.objects.filter(title="書き込み").exists()


def test_another_municipality_s_records_are_never_shown_nor_changed(
    ward: Ward, other_ward: Ward
) -> None:
    foreign = {
        "place": b.place(other_ward, "よその茶の間"),
        "project": b.project(other_ward, "よそのプロジェクト"),
        "issue": b.issue(other_ward, "よその課題"),
    }
    client = b.as_staff(ward.member(Role.COUNSELOR))
    page = text(client.get(INDEX))
    assert "よそ" not in page
    for name, obj in foreign.items():
        assert client.get(reverse(f"community:{name}_detail", args=[obj.pk])).status_code == 404
        assert client.get(reverse(f"community:{name}_update", args=[obj.pk])).status_code == 404
    posts = [
        (reverse("community:project_transition", args=[foreign["project"].pk]), "transition-"),
        (reverse("community:project_note", args=[foreign["project"].pk]), "note-"),
        (reverse("community:issue_advance", args=[foreign["issue"].pk]), "advance-"),
    ]
    for url, prefix in posts:
        response = client.post(url, {f"{prefix}support": "乗っ取り", f"{prefix}note": "乗っ取り"})
        assert response.status_code == 404
    assert project_events_of(other_ward) == 1
    # Nor can another municipality's resource be made a place here.
    foreign_resource = b.resource(other_ward, "よその資源")
    response = client.get(reverse("community:place_create") + f"?resource={foreign_resource.pk}")
    assert "よその資源" not in text(response)


def project_events_of(ward: Ward) -> int:
    return ProjectEvent.all_tenants.filter(municipality=ward.municipality).count()


# --- The source case and meeting ----------------------------------------------------------


@pytest.fixture
def from_a_case(ward: Ward) -> RegionalIssue:
    coordinator = ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, ward.coordinating, rf.household(coordinator, ward.coordinating))
    meeting = cf.meeting(coordinator, ward.coordinating, title="第3回 福祉包括化推進部会")
    issue = b.issue(
        ward,
        "介護離職した家族の相談先",
        actor=coordinator,
        source=IssueSource.CASE,
        source_case=case,
    )
    with tenancy.tenant_context(ward.municipality):
        # (A case issue named with a meeting too, to check both at once.)
        RegionalIssue.objects.filter(pk=issue.pk).update(source_meeting=meeting)
        return RegionalIssue.objects.get(pk=issue.pk)


def test_the_source_case_is_linked_only_for_staff_with_a_basis(
    ward: Ward, from_a_case: RegionalIssue
) -> None:
    url = reverse("community:issue_detail", args=[from_a_case.pk])
    case = from_a_case.source_case
    assert case is not None
    page = text(b.as_staff(ward.member(Role.COORDINATOR)).get(url))
    assert reverse("cases:detail", args=[case.pk]) in page and case.number in page
    assert "第3回 福祉包括化推進部会" in page
    for role in (Role.COUNSELOR, Role.MANAGER, Role.SYSADMIN):
        page = text(b.as_staff(ward.member(role)).get(url))
        assert "個別ケース（閲覧権限なし）" in page
        assert "会議（閲覧権限なし）" in page
        assert case.number not in page and case.title not in page
        assert "福祉包括化推進部会" not in page
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(from_a_case.pk))
    assert event.latest("id").detail == {"shown": {"case": None, "meeting": None}}


def test_the_issue_form_offers_only_cases_and_meetings_the_user_may_see(
    ward: Ward, from_a_case: RegionalIssue
) -> None:
    case = from_a_case.source_case
    assert case is not None
    own = cf.case(
        ward.member(Role.COORDINATOR),
        ward.coordinating,
        rf.household(ward.member(Role.COORDINATOR), ward.coordinating),
        title="単身・失業",
    )
    coordinator = b.as_staff(ward.member(Role.COORDINATOR))
    offered = coordinator.get(reverse("community:issue_create")).context["form"]
    assert set(offered.fields["source_case"].queryset) == {case, own}
    counselor = b.as_staff(ward.member(Role.COUNSELOR))
    form = counselor.get(reverse("community:issue_create")).context["form"]
    assert list(form.fields["source_case"].queryset) == []
    assert list(form.fields["source_meeting"].queryset) == []
    # Editing an issue raised from a case the editor cannot see keeps the case, unnamed.
    response = counselor.get(reverse("community:issue_update", args=[from_a_case.pk]))
    assert "source_case" not in response.context["form"].fields
    assert case.number not in text(response)
    data = {
        "title": "家族介護者の離職",
        "description": from_a_case.description,
        "source": IssueSource.CASE,
        "raised_on": from_a_case.raised_on.isoformat(),
        "organization": ward.coordinating.pk,
        "version": from_a_case.version,
    }
    response = counselor.post(reverse("community:issue_update", args=[from_a_case.pk]), data)
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        saved = RegionalIssue.objects.get(pk=from_a_case.pk)
    assert (saved.title, saved.source_case_id) == ("家族介護者の離職", case.pk)
    # A case id from elsewhere in the POST is refused like any choice not offered.
    response = counselor.post(
        reverse("community:issue_create"),
        {**data, "title": "別の課題", "source_case": case.pk},
    )
    assert response.status_code == 422
    assert "source_case" in response.context["form"].errors


# --- Forms --------------------------------------------------------------------------------


def test_a_counselor_registers_a_place_from_a_resource_prefilled(ward: Ward) -> None:
    south = ward.districts[1]
    listed = b.resource(ward, "南町の縁側", district=south, year_started=2012, host="南町会")
    b.resource(ward, "印のない会", community=False)
    client = b.as_staff(ward.member(Role.COUNSELOR))
    step1 = client.get(reverse("community:place_create"))
    assert [r.name for r in step1.context["candidates"]] == ["南町の縁側"]
    everything = client.get(reverse("community:place_create") + "?all=1")
    assert {r.name for r in everything.context["candidates"]} == {"南町の縁側", "印のない会"}
    step2 = client.get(reverse("community:place_create") + f"?resource={listed.pk}")
    initial = step2.context["form"].initial
    assert (initial["operator"], initial["district"], initial["year_started"]) == (
        "南町会",
        south,
        2012,
    )
    response = client.post(
        reverse("community:place_create"),
        {
            "resource": listed.pk,
            "operator": "南町会有志",
            "district": south.pk,
            "opening_frequency": "週1回",
            "functions": [PlaceFunction.IBASHO, PlaceFunction.WATCHING],
            "year_started": "2012",
            "succession": Succession.WATCH,
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        place = CommunityPlace.objects.get(resource=listed)
    assert response.url == reverse("community:place_detail", args=[place.pk])
    page = text(client.get(response.url))
    assert "担い手の高齢化・不足に注意" in page and "見守り" in page


def test_bad_input_is_refused_in_japanese_and_nothing_typed_is_lost(ward: Ward) -> None:
    listed = b.resource(ward, "北町の縁側")
    client = b.as_staff(ward.member(Role.COUNSELOR))
    response = client.post(
        reverse("community:place_create"),
        {
            "resource": listed.pk,
            "operator": "北町会有志",
            "district": ward.districts[0].pk,
            "opening_frequency": "",
            "year_started": "3000",
            "succession": Succession.STABLE,
            "succession_note": "世話人が交代を考えている",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["opening_frequency"] == ["開催頻度を入力してください。"]
    assert "開始年は1868年から" in errors["year_started"][0]
    page = text(response)
    assert "北町会有志" in page and "世話人が交代を考えている" in page
    assert not CommunityPlace.all_tenants.exists()


def test_an_outdated_edit_is_refused_the_input_kept_and_the_saved_values_shown(
    ward: Ward,
) -> None:
    place = b.place(ward, "北町サロン", year_started=2010)
    client = b.as_staff(ward.member(Role.COUNSELOR))
    url = reverse("community:place_update", args=[place.pk])
    form = client.get(url).context["form"]
    data = {
        "operator": "北町会の世話人会",
        "district": ward.districts[0].pk,
        "opening_frequency": "週2回",
        "functions": [PlaceFunction.IBASHO, PlaceFunction.EXCHANGE],
        "year_started": "2010",
        "succession": Succession.DISCUSSING,
        "version": form.initial["version"],
    }
    colleague = b.as_staff(ward.member(Role.COORDINATOR))
    assert (
        colleague.post(url, {**data, "operator": "北町会", "succession": "stable"}).status_code
        == 302
    )
    response = client.post(url, data)
    assert response.status_code == 409
    page = text(response)
    assert "表示した後に他の職員が更新しました" in page
    assert "北町会の世話人会" in page  # what was typed is still there
    differences = dict(response.context["differences"])
    assert differences == {"運営者": "北町会", "継承の状況": "安定（担い手あり）"}
    # Saving again, having seen the colleague's change, is a deliberate choice.
    again = client.post(url, {**data, "version": response.context["form"]["version"].value()})
    assert again.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert CommunityPlace.objects.get(pk=place.pk).operator == "北町会の世話人会"


def test_a_project_is_registered_moved_and_its_support_recorded_from_its_page(
    ward: Ward,
) -> None:
    client = b.as_staff(ward.member(Role.COUNSELOR))
    issue = b.issue(ward, "坂の上の買い物")
    form = client.get(reverse("community:project_create") + f"?issue={issue.pk}").context["form"]
    assert form.initial["regional_issue"] == issue
    response = client.post(
        reverse("community:project_create"),
        {
            "title": "坂の上の買い物支援",
            "district": ward.districts[0].pk,
            "organization": ward.center.pk,
            "purpose": "坂の上の高齢者が買い物に行けないという声から。",
            "regional_issue": issue.pk,
            "support": "町会長と民生委員から話を聞いた",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        project = CommunityProject.objects.get(title="坂の上の買い物支援")
    url = reverse("community:project_detail", args=[project.pk])
    page = client.get(url)
    assert [step.state for step in page.context["steps"]] == ["current", "todo", "todo", "todo"]
    assert "町会長と民生委員から話を聞いた" in text(page)
    transition = reverse("community:project_transition", args=[project.pk])
    refused = client.post(
        transition,
        {"transition-to_stage": ProjectStage.ENDED, "transition-version": project.version},
    )
    assert refused.status_code == 422
    assert "「終了」にするには理由が必要です。" in text(refused)
    moved = client.post(
        transition,
        {
            "transition-to_stage": ProjectStage.LAUNCH,
            "transition-support": "移動販売の事業者を紹介した",
            "transition-version": project.version,
        },
    )
    assert moved.status_code == 302
    stale = client.post(
        transition,
        {"transition-to_stage": ProjectStage.RUNNING, "transition-version": project.version},
    )
    assert stale.status_code == 409
    assert "この地域プロジェクトは、表示した後に他の職員が更新しました" in text(stale)
    noted = client.post(
        reverse("community:project_note", args=[project.pk]),
        {"note-support": "担い手の会議で、販売場所を相談した"},
    )
    assert noted.status_code == 302
    page = client.get(url)
    assert [step.state for step in page.context["steps"]] == ["done", "current", "todo", "todo"]
    history = text(page)
    assert "構想 → 立上げ" in history and "担い手の会議で、販売場所を相談した" in history


def test_an_issue_is_advanced_from_its_page_with_a_note(ward: Ward) -> None:
    issue = b.issue(ward, "坂の上の買い物")
    client = b.as_staff(ward.member(Role.COUNSELOR))
    url = reverse("community:issue_advance", args=[issue.pk])
    refused = client.post(
        url, {"advance-to_status": IssueStatus.ANALYSING, "advance-version": issue.version}
    )
    assert refused.status_code == 422
    assert "経過を入力してください。" in text(refused)
    done = client.post(
        url,
        {
            "advance-to_status": IssueStatus.RESOURCE_DEVELOPMENT,
            "advance-note": "地域支援会議で報告し、移動販売の誘致を始めることにした",
            "advance-version": issue.version,
        },
    )
    assert done.status_code == 302
    page = text(client.get(reverse("community:issue_detail", args=[issue.pk])))
    assert "提起 → 社会資源の開発へ" in page
    assert "移動販売の誘致を始めることにした" in page


# --- Queries do not grow with rows --------------------------------------------------------


def test_the_index_queries_do_not_grow_with_the_rows(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            district = ward.districts[n % 2]
            b.place(ward, f"居場所{n:02d}", district=district, year_started=2000 + n)
            b.advance(
                ward, b.project(ward, f"プロジェクト{n:02d}"), *[ProjectStage.LAUNCH][: n % 2]
            )
            b.issue(ward, f"課題{n:02d}", district=district)

    add(2, 0)
    client = b.as_staff(ward.member(Role.COUNSELOR))
    client.get(INDEX)  # warm the session
    with django_assert_max_num_queries(60) as few:
        response = client.get(INDEX)
    assert response.context["place_count"] == 2
    add(10, 2)
    with django_assert_max_num_queries(len(few)):
        response = client.get(INDEX)
    assert response.context["place_count"] == 12
    assert len(response.context["issues"]) == 12


def test_the_detail_pages_queries_do_not_grow_with_their_history(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, ward.coordinating, rf.household(coordinator, ward.coordinating))
    issue = b.issue(ward, "介護離職", actor=coordinator, source=IssueSource.CASE, source_case=case)
    place = b.place(ward, "北町サロン")
    project = b.project(ward, "見守りの輪", place=place, regional_issue=issue)
    client = b.as_staff(coordinator)
    urls = [
        reverse("community:project_detail", args=[project.pk]),
        reverse("community:issue_detail", args=[issue.pk]),
        reverse("community:place_detail", args=[place.pk]),
    ]
    client.get(urls[0])
    counts = []
    for url in urls:
        with django_assert_max_num_queries(70) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    day = timezone.localdate() - timedelta(days=1)
    with tenancy.tenant_context(ward.municipality):
        from tsunagu.community import services

        for n in range(8):
            services.community_project_note(
                actor=coordinator, project=project, support=f"支援{n}", happened_on=day
            )
            fresh = RegionalIssue.objects.get(pk=issue.pk)
            services.regional_issue_advance(
                actor=coordinator,
                issue=fresh,
                to_status=IssueStatus.ANALYSING if n % 2 == 0 else IssueStatus.RAISED,
                note=f"経過{n}",
                version=fresh.version,
            )
        for n in range(5):
            b.project(ward, f"同じ居場所のプロジェクト{n}", place=place)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_a_resource_page_s_community_flag_follows_the_place(ward: Ward) -> None:
    """(The directory keeps its own flag; registering a place is what sets it.)"""
    unmarked = b.resource(ward, "印のない会", community=False)
    client = b.as_staff(ward.member(Role.SYSADMIN))
    response = client.post(
        reverse("community:place_create"),
        {
            "all": "1",
            "resource": unmarked.pk,
            "operator": "有志の会",
            "district": ward.districts[0].pk,
            "opening_frequency": "月1回",
            "functions": [PlaceFunction.LEARNING],
            "succession": Succession.STABLE,
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert Resource.objects.get(pk=unmarked.pk).is_community_place
