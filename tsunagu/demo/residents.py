"""Synthetic residents of the demo ward: households, consultations and referrals
covering the last eighteen months of work at its windows.

Nothing here is a real case. Surnames come from :mod:`tsunagu.demo.names`,
given names from the generational lists below, addresses are made-up
丁目-番-号 numbers in the four demo districts, and every summary is assembled
from the templates in this module.

The data is first *planned* (:func:`plan_residents`, pure and deterministic
for a seed and a day) and then *written* (:func:`load_demo_residents`) through
the same services the screens use, so that keys, labels, histories and the
audit trail are what real use would produce. Timestamps that the services
set to "now" (a referral's sent/answered/closed times and its history) are
moved back to the planned days afterwards, so that the demo shows work spread
over time; the audit trail keeps the real time of loading.
"""

from __future__ import annotations

import random
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.accounts import services as account_services
from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
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
from tsunagu.consultations.services import case_features_ensure_defaults, consultation_create
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.names import SURNAMES, synthetic_name
from tsunagu.demo.ward import DEMO_ACCOUNTS, DEMO_PASSWORD, DISTRICTS
from tsunagu.directory.models import District, Organization
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship, Sex
from tsunagu.people.services import (
    household_create,
    household_member_add,
    household_member_end,
    person_create,
)
from tsunagu.referrals.models import (
    Reason,
    Referral,
    ReferralEvent,
    SharedItem,
    SharingBasis,
    Status,
)
from tsunagu.referrals.services import referral_create, referral_transition

RESIDENTS_SEED = 2025
#: How far back the demo's work reaches (about eighteen months).
HISTORY_DAYS = 540

# ---------------------------------------------------------------------------
# Organizations (names as in ward.ORGANIZATIONS) and the staff who record.

SEISAKU = "福祉政策課"  # the coordinating section (多機関協働事務局)
KOREI = "高齢福祉課"
SHOGAI = "障害福祉課"
SEIKATSU = "生活福祉課"
KOSODATE = "子育て支援課"
KODOMO = "子ども家庭支援センター"
HOKEN = "保健サービスセンター"
HOKEN_HONGO = "保健サービスセンター本郷支所"
KYOIKU = "教育センター"
JIRITSU = "自立相談支援窓口"
SHAKYO = "社会福祉協議会"
KIKAN = "障害者基幹相談支援センター"
ANSHIN = "{anshin}"  # the elderly centre of the household's district (or its branch)


def anshin_of(district: str, branch: bool = False) -> str:
    return f"高齢者あんしん相談センター{district}{'分室' if branch else ''}"


#: Counselors added to organizations no demo account belongs to, so that every
#: organization that takes consultations or receives referrals has someone to
#: record them. (username, organizations)
EXTRA_STAFF: list[tuple[str, tuple[str, ...]]] = [
    ("demo-anshin-tomisaka", (anshin_of("富坂"), anshin_of("富坂", True))),
    ("demo-anshin-otsuka", (anshin_of("大塚"), anshin_of("大塚", True))),
    ("demo-anshin-honfuji", (anshin_of("本富士"), anshin_of("本富士", True))),
    ("demo-anshin-komagome", (anshin_of("駒込"), anshin_of("駒込", True))),
    ("demo-shogai-center", (KIKAN,)),
    ("demo-jiritsu-1", (JIRITSU,)),
    ("demo-jiritsu-2", (JIRITSU,)),
    ("demo-kodomo", (KODOMO,)),
    ("demo-hoken", (HOKEN, HOKEN_HONGO)),
    ("demo-kyoiku", (KYOIKU,)),
    ("demo-koreifukushi", (KOREI,)),
    ("demo-shogaifukushi", (SHOGAI,)),
    ("demo-kosodate", (KOSODATE,)),
    ("demo-shakyo", (SHAKYO,)),
    ("demo-seikatsu", (SEIKATSU,)),
]

CASEWORK = (Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR)


def staff_by_organization() -> dict[str, list[str]]:
    """Who records for each organization: the demo accounts doing casework and the extra counselors."""
    found: dict[str, list[str]] = defaultdict(list)
    for account in DEMO_ACCOUNTS:
        if account.role in CASEWORK:
            for organization in account.organizations:
                found[organization].append(account.username)
    for username, organizations in EXTRA_STAFF:
        for organization in organizations:
            found[organization].append(username)
    return dict(found)


# ---------------------------------------------------------------------------
# Names. Surnames from names.SURNAMES; given names by sex and generation.

GIVEN: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("male", "old"): [
        ("清", "きよし"), ("茂", "しげる"), ("勇", "いさむ"), ("実", "みのる"), ("博", "ひろし"),
        ("正雄", "まさお"), ("和夫", "かずお"), ("武", "たけし"), ("進", "すすむ"), ("昭", "あきら"),
        ("稔", "みのる"), ("義雄", "よしお"), ("勝", "まさる"), ("忠", "ただし"),
    ],
    ("female", "old"): [
        ("幸子", "さちこ"), ("和子", "かずこ"), ("節子", "せつこ"), ("洋子", "ようこ"),
        ("京子", "きょうこ"), ("文子", "ふみこ"), ("久子", "ひさこ"), ("悦子", "えつこ"),
        ("美代子", "みよこ"), ("信子", "のぶこ"), ("静子", "しずこ"), ("千代子", "ちよこ"),
        ("照子", "てるこ"), ("正子", "まさこ"),
    ],
    ("male", "mid"): [
        ("誠", "まこと"), ("健一", "けんいち"), ("浩二", "こうじ"), ("大輔", "だいすけ"),
        ("拓也", "たくや"), ("隆", "たかし"), ("和也", "かずや"), ("剛", "つよし"),
        ("直樹", "なおき"), ("哲也", "てつや"), ("浩", "ひろし"), ("修", "おさむ"),
        ("聡", "さとし"), ("秀樹", "ひでき"),
    ],
    ("female", "mid"): [
        ("陽子", "ようこ"), ("恵子", "けいこ"), ("直子", "なおこ"), ("由美", "ゆみ"),
        ("智子", "ともこ"), ("真由美", "まゆみ"), ("久美子", "くみこ"), ("明美", "あけみ"),
        ("裕子", "ゆうこ"), ("美穂", "みほ"), ("香織", "かおり"), ("友美", "ともみ"),
        ("純子", "じゅんこ"), ("恵美", "えみ"),
    ],
    ("male", "young"): [
        ("翔太", "しょうた"), ("蓮", "れん"), ("大翔", "ひろと"), ("悠真", "ゆうま"),
        ("湊", "みなと"), ("陽翔", "はると"), ("颯太", "そうた"), ("拓海", "たくみ"),
        ("健太", "けんた"), ("大和", "やまと"), ("樹", "いつき"), ("亮", "りょう"),
    ],
    ("female", "young"): [
        ("美咲", "みさき"), ("陽菜", "ひな"), ("結衣", "ゆい"), ("さくら", "さくら"),
        ("葵", "あおい"), ("彩", "あや"), ("凛", "りん"), ("芽依", "めい"),
        ("結菜", "ゆいな"), ("楓", "かえで"), ("愛", "あい"), ("莉子", "りこ"),
    ],
}  # fmt: skip

#: Families from abroad: (surname, reading, nationality, language, men's names, women's names).
FOREIGN_FAMILIES = [
    ("グエン", "グエン", "ベトナム", "ベトナム語",
        [("ヴァン ナム", "ヴァン ナム"), ("ミン", "ミン"), ("ドゥック", "ドゥック")],
        [("ティ ラン", "ティ ラン"), ("ティ ハー", "ティ ハー"), ("アン", "アン")]),
    ("タパ", "タパ", "ネパール", "ネパール語",
        [("ビシャール", "ビシャール"), ("ラム", "ラム")], [("スニタ", "スニタ"), ("サリタ", "サリタ")]),
    ("サントス", "サントス", "フィリピン", "タガログ語",
        [("ホセ", "ホセ"), ("マーク", "マーク")], [("マリア", "マリア"), ("ジャスミン", "ジャスミン")]),
    ("王", "ワン", "中国", "中国語",
        [("偉", "ウェイ"), ("浩然", "ハオラン")], [("芳", "ファン"), ("麗", "リー")]),
]  # fmt: skip

BUILDINGS = [
    "コーポ{d}", "{d}ハイツ", "メゾン{d}", "グリーンハイム", "サンライズ{d}", "ひまわり荘",
    "第二{d}マンション", "{d}パークホーム", "みどり荘", "レジデンス{d}",
]  # fmt: skip


# ---------------------------------------------------------------------------
# The plan.


@dataclass(frozen=True)
class PersonPlan:
    key: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    sex: str
    birth_date: date
    relationship: str
    phone: str = ""
    nationality_note: str = ""
    language_note: str = ""


@dataclass
class HouseholdPlan:
    key: str
    profile: str
    organization: str
    staff: str
    district: str
    address: str
    phone: str
    note: str
    registered_at: datetime
    members: list[PersonPlan]
    #: Keys of the persons the support is mostly about.
    subjects: list[str]
    #: Words the summaries use for this household (本人の年代, 続柄 …).
    words: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsultationPlan:
    key: str
    organization: str
    staff: str
    received_at: datetime
    channel: str
    consulter: str
    consulter_note: str
    household: str | None
    subjects: tuple[str, ...]
    unknown_subject: str
    main_topic: str
    topics: tuple[str, ...]
    life_issues: tuple[str, ...]
    case_features: tuple[str, ...]
    summary: str
    urgency: str
    consent_to_share: str
    outcome: str


@dataclass(frozen=True)
class StepPlan:
    to_status: str
    at: datetime
    sender: bool
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class ReferralPlan:
    key: str
    consultation: str
    from_organization: str
    to_organization: str
    sender: str
    receiver: str
    household: str
    persons: tuple[str, ...]
    request: str
    shared_summary: str
    shared_items: tuple[str, ...]
    sharing_basis: str
    due_on: date
    created_at: datetime
    steps: tuple[StepPlan, ...]

    @property
    def status(self) -> str:
        if not self.steps:
            return Status.DRAFT
        return self.steps[-1].to_status


@dataclass(frozen=True)
class MovePlan:
    """A person joins another household (the old membership ends that day) or leaves."""

    person: str
    to_household: str | None
    relationship: str
    on: date
    reason: str
    staff: str


@dataclass(frozen=True)
class NearDuplicate:
    """Two records of one person, registered by one organization in two spellings."""

    organization: str
    first: tuple[str, str, str, str]  # family name, given name, and their readings
    second: tuple[str, str, str, str]
    sex: str
    age: int
    district: str


#: Near-duplicates on purpose, so that the clerk's warning can be shown.
NEAR_DUPLICATES = [
    NearDuplicate(JIRITSU, ("髙橋", "隆", "たかはし", "たかし"), ("高橋", "隆", "たかはし", "たかし"), Sex.MALE, 58, "大塚"),
    NearDuplicate(anshin_of("富坂"), ("齋藤", "恵子", "さいとう", "けいこ"), ("斎藤", "恵子", "", ""), Sex.FEMALE, 79, "富坂"),
    NearDuplicate(anshin_of("大塚"), ("渡邊", "清", "わたなべ", "きよし"), ("渡辺", "清", "ワタナベ", "キヨシ"), Sex.MALE, 84, "大塚"),
    NearDuplicate(anshin_of("本富士"), ("山﨑", "和子", "やまざき", "かずこ"), ("山崎", "和子", "やまざき", "かずこ"), Sex.FEMALE, 88, "本富士"),
    NearDuplicate(KIKAN, ("高橋", "誠", "ﾀｶﾊｼ", "ﾏｺﾄ"), ("高橋", "誠", "たかはし", "まこと"), Sex.MALE, 34, "駒込"),
    NearDuplicate(anshin_of("駒込"), ("濱田", "幸子", "はまだ", "さちこ"), ("浜田", "幸子", "はまだ", "さちこ"), Sex.FEMALE, 76, "駒込"),
    NearDuplicate(KODOMO, ("澤田", "美穂", "さわだ", "みほ"), ("沢田", "美穂", "", ""), Sex.FEMALE, 38, "本富士"),
    NearDuplicate(SHAKYO, ("國井", "洋子", "くにい", "ようこ"), ("国井", "洋子", "くにい", "ようこ"), Sex.FEMALE, 71, "富坂"),
    NearDuplicate(SEIKATSU, ("嶋田", "茂", "しまだ", "しげる"), ("島田", "茂", "しまだ", "しげる"), Sex.MALE, 66, "大塚"),
    NearDuplicate(HOKEN, ("佐藤", "美咲", "サトウ", "ミサキ"), ("佐藤", "美咲", "さとう", "みさき"), Sex.FEMALE, 31, "駒込"),
]  # fmt: skip


@dataclass
class Plan:
    staff: list[tuple[str, str, str, tuple[str, ...]]]  # username, name, reading, organizations
    households: list[HouseholdPlan]
    consultations: list[ConsultationPlan]
    referrals: list[ReferralPlan]
    moves: list[MovePlan]
    #: (first person key, second person key) of each near-duplicate.
    duplicates: list[tuple[str, str]]


# ---------------------------------------------------------------------------
# What the windows hear: scenes of each kind of household.


@dataclass(frozen=True)
class Scene:
    main: str
    topics: tuple[str, ...]
    life: tuple[str, ...]
    features: tuple[str, ...]
    situations: tuple[str, ...]
    actions: tuple[str, ...]
    urgency: str = Urgency.NORMAL
    #: Who brings this kind of concern, where not the household's usual contacts.
    contacts: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Profile:
    key: str
    weight: int
    organizations: tuple[tuple[str, int], ...]
    contacts: tuple[tuple[str, str, tuple[str, ...]], ...]
    scenes: tuple[Scene, ...]
    targets: tuple[str, ...]
    notes: tuple[str, ...]
    escalates: bool = False


T, LI, CH, CO = Topic, LifeIssue, Channel, Consulter
WIN, TEL, VISIT, MAIL, LINE, DESK, LETTER, ORG = (
    CH.VISIT_WINDOW, CH.PHONE, CH.HOME_VISIT, CH.EMAIL, CH.MESSAGING, CH.OUTREACH_DESK,
    CH.LETTER, CH.FROM_ORGANIZATION,
)  # fmt: skip

PROFILES = [
    Profile(
        "elderly_single", 20, ((ANSHIN, 85), (SHAKYO, 15)),
        ((CO.SELF, "", (WIN, TEL, DESK)), (CO.SELF, "", (VISIT,)), (CO.FAMILY, "長女（別居）", (TEL, MAIL, LETTER)),
         (CO.NEIGHBOUR, "", (TEL, WIN)), (CO.MINSEI_IIN, "担当地区の民生委員", (TEL, WIN)),
         (CO.LANDLORD, "管理会社の担当者", (TEL,)), (CO.MEDICAL, "区内診療所の看護師", (TEL, ORG))),
        (
            Scene(T.CARE, (T.HEALTH,), (LI.CARE, LI.CARE_PREVENTION), ("認知症",),
                ("本人（{age}・単身）は最近もの忘れが増え、同じ物を何度も買ってくることがあるという。",
                 "本人（{age}）が自宅で転倒し、その後は外出を控えている。買い物や掃除が負担になってきたとのこと。",
                 "本人（{age}・一人暮らし）は膝の痛みで通院が難しくなり、介護保険のサービスを使いたいとの希望。"),
                ("介護保険の申請手続きを説明し、申請書の記入を手伝った。",
                 "自宅を訪問して生活状況を確認し、要介護認定の申請を支援した。",
                 "かかりつけ医に連絡し、主治医意見書の依頼について本人に説明した。")),
            Scene(T.COMMUNITY, (T.HEALTH,), (LI.ISOLATION, LI.CARE_PREVENTION), (),
                ("本人（{age}）は配偶者を亡くしてから外出が減り、近所との付き合いもほとんどないという。",
                 "新聞受けに新聞がたまり、最近本人（{age}）の姿を見かけないと近隣から心配の声がある。"),
                ("自宅を訪問して安否を確認した。体調に大きな変化はなかった。",
                 "地域の通いの場（かよい～の）を紹介し、見学に同行することを提案した。")),
            Scene(T.INCOME, (T.TAX_UTILITIES, T.RENT_LOAN), (LI.WELFARE, LI.HOUSING), ("生活困窮",),
                ("本人（{age}）は年金のみで生活しており、家賃の更新料の支払いが難しいとのこと。",
                 "本人（{age}）宅で光熱費の滞納が続き、督促状が届いている。預貯金はほとんどないという。"),
                ("家計の状況を聞き取り、利用できる制度について説明した。",
                 "年金の受給状況を確認し、支出を一緒に整理した。")),
            Scene(T.COMMUNITY, (T.CARE,), (LI.CARE, LI.ISOLATION), ("認知症",),
                ("本人（{age}）が夜間に近所の家のインターホンを何度も鳴らすことがあり、近隣住民が心配している。",),
                ("自宅を訪問して本人と面談した。別居の家族に連絡を取り、受診について相談した。",),
                Urgency.SOON),
        ),
        (KOREI, SHAKYO, HOKEN, SEIKATSU),
        ("一人暮らし。近くに頼れる親族はいない。", "一人暮らし。長女が区外に住み、月に1回程度訪ねてくる。",
         "一人暮らし。民生委員が時々声をかけている。"),
    ),
    Profile(
        "elderly_couple", 12, ((ANSHIN, 100),),
        ((CO.SELF, "", (WIN, TEL)), (CO.SELF, "", (VISIT,)), (CO.FAMILY, "長男（別居）", (TEL,)),
         (CO.ORGANIZATION, "担当ケアマネジャー", (TEL, ORG)), (CO.MINSEI_IIN, "担当地区の民生委員", (TEL,))),
        (
            Scene(T.CARE, (T.HEALTH, T.FAMILY), (LI.CARE,), ("認知症",),
                ("{a}（{age}）が認知症と診断され、{b}（{age2}）が一人で介護している。{b}も腰痛があり、介護の負担が限界に近いとのこと。",
                 "{a}（{age}）が脳梗塞の後遺症で歩行が不安定になり、{b}が家事と介護を担っている。"),
                ("自宅を訪問してご夫婦と面談し、デイサービスとショートステイの利用について説明した。",
                 "担当ケアマネジャーと連絡を取り、介護サービスの量の見直しを依頼した。")),
            Scene(T.HEALTH, (T.CARE,), (LI.HEALTH_MEDICAL, LI.CARE_PREVENTION), (),
                ("夫婦ともに通院が必要だが、付き添いを頼める親族が近くにいない。",),
                ("通院の移送サービスと社会福祉協議会の有償ボランティアについて情報提供した。",)),
            Scene(T.OTHER, (T.COMMUNITY,), (LI.WELFARE,), (),
                ("不審な電話が続いており、夫婦ともに不安を感じているとのこと。",),
                ("消費生活センターの連絡先を伝え、自動通話録音機の貸出を案内した。",)),
        ),
        (KOREI, SHAKYO, HOKEN),
        ("高齢の夫婦二人暮らし。子は区外に住んでいる。", "夫婦二人暮らし。老老介護の状態。"),
    ),
    Profile(
        "8050", 8, ((ANSHIN, 60), (JIRITSU, 25), (SHAKYO, 15)),
        ((CO.SELF, "", (WIN, TEL)), (CO.SELF, "", (VISIT,)), (CO.MINSEI_IIN, "担当地区の民生委員", (TEL,)),
         (CO.ORGANIZATION, "担当ケアマネジャー", (TEL, ORG)), (CO.FAMILY, "長女（別居）", (TEL,))),
        (
            Scene(T.WITHDRAWAL, (T.CARE, T.INCOME), (LI.ISOLATION, LI.EMPLOYMENT, LI.CARE), ("8050", "ひきこもり"),
                ("{p}（{age}）と{c}（{age2}）の二人暮らし。{c}は仕事を辞めてから10年以上ひきこもりの状態で、{p}の年金で生活している。",
                 "{p}（{age}）の介護保険の申請をきっかけに、同居する{c}（{age2}）が長年ひきこもっていることがわかった。",
                 "{p}（{age}）が入院することになり、残される{c}（{age2}）の生活が心配との相談。"),
                ("自宅を訪問して{p}と面談した。{c}は自室から出てこなかったが、手紙を置いてきた。",
                 "{c}の就労や今後の生活について、本人の意向を少しずつ確認していく方針とした。")),
            Scene(T.INCOME, (T.RENT_LOAN, T.TAX_UTILITIES), (LI.WELFARE, LI.EMPLOYMENT), ("8050", "生活困窮"),
                ("{p}（{age}）の年金だけでは家賃と光熱費の支払いが厳しくなっている。{c}（{age2}）は無職。",),
                ("家計の状況を聞き取り、{c}の就労について相談できる窓口を紹介した。",)),
            Scene(T.CARE, (T.FAMILY,), (LI.CARE,), ("8050", "認知症", "家族間不和"),
                ("{p}（{age}）の認知症が進み、{c}（{age2}）が一人で介護しているが、介護の仕方がわからず強い口調になることがあるという。",),
                ("介護者の負担を軽くするため、デイサービスの利用について説明した。",),
                Urgency.SOON),
            Scene(T.HEALTH, (T.WITHDRAWAL,), (LI.HEALTH_MEDICAL, LI.ISOLATION), ("ひきこもり", "精神疾患(疑い含む)", "希死念慮"),
                ("{c}（{age2}）が昼夜逆転の生活で、最近「死にたい」と口にすることがあると{p}から相談。",),
                ("保健師と情報を共有し、受診について{p}と話し合った。",),
                Urgency.URGENT),
        ),
        (JIRITSU, HOKEN, SEIKATSU, SHAKYO, ANSHIN),
        ("高齢の親と、ひきこもりの状態にある子の二人暮らし。", "親子二人暮らし。親の年金が主な収入。"),
        escalates=True,
    ),
    Profile(
        "child_family", 14, ((KODOMO, 45), (HOKEN, 20), (HOKEN_HONGO, 10), (KOSODATE, 12), (KYOIKU, 13)),
        ((CO.FAMILY, "母", (WIN, TEL, LINE)), (CO.FAMILY, "父", (TEL, MAIL)), (CO.SCHOOL, "小学校の担任", (TEL, ORG)),
         (CO.ORGANIZATION, "保育園の園長", (TEL,)), (CO.MEDICAL, "区内の小児科クリニック", (TEL,)),
         (CO.FAMILY, "母", (VISIT,))),
        (
            Scene(T.CHILDCARE, (T.HEALTH,), (LI.WELFARE, LI.HEALTH_MEDICAL), (),
                ("{c}（{cage}）の夜泣きが続き、母が寝不足で育児がつらいと話す。父は仕事で帰宅が遅い。",),
                ("保健師が家庭を訪問し、育児の様子を確認した。一時保育と子育てショートステイについて説明した。",)),
            Scene(T.WITHDRAWAL, (T.CHILDCARE,), (LI.EDUCATION,), ("不登校",),
                ("{c}（{cage}）が2学期から登校できていない。家ではゲームをして過ごし、昼夜逆転気味とのこと。",),
                ("学校と連絡を取り、教育相談の利用について保護者に情報提供した。",)),
            Scene(T.HEALTH, (T.CHILDCARE,), (LI.HEALTH_MEDICAL, LI.EDUCATION), ("発達障害(疑い含む)",),
                ("{c}（{cage}）の言葉の遅れについて、保育園から発達の相談を勧められたとのこと。",),
                ("発達相談の予約方法を説明し、次回の面談で一緒に確認することとした。",)),
            Scene(T.ABUSE, (T.CHILDCARE, T.FAMILY), (LI.WELFARE,), ("虐待・DV",),
                ("夜間に子どもの泣き声と大人の怒鳴り声が頻繁に聞こえるとの情報。",),
                ("家庭を訪問して母と面談した。子どもに目立つけがは見られなかった。",),
                Urgency.SOON,
                ((CO.NEIGHBOUR, "", (TEL,)), (CO.SCHOOL, "小学校の担任", (TEL, ORG)), (CO.ANONYMOUS, "", (TEL,)))),
            Scene(T.FAMILY, (T.CHILDCARE,), (LI.WELFARE,), ("家族間不和",),
                ("夫婦間の口論が増え、母が子どもを連れて実家に帰ることも考えているとのこと。",),
                ("母の話を聞き、配偶者暴力相談の窓口と子どもの預け先について情報提供した。",)),
            Scene(T.INCOME, (T.RENT_LOAN, T.CHILDCARE), (LI.WELFARE, LI.HOUSING), ("生活困窮",),
                ("父の勤務先の業績悪化で収入が減り、保育料や家賃の支払いに不安がある。",),
                ("家計の状況を聞き取り、就学援助と保育料の減免について説明した。",)),
        ),
        (HOKEN, KODOMO, KYOIKU, KOSODATE, JIRITSU),
        ("両親と子の世帯。", "共働きの両親と子。近くに頼れる親族はいない。", "両親と子の世帯。父の帰宅は遅い。"),
    ),
    Profile(
        "single_parent", 8, ((KODOMO, 45), (JIRITSU, 35), (SEIKATSU, 20)),
        ((CO.SELF, "", (WIN, TEL, LINE)), (CO.SCHOOL, "小学校の担任", (TEL,)), (CO.LANDLORD, "管理会社の担当者", (TEL,)),
         (CO.FAMILY, "祖母（別居）", (TEL,))),
        (
            Scene(T.INCOME, (T.JOB_SEARCH, T.RENT_LOAN), (LI.EMPLOYMENT, LI.WELFARE), ("生活困窮", "就労"),
                ("ひとり親の{p}（{age}）はパートの勤務時間が減り、生活費が不足している。{c}（{cage}）は小学生。",),
                ("家計の状況を聞き取り、児童扶養手当と就労支援について説明した。",)),
            Scene(T.RENT_LOAN, (T.HOUSING, T.INCOME), (LI.HOUSING, LI.WELFARE), ("生活困窮", "住居喪失"),
                ("家賃を2か月滞納しており、管理会社から退去を求められるかもしれないと不安を訴える。",),
                ("住居確保給付金の要件を確認し、申請に必要な書類を案内した。",),
                Urgency.SOON),
            Scene(T.CHILDCARE, (T.WORK_WORRIES,), (LI.WELFARE, LI.EDUCATION), (),
                ("仕事と育児の両立が難しく、{c}（{cage}）が夜一人で過ごす時間が長くなっている。",),
                ("ひとり親家庭向けの支援制度と、地域の学習支援の場を紹介した。",)),
            Scene(T.DEBT, (T.INCOME,), (LI.WELFARE,), ("生活困窮",),
                ("元配偶者名義の借金の督促が届き、どうすればよいかわからないとの相談。",),
                ("法律相談の予約方法を案内し、家計の整理を一緒に行うこととした。",)),
        ),
        (JIRITSU, SEIKATSU, KODOMO, SHAKYO),
        ("ひとり親と子の世帯。", "ひとり親世帯。親はパートで働いている。"),
        escalates=True,
    ),
    Profile(
        "disability", 9, ((KIKAN, 55), (SHOGAI, 30), (HOKEN, 15)),
        ((CO.SELF, "", (WIN, TEL, MAIL)), (CO.FAMILY, "母", (TEL, WIN)),
         (CO.ORGANIZATION, "相談支援専門員", (TEL, ORG)), (CO.MEDICAL, "精神科クリニックの精神保健福祉士", (TEL,))),
        (
            Scene(T.WORK_WORRIES, (T.JOB_SEARCH,), (LI.EMPLOYMENT, LI.PARTICIPATION), ("精神疾患(疑い含む)", "就労"),
                ("本人（{age}）は精神障害があり、一般就労を目指しているが、職場の人間関係が不安で長続きしないとのこと。",),
                ("就労移行支援事業所の見学について説明し、本人の希望を確認した。",)),
            Scene(T.FAMILY, (T.HOUSING,), (LI.WELFARE, LI.HOUSING), (),
                ("{p}（{age2}）が高齢になり、今後も本人（{age}）の世話を続けられるか不安との相談。",),
                ("グループホームなど、親亡き後の住まいについて情報提供した。",)),
            Scene(T.INCOME, (T.NO_FOOD, T.HEALTH), (LI.WELFARE,), ("発達障害(疑い含む)",),
                ("本人（{age}）は金銭管理が苦手で、月末になると食費が足りなくなるという。",),
                ("日常生活自立支援事業（金銭管理の支援）について説明した。",)),
            Scene(T.COMMUNITY, (T.HEALTH,), (LI.PARTICIPATION, LI.ISOLATION), (),
                ("本人（{age}）は日中の居場所がなく、自宅で過ごすことが多い。地域の活動に参加してみたいとの希望。",),
                ("地域活動支援センターの利用について説明し、見学の日程を調整した。",)),
        ),
        (SHOGAI, KIKAN, JIRITSU, SHAKYO, HOKEN),
        ("障害のある本人と親の世帯。", "本人と高齢の親の二人暮らし。"),
        escalates=True,
    ),
    Profile(
        "poverty_single", 12, ((JIRITSU, 55), (SEIKATSU, 25), (SHAKYO, 20)),
        ((CO.SELF, "", (WIN, TEL, MAIL, LINE)), (CO.LANDLORD, "管理会社の担当者", (TEL,)),
         (CO.ORGANIZATION, "ハローワークの職員", (TEL, ORG)), (CO.FAMILY, "姉（別居）", (TEL,)),
         (CO.MEDICAL, "区内病院の医療ソーシャルワーカー", (TEL, ORG))),
        (
            Scene(T.JOB_SEARCH, (T.INCOME,), (LI.EMPLOYMENT,), ("生活困窮", "就労"),
                ("本人（{age}）は派遣の仕事の契約が切れ、次の仕事が見つからないまま貯金が尽きかけている。",),
                ("就労支援員と面談し、ハローワークへの同行を予定した。",)),
            Scene(T.RENT_LOAN, (T.HOUSING, T.INCOME), (LI.HOUSING,), ("住居喪失", "生活困窮"),
                ("本人（{age}）は家賃を3か月滞納しており、今月中に退去するよう求められている。",),
                ("住居確保給付金と一時的な住まいの確保について説明し、申請を支援した。",),
                Urgency.URGENT),
            Scene(T.NO_FOOD, (T.INCOME,), (LI.WELFARE,), ("生活困窮",),
                ("所持金が数百円しかなく、この数日ほとんど食事をとっていないとのこと。",),
                ("フードバンクの食料を渡し、翌日に改めて面談することとした。",),
                Urgency.URGENT),
            Scene(T.DEBT, (T.INCOME,), (LI.WELFARE,), ("生活困窮", "依存症"),
                ("複数の消費者金融から借入があり、返済のために新たな借入を繰り返している。",),
                ("家計改善支援の利用を提案し、法律相談の予約を案内した。",)),
            Scene(T.WORK_WORRIES, (T.HEALTH, T.INCOME), (LI.EMPLOYMENT, LI.HEALTH_MEDICAL), ("精神疾患(疑い含む)", "就労"),
                ("本人（{age}）は長時間労働で体調を崩して休職中。復職できるか不安で、収入も減っている。",),
                ("傷病手当金の手続きを確認し、就労の再開に向けた相談を続けることとした。",)),
            Scene(T.WITHDRAWAL, (T.INCOME,), (LI.ISOLATION, LI.EMPLOYMENT), ("ひきこもり", "生活困窮"),
                ("本人（{age}）は大学を中退してから家にこもりがちで、ひきこもりの状態が続いている。仕送りが止まり、今後の生活が不安とのこと。",),
                ("本人のペースに合わせて面談を続け、居場所の利用を提案した。",)),
        ),
        (SEIKATSU, JIRITSU, SHAKYO, HOKEN),
        ("単身世帯。", "単身世帯。区外に姉がいるが疎遠。"),
        escalates=True,
    ),
    Profile(
        "young_carer", 4, ((KODOMO, 50), (KYOIKU, 35), (HOKEN, 15)),
        ((CO.SCHOOL, "中学校の担任", (TEL, ORG)), (CO.SCHOOL, "スクールソーシャルワーカー", (TEL, ORG)),
         (CO.FAMILY, "祖母（別居）", (TEL,)), (CO.SELF, "", (VISIT,))),
        (
            Scene(T.CARE, (T.CHILDCARE, T.HEALTH), (LI.EDUCATION, LI.WELFARE), ("ヤングケアラー", "精神疾患(疑い含む)"),
                ("{c}（{cage}）が、精神疾患のある{p}（{age}）の通院の付き添いや家事を担っており、遅刻や欠席が増えている。",),
                ("学校と情報を共有し、{c}の負担を減らす支援について家庭と話し合うこととした。",)),
            Scene(T.WITHDRAWAL, (T.CHILDCARE,), (LI.EDUCATION,), ("ヤングケアラー", "不登校"),
                ("{c}（{cage}）は幼いきょうだいの世話のため、ほとんど登校できていない。",),
                ("家庭を訪問して{p}と面談し、家事援助の利用について説明した。",)),
            Scene(T.HEALTH, (T.CHILDCARE,), (LI.WELFARE, LI.HEALTH_MEDICAL), ("ヤングケアラー",),
                ("{p}（{age}）の病状が悪化し、入院の可能性がある。その間の子どもたちの生活が心配との相談。",),
                ("子育てショートステイの利用について説明した。",),
                Urgency.SOON),
        ),
        (KODOMO, HOKEN, KYOIKU, SHOGAI),
        ("親と子の世帯。親は療養中で、子が家事を担っている。",),
        escalates=True,
    ),
    Profile(
        "three_generation", 6, ((ANSHIN, 60), (KODOMO, 20), (SHAKYO, 20)),
        ((CO.FAMILY, "長男の妻", (WIN, TEL)), (CO.SELF, "", (VISIT,)), (CO.ORGANIZATION, "担当ケアマネジャー", (TEL,)),
         (CO.SCHOOL, "高校の担任", (TEL,))),
        (
            Scene(T.CARE, (T.WORK_WORRIES,), (LI.CARE, LI.EMPLOYMENT), ("認知症",),
                ("同居する{g}（{age}）の認知症が進み、{p}が仕事と介護の両立に悩んでいる。",),
                ("介護保険サービスの利用状況を確認し、介護休業の制度について情報提供した。",)),
            Scene(T.FAMILY, (T.CARE,), (LI.CARE,), ("家族間不和",),
                ("{g}（{age}）の介護をめぐって家族の意見が合わず、口論が絶えないとのこと。",),
                ("家族それぞれの話を聞き、介護の役割分担について一緒に考えることとした。",)),
            Scene(T.CARE, (T.CHILDCARE,), (LI.CARE, LI.EDUCATION), ("ヤングケアラー",),
                ("{c}（{cage}）が{g}の介護を手伝うことが多く、部活動をやめたと{p}から相談。",),
                ("ショートステイの利用を提案し、{c}の負担について学校とも共有することとした。",)),
        ),
        (KOREI, KODOMO, ANSHIN, SHAKYO),
        ("三世代の世帯。", "高齢の親と子夫婦、孫の三世代同居。"),
        escalates=True,
    ),
    Profile(
        "foreign", 4, ((JIRITSU, 40), (KODOMO, 40), (SHAKYO, 20)),
        ((CO.SELF, "", (WIN,)), (CO.ORGANIZATION, "日本語教室のボランティア", (TEL,)), (CO.SCHOOL, "小学校の担任", (TEL,)),
         (CO.OTHER, "同じ国出身の知人", (WIN,))),
        (
            Scene(T.JOB_SEARCH, (T.INCOME,), (LI.EMPLOYMENT, LI.WELFARE), ("外国籍・言語", "生活困窮", "就労"),
                ("{a}（{age}）が勤め先の工場を解雇され、収入が途絶えた。日本語の読み書きが難しく、手続きがわからないとのこと。",),
                ("通訳を交えて面談し、利用できる制度を説明した。",)),
            Scene(T.CHILDCARE, (T.OTHER,), (LI.EDUCATION,), ("外国籍・言語",),
                ("{c}（{cage}）の入学手続きや、学校からのお知らせの内容がわからないとの相談。",),
                ("やさしい日本語で手続きを説明し、学校と連絡を取った。",)),
            Scene(T.HEALTH, (T.CHILDCARE,), (LI.HEALTH_MEDICAL,), ("外国籍・言語",),
                ("{b}（{age2}）が妊娠中だが、健診の受け方や出産費用について不安がある。",),
                ("母子健康手帳の交付と妊婦健診について、通訳を通じて説明した。",)),
        ),
        (KODOMO, JIRITSU, SHAKYO, HOKEN),
        ("外国籍の夫婦と子の世帯。日本語の読み書きに支援が必要。",),
    ),
    Profile(
        "hoarding", 3, ((ANSHIN, 50), (SHAKYO, 40), (SEIKATSU, 10)),
        ((CO.NEIGHBOUR, "", (TEL, WIN)), (CO.NEIGHBOURHOOD_ASSOCIATION, "町会長", (TEL,)),
         (CO.LANDLORD, "家主", (TEL,)), (CO.MINSEI_IIN, "担当地区の民生委員", (TEL,))),
        (
            Scene(T.HOUSING, (T.COMMUNITY, T.HEALTH), (LI.HOUSING, LI.ISOLATION), ("ごみ屋敷", "支援拒否・困り感なし"),
                ("本人（{age}）宅の玄関先までごみがあふれ、においがすると近隣から苦情が寄せられている。",),
                ("自宅を訪問したが、本人は「困っていない」と話し、室内には入れてもらえなかった。",)),
            Scene(T.COMMUNITY, (T.HOUSING,), (LI.ISOLATION,), ("ごみ屋敷",),
                ("本人（{age}）が町会の清掃に参加しなくなり、最近は郵便物もたまっているとのこと。",),
                ("民生委員と同行して訪問し、本人と短時間話すことができた。",)),
            Scene(T.HEALTH, (T.HOUSING,), (LI.HEALTH_MEDICAL,), ("支援拒否・困り感なし",),
                ("訪問時、本人（{age}）の足にむくみがあり受診を勧めたが、拒否された。",),
                ("保健師と相談し、次回は一緒に訪問することとした。",)),
        ),
        (SHAKYO, HOKEN, SEIKATSU),
        ("単身世帯。室内にものがあふれている。",),
        escalates=True,
    ),
]  # fmt: skip

PROFILE_BY_KEY = {profile.key: profile for profile in PROFILES}

CONSULTER_WORDS: dict[str, str] = {
    CO.SELF: "本人", CO.FAMILY: "家族", CO.NEIGHBOUR: "近隣住民", CO.MINSEI_IIN: "民生委員",
    CO.NEIGHBOURHOOD_ASSOCIATION: "町会長", CO.ORGANIZATION: "関係機関", CO.SCHOOL: "学校",
    CO.MEDICAL: "医療機関", CO.LANDLORD: "管理会社", CO.POLICE: "警察署", CO.ANONYMOUS: "匿名の方",
    CO.OTHER: "知人",
}  # fmt: skip

OPENINGS: dict[str, str] = {
    WIN: "{who}が来所。", TEL: "{who}より電話。", MAIL: "{who}よりメールで相談。",
    LINE: "{who}からLINEで相談。", DESK: "出張相談会で{who}から相談。", LETTER: "{who}から文書で相談。",
    ORG: "{who}から連絡。",
}  # fmt: skip

FOLLOW_UPS = ("継続相談。", "前回の相談からの経過について。", "経過確認。")

OUTCOME_SENTENCES: dict[str, tuple[str, ...]] = {
    Outcome.ADVICE_ENDED: ("必要な情報を提供し、今回は助言で終了。", "本人は了解し、困ったときは改めて連絡するとのこと。"),
    Outcome.CONTINUE_HERE: ("{n}週間後に再度訪問し、状況を確認する。", "次回の面談を{n}週間後に設定した。", "引き続き担当として関わる。"),
    Outcome.WATCH: ("民生委員と連携し、当面は見守りを続ける。", "近隣の協力者に声かけを依頼し、経過を見る。"),
    Outcome.REFER: ("本人の同意を得て、{to}につなぐこととした。",),
    Outcome.ESCALATE: ("課題が重なっているため、多機関協働事務局（{to}）に相談し、支援会議での検討を依頼する。",),
}  # fmt: skip


#: Households with children, for whom the health centre's work is about parenting.
CHILD_PROFILES = frozenset({"child_family", "single_parent", "young_carer", "foreign"})


def organization_category(name: str) -> str:
    if name.startswith("高齢者あんしん相談センター"):
        return "anshin"
    return {
        SEISAKU: "seisaku", KOREI: "korei", SHOGAI: "shogai", SEIKATSU: "seikatsu",
        KOSODATE: "kosodate", KODOMO: "kodomo", HOKEN: "hoken", HOKEN_HONGO: "hoken",
        KYOIKU: "kyoiku", JIRITSU: "jiritsu", SHAKYO: "shakyo", KIKAN: "kikan",
    }[name]  # fmt: skip


REQUESTS = {
    "jiritsu": ("本人の就労と家計について、継続的な相談支援をお願いしたい。", "家賃の滞納があり、住居確保給付金の申請を含めた支援をお願いしたい。"),
    "seikatsu": ("生活保護の申請について相談に乗っていただきたい。", "収入が途絶えており、生活保護の要否の判断をお願いしたい。"),
    "shakyo": ("地域での見守りと、日常生活自立支援事業の利用について相談したい。", "貸付制度の利用と、地域の居場所へのつなぎをお願いしたい。"),
    "anshin": ("介護保険の申請と、在宅での生活を続けるための支援をお願いしたい。", "高齢の家族の介護について、相談に乗っていただきたい。"),
    "kikan": ("障害福祉サービスの利用に向けた相談支援をお願いしたい。",),
    "shogai": ("障害福祉サービスの支給申請について対応をお願いしたい。",),
    "hoken": ("心身の不調が疑われるため、保健師の訪問と受診の相談をお願いしたい。",),
    "hoken_child": ("育児の不安が強いため、保健師の家庭訪問をお願いしたい。", "保護者の心身の不調が疑われるため、保健師の訪問をお願いしたい。"),
    "kodomo": ("子どもの養育環境について、家庭の状況の確認と支援をお願いしたい。", "ヤングケアラーの疑いがあり、子どもと家庭への支援をお願いしたい。"),
    "kyoiku": ("不登校が続いているため、教育相談と適応指導教室の利用について相談したい。",),
    "korei": ("高齢者の権利擁護（成年後見制度の利用）について相談したい。", "緊急ショートステイの調整をお願いしたい。"),
    "kosodate": ("保育園の入園と子育て支援サービスの利用について相談したい。",),
    "seisaku": ("複数の課題が重なり、一つの機関では対応が難しいため、重層的支援会議での検討をお願いしたい。",
                "関係機関の役割分担を整理するため、支援会議の開催をお願いしたい。"),
}  # fmt: skip

REPORTS = {
    "jiritsu": ("初回面談の後、家計改善支援と就労準備支援を始めました。現在は月1回の面談で経過を見ています。",
                "住居確保給付金の支給が決まり、本人は就職活動を続けています。"),
    "seikatsu": ("生活保護の申請を受け付け、支給が決まりました。担当ケースワーカーが定期的に訪問します。",),
    "shakyo": ("地域福祉コーディネーターが訪問し、地域のサロンへの参加につながりました。",
               "日常生活自立支援事業の契約を結び、金銭管理の支援を始めました。"),
    "anshin": ("要介護認定の申請を行い、ケアマネジャーが決まりました。訪問介護の利用を始めています。",),
    "kikan": ("計画相談の事業所につなぎ、就労継続支援B型の利用が始まりました。",),
    "shogai": ("障害福祉サービスの支給を決定しました。",),
    "hoken": ("保健師が訪問し、医療機関の受診につながりました。今後も定期的に訪問します。",),
    "hoken_child": ("保健師が家庭訪問を行い、育児相談を続けています。",
                    "保健師が訪問し、保護者が精神科の受診につながりました。今後も定期的に訪問します。"),
    "kodomo": ("家庭訪問を行い、子育てショートステイと家事援助の利用を始めました。",),
    "kyoiku": ("教育相談を始め、適応指導教室に通えるようになりました。",),
    "korei": ("成年後見制度の区長申立ての手続きを進めています。",),
    "kosodate": ("一時保育の利用を始めました。",),
    "seisaku": ("重層的支援会議で検討し、支援プランを作成しました。各機関の役割分担に沿って支援を続けています。",),
}  # fmt: skip

FIRST_MEETINGS = {
    "jiritsu": "本人と初回面談を行い、家計と就労の状況を聞き取った。",
    "seikatsu": "自宅を訪問し、生活保護の制度について説明した。",
    "shakyo": "地域福祉コーディネーターが自宅を訪問し、本人と顔合わせをした。",
    "anshin": "自宅を訪問し、介護保険サービスの利用について説明した。",
    "kikan": "本人と面談し、障害福祉サービスの利用の意向を確認した。",
    "shogai": "窓口で本人と面談し、サービスの支給申請を受け付けた。",
    "hoken": "保健師が家庭を訪問し、心身の状況を確認した。",
    "kodomo": "家庭を訪問し、保護者と子どもの様子を確認した。",
    "kyoiku": "保護者と面談し、教育相談の進め方を確認した。",
    "korei": "本人と家族に成年後見制度について説明した。",
    "kosodate": "保護者と面談し、利用できる子育て支援サービスを案内した。",
}

FAILED = (
    (
        Reason.UNREACHABLE,
        "3回訪問しましたが本人と会えず、電話にも応答がありません。つなぐ元で引き続き見守りをお願いします。",
    ),
    (
        Reason.DECLINED,
        "本人が支援を希望しないため、支援を始められませんでした。状況が変わればご連絡ください。",
    ),
)
REJECTED = (
    (Reason.NOT_ELIGIBLE, "当機関の対象（年齢・要件）に該当しないため、お受けできません。"),
    (Reason.OTHER_ORGANIZATION, "内容から、{alt}でのご相談が適切と考えます。"),
    (Reason.NO_CAPACITY, "現在、新規の受け入れが難しい状況です。来月以降に改めてご相談ください。"),
)
CANCELLED = (
    (Reason.DECLINED, "本人から、支援は不要になったとの連絡があったため取り消します。"),
    (Reason.OTHER, "つなぎ先を誤って選んだため取り消し、改めて送付します。"),
)
ON_HOLD = (
    (Reason.UNREACHABLE, "本人と連絡が取れない状態が続いているため、一時保留とします。"),
    (Reason.OTHER, "本人が入院したため、退院まで保留とします。"),
)

#: Consultations whose subject is not known yet (a neighbour's worry, an anonymous call).
UNKNOWN_SUBJECTS = [
    (ANSHIN, CO.NEIGHBOUR, TEL, "{d}{n}丁目のアパート2階に住む高齢の男性（氏名不明）",
     "近隣住民より電話。アパートの2階に住む高齢の男性の姿を1週間ほど見かけず、郵便受けに新聞がたまっているとのこと。管理会社に連絡し、安否確認のため訪問する予定。",
     T.COMMUNITY, (T.HEALTH,), (LI.ISOLATION,), (), Urgency.SOON),
    (ANSHIN, CO.MINSEI_IIN, WIN, "{d}{n}丁目の一戸建てに住む高齢の女性（氏名不明）",
     "民生委員が来所。一人暮らしと思われる高齢の女性が、季節に合わない服装で歩いているのをよく見かけるとのこと。住所と氏名を確認でき次第、訪問する。",
     T.CARE, (T.COMMUNITY,), (LI.CARE, LI.ISOLATION), ("認知症",), Urgency.NORMAL),
    (SHAKYO, CO.NEIGHBOURHOOD_ASSOCIATION, TEL, "{d}{n}丁目の、庭にごみが積まれた家の住人",
     "町会長より電話。庭先にごみが積まれ、においがひどいとの苦情が町会に寄せられている。住人の様子はわからない。町会と協力して情報を集める。",
     T.HOUSING, (T.COMMUNITY,), (LI.HOUSING, LI.ISOLATION), ("ごみ屋敷",), Urgency.NORMAL),
    (KODOMO, CO.ANONYMOUS, TEL, "{d}{n}丁目のマンションに住む小学生くらいの子ども",
     "匿名の方より電話。夜遅くまで子どもだけで公園にいるのをよく見かけるとのこと。学校と連携して情報を確認する。",
     T.CHILDCARE, (T.FAMILY,), (LI.WELFARE, LI.EDUCATION), (), Urgency.SOON),
    (JIRITSU, CO.OTHER, LINE, "相談者の知人の30代男性（氏名は本人の了解がないため不明）",
     "LINE相談。知人が仕事を失い、家賃が払えずネットカフェで寝泊まりしているとのこと。本人が望めば窓口に来てもらうよう伝えた。",
     T.HOUSING, (T.JOB_SEARCH, T.RENT_LOAN), (LI.HOUSING, LI.EMPLOYMENT), ("住居喪失", "生活困窮"), Urgency.NORMAL),
    (JIRITSU, CO.ANONYMOUS, TEL, "匿名の相談者本人（40代・男性）",
     "匿名で電話相談。長年ひきこもりの状態で、親が高齢になり今後が不安だという。名前は言いたくないとのことで、電話での相談を続けられることを伝えた。",
     T.WITHDRAWAL, (T.INCOME,), (LI.ISOLATION, LI.EMPLOYMENT), ("ひきこもり",), Urgency.NORMAL),
    (HOKEN, CO.MEDICAL, TEL, "区内在住の妊婦（氏名は後日確認）",
     "区内の産婦人科クリニックより電話。妊婦健診を受けていない妊婦が受診した。住まいが定まっていない可能性があるとのこと。本人の同意を得たうえで連絡先を確認する。",
     T.HEALTH, (T.CHILDCARE,), (LI.HEALTH_MEDICAL, LI.WELFARE), (), Urgency.SOON),
    (ANSHIN, CO.POLICE, TEL, "{d}で保護された高齢の男性（身元確認中）",
     "警察署より電話。道に迷っていた高齢の男性を保護した。自宅の住所を言えず、身元を確認中とのこと。判明しだい連絡をもらうこととした。",
     T.CARE, (T.HEALTH,), (LI.CARE,), ("認知症",), Urgency.SOON),
    (KIKAN, CO.LANDLORD, TEL, "{d}{n}丁目のアパートの入居者",
     "管理会社より電話。入居者が夜間に大声を出すことがあり、他の入居者から苦情が出ている。本人は障害があると話していたという。本人の了解を得て連絡をもらうよう依頼した。",
     T.COMMUNITY, (T.HEALTH,), (LI.WELFARE, LI.ISOLATION), ("精神疾患(疑い含む)",), Urgency.NORMAL),
    (SHAKYO, CO.NEIGHBOUR, WIN, "{d}{n}丁目の集合住宅1階に住む60代くらいの男性",
     "近隣住民が来所。最近痩せてきており、食事をとれていないのではと心配しているとのこと。民生委員と相談し、訪問の機会を探る。",
     T.NO_FOOD, (T.HEALTH,), (LI.ISOLATION, LI.WELFARE), ("生活困窮",), Urgency.NORMAL),
]  # fmt: skip

#: How many referrals end in each state (one more, to the demo's featured household, is in-progress).
REFERRAL_STATES = {
    Status.DRAFT: 3, Status.REQUESTED: 12, Status.ACCEPTED: 8, Status.IN_PROGRESS: 19,
    Status.ON_HOLD: 6, Status.COMPLETED: 33, Status.REJECTED: 10, Status.CANCELLED: 6,
    Status.FAILED: 7,
}  # fmt: skip
#: Escalations to the coordinating section, by the state they are in.
ESCALATION_STATES = {
    Status.REQUESTED: 2, Status.ACCEPTED: 2, Status.IN_PROGRESS: 6, Status.ON_HOLD: 1,
    Status.COMPLETED: 4,
}  # fmt: skip
#: Open referrals whose answer is late on purpose (state, how many).
OVERDUE = {Status.REQUESTED: 3, Status.ACCEPTED: 2, Status.IN_PROGRESS: 2}
RANDOM_HOUSEHOLDS = 279


# ---------------------------------------------------------------------------
# Planning.


class _Planner:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.zone = timezone.get_default_timezone()
        self.staff = staff_by_organization()
        self.households: list[HouseholdPlan] = []
        self.consultations: list[ConsultationPlan] = []
        self.referrals: list[ReferralPlan] = []
        self.moves: list[MovePlan] = []
        self.duplicates: list[tuple[str, str]] = []
        self.phones = 0
        self.last_situation = ""

    # -- small helpers ------------------------------------------------------

    def at(self, day: date, earliest: int = 9, latest: int = 17) -> datetime:
        """A working-hours moment of ``day`` (moved off the weekend)."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        moment = time(
            self.rng.randint(earliest, latest - 1), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50))
        )
        return datetime.combine(day, moment, tzinfo=self.zone)

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def pick_staff(self, organization: str) -> str:
        names = self.staff[organization]
        if "demo-soudan" in names:
            # The demo's counselor records most of her centre's work.
            names = [*names, "demo-soudan", "demo-soudan"]
        return self.rng.choice(names)

    def weighted(self, options: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([o for o, _w in options], [w for _o, w in options])[0]

    def resolve(self, organization: str, district: str) -> str:
        if organization == ANSHIN:
            return anshin_of(district, branch=self.rng.random() < 0.25)
        return organization

    def phone(self) -> str:
        self.phones += 1
        if self.rng.random() < 0.5:
            return f"03-0000-{5000 + self.phones:04d}"
        return f"090-0000-{self.phones:04d}"

    def address(self, district: str) -> str:
        chome, ban, go = self.rng.randint(1, 6), self.rng.randint(1, 30), self.rng.randint(1, 20)
        text = f"デモ区{district}{chome}-{ban}-{go}"
        if self.rng.random() < 0.35:
            building = self.rng.choice(BUILDINGS).format(d=district)
            text += f" {building}{self.rng.randint(1, 4)}0{self.rng.randint(1, 8)}"
        return text

    def birth(self, age: int) -> date:
        latest = (
            self.today.replace(year=self.today.year - age)
            if not (self.today.month == 2 and self.today.day == 29)
            else date(self.today.year - age, 2, 28)
        )
        return latest - timedelta(days=self.rng.randint(0, 364))

    def person(
        self,
        key: str,
        surname: tuple[str, str],
        sex: str,
        age: int,
        relationship: str,
        *,
        given: tuple[str, str] | None = None,
        phone: bool = False,
        foreign: tuple[str, str] | None = None,
    ) -> PersonPlan:
        birth = self.birth(age)
        if given is None:
            era = "old" if birth.year <= 1955 else "mid" if birth.year <= 1989 else "young"
            given = self.rng.choice(GIVEN[(str(sex), era)])
        family_kana, given_kana = surname[1], given[1]
        style = self.rng.random()
        if style < 0.11:
            family_kana, given_kana = "", ""  # the clerk left the reading blank
        elif style < 0.15 and foreign is None:
            family_kana, given_kana = _katakana(family_kana), _katakana(given_kana)
        return PersonPlan(
            key=key,
            family_name=surname[0],
            given_name=given[0],
            family_name_kana=family_kana,
            given_name_kana=given_kana,
            sex=sex,
            birth_date=birth,
            relationship=relationship,
            phone=self.phone() if phone and self.rng.random() < 0.7 else "",
            nationality_note=foreign[0] if foreign else "",
            language_note=f"日本語の読み書きが難しい（通訳が必要：{foreign[1]}）"
            if foreign
            else "",
        )

    # -- households ---------------------------------------------------------

    def members(self, profile: str, key: str) -> tuple[list[PersonPlan], list[str], dict[str, str]]:
        """The members of a household of ``profile``, whom the support is about, and its words."""
        rng = self.rng
        surname = rng.choice(SURNAMES)
        n = 0

        def next_key() -> str:
            nonlocal n
            n += 1
            return f"{key}-{n}"

        male, female = Sex.MALE, Sex.FEMALE
        R = Relationship
        people: list[PersonPlan] = []
        words: dict[str, str] = {}
        subjects: list[str]

        def children(count: int, oldest: int, youngest: int = 0) -> list[PersonPlan]:
            ages = sorted((rng.randint(youngest, oldest) for _ in range(count)), reverse=True)
            return [
                self.person(next_key(), surname, rng.choice((male, female)), age, R.CHILD)
                for age in ages
            ]

        if profile in ("elderly_single", "hoarding"):
            age = rng.randint(70, 95) if profile == "elderly_single" else rng.randint(55, 88)
            head = self.person(
                next_key(), surname, rng.choice((male, female, female)), age, R.HEAD, phone=True
            )
            people, subjects = [head], [head.key]
        elif profile == "elderly_couple":
            husband_age = rng.randint(70, 92)
            if rng.random() < 0.1:  # two elderly sisters
                head = self.person(next_key(), surname, female, husband_age, R.HEAD, phone=True)
                other = self.person(
                    next_key(), surname, female, husband_age - rng.randint(1, 6), R.SIBLING
                )
                words |= {"a": "姉", "b": "妹"}
            else:
                head = self.person(next_key(), surname, male, husband_age, R.HEAD, phone=True)
                other = self.person(
                    next_key(), surname, female, husband_age - rng.randint(0, 6), R.SPOUSE
                )
                words |= {"a": "夫", "b": "妻"}
            people = [head, other]
            if rng.random() < 0.5:  # the care is about the head's spouse (or sister)
                words = {"a": words["b"], "b": words["a"]}
                subjects = [other.key, head.key]
            else:
                subjects = [head.key, other.key]
        elif profile == "8050":
            parent_age = rng.randint(76, 92)
            parent_sex = rng.choice((female, female, male))
            child_sex = rng.choice((male, male, female))
            parent = self.person(next_key(), surname, parent_sex, parent_age, R.HEAD, phone=True)
            child = self.person(
                next_key(), surname, child_sex, parent_age - rng.randint(26, 36), R.CHILD
            )
            people, subjects = [parent, child], [parent.key, child.key]
            words |= {
                "p": "母" if parent_sex == female else "父",
                "c": "長男" if child_sex == male else "長女",
            }
        elif profile in ("child_family", "foreign"):
            foreign = rng.choice(FOREIGN_FAMILIES) if profile == "foreign" else None
            if foreign:
                surname = (foreign[0], foreign[1])
            father_age = rng.randint(29, 48)
            mother_age = father_age - rng.randint(-2, 5)
            kids = rng.choice((1, 1, 2, 2, 3))
            f_given = rng.choice(foreign[4]) if foreign else None
            m_given = rng.choice(foreign[5]) if foreign else None
            origin = (foreign[2], foreign[3]) if foreign else None
            father = self.person(
                next_key(),
                surname,
                male,
                father_age,
                R.HEAD,
                given=f_given,
                phone=True,
                foreign=origin,
            )
            mother = self.person(
                next_key(), surname, female, mother_age, R.SPOUSE, given=m_given, foreign=origin
            )
            oldest = min(15, mother_age - 22)
            if foreign:
                young = [
                    self.person(next_key(), surname, sex, rng.randint(0, oldest), R.CHILD,
                                given=rng.choice(foreign[4] if sex == male else foreign[5]), foreign=origin)
                    for sex in (rng.choice((male, female)) for _ in range(kids))
                ]  # fmt: skip
            else:
                young = children(kids, oldest)
            people = [father, mother, *young]
            child = rng.choice(young)
            subjects = [child.key] if not foreign else [father.key, child.key]
            words |= {"a": "夫", "b": "妻", "c": _child_word(child, young), "cage": f"{_age(child, self.today)}歳",
                      "age": _band(father, self.today), "age2": _band(mother, self.today)}  # fmt: skip
        elif profile == "single_parent":
            parent_sex = female if rng.random() < 0.85 else male
            parent_age = rng.randint(25, 46)
            parent = self.person(next_key(), surname, parent_sex, parent_age, R.HEAD, phone=True)
            young = children(rng.choice((1, 1, 2, 2, 3)), min(17, parent_age - 19))
            people = [parent, *young]
            child = rng.choice(young)
            subjects = [parent.key, child.key]
            words |= {
                "p": "母" if parent_sex == female else "父",
                "c": _child_word(child, young),
                "cage": f"{_age(child, self.today)}歳",
            }
        elif profile == "disability":
            age = rng.randint(20, 58)
            person_sex = rng.choice((male, female))
            if rng.random() < 0.7:
                parent_sex = rng.choice((female, female, male))
                parent = self.person(
                    next_key(), surname, parent_sex, age + rng.randint(25, 34), R.HEAD, phone=True
                )
                person = self.person(next_key(), surname, person_sex, age, R.CHILD)
                people = [parent, person]
                words |= {"p": "母" if parent_sex == female else "父"}
            else:
                person = self.person(next_key(), surname, person_sex, age, R.HEAD, phone=True)
                people = [person]
                words |= {"p": "別居の母", "age2": f"{(age + 30) // 10 * 10}代"}
            subjects = [person.key]
        elif profile == "poverty_single":
            age = rng.randint(22, 64)
            head = self.person(
                next_key(), surname, rng.choice((male, male, female)), age, R.HEAD, phone=True
            )
            people, subjects = [head], [head.key]
        elif profile == "young_carer":
            parent_sex = rng.choice((female, female, male))
            parent_age = rng.randint(36, 50)
            parent = self.person(next_key(), surname, parent_sex, parent_age, R.HEAD, phone=True)
            carer = self.person(
                next_key(), surname, rng.choice((male, female)), rng.randint(12, 17), R.CHILD
            )
            young = [carer, *children(rng.choice((0, 1, 2)), 9, 2)]
            people = [parent, *young]
            subjects = [carer.key, parent.key]
            words |= {"p": "母" if parent_sex == female else "父", "c": _child_word(carer, young),
                      "cage": f"{_age(carer, self.today)}歳", "age": _band(parent, self.today)}  # fmt: skip
        elif profile == "three_generation":
            head_age = rng.randint(42, 58)
            grand_sex = rng.choice((female, female, male))
            grand = self.person(
                next_key(), surname, grand_sex, head_age + rng.randint(25, 34), R.PARENT
            )
            head = self.person(next_key(), surname, male, head_age, R.HEAD, phone=True)
            spouse = self.person(
                next_key(), surname, female, head_age - rng.randint(0, 5), R.SPOUSE
            )
            young = children(rng.choice((1, 2)), 19, 8)
            people = [head, spouse, grand, *young]
            child = young[0]
            subjects = [grand.key]
            words |= {"g": "実母" if grand_sex == female else "実父", "p": "長男の妻",
                      "c": _child_word(child, young), "cage": f"{_age(child, self.today)}歳"}  # fmt: skip
        else:  # pragma: no cover - every profile is handled above
            raise ValueError(profile)
        by_key = {p.key: p for p in people}
        words.setdefault("age", _band(by_key[subjects[0]], self.today))
        second = (
            subjects[1]
            if len(subjects) > 1
            else next((p.key for p in people if p.key != subjects[0]), subjects[0])
        )
        words.setdefault("age2", _band(by_key[second], self.today))
        return people, subjects, words

    def household(
        self,
        profile: Profile,
        *,
        registered: date,
        district: str | None = None,
        organization: str | None = None,
        members: tuple[list[PersonPlan], list[str], dict[str, str]] | None = None,
        address: str | None = None,
    ) -> HouseholdPlan:
        key = f"h{len(self.households) + 1}"
        district = district or self.rng.choice(DISTRICTS)
        organization = organization or self.resolve(self.weighted(profile.organizations), district)
        people, subjects, words = members or self.members(profile.key, key)
        plan = HouseholdPlan(
            key=key,
            profile=profile.key,
            organization=organization,
            staff=self.pick_staff(organization),
            district=district,
            address=address or self.address(district),
            phone=next((p.phone for p in people if p.phone), ""),
            note=self.rng.choice(profile.notes),
            registered_at=self.at(registered),
            members=people,
            subjects=subjects,
            words=words,
        )
        self.households.append(plan)
        return plan

    # -- consultations ------------------------------------------------------

    def consultation(
        self,
        household: HouseholdPlan,
        *,
        at: datetime,
        outcome: str,
        scene: Scene | None = None,
        follow_up: bool = False,
        to: str = "",
        organization: str | None = None,
        staff: str | None = None,
        opening: str | None = None,
    ) -> ConsultationPlan:
        rng = self.rng
        profile = PROFILE_BY_KEY[household.profile]
        scene = scene or rng.choice(profile.scenes)
        consulter, note, channels = rng.choice(scene.contacts or profile.contacts)
        channel = rng.choice(channels)
        if follow_up and rng.random() < 0.45:
            # Later contacts are mostly with the household itself: a visit, the window, a call.
            consulter, note = (
                (CO.FAMILY, "母") if household.profile in CHILD_PROFILES else (CO.SELF, "")
            )
            channel = rng.choice((VISIT, VISIT, WIN, TEL))
        if opening is None:
            who = note or CONSULTER_WORDS[consulter]
            if channel == VISIT:
                if consulter == CO.SELF:
                    opening = "自宅を訪問し本人と面談。"
                elif consulter == CO.FAMILY:
                    opening = f"自宅を訪問し{who}と面談。"
                else:
                    opening = f"{who}と同行して自宅を訪問。"
            else:
                opening = OPENINGS[channel].format(who=who)
            if follow_up:
                opening += rng.choice(FOLLOW_UPS)
        situation = rng.choice(scene.situations).format(**household.words)
        self.last_situation = situation
        action = rng.choice(scene.actions).format(**household.words)
        closing = rng.choice(OUTCOME_SENTENCES[outcome]).format(n=rng.choice((1, 2, 4)), to=to)
        features = tuple(f for f in scene.features if rng.random() < 0.8)
        topics = tuple(t for t in scene.topics if rng.random() < 0.7)
        if rng.random() < 0.15:
            topics += (rng.choice(list(Topic)).value,)
        consent = ConsentToShare.OBTAINED
        if (
            consulter in (CO.NEIGHBOUR, CO.ANONYMOUS, CO.NEIGHBOURHOOD_ASSOCIATION, CO.POLICE)
            or rng.random() < 0.1
        ):
            consent = ConsentToShare.NOT_OBTAINED if outcome != Outcome.REFER else consent
        urgency = scene.urgency if rng.random() < 0.8 else Urgency.NORMAL
        plan = ConsultationPlan(
            key=f"c{len(self.consultations) + 1}",
            organization=organization or household.organization,
            staff=staff or self.pick_staff(organization or household.organization),
            received_at=at,
            channel=channel,
            consulter=consulter,
            consulter_note=note,
            household=household.key,
            subjects=tuple(household.subjects),
            unknown_subject="",
            main_topic=scene.main,
            topics=tuple(dict.fromkeys(topics)),
            life_issues=tuple(dict.fromkeys(scene.life)),
            case_features=features,
            summary=opening + situation + action + closing,
            urgency=urgency,
            consent_to_share=consent,
            outcome=outcome,
        )
        self.consultations.append(plan)
        return plan

    def unknown_subject_consultations(self, count: int) -> None:
        for index in range(count):
            spec = UNKNOWN_SUBJECTS[index % len(UNKNOWN_SUBJECTS)]
            (
                organization,
                consulter,
                channel,
                clue,
                summary,
                main,
                topics,
                life,
                features,
                urgency,
            ) = spec
            district = self.rng.choice(DISTRICTS)
            organization = self.resolve(organization, district)
            day = self.day_between(self.start, self.today - timedelta(days=1))
            self.consultations.append(
                ConsultationPlan(
                    key=f"c{len(self.consultations) + 1}",
                    organization=organization,
                    staff=self.pick_staff(organization),
                    received_at=self.at(day),
                    channel=channel,
                    consulter=consulter,
                    consulter_note="",
                    household=None,
                    subjects=(),
                    unknown_subject=clue.format(d=district, n=self.rng.randint(1, 6)),
                    main_topic=main,
                    topics=topics,
                    life_issues=life,
                    case_features=features,
                    summary=summary,
                    urgency=urgency,
                    consent_to_share=ConsentToShare.NOT_OBTAINED,
                    outcome=self.rng.choice((Outcome.WATCH, Outcome.CONTINUE_HERE)),
                )
            )

    # -- referrals ----------------------------------------------------------

    def referral_timeline(self, state: str, overdue: bool) -> tuple[date, date]:
        """When a referral ending in ``state`` was sent, and its due date."""
        rng, today = self.rng, self.today
        if state == Status.DRAFT:
            sent = today - timedelta(days=rng.randint(1, 6))
            return sent, sent + timedelta(days=14)
        if overdue:
            sent = today - timedelta(days=rng.randint(25, 60))
            return sent, sent + timedelta(days=14)
        if state == Status.REQUESTED:
            sent = today - timedelta(days=rng.randint(1, 9))
            return sent, sent + timedelta(days=14)
        if state == Status.ACCEPTED:
            sent = today - timedelta(days=rng.randint(3, 20))
            return sent, today + timedelta(days=rng.randint(7, 30))
        if state in (Status.IN_PROGRESS, Status.ON_HOLD):
            sent = today - timedelta(days=rng.randint(10, 320))
            # A long support asks for a report by a date still ahead.
            return sent, today + timedelta(days=rng.randint(7, 60))
        sent = today - timedelta(days=rng.randint(25, HISTORY_DAYS - 20))
        return sent, sent + timedelta(days=14)

    def steps(self, state: str, sent: datetime, texts: str, alt: str) -> tuple[StepPlan, ...]:
        rng = self.rng
        midnight = datetime.combine(self.today, time(0, 0), tzinfo=self.zone)
        moment = sent

        def later(low: int, high: int) -> datetime:
            # The next step, on a working day some days on, never after yesterday
            # (unless the step before already was) and never before the step before.
            nonlocal moment
            day = (moment + timedelta(days=rng.randint(low, high))).date()
            candidate = self.at(day)
            if candidate <= moment:
                candidate = moment + timedelta(hours=rng.randint(1, 5))
            candidate = min(candidate, midnight - timedelta(minutes=rng.randint(60, 600)))
            moment = max(candidate, moment + timedelta(minutes=rng.randint(20, 90)))
            return moment

        if state == Status.DRAFT:
            return ()
        result = [StepPlan(Status.REQUESTED, sent, sender=True)]
        if state == Status.REQUESTED:
            return tuple(result)
        if state == Status.CANCELLED:
            reason, note = rng.choice(CANCELLED)
            return (*result, StepPlan(Status.CANCELLED, later(1, 6), True, reason, note))
        if state == Status.REJECTED:
            reason, note = rng.choice(REJECTED)
            return (
                *result,
                StepPlan(Status.REJECTED, later(1, 4), False, reason, note.format(alt=alt)),
            )
        result.append(
            StepPlan(
                Status.ACCEPTED,
                later(0, 4),
                False,
                note="受理しました。担当者から本人に連絡します。",
            )
        )
        if state == Status.ACCEPTED:
            return tuple(result)
        if state == Status.FAILED and rng.random() < 0.3:
            reason, note = rng.choice(FAILED)
            return (*result, StepPlan(Status.FAILED, later(10, 40), False, reason, note))
        result.append(
            StepPlan(Status.IN_PROGRESS, later(1, 10), False, note="初回面談を行いました。")
        )
        if state == Status.IN_PROGRESS:
            return tuple(result)
        if state == Status.ON_HOLD:
            reason, note = rng.choice(ON_HOLD)
            return (*result, StepPlan(Status.ON_HOLD, later(3, 30), False, reason, note))
        if state == Status.COMPLETED and rng.random() < 0.2:
            reason, note = ON_HOLD[1]
            result.append(StepPlan(Status.ON_HOLD, later(5, 30), False, reason, note))
            result.append(
                StepPlan(
                    Status.IN_PROGRESS, later(7, 30), False, note="退院したため支援を再開します。"
                )
            )
        if state == Status.FAILED:
            reason, note = rng.choice(FAILED)
            return (*result, StepPlan(Status.FAILED, later(10, 40), False, reason, note))
        return (
            *result,
            StepPlan(Status.COMPLETED, later(14, 90), False, note=rng.choice(REPORTS[texts])),
        )

    def referral(
        self,
        household: HouseholdPlan,
        origin: ConsultationPlan,
        *,
        to: str,
        state: str,
        due_on: date,
        sent: datetime,
        situation: str,
    ) -> ReferralPlan:
        rng = self.rng
        category = organization_category(to)
        if category == "hoken" and household.profile in CHILD_PROFILES:
            category = "hoken_child"
        alt = rng.choice(
            [o for o in (SEIKATSU, JIRITSU, SHAKYO, HOKEN) if o not in (to, origin.organization)]
        )
        steps = self.steps(state, sent, category, alt)
        items = [SharedItem.IDENTITY, SharedItem.HOUSEHOLD, SharedItem.CONSULTATION]
        items += [item for item in (SharedItem.HISTORY, SharedItem.HEALTH) if rng.random() < 0.4]
        if origin.consent_to_share == ConsentToShare.OBTAINED:
            basis = SharingBasis.CONSENT
            sharing = "本人の同意を得て共有します。"
        elif origin.urgency == Urgency.URGENT:
            basis, sharing = SharingBasis.EMERGENCY, "生命・身体の保護のため、緊急に共有します。"
        else:
            basis, sharing = SharingBasis.SUPPORT_MEETING, "支援会議の構成員として共有します。"
        plan = ReferralPlan(
            key=f"r{len(self.referrals) + 1}",
            consultation=origin.key,
            from_organization=origin.organization,
            to_organization=to,
            sender=origin.staff,
            receiver=rng.choice(self.staff[to]),
            household=household.key,
            persons=tuple(household.subjects),
            request=rng.choice(REQUESTS[category]),
            shared_summary=f"{situation}{household.note}{sharing}",
            shared_items=tuple(items),
            sharing_basis=basis,
            due_on=due_on,
            created_at=sent - timedelta(minutes=rng.randint(5, 90)),
            steps=steps,
        )
        self.referrals.append(plan)
        return plan

    def receiver_follow_up(self, household: HouseholdPlan, referral: ReferralPlan) -> None:
        """The receiving organization records its first meeting once it has accepted."""
        accepted = next((s.at for s in referral.steps if s.to_status == Status.ACCEPTED), None)
        category = organization_category(referral.to_organization)
        if accepted is None or category == "seisaku" or self.rng.random() > 0.5:
            return
        last = min(self.today - timedelta(days=1), accepted.date() + timedelta(days=14))
        day = self.day_between(accepted.date() + timedelta(days=1), last)
        at = self.at(day)
        if at <= accepted:
            return
        profile = PROFILE_BY_KEY[household.profile]
        origin = next(c for c in self.consultations if c.key == referral.consultation)
        scene = next((s for s in profile.scenes if s.main == origin.main_topic), profile.scenes[0])
        opening = (
            f"{referral.from_organization}からのつなぎを受けて対応。{FIRST_MEETINGS[category]}"
        )
        self.consultation(
            household,
            at=at,
            outcome=Outcome.CONTINUE_HERE,
            scene=scene,
            organization=referral.to_organization,
            staff=referral.receiver,
            opening=opening,
        )

    # -- the whole plan -----------------------------------------------------

    def referral_deck(self) -> list[tuple[str, bool, bool]]:
        """(state, escalation, overdue) for each household that gets a referral."""
        deck = [(state, False) for state, count in REFERRAL_STATES.items() for _ in range(count)]
        deck += [(state, True) for state, count in ESCALATION_STATES.items() for _ in range(count)]
        overdue_left = dict(OVERDUE)
        cards: list[tuple[str, bool, bool]] = []
        for state, escalation in deck:
            late = overdue_left.get(state, 0) > 0 and not escalation
            if late:
                overdue_left[state] -= 1
            cards.append((state, escalation, late))
        if ESCALATION_STATES.get(Status.REQUESTED):
            # One escalation too waits past its date.
            index = next(i for i, c in enumerate(cards) if c[1] and c[0] == Status.REQUESTED)
            cards[index] = (Status.REQUESTED, True, True)
        self.rng.shuffle(cards)
        return cards

    def ordinary_household(self, profile: Profile, card: tuple[str, bool, bool] | None) -> None:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), (40, 33, 18, 9))[0]
        to = ""
        if card is not None:
            state, escalation, late = card
            sent_day, due_on = self.referral_timeline(state, late)
            sent = self.at(sent_day)
            origin_at = self.at(sent.date() - timedelta(days=rng.choice((0, 0, 1, 3))))
            if origin_at >= sent:
                origin_at = sent - timedelta(minutes=rng.randint(30, 90))
            first = max(self.start, origin_at.date() - timedelta(days=rng.randint(0, 150)))
        else:
            first = self.day_between(self.start, self.today - timedelta(days=1))
        household = self.household(profile, registered=first)
        if card is not None:
            targets = [anshin_of(household.district) if t == ANSHIN else t for t in profile.targets]
            choices = [t for t in targets if t != household.organization]
            to = SEISAKU if escalation else rng.choice(choices)
        scenes = list(profile.scenes)
        rng.shuffle(scenes)
        moments: list[tuple[datetime, str]] = []
        if card is None:
            last = min(self.today - timedelta(days=1), first + timedelta(days=240))
            days = sorted([first, *(self.day_between(first, last) for _ in range(count - 1))])
            for index, day in enumerate(days):
                usual: str = rng.choices(
                    (Outcome.CONTINUE_HERE, Outcome.ADVICE_ENDED, Outcome.WATCH), (50, 25, 25)
                )[0]
                moments.append((self.at(day) if index else household.registered_at, usual))
        else:
            handing_on: str = Outcome.ESCALATE if escalation else Outcome.REFER
            before = [
                self.day_between(first, origin_at.date() - timedelta(days=1))
                for _ in range(count - 1)
            ]
            days = sorted(d for d in before if d < origin_at.date())
            if days:
                household.registered_at = self.at(days[0])
            else:
                household.registered_at = origin_at
            for day in days:
                moments.append((self.at(day), rng.choice((Outcome.CONTINUE_HERE, Outcome.WATCH))))
            moments.append((origin_at, handing_on))
        for index, (at, outcome) in enumerate(moments):
            origin = self.consultation(
                household,
                at=at,
                outcome=outcome,
                scene=scenes[index % len(scenes)],
                follow_up=index > 0,
                to=to,
            )
        if card is not None:
            referral = self.referral(
                household, origin, to=to, state=card[0], due_on=due_on, sent=sent,
                situation=self.last_situation,
            )  # fmt: skip
            self.receiver_follow_up(household, referral)

    def featured_household(self) -> None:
        """The household the demo script opens: 高橋 (with 高), mother and son, 8050,
        known to demo-soudan's centre; typing 髙橋 幸子 at intake warns about it."""
        today, centre = self.today, anshin_of("富坂")
        mother = PersonPlan(
            "featured-1", "高橋", "幸子", "たかはし", "さちこ", Sex.FEMALE,
            date(today.year - 83, 4, 12), Relationship.HEAD, phone="03-0000-4801",
        )  # fmt: skip
        son = PersonPlan(
            "featured-2", "高橋", "健一", "たかはし", "けんいち", Sex.MALE,
            date(today.year - 54, 9, 3), Relationship.CHILD,
        )  # fmt: skip
        words = {"p": "母", "c": "長男", "age": _band(mother, today), "age2": _band(son, today)}
        household = self.household(
            PROFILE_BY_KEY["8050"],
            registered=today - timedelta(days=200),
            district="富坂",
            organization=centre,
            members=([mother, son], [mother.key, son.key], words),
            address="デモ区富坂2-8-14",
        )
        household.staff = "demo-soudan"
        household.note = "母（80代）と長男（50代）の二人暮らし。母の年金が主な収入。"
        f = ("8050", "ひきこもり")
        entries = [
            (200, "demo-soudan", TEL, CO.MINSEI_IIN, "担当地区の民生委員", T.CARE, (T.WITHDRAWAL,), (LI.CARE, LI.ISOLATION), f,
             "民生委員より電話。母（80代）と長男（50代）の二人暮らし。母の足腰が弱り、買い物に行けなくなっているとのこと。長男は10年以上ひきこもりの状態と聞いている。近日中に訪問することとした。",
             Outcome.CONTINUE_HERE, ConsentToShare.NOT_OBTAINED),
            (193, "demo-soudan", VISIT, CO.SELF, "", T.CARE, (T.HEALTH,), (LI.CARE, LI.CARE_PREVENTION), f,
             "自宅を訪問し母と面談。介護保険の申請を支援した。長男は自室から出てこなかったが、ドア越しにあいさつはできた。2週間後に再度訪問する。",
             Outcome.CONTINUE_HERE, ConsentToShare.OBTAINED),
            (120, "demo-kikan", VISIT, CO.SELF, "", T.WITHDRAWAL, (T.CARE, T.JOB_SEARCH), (LI.EMPLOYMENT, LI.ISOLATION), f,
             "要介護1の認定が出たため、ケアマネジャーと同行して訪問。長男と初めて対面で話ができ、「仕事のことも考えたい」との発言があった。本人の同意を得て、就労について自立相談支援窓口につなぐこととした。",
             Outcome.REFER, ConsentToShare.OBTAINED),
            (30, "demo-soudan", TEL, CO.FAMILY, "長男", T.RENT_LOAN, (T.INCOME, T.WITHDRAWAL), (LI.HOUSING, LI.EMPLOYMENT, LI.CARE), (*f, "生活困窮"),
             "長男より電話。母の年金だけでは家賃と光熱費の支払いが厳しいとのこと。自立相談支援窓口での就労準備支援は続いている。介護・就労・家計の課題が重なっているため、多機関協働事務局（福祉政策課）に相談し、支援会議での検討を依頼する。",
             Outcome.ESCALATE, ConsentToShare.OBTAINED),
        ]  # fmt: skip
        origins = []
        for (
            days,
            staff,
            channel,
            consulter,
            note,
            main,
            topics,
            life,
            features,
            summary,
            outcome,
            consent,
        ) in entries:
            plan = ConsultationPlan(
                key=f"c{len(self.consultations) + 1}", organization=centre, staff=staff,
                received_at=self.at(today - timedelta(days=days)), channel=channel, consulter=consulter,
                consulter_note=note, household=household.key, subjects=(mother.key, son.key),
                unknown_subject="", main_topic=main, topics=topics, life_issues=life, case_features=features,
                summary=summary, urgency=Urgency.NORMAL, consent_to_share=consent, outcome=outcome,
            )  # fmt: skip
            self.consultations.append(plan)
            origins.append(plan)
        household.registered_at = origins[0].received_at
        self.referral(
            household, origins[2], to=JIRITSU, state=Status.IN_PROGRESS,
            due_on=today + timedelta(days=20), sent=origins[2].received_at + timedelta(hours=2),
            situation="母（80代）と長男（50代）の二人暮らし。長男は10年以上ひきこもりの状態で、就労について考え始めている。",
        )  # fmt: skip
        self.referral(
            household, origins[3], to=SEISAKU, state=Status.ACCEPTED,
            due_on=today + timedelta(days=14), sent=origins[3].received_at + timedelta(hours=3),
            situation="8050世帯。母の介護、長男の就労、家賃の支払いの課題が重なっている。",
        )  # fmt: skip

    def near_duplicates(self) -> None:
        rng = self.rng
        for spec in NEAR_DUPLICATES:
            profile = "elderly_single" if spec.age >= 65 else "poverty_single"
            if spec.organization == KIKAN:
                profile = "disability"
            elif spec.organization in (KODOMO, HOKEN):
                profile = "single_parent"
            index = len(self.households) + 1
            people, subjects, words = self.members(profile, f"h{index}")
            # The person the support is about gets the pair's identity (in a
            # disability household that may be the head's child).
            position = next(i for i, p in enumerate(people) if p.key == subjects[0])
            first = _identity(people[position], spec.first, spec.sex, self.birth(spec.age))
            people[position] = first
            # The family shares the surname; nobody else in it shares the given name.
            for position, member in enumerate(people):
                if member.key == first.key:
                    continue
                member = _rename(member, spec.first[0], spec.first[2])
                if member.given_name == spec.first[1]:
                    era = "old" if member.birth_date.year <= 1955 else "young"
                    given, reading = next(
                        g for g in GIVEN[(str(member.sex), era)] if g[0] != spec.first[1]
                    )
                    kana = reading if member.given_name_kana else ""
                    member = replace_person(member, given_name=given, given_name_kana=kana)
                people[position] = member
            words = words | {"age": _band(first, self.today)}
            chome, ban, go = rng.randint(1, 6), rng.randint(1, 30), rng.randint(1, 20)
            registered = self.day_between(self.start, self.today - timedelta(days=200))
            household = self.household(
                PROFILE_BY_KEY[profile], registered=registered, district=spec.district,
                organization=spec.organization, members=(people, subjects, words),
                address=f"デモ区{spec.district}{chome}-{ban}-{go}",
            )  # fmt: skip
            self.consultation(household, at=household.registered_at, outcome=Outcome.CONTINUE_HERE)
            # Months later the person comes back; the clerk types the name another way
            # and registers them again, in a household of their own.
            second_day = self.day_between(
                registered + timedelta(days=60), self.today - timedelta(days=5)
            )
            second = replace_person(
                first, key=f"h{index + 1}-1", relationship=Relationship.HEAD,
                family_name=spec.second[0], given_name=spec.second[1],
                family_name_kana=spec.second[2], given_name_kana=spec.second[3],
            )  # fmt: skip
            words_b = dict(words) | {"age": _band(second, self.today)}
            again = self.household(
                PROFILE_BY_KEY[profile], registered=second_day, district=spec.district,
                organization=spec.organization, members=([second], [second.key], words_b),
                address=f"デモ区{spec.district}{chome}丁目{ban}番{go}号",
            )  # fmt: skip
            again.note = ""
            self.consultation(again, at=again.registered_at, outcome=Outcome.CONTINUE_HERE)
            self.duplicates.append((first.key, second.key))

    def moves_between_households(self) -> None:
        """A few elderly people move in with a child's family; a few leave for care."""
        rng = self.rng
        last_seen: dict[str, datetime] = {}
        for c in self.consultations:
            if c.household:
                last_seen[c.household] = max(
                    last_seen.get(c.household, c.received_at), c.received_at
                )
        movers = [h for h in self.households if h.profile == "elderly_single" and h.key in last_seen
                  and not any(h.members[0].key in pair for pair in self.duplicates)]  # fmt: skip
        # Families with room for one more (a household has at most five members here).
        families = [
            h
            for h in self.households
            if h.profile in ("child_family", "three_generation") and len(h.members) <= 4
        ]
        rng.shuffle(movers)
        rng.shuffle(families)
        moved = 0
        for old in movers:
            if moved == 6 or not families:
                break
            earliest = last_seen[old.key].date() + timedelta(days=7)
            if earliest >= self.today - timedelta(days=10):
                continue
            # A child's family of the same surname if there is one (else a daughter's).
            same = [f for f in families if f.members[0].family_name == old.members[0].family_name]
            new = same[0] if same and rng.random() < 0.7 else families[-1]
            families.remove(new)
            day = self.day_between(
                earliest, min(earliest + timedelta(days=60), self.today - timedelta(days=10))
            )
            person = old.members[0]
            same_name = person.family_name == new.members[0].family_name
            relationship = Relationship.PARENT if same_name else Relationship.OTHER_RELATIVE
            reason = "長男の世帯へ転居し同居" if same_name else "娘の世帯へ転居し同居"
            self.moves.append(MovePlan(person.key, new.key, relationship, day, reason, old.staff))
            moved += 1
            # The old centre visits once more in the new home.
            words = {**old.words, "age": _band(person, self.today)}
            follow = replace(old, key=new.key, subjects=[person.key], words=words)
            visit = self.at(
                self.day_between(day + timedelta(days=3), self.today - timedelta(days=1))
            )
            self.consultation(
                follow, at=visit, outcome=Outcome.CONTINUE_HERE,
                opening=f"転居後の様子を確認するため、{'長男' if same_name else '娘'}の世帯を訪問。",
                organization=old.organization, staff=old.staff,
            )  # fmt: skip
        couples = [h for h in self.households if h.profile in ("elderly_couple", "three_generation")
                   and h.key in last_seen and h.key not in {m.to_household for m in self.moves}]  # fmt: skip
        rng.shuffle(couples)
        for household, reason in zip(
            couples,
            ("特別養護老人ホームに入所", "認知症高齢者グループホームに入居", "死亡"),
            strict=False,
        ):
            earliest = last_seen[household.key].date() + timedelta(days=7)
            if earliest >= self.today - timedelta(days=2):
                continue
            leaving = next((p for p in household.members if p.key in household.subjects
                            and _age(p, self.today) >= 65), None)  # fmt: skip
            if leaving is None:
                continue
            day = self.day_between(earliest, self.today - timedelta(days=1))
            self.moves.append(MovePlan(leaving.key, None, "", day, reason, household.staff))

    def plan(self) -> Plan:
        rng = random.Random(self.rng.random())
        staff = []
        for username, organizations in EXTRA_STAFF:
            name, reading = synthetic_name(rng)
            staff.append((username, name, reading, organizations))
        self.featured_household()
        self.near_duplicates()
        cards = self.referral_deck()
        profiles = list(PROFILES)
        escalating = [p for p in PROFILES if p.escalates]
        for index in range(RANDOM_HOUSEHOLDS):
            card = cards[index] if index < len(cards) else None
            pool = escalating if card is not None and card[1] else profiles
            profile = self.rng.choices(pool, [p.weight for p in pool])[0]
            self.ordinary_household(profile, card)
        self.unknown_subject_consultations(12)
        self.moves_between_households()
        return Plan(
            staff, self.households, self.consultations, self.referrals, self.moves, self.duplicates
        )


def plan_residents(*, seed: int = RESIDENTS_SEED, today: date | None = None) -> Plan:
    """The demo's residents and their records, decided but not written (deterministic)."""
    return _Planner(seed, today or timezone.localdate()).plan()


def _katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def _age(person: PersonPlan, today: date) -> int:
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _band(person: PersonPlan, today: date) -> str:
    age = _age(person, today)
    return f"{age}歳" if age < 20 else f"{age // 10 * 10}代"


def _child_word(child: PersonPlan, children: list[PersonPlan]) -> str:
    same = [c for c in children if c.sex == child.sex]
    order = sorted(same, key=lambda c: c.birth_date).index(child)
    words = ("長男", "次男", "三男") if child.sex == Sex.MALE else ("長女", "次女", "三女")
    return words[min(order, 2)]


def replace_person(person: PersonPlan, **changes: Any) -> PersonPlan:
    return PersonPlan(**{**person.__dict__, **changes})


def _identity(
    person: PersonPlan, name: tuple[str, str, str, str], sex: str, birth: date
) -> PersonPlan:
    return replace_person(
        person, family_name=name[0], given_name=name[1], family_name_kana=name[2],
        given_name_kana=name[3], sex=sex, birth_date=birth,
    )  # fmt: skip


def _rename(person: PersonPlan, family_name: str, reading: str) -> PersonPlan:
    kana = person.family_name_kana and reading
    return replace_person(person, family_name=family_name, family_name_kana=kana)


# ---------------------------------------------------------------------------
# Writing.


@dataclass(frozen=True)
class DemoResidents:
    """What was loaded, and how long it took."""

    households: int
    persons: int
    consultations: int
    referrals: int
    seconds: float


class _Writer:
    def __init__(self, municipality: Municipality, plan: Plan) -> None:
        self.municipality = municipality
        self.plan = plan
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.districts = {d.name: d for d in District.objects.all()}
        self.features = {f.name: f for f in CaseFeature.objects.all()}
        self.staff: dict[str, Staff] = {}
        self.persons: dict[str, Person] = {}
        self.households: dict[str, Household] = {}
        self.consultations: dict[str, Consultation] = {}

    def write(self) -> None:
        self.write_staff()
        for household in sorted(self.plan.households, key=lambda h: h.registered_at):
            self.write_household(household)
        for move in sorted(self.plan.moves, key=lambda m: m.on):
            self.write_move(move)
        for consultation in sorted(self.plan.consultations, key=lambda c: c.received_at):
            self.write_consultation(consultation)
        for referral in sorted(self.plan.referrals, key=lambda r: r.created_at):
            self.write_referral(referral)
        # Records were written now; show them as last changed when they happened.
        for model in (Person, Household, Consultation):
            model.objects.update(updated_at=F("created_at"))

    def write_staff(self) -> None:
        for username, name, reading, organizations in self.plan.staff:
            staff = Staff.all_tenants.filter(username=username).first()
            if staff is None:
                staff = account_services.staff_create(
                    actor=None, municipality=self.municipality, username=username,
                    full_name=name, full_name_kana=reading, password=DEMO_PASSWORD, validate=False,
                )  # fmt: skip
            elif staff.municipality_id != self.municipality.pk:
                raise ValueError(f"ログインID {username} は別の自治体で使われています")
            for organization in organizations:
                if not Membership.objects.filter(
                    staff=staff, organization=self.organizations[organization], active=True
                ).exists():
                    account_services.membership_add(
                        actor=None, staff=staff, organization=self.organizations[organization],
                        role=Role.COUNSELOR,
                    )  # fmt: skip
        for staff in Staff.objects.all():
            self.staff[staff.username] = staff

    def write_household(self, plan: HouseholdPlan) -> None:
        actor = self.staff[plan.staff]
        organization = self.organizations[plan.organization]
        district = self.districts[plan.district]
        registered_on = timezone.localdate(plan.registered_at)
        people = []
        for member in plan.members:
            person = Person(
                family_name=member.family_name,
                given_name=member.given_name,
                family_name_kana=member.family_name_kana,
                given_name_kana=member.given_name_kana,
                sex=member.sex,
                birth_date=member.birth_date,
                address=plan.address,
                district=district,
                phone=member.phone,
                nationality_note=member.nationality_note,
                language_note=member.language_note,
                created_at=plan.registered_at,
            )
            people.append(person_create(actor=actor, organization=organization, person=person))
            self.persons[member.key] = person
        head = people[0]
        household = household_create(
            actor=actor,
            organization=organization,
            household=Household(
                address=plan.address, district=district, phone=plan.phone, note=plan.note,
                created_at=plan.registered_at,
            ),
            head=head,
            relationship=plan.members[0].relationship,
        )  # fmt: skip
        # household_create starts the first membership today; the household is older.
        HouseholdMembership.objects.filter(household=household, person=head).update(
            started_on=max(registered_on, head.birth_date or registered_on)
        )
        for member, person in zip(plan.members[1:], people[1:], strict=True):
            household_member_add(
                actor=actor,
                household=household,
                person=person,
                relationship=member.relationship,
                started_on=max(registered_on, member.birth_date),
            )
        self.households[plan.key] = household

    def write_move(self, move: MovePlan) -> None:
        actor = self.staff[move.staff]
        person = self.persons[move.person]
        if move.to_household is not None:
            household_member_add(
                actor=actor, household=self.households[move.to_household], person=person,
                relationship=move.relationship, started_on=move.on, reason=move.reason,
            )  # fmt: skip
            return
        membership = HouseholdMembership.objects.get(person=person, ended_on__isnull=True)
        household_member_end(
            actor=actor, membership=membership, ended_on=move.on, reason=move.reason
        )

    def write_consultation(self, plan: ConsultationPlan) -> None:
        consultation = Consultation(
            household=self.households[plan.household] if plan.household else None,
            received_by=self.staff[plan.staff],
            received_at=plan.received_at,
            channel=plan.channel,
            consulter=plan.consulter,
            consulter_note=plan.consulter_note,
            unknown_subject=plan.unknown_subject,
            main_topic=plan.main_topic,
            life_issues=list(plan.life_issues),
            summary=plan.summary,
            urgency=plan.urgency,
            consent_to_share=plan.consent_to_share,
            outcome=plan.outcome,
            created_at=plan.received_at,
        )
        self.consultations[plan.key] = consultation_create(
            actor=self.staff[plan.staff],
            organization=self.organizations[plan.organization],
            consultation=consultation,
            topics=plan.topics,
            subjects=[self.persons[key] for key in plan.subjects],
            case_features=[self.features[name] for name in plan.case_features],
        )

    def write_referral(self, plan: ReferralPlan) -> None:
        sender = self.staff[plan.sender]
        receiver = self.staff[plan.receiver]
        sending = self.organizations[plan.from_organization]
        receiving = self.organizations[plan.to_organization]
        referral = referral_create(
            actor=sender,
            organization=sending,
            referral=Referral(
                to_organization=receiving,
                household=self.households[plan.household],
                consultation=self.consultations[plan.consultation],
                request=plan.request,
                shared_summary=plan.shared_summary,
                shared_items=list(plan.shared_items),
                sharing_basis=plan.sharing_basis,
                due_on=plan.due_on,
                created_at=plan.created_at,
            ),
            persons=[self.persons[key] for key in plan.persons],
            send=False,
        )
        for step in plan.steps:
            referral = referral_transition(
                actor=sender if step.sender else receiver,
                organization=sending if step.sender else receiving,
                referral=referral,
                to_status=step.to_status,
                version=referral.version,
                reason=step.reason,
                note=step.note,
            )
        self.backdate(referral, plan)

    def backdate(self, referral: Referral, plan: ReferralPlan) -> None:
        """Put the referral's times and history on the planned days (the services stamp "now")."""
        moments = [plan.created_at, *(step.at for step in plan.steps)]
        events = list(ReferralEvent.objects.filter(referral=referral).order_by("id"))
        for event, moment in zip(events, moments, strict=True):
            ReferralEvent.objects.filter(pk=event.pk).update(occurred_at=moment)
        answers = [s.at for s in plan.steps if not s.sender]
        closing = plan.steps[-1] if plan.steps and not referral.is_open else None
        reported = next(
            (
                s.at
                for s in reversed(plan.steps)
                if s.to_status in (Status.COMPLETED, Status.FAILED)
            ),
            None,
        )
        Referral.objects.filter(pk=referral.pk).update(
            created_at=plan.created_at,
            updated_at=moments[-1],
            sent_at=plan.steps[0].at if plan.steps else None,
            first_answered_at=answers[0] if answers else None,
            closed_at=closing.at if closing else None,
            report_back_at=reported,
        )


@transaction.atomic
def load_demo_residents(
    municipality: Municipality, *, rng_seed: int = RESIDENTS_SEED, today: date | None = None
) -> DemoResidents | None:
    """Write the demo's synthetic residents into ``municipality`` (once: ``None``
    when it already has persons), through the same services the screens use."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if Person.objects.exists():
            return None
        case_features_ensure_defaults()
        plan = plan_residents(seed=rng_seed, today=today)
        _Writer(municipality, plan).write()
        return DemoResidents(
            households=Household.objects.count(),
            persons=Person.objects.count(),
            consultations=Consultation.objects.count(),
            referrals=Referral.objects.count(),
            seconds=round(clock.monotonic() - started, 1),
        )
