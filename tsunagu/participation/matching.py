"""Matching a person to resources: ranked suggestions, each with its reasons.

The reasons are the point: a CSW proposes a place to someone who finds
people hard, and must be able to say why this place (「コーヒーが好き」に
合う, 会話少なめ, 火曜の午後, 同じ圏域). Words are compared by Sudachi's
normalized form, so 珈琲, コーヒー and こーひー are one interest.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tsunagu.participation.models import GroupSize, ParticipationProfile, TimeOfDay, Travel
from tsunagu.resources.models import WEEKDAY_LABELS, Ease, Resource, Schedule, Status

_lock = threading.Lock()

#: Parts of speech that carry meaning for matching.
_CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
#: Words too general to match on by themselves (「静かな場所」 matches on 静か).
_GENERIC = frozenset(
    {
        "場所",
        "所",
        "こと",
        "事",
        "もの",
        "物",
        "活動",
        "人",
        "時間",
        "する",
        "ある",
        "いる",
        "なる",
        "好き",
    }
)

#: Interest words that describe how a place feels rather than what it does:
#: they match the resource's 参加のしやすさ.
_EASE_HINTS: dict[str, tuple[str, ...]] = {
    "静か": (Ease.QUIET, Ease.LITTLE_TALK),
    "落ち着く": (Ease.QUIET,),
    "一人": (Ease.ALONE_OK, Ease.LITTLE_TALK),
    "少人数": (Ease.SMALL_GROUP,),
    "短時間": (Ease.SHORT_TIME,),
    "見学": (Ease.VISIT_FIRST,),
    "オンライン": (Ease.ONLINE,),
}


@lru_cache(maxsize=4096)
def keys(text: str) -> frozenset[str]:
    """The normalized content words of ``text``."""
    from tsunagu.people.readings import _tokenizer

    text = (text or "").strip()
    if not text:
        return frozenset()
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        morphemes = list(_tokenizer().tokenize(text))
    found = set()
    for morpheme in morphemes:
        if morpheme.part_of_speech()[0] in _CONTENT_POS:
            found.add(morpheme.normalized_form())
    return frozenset(found)


def _word_keys(word: str) -> frozenset[str]:
    found = keys(word)
    meaningful = found - _GENERIC
    return meaningful or found


@dataclass
class Suggestion:
    resource: Resource
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)
    next_dates: list[datetime.date] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        self.score += points
        if reason not in self.reasons:
            self.reasons.append(reason)

    def warn(self, points: float, caution: str) -> None:
        self.score -= points
        if caution not in self.cautions:
            self.cautions.append(caution)

    @property
    def reason_text(self) -> str:
        return "、".join(self.reasons)


def _part_of_day(schedule: Schedule) -> str | None:
    if schedule.opens_at is None:
        return None
    hour = schedule.opens_at.hour
    if hour < 12:
        return TimeOfDay.MORNING
    if hour < 17:
        return TimeOfDay.AFTERNOON
    return TimeOfDay.EVENING


def _resource_text_keys(resource: Resource) -> frozenset[str]:
    return keys(" ".join([resource.name, resource.description, resource.offers, resource.audience]))


def _interest_keys(resource: Resource) -> frozenset[str]:
    found: set[str] = set()
    for word in resource.interests:
        found |= keys(word)
    return frozenset(found)


def _score(
    profile: ParticipationProfile, resource: Resource, home_district: int | None, today: Any
) -> Suggestion:
    suggestion = Suggestion(resource=resource)
    tags = _interest_keys(resource)
    text = _resource_text_keys(resource)
    ease = set(resource.ease)
    for interest in profile.interests:
        wanted = _word_keys(interest)
        hinted = [code for key, codes in _EASE_HINTS.items() if key in wanted for code in codes]
        matched_ease = [code for code in hinted if code in ease]
        if wanted & tags:
            suggestion.add(3, f"関心「{interest}」が活動内容に合う")
        elif wanted & text:
            suggestion.add(2, f"関心「{interest}」が紹介文に合う")
        if matched_ease:
            labels = "・".join(dict.fromkeys(str(Ease(code).label) for code in matched_ease))
            suggestion.add(2, f"「{interest}」に合う場（{labels}）")
    needs_text = keys(" ".join([resource.needs_note, resource.offers]))
    for strength in profile.strengths:
        wanted = _word_keys(strength)
        if wanted & (tags | needs_text):
            suggestion.add(2, f"得意なこと「{strength}」を活かせる")
    for code in profile.preferences:
        if code in ease and code in Ease.values:
            suggestion.add(1.5, str(Ease(code).label))
    if profile.group_size in (GroupSize.ONE_TO_ONE, GroupSize.SMALL):
        if Ease.SMALL_GROUP in ease or (resource.capacity is not None and resource.capacity <= 5):
            suggestion.add(1, "少人数")
        elif resource.capacity is not None and resource.capacity > 20:
            suggestion.warn(1, "大人数の場")
    schedules = list(resource.schedules.all())
    suggestion.schedules = [schedule.label() for schedule in schedules]
    if schedules and (profile.days or profile.times):
        fitting = [
            schedule
            for schedule in schedules
            if (not profile.days or schedule.weekdays() & set(profile.days))
            and (not profile.times or _part_of_day(schedule) in (None, *profile.times))
        ]
        if fitting:
            days = "・".join(
                WEEKDAY_LABELS[code]
                for code in sorted(
                    set().union(*(s.weekdays() for s in fitting)) & set(profile.days or []),
                    key=list(WEEKDAY_LABELS).index,
                )
            )
            when = f"{days}曜日" if days else "都合の合う時間"
            suggestion.add(1, f"{when}に参加できる（{fitting[0].label()}）")
        else:
            suggestion.warn(2, "曜日・時間が合わない")
    for schedule in schedules:
        suggestion.next_dates.extend(schedule.next_dates(today, 2))
    suggestion.next_dates = sorted(set(suggestion.next_dates))[:2]
    districts = {
        link.location.district_id: link.location.district
        for link in resource.resource_locations.all()
        if link.location.district_id is not None
    }
    if profile.travel == Travel.HOME:
        if Ease.ONLINE in ease:
            suggestion.add(1, "自宅から参加できる（オンライン可）")
        else:
            suggestion.warn(3, "外出が必要")
    elif home_district is not None and districts:
        if home_district in districts:
            suggestion.add(1, f"同じ圏域（{districts[home_district]}）")
        elif profile.travel in (Travel.WALK, Travel.DISTRICT):
            suggestion.warn(2, "圏域の外")
    return suggestion


def suggest(
    profile: ParticipationProfile,
    resources: QuerySet[Resource],
    *,
    district_id: int | None = None,
    weekday: str | None = None,
    today: datetime.date | None = None,
    limit: int = 20,
) -> list[Suggestion]:
    """Resources for ``profile``'s person, best first, each with its reasons.

    Only resources taking people now (status 活動中) are suggested; those with
    no reason at all are left out. ``district_id`` and ``weekday`` (an RFC 5545
    code such as ``TU``) narrow the list to resources held there or then."""
    today = today or timezone.localdate()
    candidates = (
        resources.filter(status=Status.ACTIVE, archived_at=None)
        .select_related("provider")
        .prefetch_related("schedules", "resource_locations__location__district")
    )
    if district_id is not None:
        candidates = candidates.filter(resource_locations__location__district_id=district_id)
    person = profile.person
    home = person.district_id or (profile.household.district_id if profile.household else None)
    found = []
    for resource in candidates.distinct():
        if weekday and not any(weekday in s.weekdays() for s in resource.schedules.all()):
            continue
        suggestion = _score(profile, resource, home, today)
        if suggestion.reasons and suggestion.score > 0:
            found.append(suggestion)
    found.sort(key=lambda s: (-s.score, -len(s.reasons), s.resource.name, s.resource.pk))
    return found[:limit]


def suggestion_for(
    profile: ParticipationProfile, resources: Iterable[Resource], resource_id: int
) -> Suggestion | None:
    """The suggestion for one resource (to record a proposal with its reasons)."""
    for resource in resources:
        if resource.pk == resource_id:
            person = profile.person
            home = person.district_id or (
                profile.household.district_id if profile.household else None
            )
            return _score(profile, resource, home, timezone.localdate())
    return None
