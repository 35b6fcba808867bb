"""地域づくり records for tests, made through the services (so versions,
histories and audit events are what the product would make). Every helper
works for the ward's municipality by itself."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.community import services
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueSource,
    PlaceFunction,
    RegionalIssue,
    Succession,
)
from tsunagu.core import tenancy
from tsunagu.directory.models import District
from tsunagu.resources.models import Category, Location, Provider, Resource, ResourceLocation
from tsunagu.tests.factories import Ward


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def resource(
    ward: Ward,
    name: str,
    *,
    community: bool = True,
    district: District | None = None,
    year_started: int | None = None,
    host: str = "町会有志の会",
) -> Resource:
    """A directory resource held in ``district`` (the ward's first by default)."""
    with tenancy.tenant_context(ward.municipality):
        provider = Provider.objects.filter(name=host).first() or Provider.objects.create(
            name=host, kind="residents"
        )
        created = Resource.objects.create(
            provider=provider,
            name=name,
            category=Category.PLACE,
            is_community_place=community,
            year_started=year_started,
        )
        location = Location.objects.create(
            provider=provider, name=f"{name}の会場", district=district or ward.districts[0]
        )
        ResourceLocation.objects.create(resource=created, location=location)
    return created


def place(
    ward: Ward,
    name: str,
    *,
    actor: Staff | None = None,
    district: District | None = None,
    year_started: int | None = None,
    succession: str = Succession.STABLE,
    functions: tuple[str, ...] = (PlaceFunction.IBASHO, PlaceFunction.EXCHANGE),
    operator: str = "町会有志の会",
) -> CommunityPlace:
    district = district or ward.districts[0]
    made_of = resource(ward, name, district=district, year_started=year_started)
    with tenancy.tenant_context(ward.municipality):
        return services.community_place_create(
            actor=actor or ward.member(Role.COUNSELOR),
            resource=made_of,
            spec=services.PlaceSpec(
                operator=operator,
                district=district,
                opening_frequency="週2回",
                functions=functions,
                year_started=year_started,
                succession=succession,
            ),
        )


def project(
    ward: Ward,
    title: str,
    *,
    actor: Staff | None = None,
    district: District | None = None,
    started_on: datetime.date | None = None,
    **fields: Any,
) -> CommunityProject:
    with tenancy.tenant_context(ward.municipality):
        return services.community_project_create(
            actor=actor or ward.member(Role.COUNSELOR),
            spec=services.ProjectSpec(
                title=title,
                district=district or ward.districts[0],
                organization=fields.pop("organization", ward.center),
                purpose=fields.pop("purpose", "サロンの帰りに寄れる場がほしいという声から。"),
                **fields,
            ),
            started_on=started_on,
        )


def advance(
    ward: Ward, project_: CommunityProject, *stages: str, actor: Staff | None = None
) -> CommunityProject:
    """Move ``project_`` through ``stages`` in turn (today, with no reason)."""
    with tenancy.tenant_context(ward.municipality):
        current = CommunityProject.objects.get(pk=project_.pk)
        for stage in stages:
            current = services.community_project_transition(
                actor=actor or ward.member(Role.COUNSELOR),
                project=current,
                to_stage=stage,
                version=current.version,
                reason="理由",
            )
    return current


def issue(
    ward: Ward,
    title: str,
    *,
    actor: Staff | None = None,
    source: str = IssueSource.ACTIVITY,
    district: District | None = None,
    **fields: Any,
) -> RegionalIssue:
    with tenancy.tenant_context(ward.municipality):
        return services.regional_issue_create(
            actor=actor or ward.member(Role.COUNSELOR),
            spec=services.IssueSpec(
                title=title,
                description=fields.pop("description", "複数の世帯で同じ困りごとが見えてきた。"),
                source=source,
                raised_on=fields.pop("raised_on", timezone.localdate()),
                organization=fields.pop("organization", ward.center),
                district=district,
                **fields,
            ),
        )
