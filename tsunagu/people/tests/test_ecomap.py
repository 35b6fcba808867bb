"""The ecomap drawing: a pure function from members and relations to an SVG
that is safe to put inline, readable by a screen reader, and the same every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tsunagu.people.ecomap import (
    Member,
    Relation,
    RelationKind,
    describe,
    layout,
    render,
    truncate,
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


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def links(root: ET.Element) -> list[ET.Element]:
    return [
        line for line in root.iter(f"{SVG}line") if "ecomap-link" in line.get("class", "").split()
    ]


def titles(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}title")]


def test_every_member_and_organization_is_drawn_and_named() -> None:
    root = parse(render(FAMILY, RELATIONS, "鈴木 世帯のエコマップ"))
    named = " ".join(titles(root))
    for member in FAMILY:
        assert member.name in named
    for relation in RELATIONS:
        assert relation.organization in named
    organizations = [g for g in root.iter(f"{SVG}g") if "ecomap-organization" in g.get("class", "")]
    assert len(organizations) == 4
    members = [g for g in root.iter(f"{SVG}g") if g.get("class") == "ecomap-member"]
    assert len(members) == 3
    # Genogram symbols: a man a square, a woman a circle, anyone else a diamond.
    assert [child.tag for g in members for child in g if child.tag != f"{SVG}title"] == [
        f"{SVG}circle",
        f"{SVG}rect",
        f"{SVG}polygon",
    ]


def test_one_line_per_relation_and_member_or_one_to_the_household() -> None:
    root = parse(render(FAMILY, RELATIONS, "t"))
    drawn = links(root)
    # consultation 1 + plan 1 + team (household) 1 + referral 2 + lead (household) 1 + plan 1
    assert len(drawn) == 7
    kinds = sorted(line.get("class", "").split()[1] for line in drawn)
    assert kinds.count("ecomap-link-referral") == 2
    assert kinds.count("ecomap-link-lead") == 1


def test_line_style_follows_the_kind_of_involvement() -> None:
    root = parse(render(FAMILY, RELATIONS, "t"))
    by_kind = {line.get("class", "").split()[1]: line for line in links(root)}
    # Support under way is solid, consultations and referrals are dashed.
    for kind in ("team", "plan", "lead"):
        assert by_kind[f"ecomap-link-{kind}"].get("stroke-dasharray") is None
    for kind in ("consultation", "referral"):
        assert by_kind[f"ecomap-link-{kind}"].get("stroke-dasharray")
    # The lead organization stands out by more than colour: a thicker line and a label.
    assert float(by_kind["ecomap-link-lead"].get("stroke-width", "0")) > float(
        by_kind["ecomap-link-team"].get("stroke-width", "0")
    )
    lead = [g for g in root.iter(f"{SVG}g") if "ecomap-lead" in g.get("class", "")]
    assert len(lead) == 1
    assert "主担当機関" in "".join(lead[0].itertext())


def test_lines_joining_the_same_ends_are_drawn_side_by_side() -> None:
    root = parse(render(FAMILY, RELATIONS, "t"))
    north = [
        (line.get("x1"), line.get("y1"))
        for line in links(root)
        if line.get("class", "").split()[1] in ("ecomap-link-consultation", "ecomap-link-plan")
    ]
    assert len(set(north)) == len(north)


def test_names_are_escaped_and_the_svg_stays_well_formed() -> None:
    hostile = [Member(1, '<script>alert("x")</script>', "世帯主", 40, "male")]
    relations = [Relation("<img src=x onerror=alert(1)>&機関", RelationKind.CONSULTATION, (1,))]
    svg = render(hostile, relations, "<b>title</b>")
    assert "<script" not in svg
    assert "<img" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert '<script>alert("x")</script>' in " ".join(titles(root))
    assert "<img src=x onerror=alert(1)>&機関" in " ".join(titles(root))


def test_control_characters_do_not_break_the_xml() -> None:
    svg = render([Member(1, "鈴木\x00\x07花子", "世帯主", None, "female")], [], "t")
    root = parse(svg)
    assert "鈴木花子" in " ".join(titles(root))


def test_accessible_name_description_and_no_inline_style() -> None:
    svg = render(FAMILY, RELATIONS, "鈴木 世帯のエコマップ", id_prefix="eco")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "eco-title eco-desc"
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert ids["eco-title"].tag == f"{SVG}title"
    assert ids["eco-title"].text == "鈴木 世帯のエコマップ"
    description = ids["eco-desc"].text or ""
    assert "世帯員3人" in description
    assert "関わっている機関4か所" in description
    assert "ハローワークテスト（支援プラン：鈴木　一郎）" in description
    # The CSP forbids inline styles; fonts are the site's (no web font).
    assert "style=" not in svg
    assert "@import" not in svg and "url(" not in svg
    assert "Noto Sans CJK JP" in (root.get("font-family") or "")
    # A legend says what the lines and symbols mean.
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "ecomap-legend")
    text = "".join(legend.itertext())
    for label in (
        "主担当機関",
        "支援チーム",
        "支援プラン",
        "つなぐシート",
        "相談受付",
        "男性",
        "女性",
    ):
        assert label in text


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


def test_long_names_are_cut_with_an_ellipsis_and_kept_whole_in_the_title() -> None:
    long = "社会福祉法人テスト福祉会 障害者就労・生活支援センターみなみ"
    root = parse(render(FAMILY[:1], [Relation(long, RelationKind.TEAM)], "t"))
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    assert long not in texts
    assert any(text.endswith("…") and long.startswith(text[:-1]) for text in texts)
    assert any(long in title for title in titles(root))
    assert truncate("地域包括支援センター北", 11.6) == "地域包括支援センター北"
    assert truncate("abcdefghij", 4) == "abcde…"  # 5 × 0.6 em + the ellipsis


@pytest.mark.parametrize("member_count", [0, 1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("organization_count", [0, 1, 2, 3, 7, 14])
def test_nothing_overlaps_and_everything_is_inside(member_count, organization_count) -> None:
    members = [Member(i, f"世帯員{i}", "子", 30, "male") for i in range(member_count)]
    names = [f"支援機関{i:02d}・長めの名前の機関" for i in range(organization_count)]
    leads = set(names[:1])
    shape = layout(members, names, leads)
    boxes = list(shape.organizations.values())
    for i, node in enumerate(boxes):
        assert not node.overlaps(shape.household)
        for other in boxes[i + 1 :]:
            assert not node.overlaps(other)
    for box in [shape.household, *boxes]:
        assert box.x >= 0 and box.y >= 0
        assert box.x + box.w <= shape.width and box.y + box.h <= shape.height
    h = shape.household
    for x, y in shape.members.values():
        assert h.x < x < h.x + h.w and h.y < y < h.y + h.h
    svg = render(members, [Relation(n, RelationKind.TEAM) for n in names], "t")
    root = parse(svg)
    assert len(links(root)) == organization_count
    width, height = (float(v) for v in re.findall(r"[\d.]+", root.get("viewBox", ""))[2:])
    assert width >= shape.width and height > shape.height
