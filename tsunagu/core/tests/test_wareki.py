"""tsunagu.core.wareki（和暦・年度）とそのフォーム欄・テンプレートフィルタのテスト。

データベースも Django の設定も使わない。
"""

from __future__ import annotations

import datetime
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.core import wareki as w
from tsunagu.core.forms import WAREKI_DATE_PLACEHOLDER, WarekiDateField, WarekiDateInput
from tsunagu.core.templatetags import wareki as tags
from tsunagu.core.wareki import (
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
    fiscal_year_to_date_label,
    format_wareki,
    format_wareki_month,
    parse_date,
    period_label,
    quarter_of,
    quarter_range,
)

UNREADABLE = "日付を読み取れません。例: 令和7年4月1日 / R7.4.1 / 2025-04-01"
EMPTY = "日付が入力されていません。例: 令和7年4月1日 / R7.4.1 / 2025-04-01"
OUT_OF_RANGE = (
    "明治5年以前（旧暦）の日付には対応していません。"
    "1873年（明治6年）1月1日以降の日付を入力してください"
)

# ---------------------------------------------------------------------------
# 年度
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2025, 3, 31), 2024),  # 令和7年度の前日
        (date(2025, 4, 1), 2025),  # 令和7年度の初日
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 3, 31), 2025),  # 令和7年度の最終日
        (date(2026, 4, 1), 2026),  # 翌日は令和8年度
    ],
)
def test_fiscal_year_of(d: date, fy: int) -> None:
    assert fiscal_year_of(d) == fy


def test_fiscal_year_range_reiwa7() -> None:
    assert fiscal_year_range(2025) == (date(2025, 4, 1), date(2026, 3, 31))


def test_fiscal_year_range_includes_leap_year_february() -> None:
    first, last = fiscal_year_range(2023)
    assert (first, last) == (date(2023, 4, 1), date(2024, 3, 31))
    assert (last - first).days + 1 == 366


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2025, "令和7年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),  # 政府の呼称どおり（平成31年度ではない）
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_fiscal_year_label(fy: int, label: str) -> None:
    assert fiscal_year_label(fy) == label


# ---------------------------------------------------------------------------
# 四半期
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 1), (2025, 1)),
        (date(2025, 6, 30), (2025, 1)),
        (date(2025, 7, 1), (2025, 2)),
        (date(2025, 9, 30), (2025, 2)),
        (date(2025, 10, 1), (2025, 3)),
        (date(2025, 12, 31), (2025, 3)),
        (date(2026, 1, 1), (2025, 4)),  # 1〜3月は前年度の第4四半期
        (date(2026, 3, 31), (2025, 4)),
        (date(2025, 3, 31), (2024, 4)),
    ],
)
def test_quarter_of(d: date, expected: tuple[int, int]) -> None:
    assert quarter_of(d) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (1, (date(2025, 4, 1), date(2025, 6, 30))),
        (2, (date(2025, 7, 1), date(2025, 9, 30))),
        (3, (date(2025, 10, 1), date(2025, 12, 31))),
        (4, (date(2026, 1, 1), date(2026, 3, 31))),
    ],
)
def test_quarter_range(q: int, expected: tuple[date, date]) -> None:
    assert quarter_range(2025, q) == expected


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quarter_range_rejects_bad_quarter(q: int) -> None:
    with pytest.raises(ValueError, match="四半期は1〜4で指定してください"):
        quarter_range(2025, q)


# ---------------------------------------------------------------------------
# 表示
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1873, 1, 1), "明治6年1月1日"),
    ],
)
def test_format_wareki(d: date, text: str) -> None:
    assert format_wareki(d) == text


def test_format_wareki_rejects_lunar_calendar_dates() -> None:
    with pytest.raises(ValueError, match=re.escape(OUT_OF_RANGE)) as exc:
        format_wareki(date(1872, 12, 31))
    assert str(exc.value) == OUT_OF_RANGE


@pytest.mark.parametrize(
    ("year", "month", "text"),
    [
        (2025, 4, "令和7年4月"),
        (2019, 4, "平成31年4月"),
        (2019, 5, "令和元年5月"),
        (2026, 3, "令和8年3月"),
    ],
)
def test_format_wareki_month(year: int, month: int, text: str) -> None:
    assert format_wareki_month(year, month) == text


@pytest.mark.parametrize("month", [0, 13])
def test_format_wareki_month_rejects_bad_month(month: int) -> None:
    with pytest.raises(ValueError, match="月は1〜12で指定してください"):
        format_wareki_month(2025, month)


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2025, 4, 1), date(2025, 6, 30), "令和7年4月〜6月"),
        (date(2025, 4, 1), date(2025, 4, 30), "令和7年4月"),
        (date(2025, 10, 1), date(2026, 3, 31), "令和7年10月〜令和8年3月"),
        (date(2019, 4, 1), date(2019, 6, 30), "平成31年4月〜令和元年6月"),
        (date(2025, 4, 1), date(2026, 3, 31), "令和7年4月〜令和8年3月"),
        # 月は同じでも年が違えば両方書く
        (date(2025, 4, 1), date(2026, 4, 30), "令和7年4月〜令和8年4月"),
    ],
)
def test_period_label(start: date, end: date, label: str) -> None:
    assert period_label(start, end) == label


def test_period_label_uses_wave_dash() -> None:
    label = period_label(date(2025, 4, 1), date(2025, 6, 30))
    assert "\u301c" in label
    assert "\uff5e" not in label  # 全角チルダではない


def test_period_label_rejects_reversed_period() -> None:
    with pytest.raises(ValueError, match="期間の終了日が開始日より前です"):
        period_label(date(2025, 6, 30), date(2025, 4, 1))


@pytest.mark.parametrize(
    ("today", "label"),
    [
        (date(2025, 4, 1), "令和7年4月"),
        (date(2025, 6, 15), "令和7年4月〜6月"),
        (date(2025, 12, 31), "令和7年4月〜12月"),
        (date(2026, 1, 10), "令和7年4月〜令和8年1月"),
        (date(2026, 3, 31), "令和7年4月〜令和8年3月"),
        # 年度の外は年度内に丸める
        (date(2027, 8, 1), "令和7年4月〜令和8年3月"),
        (date(2025, 3, 31), "令和7年4月"),
    ],
)
def test_fiscal_year_to_date_label(today: date, label: str) -> None:
    assert fiscal_year_to_date_label(2025, today) == label


def test_fiscal_year_to_date_label_across_era_change() -> None:
    assert fiscal_year_to_date_label(2019, date(2019, 8, 20)) == "平成31年4月〜令和元年8月"


# ---------------------------------------------------------------------------
# 入力の解釈
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 西暦
        ("2025-04-01", date(2025, 4, 1)),
        ("2025/4/1", date(2025, 4, 1)),
        ("2025.4.1", date(2025, 4, 1)),
        ("2025年4月1日", date(2025, 4, 1)),
        ("2025年4月1", date(2025, 4, 1)),
        ("20250401", date(2025, 4, 1)),
        # 和暦
        ("令和7年4月1日", date(2025, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("R07/04/01", date(2025, 4, 1)),
        ("r7-4-1", date(2025, 4, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("S64.1.7", date(1989, 1, 7)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("H1.1.8", date(1989, 1, 8)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("T15.12.24", date(1926, 12, 24)),
        ("M45.7.29", date(1912, 7, 29)),
        ("令7.4.1", date(2025, 4, 1)),
        ("平31.4.30", date(2019, 4, 30)),
        ("R7年4月1日", date(2025, 4, 1)),
        # 全角・空白
        ("Ｒ７．４．１", date(2025, 4, 1)),
        ("ｒ７／４／１", date(2025, 4, 1)),
        ("令和７年４月１日", date(2025, 4, 1)),
        ("２０２５－０４－０１", date(2025, 4, 1)),
        ("２０２５０４０１", date(2025, 4, 1)),
        ("2025−04−01", date(2025, 4, 1)),  # U+2212 マイナス記号
        ("2025ー04ー01", date(2025, 4, 1)),  # 長音記号の打ち間違い
        ("  令和7年4月1日\n", date(2025, 4, 1)),
        ("\u3000R7.4.1\u3000", date(2025, 4, 1)),
        ("令和 7年 4月 1日", date(2025, 4, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        ("R6.2.29", date(2024, 2, 29)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", EMPTY),
        ("   ", EMPTY),
        ("\u3000", EMPTY),
        ("あした", UNREADABLE),
        ("2025-04", UNREADABLE),
        ("25/4/1", UNREADABLE),
        ("2025-04/01", UNREADABLE),  # 区切りが混在
        ("2025040", UNREADABLE),
        ("X7.4.1", UNREADABLE),
        ("令和7年4月", UNREADABLE),
        ("2月30日", UNREADABLE),
        ("2025-02-30", "2025年2月30日は存在しません"),
        ("2025年13月1日", "2025年13月1日は存在しません"),
        ("2025-02-29", "2025年2月29日は存在しません"),
        ("令和7年2月30日", "令和7年2月30日は存在しません"),
        ("R7.4.31", "令和7年4月31日は存在しません"),
        ("R7.0.1", "令和7年0月1日は存在しません"),
        ("平成31年5月1日", "平成31年5月1日は存在しません（平成は2019年4月30日まで）"),
        ("H31.5.1", "平成31年5月1日は存在しません（平成は2019年4月30日まで）"),
        ("令和1年4月30日", "令和元年4月30日は存在しません（令和は2019年5月1日から）"),
        ("令和元年4月30日", "令和元年4月30日は存在しません（令和は2019年5月1日から）"),
        ("平成32年1月1日", "平成32年はありません"),
        ("H32.1.1", "平成32年はありません"),
        ("令和0年5月1日", "令和0年はありません"),
        ("昭和64年1月8日", "昭和64年1月8日は存在しません（昭和は1989年1月7日まで）"),
        ("昭和65年1月1日", "昭和65年はありません"),
        ("平成元年1月7日", "平成元年1月7日は存在しません（平成は1989年1月8日から）"),
        ("明治5年12月31日", OUT_OF_RANGE),
        ("明治元年1月1日", OUT_OF_RANGE),
        ("1872-12-31", OUT_OF_RANGE),
    ],
)
def test_parse_date_rejects_with_japanese_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as exc:
        parse_date(text)
    assert str(exc.value) == message  # 完全一致


# ---------------------------------------------------------------------------
# 境界の往復（表示 ⇄ 解釈）
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_era_boundary_both_ways(d: date, text: str) -> None:
    assert format_wareki(d) == text
    assert parse_date(text) == d
    # 前後の日は別の元号（または同じ元号の別の日）として表示される
    assert format_wareki(d - timedelta(days=1)) != text
    assert parse_date(format_wareki(d + timedelta(days=1))) == d + timedelta(days=1)


# ---------------------------------------------------------------------------
# 性質（hypothesis）
# ---------------------------------------------------------------------------

heisei_onwards = st.dates(min_value=date(1989, 1, 8), max_value=date(2100, 12, 31))
supported = st.dates(min_value=w.MIN_DATE, max_value=date(2100, 12, 31))


@given(heisei_onwards)
def test_property_wareki_round_trip(d: date) -> None:
    assert parse_date(format_wareki(d)) == d


@given(heisei_onwards)
def test_property_iso_round_trip(d: date) -> None:
    assert parse_date(d.isoformat()) == d


@given(heisei_onwards)
def test_property_fiscal_year_range_contains_date(d: date) -> None:
    first, last = fiscal_year_range(fiscal_year_of(d))
    assert first <= d <= last


@given(supported)
def test_property_wareki_round_trip_since_meiji6(d: date) -> None:
    assert parse_date(format_wareki(d)) == d


@given(supported)
def test_property_initial_form_round_trip(d: date) -> None:
    """「R7.4.1」形式（頭文字＋元号年）でも往復できる。"""
    era = w._era_of(d)
    short = f"{era.initial}{era.relative_year(d)}.{d.month}.{d.day}"
    assert parse_date(short) == d


@given(heisei_onwards)
def test_property_quarter_range_contains_date(d: date) -> None:
    fy, q = quarter_of(d)
    first, last = quarter_range(fy, q)
    assert first <= d <= last
    assert fiscal_year_range(fy)[0] <= first <= last <= fiscal_year_range(fy)[1]


@given(st.text(max_size=30))
def test_property_parse_date_only_raises_value_error(text: str) -> None:
    try:
        result = parse_date(text)
    except ValueError as exc:
        message = str(exc)
    else:
        assert isinstance(result, date)
        assert result >= w.MIN_DATE
        return
    assert message  # 空でない日本語メッセージ


# ---------------------------------------------------------------------------
# フォーム欄
# ---------------------------------------------------------------------------


def test_form_field_parses_wareki_and_western() -> None:
    field = WarekiDateField()
    assert field.clean("R7.4.1") == date(2025, 4, 1)
    assert field.clean("令和元年5月1日") == date(2019, 5, 1)
    assert field.clean("2025-04-01") == date(2025, 4, 1)
    assert field.to_python(date(2025, 4, 1)) == date(2025, 4, 1)
    assert field.to_python(datetime.datetime(2025, 4, 1, 9, 30)) == date(2025, 4, 1)


def test_form_field_empty_is_none_when_optional() -> None:
    field = WarekiDateField(required=False)
    assert field.clean("") is None
    assert field.clean(None) is None


def test_form_field_error_message_comes_from_parse_date() -> None:
    field = WarekiDateField()
    with pytest.raises(ValidationError) as exc:
        field.clean("令和1年4月30日")
    assert exc.value.messages == ["令和元年4月30日は存在しません（令和は2019年5月1日から）"]
    assert exc.value.error_list[0].code == "invalid"


def test_form_field_shows_initial_value_in_wareki() -> None:
    field = WarekiDateField()
    assert field.prepare_value(date(2019, 5, 1)) == "令和元年5月1日"
    assert field.prepare_value("R7.4.1") == "R7.4.1"  # 入力途中の値はそのまま
    assert field.prepare_value(None) is None


def test_form_widget_is_text_input_with_placeholder_and_no_inputmode() -> None:
    field = WarekiDateField()
    widget = field.widget
    assert isinstance(widget, WarekiDateInput)
    assert widget.input_type == "text"
    assert widget.attrs["placeholder"] == WAREKI_DATE_PLACEHOLDER
    assert WAREKI_DATE_PLACEHOLDER == "例: 令和7年4月1日 または 2025-04-01"
    assert "inputmode" not in widget.attrs
    assert "inputmode" not in WarekiDateInput(attrs={"inputmode": "numeric"}).attrs
    assert widget.format_value(date(2025, 4, 1)) == "令和7年4月1日"
    assert widget.format_value(None) is None


# ---------------------------------------------------------------------------
# テンプレートフィルタ
# ---------------------------------------------------------------------------


def test_wareki_filter() -> None:
    assert tags.wareki(date(2025, 4, 1)) == "令和7年4月1日"
    assert tags.wareki(datetime.datetime(2019, 4, 30, 23, 59)) == "平成31年4月30日"
    assert tags.wareki(None) == ""
    assert tags.wareki("") == ""


def test_fiscal_year_filter() -> None:
    assert tags.fiscal_year(2025) == "令和7年度"
    assert tags.fiscal_year("2019") == "令和元年度"
    assert tags.fiscal_year(date(2026, 3, 31)) == "令和7年度"
    assert tags.fiscal_year(date(2026, 4, 1)) == "令和8年度"
    assert tags.fiscal_year(None) == ""
    assert tags.fiscal_year("abc") == ""


def test_period_filter() -> None:
    assert tags.period(date(2025, 4, 1), date(2025, 6, 30)) == "令和7年4月〜6月"
    assert tags.period(date(2025, 4, 1), None) == ""
