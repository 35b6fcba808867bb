"""The printed 相談受付・申込票: content of both variants, and a real PDF with Japanese glyphs."""

from __future__ import annotations

import datetime
import re
import zlib
from html.parser import HTMLParser
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.consultations import printing
from tsunagu.consultations.models import (
    CaseFeature,
    Channel,
    ConsentToShare,
    Consultation,
    Consulter,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.consultations.printing import intake_sheet_html, intake_sheet_pdf
from tsunagu.consultations.services import case_features_ensure_defaults, consultation_create
from tsunagu.core import printing as core_printing
from tsunagu.core import tenancy
from tsunagu.core.printing import local_only_url_fetcher
from tsunagu.people.models import Household, Person, Sex
from tsunagu.people.services import household_create, person_create
from tsunagu.policy import Basis
from tsunagu.referrals.models import Referral, SharingBasis
from tsunagu.referrals.services import referral_create

TOKYO = ZoneInfo("Asia/Tokyo")
RECEIVED_AT = datetime.datetime(2025, 5, 9, 10, 30, tzinfo=TOKYO)
PRINTED_AT = datetime.datetime(2025, 5, 12, 9, 5, tzinfo=TOKYO)
CHECKED_TOPICS = {Topic.HOUSING, Topic.INCOME, Topic.NO_FOOD}


def make_consultation(ward, consent: str = ConsentToShare.OBTAINED, **fields) -> Consultation:
    """A consultation of the 地域包括支援センター北 about one synthetic resident."""
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        person = person_create(
            actor=counselor,
            organization=ward.center,
            person=Person(
                family_name="試験",
                given_name="花子",
                family_name_kana="しけん",
                given_name_kana="はなこ",
                sex=Sex.FEMALE,
                # One day short of her birthday on the day of the consultation: 64, not 65.
                birth_date=datetime.date(1960, 5, 10),
                address="テスト区北町1-2-3 つなぐ荘101",
                phone="03-0000-0000",
            ),
        )
        household = household_create(
            actor=counselor,
            organization=ward.center,
            household=Household(address="テスト区北町1-2-3 つなぐ荘101"),
            head=person,
        )
        case_features_ensure_defaults()
        consultation = consultation_create(
            actor=counselor,
            organization=ward.center,
            consultation=Consultation(
                municipality=ward.municipality,
                received_by=counselor,
                received_at=RECEIVED_AT,
                channel=Channel.PHONE,
                consulter=Consulter.MINSEI_IIN,
                consulter_note="北町担当の民生委員",
                household=household,
                main_topic=Topic.INCOME,
                life_issues=[LifeIssue.HOUSING, LifeIssue.ISOLATION],
                summary=fields.pop("summary", "家賃を2か月滞納。\n食料が尽きかけている。"),
                urgency=Urgency.SOON,
                consent_to_share=consent,
                outcome=Outcome.REFER,
                **fields,
            ),
            topics=CHECKED_TOPICS,
            subjects=[person],
            case_features=CaseFeature.objects.filter(name="8050"),
        )
    return consultation


def sheet_html(ward, consultation: Consultation, viewer=None, basis=Basis.OWN_ORGANIZATION) -> str:
    viewer = viewer or ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        return intake_sheet_html(consultation, viewer=viewer, basis=basis, printed_at=PRINTED_AT)


class _Items(HTMLParser):
    """Collects the text of each <li> inside the list (<ul>, <ol>) whose class includes ``list_class``."""

    def __init__(self, list_class: str) -> None:
        super().__init__()
        self.list_class = list_class
        self.inside = False
        self.items: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("ul", "ol"):
            self.inside = self.list_class in classes
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
    return [" ".join(item.split()) for item in parser.items]


def test_identity_reception_and_checklist(ward):
    consultation = make_consultation(ward)
    html = sheet_html(ward, consultation)

    assert "相談受付・申込票" in html
    assert consultation.number in html
    assert "令和7年5月9日 10:30" in html  # 受付日 in 和暦, Tokyo time
    assert "地域包括支援センター北" in html
    assert ward.member(Role.COUNSELOR).full_name in html
    assert "電話" in html and "民生委員（北町担当の民生委員）" in html
    # Identity block.
    assert "試験　花子" in html
    assert "しけん　はなこ" in html
    assert "女性" in html
    assert "昭和35年5月10日（64歳）" in html  # age on the day of the consultation
    assert "テスト区北町1-2-3 つなぐ荘101" in html
    assert "03-0000-0000" in html

    topics = list_items(html, "topics")
    assert len(topics) == len(Topic)
    for topic, item in zip(Topic, topics, strict=True):
        assert item.endswith(str(topic.label))
        assert item.startswith("☑" if topic in CHECKED_TOPICS else "☐")
    main = [item for item in topics if "◎" in item]
    assert main == ["☑◎収入・生活費"]

    life_issues = list_items(html, "life-issues")
    assert len(life_issues) == len(LifeIssue)
    assert "☑住まい" in life_issues and "☑孤立" in life_issues and "☐就労" in life_issues
    features = list_items(html, "case-features")
    assert "☑8050" in features and "☐ごみ屋敷" in features
    assert list_items(html, "urgency") == ["☐通常", "☑早めの対応が必要", "☐緊急"]
    assert [i for i in list_items(html, "outcome") if i.startswith("☑")] == ["☑他機関へつなぐ"]
    assert "家賃を2か月滞納。<br>食料が尽きかけている。" in html


def test_footer_names_printer_time_and_basis(ward):
    consultation = make_consultation(ward)
    html = sheet_html(ward, consultation, basis=Basis.EMERGENCY)
    footer = html.split('class="sheet-footer"', 1)[1].split("</div>", 1)[0]
    assert "令和7年5月12日 09:05" in footer
    assert ward.member(Role.COUNSELOR).full_name in footer
    assert str(Basis.EMERGENCY.label) in footer


def test_consent_block_only_in_consent_variant(ward):
    with_consent = sheet_html(ward, make_consultation(ward, ConsentToShare.OBTAINED))
    assert "同意あり" in with_consent
    assert 'id="consent-declaration"' in with_consent
    assert "本人署名" in with_consent
    assert "テスト区長　様" in with_consent
    named = list_items(with_consent, "consent-organizations")
    # The receiving organization first, then the coordinating section.
    assert named[:2] == ["地域包括支援センター北", "福祉政策課"]

    without = sheet_html(ward, make_consultation(ward, ConsentToShare.NOT_OBTAINED))
    assert "同意なし" in without
    assert "consent-declaration" not in without
    assert "本人署名" not in without
    assert "同意日" not in without
    assert list_items(without, "consent-organizations") == []


def test_consent_names_organizations_sent_to_on_consent_only(ward):
    consultation = make_consultation(ward)
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        for to, basis in (
            (ward.other_center, SharingBasis.CONSENT),
            (ward.department, SharingBasis.SUPPORT_MEETING),
        ):
            referral_create(
                actor=counselor,
                organization=ward.center,
                referral=Referral(
                    to_organization=to,
                    household=consultation.household,
                    consultation=consultation,
                    request="家計の相談をお願いします。",
                    shared_summary="家賃滞納あり。",
                    shared_items=["identity"],
                    sharing_basis=basis,
                    due_on=timezone.localdate() + datetime.timedelta(days=14),
                ),
            )
    named = list_items(sheet_html(ward, consultation), "consent-organizations")
    assert "地域包括支援センター南" in named
    assert "総務課" not in named


def test_unknown_subject_prints_the_clue_and_blank_identity(ward):
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        consultation = consultation_create(
            actor=counselor,
            organization=ward.center,
            consultation=Consultation(
                municipality=ward.municipality,
                received_by=counselor,
                received_at=RECEIVED_AT,
                channel=Channel.VISIT_WINDOW,
                consulter=Consulter.NEIGHBOUR,
                unknown_subject="北町の団地2階に住む高齢の方",
                main_topic=Topic.COMMUNITY,
                summary="最近姿を見かけない。",
                consent_to_share=ConsentToShare.NOT_OBTAINED,
                outcome=Outcome.WATCH,
            ),
            topics=[],
        )
    html = sheet_html(ward, consultation)
    assert "対象者は未特定" in html
    assert "北町の団地2階に住む高齢の方" in html
    assert [item for item in list_items(html, "topics") if "◎" in item] == ["☑◎地域との関係"]


def test_resident_text_is_escaped(ward):
    consultation = make_consultation(
        ward, summary='<script>alert("x")</script><img src="http://x">'
    )
    html = sheet_html(ward, consultation)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_sheet_is_self_contained(ward):
    html = sheet_html(ward, make_consultation(ward))
    for reference in ("<link", "<script", "<img", "src=", "url(", "@import", "http:", "https:"):
        assert reference not in html


def test_viewer_of_another_municipality_is_refused(ward, other_ward):
    consultation = make_consultation(ward)
    with pytest.raises(PermissionDenied):
        intake_sheet_html(
            consultation, viewer=other_ward.member(Role.COUNSELOR), basis=Basis.OWN_ORGANIZATION
        )


@pytest.mark.parametrize(
    "url",
    ["http://example.invalid/x.css", "https://example.invalid/font.woff2", "file:///etc/hosts"],
)
def test_url_fetcher_refuses_anything_not_inline(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        local_only_url_fetcher().fetch(url)


def test_url_fetcher_allows_inline_data():
    response = local_only_url_fetcher().fetch("data:text/plain;charset=utf-8,ok")
    assert response.read() == b"ok"


def test_pdf_rendering_goes_through_the_refusing_fetcher(monkeypatch):
    """Were an external reference ever to slip into the sheet, the renderer refuses it."""
    refused: list[str] = []
    real_fetcher = core_printing.local_only_url_fetcher

    def spying_fetcher():
        fetcher = real_fetcher()
        fetch = fetcher.fetch

        def recording_fetch(url, headers=None):
            try:
                return fetch(url, headers)
            except ValueError:
                refused.append(url)
                raise

        fetcher.fetch = recording_fetch
        return fetcher

    monkeypatch.setattr(core_printing, "local_only_url_fetcher", spying_fetcher)
    monkeypatch.setattr(
        printing,
        "intake_sheet_html",
        lambda *args, **kwargs: (
            '<link rel="stylesheet" href="https://example.invalid/x.css">'
            '<img src="file:///etc/hosts"><p>テスト</p>'
        ),
    )
    # The sheet's HTML is replaced above, so no consultation or viewer is read.
    pdf = printing.intake_sheet_pdf(cast(Any, None), viewer=cast(Any, None), basis="")
    assert pdf.startswith(b"%PDF-")
    assert sorted(refused) == ["file:///etc/hosts", "https://example.invalid/x.css"]


def _pdf_text_parts(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated (font names may sit in compressed object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start : start + 2_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.parametrize("consent", [ConsentToShare.OBTAINED, ConsentToShare.NOT_OBTAINED])
def test_pdf_embeds_a_japanese_font(ward, consent):
    consultation = make_consultation(ward, consent)
    viewer = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        pdf = intake_sheet_pdf(consultation, viewer=viewer, basis=Basis.OWN_ORGANIZATION)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    content = _pdf_text_parts(pdf)
    # A subset (ABCDEF+…) of Noto Sans CJK; WeasyPrint writes the family name with dashes.
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK", content), (
        "Noto Sans CJK not embedded"
    )
    assert b"/FontFile" in content  # embedded, not merely referenced
