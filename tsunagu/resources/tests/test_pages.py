"""The resource directory as a CSW uses it to find a place for someone, and as
a coordinator keeps it: the list and its filters, a resource's page, the form
with schedules and place, providers, archiving — who may do what, another
municipality's directory out of reach, Japanese errors, no lost edits, and a
list whose queries do not grow with its rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.directory.models import District
from tsunagu.participation.models import Participation, Stage
from tsunagu.resources import services
from tsunagu.resources.models import (
    Category,
    Ease,
    Frequency,
    Location,
    Need,
    Provider,
    Resource,
    ResourceLocation,
    Schedule,
    Status,
)
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


# --- Making a directory ------------------------------------------------------------------


def provider(ward: Ward, name: str = "NPO法人みどりの森", **fields: Any) -> Provider:
    with tenancy.tenant_context(ward.municipality):
        return Provider.objects.create(name=name, kind=fields.pop("kind", "npo"), **fields)


def resource(
    ward: Ward,
    name: str,
    *,
    host: Provider | None = None,
    category: str = Category.PLACE,
    rules: tuple[tuple[str, str], ...] = ((Frequency.MONTHLY, "2TU"),),
    district: District | None = None,
    place: str = "",
    **fields: Any,
) -> Resource:
    """A resource with its schedules (freq, byday; 10時〜12時) and, when a district
    or place is named, a place in it."""
    host = host or provider(ward)
    with tenancy.tenant_context(ward.municipality):
        created = Resource.objects.create(provider=host, name=name, category=category, **fields)
        for freq, byday in rules:
            Schedule.objects.create(
                resource=created,
                freq=freq,
                byday=byday,
                opens_at=datetime.time(10),
                closes_at=datetime.time(12),
            )
        if district is not None or place:
            location = Location.objects.create(
                provider=host,
                name=place or f"{name}の会場",
                address="テスト区北町2-3-4",
                district=district,
            )
            ResourceLocation.objects.create(resource=created, location=location)
    return created


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def names_listed(client: Client, query: str = "") -> list[str]:
    response = client.get(reverse("resources:list") + query)
    assert response.status_code == 200
    return [row.resource.name for row in response.context["rows"]]


def values_of(form: Any) -> dict[str, Any]:
    """A rendered form's current values as its POST data would carry them."""
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, datetime.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[field.html_name] = value
    return data


def page_data(response: Any) -> dict[str, Any]:
    """Everything the edit page would post back if the user changed nothing."""
    data = values_of(response.context["form"])
    for form in response.context["schedule_forms"]:
        data.update(values_of(form))
    data.update(values_of(response.context["location_form"]))
    return data


def resource_post(ward: Ward, host: Provider, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": host.pk,
        "name": "コーヒーサロン ひだまり",
        "category": Category.SALON,
        "status": Status.ACTIVE,
        "is_community_place": "on",
        "description": "月に一度、コーヒーを飲みながら過ごす場です。",
        "audience": "地域の誰でも",
        "offers": "コーヒー、おしゃべり、囲碁",
        "needs": [Need.PEOPLE, Need.MONEY],
        "needs_note": "コーヒーを淹れるボランティア",
        "ease": [Ease.SHORT_TIME, Ease.VISIT_FIRST],
        "interests": "コーヒー、囲碁, 読書",
        "capacity": "12",
        "year_started": "2010",
        "contact_name": "山田 春子",
        "schedule-0-freq": Frequency.MONTHLY,
        "schedule-0-interval": "1",
        "schedule-0-ordinals": ["2"],
        "schedule-0-weekdays": ["TU"],
        "schedule-0-opens_at": "10:00",
        "schedule-0-closes_at": "12:00",
        "schedule-1-interval": "1",
        "schedule-2-interval": "1",
        "location-name": "北町会館",
        "location-postal_code": "１２３４５６７",
        "location-address": "テスト区北町1-2-3",
        "location-district": ward.districts[0].pk,
    }
    data.update(overrides)
    return data


@pytest.fixture
def directory(ward: Ward) -> dict[str, Resource]:
    """A small directory: a salon in the north (2nd Tuesday, short time and visits
    welcome), a farm in the south (weekly Wednesday, quiet), a cafeteria that is
    temporarily closed, and an archived one."""
    north, south = ward.districts
    forest = provider(ward, "NPO法人みどりの森")
    farm_host = provider(ward, "ひまわり農園", kind="farm")
    return {
        "salon": resource(
            ward,
            "サロン北町",
            host=forest,
            category=Category.SALON,
            district=north,
            ease=[Ease.SHORT_TIME, Ease.VISIT_FIRST],
            interests=["おしゃべり"],
            capacity=10,
            is_community_place=True,
        ),
        "farm": resource(
            ward,
            "畑の会",
            host=farm_host,
            category=Category.FARM,
            rules=((Frequency.WEEKLY, "WE"),),
            district=south,
            ease=[Ease.QUIET, Ease.SHORT_TIME],
            interests=["農作業"],
            description="野菜を育てます。",
        ),
        "closed": resource(
            ward,
            "こども食堂みなみ",
            host=forest,
            category=Category.CHILDREN_CAFETERIA,
            status=Status.TEMPORARILY_CLOSED,
        ),
        "archived": resource(
            ward, "終わった体操教室", host=forest, archived_at=datetime.datetime.now(datetime.UTC)
        ),
    }


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_what_a_csw_looks_for_and_is_audited(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    response = as_staff(counselor).get(reverse("resources:list"))
    assert response.status_code == 200
    body = response.content.decode()
    # Active ones only by default, by name.
    assert [row.resource.name for row in response.context["rows"]] == ["サロン北町", "畑の会"]
    assert "2件" in body
    for shown in (
        "サロン北町",
        "サロン",
        "NPO法人みどりの森",
        "北",
        "毎月第2火曜日 10時〜12時",
        "毎週水曜日 10時〜12時",
        "短時間可",
        "見学可",
        "10人",
        "活動中",
        "居場所・拠点",
    ):
        assert shown in body, shown
    assert 'class="table-wrap"' in body
    assert '<option value="" selected>活動中のみ</option>' in body
    assert reverse("resources:create") in body
    event = AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="resources.resource"
    ).latest("id")
    assert event.actor_id == counselor.pk
    assert sorted(event.detail["shown"]) == sorted([directory["salon"].pk, directory["farm"].pk])


def test_status_filter_shows_closed_and_archived_on_request(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    assert names_listed(client, "?status=all") == ["こども食堂みなみ", "サロン北町", "畑の会"]
    assert names_listed(client, f"?status={Status.TEMPORARILY_CLOSED}") == ["こども食堂みなみ"]
    assert names_listed(client, "?status=archived") == ["終わった体操教室"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?district={north}", ["サロン北町"]),
        ("?district={south}", ["畑の会"]),
        ("?weekday=TU", ["サロン北町"]),
        ("?weekday=WE", ["畑の会"]),
        ("?weekday=FR", []),
        ("?ease=short_time", ["サロン北町", "畑の会"]),
        # Several ease codes: every one of them.
        ("?ease=short_time&ease=quiet", ["畑の会"]),
        ("?category=farm", ["畑の会"]),
        ("?place=on", ["サロン北町"]),
        # Keyword: katakana typed as hiragana or half-width, in any field searched.
        ("?q=さろん", ["サロン北町"]),
        ("?q=ｻﾛﾝ", ["サロン北町"]),
        ("?q=のうさぎょう", []),
        ("?q=農作業", ["畑の会"]),
        ("?q=野菜", ["畑の会"]),
        ("?q=ひまわり農園", ["畑の会"]),
        ("?q=おしゃべり+北町", ["サロン北町"]),
        ("?q=おしゃべり+南町", []),
    ],
)
def test_filters_narrow_the_list(
    ward: Ward, directory: dict[str, Resource], query: str, expected: list[str]
) -> None:
    north, south = ward.districts
    client = as_staff(ward.member(Role.COUNSELOR))
    assert names_listed(client, query.format(north=north.pk, south=south.pk)) == expected


def test_a_katakana_keyword_finds_a_name_written_in_hiragana(ward: Ward) -> None:
    resource(ward, "ふれあいさろん", category=Category.SALON)
    client = as_staff(ward.member(Role.COUNSELOR))
    assert names_listed(client, "?q=サロン") == ["ふれあいさろん"]


def test_filters_of_no_meaning_are_ignored_not_refused(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    assert names_listed(client, "?district=abc&weekday=XX&page=99") == ["サロン北町", "畑の会"]
    # The readable ones still apply.
    assert names_listed(client, "?district=abc&q=はたけ&category=farm") == []
    assert names_listed(client, "?district=abc&category=farm") == ["畑の会"]


def test_another_municipality_s_resources_are_never_listed_nor_reachable(
    ward: Ward, other_ward: Ward, directory: dict[str, Resource]
) -> None:
    foreign = resource(
        other_ward,
        "よそのサロン",
        host=provider(other_ward, "よその団体"),
        category=Category.SALON,
        district=other_ward.districts[0],
    )
    foreign_host = Provider.all_tenants.get(pk=foreign.provider_id)
    client = as_staff(ward.member(Role.COUNSELOR))
    assert "よそのサロン" not in names_listed(client, "?status=all")
    assert "よそのサロン" not in names_listed(client, "?q=サロン")
    assert client.get(reverse("resources:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("resources:update", args=[foreign.pk])).status_code == 404
    response = client.post(
        reverse("resources:update", args=[foreign.pk]),
        resource_post(ward, foreign_host, name="乗っ取り", version="1"),
    )
    assert response.status_code == 404
    response = client.post(reverse("resources:archive", args=[foreign.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert (
        client.get(reverse("resources:provider_update", args=[foreign_host.pk])).status_code == 404
    )
    providers = client.get(reverse("resources:provider_list")).content.decode()
    assert foreign_host.name not in providers
    # A provider of another municipality cannot be given to a resource here.
    response = client.post(reverse("resources:create"), resource_post(ward, foreign_host))
    assert response.status_code == 422
    assert "provider" in response.context["form"].errors
    foreign.refresh_from_db()
    assert foreign.name == "よそのサロン" and foreign.archived_at is None
    assert not Resource.all_tenants.filter(name="乗っ取り").exists()


def test_the_list_queries_do_not_grow_with_the_rows(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    north = ward.districts[0]

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            resource(
                ward,
                f"居場所{n:02d}",
                host=provider(ward, f"団体{n:02d}"),
                rules=((Frequency.MONTHLY, "2TU"), (Frequency.WEEKLY, "FR")),
                district=north,
                ease=[Ease.QUIET],
            )

    add(3, 0)
    client = as_staff(ward.member(Role.COUNSELOR))
    client.get(reverse("resources:list"))  # warm the session
    query = f"?q=居場所&ease=quiet&district={north.pk}&weekday=FR"
    with django_assert_max_num_queries(60) as few:
        response = client.get(reverse("resources:list") + query)
    assert len(response.context["rows"]) == 3
    add(17, 3)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("resources:list") + query)
    rows = response.context["rows"]
    assert len(rows) == 20
    assert all(row.districts == ["北"] for row in rows)
    assert all(len(row.schedules) == 2 for row in rows)


# --- Who may do what ----------------------------------------------------------------------


def test_a_manager_reads_but_does_not_keep_the_directory(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    salon = directory["salon"]
    client = as_staff(ward.member(Role.MANAGER))
    listing = client.get(reverse("resources:list"))
    assert listing.status_code == 200
    assert reverse("resources:create") not in listing.content.decode()
    detail = client.get(reverse("resources:detail", args=[salon.pk]))
    assert detail.status_code == 200
    assert reverse("resources:update", args=[salon.pk]) not in detail.content.decode()
    assert client.get(reverse("resources:provider_list")).status_code == 200
    assert client.get(reverse("resources:create")).status_code == 403
    host = Provider.objects.none().model.all_tenants.get(pk=salon.provider_id)
    assert client.post(reverse("resources:create"), resource_post(ward, host)).status_code == 403
    assert client.get(reverse("resources:update", args=[salon.pk])).status_code == 403
    assert (
        client.post(reverse("resources:archive", args=[salon.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert client.get(reverse("resources:provider_create")).status_code == 403
    assert client.get(reverse("resources:provider_update", args=[host.pk])).status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=ward.member(Role.MANAGER)
    ).exists()


def test_the_system_administrator_keeps_the_directory(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    client = as_staff(ward.member(Role.SYSADMIN))
    assert client.get(reverse("resources:create")).status_code == 200
    assert client.get(reverse("resources:provider_create")).status_code == 200


@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("list", False),
        ("create", False),
        ("detail", True),
        ("update", True),
        ("provider_list", False),
        ("provider_create", False),
        ("provider_update", True),
    ],
)
def test_an_external_guest_sees_none_of_it(
    ward: Ward, directory: dict[str, Resource], name: str, needs_pk: bool
) -> None:
    salon = directory["salon"]
    pk = salon.provider_id if name.startswith("provider") else salon.pk
    url = reverse(f"resources:{name}", args=[pk] if needs_pk else [])
    response = as_staff(ward.member(Role.GUEST)).get(url)
    assert response.status_code in (403, 404)
    assert "サロン北町" not in response.content.decode()


# --- A resource's page --------------------------------------------------------------------


@pytest.fixture
def november(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """Today is 2026-11-01 (令和8年)."""
    today = datetime.date(2026, 11, 1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: today)
    return today


def test_the_page_shows_everything_a_csw_needs(
    ward: Ward, directory: dict[str, Resource], november: datetime.date
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    salon = directory["salon"]
    with tenancy.tenant_context(ward.municipality):
        Resource.objects.filter(pk=salon.pk).update(
            needs=[Need.PEOPLE, Need.THINGS],
            needs_note="調理のボランティア",
            audience="ひとり暮らしの高齢者",
            offers="お茶とおしゃべり",
            year_started=2000,
            contact_name="佐藤 和子",
            fees_description="100円",
        )
    response = as_staff(counselor).get(reverse("resources:detail", args=[salon.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (
        "サロン北町",
        "NPO法人みどりの森",
        "人",
        "物",
        "調理のボランティア",
        "ひとり暮らしの高齢者",
        "お茶とおしゃべり",
        "短時間可",
        "見学可",
        "100円",
        "佐藤 和子",
        "毎月第2火曜日 10時〜12時",
        # The next two dates, in 和暦.
        "令和8年11月10日",
        "令和8年12月8日",
        "サロン北町の会場",
        "テスト区北町2-3-4",
        "開始から26年",
        "継承の支援",
        "活動中",
    ):
        assert shown in body, shown
    assert response.context["links"][0].location.district == ward.districts[0]
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert (event.object_type, event.object_id) == ("resources.resource", str(salon.pk))
    assert event.actor_id == counselor.pk and event.basis == "municipality_staff"


def test_a_young_activity_carries_no_succession_note(
    ward: Ward, directory: dict[str, Resource], november: datetime.date
) -> None:
    salon = directory["salon"]
    with tenancy.tenant_context(ward.municipality):
        Resource.objects.filter(pk=salon.pk).update(year_started=2020)
    body = (
        as_staff(ward.member(Role.MANAGER))
        .get(reverse("resources:detail", args=[salon.pk]))
        .content.decode()
    )
    assert "開始から6年" in body
    assert "継承の支援" not in body


def test_the_page_counts_the_people_connected_without_naming_them(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    salon = directory["salon"]
    names = ["一郎", "二郎", "三郎", "四郎"]
    stages = [Stage.TRIAL, Stage.PARTICIPATING, Stage.PROPOSED, Stage.ENDED]
    for given_name, stage in zip(names, stages, strict=True):
        person = rf.person(counselor, ward.center, family_name="高橋", given_name=given_name)
        with tenancy.tenant_context(ward.municipality):
            Participation.objects.create(
                person=person,
                resource=salon,
                organization=ward.center,
                stage=stage,
                stage_changed_on=datetime.date(2026, 4, 1),
                proposed_on=datetime.date(2026, 4, 1),
            )
    # A manager sees no one's records, and still sees how many are there now.
    response = as_staff(ward.member(Role.MANAGER)).get(reverse("resources:detail", args=[salon.pk]))
    assert response.context["connected"] == 2
    body = response.content.decode()
    assert "2人" in body
    assert "高橋" not in body


# --- Registering and changing -------------------------------------------------------------


def test_a_counselor_registers_a_resource_with_its_schedule_and_place(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    host = provider(ward)
    client = as_staff(counselor)
    assert client.get(reverse("resources:create")).status_code == 200
    response = client.post(reverse("resources:create"), resource_post(ward, host))
    assert response.status_code == 302, response.context and response.context["form"].errors
    with tenancy.tenant_context(ward.municipality):
        saved = Resource.objects.get(name="コーヒーサロン ひだまり")
        assert response["Location"] == reverse("resources:detail", args=[saved.pk])
        assert saved.provider == host
        assert saved.needs == [Need.PEOPLE, Need.MONEY]
        assert saved.ease == [Ease.SHORT_TIME, Ease.VISIT_FIRST]
        assert saved.interests == ["コーヒー", "囲碁", "読書"]
        assert (saved.capacity, saved.year_started, saved.version) == (12, 2010, 1)
        assert saved.created_by == counselor
        schedules = list(saved.schedules.all())
        assert [(s.freq, s.byday) for s in schedules] == [("MONTHLY", "2TU")]
        assert schedules[0].label() == "毎月第2火曜日 10時〜12時"
        location = saved.resource_locations.get().location
        assert (location.name, location.postal_code, location.district) == (
            "北町会館",
            "123-4567",
            ward.districts[0],
        )
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="resources.resource")
    assert created.actor_id == counselor.pk
    assert created.detail["schedules"] == 1 and created.detail["location"] is True
    # The new resource is found by a hiragana keyword.
    assert names_listed(client, "?q=ひだまり") == ["コーヒーサロン ひだまり"]


def test_bad_input_is_refused_in_japanese_and_nothing_typed_is_lost(ward: Ward) -> None:
    host = provider(ward)
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.post(
        reverse("resources:create"),
        resource_post(
            ward,
            host,
            name="",
            description="説明はここに残ります",
            **{
                "schedule-0-ordinals": [],
                "schedule-1-freq": Frequency.WEEKLY,
                "schedule-1-weekdays": ["MO"],
                "schedule-1-opens_at": "15:00",
                "schedule-1-closes_at": "13:00",
                "location-name": "",
                "location-postal_code": "12-34",
            },
        ),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "名称を入力してください。" in body
    assert "第何週か" in body
    assert "終了時刻は開始時刻より後にしてください。" in body
    assert "場所の名称を入力してください" in body
    assert "郵便番号は「123-4567」の形で入力してください。" in body
    # What was typed is still there.
    assert "説明はここに残ります" in body
    assert "コーヒー、囲碁, 読書" in body
    assert 'aria-invalid="true"' in body
    assert not Resource.objects.exists()


def test_the_service_s_refusals_reach_the_form(ward: Ward) -> None:
    host = provider(ward)
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.post(
        reverse("resources:create"),
        resource_post(ward, host, minimum_age="65", maximum_age="18", year_started="2999"),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "対象年齢の上限は下限以上にしてください。" in errors["maximum_age"]
    assert "開始年は1868年から" in errors["year_started"][0]
    with tenancy.tenant_context(ward.municipality):
        assert not Resource.objects.exists()


def test_a_change_on_an_outdated_page_is_refused_and_the_input_kept(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    salon = directory["salon"]
    client = as_staff(counselor)
    page = client.get(reverse("resources:update", args=[salon.pk]))
    data = page_data(page)
    assert data["version"] == 1
    # A colleague changes the status meanwhile.
    with tenancy.tenant_context(ward.municipality):
        colleague = Resource.objects.get(pk=salon.pk)
        colleague.status = Status.TEMPORARILY_CLOSED
        services.resource_save(
            actor=ward.member(Role.SYSADMIN), resource=colleague, version=1, changed=["status"]
        )
    data["name"] = "サロン北町（火曜の会）"
    response = client.post(reverse("resources:update", args=[salon.pk]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "他の職員が更新しました" in body
    assert "サロン北町（火曜の会）" in body
    # What differs now is shown: the colleague's status beside the user's input.
    differences = dict(response.context["differences"])
    assert differences["状態"] == "休止中"
    assert differences["名称"] == "サロン北町"
    with tenancy.tenant_context(ward.municipality):
        unchanged = Resource.objects.get(pk=salon.pk)
        assert (unchanged.name, unchanged.version) == ("サロン北町", 2)
    # Having seen it, the user saves again on the latest version.
    again = page_data(response)
    assert int(again["version"]) == 2
    assert client.post(reverse("resources:update", args=[salon.pk]), again).status_code == 302
    with tenancy.tenant_context(ward.municipality):
        saved = Resource.objects.get(pk=salon.pk)
        assert (saved.name, saved.status, saved.version) == (
            "サロン北町（火曜の会）",
            Status.ACTIVE,
            3,
        )


def test_saving_an_unchanged_page_keeps_schedules_and_place(ward: Ward) -> None:
    """An imported resource with more schedules than the form's rows, one of them a
    rule the checkboxes cannot show, keeps them all when saved."""
    imported = resource(
        ward,
        "体操の会",
        rules=(
            (Frequency.MONTHLY, "1MO,3WE"),
            (Frequency.WEEKLY, "TU"),
            (Frequency.MONTHLY, "-1FR"),
            (Frequency.WEEKLY, "SA"),
        ),
        district=ward.districts[1],
    )
    with tenancy.tenant_context(ward.municipality):
        before = list(
            Schedule.objects.filter(resource=imported)
            .order_by("id")
            .values_list("hsds_id", "freq", "byday")
        )
        place = imported.resource_locations.get().location_id
    client = as_staff(ward.member(Role.COUNSELOR))
    page = client.get(reverse("resources:update", args=[imported.pk]))
    assert len(page.context["schedule_forms"]) == 4
    assert "毎月第1月曜日・第3水曜日" in page.content.decode()
    response = client.post(reverse("resources:update", args=[imported.pk]), page_data(page))
    assert response.status_code == 302, response.context and response.context["form"].errors
    with tenancy.tenant_context(ward.municipality):
        after = list(
            Schedule.objects.filter(resource=imported)
            .order_by("id")
            .values_list("hsds_id", "freq", "byday")
        )
        assert after == before
        assert imported.resource_locations.get().location_id == place


def test_moving_a_resource_away_from_a_shared_place_does_not_move_the_others(
    ward: Ward,
) -> None:
    first = resource(ward, "囲碁の会", place="北町会館", district=ward.districts[0])
    second = resource(ward, "将棋の会", host=first.provider)
    with tenancy.tenant_context(ward.municipality):
        hall = first.resource_locations.get().location
        ResourceLocation.objects.create(resource=second, location=hall)
    client = as_staff(ward.member(Role.COUNSELOR))
    page = client.get(reverse("resources:update", args=[second.pk]))
    data = page_data(page)
    data.update({"location-name": "南町公民館", "location-address": "テスト区南町5-6"})
    assert client.post(reverse("resources:update", args=[second.pk]), data).status_code == 302
    with tenancy.tenant_context(ward.municipality):
        hall.refresh_from_db()
        assert hall.name == "北町会館"
        assert first.resource_locations.get().location == hall
        assert second.resource_locations.get().location.name == "南町公民館"


def test_archiving_needs_a_reason_and_takes_the_resource_off_the_list(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    salon = directory["salon"]
    client = as_staff(ward.member(Role.COUNSELOR))
    url = reverse("resources:archive", args=[salon.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": " "}, follow=True)
    assert "アーカイブの理由を入力してください。" in response.content.decode()
    assert "サロン北町" in names_listed(client)
    response = client.post(url, {"reason": "会場の閉鎖により終了"})
    assert response.status_code == 302
    assert "サロン北町" not in names_listed(client)
    assert names_listed(client, "?status=archived") == ["サロン北町", "終わった体操教室"]
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE, object_type="resources.resource")
    assert event.detail == {"reason": "会場の閉鎖により終了"}
    detail = client.get(reverse("resources:detail", args=[salon.pk])).content.decode()
    assert "会場の閉鎖により終了" in detail
    client.post(url, {"restore": "1"})
    assert "サロン北町" in names_listed(client)


# --- Providers ----------------------------------------------------------------------------


def test_providers_are_listed_with_their_resources(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    response = as_staff(ward.member(Role.MANAGER)).get(reverse("resources:provider_list"))
    assert response.status_code == 200
    counts = {p.name: p.resource_count for p in response.context["providers"]}
    # Archived resources are not counted.
    assert counts == {"NPO法人みどりの森": 2, "ひまわり農園": 1}
    assert "農園" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="resources.provider"
    ).exists()
    host = Provider.objects.none().model.all_tenants.get(name="ひまわり農園")
    farm_only = as_staff(ward.member(Role.MANAGER)).get(
        reverse("resources:list") + f"?provider={host.pk}&status=all"
    )
    assert [row.resource.name for row in farm_only.context["rows"]] == ["畑の会"]


def test_a_provider_registered_from_the_resource_form_leads_back_to_it(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    client = as_staff(counselor)
    response = client.post(
        reverse("resources:provider_create") + "?for=resource",
        {
            "name": "蓮華寺",
            "kind": "temple",
            "phone": "03-0000-1111",
            "year_incorporated": "1650",
            "for": "resource",
        },
    )
    # 1650 is before 明治: refused in Japanese, the name kept.
    assert response.status_code == 422
    assert "設立年は1868年から" in response.content.decode()
    assert "蓮華寺" in response.content.decode()
    response = client.post(
        reverse("resources:provider_create"),
        {"name": "蓮華寺", "kind": "temple", "year_incorporated": "1950", "for": "resource"},
    )
    with tenancy.tenant_context(ward.municipality):
        temple = Provider.objects.get(name="蓮華寺")
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:create") + f"?provider={temple.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form["provider"].value() == temple.pk
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="resources.provider")
    assert event.actor_id == counselor.pk


def test_a_provider_with_listed_resources_cannot_be_archived(
    ward: Ward, directory: dict[str, Resource]
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    farm_host = directory["farm"].provider
    url = reverse("resources:provider_archive", args=[farm_host.pk])
    response = client.post(url, {"reason": "解散"}, follow=True)
    assert "掲載中の社会資源があります" in response.content.decode()
    farm_host.refresh_from_db()
    assert farm_host.archived_at is None
    client.post(reverse("resources:archive", args=[directory["farm"].pk]), {"reason": "終了"})
    assert client.post(url, {"reason": "解散"}).status_code == 302
    farm_host.refresh_from_db()
    assert farm_host.archive_reason == "解散"
    listed = client.get(reverse("resources:provider_list")).context["providers"]
    assert farm_host.pk not in [p.pk for p in listed]


def test_a_provider_is_edited(ward: Ward) -> None:
    host = provider(ward, "ひまわり農園", kind="farm")
    client = as_staff(ward.member(Role.SYSADMIN))
    url = reverse("resources:provider_update", args=[host.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "ひまわり農園", "kind": "farm", "website": "example.jp", "email": "farm@"},
    )
    assert response.status_code == 422
    assert (
        "メールアドレスの形（例: name@example.lg.jp）で入力してください。"
        in response.content.decode()
    )
    response = client.post(url, {"name": "ひまわり農園", "kind": "farm", "phone": "03-1111-2222"})
    assert response.status_code == 302
    host.refresh_from_db()
    assert host.phone == "03-1111-2222"
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="resources.provider")
    assert event.detail == {"fields": ["phone"]}
