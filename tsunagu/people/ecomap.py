"""エコマップ: a household's members and the organizations involved with them,
laid out by Graphviz (``dot``) and put in the page as one inline SVG (no script,
no web font, no inline style: the CSP allows neither, so every colour and line
is a presentation attribute).

Conventions of the genogram: men are squares, women ellipses, anyone else a
diamond, each with 続柄 and age. The household is a box in the middle; the
organizations stand to its left and right with their whole names (wrapped,
never cut), each joined to every member it works with, or to the household's
box when it works with the household as a whole, by a line labelled with the
involvement. Solid lines are support under way (支援チーム, 支援プラン; the
lead organization thick), dashed ones a consultation or a referral
(相談・つなぎ), dash-dot an outreach (アウトリーチ), and a dotted heavy line a
place the member takes part in (参加先, a 社会資源). Colour is never the only
signal: the dash pattern, the width, the label and the legend say the same.

``dot`` places edge labels as nodes of their own, so lines go around names
rather than through them. :func:`render` is a pure function of its arguments:
the same members and relations (in any order) give the same text; the layout
of a given graph is kept in memory (a few dozen kilobytes each).
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from django.db import models
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

# The site's fonts (tsunagu.css): the system's Japanese fonts, no web fonts.
FONT_FAMILY = "'Noto Sans CJK JP', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, sans-serif"
#: The font Graphviz measures the texts with (Debian's fonts-noto-cjk), the page's first.
LAYOUT_FONT = "Noto Sans CJK JP"
DOT = "/usr/bin/dot"
#: Seconds a layout may take (a household has a handful of members and organizations).
DOT_TIMEOUT = 10
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
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _text(value: object) -> str:
    """Escaped for XML text and attribute values (control characters, which XML
    forbids, removed)."""
    return escape(str(value).translate(_CONTROL), {'"': "&quot;", "'": "&apos;"})


def _em(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 0.6


def text_width(text: str) -> float:
    """The width of ``text`` in em (full-width characters 1, others about 0.6)."""
    return sum(_em(char) for char in text)


def one_line(text: str) -> str:
    """User text on one line: line breaks, tabs and control characters become
    one space (a full-width space, as in 「鈴木　花子」, is kept)."""
    return re.sub(r" {2,}", " ", _BREAKS.sub(" ", str(text))).strip()


#: Characters a line does not begin with (禁則): they stay with the one before.
_NO_START = frozenset("ー、。，．・）」』】〕！？ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


def wrap(text: str, width_em: float) -> list[str]:
    """``text`` in lines at most ``width_em`` wide (about), as even as they can
    be, broken after a space where one is near and never before ー、。 and the
    like; never cut short: every character is kept."""
    text = one_line(text)
    count = max(1, math.ceil(text_width(text) / width_em))
    width_em = text_width(text) / count + 0.6
    lines: list[str] = []
    line, width = "", 0.0
    for char in text:
        if width + _em(char) > width_em and line and char not in _NO_START:
            space = line.rfind(" ")
            if space > len(line) // 2:
                lines.append(line[:space])
                line = line[space + 1 :]
                width = text_width(line)
            else:
                lines.append(line)
                line, width = "", 0.0
        if char == " " and not line:
            continue
        line += char
        width += _em(char)
    if line:
        lines.append(line)
    return lines


def _dot_text(line: str) -> str:
    """One line of a label, for inside a DOT double-quoted string: shown as is.
    A backslash is doubled (Graphviz reads \\N, \\G, \\l … in labels), a quote
    escaped, and & written &amp; (Graphviz reads HTML entities in labels)."""
    return one_line(line).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def dot_label(lines: Sequence[str]) -> str:
    """Lines as one DOT label, each centred (Graphviz's own \\n)."""
    return '"' + "\\n".join(_dot_text(line) for line in lines) + '"'


# ---------------------------------------------------------------------------
# The graph.

ORGANIZATION_EM = 9.0  # an organization's name is wrapped to this width
MEMBER_EM = 8.0


@dataclass(frozen=True)
class EdgeStyle:
    style: str  # Graphviz's: solid, dashed, dotted, bold
    dash: str  # the SVG dash pattern written over Graphviz's


#: How each kind is drawn (the dash patterns are the legend's).
EDGE_STYLES = {
    kind: EdgeStyle("solid" if not style.dash else "dashed", style.dash)
    for kind, style in STYLES.items()
}


def _attrs(**values: str | float) -> str:
    """DOT attributes; string values must already be DOT strings (quoted)."""
    return "[" + ", ".join(f"{key}={value}" for key, value in values.items()) + "]"


def _member_lines(member: Member) -> list[str]:
    details = [one_line(member.relationship)] if member.relationship else []
    if member.age is not None:
        details.append(_("%(age)d歳") % {"age": member.age})
    return [
        *wrap(member.name, MEMBER_EM),
        *(["・".join(d for d in details if d)] if details else []),
    ]


SHAPES = {"male": "box", "female": "ellipse"}


def to_dot(members: Sequence[Member], drawn: Sequence[Relation]) -> tuple[str, dict[str, str]]:
    """The DOT source of the ecomap, and each node's id → its full label (for
    the SVG's <title>s). Node ids are made here (m1, o1 …): no user text is an id."""
    organizations = sorted({relation.organization for relation in drawn})
    leads = {r.organization for r in drawn if r.kind == RelationKind.LEAD}
    kinds_of: dict[str, list[str]] = {}
    for relation in drawn:
        if relation.kind not in kinds_of.setdefault(relation.organization, []):
            kinds_of[relation.organization].append(relation.kind)
    font = dot_label([LAYOUT_FONT])
    lines = [
        "graph ecomap {",
        f"graph {_attrs(rankdir='LR', splines='true', overlap='false', compound='true', nodesep=0.3, ranksep=0.8, pad=0.15, fontname=font, bgcolor=dot_label([PAPER]))};",
        f"node {_attrs(fontname=font, fontsize=12, color=dot_label([INK]), fontcolor=dot_label([INK]), penwidth=1.5, margin=dot_label(['0.12,0.06']))};",
        f"edge {_attrs(fontname=font, fontsize=10, fontcolor=dot_label([MUTED]))};",
        "subgraph cluster_household {",
        f"graph {_attrs(label=dot_label([_('世帯（%(count)d人）') % {'count': len(members)}]), style=dot_label(['rounded,filled']), fillcolor=dot_label([SOFT]), color=dot_label([BAND]), penwidth=2, fontcolor=dot_label([BAND]), fontsize=12, margin=12)};",
    ]
    titles: dict[str, str] = {}
    ids = {member.id: f"m{index}" for index, member in enumerate(members, start=1)}
    for member in members:
        shape = SHAPES.get(member.sex, "diamond")
        lines.append(
            f"{ids[member.id]} {_attrs(shape=shape, label=dot_label(_member_lines(member)), style='filled', fillcolor=dot_label([PAPER]), penwidth=2, **{'class': dot_label(['ecomap-member'])})};"
        )
        titles[ids[member.id]] = _member_label(member)
    whole = any(not relation.member_ids for relation in drawn) or not members
    if whole:
        label = _("世帯全体") if members else _("現在の世帯員なし")
        lines.append(
            f"household {_attrs(shape='plaintext', label=dot_label([label]), fontcolor=dot_label([MUTED]), fontsize=11)};"
        )
    lines.append("}")
    org_ids = {name: f"o{index}" for index, name in enumerate(organizations, start=1)}
    for name in organizations:
        lead = name in leads
        kinds = "・".join(str(RelationKind(k).label) for k in kinds_of[name])
        name_lines = wrap(name, ORGANIZATION_EM) + ([_("◎ 主担当機関")] if lead else [])
        frame: dict[str, str | float] = {
            "style": dot_label(["rounded,filled"]),
            "fillcolor": dot_label([SOFT if lead else PAPER]),
            "color": dot_label([BAND if lead else INK]),
            "penwidth": 3.5 if lead else 1.5,
        }
        css = "ecomap-organization ecomap-lead" if lead else "ecomap-organization"
        lines.append(
            f"{org_ids[name]} {_attrs(shape='box', label=dot_label(name_lines), **frame, **{'class': dot_label([css])})};"
        )
        titles[org_ids[name]] = f"{one_line(name)}（{kinds}）"
    for relation in drawn:
        org = org_ids[relation.organization]
        # Organizations alternate between the left and the right of the household.
        left = organizations.index(relation.organization) % 2 == 0
        style = STYLES[relation.kind]
        attrs: dict[str, str | float] = {
            "label": dot_label([str(RelationKind(relation.kind).label)]),
            "color": dot_label([style.colour]),
            "penwidth": style.width,
            "style": EDGE_STYLES[relation.kind].style,
            "class": dot_label([f"ecomap-link ecomap-link-{relation.kind}"]),
        }
        targets = [ids[i] for i in relation.member_ids] or ["household"]
        for target in targets:
            extra = (
                {}
                if target != "household"
                else {("lhead" if left else "ltail"): "cluster_household"}
            )
            ends = f"{org} -- {target}" if left else f"{target} -- {org}"
            lines.append(f"{ends} {_attrs(**attrs, **extra)};")
    lines.append("}")
    return "\n".join(lines) + "\n", titles


@lru_cache(maxsize=128)
def _layout(source: str) -> str:
    """Graphviz's SVG for a DOT source (kept: the same household drawn again costs nothing)."""
    done = subprocess.run(  # noqa: S603 - a fixed program; the graph goes in on stdin
        [DOT, "-Tsvg"],
        input=source.encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=True,
    )
    return done.stdout.decode("utf-8")


_TITLE = re.compile(r"<title>([^<]*)</title>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FONT = re.compile(r' font-family="[^"]*"')
_EDGE = re.compile(
    r'(<g id="edge\d+" class="edge ecomap-link ecomap-link-([a-z-]+)">)(.*?)(</g>)', re.DOTALL
)
_ROOT = re.compile(r"<svg [^>]*>")
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')


def _dashes(match: re.Match[str]) -> str:
    """The edge drawn with its kind's own dash pattern (Graphviz knows only a few)."""
    start, kind, inner, end = match.groups()
    dash = STYLES[kind].dash
    inner = re.sub(r' stroke-dasharray="[^"]*"', "", inner)
    if dash:
        inner = inner.replace("<path ", f'<path stroke-dasharray="{dash}" ', 1)
    return start + inner + end


def _finish(svg: str, titles: dict[str, str], title: str, description: str, id_prefix: str) -> str:
    """Graphviz's SVG made fit to be inline: no prolog, doctype or comments; the
    page's fonts; ids prefixed; node titles in words; an accessible name."""
    svg = svg[svg.index("<svg") :]
    # Graphviz writes every hyphen as &#45; (in classes too).
    svg = _COMMENT.sub("", svg).replace("&#45;", "-")
    svg = _FONT.sub("", svg)
    svg = _EDGE.sub(_dashes, svg)
    svg = svg.replace(' id="', f' id="{_text(id_prefix)}-')

    def words(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<title>{_text(titles[name])}</title>" if name in titles else ""

    svg = _TITLE.sub(words, svg)
    box = _VIEWBOX.search(svg)
    width, height = (box.group(3), box.group(4)) if box else ("640", "480")
    title_id, desc_id = _text(f"{id_prefix}-title"), _text(f"{id_prefix}-desc")
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ecomap-svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" font-family="{_text(FONT_FAMILY)}">'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{desc_id}">{_text(description)}</desc>'
    )
    return _ROOT.sub(lambda _m: root, svg, count=1).strip()


def _member_label(member: Member) -> str:
    """「鈴木　花子（世帯主・75歳・女性）」 without the parts not known."""
    details = [member.relationship]
    if member.age is not None:
        details.append(_("%(age)d歳") % {"age": member.age})
    details.append({"male": _("男性"), "female": _("女性")}.get(member.sex, _("性別その他・不明")))
    return f"{member.name}（{'・'.join(d for d in details if d)}）"


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
    """The ecomap as an inline SVG element (every text escaped, for DOT and for XML)."""
    members = list(members)
    drawn = normalize(relations, members)
    source, titles = to_dot(members, drawn)
    description = describe(members, drawn)
    try:
        svg = _layout(source)
    except (OSError, subprocess.SubprocessError) as error:
        # Graphviz missing or stuck: the page keeps the table of relations.
        logger.error("ecomap: Graphviz failed: %s", type(error).__name__)
        return mark_safe(  # noqa: S308 - escaped
            f'<p class="help" role="note">{_text(_("エコマップを描けませんでした。下の「つながりの一覧（表）」をご覧ください。"))}</p>'
        )
    # Graphviz wrote every label XML-escaped; _finish escapes what it adds.
    return mark_safe(_finish(svg, titles, title, description, id_prefix))  # noqa: S308
