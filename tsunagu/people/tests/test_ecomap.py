"""The ecomap drawing: laid out by Graphviz, safe to put inline, readable by a
screen reader, the same every time; whole names, and no line through a name."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from tsunagu.people import ecomap
from tsunagu.people.ecomap import (
    Member,
    Relation,
    RelationKind,
    describe,
    dot_label,
    render,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"

FAMILY = [
    Member(1, "鈴木　花子", "世帯主", 78, "female"),
    Member(2, "鈴木　一郎", "子", 50, "male"),
    Member(3, "鈴木　みらい", "孫", 9, "unknown"),
]
RELATIONS = [
    Relation("地域包括支援センター北", RelationKind.CONSULTATION, (1,)),
    Relation("地域包括支援センター北", RelationKind.PLAN, (1,)),
    Relation("福祉政策課", RelationKind.TEAM),
    Relation("福祉政策課", RelationKind.REFERRAL, (1, 2)),
    Relation("地域包括支援センター南", RelationKind.LEAD),
    Relation("ハローワークテスト", RelationKind.PLAN, (2,)),
]
#: The names the issue saw cut off, and longer ones.
LONG_NAMES = [
    "高齢者あんしん相談センター本富士分室",
    "社会福祉法人テスト福祉会 障害者就労・生活支援センターみなみ",
    "デモ中央警察署 生活安全課",
    "保健サービスセンター本郷支所",
    "子ども家庭支援センター",
    "生活困窮者自立相談支援窓口",
    "大塚さくら町会",
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def groups(root: ET.Element, css: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css in (g.get("class") or "").split()]


def links(root: ET.Element) -> list[ET.Element]:
    return groups(root, "ecomap-link")


def kind_of(link: ET.Element) -> str:
    return next(c for c in (link.get("class") or "").split() if c.startswith("ecomap-link-"))


def titles(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}title")]


def node_text(group: ET.Element) -> str:
    """A node's name as drawn: its text lines joined (a wrap at a space drops the space)."""
    return "".join(text.text or "" for text in group.iter(f"{SVG}text"))


# ---------------------------------------------------------------------------
# Geometry read back from the SVG (Graphviz's coordinates).

Box = tuple[float, float, float, float]  # left, top, right, bottom


def text_boxes(root: ET.Element) -> Iterator[tuple[str, Box]]:
    """Every text's box, from its anchor, baseline and size (approximate: full-width
    characters 1 em wide, others 0.6; the box a little inside the glyphs)."""
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size", "12"))
        width = text_width(text.text or "") * size
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        anchor = text.get("text-anchor", "start")
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        inset = 1.0
        yield (
            text.text or "",
            (left + inset, y - 0.8 * size + inset, left + width - inset, y - inset),
        )


def _numbers(d: str) -> list[tuple[float, float]]:
    values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(values[0::2], values[1::2], strict=True))


def path_points(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path (M x,y C x1,y1 x2,y2 x3,y3 …), each cubic
    sampled at 40 steps."""
    points = _numbers(d)
    sampled = [points[0]]
    for i in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[i - 1], points[i], points[i + 1], points[i + 2]
        for step in range(1, 41):
            t = step / 40
            u = 1 - t
            sampled.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    return sampled


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


def crossings(svg: str) -> list[tuple[str, str]]:
    """(text, edge) for every text an edge's line passes through."""
    root = parse(svg)
    edges = [
        (kind_of(link), path_points(path.get("d", "")))
        for link in links(root)
        for path in link.iter(f"{SVG}path")
    ]
    return [
        (text, kind)
        for text, box in text_boxes(root)
        for kind, points in edges
        if any(inside(point, box) for point in points)
    ]


# ---------------------------------------------------------------------------


def test_every_member_and_organization_is_drawn_and_named() -> None:
    root = parse(render(FAMILY, RELATIONS, "鈴木 世帯のエコマップ"))
    named = " ".join(titles(root))
    for member in FAMILY:
        assert member.name in named
    for relation in RELATIONS:
        assert relation.organization in named
    assert len(groups(root, "ecomap-organization")) == 4
    members = groups(root, "ecomap-member")
    assert len(members) == 3
    # Genogram symbols: a woman an ellipse, a man a square, anyone else a diamond.
    shapes = [next(c.tag for c in g if c.tag != f"{SVG}title") for g in members]
    assert shapes == [f"{SVG}ellipse", f"{SVG}polygon", f"{SVG}polygon"]
    square, diamond = (members[1].find(f"{SVG}polygon"), members[2].find(f"{SVG}polygon"))
    assert square is not None and diamond is not None
    assert len(_numbers(square.get("points", ""))) == 5  # four corners, closed
    # 続柄 and age under the name.
    assert "鈴木　一郎" in node_text(members[1]) and "子・50歳" in node_text(members[1])


def test_one_line_per_relation_and_member_or_one_to_the_household() -> None:
    root = parse(render(FAMILY, RELATIONS, "t"))
    drawn = links(root)
    # consultation 1 + plan 1 + team (household) 1 + referral 2 + lead (household) 1 + plan 1
    assert len(drawn) == 7
    kinds = sorted(kind_of(link) for link in drawn)
    assert kinds.count("ecomap-link-referral") == 2
    assert kinds.count("ecomap-link-lead") == 1
    # Each line says what it is.
    for link in drawn:
        label = "".join(link.itertext())
        assert label, f"{kind_of(link)} has no label"


def test_line_style_follows_the_kind_of_involvement() -> None:
    root = parse(render(FAMILY, RELATIONS, "t"))
    by_kind = {kind_of(link): link.find(f"{SVG}path") for link in links(root)}
    for kind in ("team", "plan", "lead"):
        assert by_kind[f"ecomap-link-{kind}"].get("stroke-dasharray") is None  # type: ignore[union-attr]
    for kind in ("consultation", "referral"):
        assert by_kind[f"ecomap-link-{kind}"].get("stroke-dasharray") == ecomap.STYLES[kind].dash  # type: ignore[union-attr]
    lead = by_kind["ecomap-link-lead"]
    team = by_kind["ecomap-link-team"]
    assert lead is not None and team is not None
    assert float(lead.get("stroke-width", "0")) > float(team.get("stroke-width", "0"))
    leads = groups(root, "ecomap-lead")
    assert len(leads) == 1
    assert "主担当機関" in node_text(leads[0])


def test_every_organization_name_appears_whole() -> None:
    relations = [Relation(name, RelationKind.TEAM, (1,)) for name in LONG_NAMES]
    root = parse(render(FAMILY, relations, "t"))
    # (A line broken at a space drops the space.)
    drawn = {node_text(g).replace(" ", "") for g in groups(root, "ecomap-organization")}
    for name in LONG_NAMES:
        assert name.replace(" ", "") in drawn, f"{name} not drawn whole: {drawn}"
    assert "…" not in "".join(root.itertext())
    # Long names are wrapped, not stretched: no line wider than about 10 em.
    for g in groups(root, "ecomap-organization"):
        for text in g.iter(f"{SVG}text"):
            assert text_width(text.text or "") <= 11


@pytest.mark.parametrize("member_count", [1, 3, 6])
@pytest.mark.parametrize("organization_count", [1, 4, 9])
def test_no_line_passes_through_a_label(member_count: int, organization_count: int) -> None:
    members = [
        Member(i, f"架空　{'一二三四五六'[i]}郎", "子", 30 + i, ("male", "female")[i % 2])
        for i in range(member_count)
    ]
    kinds = list(RelationKind)
    relations = [
        Relation(
            LONG_NAMES[i % len(LONG_NAMES)] + ("" if i < len(LONG_NAMES) else f"{i}"),
            kinds[i % len(kinds)],
            () if i % 3 == 0 else (i % member_count, (i + 1) % member_count),
        )
        for i in range(organization_count)
    ]
    svg = render(members, relations, "t")
    assert crossings(svg) == []


def test_the_crossing_check_sees_a_line_through_a_name() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><text x="100" y="50" text-anchor="middle" '
        'font-size="12">福祉政策課</text><g class="edge ecomap-link ecomap-link-team">'
        '<path d="M0,45C50,45 150,45 200,45"/></g></svg>'
    )
    assert crossings(svg) == [("福祉政策課", "ecomap-link-team")]
    assert crossings(svg.replace("M0,45C50,45 150,45 200,45", "M0,80C50,80 150,80 200,80")) == []


HOSTILE = [
    'A"; node [label="x"]; B',  # closes the DOT string
    "<script>alert(1)</script>",
    "{ } [ ] -- -> ; =",
    "二行\n目\r\nの名前\tタブ",
    "末尾の\\",
    "\\N \\G \\L \\l",
    "&lt;b&gt; & &amp;",
    "</text></g><g>",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_drawn_as_typed_and_cannot_change_the_graph(name: str) -> None:
    members = [Member(1, name, name, 40, "male")]
    relations = [Relation(name, RelationKind.CONSULTATION, (1,)), Relation("B", RelationKind.TEAM)]
    svg = render(members, relations, name)
    root = parse(svg)  # well-formed
    assert "<script" not in svg and "<g><text" not in svg
    organizations = groups(root, "ecomap-organization")
    assert len(organizations) == 2  # nothing was injected into the graph
    assert len(links(root)) == 2
    expected = ecomap.one_line(name)
    assert expected.replace(" ", "") in {node_text(g).replace(" ", "") for g in organizations}
    assert any(expected in title for title in titles(root))


def test_dot_labels_escape_what_graphviz_reads() -> None:
    assert dot_label(['a"b']) == '"a\\"b"'
    assert dot_label(["a\\nb"]) == '"a\\\\nb"'
    assert dot_label(["x\ny"]) == '"x y"'
    assert dot_label(["a&b"]) == '"a&amp;b"'
    assert dot_label(["一", "二"]) == '"一\\n二"'


def test_wrap_keeps_every_character_and_balances_the_lines() -> None:
    assert wrap("地域包括支援センター北", 9) == ["地域包括支援", "センター北"]
    assert wrap("福祉政策課", 9) == ["福祉政策課"]
    long = "社会福祉法人デモ区社会福祉協議会地域福祉コーディネーター係"
    assert "".join(wrap(long, 9)) == long
    # A line never begins with ー.
    assert not any(line.startswith("ー") for line in wrap("高齢者あんしん相談センター", 6))


def test_inline_svg_no_prolog_accessible_name_and_no_inline_style() -> None:
    svg = render(FAMILY, RELATIONS, "鈴木 世帯のエコマップ", id_prefix="eco")
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "eco-title eco-desc"
    # Scales to its container: a viewBox, and a width the CSS may override.
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert all(str(i).startswith("eco-") for i in ids)
    assert ids["eco-title"].text == "鈴木 世帯のエコマップ"
    description = ids["eco-desc"].text or ""
    assert "世帯員3人" in description
    assert "関わっている機関4か所" in description
    assert "ハローワークテスト（支援プラン：鈴木　一郎）" in description
    # The CSP forbids inline styles; fonts are the page's (no web font).
    assert "style=" not in svg
    assert "@import" not in svg and "url(" not in svg
    assert "Noto Sans CJK JP" in (root.get("font-family") or "")
    assert not [e for e in root.iter() if e is not root and e.get("font-family")]


def test_same_input_in_any_order_gives_the_same_svg() -> None:
    first = render(FAMILY, RELATIONS, "t")
    shuffled = RELATIONS[3:] + RELATIONS[:3][::-1]
    # Duplicates (three consultations of one organization about one person) are one line.
    assert render(FAMILY, [*shuffled, RELATIONS[0], RELATIONS[0]], "t") == first


def test_relations_with_people_outside_the_household_go_to_the_household() -> None:
    root = parse(render(FAMILY[:1], [Relation("A", RelationKind.REFERRAL, (99,))], "t"))
    assert len(links(root)) == 1
    assert "A（つなぐシート：世帯全体）" in describe(
        FAMILY[:1], [Relation("A", RelationKind.REFERRAL, ())]
    )


def test_an_empty_household_and_no_organizations_still_draw() -> None:
    root = parse(render([], [], "t"))
    assert "現在の世帯員なし" in "".join(root.itertext())


def test_without_graphviz_the_page_says_so_and_keeps_its_table(monkeypatch) -> None:
    monkeypatch.setattr(ecomap, "DOT", "/nonexistent/dot")
    ecomap._layout.cache_clear()
    try:
        html = render(FAMILY, RELATIONS, "t")
    finally:
        ecomap._layout.cache_clear()
    assert "<svg" not in html
    assert "つながりの一覧" in html
