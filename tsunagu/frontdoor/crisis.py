"""Words of crisis, in every language the public page offers.

A thread whose inbound message holds one is raised to the top of the inbox and
shows staff the municipality's own emergency guidance. The lists are a starting
point a municipality extends (they match after NFKC folding and lower-casing);
a false alarm costs a glance, a missed one costs more.
"""

from __future__ import annotations

import unicodedata

#: language code → words (each matched as a substring of the folded text).
WORDS: dict[str, tuple[str, ...]] = {
    "ja": (
        "死にたい",
        "しにたい",
        "消えたい",
        "きえたい",
        "自殺",
        "じさつ",
        "殺される",
        "殺したい",
        "虐待",
        "ぎゃくたい",
        "暴力",
        "殴られ",
        "なぐられ",
        "蹴られ",
        "リストカット",
        "首をつ",
        "飛び降り",
        "生きていたくない",
        "いなくなりたい",
        "DV",
        "性被害",
        "逃げたい",
        "食べるものがない",
        "ごはんがない",
    ),
    "en": (
        "suicide",
        "kill myself",
        "want to die",
        "end my life",
        "self-harm",
        "abuse",
        "violence",
        "hit me",
        "beats me",
        "hurt me",
        "rape",
        "no food",
    ),
    "zh-hans": ("想死", "自杀", "不想活", "虐待", "暴力", "家暴", "打我", "性侵"),
    "ko": ("죽고 싶", "자살", "학대", "폭력", "때려", "맞았", "성폭력"),
    "vi": (
        "muốn chết",
        "tự tử",
        "tự sát",
        "bạo lực",
        "ngược đãi",
        "đánh tôi",
        "bị đánh",
        "xâm hại",
    ),
    "pt-br": (
        "quero morrer",
        "suicídio",
        "suicidio",
        "me matar",
        "violência",
        "violencia",
        "abuso",
        "me bate",
        "agressão",
        "agressao",
        "estupro",
    ),
}
WORDS["ja-easy"] = WORDS["ja"]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def crisis_words(text: str) -> list[str]:
    """The crisis words ``text`` holds, from every language (residents mix them)."""
    folded = fold(text)
    found: list[str] = []
    for words in WORDS.values():
        for word in words:
            if fold(word) in folded and word not in found:
                found.append(word)
    return found
