"""Writes of the resource directory: a resource saved with its schedules and
its place in one transaction, providers, and archiving with a reason. Each
write records its audit event in the same transaction (the directory holds no
resident's data, but every change is on the record, as everywhere else).

A resource carries a version: a change made on an outdated page is refused
with :class:`ResourceConflict` rather than silently overwriting a colleague's."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import District
from tsunagu.resources.models import (
    WEEKDAYS,
    Frequency,
    Location,
    Provider,
    Resource,
    ResourceLocation,
    Schedule,
)

#: More than this many rules for one activity is a data-entry mistake.
MAX_SCHEDULES = 10
MAX_INTERVAL = 12
_BYDAY_PART = re.compile(r"^(?P<ordinal>[+-]?[1-5])?(?P<code>MO|TU|WE|TH|FR|SA|SU)$")


class ResourceConflict(EditConflict):
    what = gettext_lazy("社会資源")


@dataclass(frozen=True)
class ScheduleSpec:
    """One recurrence of a resource as entered (RFC 5545: ``MONTHLY`` + ``2TU``)."""

    freq: str
    interval: int = 1
    byday: str = ""
    bymonthday: str = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    dtstart: datetime.date | None = None
    description: str = ""


@dataclass(frozen=True)
class LocationSpec:
    """Where a resource is held, as entered."""

    name: str
    postal_code: str = ""
    address: str = ""
    district: District | None = None
    transportation: str = ""
    accessibility: str = ""


class _Keep:
    """Leave the resource's place as it is (an API change that does not name one)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def byday_parts(byday: str) -> list[tuple[int | None, str]] | None:
    """``"2TU,-1FR"`` → ``[(2, "TU"), (-1, "FR")]``; None when a part is not a weekday rule."""
    parts: list[tuple[int | None, str]] = []
    for raw in byday.upper().replace(" ", "").split(","):
        if not raw:
            continue
        match = _BYDAY_PART.match(raw)
        if match is None:
            return None
        ordinal = match["ordinal"]
        parts.append((int(ordinal) if ordinal else None, match["code"]))
    return parts


def schedule_problems(spec: ScheduleSpec) -> list[str]:
    """What is wrong with one schedule, in Japanese (empty when it can be saved)."""
    problems = []
    if spec.freq not in ("", *Frequency.values):
        problems.append(_("繰り返しは毎週（WEEKLY）か毎月（MONTHLY）にしてください。"))
    elif not spec.freq and (spec.byday or spec.bymonthday):
        # A schedule without a rule is free text (随時, 要問い合わせ); a weekday needs one.
        problems.append(_("曜日や日付を指定するときは、繰り返し（毎週・毎月）を選んでください。"))
    if not 1 <= spec.interval <= MAX_INTERVAL:
        problems.append(_("間隔は1から%(max)sまでの数で入力してください。") % {"max": MAX_INTERVAL})
    parts = byday_parts(spec.byday)
    if parts is None:
        problems.append(
            _("曜日の指定が読み取れません（例: 毎週なら「MO,WE」、毎月なら「2TU」「-1FR」）。")
        )
        parts = []
    monthdays = [d.strip() for d in spec.bymonthday.split(",") if d.strip()]
    if any(not d.isdigit() or not 1 <= int(d) <= 31 for d in monthdays):
        problems.append(_("日付は1から31までの数で入力してください。"))
    if spec.freq == Frequency.WEEKLY:
        if not parts:
            problems.append(_("毎週の開催では、曜日を選んでください。"))
        elif any(ordinal is not None for ordinal, _code in parts):
            problems.append(
                _("毎週の開催には「第◯」「最終」を付けられません。毎月を選んでください。")
            )
    if spec.freq == Frequency.MONTHLY and not parts and not monthdays:
        problems.append(_("毎月の開催では、「第◯・最終」と曜日を選んでください。"))
    if spec.opens_at and spec.closes_at and spec.closes_at <= spec.opens_at:
        problems.append(_("終了時刻は開始時刻より後にしてください。"))
    return problems


def _check(resource: Resource, schedules: Sequence[ScheduleSpec] | None) -> None:
    errors: dict[str, list[str]] = {}
    if (
        resource.minimum_age is not None
        and resource.maximum_age is not None
        and resource.minimum_age > resource.maximum_age
    ):
        errors["maximum_age"] = [_("対象年齢の上限は下限以上にしてください。")]
    this_year = timezone.localdate().year
    if resource.year_started is not None and not 1868 <= resource.year_started <= this_year:
        errors["year_started"] = [
            _("開始年は1868年から%(year)s年までの西暦で入力してください。") % {"year": this_year}
        ]
    if schedules is not None:
        if len(schedules) > MAX_SCHEDULES:
            errors["schedules"] = [_("開催日時は%(max)s件までです。") % {"max": MAX_SCHEDULES}]
        else:
            found = [
                _("開催日時%(n)s: %(problem)s") % {"n": n, "problem": problem}
                for n, spec in enumerate(schedules, start=1)
                for problem in schedule_problems(spec)
            ]
            if found:
                errors["schedules"] = found
    if errors:
        raise ValidationError(errors)


def _normalized_byday(byday: str) -> str:
    parts = byday_parts(byday) or []
    ordered = sorted(parts, key=lambda p: (WEEKDAYS.index(p[1]), p[0] or 0))
    return ",".join(f"{ordinal if ordinal is not None else ''}{code}" for ordinal, code in ordered)


def _save_schedules(resource: Resource, specs: Sequence[ScheduleSpec]) -> None:
    """The resource's schedules become ``specs``: existing rows are updated in
    order (their HSDS ids stay stable for exchange), extra rows removed."""
    existing = list(Schedule.objects.filter(resource=resource).order_by("id"))
    for index, spec in enumerate(specs):
        schedule = existing[index] if index < len(existing) else Schedule(resource=resource)
        schedule.freq = spec.freq
        schedule.interval = spec.interval
        schedule.byday = _normalized_byday(spec.byday)
        schedule.bymonthday = ",".join(d.strip() for d in spec.bymonthday.split(",") if d.strip())
        schedule.opens_at = spec.opens_at
        schedule.closes_at = spec.closes_at
        schedule.dtstart = spec.dtstart
        schedule.description = spec.description.strip()
        schedule.save()
    for extra in existing[len(specs) :]:
        extra.delete()


def _location_values(spec: LocationSpec) -> dict[str, object]:
    return {f.name: getattr(spec, f.name) for f in fields(spec)}


def _save_location(actor: Staff, resource: Resource, spec: LocationSpec | None) -> None:
    """The resource's main place (its first link) becomes ``spec``.

    A place other resources are also held at is shared (HSDS location): a
    correction of it is everyone's, but moving this resource somewhere else
    must not move the others, so a changed shared place becomes a new one."""
    primary = (
        ResourceLocation.objects.filter(resource=resource)
        .select_related("location")
        .order_by("id")
        .first()
    )
    if spec is None:
        if primary is not None:
            # The place itself stays (other records or an export may name it).
            primary.delete()
        return
    values = _location_values(spec)
    location = primary.location if primary is not None else None
    if location is not None:
        unchanged = all(getattr(location, name) == value for name, value in values.items())
        if unchanged:
            return
        shared = (
            ResourceLocation.objects.filter(location=location).exclude(resource=resource).exists()
        )
        moved = location.name != spec.name or location.address != spec.address
        if shared and moved:
            location = None
    if location is None:
        location = Location(provider=resource.provider, created_by=actor)
    for name, value in values.items():
        setattr(location, name, value)
    location.updated_by = actor
    location.save()
    if primary is None:
        ResourceLocation.objects.create(resource=resource, location=location)
    elif primary.location_id != location.pk:
        primary.location = location
        primary.save(update_fields=["location"])


@transaction.atomic
def resource_save(
    *,
    actor: Staff,
    resource: Resource,
    version: int | None = None,
    schedules: Sequence[ScheduleSpec] | None = None,
    location: LocationSpec | _Keep | None = KEEP,
    changed: Iterable[str] = (),
) -> Resource:
    """Register or change ``resource`` (its fields already set and validated by
    a form) with its schedules and main place, in one transaction.

    ``schedules`` None keeps the schedules as they are; a list replaces them.
    ``location`` KEEP keeps the place, None removes it from the resource.
    A change must name the ``version`` it was made on: refused with
    :class:`ResourceConflict` when the resource changed since."""
    _check(resource, schedules)
    creating = resource.pk is None
    if creating:
        resource.created_by = actor
        resource.version = 1
    else:
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if version is None or locked.version != version:
            raise ResourceConflict()
        resource.version = locked.version + 1
    resource.interests = _clean_words(resource.interests)
    resource.updated_by = actor
    resource.save()
    if schedules is not None:
        _save_schedules(resource, schedules)
    if not isinstance(location, _Keep):
        _save_location(actor, resource, location)
    detail: dict[str, object] = {"fields": sorted(set(changed))}
    if schedules is not None:
        detail["schedules"] = len(schedules)
    if not isinstance(location, _Keep):
        detail["location"] = location is not None
    audit_record(
        AuditAction.CREATE if creating else AuditAction.CHANGE,
        actor=actor,
        obj=resource,
        detail=detail,
    )
    return resource


def _clean_words(values: Iterable[object]) -> list[str]:
    words: list[str] = []
    for value in values or []:
        word = str(value).strip()[:40]
        if word and word not in words:
            words.append(word)
    return words


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("アーカイブの理由を入力してください。")})
    return reason[:200]


@transaction.atomic
def resource_archive(*, actor: Staff, resource: Resource, reason: str) -> Resource:
    """Take a resource off the directory, keeping it (and the paths to it) on record."""
    reason = _reason(reason)
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    locked.archived_at = timezone.now()
    locked.archive_reason = reason
    locked.version += 1
    locked.updated_by = actor
    locked.save(
        update_fields=["archived_at", "archive_reason", "version", "updated_by", "updated_at"]
    )
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=locked, detail={"reason": reason})
    return locked


@transaction.atomic
def resource_restore(*, actor: Staff, resource: Resource) -> Resource:
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    locked.archived_at = None
    locked.archive_reason = ""
    locked.version += 1
    locked.updated_by = actor
    locked.save(
        update_fields=["archived_at", "archive_reason", "version", "updated_by", "updated_at"]
    )
    audit_record(AuditAction.CHANGE, actor=actor, obj=locked, detail={"restored": True})
    return locked


@transaction.atomic
def provider_save(*, actor: Staff, provider: Provider, changed: Iterable[str] = ()) -> Provider:
    """Register or change a provider (its fields already set). The model's rules
    are checked here, so that the page and the API refuse alike."""
    provider.full_clean()
    creating = provider.pk is None
    if creating:
        provider.created_by = actor
    provider.updated_by = actor
    provider.save()
    audit_record(
        AuditAction.CREATE if creating else AuditAction.CHANGE,
        actor=actor,
        obj=provider,
        detail={"fields": sorted(set(changed))},
    )
    return provider


@transaction.atomic
def provider_archive(*, actor: Staff, provider: Provider, reason: str) -> Provider:
    """Archive a provider that no longer hosts anything listed."""
    reason = _reason(reason)
    if Resource.objects.filter(provider=provider, archived_at=None).exists():
        raise ValidationError(
            {
                "reason": _(
                    "この団体には掲載中の社会資源があります。"
                    "先に社会資源をアーカイブするか、別の団体に付け替えてください。"
                )
            }
        )
    provider.archived_at = timezone.now()
    provider.archive_reason = reason
    provider.updated_by = actor
    provider.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=provider, detail={"reason": reason})
    return provider


@transaction.atomic
def provider_restore(*, actor: Staff, provider: Provider) -> Provider:
    provider.archived_at = None
    provider.archive_reason = ""
    provider.updated_by = actor
    provider.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=provider, detail={"restored": True})
    return provider
