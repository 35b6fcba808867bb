"""Reads of the resource directory: the filtered list a CSW searches when
looking for a place for someone, a resource with what its page shows, and the
providers. The directory holds no resident's data; it is still read through
the policy's visible querysets, like everything else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import jaconv
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.people.names import normalize_text
from tsunagu.resources.models import (
    WEEKDAYS,
    Provider,
    Resource,
    ResourceLocation,
    Schedule,
    Status,
)

#: Status filter values beyond the HSDS statuses.
STATUS_ACTIVE = ""  # the default: resources taking people now
STATUS_ANY = "all"
STATUS_ARCHIVED = "archived"

#: An activity this old usually rests on a few ageing hosts (継承の支援).
SUCCESSION_YEARS = 20

#: How many next dates each schedule shows on the resource's page.
NEXT_DATES = 2


def search_key(text: str) -> str:
    """Text folded for searching: width, case and katakana/hiragana (サロン = さろん = ｻﾛﾝ)."""
    return jaconv.kata2hira(normalize_text(text))


@dataclass(frozen=True)
class ResourceFilters:
    """What the list can be narrowed by (the list page's and the API's query)."""

    q: str = ""
    category: str = ""
    district_id: int | None = None
    #: An RFC 5545 weekday code (``TU``): resources held on that weekday.
    weekday: str = ""
    #: 参加のしやすさ codes, all of which a resource must offer.
    ease: tuple[str, ...] = field(default_factory=tuple)
    status: str = STATUS_ACTIVE
    community_place: bool = False
    provider_id: int | None = None

    def as_detail(self) -> dict[str, Any]:
        """The filters used, for the audit event (no empty ones)."""
        found: dict[str, Any] = {}
        names = (
            "q",
            "category",
            "district_id",
            "weekday",
            "status",
            "community_place",
            "provider_id",
        )
        for name in names:
            value = getattr(self, name)
            if value not in ("", None, False):
                found[name] = value
        if self.ease:
            found["ease"] = list(self.ease)
        return found


def visible_resources(staff: Staff, action: policy.Action = policy.Action.LIST) -> QuerySet[Any]:
    return policy.visible(staff, "resource", action)


def with_listing(resources: QuerySet[Any]) -> QuerySet[Any]:
    """What a list row shows, fetched in a fixed number of queries."""
    return resources.select_related("provider").prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            "resource_locations",
            queryset=ResourceLocation.objects.select_related("location__district").order_by("id"),
        ),
    )


def _matching_ids(resources: QuerySet[Any], filters: ResourceFilters) -> list[int] | None:
    """Ids of resources matching the keyword and ease filters, or None when neither is used.

    Both are matched here rather than in SQL: the keyword folds kana and width
    (which the database cannot do on its own), and a JSON list "contains" is not
    portable across the databases we run on. The directory holds hundreds of
    rows, not millions; this is one query of a few columns."""
    key = search_key(filters.q)
    wanted_ease = set(filters.ease)
    if not key and not wanted_ease:
        return None
    words = key.split()
    found = []
    rows = resources.values_list(
        "pk",
        "ease",
        "interests",
        "name",
        "alternate_name",
        "description",
        "offers",
        "provider__name",
    )
    for pk, ease, interests, *texts in rows:
        if wanted_ease and not wanted_ease <= set(ease or []):
            continue
        if words:
            text = search_key(" ".join([*texts, *map(str, interests or [])]))
            if not all(word in text for word in words):
                continue
        found.append(pk)
    return found


def resource_list(staff: Staff, filters: ResourceFilters) -> QuerySet[Any]:
    """The resources ``staff`` may list that match ``filters``, by name."""
    resources = visible_resources(staff)
    if filters.status == STATUS_ARCHIVED:
        resources = resources.exclude(archived_at=None)
    else:
        resources = resources.filter(archived_at=None)
        if filters.status == STATUS_ACTIVE:
            resources = resources.filter(status=Status.ACTIVE)
        elif filters.status in Status.values:
            resources = resources.filter(status=filters.status)
    if filters.category:
        resources = resources.filter(category=filters.category)
    if filters.community_place:
        resources = resources.filter(is_community_place=True)
    if filters.provider_id is not None:
        resources = resources.filter(provider_id=filters.provider_id)
    if filters.district_id is not None:
        held_there = ResourceLocation.objects.filter(
            location__district_id=filters.district_id
        ).values("resource_id")
        resources = resources.filter(pk__in=held_there)
    if filters.weekday in WEEKDAYS:
        # byday holds codes such as "2TU,-1FR": a two-letter code never spans a comma.
        held_then = Schedule.objects.filter(byday__icontains=filters.weekday).values("resource_id")
        resources = resources.filter(pk__in=held_then)
    ids = _matching_ids(resources, filters)
    if ids is not None:
        resources = resources.filter(pk__in=ids)
    return resources.order_by("name", "pk")


def schedule_rows(
    schedules: list[Schedule], today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Each schedule with its label and next dates (for the resource's page)."""
    today = today or timezone.localdate()
    return [
        {
            "schedule": schedule,
            "label": schedule.label(),
            "next_dates": schedule.next_dates(today, NEXT_DATES),
        }
        for schedule in schedules
    ]


def connected_count(resource: Resource) -> int:
    """How many people are connected to ``resource`` now (見学・体験, 参加中, 定着).

    A count across every organization's paths, never their names: a count is
    not personal data, and the host's page needs it to see how busy it is."""
    from tsunagu.participation.models import CONNECTED, Participation

    return (
        Participation.objects.filter(resource=resource, stage__in=CONNECTED, archived_at=None)
        .values("person_id")
        .distinct()
        .count()
    )


def years_running(resource: Resource, today: datetime.date | None = None) -> int | None:
    if resource.year_started is None:
        return None
    today = today or timezone.localdate()
    return max(today.year - resource.year_started, 0)


def provider_list(staff: Staff, *, include_archived: bool = False) -> QuerySet[Any]:
    providers = policy.visible(staff, "provider", policy.Action.LIST)
    if not include_archived:
        providers = providers.filter(archived_at=None)
    return providers.annotate(
        resource_count=Count("resources", filter=Q(resources__archived_at=None))
    ).order_by("name", "pk")


def provider_choices(staff: Staff, current: Provider | None = None) -> QuerySet[Any]:
    """Providers a resource may be given: those in use, and its current one."""
    providers = policy.visible(staff, "provider", policy.Action.VIEW)
    if current is not None:
        return providers.filter(Q(archived_at=None) | Q(pk=current.pk)).order_by("name", "pk")
    return providers.filter(archived_at=None).order_by("name", "pk")


@dataclass(frozen=True)
class ListingRow:
    """One row of the list: a resource with where and when it is held."""

    resource: Resource
    districts: list[str]
    schedules: list[str]


def listing_rows(resources: list[Resource]) -> list[ListingRow]:
    """Rows for resources fetched through :func:`with_listing` (no further queries)."""
    rows = []
    for resource in resources:
        districts: list[str] = []
        for link in resource.resource_locations.all():
            district = link.location.district
            if district is not None and district.name not in districts:
                districts.append(district.name)
        rows.append(
            ListingRow(
                resource=resource,
                districts=districts,
                schedules=[schedule.label() for schedule in resource.schedules.all()],
            )
        )
    return rows


def resource_schedules(resource: Resource) -> list[Schedule]:
    return list(Schedule.objects.filter(resource=resource).order_by("id"))


def resource_links(resource: Resource) -> list[ResourceLocation]:
    """Where ``resource`` is held, its main place first."""
    return list(
        ResourceLocation.objects.filter(resource=resource)
        .select_related("location__district")
        .order_by("id")
    )
