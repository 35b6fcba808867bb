"""The resource directory as an Open Referral HSDS 3.0 API (/api/v1/hsds/).

The paths and the Page wrapper are those of the HSDS OpenAPI document; the
objects are built by :mod:`tsunagu.resources.hsds` and conform to the official
schemas (the tests check every one). Each answer is the municipality's own
directory, without archived rows, read through the policy (``resource``,
export) and recorded in the audit trail as an export naming what went out.
``POST /import`` takes an HSDS document into the directory.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status

from tsunagu import policy
from tsunagu.api.errors import ERRORS, BodyRefused
from tsunagu.api.parsing import read_json_body
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Moment
from tsunagu.core.http import StaffRequest
from tsunagu.core.pagination import PageNumber
from tsunagu.core.text import SearchText, search_words
from tsunagu.resources import hsds
from tsunagu.resources.models import Provider, Resource, ResourceLocation

router: Router = Router(tags=["HSDS 3.0（社会資源の交換）"])

PAGING = (
    "page（1から）と per_page（既定50、最大100）でページを指定します。"
    "答えは HSDS の Page（total_items, total_pages, page_number, size, first_page, "
    "last_page, empty, contents）です。"
)


class ImportOut(Schema):
    kind: str
    items: int
    created: dict[str, int]
    updated: dict[str, int]
    taxonomies: int
    taxonomy_terms: int
    warnings: list[str]
    summary: list[str]


class ImportErrorOut(Schema):
    detail: str
    #: The importer's messages; or, for a refused query (``kind``), the API's
    #: shared field → messages.
    errors: list[str] | dict[str, list[str]]


# --- Helpers -------------------------------------------------------------------------


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _page(queryset: QuerySet[Any], page: int, per_page: int) -> tuple[list[Any], int, int, int]:
    page, per_page = hsds.clamp_page(page, per_page)
    total = queryset.count()
    start = (page - 1) * per_page
    return list(queryset[start : start + per_page]), total, page, per_page


def _basis(request: StaffRequest) -> str:
    return policy.decide(request.user, policy.Action.EXPORT, "resource").basis or ""


def _audit_export(
    request: StaffRequest, object_type: str, endpoint: str, ids: list[str], **detail: Any
) -> None:
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        object_type=object_type,
        basis=_basis(request),
        detail={"format": f"HSDS {hsds.VERSION}", "endpoint": endpoint, "ids": ids, **detail},
    )


def _exporter(request: StaffRequest) -> hsds.Exporter:
    return hsds.Exporter(request.user.municipality)


def _resource(request: StaffRequest, service_id: str) -> Resource:
    hsds_id = _uuid(service_id)
    if hsds_id is None:
        raise Http404
    resource, _decision = policy.get_or_404(
        request.user, "resource", policy.Action.EXPORT, hsds_id=hsds_id
    )
    if resource.archived_at is not None or resource.provider.archived_at is not None:
        raise Http404
    return resource


def _search(queryset: QuerySet[Any], search: str, prefix: str = "") -> QuerySet[Any]:
    query = Q()
    for word in search_words(search):
        query &= (
            Q(**{f"{prefix}name__icontains": word})
            | Q(**{f"{prefix}alternate_name__icontains": word})
            | Q(**{f"{prefix}description__icontains": word})
            | Q(**{f"{prefix}provider__name__icontains": word})
        )
    return queryset.filter(query)


def _with_term(queryset: QuerySet[Any], taxonomy_term_id: str) -> QuerySet[Any]:
    """Resources carrying the term (our attributes are computed, so checked here)."""
    wanted = taxonomy_term_id.lower()
    fields = ["id", "hsds_id", "category", "ease", "needs", "interests", "is_community_place"]
    fields += ["year_started", "capacity", "needs_note", "offers", "extra_terms"]
    matching = [
        resource.pk
        for resource in queryset.select_related(None).only(*fields)
        if wanted in hsds.attribute_term_ids(resource)
    ]
    return queryset.filter(pk__in=matching)


def _services(
    request: StaffRequest,
    *,
    search: str,
    taxonomy_term_id: str,
    organization_id: str,
    modified_after: datetime | None,
) -> QuerySet[Resource]:
    resources = hsds.export_resources(request.user)
    if search:
        resources = _search(resources, search)
    if organization_id:
        provider_id = _uuid(organization_id)
        resources = (
            resources.filter(provider__hsds_id=provider_id) if provider_id else resources.none()
        )
    if modified_after is not None:
        if timezone.is_naive(modified_after):
            modified_after = timezone.make_aware(modified_after)
        resources = resources.filter(updated_at__gte=modified_after)
    if taxonomy_term_id:
        resources = _with_term(resources, taxonomy_term_id)
    return resources


# --- Operations ----------------------------------------------------------------------


@router.get(
    "/",
    response={200: dict, **ERRORS},
    summary="HSDS API の情報（版・プロファイル・OpenAPI）",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_meta(request: StaffRequest) -> Any:
    return hsds.base_document(request.build_absolute_uri(reverse("api:openapi-json")))


@router.get(
    "/services",
    response={200: dict, **ERRORS},
    summary="社会資源（HSDS service）の一覧",
    description=PAGING + " full=true で各サービスを入れ子の完全な形で返します。",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_service_list(
    request: StaffRequest,
    page: PageNumber = 1,
    per_page: int = hsds.DEFAULT_PER_PAGE,
    search: SearchText = "",
    taxonomy_term_id: str = "",
    organization_id: str = "",
    modified_after: Moment | None = None,
    full: bool = False,
) -> Any:
    resources = _services(
        request,
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    items, total, page, per_page = _page(resources, page, per_page)
    exporter = _exporter(request)
    if full:
        contents = exporter.services_full(items)
    else:
        contents = [exporter.service_item(resource) for resource in items]
    _audit_export(
        request,
        "resources.resource",
        "services",
        [c["id"] for c in contents],
        page=page,
        full=full,
    )
    return hsds.page_document(contents, total=total, page=page, per_page=per_page)


@router.get(
    "/services/{service_id}",
    response={200: dict, **ERRORS},
    summary="社会資源（HSDS service、入れ子の完全な形）",
    description="運営団体、開催場所（住所・開催日時）、開催日時、連絡先、参加費、"
    "つなぐ独自の属性（分類・参加のしやすさ など）を含めて返します。",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_service_detail(request: StaffRequest, service_id: str) -> Any:
    resource = _resource(request, service_id)
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        obj=resource,
        basis=_basis(request),
        detail={"format": f"HSDS {hsds.VERSION}", "endpoint": "services/{id}"},
    )
    return _exporter(request).services_full([resource])[0]


@router.get(
    "/organizations",
    response={200: dict, **ERRORS},
    summary="運営団体（HSDS organization）の一覧",
    description=PAGING + " full=true で場所とサービスを含めて返します。",
)
@policy.route("provider", policy.Action.EXPORT)
def hsds_organization_list(
    request: StaffRequest,
    page: PageNumber = 1,
    per_page: int = hsds.DEFAULT_PER_PAGE,
    search: SearchText = "",
    full: bool = False,
) -> Any:
    providers = hsds.export_providers(request.user)
    for word in search_words(search):
        providers = providers.filter(
            Q(name__icontains=word)
            | Q(alternate_name__icontains=word)
            | Q(description__icontains=word)
        )
    items, total, page, per_page = _page(providers, page, per_page)
    exporter = _exporter(request)
    if full:
        resources = hsds.export_resources(request.user).filter(provider__in=items)
        contents = exporter.organizations_full(items, resources)
    else:
        contents = [exporter.organization_item(provider) for provider in items]
    _audit_export(
        request,
        "resources.provider",
        "organizations",
        [c["id"] for c in contents],
        page=page,
        full=full,
    )
    return hsds.page_document(contents, total=total, page=page, per_page=per_page)


@router.get(
    "/organizations/{organization_id}",
    response={200: dict, **ERRORS},
    summary="運営団体（HSDS organization、場所とサービスつき）",
)
@policy.route("provider", policy.Action.EXPORT)
def hsds_organization_detail(request: StaffRequest, organization_id: str) -> Any:
    hsds_id = _uuid(organization_id)
    if hsds_id is None:
        raise Http404
    provider: Provider
    provider, _decision = policy.get_or_404(
        request.user, "provider", policy.Action.EXPORT, hsds_id=hsds_id
    )
    if provider.archived_at is not None:
        raise Http404
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        obj=provider,
        basis=_basis(request),
        detail={"format": f"HSDS {hsds.VERSION}", "endpoint": "organizations/{id}"},
    )
    resources = hsds.export_resources(request.user).filter(provider=provider)
    return _exporter(request).organizations_full([provider], resources)[0]


@router.get(
    "/service_at_locations",
    response={200: dict, **ERRORS},
    summary="社会資源の開催場所（HSDS service_at_location）の一覧",
    description=PAGING + " full=true で場所・開催日時・サービスを含めて返します。",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_service_at_location_list(
    request: StaffRequest,
    page: PageNumber = 1,
    per_page: int = hsds.DEFAULT_PER_PAGE,
    search: SearchText = "",
    taxonomy_term_id: str = "",
    organization_id: str = "",
    modified_after: Moment | None = None,
    full: bool = False,
) -> Any:
    resources = _services(
        request,
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    links = hsds.export_links(request.user).filter(resource__in=resources)
    items, total, page, per_page = _page(links, page, per_page)
    exporter = _exporter(request)
    if full:
        contents = exporter.service_at_locations_full(items)
    else:
        contents = [exporter.service_at_location_item(link) for link in items]
    _audit_export(
        request,
        "resources.resourcelocation",
        "service_at_locations",
        [c["id"] for c in contents],
        page=page,
        full=full,
    )
    return hsds.page_document(contents, total=total, page=page, per_page=per_page)


@router.get(
    "/service_at_locations/{service_at_location_id}",
    response={200: dict, **ERRORS},
    summary="社会資源の開催場所（HSDS service_at_location、入れ子の完全な形）",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_service_at_location_detail(request: StaffRequest, service_at_location_id: str) -> Any:
    hsds_id = _uuid(service_at_location_id)
    link: ResourceLocation | None = (
        hsds.export_links(request.user).filter(hsds_id=hsds_id).first() if hsds_id else None
    )
    if link is None:
        policy.audit_denial(request.user, policy.Action.EXPORT, "resource", service_at_location_id)
        raise Http404
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        obj=link,
        basis=_basis(request),
        detail={"format": f"HSDS {hsds.VERSION}", "endpoint": "service_at_locations/{id}"},
    )
    return _exporter(request).service_at_locations_full([link])[0]


@router.get(
    "/taxonomies",
    response={200: dict, **ERRORS},
    summary="つなぐ独自のタクソノミー（HSDS taxonomy）の一覧",
    description=PAGING,
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_taxonomy_list(
    request: StaffRequest, page: PageNumber = 1, per_page: int = hsds.DEFAULT_PER_PAGE
) -> Any:
    page, per_page = hsds.clamp_page(page, per_page)
    everything = [taxonomy.as_hsds() for taxonomy in hsds.TAXONOMIES]
    contents = everything[(page - 1) * per_page : page * per_page]
    _audit_export(request, "hsds.taxonomy", "taxonomies", [c["id"] for c in contents], page=page)
    return hsds.page_document(contents, total=len(everything), page=page, per_page=per_page)


@router.get(
    "/taxonomies/{taxonomy_id}",
    response={200: dict, **ERRORS},
    summary="つなぐ独自のタクソノミー（HSDS taxonomy）",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_taxonomy_detail(request: StaffRequest, taxonomy_id: str) -> Any:
    taxonomy = hsds.taxonomy_by_id(taxonomy_id.lower())
    if taxonomy is None:
        raise Http404
    _audit_export(request, "hsds.taxonomy", "taxonomies/{id}", [taxonomy.id])
    return taxonomy.as_hsds()


def _terms(request: StaffRequest) -> list[dict[str, Any]]:
    resources = hsds.export_resources(request.user).select_related(None).only("id", "interests")
    return _exporter(request).taxonomy_terms(resources)


@router.get(
    "/taxonomy_terms",
    response={200: dict, **ERRORS},
    summary="つなぐ独自のタクソノミーの用語（HSDS taxonomy_term）の一覧",
    description=PAGING + " taxonomy_id でタクソノミーを、search で用語を絞り込めます"
    "（階層はないため parent_id を指定すると空、top_only は全件です）。",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_taxonomy_term_list(
    request: StaffRequest,
    page: PageNumber = 1,
    per_page: int = hsds.DEFAULT_PER_PAGE,
    taxonomy_id: str = "",
    search: SearchText = "",
    parent_id: str = "",
    top_only: bool = False,
) -> Any:
    page, per_page = hsds.clamp_page(page, per_page)
    terms = [] if parent_id else _terms(request)
    if taxonomy_id:
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id.lower()]
    if search:
        terms = [t for t in terms if search in t["name"] or search in t["code"]]
    contents = terms[(page - 1) * per_page : page * per_page]
    _audit_export(
        request, "hsds.taxonomy_term", "taxonomy_terms", [c["id"] for c in contents], page=page
    )
    return hsds.page_document(contents, total=len(terms), page=page, per_page=per_page)


@router.get(
    "/taxonomy_terms/{taxonomy_term_id}",
    response={200: dict, **ERRORS},
    summary="つなぐ独自のタクソノミーの用語（HSDS taxonomy_term）",
)
@policy.route("resource", policy.Action.EXPORT)
def hsds_taxonomy_term_detail(request: StaffRequest, taxonomy_term_id: str) -> Any:
    wanted = taxonomy_term_id.lower()
    term = next((t for t in _terms(request) if t["id"] == wanted), None)
    if term is None:
        raise Http404
    _audit_export(request, "hsds.taxonomy_term", "taxonomy_terms/{id}", [term["id"]])
    return term


@router.post(
    "/import",
    # Its own 422 (the importer's messages) in place of the shared one.
    response={200: ImportOut, **ERRORS, 422: ImportErrorOut},
    summary="HSDS 3.0 データの取り込み",
    description="HSDS 3.0 の JSON（service・organization・service_at_location・location の"
    "単体またはページ、タクソノミー、表形式）を本文に入れて送ります。規格に合わないときは"
    "何も取り込まず、誤りの箇所を 422 で返します。kind で種類を指定できます（既定は自動判定）。",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
@policy.route("resource", policy.Action.CREATE)
def hsds_import(request: StaffRequest, kind: str | None = None) -> Any:
    try:
        data = read_json_body(request)
    except BodyRefused as error:
        if error.status != 400:
            raise  # not JSON (415), too large (413): the API's shared answers
        return Status(422, {"detail": "取り込めませんでした。", "errors": [error.detail]})
    try:
        result = hsds.import_document(data, actor=request.user, kind=kind, source="api")
    except hsds.HsdsImportError as error:
        return Status(
            422,
            {"detail": "規格に合わないため、何も取り込みませんでした。", "errors": error.messages},
        )
    return result.as_dict()
