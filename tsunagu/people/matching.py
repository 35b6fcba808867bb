"""Probable existing persons for a name typed at intake, each with a score and its reasons.

Candidates come from the persons the clerk may see (the policy's queryset):
warning about a person of another organization would itself disclose them.
The score weighs what a clerk would weigh: the same name once variant kanji
and kana are folded, a similar reading, the same birth date, a similar address.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from tsunagu.people.models import Person
from tsunagu.people.names import NameKeys, name_keys, variant_reasons


@dataclass
class Match:
    person: Person
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Typed:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    birth_date: date | None = None
    address: str = ""


def probable_matches(
    candidates: QuerySet[Any], typed: Typed, variants: dict[str, str], limit: int = 5
) -> list[Match]:
    # The same keys as search (names.name_keys): variant and simplified
    # kanji, kana, long vowels, voicing, romaji folded alike.
    keys = name_keys(
        typed.family_name, typed.given_name, typed.family_name_kana, typed.given_name_kana, variants
    )
    family_key, family_kana = keys.family_key, keys.family_kana_key
    if not (family_key or family_kana):
        return []
    condition = Q()
    if family_key:
        condition |= Q(family_key=family_key)
    if family_kana:
        condition |= Q(family_kana_key=family_kana)
    if keys.roman_key:
        # NGUYEN VAN AN typed, グエン・ヴァン・アン registered (or the other way round).
        condition |= Q(roman_key=keys.roman_key)
    if typed.birth_date and family_kana:
        # Same birthday, reading starting alike: a family name written in other kanji.
        condition |= Q(birth_date=typed.birth_date, kana_key__startswith=family_kana)
    found = candidates.filter(condition, merged_into__isnull=True).order_by("pk")[:200]
    matches = [_score(person, typed, keys, variants) for person in found]
    matches = [m for m in matches if m.score >= 50]
    matches.sort(key=lambda m: (-m.score, m.person.pk))
    return matches[:limit]


def _score(
    person: Person,
    typed: Typed,
    keys: NameKeys,
    variants: dict[str, str],
) -> Match:
    name_key, kana_key, family_key = keys.name_key, keys.kana_key, keys.family_key
    score = 0.0
    reasons: list[str] = []
    typed_name = typed.family_name + typed.given_name
    registered_name = person.family_name + person.given_name
    if name_key and person.name_key == name_key:
        score += 60
        if typed_name == registered_name:
            reasons.append("氏名が一致")
        else:
            pairs = variant_reasons(typed_name, registered_name, variants)
            reasons.append(
                "氏名が異体字・表記違いで一致（" + "、".join(pairs) + "）"
                if pairs
                else "氏名が表記違いで一致"
            )
    elif family_key and person.family_key == family_key:
        similarity = fuzz.ratio(name_key, person.name_key)
        score += 25 + similarity * 0.2
        reasons.append("氏が一致")
    elif keys.roman_key and person.roman_key == keys.roman_key:
        score += 50
        reasons.append("氏名がカナ・ローマ字の表記違いで一致")
    if kana_key and person.kana_key:
        if person.kana_key == kana_key:
            score += 25
            reasons.append("ふりがなが一致")
        else:
            similarity = fuzz.ratio(kana_key, person.kana_key)
            if keys.sound_key == person.sound_key:
                score += 20
                reasons.append("ふりがなが清音・濁音の違いで一致")
            elif similarity >= 80:
                score += similarity * 0.15
                reasons.append("ふりがなが類似")
    if typed.birth_date and person.birth_date:
        if typed.birth_date == person.birth_date:
            score += 25
            reasons.append("生年月日が一致")
        else:
            score -= 25
            reasons.append("生年月日が異なる")
    if typed.address and person.address:
        similarity = fuzz.partial_ratio(_plain(typed.address), _plain(person.address))
        if similarity >= 85:
            score += 10
            reasons.append("住所が類似")
    return Match(person=person, score=max(0, min(100, round(score))), reasons=reasons)


def _plain(address: str) -> str:
    text = unicodedata.normalize("NFKC", address)
    return text.replace("丁目", "-").replace("番地", "-").replace("番", "-").replace("号", "")
