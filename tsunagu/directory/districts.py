"""Which 日常生活圏域 an address lies in: each district lists the 町 (or 町丁目)
it covers, and an address belongs to the district whose entry begins its
place part, the longest entry winning (「大塚3」 before 「大塚」).

:func:`district_for` is a pure function of its arguments; :func:`for_address`
reads the tenant's districts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from tsunagu.directory.models import District

_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
_TEN = re.compile(r"([一二三四五六七八九]?)十([一二三四五六七八九]?)")
#: 「3丁目」「三丁目」 and 「3-」 are one 丁目 (written 「3-」).
_CHOME = re.compile(r"(\d+)丁目")
_SPACES = re.compile(r"\s+")
#: The last character of a prefecture, city, ward, town or county name: the
#: 町 name of an address may begin after any of them (before the first number).
_ADMINISTRATIVE = frozenset("都道府県市区町村郡")


def _tens(match: re.Match[str]) -> str:
    tens = int(match.group(1).translate(_KANJI_DIGITS) or "1")
    ones = int(match.group(2).translate(_KANJI_DIGITS) or "0")
    return str(tens * 10 + ones)


def normalize(text: str) -> str:
    """Full-width digits and letters folded (NFKC), spaces dropped, kanji
    丁目 numbers written in digits, 「N丁目」 written 「N-」 as in 「大塚3-4-5」."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    text = re.sub(
        r"[〇一二三四五六七八九十]+(?=丁目)",
        lambda m: _TEN.sub(_tens, m.group(0)).translate(_KANJI_DIGITS),
        text,
    )
    return _CHOME.sub(r"\1-", text)


def prefixes(district: District) -> list[str]:
    """The district's entries, one a line, normalized."""
    return [normalize(line) for line in district.address_prefixes.splitlines() if line.strip()]


def _begins(place: str, prefix: str) -> bool:
    if not place.startswith(prefix):
        return False
    # 「大塚3」 covers 「大塚3-4-5」, not 「大塚31-…」.
    return not (prefix[-1].isdigit() and place[len(prefix) : len(prefix) + 1].isdigit())


def district_for(address: str, districts: Iterable[District]) -> District | None:
    """The district ``address`` lies in, or None when no entry matches (or two
    districts match equally long: the clerk chooses)."""
    text = normalize(address)
    if not text:
        return None
    # The address as typed, and what follows each 都道府県市区町村郡 before the
    # first number (「デモ区大塚3-4-5」: 「大塚3-4-5」; 「デモ区市ケ谷1」: 「市ケ谷1」).
    head = re.split(r"\d", text, maxsplit=1)[0]
    places = [text] + [text[i + 1 :] for i, char in enumerate(head) if char in _ADMINISTRATIVE]
    best: list[tuple[int, District]] = []
    for district in districts:
        for prefix in prefixes(district):
            if prefix and any(_begins(place, prefix) for place in places):
                best.append((len(prefix), district))
    if not best:
        return None
    longest = max(length for length, _district in best)
    found = {district.pk: district for length, district in best if length == longest}
    return next(iter(found.values())) if len(found) == 1 else None


def for_address(address: str) -> District | None:
    """The current tenant's district for ``address`` (archived ones left out)."""
    if not address.strip():
        return None
    return district_for(
        address, District.objects.filter(archived_at=None).exclude(address_prefixes="")
    )
