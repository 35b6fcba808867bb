"""The resource directory in Open Referral HSDS 3.0: every exported object is
checked against the official schemas (jsonschema, Draft 2020-12, formats
checked), the Page wrapper is right, tenants never mix, archived rows stay
out, exports are audited; every official example imports, an import that does
not conform is refused in Japanese with nothing written, and a round trip into
another municipality keeps names, schedules and our attributes."""

from __future__ import annotations

import datetime
import io
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.resources import hsds
from tsunagu.resources.models import (
    Category,
    Ease,
    Frequency,
    Location,
    Need,
    Provider,
    ProviderKind,
    Resource,
    ResourceLocation,
    Schedule,
    Status,
)
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

# The standard the tests read: the official HSDS 3.0 files shipped with the
# package (hsds_standard/), proven identical to the standards folder beside the
# repository wherever that folder is present (see the last test).
STANDARD = Path(settings.BASE_DIR) / "tsunagu" / "resources" / "hsds_standard"
SCHEMA = STANDARD / "schema"
EXAMPLES = STANDARD / "examples"
OFFICIAL = Path(settings.BASE_DIR).parent / "shared" / "standards" / "hsds-3.0"
API = "/api/v1/hsds"


# --- Schemas, built here from the official files (not by the code under test) ----------


def _registry() -> Registry[Any]:
    assert (SCHEMA / "service.json").is_file(), f"HSDS 3.0 schemas are missing at {SCHEMA}"
    files = sorted([*SCHEMA.glob("*.json"), *(SCHEMA / "compiled").glob("*.json")])
    return Registry().with_resources(
        (f.as_uri(), DRAFT202012.create_resource(json.loads(f.read_text("utf-8")))) for f in files
    )


REGISTRY = _registry()
OPENAPI = json.loads((SCHEMA / "openapi.json").read_text("utf-8"))


def checker() -> FormatChecker:
    """Every format the schemas use: uuid and email as jsonschema checks them;
    date-time and uri, which it checks only with packages we do not install, here."""
    found = FormatChecker()

    @found.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        if isinstance(value, str):
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if "T" not in value or moment.tzinfo is None:
                raise ValueError(value)
        return True

    @found.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        if isinstance(value, str) and not urlsplit(value).scheme:
            raise ValueError(value)
        return True

    return found


def errors_of(instance: Any, schema: str | dict[str, Any]) -> list[str]:
    # The schema files declare no dialect; the HSDS OpenAPI document's is 2020-12.
    assert OPENAPI["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    if isinstance(schema, str):
        schema = {"$ref": (SCHEMA / schema).as_uri()}
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=checker())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def assert_valid(instance: Any, schema: str | dict[str, Any]) -> None:
    assert errors_of(instance, schema) == []


def assert_page(document: dict[str, Any], item_schema: str) -> None:
    """A Page as the HSDS OpenAPI document answers a list (Page + typed contents)."""
    assert_valid(
        document,
        {
            "allOf": [{"$ref": (SCHEMA / "openapi.json").as_uri() + "#/components/schemas/Page"}],
            "required": ["contents"],
            "properties": {
                "contents": {"type": "array", "items": {"$ref": (SCHEMA / item_schema).as_uri()}}
            },
        },
    )
    assert set(document) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }


def test_the_format_checker_really_checks_uuids() -> None:
    """Otherwise every ``format: uuid`` below would pass whatever the ids were."""
    assert errors_of({"id": "not-a-uuid", "name": "x", "status": "active"}, "service.json")
    assert (
        errors_of({"id": str(uuid.uuid4()), "name": "x", "status": "active"}, "service.json") == []
    )


# --- A realistic directory -------------------------------------------------------------


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def add_directory(ward: Ward) -> dict[str, Any]:
    """Three resources of three hosts, in both districts: a monthly 第2火曜日 salon,
    a weekly farm with a fortnightly Friday, a temple's last-Friday sutra copying
    (with an attribute imported from another system), the hall's own opening
    hours; plus an archived resource and a resource of an archived host."""
    north, south = ward.districts
    with tenancy.tenant_context(ward.municipality):
        npo = Provider.objects.create(
            name="NPO法人みどりの森",
            kind=ProviderKind.NPO,
            description="地域の居場所づくりをしています。",
            phone="03-1111-2222",
            email="info@midori.example.jp",
            website="https://midori.example.jp/",
            year_incorporated=2005,
        )
        farm_host = Provider.objects.create(name="ひまわり農園", kind=ProviderKind.FARM)
        temple = Provider.objects.create(name="光明寺", kind=ProviderKind.TEMPLE)
        gone_host = Provider.objects.create(
            name="解散した会", archived_at=timezone.now(), archive_reason="解散"
        )
        hall = Location.objects.create(
            provider=npo,
            name="北町会館",
            postal_code="123-4567",
            address="東京都テスト区北町1-2-3",
            district=north,
            accessibility="1階・段差なし",
            transportation="テスト駅から徒歩5分",
            latitude="35.633000",
            longitude="139.698000",
        )
        field = Location.objects.create(
            provider=farm_host,
            name="ひまわり農園の畑",
            address="テスト区南町4-5-6",
            district=south,
        )
        hondo = Location.objects.create(
            provider=temple, name="光明寺 本堂", address="テスト区寺町7-8"
        )
        salon = Resource.objects.create(
            provider=npo,
            name="サロン北町",
            category=Category.SALON,
            is_community_place=True,
            description="お茶を飲みながら過ごす場です。",
            audience="地域の誰でも",
            offers="お茶、手芸、おしゃべり",
            needs=[Need.PEOPLE, Need.THINGS],
            needs_note="調理のボランティア",
            ease=[Ease.SHORT_TIME, Ease.VISIT_FIRST, Ease.FREE],
            interests=["お茶", "手芸"],
            capacity=15,
            year_started=1998,
            fees_description="無料",
            contact_name="山田 春子",
            contact_phone="03-1111-3333",
            contact_email="salon@midori.example.jp",
            minimum_age=18,
        )
        farm = Resource.objects.create(
            provider=farm_host,
            name="畑の会",
            category=Category.FARM,
            ease=[Ease.QUIET, Ease.ALONE_OK],
            interests=["農作業"],
            fees_description="参加費300円（保険代）",
            year_started=2012,
        )
        sutra = Resource.objects.create(
            provider=temple,
            name="写経の会",
            category=Category.TEMPLE,
            status=Status.TEMPORARILY_CLOSED,
            extra_terms=[
                {
                    "taxonomy": "https://example.org/taxonomy",
                    "code": "SPIRIT-1",
                    "name": "精神的な支え",
                    "value": "月1回",
                    "term_id": "9d0f0b9e-3d38-4b8a-9b0b-6f0c3e6e4f11",
                }
            ],
        )
        archived = Resource.objects.create(
            provider=npo,
            name="終了したサロン",
            category=Category.SALON,
            archived_at=timezone.now(),
            archive_reason="終了",
        )
        orphan = Resource.objects.create(
            provider=gone_host, name="解散した会の集い", category=Category.PLACE
        )
        links = {
            "salon": ResourceLocation.objects.create(resource=salon, location=hall),
            "farm": ResourceLocation.objects.create(resource=farm, location=field),
            "sutra": ResourceLocation.objects.create(resource=sutra, location=hondo),
        }
        Schedule.objects.create(
            resource=salon,
            freq=Frequency.MONTHLY,
            byday="2TU",
            opens_at=datetime.time(10),
            closes_at=datetime.time(12),
        )
        Schedule.objects.create(
            resource=farm,
            location=field,
            freq=Frequency.WEEKLY,
            byday="SA",
            opens_at=datetime.time(9),
            closes_at=datetime.time(11, 30),
            valid_from=datetime.date(2024, 4, 1),
        )
        Schedule.objects.create(
            resource=farm,
            freq=Frequency.WEEKLY,
            interval=2,
            byday="FR",
            opens_at=datetime.time(13, 30),
        )
        Schedule.objects.create(
            resource=sutra,
            freq=Frequency.MONTHLY,
            byday="-1FR",
            opens_at=datetime.time(14),
            closes_at=datetime.time(15),
            description="本堂で",
        )
        Schedule.objects.create(
            location=hall,
            freq=Frequency.WEEKLY,
            byday="MO,WE,FR",
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
        )
    return {
        "salon": salon,
        "farm": farm,
        "sutra": sutra,
        "archived": archived,
        "orphan": orphan,
        "links": links,
        "providers": [npo, farm_host, temple],
        "gone_host": gone_host,
    }


@pytest.fixture
def directory(ward: Ward) -> dict[str, Any]:
    return add_directory(ward)


@pytest.fixture
def elsewhere(other_ward: Ward) -> Resource:
    with tenancy.tenant_context(other_ward.municipality):
        host = Provider.objects.create(name="よそ区の団体")
        return Resource.objects.create(
            provider=host, name="よそ区のサロン", category=Category.SALON
        )


LISTED = ["サロン北町", "写経の会", "畑の会"]  # by name, as the pages are ordered


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(API + url, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- Export: every object against its schema ---------------------------------------------


def test_base_answers_the_version_and_profile(ward: Ward) -> None:
    body = get(as_staff(ward.member(Role.COUNSELOR)), "/")
    base = OPENAPI["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert_valid(body, base["schema"])
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/v1/openapi.json")
    assert body["profile"]


def test_service_pages_validate_and_count_right(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    first = get(client, "/services", per_page=2)
    assert_page(first, "compiled/service_list.json")
    assert first | {"contents": None} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
        "contents": None,
    }
    second = get(client, "/services", per_page=2, page=2)
    assert_page(second, "compiled/service_list.json")
    assert (second["page_number"], second["size"], second["first_page"], second["last_page"]) == (
        2,
        1,
        False,
        True,
    )
    beyond = get(client, "/services", per_page=2, page=3)
    assert beyond["empty"] is True and beyond["contents"] == []
    names = [s["name"] for s in first["contents"] + second["contents"]]
    assert names == LISTED
    assert all(s["organization"]["name"] for s in first["contents"])


def test_full_service_pages_validate(ward: Ward, directory: dict[str, Any]) -> None:
    page = get(as_staff(ward.member(Role.COUNSELOR)), "/services", full="true")
    assert_page(page, "compiled/service_list.json")
    for service in page["contents"]:
        assert_valid(service, "compiled/service_with_definitions.json")
        assert service["service_at_locations"]


def test_each_full_service_validates_with_what_it_carries(
    ward: Ward, directory: dict[str, Any]
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    services = {}
    for key in ("salon", "farm", "sutra"):
        service = get(client, f"/services/{directory[key].hsds_id}")
        assert_valid(service, "compiled/service_with_definitions.json")
        assert_valid(service, "service.json")  # the per-object files with their $refs
        services[key] = service

    salon = services["salon"]
    assert salon["name"] == "サロン北町"
    assert salon["organization"]["name"] == "NPO法人みどりの森"
    assert salon["organization"]["phones"][0]["number"] == "03-1111-2222"
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in salon["schedules"]] == [
        ("MONTHLY", "2TU", "10:00+09:00", "12:00+09:00")
    ]
    (at_hall,) = salon["service_at_locations"]
    location = at_hall["location"]
    assert location["name"] == "北町会館"
    assert location["addresses"] == [
        {
            "id": location["addresses"][0]["id"],
            "location_id": location["id"],
            "address_1": "北町1-2-3",
            "city": "テスト区",
            "state_province": "東京都",
            "postal_code": "123-4567",
            "country": "JP",
            "address_type": "physical",
        }
    ]
    assert location["latitude"] == pytest.approx(35.633)
    assert location["accessibility"][0]["description"] == "1階・段差なし"
    # The hall's own opening hours are the location's, not the salon's.
    assert [s["byday"] for s in location["schedules"]] == ["MO,WE,FR"]
    assert [a["taxonomy_term"]["name"] for a in location["attributes"]] == ["北"]
    assert salon["contacts"][0]["name"] == "山田 春子"
    assert salon["contacts"][0]["phones"][0]["number"] == "03-1111-3333"
    assert salon["cost_options"][0]["amount"] == 0
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]): a.get("value")
        for a in salon["attributes"]
    }
    assert terms == {
        ("tsunagu:category", "salon"): None,
        ("tsunagu:ease", "short_time"): None,
        ("tsunagu:ease", "visit_first"): None,
        ("tsunagu:ease", "free"): None,
        ("tsunagu:need", "people"): None,
        ("tsunagu:need", "things"): None,
        ("tsunagu:interest", "お茶"): None,
        ("tsunagu:interest", "手芸"): None,
        ("tsunagu:detail", "community_place"): "true",
        ("tsunagu:detail", "year_started"): "1998",
        ("tsunagu:detail", "capacity"): "15",
        ("tsunagu:detail", "needs_note"): "調理のボランティア",
        ("tsunagu:detail", "offers"): "お茶、手芸、おしゃべり",
    }

    farm = services["farm"]
    # A schedule at a place is the service's and its service_at_location's.
    (at_field,) = farm["service_at_locations"]
    assert [s["byday"] for s in at_field["schedules"]] == ["SA"]
    assert at_field["schedules"][0]["service_at_location_id"] == at_field["id"]
    assert sorted((s["byday"], s.get("interval")) for s in farm["schedules"]) == [
        ("FR", 2),
        ("SA", 1),
    ]
    assert farm["cost_options"][0]["amount"] == 300
    assert farm["cost_options"][0]["currency"] == "JPY"
    assert at_field["location"]["addresses"][0]["state_province"] == "東京都"  # from the 団体コード

    sutra = services["sutra"]
    assert sutra["status"] == "temporarily closed"
    foreign = [
        a
        for a in sutra["attributes"]
        if a["taxonomy_term"].get("taxonomy") == "https://example.org/taxonomy"
    ]
    assert [(a["taxonomy_term_id"], a["taxonomy_term"]["name"], a["value"]) for a in foreign] == [
        ("9d0f0b9e-3d38-4b8a-9b0b-6f0c3e6e4f11", "精神的な支え", "月1回")
    ]


def test_our_term_ids_are_the_same_in_every_export(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    url = f"/services/{directory['salon'].hsds_id}"
    first, again = get(client, url), get(client, url)
    assert first["attributes"] == again["attributes"]
    category = next(a for a in first["attributes"] if a["link_type"] == "category")
    expected = uuid.uuid5(
        uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagu:hsds"), "taxonomy:tsunagu:category:salon"
    )
    assert category["taxonomy_term_id"] == str(expected)
    terms = get(client, "/taxonomy_terms", per_page=100)["contents"]
    assert category["taxonomy_term_id"] in {t["id"] for t in terms}


def test_organizations_validate(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    page = get(client, "/organizations")
    assert_page(page, "compiled/organization_list.json")
    assert [o["name"] for o in page["contents"]] == ["NPO法人みどりの森", "ひまわり農園", "光明寺"]
    full_page = get(client, "/organizations", full="true")
    assert_page(full_page, "organization.json")
    for provider in directory["providers"]:
        organization = get(client, f"/organizations/{provider.hsds_id}")
        assert_valid(organization, "organization.json")
        for service in organization["services"]:
            assert_valid(service, "compiled/service_list.json")
    npo = get(client, f"/organizations/{directory['providers'][0].hsds_id}")
    assert [s["name"] for s in npo["services"]] == ["サロン北町"]  # not the archived one
    assert [loc["name"] for loc in npo["locations"]] == ["北町会館"]
    assert npo["year_incorporated"] == 2005
    assert npo["legal_status"] == "NPO法人"


def test_service_at_locations_validate(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    page = get(client, "/service_at_locations")
    assert_page(page, "compiled/service_at_location_list.json")
    assert page["total_items"] == 3
    full_page = get(client, "/service_at_locations", full="true")
    assert_page(full_page, "service_at_location.json")
    for link in directory["links"].values():
        nested = get(client, f"/service_at_locations/{link.hsds_id}")
        assert_valid(nested, "service_at_location.json")
        assert_valid(nested["service"], "compiled/service_list.json")
        assert nested["location"]["addresses"]
    farm = get(client, f"/service_at_locations/{directory['links']['farm'].hsds_id}")
    assert [s["byday"] for s in farm["schedules"]] == ["SA"]


def test_taxonomies_and_terms_validate(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    taxonomies = get(client, "/taxonomies")
    assert_page(taxonomies, "taxonomy.json")
    assert taxonomies["total_items"] == len(hsds.TAXONOMIES)
    for taxonomy in taxonomies["contents"]:
        assert_valid(get(client, f"/taxonomies/{taxonomy['id']}"), "taxonomy.json")
    terms = get(client, "/taxonomy_terms", per_page=100)
    assert_page(terms, "taxonomy_term.json")
    names = {(t["taxonomy"], t["name"]) for t in terms["contents"]}
    assert {
        ("tsunagu:category", "子ども食堂"),
        ("tsunagu:ease", "短時間可"),
        ("tsunagu:interest", "お茶"),
        ("tsunagu:interest", "農作業"),
        ("tsunagu:district", "北"),
        ("tsunagu:district", "南"),
    } <= names
    ease = next(t for t in taxonomies["contents"] if t["name"] == "つなぐ 参加のしやすさ")
    only_ease = get(client, "/taxonomy_terms", taxonomy_id=ease["id"])
    assert only_ease["total_items"] == len(Ease.values)
    one = only_ease["contents"][0]
    assert_valid(get(client, f"/taxonomy_terms/{one['id']}"), "taxonomy_term.json")


def test_services_are_filtered_by_term_organization_search_and_date(
    ward: Ward, directory: dict[str, Any]
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    quiet = hsds.EASE.term_id(Ease.QUIET)
    assert [s["name"] for s in get(client, "/services", taxonomy_term_id=quiet)["contents"]] == [
        "畑の会"
    ]
    interest = hsds.INTEREST.term_id("お茶")
    assert [s["name"] for s in get(client, "/services", taxonomy_term_id=interest)["contents"]] == [
        "サロン北町"
    ]
    temple = directory["providers"][2]
    assert [
        s["name"] for s in get(client, "/services", organization_id=str(temple.hsds_id))["contents"]
    ] == ["写経の会"]
    assert [s["name"] for s in get(client, "/services", search="みどり")["contents"]] == [
        "サロン北町"
    ]
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert get(client, "/services", modified_after=later)["total_items"] == 0


@pytest.mark.parametrize("url", ["/services", "/organizations", "/service_at_locations"])
def test_full_pages_take_as_many_queries_for_more_rows(
    ward: Ward, directory: dict[str, Any], url: str
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    get(client, url, full="true")  # the session and the policy's first lookups
    with CaptureQueriesContext(connection) as few:
        get(client, url, full="true")
    add_directory(ward)
    with CaptureQueriesContext(connection) as more:
        page = get(client, url, full="true")
    assert page["total_items"] == 6
    assert len(more) == len(few)


def test_per_page_is_at_most_100(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        host = Provider.objects.create(name="多くの活動の団体")
        Resource.objects.bulk_create(
            Resource(
                municipality=ward.municipality,
                provider=host,
                name=f"活動{n:03d}",
                category=Category.HOBBY,
            )
            for n in range(101)
        )
    page = get(as_staff(ward.member(Role.COUNSELOR)), "/services", per_page=500)
    assert (page["total_items"], page["size"], page["total_pages"]) == (101, 100, 2)


# --- Export: who sees what -------------------------------------------------------------------


def export_urls(directory: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/services",
        f"/services/{directory['salon'].hsds_id}",
        "/organizations",
        f"/organizations/{directory['providers'][0].hsds_id}",
        "/service_at_locations",
        f"/service_at_locations/{directory['links']['salon'].hsds_id}",
        "/taxonomies",
        f"/taxonomies/{hsds.CATEGORY.id}",
        "/taxonomy_terms",
        f"/taxonomy_terms/{hsds.CATEGORY.term_id('salon')}",
    ]


def test_without_login_every_export_is_401(ward: Ward, directory: dict[str, Any]) -> None:
    for url in export_urls(directory):
        response = Client().get(API + url)
        assert response.status_code == 401, url
        assert "ログイン" in response.json()["detail"]


def test_an_external_guest_gets_403(ward: Ward, directory: dict[str, Any]) -> None:
    guest = as_staff(ward.member(Role.GUEST))
    for url in export_urls(directory):
        assert guest.get(API + url).status_code == 403, url


def test_another_municipality_never_appears(
    ward: Ward, other_ward: Ward, directory: dict[str, Any], elsewhere: Resource
) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    everything = json.dumps(
        [
            get(client, url, per_page=100)
            for url in ("/services", "/organizations", "/service_at_locations")
        ]
        + [get(client, "/services", full="true")],
        ensure_ascii=False,
    )
    assert "よそ区" not in everything
    assert str(elsewhere.hsds_id) not in everything
    assert client.get(f"{API}/services/{elsewhere.hsds_id}").status_code == 404
    assert client.get(f"{API}/organizations/{elsewhere.provider.hsds_id}").status_code == 404
    theirs = get(as_staff(other_ward.member(Role.COUNSELOR)), "/services")
    assert [s["name"] for s in theirs["contents"]] == ["よそ区のサロン"]


def test_archived_rows_never_appear(ward: Ward, directory: dict[str, Any]) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    listed = json.dumps(
        [get(client, "/services", full="true"), get(client, "/organizations", full="true")],
        ensure_ascii=False,
    )
    for hidden in ("終了したサロン", "解散した会"):
        assert hidden not in listed
    for resource in (directory["archived"], directory["orphan"]):
        assert client.get(f"{API}/services/{resource.hsds_id}").status_code == 404
    assert client.get(f"{API}/organizations/{directory['gone_host'].hsds_id}").status_code == 404


def test_exports_are_audited_naming_what_went_out(ward: Ward, directory: dict[str, Any]) -> None:
    staff = ward.member(Role.COUNSELOR)
    client = as_staff(staff)
    page = get(client, "/services", per_page=2)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=staff).latest("pk")
    assert event.object_type == "resources.resource"
    assert event.detail["ids"] == [s["id"] for s in page["contents"]]
    get(client, f"/services/{directory['farm'].hsds_id}")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=staff).latest("pk")
    assert (event.object_type, event.object_id) == ("resources.resource", str(directory["farm"].pk))
    get(client, "/organizations")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=staff).latest("pk")
    assert event.object_type == "resources.provider"


def test_the_openapi_document_lists_the_hsds_paths(ward: Ward) -> None:
    document = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/openapi.json").json()
    for path in ("/api/v1/hsds/", "/api/v1/hsds/services", "/api/v1/hsds/services/{service_id}"):
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/v1/hsds/import"]


# --- Import ------------------------------------------------------------------------------------


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text("utf-8"))


EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def test_every_official_example_is_tested() -> None:
    # An empty folder would parametrize the test below into nothing, silently.
    assert len(EXAMPLE_FILES) == 13, EXAMPLE_FILES


def counts(ward: Ward) -> dict[str, int]:
    with tenancy.tenant_context(ward.municipality):
        return {
            model.__name__: model.objects.count()
            for model in (Provider, Resource, Location, ResourceLocation, Schedule)
        }


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_official_example_imports(ward: Ward, name: str) -> None:
    staff = ward.member(Role.COUNSELOR)
    result = hsds.import_document(example(name), actor=staff)
    again = hsds.import_document(example(name), actor=staff)
    # Upserted by id: the second import changes the same rows and creates none.
    assert not again.created
    assert sum(again.updated.values()) == sum(result.created.values())
    if name.startswith(("service", "organization_full", "tabular")):
        with tenancy.tenant_context(ward.municipality):
            counselling = Resource.objects.get(hsds_id="ac148810-d857-441c-9679-408f346de14b")
        assert counselling.name == "Community Counselling"
        assert counselling.provider.name == "Example Organization Inc."
        assert counselling.category == Category.OTHER
        assert counselling.imported_at is not None
    if name.startswith("taxonomy"):
        assert not result.changed and (result.taxonomies or result.taxonomy_terms)


def test_the_full_service_example_lands_where_it_belongs(ward: Ward) -> None:
    """One schedule id listed under the service, its place and the service at that
    place is one schedule of both; the foreign attribute is kept."""
    result = hsds.import_document(example("service_full.json"), actor=ward.member(Role.COUNSELOR))
    assert dict(result.created) == {
        "provider": 1,
        "resource": 1,
        "location": 1,
        "resource_location": 1,
        "schedule": 1,
    }
    with tenancy.tenant_context(ward.municipality):
        schedule = Schedule.objects.select_related("resource", "location").get()
        resource = Resource.objects.get()
        link = ResourceLocation.objects.get()
    assert str(schedule.hsds_id) == "48102e86-bb50-41c4-8f1e-e269368c41d1"
    assert (schedule.resource.name, schedule.location.name) == (
        "Community Counselling",
        "MyCity Civic Center",
    )
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        Frequency.WEEKLY,
        "TH,FR",
        datetime.time(10),
        datetime.time(18),
    )
    assert (link.resource, link.location) == (resource, schedule.location)
    assert resource.extra_terms == [
        {
            "taxonomy": "taxonomy",
            "code": "code",
            "name": "name",
            "value": "value",
            "term_id": "3f7b145d-84af-42d7-8fae-eaca714b02b2",
            "taxonomy_id": "5c4d79d7-cc55-470e-9f1f-8cad074e4892",
            "description": "description",
            "link_type": "link_type",
        }
    ]
    assert resource.contact_name == "Ann Persona"
    assert resource.minimum_age == 12
    assert schedule.location.address == "1-30 Main Street, MyVillage, MyCity, MyRegion, MyState, US"
    # Latitude 100 is not a place on Earth: left out, and said so.
    assert schedule.location.latitude is None
    assert any("latitude" in w for w in result.warnings)


def test_an_import_is_audited_with_its_counts(ward: Ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    hsds.import_document(example("organization_full.json"), actor=staff, source="page")
    event = AuditEvent.objects.filter(actor=staff, action=AuditAction.CREATE).latest("pk")
    assert event.object_type == "resources.resource"
    assert event.detail["created"]["resource"] == 1
    assert event.detail["created"]["provider"] == 1
    assert event.detail["via"] == "page"
    hsds.import_document(example("organization_full.json"), actor=staff)
    event = AuditEvent.objects.filter(actor=staff).latest("pk")
    assert event.action == AuditAction.CHANGE
    assert event.detail["updated"]["resource"] == 1


def test_round_trip_into_another_municipality_keeps_names_schedules_and_attributes(
    ward: Ward, other_ward: Ward, directory: dict[str, Any]
) -> None:
    ours = as_staff(ward.member(Role.COUNSELOR))
    exported = get(ours, "/services", full="true")
    result = hsds.import_document(exported, actor=other_ward.member(Role.COUNSELOR))
    assert result.created["resource"] == 3 and not result.warnings
    theirs = as_staff(other_ward.member(Role.COUNSELOR))
    again = get(theirs, "/services", full="true")
    assert_page(again, "compiled/service_list.json")

    def essentials(page: dict[str, Any]) -> list[Any]:
        found = []
        for service in page["contents"]:
            found.append(
                {
                    "id": service["id"],
                    "name": service["name"],
                    "status": service["status"],
                    "organization": service["organization"]["name"],
                    "legal_status": service["organization"]["legal_status"],
                    "schedules": sorted(
                        (
                            s["freq"],
                            s.get("interval"),
                            s["byday"],
                            s.get("opens_at"),
                            s.get("closes_at"),
                            s.get("valid_from"),
                        )
                        for s in service["schedules"]
                    ),
                    "attributes": sorted(
                        (a["taxonomy_term_id"], a.get("value", "")) for a in service["attributes"]
                    ),
                    "places": [
                        (
                            sal["location"]["name"],
                            [
                                a["taxonomy_term"]["name"]
                                for a in sal["location"].get("attributes", [])
                            ],
                            [s["byday"] for s in sal["location"]["schedules"]],
                            [s["byday"] for s in sal["schedules"]],
                        )
                        for sal in service["service_at_locations"]
                    ],
                    "contacts": [c.get("name") for c in service["contacts"]],
                    "fees": service.get("fees_description"),
                }
            )
        return found

    assert essentials(again) == essentials(exported)
    with tenancy.tenant_context(other_ward.municipality):
        salon = Resource.objects.get(name="サロン北町")
        labels = [s.label() for s in salon.schedules.all()]
    assert labels == ["毎月第2火曜日 10時〜12時"]
    assert salon.category == Category.SALON
    assert salon.ease == [Ease.SHORT_TIME, Ease.VISIT_FIRST, Ease.FREE]
    assert salon.interests == ["お茶", "手芸"]
    assert (salon.year_started, salon.capacity, salon.is_community_place) == (1998, 15, True)
    # The original rows are untouched.
    with tenancy.tenant_context(ward.municipality):
        assert Resource.objects.filter(archived_at=None).count() == 4


def test_unknown_category_becomes_other_and_foreign_attributes_are_kept(ward: Ward) -> None:
    service = example("service_full.json")
    service["attributes"].append(
        {
            "id": str(uuid.uuid4()),
            "taxonomy_term_id": hsds.CATEGORY.term_id("museum"),
            "taxonomy_term": hsds.CATEGORY.term("museum", "博物館"),
        }
    )
    result = hsds.import_document(service, actor=ward.member(Role.COUNSELOR))
    with tenancy.tenant_context(ward.municipality):
        resource = Resource.objects.get()
    assert resource.category == Category.OTHER
    assert any("museum" in w for w in result.warnings)
    assert [t["term_id"] for t in resource.extra_terms] == ["3f7b145d-84af-42d7-8fae-eaca714b02b2"]
    exported = get(as_staff(ward.member(Role.COUNSELOR)), f"/services/{resource.hsds_id}")
    assert "3f7b145d-84af-42d7-8fae-eaca714b02b2" in {
        a["taxonomy_term_id"] for a in exported["attributes"]
    }
    assert_valid(exported, "compiled/service_with_definitions.json")


def test_a_schema_violation_is_refused_in_japanese_naming_where(ward: Ward) -> None:
    service = example("service_full.json")
    del service["name"]
    service["schedules"][0]["id"] = "not-a-uuid"
    service["status"] = "open"
    with pytest.raises(hsds.HsdsImportError) as refused:
        hsds.import_document(service, actor=ward.member(Role.COUNSELOR))
    messages = refused.value.messages
    assert "（文書全体）: 必須の項目「name」がありません。" in messages
    assert any(m.startswith("schedules[0].id: 「not-a-uuid」は uuid の形式") for m in messages)
    assert any(m.startswith("status: 「open」は使えません") for m in messages)
    assert counts(ward) == dict.fromkeys(counts(ward), 0)


def test_nothing_is_half_imported(ward: Ward) -> None:
    """The first service of the page is fine; the second's schedule cannot be read."""
    first = example("service_list.json")["contents"][0]
    second = json.loads(json.dumps(first))
    second["id"] = str(uuid.uuid4())
    second["schedules"] = [{"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "2TU"}]
    page = {"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2, "first_page": True,
            "last_page": True, "empty": False, "contents": [first, second]}  # fmt: skip
    with pytest.raises(hsds.HsdsImportError) as refused:
        hsds.import_document(page, actor=ward.member(Role.COUNSELOR))
    assert refused.value.messages[0].startswith("contents[1].schedules[0]: 毎週の開催には")
    assert counts(ward) == dict.fromkeys(counts(ward), 0)
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_guest_may_not_import(ward: Ward) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        hsds.import_document(example("service_full.json"), actor=ward.member(Role.GUEST))


def test_japanese_addresses_are_split_and_joined(ward: Ward) -> None:
    municipality = ward.municipality  # テスト区, 131059 (東京都)
    assert hsds.split_address("東京都テスト区北町1-2-3", municipality) == (
        "東京都",
        "テスト区",
        "北町1-2-3",
    )
    assert hsds.split_address("テスト区南町4-5-6", municipality) == (
        "東京都",
        "テスト区",
        "南町4-5-6",
    )
    assert hsds.split_address("神奈川県横浜市港北区日吉1-1", municipality) == (
        "神奈川県",
        "横浜市港北区",
        "日吉1-1",
    )
    assert hsds.split_address("北海道虻田郡倶知安町南1条", municipality) == (
        "北海道",
        "虻田郡倶知安町",
        "南1条",
    )
    assert hsds.split_address("", municipality) == ("東京都", "テスト区", "")
    assert (
        hsds.join_address(
            {
                "address_1": "北町1-2-3",
                "city": "テスト区",
                "state_province": "東京都",
                "country": "JP",
            }
        )
        == "東京都テスト区北町1-2-3"
    )
    assert (
        hsds.join_address(
            {
                "address_1": "東京都テスト区北町1-2-3",
                "city": "テスト区",
                "state_province": "東京都",
                "country": "JP",
            }
        )
        == "東京都テスト区北町1-2-3"
    )


# --- The import page, the API operation and the command ---------------------------------


def upload(content: bytes, name: str = "hsds.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_the_import_page_imports_and_summarises_in_japanese(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    url = reverse("resources:hsds_import")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"file": upload((EXAMPLES / "service_full.json").read_bytes()), "kind": "auto"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "取り込みました" in text
    assert "社会資源: 新規 1件・更新 0件" in text
    assert "開催日時: 新規 1件・更新 0件" in text
    assert counts(ward)["Resource"] == 1


def test_the_import_page_refuses_a_file_that_is_not_json(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.post(
        reverse("resources:hsds_import"), {"file": upload(b'{"id": "x",\n  oops}'), "kind": "auto"}
    )
    assert response.status_code == 422
    assert "JSON として読み取れません（2行目" in response.content.decode()
    assert counts(ward) == dict.fromkeys(counts(ward), 0)


def test_the_import_page_lists_schema_errors_and_imports_nothing(ward: Ward) -> None:
    service = example("service_full.json")
    service["service_at_locations"][0]["location"]["location_type"] = "moon"
    response = as_staff(ward.member(Role.COUNSELOR)).post(
        reverse("resources:hsds_import"),
        {"file": upload(json.dumps(service).encode()), "kind": "service"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "取り込めませんでした" in text
    assert "service_at_locations[0].location.location_type: 「moon」は使えません" in text
    assert counts(ward) == dict.fromkeys(counts(ward), 0)


def test_the_import_page_is_refused_to_a_guest(ward: Ward) -> None:
    assert (
        as_staff(ward.member(Role.GUEST)).get(reverse("resources:hsds_import")).status_code == 403
    )


def test_the_import_operation_of_the_api(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    body = (EXAMPLES / "organization_full.json").read_bytes()
    response = client.post(f"{API}/import", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["created"]["resource"] == 1
    refused = client.post(f"{API}/import", b'{"id": 1}', content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"] == "規格に合わないため、何も取り込みませんでした。"
    guest = as_staff(ward.member(Role.GUEST))
    assert guest.post(f"{API}/import", body, content_type="application/json").status_code == 403


def test_the_import_command(ward: Ward, tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_bytes((EXAMPLES / "tabular.json").read_bytes())
    out = io.StringIO()
    call_command("hsds_import", ward.municipality.code, str(path), stdout=out)
    assert "社会資源: 新規 1件" in out.getvalue()
    assert counts(ward)["Resource"] == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=None, municipality=ward.municipality
    ).exists()
    path.write_text('{"status": "active"}', encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("hsds_import", ward.municipality.code, str(path), stdout=out, stderr=err)
    assert "必須の項目「id」がありません" in err.getvalue()


def test_the_shipped_standard_is_the_official_one():
    """The import checks documents against the copy in the package, and these
    tests read it: it must be the official HSDS 3.0 folder, file for file."""
    from tsunagu.resources.hsds import standard_dir

    assert standard_dir() == STANDARD
    if not (OFFICIAL / "schema").is_dir():
        pytest.skip(f"the standards folder {OFFICIAL} is not beside this checkout")
    for folder in ("schema", "examples"):
        official = sorted(p.relative_to(OFFICIAL) for p in (OFFICIAL / folder).rglob("*.json"))
        assert official, f"the official {folder} are missing"
        assert sorted(p.relative_to(STANDARD) for p in (STANDARD / folder).rglob("*.json")) == (
            official
        )
        for relative in official:
            assert (STANDARD / relative).read_bytes() == (OFFICIAL / relative).read_bytes()
