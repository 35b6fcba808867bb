"""和暦（元号）と年度（4月〜翌3月）のための純粋関数群。

元号の境界は ``japanera`` の元号データ（明治〜令和）から取り、
全角→半角の変換には ``jaconv`` を使う。

対応範囲は 1873年（明治6年）1月1日以降（``tsunagu.core.dates.EARLIEST``、入力を受け付ける
範囲と同じ）。明治5年以前の日付は旧暦（太陰太陽暦）で書かれており、グレゴリオ暦の日付と
1 対 1 に対応しないため扱わない。表示の関数は ``date`` でも ``datetime`` でも受け取る
（``datetime`` はその地方時の日付で表す）。範囲外なら日本語の ``ValueError`` にする。

元号の切り替わり日は japanera のデータに従う（その日から新元号）:

- 平成: 1989-01-08 〜 2019-04-30
- 令和: 2019-05-01 〜
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import jaconv
from japanera import ERA_DATA_GENERAL

from tsunagu.core.dates import EARLIEST, local_date

__all__ = [
    "MIN_DATE",
    "fiscal_year_label",
    "fiscal_year_of",
    "fiscal_year_range",
    "fiscal_year_to_date_label",
    "format_wareki",
    "format_wareki_month",
    "parse_date",
    "period_label",
    "quarter_of",
    "quarter_range",
]

#: 扱える最も古い日付（グレゴリオ暦が採用された明治6年1月1日）。
MIN_DATE = EARLIEST

#: 年度の始まりの月。
FISCAL_YEAR_START_MONTH = 4

WAVE_DASH = "\u301c"  # 〜

_MODERN_ERA_NAMES = ("明治", "大正", "昭和", "平成", "令和")

_PARSE_EXAMPLE = "例: 令和7年4月1日 / R7.4.1 / 2025-04-01"
_UNREADABLE = f"日付を読み取れません。{_PARSE_EXAMPLE}"
_EMPTY = f"日付が入力されていません。{_PARSE_EXAMPLE}"
_OUT_OF_RANGE = (
    "明治5年以前（旧暦）の日付には対応していません。"
    "1873年（明治6年）1月1日以降の日付を入力してください"
)


@dataclass(frozen=True)
class _Era:
    """japanera の ``Era`` を型付きで包んだもの。``until`` は含まない（その日から次の元号）。"""

    name: str  # 令和
    abbr: str  # 令
    initial: str  # R
    since: date
    until: date | None
    source: Any  # japanera.Era

    @property
    def last_day(self) -> date | None:
        """この元号の最終日（現行の元号なら None）。"""
        if self.until is None:
            return None
        return date.fromordinal(self.until.toordinal() - 1)

    def contains(self, d: date) -> bool:
        """``d`` がこの元号の期間内なら True。"""
        return bool(d in self.source)

    def relative_year(self, d: date) -> int:
        """``d`` の元号年（1 始まり）。"""
        return int(self.source.calc_relative_year(d))

    def absolute_year(self, relative_year: int) -> int:
        """元号年から西暦年へ。"""
        return int(self.source.relative_year_to_absolute_year(relative_year))


def _load_eras() -> tuple[_Era, ...]:
    eras: list[_Era] = []
    for era in ERA_DATA_GENERAL:
        name = str(era.kanji)
        if name not in _MODERN_ERA_NAMES:
            continue
        since: date = era.since
        until: date | None = era.until
        eras.append(
            _Era(
                name=name,
                abbr=name[0],
                initial=str(era.english_head).upper(),
                since=since,
                until=until,
                source=era,
            )
        )
    eras.sort(key=lambda e: e.since)
    if [e.name for e in eras] != list(_MODERN_ERA_NAMES):  # pragma: no cover - データ破損時のみ
        raise RuntimeError("japanera の元号データに明治〜令和が揃っていません")
    return tuple(eras)


_ERAS: tuple[_Era, ...] = _load_eras()
_ERA_BY_TOKEN: dict[str, _Era] = {}
for _e in _ERAS:
    _ERA_BY_TOKEN[_e.name] = _e
    _ERA_BY_TOKEN[_e.abbr] = _e
    _ERA_BY_TOKEN[_e.initial] = _e
del _e


def _era_of(d: date) -> _Era:
    """``d`` が属する元号。MIN_DATE より前なら ValueError。``datetime`` はその地方時の日付。"""
    d = local_date(d)
    if d < MIN_DATE:
        raise ValueError(_OUT_OF_RANGE)
    for era in reversed(_ERAS):
        if era.contains(d):
            return era
    raise ValueError(_OUT_OF_RANGE)  # pragma: no cover - MIN_DATE 以降は必ずどれかに入る


def _year_text(relative_year: int) -> str:
    """元号年の表記（1 年は「元」）。"""
    return "元" if relative_year == 1 else str(relative_year)


def _era_year_text(d: date) -> str:
    """「令和7年」のような元号＋年。"""
    era = _era_of(d)
    return f"{era.name}{_year_text(era.relative_year(d))}年"


def _last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


# ---------------------------------------------------------------------------
# 年度・四半期
# ---------------------------------------------------------------------------


def fiscal_year_of(d: date) -> int:
    """``d`` が属する年度（4月〜翌3月）の開始年（西暦）。

    >>> fiscal_year_of(date(2026, 3, 31))
    2025
    """
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """年度 ``fy`` の初日（4月1日）と最終日（翌年3月31日）。両端を含む。"""
    return date(fy, FISCAL_YEAR_START_MONTH, 1), date(fy + 1, FISCAL_YEAR_START_MONTH - 1, 31)


def fiscal_year_label(fy: int) -> str:
    """年度の和暦表記。2025 → 「令和7年度」。

    元号は西暦 ``fy`` 年の年末時点のものを使う。このため 2019 年度は「令和元年度」
    （政府の呼称どおり）、1988 年度は「昭和63年度」、1989 年度は「平成元年度」になる。
    """
    if not MIN_DATE.year <= fy <= date.max.year:
        raise ValueError(_OUT_OF_RANGE)
    return f"{_era_year_text(date(fy, 12, 31))}度"


def quarter_of(d: date) -> tuple[int, int]:
    """``d`` の（年度, 四半期 1〜4）。第1四半期は4〜6月、1〜3月は前年度の第4四半期。"""
    quarter = (d.month - FISCAL_YEAR_START_MONTH) % 12 // 3 + 1
    return fiscal_year_of(d), quarter


def quarter_range(fy: int, q: int) -> tuple[date, date]:
    """年度 ``fy`` の第 ``q`` 四半期の初日と最終日（両端を含む）。"""
    if q not in (1, 2, 3, 4):
        raise ValueError(f"四半期は1〜4で指定してください（{q}）")
    start_year, start_month = _add_months(fy, FISCAL_YEAR_START_MONTH, 3 * (q - 1))
    end_year, end_month = _add_months(start_year, start_month, 2)
    return date(start_year, start_month, 1), _last_day_of_month(end_year, end_month)


# ---------------------------------------------------------------------------
# 表示
# ---------------------------------------------------------------------------


def format_wareki(d: date) -> str:
    """日付の和暦表記。2025-04-01 → 「令和7年4月1日」、2019-05-01 → 「令和元年5月1日」。

    ``datetime`` はその地方時の日付で表す（UTC の 2025-03-31T15:00Z は令和7年4月1日）。
    """
    d = local_date(d)
    return f"{_era_year_text(d)}{d.month}月{d.day}日"


def format_wareki_month(year: int, month: int) -> str:
    """年月の和暦表記。(2025, 4) → 「令和7年4月」。元号はその月の1日時点のもの。"""
    if not 1 <= month <= 12:
        raise ValueError(f"月は1〜12で指定してください（{month}）")
    if not MIN_DATE.year <= year <= date.max.year:
        raise ValueError(_OUT_OF_RANGE)
    return f"{_era_year_text(date(year, month, 1))}{month}月"


def period_label(start: date, end: date) -> str:
    """月単位の期間の和暦表記（日は無視する）。

    - 同じ月: 「令和7年4月」
    - 同じ元号年: 「令和7年4月〜6月」
    - 年または元号をまたぐ: 「令和7年10月〜令和8年3月」「平成31年4月〜令和元年6月」

    開始側は ``start`` の日付の元号、終了側は ``end`` の日付の元号で表す。
    """
    start, end = local_date(start), local_date(end)
    if end < start:
        raise ValueError("期間の終了日が開始日より前です")
    start_head = _era_year_text(start)
    end_head = _era_year_text(end)
    if start_head == end_head and start.year == end.year:
        if start.month == end.month:
            return f"{start_head}{start.month}月"
        return f"{start_head}{start.month}月{WAVE_DASH}{end.month}月"
    return f"{start_head}{start.month}月{WAVE_DASH}{end_head}{end.month}月"


def fiscal_year_to_date_label(fy: int, today: date) -> str:
    """年度 ``fy`` の4月から ``today`` の月までの期間の表記。

    ``today`` は年度内に丸める（年度前なら4月のみ、年度後なら翌3月まで）。
    例: (2025, 2025-06-15) → 「令和7年4月〜6月」。
    """
    first, last = fiscal_year_range(fy)
    clamped = min(max(today, first), last)
    return period_label(first, _last_day_of_month(clamped.year, clamped.month))


# ---------------------------------------------------------------------------
# 入力の解釈
# ---------------------------------------------------------------------------

_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70", "-")
)

_ERA_TOKEN = "|".join(
    re.escape(token) for token in sorted(_ERA_BY_TOKEN, key=lambda t: (-len(t), t))
)
_ERA_YEAR = r"(?P<year>[0-9]{1,4}|元)"
_SEP = r"\s*(?P<sep>[-/.])\s*"

_WESTERN_SEPARATED = re.compile(
    r"(?P<year>[0-9]{4})" + _SEP + r"(?P<month>[0-9]{1,2})\s*(?P=sep)\s*(?P<day>[0-9]{1,2})"
)
_WESTERN_KANJI = re.compile(
    r"(?P<year>[0-9]{4})\s*年\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日?"
)
_WESTERN_COMPACT = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
_ERA_SEPARATED = re.compile(
    rf"(?P<era>{_ERA_TOKEN})\s*{_ERA_YEAR}"
    + _SEP
    + r"(?P<month>[0-9]{1,2})\s*(?P=sep)\s*(?P<day>[0-9]{1,2})",
    re.IGNORECASE,
)
_ERA_KANJI = re.compile(
    rf"(?P<era>{_ERA_TOKEN})\s*{_ERA_YEAR}\s*年"
    r"\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日?",
    re.IGNORECASE,
)


def _normalize(text: str) -> str:
    """全角英数字を半角に、互換文字を NFKC で正規化し、ダッシュ類を「-」にそろえる。"""
    half = jaconv.z2h(text, kana=False, ascii=True, digit=True)
    return unicodedata.normalize("NFKC", half).translate(_DASHES).strip()


def _western_date(year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(f"{year}年{month}月{day}日は存在しません") from None
    if result < MIN_DATE:
        raise ValueError(_OUT_OF_RANGE)
    return result


def _era_date(era: _Era, relative_year: int, month: int, day: int) -> date:
    written = f"{era.name}{_year_text(relative_year)}年{month}月{day}日"
    if relative_year < 1:
        raise ValueError(f"{era.name}{relative_year}年はありません")
    year = era.absolute_year(relative_year)
    last_day = era.last_day
    if last_day is not None and year > last_day.year:
        raise ValueError(f"{era.name}{relative_year}年はありません")
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(f"{written}は存在しません") from None
    if result < MIN_DATE:
        raise ValueError(_OUT_OF_RANGE)
    if result < era.since:
        since = era.since
        raise ValueError(
            f"{written}は存在しません（{era.name}は{since.year}年{since.month}月{since.day}日から）"
        )
    if last_day is not None and result > last_day:
        raise ValueError(
            f"{written}は存在しません"
            f"（{era.name}は{last_day.year}年{last_day.month}月{last_day.day}日まで）"
        )
    return result


def parse_date(text: str) -> date:
    """利用者が入力した日付文字列を ``date`` にする。

    全角・半角、前後の空白を問わず、次の形式を受け付ける。

    - 西暦: ``2025-04-01`` ``2025/4/1`` ``2025.4.1`` ``2025年4月1日`` ``20250401``
    - 和暦: ``令和7年4月1日`` ``令和元年5月1日`` ``R7.4.1`` ``R07/04/01`` ``r7-4-1``
      ``令7.4.1`` ``Ｒ７．４．１``（元号は明治〜令和、頭文字 M/T/S/H/R または漢字1字も可）

    存在しない日付、元号の期間外の日付、空文字は、利用者向けの日本語メッセージを持つ
    ``ValueError`` にする。
    """
    normalized = _normalize(text)
    if not normalized:
        raise ValueError(_EMPTY)

    for pattern in (_WESTERN_SEPARATED, _WESTERN_KANJI, _WESTERN_COMPACT):
        match = pattern.fullmatch(normalized)
        if match:
            return _western_date(int(match["year"]), int(match["month"]), int(match["day"]))

    for pattern in (_ERA_SEPARATED, _ERA_KANJI):
        match = pattern.fullmatch(normalized)
        if match:
            token = match["era"]
            era = _ERA_BY_TOKEN.get(token) or _ERA_BY_TOKEN[token.upper()]
            year_text = match["year"]
            relative_year = 1 if year_text == "元" else int(year_text)
            return _era_date(era, relative_year, int(match["month"]), int(match["day"]))

    raise ValueError(_UNREADABLE)
