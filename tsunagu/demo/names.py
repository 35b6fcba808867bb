"""Synthetic Japanese names from common surname and given-name lists.

No real person's data: names are drawn at random from frequency lists of
common surnames and given names, and combined freely.
"""

from __future__ import annotations

import random

# (kanji, reading) of common surnames, roughly in frequency order.
SURNAMES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"),
    ("阿部", "あべ"), ("石川", "いしかわ"), ("山下", "やました"), ("中島", "なかじま"),
    ("石井", "いしい"), ("小川", "おがわ"), ("前田", "まえだ"), ("岡田", "おかだ"),
]  # fmt: skip
GIVEN_NAMES = [
    ("陽子", "ようこ"), ("健一", "けんいち"), ("美咲", "みさき"), ("翔太", "しょうた"),
    ("直子", "なおこ"), ("大輔", "だいすけ"), ("由美", "ゆみ"), ("拓也", "たくや"),
    ("恵子", "けいこ"), ("誠", "まこと"), ("真由美", "まゆみ"), ("浩二", "こうじ"),
    ("彩", "あや"), ("亮", "りょう"), ("久美子", "くみこ"), ("隆", "たかし"),
    ("明美", "あけみ"), ("和也", "かずや"), ("智子", "ともこ"), ("剛", "つよし"),
]  # fmt: skip


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    """A (name, reading) pair such as ("佐藤 陽子", "さとう ようこ")."""
    surname, surname_kana = rng.choice(SURNAMES)
    given, given_kana = rng.choice(GIVEN_NAMES)
    return f"{surname} {given}", f"{surname_kana} {given_kana}"
