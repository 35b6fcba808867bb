"""The resource directory as Open Referral HSDS 3.0, and HSDS documents into it.

Export: our rows become HSDS objects (the API under /api/v1/hsds/ answers
them). Provider → organization, Resource → service, Location → location
(with one Japanese address), ResourceLocation → service_at_location,
Schedule → schedule (times as ``HH:MM+09:00``). What we keep beyond HSDS
(分類, 参加のしやすさ, 必要としているもの, 関心, 居場所・拠点, 開始年, 受け入れ可能人数 …)
travels as HSDS attributes whose taxonomy terms belong to our own
taxonomies, with ids derived (uuid5) from the taxonomy and the code so that
every export names them the same. Attributes of imported data under
taxonomies we do not model (``Resource.extra_terms``) go back out as they came.

Import: :func:`import_document` takes a service, an organization, a
service_at_location or a location (list or fully nested form), a Page of
them, taxonomies or terms (counted, not stored) or the tabular form; checks
it against the official schemas first and refuses it, in Japanese and naming
where, when it does not conform; then creates or updates rows by HSDS id in
one transaction, with one audit event counting what changed. An import adds
and updates; it never deletes.

The schemas are the official files of HSDS 3.0, shipped with the package
in ``hsds_standard/`` (the tests prove the copy identical to the standards
folder); ``settings.HSDS_STANDARD_DIR`` points elsewhere.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.jsoninput import MAX_DEPTH, depth, too_deep_message
from tsunagu.core.text import text_errors
from tsunagu.directory.models import District
from tsunagu.resources.models import (
    Category,
    Ease,
    Location,
    Need,
    Provider,
    ProviderKind,
    Resource,
    ResourceLocation,
    Schedule,
)
from tsunagu.resources.services import ScheduleSpec, schedule_problems

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff
    from tsunagu.core.models import Municipality

VERSION = "3.0"
#: Japan Standard Time, the offset every exported time carries.
UTC_OFFSET = "+09:00"
UTC_OFFSET_HOURS = 9
#: Where our derived ids live: the same name always gives the same id.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagu:hsds")
#: The HSDS profile this export follows (a URN: no network address is implied).
PROFILE = "urn:tsunagu:hsds-profile:jp-community-resources:1"
PROFILE_DESCRIPTION = (
    "HSDS 3.0 の日本の地域資源（重層的支援体制整備事業の参加支援）向けの使い方。"
    "住所は country=JP、都道府県を state_province、市区町村を city に入れます。"
    "時刻は日本時間（+09:00）。分類・参加のしやすさ・必要としているもの・関心・"
    "居場所・開始年・受け入れ可能人数は、つなぐ独自のタクソノミー（/taxonomies）の"
    "属性（attributes）で表します。"
)
F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
#: The most schema errors listed back to the user at once.
MAX_ERRORS = 20


# ---------------------------------------------------------------------------
# The official schemas.


def standard_dir() -> Path:
    """The HSDS 3.0 folder (schema/): ``settings.HSDS_STANDARD_DIR``, by
    default the copy shipped in this package."""
    configured = getattr(settings, "HSDS_STANDARD_DIR", None)
    path = Path(configured) if configured else Path(__file__).resolve().parent / "hsds_standard"
    if not (path / "schema" / "service.json").is_file():
        raise ImproperlyConfigured(f"HSDS 3.0 schemas not found in {path}")
    return path


def schema_uri(name: str) -> str:
    """The URI a schema file is known by in the registry (``"compiled/service_list.json"``)."""
    return (standard_dir() / "schema" / name).as_uri()


@cache
def registry() -> Registry[Any]:
    """Every schema file, under its file URI, so that the relative ``$ref``
    (``"schedule.json"``) of one resolves to the file beside it."""
    schema_dir = standard_dir() / "schema"
    files = sorted([*schema_dir.glob("*.json"), *(schema_dir / "compiled").glob("*.json")])
    return Registry().with_resources(
        (file.as_uri(), DRAFT202012.create_resource(json.loads(file.read_text("utf-8"))))
        for file in files
    )


def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        if "T" not in value.upper():
            raise ValueError(value)
        datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return True


def _is_uri(value: object) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        if not parts.scheme or " " in value:
            raise ValueError(value)
    return True


def format_checker() -> FormatChecker:
    """The formats the schemas use, all checked: ``uuid`` and ``email`` by
    jsonschema itself, ``date-time`` and ``uri`` here (jsonschema checks
    them only with optional packages we do not install)."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_datetime)
    checker.checks("uri", raises=ValueError)(_is_uri)
    return checker


def validator(schema: dict[str, Any] | str) -> Draft202012Validator:
    """A Draft 2020-12 validator (the dialect of the HSDS OpenAPI document) for
    a schema file name or a schema that refers to the files."""
    if isinstance(schema, str):
        schema = {"$ref": schema_uri(schema)}
    return Draft202012Validator(schema, registry=registry(), format_checker=format_checker())


def page_schema(item: str) -> dict[str, Any]:
    """A Page of ``item`` objects, as the HSDS OpenAPI document defines the list answers."""
    return {
        "allOf": [{"$ref": schema_uri("openapi.json") + "#/components/schemas/Page"}],
        "type": "object",
        "required": ["contents"],
        "properties": {"contents": {"type": "array", "items": {"$ref": schema_uri(item)}}},
    }


def base_schema() -> dict[str, Any]:
    """The answer of ``/`` (version, profile, openapi_url)."""
    return {
        "$ref": schema_uri("openapi.json")
        + "#/paths/~1/get/responses/200/content/application~1json/schema"
    }


_TYPE_LABELS = {
    "string": "文字列",
    "number": "数値",
    "integer": "整数",
    "object": "オブジェクト",
    "array": "配列",
    "boolean": "真偽値（true/false）",
    "null": "null",
}


def json_path(parts: Iterable[str | int], prefix: str = "") -> str:
    """``["contents", 0, "schedules", 1]`` → ``contents[0].schedules[1]``."""
    text = prefix
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _schema_message(error: SchemaError, prefix: str) -> str:
    where = json_path(error.absolute_path, prefix) or _("（文書全体）")
    kind = error.validator
    if kind == "required":
        required = error.validator_value if isinstance(error.validator_value, list) else []
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = next((name for name in required if name not in instance), "")
        return _("%(where)s: 必須の項目「%(name)s」がありません。") % {
            "where": where,
            "name": missing,
        }
    if kind == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return _("%(where)s: 型が違います（%(type)sにしてください）。") % {
            "where": where,
            "type": "・".join(_TYPE_LABELS.get(str(n), str(n)) for n in names),
        }
    if kind == "enum":
        return _(
            "%(where)s: 「%(value)s」は使えません。次のいずれかにしてください: %(choices)s"
        ) % {
            "where": where,
            "value": error.instance,
            "choices": "、".join(str(c) for c in error.validator_value),
        }
    if kind == "format":
        return _("%(where)s: 「%(value)s」は %(format)s の形式になっていません。") % {
            "where": where,
            "value": error.instance,
            "format": error.validator_value,
        }
    return _("%(where)s: 値が規格に合いません（%(message)s）。") % {
        "where": where,
        "message": error.message,
    }


def schema_errors(instance: Any, schema: dict[str, Any] | str, prefix: str = "") -> list[str]:
    """What is wrong with ``instance`` against ``schema``, in Japanese, each naming where."""
    found = sorted(
        validator(schema).iter_errors(instance),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    return [_schema_message(error, prefix) for error in found]


# ---------------------------------------------------------------------------
# Our taxonomies.


@dataclass(frozen=True)
class Taxonomy:
    """One of our vocabularies. Closed ones list their terms; open ones
    (関心のキーワード, 圏域) take their terms from the data."""

    key: str
    name: Any
    description: Any
    link_type: str
    terms: tuple[tuple[str, Any], ...] = ()

    @property
    def id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"taxonomy:{self.key}"))

    @property
    def is_open(self) -> bool:
        return not self.terms

    def term_id(self, code: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"taxonomy:{self.key}:{code}"))

    def label(self, code: str) -> str:
        return str(dict(self.terms).get(code, code))

    def as_hsds(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": str(self.name),
            "description": str(self.description),
            "version": "1",
        }

    def term(self, code: str, name: str | None = None) -> dict[str, Any]:
        label = name or self.label(code)
        return {
            "id": self.term_id(code),
            "code": code,
            "name": label,
            "description": f"{self.name}: {label}",
            "taxonomy": self.key,
            "taxonomy_id": self.id,
            "taxonomy_detail": self.as_hsds(),
            "language": "ja",
        }


#: Codes of the 詳細 taxonomy: one term per field, the value in the attribute.
DETAIL_COMMUNITY_PLACE = "community_place"
DETAIL_YEAR_STARTED = "year_started"
DETAIL_CAPACITY = "capacity"
DETAIL_NEEDS_NOTE = "needs_note"
DETAIL_OFFERS = "offers"

CATEGORY = Taxonomy(
    "tsunagu:category",
    gettext_lazy("つなぐ 社会資源の分類"),
    gettext_lazy("居場所・サロン・子ども食堂・農園など、社会資源の種類。"),
    "category",
    tuple(Category.choices),
)
EASE = Taxonomy(
    "tsunagu:ease",
    gettext_lazy("つなぐ 参加のしやすさ"),
    gettext_lazy("人づきあいが苦手な人が最初に確かめること（短時間可・見学可・少人数など）。"),
    "ease",
    tuple(Ease.choices),
)
NEED = Taxonomy(
    "tsunagu:need",
    gettext_lazy("つなぐ 受け入れ先が必要としているもの"),
    gettext_lazy("受け入れ先・運営団体が必要としているもの（人・物・場所・お金）。"),
    "need",
    tuple(Need.choices),
)
INTEREST = Taxonomy(
    "tsunagu:interest",
    gettext_lazy("つなぐ 関心・活動のキーワード"),
    gettext_lazy("マッチングに使う関心・活動のキーワード（自由語）。"),
    "interest",
)
DETAIL = Taxonomy(
    "tsunagu:detail",
    gettext_lazy("つなぐ 社会資源の詳細"),
    gettext_lazy("HSDS にない社会資源の項目。値は属性の value に入ります。"),
    "detail",
    (
        (DETAIL_COMMUNITY_PLACE, gettext_lazy("居場所・拠点")),
        (DETAIL_YEAR_STARTED, gettext_lazy("開始年")),
        (DETAIL_CAPACITY, gettext_lazy("受け入れ可能人数")),
        (DETAIL_NEEDS_NOTE, gettext_lazy("必要としているものの詳細")),
        (DETAIL_OFFERS, gettext_lazy("できること・内容")),
    ),
)
PROVIDER_KIND = Taxonomy(
    "tsunagu:provider-kind",
    gettext_lazy("つなぐ 運営団体の種別"),
    gettext_lazy("企業・寺社・農園・NPO法人など、受け入れ先・運営団体の種別。"),
    "provider_kind",
    tuple(ProviderKind.choices),
)
DISTRICT = Taxonomy(
    "tsunagu:district",
    gettext_lazy("つなぐ 日常生活圏域"),
    gettext_lazy("場所が属する日常生活圏域（自治体ごとの圏域名）。"),
    "district",
)
TAXONOMIES = (CATEGORY, EASE, NEED, INTEREST, DETAIL, PROVIDER_KIND, DISTRICT)
_CLOSED_TERMS: dict[str, tuple[Taxonomy, str]] = {
    taxonomy.term_id(code): (taxonomy, code)
    for taxonomy in TAXONOMIES
    for code, _label in taxonomy.terms
}


def taxonomy_by_id(taxonomy_id: str) -> Taxonomy | None:
    return next((t for t in TAXONOMIES if t.id == taxonomy_id), None)


def _attribute(
    taxonomy: Taxonomy, code: str, *, link_id: str, link_entity: str, value: str = ""
) -> dict[str, Any]:
    term = taxonomy.term(code)
    attribute = {
        "id": str(uuid.uuid5(NAMESPACE, f"attribute:{link_id}:{term['id']}")),
        "link_id": link_id,
        "link_type": taxonomy.link_type,
        "link_entity": link_entity,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }
    if value:
        attribute["value"] = value
    return attribute


def _valid_uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _extra_attribute(entry: dict[str, Any], *, link_id: str, link_entity: str) -> dict[str, Any]:
    """An attribute we imported under a taxonomy we do not model, as it came."""
    taxonomy = str(entry.get("taxonomy") or "")
    code = str(entry.get("code") or "")
    value = str(entry.get("value") or "")
    name = str(entry.get("name") or code or taxonomy or _("（名称なし）"))
    term_id = _valid_uuid(entry.get("term_id")) or str(
        uuid.uuid5(NAMESPACE, f"extra:{taxonomy}:{code}:{name}")
    )
    term: dict[str, Any] = {
        "id": term_id,
        "name": name,
        "description": str(entry.get("description") or name),
    }
    if code:
        term["code"] = code
    if taxonomy:
        term["taxonomy"] = taxonomy
    taxonomy_id = _valid_uuid(entry.get("taxonomy_id"))
    if taxonomy_id:
        term["taxonomy_id"] = taxonomy_id
    attribute: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"attribute:{link_id}:{term_id}:{value}")),
        "link_id": link_id,
        "link_entity": link_entity,
        "taxonomy_term_id": term_id,
        "taxonomy_term": term,
    }
    if entry.get("link_type"):
        attribute["link_type"] = str(entry["link_type"])
    if value:
        attribute["value"] = value
    return attribute


def resource_attributes(resource: Resource) -> list[dict[str, Any]]:
    """A resource's fields beyond HSDS as attributes, then its foreign ones."""
    link = {"link_id": str(resource.hsds_id), "link_entity": "service"}
    found = [_attribute(CATEGORY, resource.category, **link)]
    found += [_attribute(EASE, code, **link) for code in resource.ease if code in Ease.values]
    found += [_attribute(NEED, code, **link) for code in resource.needs if code in Need.values]
    found += [_attribute(INTEREST, str(word), **link) for word in resource.interests]
    details = {
        DETAIL_COMMUNITY_PLACE: "true" if resource.is_community_place else "",
        DETAIL_YEAR_STARTED: str(resource.year_started or ""),
        DETAIL_CAPACITY: "" if resource.capacity is None else str(resource.capacity),
        DETAIL_NEEDS_NOTE: resource.needs_note,
        DETAIL_OFFERS: resource.offers,
    }
    found += [
        _attribute(DETAIL, code, value=value, **link) for code, value in details.items() if value
    ]
    found += [
        _extra_attribute(entry, **link) for entry in resource.extra_terms if isinstance(entry, dict)
    ]
    return found


def attribute_term_ids(resource: Resource) -> set[str]:
    return {a["taxonomy_term_id"] for a in resource_attributes(resource)}


# ---------------------------------------------------------------------------
# Japanese addresses.

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県",
    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
# A 郡 and its town, a designated city and its ward, or a city, ward, town or village.
_CITY = re.compile(r"^(.+?郡.+?[町村]|.+?市.+?区|.+?[市区町村])")


def prefecture_of(municipality: Municipality) -> str:
    """The 都道府県 of a municipality, from the first two digits of its 団体コード."""
    code = municipality.code[:2]
    if code.isdigit() and 1 <= int(code) <= len(PREFECTURES):
        return PREFECTURES[int(code) - 1]
    return ""


def split_address(address: str, municipality: Municipality) -> tuple[str, str, str]:
    """``東京都目黒区中目黒1-2-3`` → (都道府県, 市区町村, 残り). What the address
    leaves out is taken from the municipality (its prefecture and name)."""
    text = re.sub(r"\s+", " ", address).strip()
    prefecture = next((p for p in PREFECTURES if text.startswith(p)), "")
    rest = text[len(prefecture) :].lstrip()
    prefecture = prefecture or prefecture_of(municipality)
    name = municipality.name
    if name and rest.startswith(name):
        return prefecture, name, rest[len(name) :].lstrip()
    match = _CITY.match(rest)
    if match:
        return prefecture, match[1], rest[match.end() :].lstrip()
    return prefecture, name, rest


def join_address(address: dict[str, Any]) -> str:
    """An HSDS address as one line: Japanese order for Japan (都道府県, 市区町村,
    then the lines, without repeating what the lines already say), else the
    lines as written."""
    parts = {key: str(value or "").strip() for key, value in address.items()}
    country = parts.get("country", "").upper()
    prefecture, city = parts.get("state_province", ""), parts.get("city", "")
    if country in ("JP", "JPN") or (not country and prefecture in PREFECTURES):
        line = parts.get("address_1", "")
        if city and not line.startswith(city) and not line.startswith(prefecture + city):
            line = city + line
        if prefecture and not line.startswith(prefecture):
            line = prefecture + line
        return " ".join(p for p in (line, parts.get("address_2", "")) if p)
    pieces = [
        parts.get(key, "")
        for key in ("address_1", "address_2", "city", "region", "state_province", "country")
    ]
    return ", ".join(p for p in pieces if p)


# ---------------------------------------------------------------------------
# Export.


def _compact(values: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """Leave out what is empty (HSDS fields are optional), except ``keep``."""
    kept = set(keep)
    return {k: v for k, v in values.items() if k in kept or v not in (None, "", [])}


def hsds_time(value: datetime.time | None) -> str | None:
    """``10:00+09:00``: HH:MM with the offset, as the schedule schema asks."""
    return f"{value:%H:%M}{UTC_OFFSET}" if value is not None else None


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _fee_amount(text: str) -> int | None:
    match = re.search(r"([0-9０-９][0-9０-９,，]*)\s*円", text)
    if match is None:
        return None
    digits = match[1].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(re.sub(r"[,，]", "", digits))


def export_resources(staff: Staff) -> models.QuerySet[Resource]:
    """The resources an export may show: the staff member's municipality, not
    archived, by a provider that is not archived."""
    with tenancy.tenant_context(staff.municipality):
        return (
            policy.visible(staff, "resource", policy.Action.EXPORT)
            .filter(archived_at=None, provider__archived_at=None)
            .select_related("provider")
            .order_by("name", "id")
        )


def export_providers(staff: Staff) -> models.QuerySet[Provider]:
    with tenancy.tenant_context(staff.municipality):
        return (
            policy.visible(staff, "provider", policy.Action.EXPORT)
            .filter(archived_at=None)
            .order_by("name", "id")
        )


def export_links(staff: Staff) -> models.QuerySet[ResourceLocation]:
    """service_at_location rows of visible resources at places not archived."""
    resources = export_resources(staff)
    with tenancy.tenant_context(staff.municipality):
        return (
            ResourceLocation.objects.filter(resource__in=resources, location__archived_at=None)
            .select_related("resource__provider", "location__district", "location__provider")
            .order_by("resource__name", "resource_id", "id")
        )


def page_document(
    contents: list[dict[str, Any]], *, total: int, page: int, per_page: int
) -> dict[str, Any]:
    """The HSDS Page wrapper (``size`` is the number of items on this page)."""
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def clamp_page(page: int, per_page: int) -> tuple[int, int]:
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)


def _scoped(method: F) -> F:
    """Run an exporter's method for its municipality, whatever the caller's context."""

    @wraps(method)
    def wrapped(self: Exporter, *args: Any, **kwargs: Any) -> Any:
        with tenancy.tenant_context(self.municipality):
            return method(self, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


class Exporter:
    """Our rows as HSDS objects for one municipality. The nested forms load
    what they need for many objects at once, in a fixed number of queries."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality

    # One-to-one forms --------------------------------------------------

    def organization_item(self, provider: Provider) -> dict[str, Any]:
        return _compact(
            {
                "id": str(provider.hsds_id),
                "name": provider.name,
                "alternate_name": provider.alternate_name,
                "description": provider.description,
                "email": provider.email,
                "website": provider.website,
                "year_incorporated": provider.year_incorporated,
                "legal_status": str(provider.get_kind_display()),
            },
            keep=("description",),
        )

    def organization_nested(self, provider: Provider) -> dict[str, Any]:
        """The organization with its phone and kind (what a nested service carries)."""
        found = self.organization_item(provider)
        link = str(provider.hsds_id)
        if provider.phone:
            found["phones"] = [
                {
                    "id": str(uuid.uuid5(NAMESPACE, f"phone:{link}")),
                    "organization_id": link,
                    "number": provider.phone,
                    "type": "voice",
                }
            ]
        found["attributes"] = [
            _attribute(PROVIDER_KIND, provider.kind, link_id=link, link_entity="organization")
        ]
        return found

    def service_item(self, resource: Resource, *, organization: bool = True) -> dict[str, Any]:
        found = _compact(
            {
                "id": str(resource.hsds_id),
                "organization_id": str(resource.provider.hsds_id),
                "name": resource.name,
                "alternate_name": resource.alternate_name,
                "description": resource.description,
                "url": resource.url,
                "email": resource.contact_email,
                "status": resource.status,
                "application_process": resource.application_process,
                "fees_description": resource.fees_description,
                "eligibility_description": resource.audience,
                "minimum_age": resource.minimum_age,
                "maximum_age": resource.maximum_age,
                "last_modified": timezone.localtime(resource.updated_at).isoformat(),
            }
        )
        if organization:
            found["organization"] = self.organization_item(resource.provider)
        return found

    def location_item(self, location: Location) -> dict[str, Any]:
        provider = location.provider
        return _compact(
            {
                "id": str(location.hsds_id),
                "location_type": location.location_type,
                "organization_id": str(provider.hsds_id)
                if provider is not None and provider.archived_at is None
                else None,
                "name": location.name,
                "description": location.description,
                "transportation": location.transportation,
                "latitude": float(location.latitude) if location.latitude is not None else None,
                "longitude": float(location.longitude) if location.longitude is not None else None,
            }
        )

    def address(self, location: Location) -> dict[str, Any] | None:
        if not (location.address or location.postal_code):
            return None
        prefecture, city, rest = split_address(location.address, self.municipality)
        return {
            "id": str(uuid.uuid5(NAMESPACE, f"address:{location.hsds_id}")),
            "location_id": str(location.hsds_id),
            "address_1": rest,
            "city": city,
            "state_province": prefecture,
            "postal_code": location.postal_code,
            "country": "JP",
            "address_type": "postal"
            if location.location_type == Location.Type.POSTAL
            else "physical",
        }

    def schedule(
        self, schedule: Schedule, links: dict[tuple[int, int], ResourceLocation] | None = None
    ) -> dict[str, Any]:
        resource = schedule.resource
        location = schedule.location
        link = None
        if links is not None and schedule.resource_id and schedule.location_id:
            link = links.get((schedule.resource_id, schedule.location_id))
        return _compact(
            {
                "id": str(schedule.hsds_id),
                "service_id": str(resource.hsds_id) if resource is not None else None,
                "location_id": str(location.hsds_id) if location is not None else None,
                "service_at_location_id": str(link.hsds_id) if link is not None else None,
                "valid_from": _date(schedule.valid_from),
                "valid_to": _date(schedule.valid_to),
                "dtstart": _date(schedule.dtstart),
                "timezone": UTC_OFFSET_HOURS,
                "freq": schedule.freq or None,
                "interval": schedule.interval if schedule.freq else None,
                "byday": schedule.byday,
                "bymonthday": schedule.bymonthday,
                "description": schedule.description,
                "opens_at": hsds_time(schedule.opens_at),
                "closes_at": hsds_time(schedule.closes_at),
                "attending_type": schedule.attending_type,
                "notes": schedule.notes,
            }
        )

    # Nested forms ------------------------------------------------------

    def location_full(self, location: Location, own_schedules: list[Schedule]) -> dict[str, Any]:
        found = self.location_item(location)
        address = self.address(location)
        if address is not None:
            found["addresses"] = [address]
        if location.accessibility:
            found["accessibility"] = [
                {
                    "id": str(uuid.uuid5(NAMESPACE, f"accessibility:{location.hsds_id}")),
                    "location_id": str(location.hsds_id),
                    "description": location.accessibility,
                }
            ]
        found["schedules"] = [self.schedule(s) for s in own_schedules]
        if location.district is not None and location.district.archived_at is None:
            found["attributes"] = [
                _attribute(
                    DISTRICT,
                    location.district.name,
                    link_id=str(location.hsds_id),
                    link_entity="location",
                )
            ]
        return found

    @_scoped
    def _location_schedules(self, location_ids: Iterable[int]) -> dict[int, list[Schedule]]:
        """Each place's own opening hours (schedules of a place, not of a resource)."""
        found: dict[int, list[Schedule]] = {}
        for schedule in (
            Schedule.objects.filter(location_id__in=set(location_ids), resource=None)
            .select_related("location")
            .order_by("id")
        ):
            found.setdefault(schedule.location_id or 0, []).append(schedule)
        return found

    def _contact(self, resource: Resource) -> dict[str, Any] | None:
        if not (resource.contact_name or resource.contact_phone or resource.contact_email):
            return None
        link = str(resource.hsds_id)
        contact_id = str(uuid.uuid5(NAMESPACE, f"contact:{link}"))
        contact = _compact(
            {
                "id": contact_id,
                "service_id": link,
                "name": resource.contact_name,
                "email": resource.contact_email,
            }
        )
        if resource.contact_phone:
            contact["phones"] = [
                {
                    "id": str(uuid.uuid5(NAMESPACE, f"phone:{link}:contact")),
                    "contact_id": contact_id,
                    "number": resource.contact_phone,
                    "type": "voice",
                }
            ]
        return contact

    def _cost_option(self, resource: Resource) -> dict[str, Any] | None:
        free = Ease.FREE in resource.ease
        if not (resource.fees_description or free):
            return None
        amount = _fee_amount(resource.fees_description)
        if amount is None and free:
            amount = 0
        return _compact(
            {
                "id": str(uuid.uuid5(NAMESPACE, f"cost:{resource.hsds_id}")),
                "service_id": str(resource.hsds_id),
                "currency": "JPY",
                "amount": amount,
                "amount_description": resource.fees_description or _("無料"),
            }
        )

    @_scoped
    def services_full(self, resources: list[Resource]) -> list[dict[str, Any]]:
        """Fully nested services (organization, places with their addresses and
        hours, schedules, contact, fees, attributes)."""
        ids = [r.pk for r in resources]
        schedules: dict[int, list[Schedule]] = {}
        for schedule in (
            Schedule.objects.filter(resource_id__in=ids)
            .select_related("resource", "location")
            .order_by("id")
        ):
            schedules.setdefault(schedule.resource_id or 0, []).append(schedule)
        links_of: dict[int, list[ResourceLocation]] = {}
        pairs: dict[tuple[int, int], ResourceLocation] = {}
        for link in (
            ResourceLocation.objects.filter(resource_id__in=ids, location__archived_at=None)
            .select_related("resource", "location__district", "location__provider")
            .order_by("id")
        ):
            links_of.setdefault(link.resource_id, []).append(link)
            pairs[(link.resource_id, link.location_id)] = link
        own = self._location_schedules(link.location_id for link in pairs.values())
        found = []
        for resource in resources:
            service = self.service_item(resource, organization=False)
            service["organization"] = self.organization_nested(resource.provider)
            mine = schedules.get(resource.pk, [])
            service["schedules"] = [self.schedule(s, pairs) for s in mine]
            service["service_at_locations"] = [
                self._link_nested(link, mine, own, pairs) for link in links_of.get(resource.pk, [])
            ]
            contact = self._contact(resource)
            service["contacts"] = [contact] if contact else []
            cost = self._cost_option(resource)
            service["cost_options"] = [cost] if cost else []
            service["attributes"] = resource_attributes(resource)
            found.append(service)
        return found

    def _link_nested(
        self,
        link: ResourceLocation,
        schedules: list[Schedule],
        own: dict[int, list[Schedule]],
        pairs: dict[tuple[int, int], ResourceLocation],
    ) -> dict[str, Any]:
        return _compact(
            {
                "id": str(link.hsds_id),
                "service_id": str(link.resource.hsds_id),
                "location_id": str(link.location.hsds_id),
                "description": link.description,
                "schedules": [
                    self.schedule(s, pairs) for s in schedules if s.location_id == link.location_id
                ],
                "location": self.location_full(link.location, own.get(link.location_id, [])),
            },
            keep=("schedules",),
        )

    def service_at_location_item(self, link: ResourceLocation) -> dict[str, Any]:
        return _compact(
            {
                "id": str(link.hsds_id),
                "service_id": str(link.resource.hsds_id),
                "location_id": str(link.location.hsds_id),
                "description": link.description,
                "location": self.location_item(link.location),
                "service": self.service_item(link.resource),
            }
        )

    @_scoped
    def service_at_locations_full(self, links: list[ResourceLocation]) -> list[dict[str, Any]]:
        resource_ids = {link.resource_id for link in links}
        pairs = {(link.resource_id, link.location_id): link for link in links}
        schedules: dict[tuple[int, int], list[Schedule]] = {}
        for schedule in (
            Schedule.objects.filter(resource_id__in=resource_ids, location__isnull=False)
            .select_related("resource", "location")
            .order_by("id")
        ):
            key = (schedule.resource_id or 0, schedule.location_id or 0)
            schedules.setdefault(key, []).append(schedule)
        own = self._location_schedules(link.location_id for link in links)
        found = []
        for link in links:
            nested = self._link_nested(
                link, schedules.get((link.resource_id, link.location_id), []), own, pairs
            )
            nested["service"] = self.service_item(link.resource)
            found.append(nested)
        return found

    @_scoped
    def organizations_full(
        self, providers: list[Provider], resources: Iterable[Resource]
    ) -> list[dict[str, Any]]:
        """Organizations with their places and (in list form) their services."""
        locations: dict[int, list[Location]] = {}
        for location in (
            Location.objects.filter(provider__in=providers, archived_at=None)
            .select_related("district", "provider")
            .order_by("name", "id")
        ):
            locations.setdefault(location.provider_id or 0, []).append(location)
        own = self._location_schedules(
            location.pk for found in locations.values() for location in found
        )
        services: dict[int, list[Resource]] = {}
        for resource in resources:
            services.setdefault(resource.provider_id, []).append(resource)
        found = []
        for provider in providers:
            organization = self.organization_nested(provider)
            organization["locations"] = [
                self.location_full(location, own.get(location.pk, []))
                for location in locations.get(provider.pk, [])
            ]
            organization["services"] = [
                self.service_item(resource, organization=False)
                for resource in services.get(provider.pk, [])
            ]
            found.append(organization)
        return found

    # Taxonomies --------------------------------------------------------

    @_scoped
    def taxonomy_terms(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Every term of our taxonomies: the closed ones, the interests the
        resources use, the municipality's districts."""
        found = [
            taxonomy.term(code)
            for taxonomy in TAXONOMIES
            if not taxonomy.is_open
            for code, _label in taxonomy.terms
        ]
        words = sorted({str(w) for r in resources for w in r.interests})
        found += [INTEREST.term(word) for word in words]
        districts = District.objects.filter(archived_at=None).order_by("sort_order", "id")
        found += [DISTRICT.term(d.name) for d in districts]
        return found


def base_document(openapi_url: str) -> dict[str, Any]:
    return {
        "version": VERSION,
        "profile": PROFILE,
        "openapi_url": openapi_url,
        "profile_description": PROFILE_DESCRIPTION,
    }


# ---------------------------------------------------------------------------
# Import.

SERVICE = "service"
ORGANIZATION = "organization"
SERVICE_AT_LOCATION = "service_at_location"
LOCATION = "location"
TAXONOMY = "taxonomy"
TAXONOMY_TERM = "taxonomy_term"
TABULAR = "tabular"
BASE = "base"

KINDS: dict[str, Any] = {
    SERVICE: gettext_lazy("サービス（service）"),
    ORGANIZATION: gettext_lazy("団体（organization）"),
    SERVICE_AT_LOCATION: gettext_lazy("サービスの実施場所（service_at_location）"),
    LOCATION: gettext_lazy("場所（location）"),
    TAXONOMY: gettext_lazy("タクソノミー（taxonomy）"),
    TAXONOMY_TERM: gettext_lazy("タクソノミーの用語（taxonomy_term）"),
    TABULAR: gettext_lazy("表形式（tabular）"),
    BASE: gettext_lazy("API の情報"),
}
_ITEM_SCHEMAS = {
    SERVICE: "service.json",
    ORGANIZATION: "organization.json",
    SERVICE_AT_LOCATION: "service_at_location.json",
    LOCATION: "location.json",
    TAXONOMY: "taxonomy.json",
    TAXONOMY_TERM: "taxonomy_term.json",
}
#: What is counted, by row kind.
ROW_LABELS: dict[str, Any] = {
    "provider": gettext_lazy("運営団体"),
    "resource": gettext_lazy("社会資源"),
    "location": gettext_lazy("場所"),
    "resource_location": gettext_lazy("開催場所"),
    "schedule": gettext_lazy("開催日時"),
}
_TERM_KEYS = {
    "code",
    "taxonomy",
    "taxonomy_detail",
    "taxonomy_id",
    "parent_id",
    "term_uri",
    "language",
}
_TAXONOMY_KEYS = {"id", "name", "description", "uri", "version", "metadata"}


class HsdsImportError(Exception):
    """The document was refused; nothing was written. ``messages`` say why, in Japanese."""

    def __init__(self, messages: list[str]) -> None:
        if len(messages) > MAX_ERRORS:
            rest = len(messages) - MAX_ERRORS
            messages = [*messages[:MAX_ERRORS], _("ほか %(n)s 件の誤りがあります。") % {"n": rest}]
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class ImportResult:
    """What an import did: counts by row kind, and what the user should know."""

    kind: str = ""
    items: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    taxonomies: int = 0
    taxonomy_terms: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        """The summary in Japanese, one line per kind of row."""
        found = []
        for key, label in ROW_LABELS.items():
            created, updated = self.created[key], self.updated[key]
            if created or updated:
                found.append(
                    _("%(label)s: 新規 %(created)s件・更新 %(updated)s件")
                    % {"label": label, "created": created, "updated": updated}
                )
        if self.taxonomies or self.taxonomy_terms:
            found.append(
                _("タクソノミー %(t)s件・用語 %(n)s件を確認しました（つなぐには保存しません）。")
                % {"t": self.taxonomies, "n": self.taxonomy_terms}
            )
        if not found:
            found.append(_("取り込むデータはありませんでした。"))
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "items": self.items,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "taxonomies": self.taxonomies,
            "taxonomy_terms": self.taxonomy_terms,
            "warnings": list(self.warnings),
            "summary": self.lines(),
        }


def _item_kind(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    keys = set(item)
    if "status" in keys:
        return SERVICE
    if "location_type" in keys:
        return LOCATION
    if "name" not in keys and keys & {"service", "location", "service_id", "location_id"}:
        return SERVICE_AT_LOCATION
    if keys & _TERM_KEYS:
        return TAXONOMY_TERM
    if keys <= _TAXONOMY_KEYS and keys & {"uri", "version"}:
        return TAXONOMY
    if "name" in keys:
        return ORGANIZATION
    return None


@cache
def _tables() -> dict[str, str]:
    """Table names of the tabular form by both their names: ``services.csv`` and ``service``."""
    compiled = json.loads(
        (standard_dir() / "schema" / "compiled" / "tabular.json").read_text("utf-8")
    )
    found = {}
    for table in compiled["properties"]:
        found[table] = table
        path = json.loads((standard_dir() / "schema" / f"{table}.json").read_text("utf-8"))["path"]
        found[path] = table
    return found


def _is_tabular(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(v, list) for v in data.values())
        and set(data) <= set(_tables())
    )


def _is_page(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("contents"), list)


def detect_kind(data: Any) -> str:
    """Which HSDS object the document holds (a Page holds a kind too)."""
    if isinstance(data, dict) and "openapi_url" in data and "version" in data:
        return BASE
    if _is_tabular(data):
        return TABULAR
    if _is_page(data):
        kinds = {_item_kind(item) for item in data["contents"]}
        if not data["contents"]:
            return SERVICE
        if len(kinds) == 1 and None not in kinds:
            return kinds.pop()  # type: ignore[return-value]
    else:
        kind = _item_kind(data)
        if kind is not None:
            return kind
    raise HsdsImportError(
        [
            _(
                "HSDS 3.0 のどのデータか判別できません。サービス・団体・場所・"
                "サービスの実施場所（それぞれ単体またはページ形式）、タクソノミー、"
                "表形式のいずれかの JSON を選んでください。"
            )
        ]
    )


def _tabular_rows(data: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """The tables under their names, cells typed as the CSV they stand for
    (a number in a text column is read as its text: CSV cells are text)."""
    compiled = json.loads(
        (standard_dir() / "schema" / "compiled" / "tabular.json").read_text("utf-8")
    )
    tables: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for key, rows in data.items():
        table = _tables()[key]
        names[table] = key
        columns = compiled["properties"][table]["items"]["properties"]
        typed = []
        for row in rows:
            if isinstance(row, dict):
                row = {
                    column: str(value)
                    if columns.get(column, {}).get("type") == "string"
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                    else value
                    for column, value in row.items()
                }
            typed.append(row)
        tables.setdefault(table, []).extend(typed)
    return tables, names


def validate_document(data: Any, kind: str) -> list[str]:
    """Everything wrong with the document against the official schemas, in Japanese."""
    if kind == BASE:
        return schema_errors(data, base_schema())
    if kind == TABULAR:
        if not _is_tabular(data):
            return [
                _("表形式のデータではありません（表名をキーにした配列の JSON にしてください）。")
            ]
        tables, names = _tabular_rows(data)
        errors = []
        for table, rows in tables.items():
            errors += schema_errors(
                rows,
                {"type": "array", "items": {"$ref": schema_uri(f"{table}.json")}},
                names[table],
            )
        return errors
    if _is_page(data):
        errors = schema_errors(data, page_schema(_ITEM_SCHEMAS[kind]))
        for index, item in enumerate(data["contents"]):
            errors += _nested_errors(item, kind, f"contents[{index}]")
        return errors
    if not isinstance(data, dict):
        return [_("JSON のオブジェクト（{ … }）にしてください。")]
    return schema_errors(data, _ITEM_SCHEMAS[kind]) + _nested_errors(data, kind, "")


def _nested_errors(item: Any, kind: str, prefix: str) -> list[str]:
    """Services an organization or a service_at_location carries beyond its schema."""
    if not isinstance(item, dict):
        return []
    errors = []
    if kind == ORGANIZATION and "services" in item:
        errors += schema_errors(
            item["services"],
            {"type": "array", "items": {"$ref": schema_uri("service.json")}},
            json_path(["services"], prefix),
        )
    if kind == SERVICE_AT_LOCATION and "service" in item:
        errors += schema_errors(item["service"], "service.json", json_path(["service"], prefix))
    return errors


_TIME = re.compile(
    r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_TRUE = {"true", "1", "yes", "y", "はい"}


def _at(path: str, *parts: str | int) -> str:
    return json_path(parts, path)


class _Importer:
    """Creates or updates rows of the current municipality from validated HSDS objects."""

    def __init__(self, *, actor: Staff | None) -> None:
        self.actor = actor
        self.now = timezone.now()
        self.result = ImportResult()
        self.errors: list[str] = []
        self.providers: dict[uuid.UUID, Provider] = {}
        self.resources: dict[uuid.UUID, Resource] = {}
        self.locations: dict[uuid.UUID, Location] = {}
        self.links: dict[uuid.UUID, ResourceLocation] = {}
        self.schedules: dict[uuid.UUID, Schedule] = {}
        self._counted: set[tuple[str, int]] = set()

    # Helpers -----------------------------------------------------------

    def warn(self, message: str) -> None:
        if message not in self.result.warnings:
            self.result.warnings.append(message)

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def _count(self, key: str, obj: models.Model, created: bool) -> None:
        if (key, obj.pk) in self._counted:
            return
        self._counted.add((key, obj.pk))
        (self.result.created if created else self.result.updated)[key] += 1

    def _set_text(self, obj: models.Model, field_name: str, value: Any, where: str) -> None:
        """Set a text field, shortened (with a warning) to what the field holds."""
        text = "" if value is None else str(value).strip()
        max_length = getattr(obj._meta.get_field(field_name), "max_length", None)
        if max_length and len(text) > max_length:
            text = text[: max_length - 1] + "…"
            self.warn(
                _("%(where)s: %(max)s文字を超えるため、切り詰めて取り込みました。")
                % {"where": where, "max": max_length}
            )
        setattr(obj, field_name, text)

    def _text(
        self, obj: models.Model, field_name: str, data: dict[str, Any], key: str, path: str
    ) -> None:
        """Set a text field from ``data[key]`` when the document has it."""
        if key in data:
            self._set_text(obj, field_name, data[key], _at(path, key))

    def _number(
        self, data: dict[str, Any], key: str, path: str, *, low: int, high: int
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            number = int(str(value).strip()) if isinstance(value, str) else int(value)
        except (TypeError, ValueError, OverflowError):
            number = None
        if (
            number is None
            or not low <= number <= high
            or (isinstance(value, float) and not value.is_integer())
        ):
            self.warn(
                _("%(where)s: 「%(value)s」は取り込めない値のため、空のままにしました。")
                % {"where": _at(path, key), "value": value}
            )
            return None
        return number

    def _email(self, value: Any, path: str) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        try:
            validate_email(text)
        except DjangoValidationError:
            self.warn(
                _("%(where)s: メールアドレスとして読めないため、取り込みませんでした。")
                % {"where": path}
            )
            return ""
        return text

    def _url(self, value: Any, path: str) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(text)
        except DjangoValidationError:
            self.warn(
                _("%(where)s: ウェブサイトの URL として読めないため、取り込みませんでした。")
                % {"where": path}
            )
            return ""
        if len(text) > 200:
            self.warn(_("%(where)s: URL が長すぎるため、取り込みませんでした。") % {"where": path})
            return ""
        return text

    def _date(self, data: dict[str, Any], key: str, path: str) -> datetime.date | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        match = _DATE.match(str(value))
        try:
            if match is None:
                raise ValueError(value)
            return datetime.date.fromisoformat(match[1])
        except ValueError:
            self.fail(
                _("%(where)s: 「%(value)s」は日付（YYYY-MM-DD）として読めません。")
                % {"where": _at(path, key), "value": value}
            )
            return None

    def _time(self, data: dict[str, Any], key: str, path: str) -> datetime.time | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        match = _TIME.match(str(value))
        try:
            if match is None:
                raise ValueError(value)
            moment = datetime.time(int(match[1]), int(match[2]))
        except ValueError:
            self.fail(
                _("%(where)s: 「%(value)s」は時刻（HH:MM、例 10:00+09:00）として読めません。")
                % {"where": _at(path, key), "value": value}
            )
            return None
        offset = (match[4] or "").upper().replace(":", "")
        if offset and offset.ljust(5, "0") != "+0900":
            # Hours are the place's own clock: kept as written, flagged.
            self.warn(
                _(
                    "%(where)s: 日本時間（+09:00）以外の時刻「%(value)s」を、そのままの時刻で取り込みました。"
                )
                % {"where": _at(path, key), "value": value}
            )
        return moment

    # Attributes --------------------------------------------------------

    @staticmethod
    def _our_term(attribute: dict[str, Any]) -> tuple[Taxonomy, str] | None:
        term = attribute.get("taxonomy_term") or {}
        term_id = str(attribute.get("taxonomy_term_id") or term.get("id") or "").lower()
        if term_id in _CLOSED_TERMS:
            return _CLOSED_TERMS[term_id]
        detail = term.get("taxonomy_detail") or {}
        taxonomy_id = str(term.get("taxonomy_id") or detail.get("id") or "").lower()
        for taxonomy in TAXONOMIES:
            if taxonomy_id == taxonomy.id or term.get("taxonomy") == taxonomy.key:
                code = str(term.get("code") or term.get("name") or "").strip()
                return (taxonomy, code) if code else None
        return None

    @staticmethod
    def _extra_term(attribute: dict[str, Any]) -> dict[str, str]:
        term = attribute.get("taxonomy_term") or {}
        detail = term.get("taxonomy_detail") or {}
        entry = {
            "taxonomy": term.get("taxonomy") or detail.get("name") or "",
            "code": term.get("code") or "",
            "name": term.get("name") or "",
            "value": attribute.get("value") or "",
            "term_id": attribute.get("taxonomy_term_id") or term.get("id") or "",
            "taxonomy_id": term.get("taxonomy_id") or detail.get("id") or "",
            "description": term.get("description") or "",
            "link_type": attribute.get("link_type") or "",
        }
        return {k: str(v) for k, v in entry.items() if v not in ("", None)}

    def _resource_attributes(
        self, resource: Resource, attributes: list[dict[str, Any]], path: str
    ) -> None:
        ours: dict[str, list[tuple[str, str, str]]] = {}
        extras = []
        for index, attribute in enumerate(attributes):
            found = self._our_term(attribute)
            where = _at(path, "attributes", index)
            if found is None:
                extras.append(self._extra_term(attribute))
                continue
            taxonomy, code = found
            ours.setdefault(taxonomy.key, []).append(
                (code, str(attribute.get("value") or ""), where)
            )
        resource.extra_terms = extras
        if not ours:
            return
        categories = [code for code, _v, _w in ours.get(CATEGORY.key, [])]
        known = [code for code in categories if code in Category.values]
        for code, _value, where in ours.get(CATEGORY.key, []):
            if code not in Category.values:
                self.warn(
                    _("%(where)s: 分類「%(code)s」は使われていないため「その他」にしました。")
                    % {"where": where, "code": code}
                )
        resource.category = known[0] if known else Category.OTHER
        resource.ease = self._codes(ours.get(EASE.key, []), Ease.values, _("参加のしやすさ"))
        resource.needs = self._codes(ours.get(NEED.key, []), Need.values, _("必要としているもの"))
        words: list[str] = []
        for code, _value, _where in ours.get(INTEREST.key, []):
            word = code.strip()[:40]
            if word and word not in words:
                words.append(word)
        resource.interests = words
        details = {code: (value, where) for code, value, where in ours.get(DETAIL.key, [])}
        resource.is_community_place = (
            details.get(DETAIL_COMMUNITY_PLACE, ("", ""))[0].strip().lower() in _TRUE
        )
        this_year = timezone.localdate().year
        resource.year_started = self._detail_number(details, DETAIL_YEAR_STARTED, 1868, this_year)
        resource.capacity = self._detail_number(details, DETAIL_CAPACITY, 0, 32767)
        for code, field_name in ((DETAIL_NEEDS_NOTE, "needs_note"), (DETAIL_OFFERS, "offers")):
            value, where = details.get(code, ("", path))
            self._set_text(resource, field_name, value, _at(where, "value"))

    def _codes(
        self, found: list[tuple[str, str, str]], allowed: list[str], label: str
    ) -> list[str]:
        codes: list[str] = []
        for code, _value, where in found:
            if code not in allowed:
                self.warn(
                    _("%(where)s: %(label)s「%(code)s」は使われていないため取り込みませんでした。")
                    % {"where": where, "label": label, "code": code}
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def _detail_number(
        self, details: dict[str, tuple[str, str]], code: str, low: int, high: int
    ) -> int | None:
        if code not in details:
            return None
        value, where = details[code]
        number = self._number({"value": value}, "value", where, low=low, high=high)
        return number

    # Rows --------------------------------------------------------------

    def provider(self, data: dict[str, Any], path: str) -> Provider:
        hsds_id = uuid.UUID(data["id"])
        provider = self.providers.get(hsds_id) or Provider.objects.filter(hsds_id=hsds_id).first()
        created = provider is None
        if provider is None:
            provider = Provider(hsds_id=hsds_id, created_by=self.actor)
        for key in ("name", "alternate_name", "description"):
            self._text(provider, key, data, key, path)
        if not provider.name:
            provider.name = _("（名称なし）")
        if "email" in data:
            provider.email = self._email(data["email"], _at(path, "email"))
        if "website" in data:
            provider.website = self._url(data["website"], _at(path, "website"))
        if "year_incorporated" in data:
            provider.year_incorporated = self._number(
                data, "year_incorporated", path, low=1, high=32767
            )
        phones = data.get("phones") or []
        if phones:
            self._text(provider, "phone", phones[0], "number", _at(path, "phones", 0))
        kinds = []
        for attribute in data.get("attributes") or []:
            found = self._our_term(attribute)
            if found is not None and found[0] is PROVIDER_KIND:
                kinds.append(found[1])
        labels = {str(label): value for value, label in ProviderKind.choices}
        if kinds:
            provider.kind = kinds[0] if kinds[0] in ProviderKind.values else ProviderKind.OTHER
        elif data.get("legal_status") in labels:
            provider.kind = labels[data["legal_status"]]
        provider.updated_by = self.actor
        provider.save()
        self.providers[hsds_id] = provider
        self._count("provider", provider, created)
        if not created and provider.archived_at is not None:
            self.warn(
                _(
                    "%(where)s: アーカイブ済みの運営団体「%(name)s」を更新しました（アーカイブは解除していません）。"
                )
                % {"where": path or _("（文書全体）"), "name": provider.name}
            )
        return provider

    def _provider_by_id(self, value: Any) -> Provider | None:
        hsds_id = uuid.UUID(str(value))
        return self.providers.get(hsds_id) or Provider.objects.filter(hsds_id=hsds_id).first()

    def organization(self, data: dict[str, Any], path: str) -> Provider:
        provider = self.provider(data, path)
        for index, location in enumerate(data.get("locations") or []):
            self.location(location, _at(path, "locations", index), provider=provider)
        for index, service in enumerate(data.get("services") or []):
            self.service(service, _at(path, "services", index), provider=provider)
        return provider

    def service(
        self, data: dict[str, Any], path: str, *, provider: Provider | None = None
    ) -> Resource | None:
        hsds_id = uuid.UUID(data["id"])
        if isinstance(data.get("organization"), dict):
            provider = self.provider(data["organization"], _at(path, "organization"))
        elif provider is None and data.get("organization_id"):
            provider = self._provider_by_id(data["organization_id"])
        resource = (
            self.resources.get(hsds_id)
            # Locked: a colleague's edit in progress sees the new version and is refused.
            or Resource.objects.select_for_update().filter(hsds_id=hsds_id).first()
        )
        created = resource is None
        if resource is None:
            if provider is None:
                self.fail(
                    _(
                        "%(where)s: 運営団体（organization）が見つかりません。organization を含めるか、先に団体を取り込んでください。"
                    )
                    % {"where": path or _("（文書全体）")}
                )
                return None
            resource = Resource(
                hsds_id=hsds_id, provider=provider, category=Category.OTHER, created_by=self.actor
            )
        else:
            if provider is not None:
                resource.provider = provider
            if hsds_id not in self.resources:
                resource.version += 1
        self._resource_fields(resource, data, path)
        resource.imported_at = self.now
        resource.updated_by = self.actor
        resource.save()
        self.resources[hsds_id] = resource
        self._count("resource", resource, created)
        if not created and resource.archived_at is not None:
            self.warn(
                _(
                    "%(where)s: アーカイブ済みの社会資源「%(name)s」を更新しました（アーカイブは解除していません）。"
                )
                % {"where": path or _("（文書全体）"), "name": resource.name}
            )
        for index, schedule in enumerate(data.get("schedules") or []):
            self.schedule(schedule, _at(path, "schedules", index), resource=resource)
        for index, link in enumerate(data.get("service_at_locations") or []):
            self.service_at_location(
                link, _at(path, "service_at_locations", index), resource=resource
            )
        return resource

    def _resource_fields(self, resource: Resource, data: dict[str, Any], path: str) -> None:
        for key in (
            "name",
            "alternate_name",
            "description",
            "application_process",
            "fees_description",
        ):
            self._text(resource, key, data, key, path)
        if not resource.name:
            resource.name = _("（名称なし）")
        self._text(resource, "audience", data, "eligibility_description", path)
        if "status" in data:
            resource.status = data["status"]
        if "url" in data:
            resource.url = self._url(data["url"], _at(path, "url"))
        for key in ("minimum_age", "maximum_age"):
            if key in data:
                setattr(resource, key, self._number(data, key, path, low=0, high=150))
        if "email" in data:
            resource.contact_email = self._email(data["email"], _at(path, "email"))
        contacts = data.get("contacts") or []
        if contacts:
            contact, where = contacts[0], _at(path, "contacts", 0)
            self._text(resource, "contact_name", contact, "name", where)
            if contact.get("email"):
                resource.contact_email = self._email(contact["email"], _at(where, "email"))
            phones = contact.get("phones") or []
            if phones:
                self._text(resource, "contact_phone", phones[0], "number", _at(where, "phones", 0))
        phones = data.get("phones") or []
        if phones and not resource.contact_phone:
            self._text(resource, "contact_phone", phones[0], "number", _at(path, "phones", 0))
        costs = data.get("cost_options") or []
        if costs and not resource.fees_description:
            cost = costs[0]
            text = str(cost.get("amount_description") or cost.get("option") or "")
            if cost.get("amount") is not None and str(cost.get("currency") or "").upper() == "JPY":
                amount = cost["amount"]
                text = f"{int(amount) if float(amount).is_integer() else amount}円 {text}".strip()
            self._set_text(resource, "fees_description", text, _at(path, "cost_options", 0))
        if "attributes" in data:
            self._resource_attributes(resource, data.get("attributes") or [], path)

    def location(
        self, data: dict[str, Any], path: str, *, provider: Provider | None = None
    ) -> Location:
        hsds_id = uuid.UUID(data["id"])
        if provider is None and data.get("organization_id"):
            provider = self._provider_by_id(data["organization_id"])
            if provider is None:
                self.warn(
                    _(
                        "%(where)s: 団体 %(id)s が見つからないため、場所の運営団体は設定しませんでした。"
                    )
                    % {"where": _at(path, "organization_id"), "id": data["organization_id"]}
                )
        location = self.locations.get(hsds_id) or Location.objects.filter(hsds_id=hsds_id).first()
        created = location is None
        if location is None:
            location = Location(hsds_id=hsds_id, created_by=self.actor)
        if provider is not None:
            location.provider = provider
        location.location_type = data.get("location_type") or location.location_type
        for key in ("name", "description", "transportation"):
            self._text(location, key, data, key, path)
        if not location.name:
            location.name = str(data.get("alternate_name") or "").strip()[:120] or _("（名称なし）")
        for key, limit in (("latitude", 90), ("longitude", 180)):
            if key in data:
                setattr(location, key, self._coordinate(data, key, limit, path))
        addresses = [a for a in data.get("addresses") or [] if isinstance(a, dict)]
        if addresses:
            index, address = next(
                ((i, a) for i, a in enumerate(addresses) if a.get("address_type") == "physical"),
                (0, addresses[0]),
            )
            where = _at(path, "addresses", index)
            self._set_text(location, "address", join_address(address), where)
            self._text(location, "postal_code", address, "postal_code", where)
        accessibility = [a for a in data.get("accessibility") or [] if isinstance(a, dict)]
        if accessibility:
            text = " ".join(
                str(a.get("description") or a.get("details") or "").strip() for a in accessibility
            ).strip()
            self._set_text(location, "accessibility", text, _at(path, "accessibility"))
        for index, attribute in enumerate(data.get("attributes") or []):
            found = self._our_term(attribute)
            if found is None or found[0] is not DISTRICT:
                continue
            district = District.objects.filter(name=found[1], archived_at=None).first()
            if district is None:
                self.warn(
                    _("%(where)s: 圏域「%(name)s」はこの自治体にないため、設定しませんでした。")
                    % {"where": _at(path, "attributes", index), "name": found[1]}
                )
            location.district = district
        location.updated_by = self.actor
        location.save()
        self.locations[hsds_id] = location
        self._count("location", location, created)
        for index, schedule in enumerate(data.get("schedules") or []):
            self.schedule(schedule, _at(path, "schedules", index), location=location)
        return location

    def _coordinate(self, data: dict[str, Any], key: str, limit: int, path: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            number = Decimal(str(value)).quantize(Decimal("0.000001"))
        except InvalidOperation:
            number = None
        if number is None or abs(number) > limit:
            self.warn(
                _("%(where)s: 「%(value)s」は座標として正しくないため、取り込みませんでした。")
                % {"where": _at(path, key), "value": value}
            )
            return None
        return number

    def service_at_location(
        self, data: dict[str, Any], path: str, *, resource: Resource | None = None
    ) -> ResourceLocation | None:
        hsds_id = uuid.UUID(data["id"])
        if resource is None and isinstance(data.get("service"), dict):
            resource = self.service(data["service"], _at(path, "service"))
        elif resource is None and data.get("service_id"):
            service_id = uuid.UUID(str(data["service_id"]))
            resource = (
                self.resources.get(service_id)
                or Resource.objects.filter(hsds_id=service_id).first()
            )
        location = None
        if isinstance(data.get("location"), dict):
            location = self.location(data["location"], _at(path, "location"))
        elif data.get("location_id"):
            location_id = uuid.UUID(str(data["location_id"]))
            location = (
                self.locations.get(location_id)
                or Location.objects.filter(hsds_id=location_id).first()
            )
        if resource is None or location is None:
            missing = _("サービス（service）") if resource is None else _("場所（location）")
            self.fail(
                _("%(where)s: %(missing)s が見つかりません。")
                % {"where": path or _("（文書全体）"), "missing": missing}
            )
            return None
        link = (
            self.links.get(hsds_id)
            or ResourceLocation.objects.filter(hsds_id=hsds_id).first()
            or ResourceLocation.objects.filter(resource=resource, location=location).first()
        )
        created = link is None
        if link is None:
            link = ResourceLocation(hsds_id=hsds_id)
        same_pair = (
            ResourceLocation.objects.filter(resource=resource, location=location)
            .exclude(pk=link.pk)
            .first()
        )
        if same_pair is not None:
            link = same_pair
            created = False
        link.resource, link.location = resource, location
        self._text(link, "description", data, "description", path)
        link.save()
        self.links[hsds_id] = link
        self._count("resource_location", link, created)
        for index, schedule in enumerate(data.get("schedules") or []):
            self.schedule(
                schedule, _at(path, "schedules", index), resource=resource, location=location
            )
        return link

    def schedule(
        self,
        data: dict[str, Any],
        path: str,
        *,
        resource: Resource | None = None,
        location: Location | None = None,
    ) -> Schedule | None:
        hsds_id = uuid.UUID(data["id"])
        schedule = self.schedules.get(hsds_id) or Schedule.objects.filter(hsds_id=hsds_id).first()
        created = schedule is None
        if schedule is None:
            schedule = Schedule(hsds_id=hsds_id)
        # The same schedule may be listed under a service, its place and the
        # service at that place: each listing adds what it is the schedule of.
        if resource is not None:
            schedule.resource = resource
        if location is not None:
            schedule.location = location
        if schedule.resource_id is None and schedule.location_id is None:
            self.warn(
                _("%(where)s: どのサービス・場所の予定か分からないため、取り込みませんでした。")
                % {"where": path or _("（文書全体）")}
            )
            return None
        schedule.freq = data.get("freq") or ""
        interval = self._number(data, "interval", path, low=1, high=99)
        schedule.interval = interval or 1
        schedule.byday = str(data.get("byday") or "").upper().replace(" ", "")
        schedule.bymonthday = str(data.get("bymonthday") or "").replace(" ", "")
        schedule.dtstart = self._date(data, "dtstart", path)
        schedule.valid_from = self._date(data, "valid_from", path)
        schedule.valid_to = self._date(data, "valid_to", path) or self._date(data, "until", path)
        schedule.opens_at = self._time(data, "opens_at", path)
        schedule.closes_at = self._time(data, "closes_at", path)
        for key in ("description", "attending_type", "notes"):
            self._text(schedule, key, data, key, path)
        problems = schedule_problems(
            ScheduleSpec(
                freq=schedule.freq,
                interval=schedule.interval,
                byday=schedule.byday,
                bymonthday=schedule.bymonthday,
                opens_at=schedule.opens_at,
                closes_at=schedule.closes_at,
            )
        )
        for field_name in ("byday", "bymonthday"):
            if len(getattr(schedule, field_name)) > 60:
                problems.append(_("%(name)s が長すぎます。") % {"name": field_name})
        if problems:
            for problem in problems:
                self.fail(
                    _("%(where)s: %(problem)s")
                    % {"where": path or _("（文書全体）"), "problem": problem}
                )
            return None
        schedule.save()
        self.schedules[hsds_id] = schedule
        self._count("schedule", schedule, created)
        return schedule

    # Documents ---------------------------------------------------------

    def item(self, kind: str, data: dict[str, Any], path: str) -> None:
        self.result.items += 1
        if kind == SERVICE:
            self.service(data, path)
        elif kind == ORGANIZATION:
            self.organization(data, path)
        elif kind == SERVICE_AT_LOCATION:
            self.service_at_location(data, path)
        elif kind == LOCATION:
            self.location(data, path)
        elif kind == TAXONOMY:
            self.result.taxonomies += 1
        elif kind == TAXONOMY_TERM:
            self.result.taxonomy_terms += 1

    def tabular(self, data: dict[str, Any]) -> None:
        tables, names = _tabular_rows(data)

        def rows(table: str) -> list[dict[str, Any]]:
            return [r for r in tables.get(table, []) if isinstance(r, dict)]

        def where(table: str, index: int) -> str:
            return f"{names.get(table, table)}[{index}]"

        def linked(table: str, column: str, value: str) -> list[dict[str, Any]]:
            return [r for r in rows(table) if r.get(column) == value]

        self.result.taxonomies = len(rows("taxonomy"))
        self.result.taxonomy_terms = len(rows("taxonomy_term"))
        terms = {r.get("id"): r for r in rows("taxonomy_term")}
        for index, organization in enumerate(rows("organization")):
            nested = dict(
                organization,
                phones=[
                    p
                    for p in linked("phone", "organization_id", organization["id"])
                    if not p.get("contact_id")
                ],
            )
            nested["attributes"] = self._tabular_attributes(
                linked("attribute", "link_id", organization["id"]), terms
            )
            self.provider(nested, where("organization", index))
            self.result.items += 1
        for index, location in enumerate(rows("location")):
            nested = dict(location)
            nested["addresses"] = linked("address", "location_id", location["id"])
            nested["accessibility"] = linked("accessibility", "location_id", location["id"])
            nested["attributes"] = self._tabular_attributes(
                linked("attribute", "link_id", location["id"]), terms
            )
            self.location(nested, where("location", index))
            self.result.items += 1
        for index, service in enumerate(rows("service")):
            nested = dict(service)
            contacts = []
            for contact in linked("contact", "service_id", service["id"]):
                contacts.append(dict(contact, phones=linked("phone", "contact_id", contact["id"])))
            nested["contacts"] = contacts
            nested["phones"] = [
                p for p in linked("phone", "service_id", service["id"]) if not p.get("contact_id")
            ]
            nested["cost_options"] = linked("cost_option", "service_id", service["id"])
            nested["attributes"] = self._tabular_attributes(
                linked("attribute", "link_id", service["id"]), terms
            )
            self.service(nested, where("service", index))
            self.result.items += 1
        for index, link in enumerate(rows("service_at_location")):
            self.service_at_location(link, where("service_at_location", index))
        for index, schedule in enumerate(rows("schedule")):
            self._tabular_schedule(schedule, where("schedule", index))
        known = {str(k) for k in (*self.providers, *self.resources, *self.locations)}
        for index, attribute in enumerate(rows("attribute")):
            if attribute.get("link_id") not in known:
                self.warn(
                    _("%(where)s: 対象（link_id）が見つからないため、取り込みませんでした。")
                    % {"where": where("attribute", index)}
                )

    @staticmethod
    def _tabular_attributes(
        attributes: list[dict[str, Any]], terms: dict[Any, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        found = []
        for attribute in attributes:
            term = terms.get(attribute.get("taxonomy_term_id"))
            found.append(dict(attribute, taxonomy_term=term) if term else dict(attribute))
        return found

    def _tabular_schedule(self, data: dict[str, Any], path: str) -> None:
        resource = location = None
        link_id = data.get("service_at_location_id")
        link = self.links.get(uuid.UUID(link_id)) if link_id else None
        if link is not None:
            resource, location = link.resource, link.location
        if data.get("service_id"):
            resource = (
                resource
                or self.resources.get(uuid.UUID(data["service_id"]))
                or Resource.objects.filter(hsds_id=data["service_id"]).first()
            )
        if data.get("location_id"):
            location = (
                location
                or self.locations.get(uuid.UUID(data["location_id"]))
                or Location.objects.filter(hsds_id=data["location_id"]).first()
            )
        self.schedule(data, path, resource=resource, location=location)


def _audit_detail(result: ImportResult, source: str) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "format": f"HSDS {VERSION}",
        "kind": result.kind,
        "created": dict(result.created),
        "updated": dict(result.updated),
    }
    if source:
        detail["via"] = source
    return detail


def import_document(
    data: Any,
    *,
    actor: Staff | None,
    municipality: Municipality | None = None,
    kind: str | None = None,
    source: str = "",
) -> ImportResult:
    """Import an HSDS 3.0 document into the municipality (the actor's by default).

    Raises :class:`HsdsImportError` (nothing written) when the document does
    not conform to the schemas or cannot be stored; ``PermissionDenied`` when
    the actor may not register resources. ``source`` names where it came from
    in the audit event (``"page"``, ``"api"``, ``"command"``)."""
    if actor is not None:
        municipality = municipality or actor.municipality
        if municipality.pk != actor.municipality_id or not policy.decide(
            actor, policy.Action.CREATE, "resource"
        ):
            raise PermissionDenied
    if municipality is None:
        raise ValueError("import_document needs an actor or a municipality")
    if kind is not None and kind not in KINDS:
        raise HsdsImportError([_("データの種類「%(kind)s」は扱えません。") % {"kind": kind}])
    # The rules of every write (the pages' and the API's): a document from a
    # file or a command is checked as the API's body is.
    if depth(data) > MAX_DEPTH:
        raise HsdsImportError([too_deep_message()])
    refused = text_errors(data)
    if refused:
        raise HsdsImportError(
            [f"{path}: {message}" for path, messages in refused.items() for message in messages]
        )
    kind = kind or detect_kind(data)
    errors = validate_document(data, kind)
    if errors:
        raise HsdsImportError(errors)
    importer = _Importer(actor=actor)
    importer.result.kind = kind
    with tenancy.tenant_context(municipality), transaction.atomic():
        if kind == TABULAR:
            importer.tabular(data)
        elif kind != BASE:
            items = data["contents"] if _is_page(data) else [data]
            prefix = "contents" if _is_page(data) else ""
            for index, item in enumerate(items):
                importer.item(kind, item, f"{prefix}[{index}]" if prefix else "")
        if importer.errors:
            # Leaves the transaction by the exception: every row written above is undone.
            raise HsdsImportError(importer.errors)
        result = importer.result
        if result.changed:
            audit_record(
                AuditAction.CREATE if result.created else AuditAction.CHANGE,
                actor=actor,
                municipality=municipality,
                actor_label="" if actor is not None else "hsds_import",
                object_type="resources.resource",
                detail=_audit_detail(result, source),
            )
    return result
