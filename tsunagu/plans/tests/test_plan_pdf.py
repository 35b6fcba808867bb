"""The printed プランシート (プラン兼利用申込書): what it carries, who may print
it (and that the print is on record), and a real PDF with Japanese text."""

from __future__ import annotations

import datetime
import re
import zlib
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.plans.models import SupportKind, SupportPlan
from tsunagu.plans.printing import plan_sheet_html, plan_sheet_pdf
from tsunagu.plans.services import ItemPart, MemberPart, plan_activate, plan_create
from tsunagu.plans.tests.test_plan_pages import Family
from tsunagu.policy import Basis

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
PRINTED_AT = datetime.datetime(2025, 5, 12, 9, 5, tzinfo=TOKYO)


def make_plan(family: Family, *, activate: bool = True, **fields) -> SupportPlan:
    values = {
        "made_on": datetime.date(2025, 5, 9),
        "starts_on": datetime.date(2025, 5, 9),
        "ends_on": datetime.date(2025, 11, 8),
        "next_monitoring_on": datetime.date(2025, 7, 8),
        "overall_goal": "家族それぞれが地域とつながる",
        "uses_outreach": True,
    }
    values.update(fields)
    with tenancy.tenant_context(family.ward.municipality):
        plan = plan_create(
            actor=family.coordinator,
            case=family.fresh_case(),
            plan=SupportPlan(**values),
            members=[
                MemberPart(
                    family.a, wishes="仕事に戻りたい", issues="昼夜逆転", goals=["週1回外出する"]
                ),
                MemberPart(family.c, issues="物忘れ", goals=["介護保険を申請する", "通院を続ける"]),
            ],
            items=[
                ItemPart(
                    organization=family.ward.center,
                    content="見守り訪問",
                    kind=SupportKind.OUTREACH,
                    person=family.a,
                    frequency="月2回",
                    starts_on=datetime.date(2025, 5, 9),
                    ends_on=datetime.date(2025, 8, 31),
                ),
                ItemPart(
                    organization=family.ward.other_center,
                    content="介護保険の申請支援",
                    kind=SupportKind.SERVICE,
                ),
            ],
        )
        if activate:
            plan = plan_activate(actor=family.coordinator, plan=plan, version=plan.version)
    return plan


def sheet(family: Family, plan: SupportPlan, basis: Basis = Basis.COORDINATOR) -> str:
    with tenancy.tenant_context(family.ward.municipality):
        return plan_sheet_html(plan, viewer=family.coordinator, basis=basis, printed_at=PRINTED_AT)


class _Items(HTMLParser):
    """The text of each <li> of the lists whose class includes ``list_class``."""

    def __init__(self, list_class: str) -> None:
        super().__init__()
        self.list_class = list_class
        self.inside = False
        self.items: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self.inside = self.list_class in (dict(attrs).get("class") or "").split()
        elif tag == "li" and self.inside:
            self.items.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.items:
            self.items[-1] += data


def list_items(html: str, list_class: str) -> list[str]:
    parser = _Items(list_class)
    parser.feed(html)
    return ["".join(item.split()) for item in parser.items]


def test_sheet_carries_identity_members_items_and_check_items(ward) -> None:
    family = Family(ward).consented()
    plan = make_plan(family)
    html = sheet(family, plan)

    assert "プラン兼利用申込書" in html
    assert "第1版（初回）" in html
    assert "案" not in html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "試験　一郎 世帯" in html and family.case.number in html
    assert "令和7年5月9日" in html  # 作成日 in 和暦
    assert "令和7年5月9日〜令和7年11月8日" in html  # プラン期間
    next_monitoring = html.split('class="next-monitoring">', 1)[1].split("</td>", 1)[0]
    assert next_monitoring == "令和7年7月8日"
    assert "家族それぞれが地域とつながる" in html
    # Each member: identity carried over, then wishes, issues and goals.
    assert "試験　ハナ" in html and "父母" in html and "昭和15年1月5日（85歳）" in html
    assert "仕事に戻りたい" in html and "昼夜逆転" in html
    assert list_items(html, "goals") == ["週1回外出する", "介護保険を申請する", "通院を続ける"]
    assert "試験　次郎" not in html  # not in this plan
    # Support items with their kind.
    items = html.split('class="items"', 1)[1].split("</table>", 1)[0]
    assert "見守り訪問" in items and "アウトリーチ" in items and "月2回" in items
    assert "令和7年5月9日〜令和7年8月31日" in items
    assert "介護保険の申請支援" in items and "世帯全体" in items and "制度サービス" in items
    assert list_items(html, "programmes") == [
        "☐参加支援事業を利用する",
        "☑アウトリーチ等を通じた継続的支援事業を利用する",
    ]
    kinds = list_items(html, "kinds")
    assert "☑アウトリーチ" in kinds and "☑制度サービス" in kinds and "☐参加支援" in kinds
    # A signature line for every member in the plan.
    application = html.split('id="application"', 1)[1]
    assert application.count("本人署名") == 2
    assert "テスト区長　様" in application
    footer = html.split('class="sheet-footer"', 1)[1].split("</div>", 1)[0]
    assert "令和7年5月12日 09:05" in footer
    assert family.coordinator.full_name in footer
    assert str(Basis.COORDINATOR.label) in footer


def test_a_draft_is_marked_and_a_replan_says_what_changed(ward) -> None:
    family = Family(ward).consented()
    draft = make_plan(family, activate=False)
    heading = sheet(family, draft).split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "案" in heading

    with tenancy.tenant_context(ward.municipality):
        plan_activate(actor=family.coordinator, plan=draft, version=draft.version)
    second = make_plan(
        family,
        activate=False,
        changes="就労体験を目標に加えた。",
        made_on=datetime.date(2025, 7, 8),
    )
    html = sheet(family, second)
    assert "第2版（再プラン）" in html
    assert "就労体験を目標に加えた。" in html.split('class="text-box changes"', 1)[1]


def test_resident_text_is_escaped_and_the_sheet_self_contained(ward) -> None:
    family = Family(ward).consented()
    plan = make_plan(family, overall_goal='<script>alert("x")</script><img src="http://x">')
    html = sheet(family, plan)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    # Apart from the resident's (escaped) text, nothing refers outside.
    html = html.replace("&lt;img src=&quot;http://x&quot;&gt;", "")
    for reference in ("<link", "<img", "src=", "url(", "@import", "http:", "https:"):
        assert reference not in html


def test_viewer_of_another_municipality_is_refused(ward, other_ward) -> None:
    family = Family(ward).consented()
    plan = make_plan(family)
    with pytest.raises(PermissionDenied):
        plan_sheet_html(plan, viewer=other_ward.member(Role.COORDINATOR), basis=Basis.CONSENT)


def test_print_view_serves_the_pdf_and_records_the_print(client, ward) -> None:
    family = Family(ward).consented()
    plan = make_plan(family)
    counselor = ward.member(Role.COUNSELOR)  # the centre the consent names
    client.force_login(counselor)
    response = client.get(reverse("plans:print", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert family.case.number in disposition and "試験" not in disposition
    assert AuditEvent.objects.filter(
        actor=counselor,
        action="print",
        object_type="plans.supportplan",
        object_id=str(plan.pk),
        basis="consent",
    ).exists()

    stranger = ward.member(Role.ORG_MANAGER)  # also at the centre: allowed
    client.force_login(stranger)
    assert client.get(reverse("plans:print", args=[plan.pk])).status_code == 200
    client.force_login(ward.member(Role.SYSADMIN))  # no casework: nothing to print
    assert client.get(reverse("plans:print", args=[plan.pk])).status_code == 404


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated (fonts and CMaps sit in compressed streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start : start + 2_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _mapped_characters(content: bytes) -> set[str]:
    """The characters the PDF's ToUnicode CMaps map glyphs to: the text a reader
    (or a copy and paste) gets out of the sheet."""
    found: set[str] = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", content, re.S):
        for target in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
            found.add(bytes.fromhex(target.decode()).decode("utf-16-be", "replace"))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", content, re.S):
        for low, high, start in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(start, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                found.add(chr(first + offset))
    return found


def test_pdf_embeds_a_japanese_font_with_the_sheet_text(ward) -> None:
    family = Family(ward).consented()
    plan = make_plan(family)
    with tenancy.tenant_context(ward.municipality):
        pdf = plan_sheet_pdf(plan, viewer=family.coordinator, basis=Basis.COORDINATOR)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    content = _inflated(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK", content), (
        "Noto Sans CJK not embedded"
    )
    assert b"/FontFile" in content
    characters = _mapped_characters(content)
    # Headings, a member's name, a goal and the signature line are real Japanese text.
    for text in ("プラン兼利用申込書", "試験一郎", "介護保険を申請", "本人署名", "令和"):
        missing = [char for char in text if char not in characters]
        assert not missing, (text, missing)
    assert "鬱" not in characters  # only what is on the sheet
