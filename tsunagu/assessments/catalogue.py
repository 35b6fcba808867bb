"""The インテーク・アセスメントシート as data: the national basic sheet (基本シート)
and its supplements (補助シート), section by section, each item with a stable
code and its Japanese label.

Modelled on the 自立相談支援 standard インテーク・アセスメントシート that the
MHLW 自治体事務マニュアル takes as the default form (domain.md, "The national
forms"). A version of an assessment stores the codes ticked and a note per
section (``Assessment.ticked`` / ``notes``), so the page's form, the printed
sheet, the API's schema and the plan's proposed 課題 all read this one
catalogue. Codes are stored: never rename one; retire it by leaving it out of
``SECTIONS`` only once no stored version names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The sheet a section belongs to: the basic sheet, or one supplement.
BASIC = "basic"
#: A section's note, unless it says what else it is for.
NOTE_LABEL: Promise = _("特記事項")


@dataclass(frozen=True)
class Item:
    """One check box of the sheet.

    ``issue``: a ticked item is a 課題 (an issue the plan may take up), as
    opposed to a fact (通院している, 就労意欲がある)."""

    code: str
    label: Promise
    issue: bool = True


@dataclass(frozen=True)
class Section:
    code: str
    title: Promise
    items: tuple[Item, ...]
    #: The sheet it is part of: ``BASIC`` or a supplement's code.
    sheet: str = BASIC
    #: What its free-text note is for.
    note_label: Promise = NOTE_LABEL


@dataclass(frozen=True)
class Sheet:
    code: str
    title: Promise


#: The basic sheet first, then the supplements (each optional).
SHEETS: tuple[Sheet, ...] = (
    Sheet(BASIC, _("基本シート")),
    Sheet("work", _("補助シート（就労）")),
    Sheet("housing", _("補助シート（住まい）")),
    Sheet("finance", _("補助シート（家計）")),
    Sheet("children", _("補助シート（子ども・子育て）")),
    Sheet("care", _("補助シート（介護）")),
)

SUPPLEMENTS: tuple[Sheet, ...] = SHEETS[1:]

SECTIONS: tuple[Section, ...] = (
    # --- 基本シート: 緊急性の判断 ------------------------------------------------
    Section(
        "urgency",
        _("緊急性の判断"),
        (
            Item("urgency.life", _("生命・身体に危険がある")),
            Item("urgency.housing_loss", _("住まいを失う（失っている）")),
            Item("urgency.no_food", _("食べるものがない")),
            Item("urgency.no_money", _("所持金がない")),
            Item("urgency.violence", _("暴力・虐待を受けている")),
            Item("urgency.medical", _("すぐに医療が必要")),
        ),
        note_label=_("緊急性についての判断・対応"),
    ),
    # --- 基本シート: 本人の状況 --------------------------------------------------
    Section(
        "health",
        _("健康・障害"),
        (
            Item("health.illness", _("病気がある")),
            Item("health.outpatient", _("通院している"), issue=False),
            Item("health.no_treatment", _("受診が必要だが通院していない")),
            Item("health.medication", _("服薬している"), issue=False),
            Item("health.disability_card", _("障害者手帳がある"), issue=False),
            Item("health.suspected_disability", _("障害の疑いがある（手帳なし）")),
            Item("health.mental", _("こころの不調がある")),
            Item("health.no_insurance", _("健康保険に加入していない")),
        ),
    ),
    Section(
        "housing",
        _("住まい"),
        (
            Item("housing.owned", _("持ち家"), issue=False),
            Item("housing.rented", _("賃貸住宅"), issue=False),
            Item("housing.with_others", _("知人宅・施設等に身を寄せている")),
            Item("housing.homeless", _("住まいがない（路上・ネットカフェ等）")),
            Item("housing.rent_arrears", _("家賃を滞納している")),
            Item("housing.eviction_risk", _("住居を失うおそれがある")),
            Item("housing.poor_condition", _("住環境に問題がある（ごみ・老朽化等）")),
        ),
    ),
    Section(
        "income",
        _("収入・生活費"),
        (
            Item("income.earnings", _("就労収入がある"), issue=False),
            Item("income.pension", _("年金を受給している"), issue=False),
            Item("income.public_assistance", _("生活保護を受給している"), issue=False),
            Item("income.allowance", _("手当を受給している"), issue=False),
            Item("income.none", _("収入がない")),
            Item("income.shortfall", _("生活費が足りない")),
        ),
    ),
    Section(
        "debt",
        _("債務"),
        (
            Item("debt.loans", _("借金がある")),
            Item("debt.tax_arrears", _("税金を滞納している")),
            Item("debt.utility_arrears", _("公共料金を滞納している")),
            Item("debt.rent_arrears", _("家賃・ローンを滞納している")),
            Item("debt.multiple", _("多重債務の状態にある")),
        ),
    ),
    Section(
        "work",
        _("就労"),
        (
            Item("work.employed", _("働いている"), issue=False),
            Item("work.unemployed", _("仕事がない")),
            Item("work.unstable", _("仕事が不安定（短期・日雇い等）")),
            Item("work.willing", _("就労意欲がある"), issue=False),
            Item("work.no_experience", _("職歴がない・短い")),
            Item("work.worries", _("仕事上の不安・悩みがある")),
        ),
    ),
    Section(
        "family",
        _("家族・人間関係"),
        (
            Item("family.conflict", _("家族との関係に問題がある")),
            Item("family.isolated", _("頼れる家族・知人がいない")),
            Item("family.hikikomori", _("ひきこもりの状態にある（本人・家族）")),
            Item("family.caregiving", _("家族の介護をしている")),
            Item("family.childcare", _("子育てに困っている")),
            Item("family.dv_abuse", _("DV・虐待がある（疑いを含む）")),
            Item("family.school_refusal", _("不登校の子どもがいる")),
        ),
    ),
    Section(
        "community",
        _("地域との関係・社会参加"),
        (
            Item("community.neighbour_trouble", _("近隣とのトラブルがある")),
            Item("community.no_place", _("居場所・通う場所がない")),
            Item("community.participates", _("地域活動等に参加している"), issue=False),
        ),
    ),
    Section(
        "daily",
        _("日常生活"),
        (
            Item("daily.meals", _("食事がきちんととれていない")),
            Item("daily.money_management", _("金銭管理ができていない")),
            Item("daily.hygiene", _("身だしなみ・衛生が保てていない")),
            Item("daily.housework", _("家事ができていない")),
            Item("daily.procedures", _("手続き・書類の理解が難しい")),
        ),
    ),
    # --- 補助シート -----------------------------------------------------------------
    Section(
        "sup_work",
        _("就労の状況"),
        (
            Item("sup_work.readiness", _("生活リズムが整っていない")),
            Item("sup_work.communication", _("対人関係・コミュニケーションに不安がある")),
            Item("sup_work.skills", _("資格・技能がない")),
            Item("sup_work.long_gap", _("離職期間が長い（1年以上）")),
            Item("sup_work.wants_training", _("就労準備支援・訓練を希望する"), issue=False),
        ),
        sheet="work",
        note_label=_("職歴・希望する仕事"),
    ),
    Section(
        "sup_housing",
        _("住まいの状況"),
        (
            Item("sup_housing.notice", _("退去を求められている")),
            Item("sup_housing.benefit", _("住居確保給付金の対象になりうる"), issue=False),
            Item("sup_housing.guarantor", _("保証人がいない")),
            Item("sup_housing.move_needed", _("転居が必要")),
        ),
        sheet="housing",
    ),
    Section(
        "sup_finance",
        _("家計の状況"),
        (
            Item("sup_finance.deficit", _("毎月の収支が赤字")),
            Item("sup_finance.no_records", _("収支を把握していない")),
            Item("sup_finance.loan_sharks", _("ヤミ金・高金利の借入がある")),
            Item("sup_finance.wants_support", _("家計改善支援を希望する"), issue=False),
        ),
        sheet="finance",
        note_label=_("収入・支出の内訳"),
    ),
    Section(
        "sup_children",
        _("子ども・子育ての状況"),
        (
            Item("sup_children.school", _("子どもの就学・学習に課題がある")),
            Item("sup_children.neglect", _("養育が不十分（ネグレクトの疑い）")),
            Item("sup_children.young_carer", _("子どもが家族の世話をしている（ヤングケアラー）")),
            Item("sup_children.single_parent", _("ひとり親で子育ての負担が大きい")),
        ),
        sheet="children",
    ),
    Section(
        "sup_care",
        _("介護の状況"),
        (
            Item("sup_care.needs_care", _("介護が必要な家族がいる")),
            Item("sup_care.no_certification", _("要介護認定を受けていない")),
            Item("sup_care.burden", _("介護の負担が大きい")),
            Item("sup_care.quit_job", _("介護のために離職した（しそう）")),
        ),
        sheet="care",
    ),
)

#: Every item by its code.
ITEMS: dict[str, Item] = {item.code: item for section in SECTIONS for item in section.items}
#: The section of each item's code.
SECTION_OF: dict[str, Section] = {
    item.code: section for section in SECTIONS for item in section.items
}
SECTION_CODES = frozenset(section.code for section in SECTIONS)
SUPPLEMENT_CODES = frozenset(sheet.code for sheet in SUPPLEMENTS)


def sections_of(sheet: str) -> tuple[Section, ...]:
    return tuple(section for section in SECTIONS if section.sheet == sheet)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """Codes that are not items of the catalogue, in the order given."""
    return [code for code in codes if code not in ITEMS]


def in_catalogue_order(codes: Iterable[str]) -> list[str]:
    """``codes`` (known ones only) in the order of the sheet."""
    wanted = set(codes)
    return [code for code in ITEMS if code in wanted]


def issue_labels(codes: Iterable[str]) -> list[tuple[Section, list[Item]]]:
    """The ticked items that are 課題, section by section in the sheet's order."""
    wanted = set(codes)
    found = []
    for section in SECTIONS:
        items = [item for item in section.items if item.issue and item.code in wanted]
        if items:
            found.append((section, items))
    return found
