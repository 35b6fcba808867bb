"""The server-drawn charts: bars in proportion to the figures, nothing broken
by zeros or gaps, every label escaped, and an image a screen reader can read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tsunagu.reports.charts import (
    PALETTE,
    Series,
    axis,
    bar_chart,
    bar_figure,
    format_number,
    line_chart,
    line_figure,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def _bar_widths(svg: str) -> list[float]:
    return [
        float(rect.get("width", "0"))
        for rect in _parse(svg).iter(f"{SVG}rect")
        if rect.get("class") == "chart-bar"
    ]


def test_bars_are_in_proportion_to_their_values() -> None:
    svg = bar_chart([("一", 10), ("二", 5), ("三", 0), ("四", 2)], title="件数")
    widths = _bar_widths(svg)
    assert len(widths) == 4
    assert widths[0] > 0
    assert abs(widths[1] / widths[0] - 0.5) < 0.001
    assert widths[2] == 0
    assert abs(widths[3] / widths[0] - 0.2) < 0.001


def test_every_value_is_written_beside_its_bar() -> None:
    texts = [
        t.text
        for t in _parse(bar_chart([("訪問", 12), ("電話", 3)], title="方法", unit="回")).iter(
            f"{SVG}text"
        )
    ]
    assert "12回" in texts and "3回" in texts and "訪問" in texts


def test_all_zero_and_empty_charts_draw_without_dividing_by_zero() -> None:
    assert _bar_widths(bar_chart([("a", 0), ("b", 0)], title="ゼロ")) == [0.0, 0.0]
    empty = _parse(bar_chart([], title="なし"))
    assert empty.get("role") == "img"
    line = _parse(line_chart(["4月", "5月"], [Series("件数", [0, 0])], title="ゼロの線"))
    assert line.get("role") == "img"
    # All gaps: only axes and the legend.
    gaps = line_chart(["4月", "5月"], [Series("件数", [None, None])], title="記録なし")
    assert "<polyline" not in gaps


def test_negative_values_draw_as_no_bar() -> None:
    assert _bar_widths(bar_chart([("a", -3), ("b", 6)], title="負"))[0] == 0


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script>&'
    svg = bar_chart([(hostile, 1)], title=hostile, unit="<b>")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)  # still well-formed XML
    assert hostile in root.get("aria-label", "")
    line = line_chart([hostile], [Series(hostile, [1])], title=hostile)
    assert "<script>" not in line
    _parse(line)


def test_a_chart_is_an_image_with_a_title_and_a_label_reading_out_the_figures() -> None:
    root = _parse(bar_chart([("1回", 4), ("2〜3回", 1)], title="分布", unit="件", chart_id="c1"))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None and title.text.startswith("分布")
    assert root.get("aria-label") == "分布: 1回 4件、2〜3回 1件"
    assert root.get("aria-labelledby") is None  # the label is the one read out


def test_lines_scale_to_a_round_maximum_and_break_at_missing_values() -> None:
    svg = line_chart(
        ["4月", "5月", "6月", "7月"],
        [Series("件数", [10, None, 30, 40]), Series("世帯数", [1, 2, 3, 4])],
        title="月ごと",
        chart_id="m",
    )
    root = _parse(svg)
    polylines = list(root.iter(f"{SVG}polyline"))
    # The first series is broken into [10] and [30, 40]: one line of two points;
    # the second is one line of four.
    assert [len(p.get("points", "").split()) for p in polylines] == [2, 4]
    ticks = [t.text for t in root.iter(f"{SVG}text")]
    assert ticks[:5] == ["0", "10", "20", "30", "40"]  # 40 in steps of 10
    # The two series differ by more than colour: dash and marker shape.
    assert polylines[0].get("stroke") == PALETTE[0] and polylines[1].get("stroke") == PALETTE[1]
    assert polylines[0].get("stroke-dasharray") is None
    assert polylines[1].get("stroke-dasharray")
    assert root.find(f"{SVG}circle") is not None and root.find(f"{SVG}rect") is not None


def test_a_higher_value_is_drawn_higher() -> None:
    root = _parse(line_chart(["a", "b"], [Series("s", [1, 4])], title="t"))
    points = [
        tuple(map(float, p.split(",")))
        for p in next(root.iter(f"{SVG}polyline")).get("points", "").split()
    ]
    assert points[1][1] < points[0][1]


def test_the_value_axis_has_round_whole_steps_reaching_the_largest_value() -> None:
    for largest, expected in [(0, (4, 1)), (0.4, (1, 1)), (1, (1, 1)), (7, (8, 2)),
                              (12, (15, 5)), (40, (40, 10)), (660, (800, 200))]:  # fmt: skip
        assert axis(largest) == expected, largest
        top, step = expected
        assert top >= largest and float(step).is_integer()


def test_numbers_are_written_as_clerks_write_them() -> None:
    assert format_number(3.26, "日") == "3.3日"
    assert format_number(12.0, "日") == "12日"
    assert format_number(1234) == "1,234"
    assert format_number(None) == "—"


def test_figures_carry_the_same_numbers_as_a_table() -> None:
    bars = bar_figure("b", "参加支援", [("プラン前", 7), ("プラン", 2)], unit="件", column="件数")
    assert bars.rows == [("プラン前", ["7件"]), ("プラン", ["2件"])]
    assert bars.columns == ["件数"]
    lines = line_figure(
        "l",
        "月ごと",
        ["4月", "5月"],
        [Series("件数", [3, None])],
        row_labels=["令和6年4月", "令和6年5月"],
    )
    assert lines.rows == [("令和6年4月", ["3"]), ("令和6年5月", ["—"])]
    assert lines.columns == ["件数"]
