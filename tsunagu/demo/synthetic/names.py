"""Synthetic names with realistic frequencies.

The demo's common surnames and given names (``tsunagu.demo.names``) weighted
by their real share of Japan's population (佐藤 1.5 %, … about a fifth of
residents together), a long tail of compound surnames for the rest, variant
forms now and then (髙橋, 齋藤, 山﨑 …) and readings as clerks type them.
No real person's data: every name is a free combination.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from typing import Any

from tsunagu.demo.names import GIVEN_NAMES, SURNAMES
from tsunagu.people.names import VARIANT_KANJI

#: Approximate shares (%) in Japan of the demo's surnames, in the demo's order.
COMMON_SURNAME_SHARES = [
    1.50, 1.43, 1.12, 1.06, 0.87, 0.85, 0.85, 0.83, 0.81, 0.71, 0.66, 0.65, 0.53, 0.51, 0.50,
    0.49, 0.46, 0.42, 0.42, 0.40, 0.38, 0.37, 0.36, 0.35, 0.35, 0.34, 0.33, 0.32, 0.32, 0.31,
    0.31, 0.31,
]  # fmt: skip

# The long tail: compound surnames (prefix + suffix), synthetic readings.
TAIL_PREFIXES = [
    ("大", "おお"), ("小", "こ"), ("上", "うえ"), ("中", "なか"), ("下", "しも"), ("石", "いし"),
    ("高", "たか"), ("松", "まつ"), ("竹", "たけ"), ("岡", "おか"), ("西", "にし"), ("東", "ひがし"),
    ("北", "きた"), ("南", "みなみ"), ("川", "かわ"), ("長", "なが"), ("藤", "ふじ"), ("吉", "よし"),
    ("宮", "みや"), ("福", "ふく"), ("平", "ひら"), ("桜", "さくら"), ("浜", "はま"), ("金", "かね"),
    ("黒", "くろ"), ("白", "しら"), ("青", "あお"), ("今", "いま"), ("古", "ふる"), ("新", "にい"),
    ("荒", "あら"), ("菊", "きく"), ("杉", "すぎ"), ("岩", "いわ"), ("広", "ひろ"), ("国", "くに"),
    ("真", "ま"), ("富", "とみ"), ("寺", "てら"), ("野", "の"),
]  # fmt: skip
TAIL_SUFFIXES = [
    ("田", "た"), ("川", "かわ"), ("山", "やま"), ("本", "もと"), ("井", "い"), ("村", "むら"),
    ("沢", "さわ"), ("島", "しま"), ("崎", "さき"), ("原", "はら"), ("野", "の"), ("木", "き"),
    ("谷", "たに"), ("口", "ぐち"), ("橋", "はし"), ("岡", "おか"), ("部", "べ"), ("辺", "べ"),
    ("尾", "お"), ("内", "うち"), ("森", "もり"), ("瀬", "せ"), ("浦", "うら"), ("坂", "さか"),
    ("江", "え"), ("宮", "みや"), ("池", "いけ"), ("城", "しろ"),
]  # fmt: skip

EXTRA_GIVEN_NAMES = [
    ("幸子", "さちこ"), ("和子", "かずこ"), ("節子", "せつこ"), ("清", "きよし"), ("茂", "しげる"),
    ("勇", "いさむ"), ("弘", "ひろし"), ("正", "ただし"), ("実", "みのる"), ("明", "あきら"),
    ("洋子", "ようこ"), ("京子", "きょうこ"), ("優子", "ゆうこ"), ("愛", "あい"), ("蓮", "れん"),
    ("陽翔", "はると"), ("結衣", "ゆい"), ("葵", "あおい"), ("悠真", "ゆうま"), ("陽菜", "ひな"),
    ("湊", "みなと"), ("芽依", "めい"), ("健太", "けんた"), ("美穂", "みほ"), ("翼", "つばさ"),
    ("花子", "はなこ"), ("恵美", "えみ"), ("真理", "まり"), ("広志", "ひろし"), ("栄一", "えいいち"),
    ("勝", "まさる"), ("豊", "ゆたか"), ("文子", "ふみこ"), ("千代", "ちよ"), ("静香", "しずか"),
    ("龍一", "りゅういち"), ("敏子", "としこ"), ("信子", "のぶこ"), ("進", "すすむ"), ("昭", "あきら"),
]  # fmt: skip


class Weighted:
    """Draws from a fixed list with fixed weights (cumulative weights, drawn by bisection)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]

    def draw_many(self, rng: random.Random, k: int) -> list[Any]:
        return rng.choices(self.items, cum_weights=self.cumulative, k=k)


def surnames() -> Weighted:
    common = {kanji for kanji, _kana in SURNAMES}
    tail = [
        (p + s, pk + sk)
        for (p, pk), (s, sk) in itertools.product(TAIL_PREFIXES, TAIL_SUFFIXES)
        if p != s and p + s not in common
    ]
    random.Random(4).shuffle(tail)
    tail_total = 100.0 - sum(COMMON_SURNAME_SHARES)
    zipf = [1.0 / (rank + 20) for rank in range(len(tail))]
    scale = tail_total / sum(zipf)
    return Weighted(
        [*SURNAMES, *tail], [*COMMON_SURNAME_SHARES, *(weight * scale for weight in zipf)]
    )


def given_names() -> Weighted:
    names = [*GIVEN_NAMES, *EXTRA_GIVEN_NAMES]
    return Weighted(names, [1.0 / (rank + 8) for rank in range(len(names))])


_VARIANTS_OF: dict[str, list[str]] = {}
for _variant, _standard in VARIANT_KANJI.items():
    if len(_variant) == 1 and _variant.isprintable():
        _VARIANTS_OF.setdefault(_standard, []).append(_variant)


def as_registered(name: str, rng: random.Random) -> str:
    """The name as a family might be registered: a variant form now and then."""
    if not any(char in _VARIANTS_OF for char in name) or rng.random() >= 0.05:
        return name
    return "".join(
        rng.choice(_VARIANTS_OF[char]) if char in _VARIANTS_OF else char for char in name
    )


def as_typed_kana(kana: str, rng: random.Random) -> str:
    """Readings as clerks type them: mostly hiragana, some katakana, a few missing."""
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.25:
        return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    return kana
