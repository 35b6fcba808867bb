"""Resources of the directory for tests: a provider, a location in a district
and a schedule, made in the municipality's tenant context."""

from __future__ import annotations

import datetime
from typing import Any

from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import District
from tsunagu.resources.models import (
    Category,
    Frequency,
    Location,
    Provider,
    ProviderKind,
    Resource,
    ResourceLocation,
    Schedule,
)


def resource(
    municipality: Municipality,
    name: str,
    *,
    district: District | None = None,
    byday: str = "",
    freq: str = Frequency.WEEKLY,
    opens_at: datetime.time | None = None,
    closes_at: datetime.time | None = None,
    provider: str = "",
    **fields: Any,
) -> Resource:
    """A resource held at one place, with one schedule when ``byday`` is given."""
    values: dict[str, Any] = {"category": Category.PLACE}
    values.update(fields)
    with tenancy.tenant_context(municipality):
        host, _created = Provider.objects.get_or_create(
            name=provider or f"{name}の会", defaults={"kind": ProviderKind.NPO}
        )
        made = Resource.objects.create(provider=host, name=name, **values)
        place = Location.objects.create(name=f"{name}の会場", district=district, provider=host)
        ResourceLocation.objects.create(resource=made, location=place)
        if byday:
            Schedule.objects.create(
                resource=made, freq=freq, byday=byday, opens_at=opens_at, closes_at=closes_at
            )
    return made
