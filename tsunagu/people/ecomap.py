"""エコマップ: a household's members and the organizations involved with them,
drawn by the server as one inline SVG (no script, no web font, no inline style:
the CSP allows neither, so every colour and line is a presentation attribute).

Conventions of the genogram: men are squares, women circles, anyone else a
diamond, each with the age inside. Organizations stand around the household on
an ellipse, each joined by a line to every member it works with, or to the
household's box when it works with the household as a whole. Solid lines are
support under way (支援チーム, 支援プラン; the lead organization thick), dashed
ones a consultation or a referral (相談・つなぎ), dash-dot an outreach
(アウトリーチ), and a dotted heavy line a place the member takes part in
(参加先, a 社会資源). Colour is never the only
signal: the dash pattern, the width and the legend say the same.

:func:`render` is a pure function of its arguments: the same members and
relations (in any order) give the same text, so tests compare it.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.db import models
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The site's fonts (tsunagu.css): the system's Japanese fonts, no web fonts.
FONT_FAMILY = "'Noto Sans CJK JP', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, sans-serif"
INK = "#1a1a1a"
MUTED = "#4a4a4a"
BAND = "#1d4f7a"
PAPER = "#ffffff"
SOFT = "#eef3f8"


class RelationKind(models.TextChoices):
    """How an organization is involved, strongest first."""

    LEAD = "lead", gettext_lazy("主担当")
    TEAM = "team", gettext_lazy("支援チーム")
    PLAN = "plan", gettext_lazy("支援プラン")
    #: A 社会資源 the member takes part in (見学・体験, 参加中, 定着): drawn like an organization.
    PARTICIPATION = "participation", gettext_lazy("参加先")
    OUTREACH = "outreach", gettext_lazy("アウトリーチ")
    REFERRAL = "referral", gettext_lazy("つなぐシート")
    CONSULTATION = "consultation", gettext_lazy("相談受付")


_KIND_ORDER = {kind.value: index for index, kind in enumerate(RelationKind)}


@dataclass(frozen=True)
class LineStyle:
    colour: str
    width: float
    dash: str  # "" for a solid line


#: Solid for support under way, dashed for consultations and referrals; every
#: colour has at least 3:1 contrast on white (JIS X 8341-3 AA, non-text contrast).
STYLES: dict[str, LineStyle] = {
    RelationKind.LEAD: LineStyle(BAND, 4.5, ""),
    RelationKind.TEAM: LineStyle(BAND, 2, ""),
    RelationKind.PLAN: LineStyle("#1e6b2f", 2.5, ""),
    RelationKind.PARTICIPATION: LineStyle("#6a3d9a", 3, "1 3"),
    RelationKind.OUTREACH: LineStyle("#0e6f73", 2, "6 3 1 3"),
    RelationKind.REFERRAL: LineStyle("#8a4b00", 2, "2 4"),
    RelationKind.CONSULTATION: LineStyle(MUTED, 1.5, "8 4"),
}


@dataclass(frozen=True)
class Member:
    """A current member of the household."""

    id: int
    name: str
    relationship: str  # 続柄, as shown
    age: int | None
    sex: str  # "male", "female", anything else drawn as a diamond


@dataclass(frozen=True)
class Relation:
    """One organization's involvement: with some members, or (no ids) the whole household."""

    organization: str
    kind: str  # a RelationKind value
    member_ids: tuple[int, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(RelationKind(self.kind).label)


def normalize(relations: Iterable[Relation], members: Sequence[Member]) -> list[Relation]:
    """Relations as they are drawn: ids of non-members dropped (nothing left: the
    household), duplicates merged, sorted by organization, kind and members."""
    current = {member.id for member in members}
    unique = {
        Relation(
            organization=relation.organization,
            kind=relation.kind,
            member_ids=tuple(sorted(set(relation.member_ids) & current)),
        )
        for relation in relations
    }
    return sorted(unique, key=lambda r: (r.organization, _KIND_ORDER[r.kind], r.member_ids))


# ---------------------------------------------------------------------------
# Text.

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _text(value: object) -> str:
    """Escaped for XML text and attribute values (control characters, which XML
    forbids, removed)."""
    return escape(str(value).translate(_CONTROL), {'"': "&quot;", "'": "&apos;"})


def _em(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 0.6


def text_width(text: str) -> float:
    """The width of ``text`` in em (full-width characters 1, others about 0.6)."""
    return sum(_em(char) for char in text)


def truncate(text: str, max_em: float) -> str:
    """``text`` cut to ``max_em`` wide with an ellipsis when it is longer."""
    text = " ".join(text.split())
    if text_width(text) <= max_em:
        return text
    kept, width = [], 1.0  # the ellipsis itself
    for char in text:
        width += _em(char)
        if width > max_em:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate, written the same way every time."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------------------
# Layout.

CELL_W, CELL_H = 96, 88
BOX_PAD, BOX_HEAD = 14, 30
NODE_W, NODE_H, LEAD_NODE_H = 164, 40, 54
NODE_TEXT_EM = 11.6
MARGIN = 14
LEGEND_ROW = 26
SYMBOL = 32


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box, gap: float = 0) -> bool:
        return not (
            self.x + self.w + gap <= other.x
            or other.x + other.w + gap <= self.x
            or self.y + self.h + gap <= other.y
            or other.y + other.h + gap <= self.y
        )

    def edge_towards(self, x: float, y: float) -> tuple[float, float]:
        """Where the line from the centre to (x, y) leaves the box."""
        dx, dy = x - self.cx, y - self.cy
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        scale = min(
            (self.w / 2) / abs(dx) if dx else math.inf,
            (self.h / 2) / abs(dy) if dy else math.inf,
        )
        return self.cx + dx * scale, self.cy + dy * scale


@dataclass(frozen=True)
class Layout:
    width: float
    height: float  # down to the legend, which goes below
    household: Box
    members: dict[int, tuple[float, float]]  # id → centre of the symbol
    organizations: dict[str, Box]


#: Narrower than this, the legend would not fit on two rows.
MIN_WIDTH = 640


def _grid(count: int) -> tuple[int, int]:
    if count <= 4:
        return max(count, 1), 1
    columns = min(4, math.ceil(count / 2))
    return columns, math.ceil(count / columns)


def layout(members: Sequence[Member], organizations: Sequence[str], leads: set[str]) -> Layout:
    """Positions: the household's box in the middle, organizations evenly on an
    ellipse around it, grown until nothing overlaps."""
    columns, rows = _grid(len(members))
    box_w = columns * CELL_W + 2 * BOX_PAD
    box_h = rows * CELL_H + BOX_HEAD + BOX_PAD
    count = len(organizations)
    # From the top, clockwise; never level with the members' row (a line from
    # there would run through every symbol of the row), so when a count would
    # put one at three or nine o'clock, everything turns by half a step.
    start = -math.pi / 2 + (math.pi / count if count and count % 4 == 0 else 0)

    def place(rx: float, ry: float) -> dict[str, Box]:
        nodes = {}
        for index, name in enumerate(organizations):
            angle = start + 2 * math.pi * index / count
            height = LEAD_NODE_H if name in leads else NODE_H
            x, y = rx * math.cos(angle), ry * math.sin(angle)
            nodes[name] = Box(x - NODE_W / 2, y - height / 2, NODE_W, height)
        return nodes

    household = Box(-box_w / 2, -box_h / 2, box_w, box_h)
    rx = box_w / 2 + NODE_W / 2 + 56
    ry = box_h / 2 + LEAD_NODE_H / 2 + 48
    nodes = place(rx, ry)
    for _attempt in range(80):
        boxes = list(nodes.values())
        clash = any(node.overlaps(household, 12) for node in boxes) or any(
            a.overlaps(b, 8) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
        )
        if not clash:
            break
        rx, ry = rx * 1.05, ry * 1.05
        nodes = place(rx, ry)

    everything = [household, *nodes.values()]
    left = min(b.x for b in everything) - MARGIN
    top = min(b.y for b in everything) - MARGIN
    right = max(b.x + b.w for b in everything) + MARGIN
    bottom = max(b.y + b.h for b in everything) + MARGIN
    if right - left < MIN_WIDTH:
        widen = (MIN_WIDTH - (right - left)) / 2
        left, right = left - widen, right + widen

    def shift(b: Box) -> Box:
        return Box(b.x - left, b.y - top, b.w, b.h)

    household = shift(household)
    member_centres = {}
    for index, member in enumerate(members):
        row, column = divmod(index, columns)
        # A shorter last row is centred.
        in_row = min(columns, len(members) - row * columns)
        offset = (columns - in_row) * CELL_W / 2
        x = household.x + BOX_PAD + offset + column * CELL_W + CELL_W / 2
        y = household.y + BOX_HEAD + row * CELL_H + 4 + SYMBOL / 2
        member_centres[member.id] = (x, y)
    return Layout(
        width=math.ceil(right - left),
        height=math.ceil(bottom - top),
        household=household,
        members=member_centres,
        organizations={name: shift(node) for name, node in nodes.items()},
    )


# ---------------------------------------------------------------------------
# Drawing.


#: White outline under texts, so that a line passing behind stays readable.
HALO = f'stroke="{PAPER}" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


def _member_symbol(member: Member, x: float, y: float) -> str:
    half = SYMBOL / 2
    common = f'fill="{PAPER}" stroke="{INK}" stroke-width="2"'
    if member.sex == "male":
        return (
            f'<rect x="{_n(x - half)}" y="{_n(y - half)}" width="{SYMBOL}" height="{SYMBOL}" '
            f"{common}/>"
        )
    if member.sex == "female":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(half)}" {common}/>'
    points = " ".join(
        f"{_n(px)},{_n(py)}"
        for px, py in ((x, y - half - 2), (x + half + 2, y), (x, y + half + 2), (x - half - 2, y))
    )
    return f'<polygon points="{points}" {common}/>'


def _symbol_edge(
    member: Member, x: float, y: float, towards: tuple[float, float]
) -> tuple[float, float]:
    """Where a line from ``towards`` meets the member's symbol."""
    dx, dy = towards[0] - x, towards[1] - y
    distance = math.hypot(dx, dy)
    if distance == 0:
        return x, y
    half = SYMBOL / 2
    if member.sex == "male":
        return Box(x - half, y - half, SYMBOL, SYMBOL).edge_towards(*towards)
    # A circle's edge is at its radius; a diamond's where |dx| + |dy| reaches its half-diagonal.
    scale = half / distance if member.sex == "female" else (half + 2) / (abs(dx) + abs(dy))
    return x + dx * scale, y + dy * scale


def _member_label(member: Member) -> str:
    """「鈴木　花子（世帯主・75歳・女性）」 without the parts not known."""
    details = [member.relationship]
    if member.age is not None:
        details.append(_("%(age)d歳") % {"age": member.age})
    details.append({"male": _("男性"), "female": _("女性")}.get(member.sex, _("性別その他・不明")))
    return f"{member.name}（{'・'.join(d for d in details if d)}）"


def _member(member: Member, x: float, y: float) -> str:
    """The symbol (drawn under the lines)."""
    return (
        f'<g class="ecomap-member"><title>{_text(_member_label(member))}</title>'
        f"{_member_symbol(member, x, y)}</g>"
    )


def _member_texts(member: Member, x: float, y: float) -> str:
    """Age, name and 続柄 (drawn over the lines)."""
    name_y = y + SYMBOL / 2 + 17
    age = (
        f'<text x="{_n(x)}" y="{_n(y + 4.5)}" text-anchor="middle" font-size="12" '
        f'fill="{INK}" {HALO}>{member.age}</text>'
        if member.age is not None
        else ""
    )
    return (
        f'<g class="ecomap-member-text"><title>{_text(_member_label(member))}</title>{age}'
        f'<text x="{_n(x)}" y="{_n(name_y)}" text-anchor="middle" font-size="13" fill="{INK}" '
        f"{HALO}>{_text(truncate(member.name, 7))}</text>"
        f'<text x="{_n(x)}" y="{_n(name_y + 16)}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}" {HALO}>{_text(truncate(member.relationship, 7.5))}</text></g>'
    )


def _organization(name: str, node: Box, kinds: list[str], lead: bool) -> str:
    label = f"{name}（{'・'.join(str(RelationKind(k).label) for k in kinds)}）"
    if lead:
        frame = f'fill="{SOFT}" stroke="{BAND}" stroke-width="3.5"'
        name_y, weight = node.y + 20, ' font-weight="bold"'
    else:
        frame = f'fill="{PAPER}" stroke="{INK}" stroke-width="1.5"'
        name_y, weight = node.y + node.h / 2 + 4.5, ""
    css = "ecomap-organization ecomap-lead" if lead else "ecomap-organization"
    parts = [
        f'<g class="{css}"><title>{_text(label)}</title>',
        f'<rect x="{_n(node.x)}" y="{_n(node.y)}" width="{_n(node.w)}" height="{_n(node.h)}" '
        f'rx="8" {frame}/>',
        f'<text x="{_n(node.cx)}" y="{_n(name_y)}" text-anchor="middle" font-size="13" '
        f'fill="{INK}"{weight}>{_text(truncate(name, NODE_TEXT_EM))}</text>',
    ]
    if lead:
        parts.append(
            f'<text x="{_n(node.cx)}" y="{_n(node.y + 40)}" text-anchor="middle" font-size="11" '
            f'fill="{BAND}" font-weight="bold">{_text(_("◎ 主担当機関"))}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _line(x1: float, y1: float, x2: float, y2: float, style: LineStyle, css: str) -> str:
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (
        f'<line class="{css}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{style.colour}" stroke-width="{_n(style.width)}"{dash} stroke-linecap="round"/>'
    )


def _links(relations: list[Relation], members: dict[int, Member], shape: Layout) -> list[str]:
    """One line per relation and member (or one to the household's box); lines
    joining the same two ends are drawn side by side, not on top of each other."""
    ends: list[tuple[Relation, str, tuple[float, float, float, float]]] = []
    for relation in relations:
        node = shape.organizations[relation.organization]
        for member_id in relation.member_ids or (None,):
            if member_id is None:
                x2, y2 = shape.household.edge_towards(node.cx, node.cy)
                target = "household"
            else:
                x, y = shape.members[member_id]
                x2, y2 = _symbol_edge(members[member_id], x, y, (node.cx, node.cy))
                target = str(member_id)
            ends.append((relation, target, (node.cx, node.cy, x2, y2)))
    pairs: dict[tuple[str, str], int] = {}
    for relation, target, _coords in ends:
        pairs[(relation.organization, target)] = pairs.get((relation.organization, target), 0) + 1
    seen: dict[tuple[str, str], int] = {}
    drawn = []
    for relation, target, (x1, y1, x2, y2) in ends:
        key = (relation.organization, target)
        index = seen.get(key, 0)
        seen[key] = index + 1
        shift = (index - (pairs[key] - 1) / 2) * 5
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ox, oy = -(y2 - y1) / length * shift, (x2 - x1) / length * shift
        drawn.append(
            _line(
                x1 + ox,
                y1 + oy,
                x2 + ox,
                y2 + oy,
                STYLES[relation.kind],
                f"ecomap-link ecomap-link-{relation.kind}",
            )
        )
    return drawn


def _legend(kinds: list[str], width: float, top: float) -> tuple[str, float]:
    """The legend below the picture, wrapped to ``width``; and where it ends."""
    items: list[tuple[float, str]] = []
    for kind in kinds:
        label = _("主担当機関") if kind == RelationKind.LEAD else str(RelationKind(kind).label)
        items.append((36 + text_width(label) * 12, _legend_line(kind, label)))
    for sex, label in (("male", _("男性")), ("female", _("女性")), ("other", _("その他・不明"))):
        items.append((24 + text_width(label) * 12, _legend_symbol(sex, label)))
    parts = ['<g class="ecomap-legend">']
    x, y = float(MARGIN), top
    for item_width, body in items:
        if x + item_width > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + LEGEND_ROW
        parts.append(f'<g transform="translate({_n(x)},{_n(y)})">{body}</g>')
        x += item_width + 20
    parts.append("</g>")
    return "".join(parts), y + LEGEND_ROW


def _legend_line(kind: str, label: str) -> str:
    style = STYLES[kind]
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (
        f'<line class="ecomap-legend-line" x1="0" y1="9" x2="28" y2="9" stroke="{style.colour}" '
        f'stroke-width="{_n(style.width)}"{dash}/>'
        f'<text x="36" y="13" font-size="12" fill="{INK}">{_text(label)}</text>'
    )


def _legend_symbol(sex: str, label: str) -> str:
    common = f'fill="{PAPER}" stroke="{INK}" stroke-width="1.5"'
    if sex == "male":
        shape = f'<rect x="1" y="2" width="14" height="14" {common}/>'
    elif sex == "female":
        shape = f'<circle cx="8" cy="9" r="7" {common}/>'
    else:
        shape = f'<polygon points="8,0 16,9 8,18 0,9" {common}/>'
    return shape + f'<text x="24" y="13" font-size="12" fill="{INK}">{_text(label)}</text>'


def describe(members: Sequence[Member], relations: Sequence[Relation]) -> str:
    """The picture in words (the SVG's description for screen readers)."""
    names = {member.id: member.name for member in members}
    people = "、".join(_member_label(member) for member in members)
    text = _("世帯員%(count)d人：%(people)s。") % {"count": len(members), "people": people or "—"}
    by_org: dict[str, list[str]] = {}
    for relation in relations:
        whom = "、".join(names[i] for i in relation.member_ids) or _("世帯全体")
        by_org.setdefault(relation.organization, []).append(f"{relation.kind_label}：{whom}")
    if not by_org:
        return text + _("関わっている機関の記録はありません。")
    return text + _("関わっている機関%(count)dか所：%(orgs)s。") % {
        "count": len(by_org),
        "orgs": "／".join(f"{org}（{'、'.join(items)}）" for org, items in by_org.items()),
    }


def render(
    members: Sequence[Member],
    relations: Iterable[Relation],
    title: str,
    id_prefix: str = "ecomap",
) -> SafeString:
    """The ecomap as an inline SVG element (every text escaped)."""
    members = list(members)
    drawn = normalize(relations, members)
    organizations = sorted({relation.organization for relation in drawn})
    leads = {r.organization for r in drawn if r.kind == RelationKind.LEAD}
    shape = layout(members, organizations, leads)
    kinds_of: dict[str, list[str]] = {}
    for relation in drawn:
        if relation.kind not in kinds_of.setdefault(relation.organization, []):
            kinds_of[relation.organization].append(relation.kind)
    household = shape.household
    body = [
        f'<rect class="ecomap-household" x="{_n(household.x)}" y="{_n(household.y)}" '
        f'width="{_n(household.w)}" height="{_n(household.h)}" rx="16" fill="{SOFT}" '
        f'stroke="{BAND}" stroke-width="2"/>',
        f'<text x="{_n(household.x + 12)}" y="{_n(household.y + 20)}" font-size="13" '
        f'font-weight="bold" fill="{BAND}">'
        f"{_text(_('世帯（%(count)d人）') % {'count': len(members)})}</text>",
    ]
    if not members:
        body.append(
            f'<text x="{_n(household.cx)}" y="{_n(household.cy + 8)}" text-anchor="middle" '
            f'font-size="12" fill="{MUTED}">{_text(_("現在の世帯員なし"))}</text>'
        )
    # The symbols, then the lines ending at their edges (a line passing a
    # symbol is seen to pass), then the texts and the organizations on top.
    for member in members:
        body.append(_member(member, *shape.members[member.id]))
    body.extend(_links(drawn, {member.id: member for member in members}, shape))
    for member in members:
        body.append(_member_texts(member, *shape.members[member.id]))
    for name in organizations:
        body.append(_organization(name, shape.organizations[name], kinds_of[name], name in leads))
    legend_top = shape.height + 4
    if not organizations:
        body.append(
            f'<text x="{_n(household.cx)}" y="{_n(shape.height + 8)}" text-anchor="middle" '
            f'font-size="12" fill="{MUTED}">{_text(_("関わっている機関の記録はありません"))}</text>'
        )
        legend_top += 24
    kinds = sorted({r.kind for r in drawn}, key=_KIND_ORDER.__getitem__)
    legend, height = _legend(kinds, shape.width, legend_top)
    body.append(legend)
    title_id, desc_id = _text(f"{id_prefix}-title"), _text(f"{id_prefix}-desc")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ecomap-svg" '
        f'viewBox="0 0 {_n(shape.width)} {_n(height)}" width="{_n(shape.width)}" '
        f'height="{_n(height)}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{FONT_FAMILY}">'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{desc_id}">{_text(describe(members, drawn))}</desc>'
    )
    # Every text above went through _text (XML-escaped).
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308
