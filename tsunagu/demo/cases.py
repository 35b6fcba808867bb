"""The demo ward's 多機関協働 work: cases in every stage, the monthly
福祉包括化推進部会 (a 支援会議 part and, once a case has consent, a
重層的支援会議 part in the same sitting, as 国立市 splits one sitting),
individual 支援会議 with external guests, consents, support plans with their
versions, monitoring, closure and the watch period after it.

The model household follows seed 003's flow of a 支援会議 and a 重層的支援会議:
a 民生委員 is worried about a family and talks to the CSW; the CSW asks the
coordinating section for a 支援会議, which gathers the organizations involved
(and the neighbourhood association's chairman, under a pledge) to agree how
to approach the family; the 推進部会 decides; the CSW starts visiting with the
民生委員; the head of the household, his son and his mother each agree in
their own words; the 重層的支援会議 makes a plan with a goal for each of them;
monitoring leads to a second version. The names, the wording and every other
household are synthetic.

Everything is written through the services the screens use, in the order it
happened, so that histories, rule checks and the audit trail are real. The
services stamp "now" on some fields (a case's ``stage_changed_at``, its
history's ``occurred_at``, pledges, decisions, completions, created and
updated times …). Each step runs at a planned moment in the past and what it
stamped is moved back to that moment afterwards with queryset updates: the
times a row got while a step ran are mapped to the step's moment (CaseEvent
is append-only through ``save()``; a queryset update is the demo's one way to
back-date it). The audit trail keeps the real time of loading.
"""

from __future__ import annotations

import random
import time as clock
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.accounts.models import Membership, Staff
from tsunagu.cases import services as case_services
from tsunagu.cases.models import (
    Case,
    CaseEvent,
    CaseTeamMember,
    ClosureReason,
    Consent,
    ConsentMethod,
    Grantor,
    Stage,
)
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    Consulter,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.names import SURNAMES, synthetic_name
from tsunagu.demo.residents import (
    GIVEN,
    HOKEN,
    JIRITSU,
    KIKAN,
    KODOMO,
    KOREI,
    KYOIKU,
    PROFILES,
    SEIKATSU,
    SEISAKU,
    SHAKYO,
    SHOGAI,
    ConsultationPlan,
    HouseholdPlan,
    PersonPlan,
    Plan,
    ReferralPlan,
    StepPlan,
    _Writer,
    anshin_of,
)
from tsunagu.demo.ward import CHOKAI, FIRE, MINSEI, POLICE, SCHOOL
from tsunagu.directory.models import Organization
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Kind,
    Meeting,
    QuestionnaireAnswer,
)
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship, Sex
from tsunagu.plans import services as plan_services
from tsunagu.plans.models import Decision, Monitoring, PlanGoal, Progress, SupportKind, SupportPlan
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.referrals.models import RECEIVER_HOLDS, Referral, SharedItem, SharingBasis
from tsunagu.referrals.models import Status as ReferralStatus

CASES_SEED = 3
#: The model household's case (seed 003's flow); the command prints its number.
MODEL_CASE_TITLE = "介護離職・子の高校中退と進路未定・親の介護拒否"
#: The household the demo script opens from its つなぐシート (residents.featured_household):
#: left without a case, so that the coordinator can open one during the demo.
FEATURED_ADDRESS = "デモ区富坂2-8-14"
#: The organizations of the 福祉包括化推進部会 besides the coordinating section: they
#: attend every monthly sitting, and every consent in the demo names them.
CORE = (SHAKYO, JIRITSU, SEIKATSU, KOREI, SHOGAI, KODOMO, HOKEN)
#: Who attends for each organization (and marks its tasks done).
REPRESENTATIVES = {
    SEISAKU: "demo-jimukyoku",
    SHAKYO: "demo-csw",
    JIRITSU: "demo-jiritsu-1",
    SEIKATSU: "demo-seikatsu",
    KOREI: "demo-koreifukushi",
    SHOGAI: "demo-shogaifukushi",
    KODOMO: "demo-kodomo",
    HOKEN: "demo-hoken",
    KIKAN: "demo-shogai-center",
    KYOIKU: "demo-kyoiku",
    anshin_of("富坂"): "demo-soudan",
    anshin_of("大塚"): "demo-anshin-otsuka",
    anshin_of("本富士"): "demo-anshin-honfuji",
    anshin_of("駒込"): "demo-anshin-komagome",
}
ANSHIN = "{anshin}"  # the elderly centre of the household's district
SHORT = {
    SHAKYO: "社協（CSW）", JIRITSU: "自立相談支援窓口", SEIKATSU: "生活福祉課",
    KOREI: "高齢福祉課", SHOGAI: "障害福祉課", KODOMO: "子ども家庭支援センター",
    HOKEN: "保健サービスセンター", KIKAN: "基幹相談支援センター", KYOIKU: "教育センター",
}  # fmt: skip

S, P = Kind.SUPPORT_MEETING, Kind.PLAN_MEETING
NEW, REVIEW = AgendaItem.Review.NEW, AgendaItem.Review.MONITORING
CONSULT, PARTICIPATE, OUTREACH, SERVICE, COMMUNITY = (
    SupportKind.CONSULTATION, SupportKind.PARTICIPATION, SupportKind.OUTREACH,
    SupportKind.SERVICE, SupportKind.COMMUNITY,
)  # fmt: skip


# ---------------------------------------------------------------------------
# What the meetings say about each kind of household. Placeholders: {p} parent,
# {c} child, {g} the head's parent, {h} the head, {lead} the lead organization.


@dataclass(frozen=True)
class MemberText:
    role: str
    wishes: str
    issues: str
    goal: str
    next_goal: str
    item: tuple[str, str, str, str]  # organization, content, kind, frequency
    notes: tuple[str, str, str]  # at monitoring: achieved, improving, unchanged


@dataclass(frozen=True)
class Theme:
    key: str
    titles: tuple[str, ...]
    lead: str
    team: tuple[str, ...]
    current: str
    first_policy: str
    reviews: tuple[str, ...]
    first_actions: tuple[tuple[str, str, int], ...]
    review_actions: tuple[tuple[str, str, int], ...]
    overall: str
    members: tuple[MemberText, ...]
    household_items: tuple[tuple[str, str, str, str], ...]
    evaluation: str
    withdrawal: str


THEMES = {
    theme.key: theme
    for theme in (
        Theme(
            "8050",
            ("8050・子のひきこもり・親の介護", "8050・親の介護と子の長期ひきこもり", "8050・家計の逼迫と子の就労"),
            ANSHIN, (SEIKATSU, JIRITSU, SHAKYO),
            "・{lead}が月1回訪問し、{p}の体調と介護の状況を確認している。\n・{c}とはドア越しのあいさつにとどまっている。",
            "{p}の介護サービスの調整を入口に世帯との関係を保ち、{c}への働きかけは焦らずに続ける。同意が得られるまでは支援会議で情報を共有する。",
            ("{c}が訪問時に短時間顔を見せるようになった。手紙と訪問で関係づくりを続ける。",
             "{p}の通院に{c}が付き添ったとの情報あり。{c}本人の意向を確かめる機会を探る。",
             "大きな変化はない。見守りを続け、{p}の体調の変化に注意する。"),
            ((ANSHIN, "{p}の要介護認定の結果を確認し、ケアマネジャーとサービス量を相談する", 21),
             (SEIKATSU, "{c}あての手紙（ひきこもり相談の案内）を作り、訪問時に届ける", 28),
             (SHAKYO, "担当の民生委員に見守りの協力を依頼する", 14)),
            ((SEIKATSU, "{c}と会う機会をつくるため、{lead}の訪問に同行する", 30),
             (JIRITSU, "世帯の家計の状況を確認し、使える制度を整理する", 30),
             (ANSHIN, "{p}の通院の状況を主治医に確認する", 21)),
            "{p}が介護サービスを使いながら自宅で暮らし続け、{c}が家の外の人とつながりを持てる",
            (MemberText("p", "できるだけ今の家で{c}と暮らしたい", "足腰が弱り、買い物や掃除が難しい",
                        "介護サービスを使いながら自宅での生活を続ける", "デイサービスに週2回通い、外出の機会を保つ",
                        (ANSHIN, "介護保険サービスの調整と定期訪問", SERVICE, "月1回"),
                        ("サービスの利用が定着した", "ヘルパーの利用に慣れてきた", "サービスの利用を迷っている")),
             MemberText("c", "今はそっとしておいてほしいが、先のことは不安", "長くひきこもりの状態が続き、家族以外と話す機会がない",
                        "月2回、支援員と会って話す時間をもつ", "居場所（地域の交流スペース）に月1回参加する",
                        (SEIKATSU, "ひきこもり相談支援員による訪問面談", OUTREACH, "月2回"),
                        ("支援員との面談が続き、外出もできた", "面談の約束を守れるようになった", "面談に出てこない日が多い"))),
            ((SHAKYO, "民生委員と連携した見守り", COMMUNITY, "随時"),
             (JIRITSU, "家計の見直しの相談", CONSULT, "月1回")),
            "訪問を重ねて{c}との関係ができ、{p}の介護と{c}の社会参加の両方が進んだ。今後は{lead}と居場所のスタッフが見守る。",
            "{c}から「しばらく家族だけでやってみたい」と電話があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "single_parent",
            ("ひとり親・家賃滞納・子の養育", "ひとり親・収入減と子育ての両立"),
            JIRITSU, (KODOMO, SEIKATSU),
            "・{lead}で家計の相談を続けている。\n・{c}の学校生活について、子ども家庭支援センターが学校と連絡を取っている。",
            "家賃の滞納と生活費の不足への対応を急ぐ。{c}の様子は学校と子ども家庭支援センターで見守る。",
            ("住居確保給付金の支給が始まり、当面の住まいは確保できた。就労の安定に向けた支援を続ける。",
             "{p}の勤務時間が増え、家計は少し改善した。{c}が一人で過ごす時間が長い点は引き続き見守る。",
             "{p}から、仕事と子育ての両立に疲れているとの話があった。負担を減らす方法を考える。"),
            ((JIRITSU, "住居確保給付金の申請書類をそろえ、申請を支援する", 14),
             (KODOMO, "学校に{c}の出欠と様子を確認する", 21),
             (SEIKATSU, "生活保護の要否について{p}に説明する機会をもつ", 30)),
            ((JIRITSU, "ハローワークへの同行の日程を調整する", 21),
             (KODOMO, "地域の学習支援の場を{c}に紹介する", 30),
             (JIRITSU, "家計表を{p}と一緒に見直す", 28)),
            "親子が住まいを失う心配なく暮らし、{c}が安心して学校生活を送る",
            (MemberText("p", "{c}との暮らしを安定させ、安心して働きたい", "パートの勤務が減り、家賃と生活費が足りない",
                        "家賃の滞納を解消し、安定した収入を得る", "正社員登用のある職場への転職を目指す",
                        (JIRITSU, "就労支援と家計改善支援", CONSULT, "月2回"),
                        ("家賃の滞納が解消し、勤務時間も増えた", "就職活動を続けている", "勤務時間が増えず、家計は厳しいまま")),
             MemberText("c", "放課後を友だちと同じように過ごしたい", "放課後を一人で過ごす時間が長い",
                        "放課後に安心して過ごせる居場所を見つける", "学習支援の場に週1回通い続ける",
                        (KODOMO, "学習支援・居場所の紹介と見守り", PARTICIPATE, "週1回"),
                        ("学習支援の場に通い始めた", "見学に行くことができた", "まだ一人で過ごすことが多い"))),
            ((SEIKATSU, "家計の相談と制度の案内", CONSULT, "随時"),),
            "住まいと収入が安定し、{c}も学習支援の場に通うようになった。今後は学校と子ども家庭支援センターの通常の関わりで見守る。",
            "{p}から「もう少し自分の力でやってみたい」との申し出があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "disability",
            ("障害のある本人と高齢の親・親亡き後の不安", "精神障害・就労の不安定・金銭管理"),
            KIKAN, (SHOGAI, HOKEN, SHAKYO),
            "・{lead}の相談支援専門員が月1回面談している。\n・保健師が服薬と通院の状況を確認している。",
            "本人の希望する日中の過ごし方を確かめながら、障害福祉サービスの利用につなげる。{p}の負担と将来の住まいも一緒に考える。",
            ("就労継続支援B型の見学に行くことができた。本人のペースを尊重して進める。",
             "金銭管理の支援の利用に本人が前向きになってきた。",
             "体調の波があり、通所が途切れがち。保健師と連携して様子を見る。"),
            ((KIKAN, "本人と面談し、日中の過ごし方の希望を聞き取る", 21),
             (HOKEN, "通院先と連絡を取り、服薬の状況を確認する", 21),
             (SHAKYO, "日常生活自立支援事業（金銭管理）について本人に説明する", 30)),
            ((SHOGAI, "障害福祉サービスの支給申請を受け付ける", 21),
             (KIKAN, "事業所の見学に同行する", 30),
             (SHAKYO, "地域活動支援センターの案内を本人に届ける", 30)),
            "本人が自分に合った日中の居場所と仕事を持ち、家族が将来に見通しを持てる",
            (MemberText("self", "自分に合った仕事を見つけて、長く続けたい", "体調の波があり、仕事が長続きしない。金銭管理が苦手",
                        "就労継続支援の事業所に週3回通う", "一般就労に向けて就労移行支援の利用を考える",
                        (KIKAN, "計画相談と事業所との調整", SERVICE, "月1回"),
                        ("週3回の通所が定着した", "週1〜2回は通えている", "体調が整わず通所できていない")),
             MemberText("p", "自分が元気なうちに、子の将来の暮らしの見通しを立てたい", "高齢になり、世話を続けることへの不安が強い",
                        "将来の住まい（グループホーム等）について情報を集める", "グループホームの体験利用を本人と一緒に考える",
                        (SHOGAI, "親亡き後の住まいの相談", CONSULT, "随時"),
                        ("見学先を決めることができた", "説明会に参加した", "まだ具体的に考えられていない"))),
            ((HOKEN, "保健師による訪問（服薬・通院の確認）", OUTREACH, "月1回"),
             (SHAKYO, "金銭管理の支援", SERVICE, "週1回")),
            "通所と金銭管理の支援が定着し、本人の生活が安定した。今後は{lead}の計画相談で支援を続ける。",
            "本人から「今は人に関わってほしくない」との申し出があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "poverty_single",
            ("単身・失業と住まいを失うおそれ", "単身・多重債務と体調不良", "単身・仕送りの途絶と長期の閉じこもり"),
            JIRITSU, (SEIKATSU, HOKEN, SHAKYO),
            "・{lead}の相談員が週1回面談している。\n・家賃の支払いについて管理会社と連絡を取っている。",
            "住まいと当面の生活費の確保を最優先にする。体調面は保健師が確認し、就労は本人のペースで進める。",
            ("住居確保給付金で家賃の支払いは続けられている。就職活動を支える。",
             "債務整理の手続きが始まり、本人の表情が明るくなった。",
             "面談の約束が守られないことが続いた。訪問で様子を確かめる。"),
            ((JIRITSU, "住居確保給付金と一時生活支援の利用を調整する", 10),
             (HOKEN, "本人と面談し、体調と受診の必要性を確認する", 21),
             (SHAKYO, "緊急小口資金の貸付について相談に応じる", 14)),
            ((JIRITSU, "ハローワークに同行し、求人を一緒に探す", 21),
             (SEIKATSU, "生活保護の申請について相談に応じる", 30),
             (JIRITSU, "法律相談（債務整理）の予約を支援する", 21)),
            "住まいを失わずに暮らし、本人のペースで働き続けられる",
            (MemberText("self", "住む場所を失わずに、また働けるようになりたい", "収入が途絶え、家賃を滞納している。体調もすぐれない",
                        "住まいを確保し、就職活動を続ける", "仕事を続けながら、家計を自分で管理できるようにする",
                        (JIRITSU, "就労支援・家計改善支援", CONSULT, "週1回"),
                        ("仕事が決まり、家賃の滞納も解消した", "面接を受けられるようになった", "求職活動が止まっている")),),
            ((HOKEN, "体調の確認と受診の支援", OUTREACH, "月1回"),
             (SHAKYO, "居場所・食料支援の紹介", COMMUNITY, "随時")),
            "住まいと仕事が安定し、家計も自分で管理できるようになった。困ったときは{lead}に相談できることを本人と確認した。",
            "本人から「しばらく自分で何とかしたい」と連絡があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "young_carer",
            ("ヤングケアラー・親の療養", "ヤングケアラー・きょうだいの世話と欠席の増加"),
            KODOMO, (KYOIKU, HOKEN, SHOGAI),
            "・学校から、{c}の遅刻・欠席が増えているとの情報がある。\n・{p}は通院中で、家事の多くを{c}が担っている。",
            "{c}が子どもらしく過ごせる時間を取り戻すことを目標に、{p}の療養と家事の負担を減らす支援を組み合わせる。{c}の気持ちは学校と子ども家庭支援センターが丁寧に聞く。",
            ("家事援助の利用が始まり、{c}の遅刻が減った。",
             "{p}の体調が不安定で、{c}の負担が再び増えている。",
             "{c}が学校の相談室に通い始めた。引き続き見守る。"),
            ((KODOMO, "{c}と面談し、家での役割と困りごとを聞き取る", 14),
             (KYOIKU, "学校と連携し、{c}の出欠と学習の状況を確認する", 21),
             (HOKEN, "{p}の通院と服薬の状況を確認する", 21)),
            ((SHOGAI, "{p}の家事援助（居宅介護）の支給を検討する", 30),
             (KODOMO, "子育てショートステイの利用を提案する", 21),
             (KYOIKU, "スクールソーシャルワーカーとの面談の機会をつくる", 21)),
            "{p}が安心して療養し、{c}が学校生活と自分の時間を取り戻す",
            (MemberText("p", "子どもに負担をかけずに療養したい", "体調が不安定で、家事や下の子の世話が難しい",
                        "家事援助を利用し、療養に専念できる時間をつくる", "体調に合わせて家事援助の回数を見直す",
                        (SHOGAI, "家事援助（居宅介護）", SERVICE, "週2回"),
                        ("家事援助が定着した", "家事援助を使い始めた", "体調が不安定なまま")),
             MemberText("c", "部活動や友だちとの時間をもっと持ちたい", "家事やきょうだいの世話で、遅刻や欠席が増えている",
                        "週3日は放課後を自分のために使う", "部活動に戻り、続ける",
                        (KODOMO, "子ども本人との定期面談", CONSULT, "月2回"),
                        ("部活動に戻ることができた", "遅刻が減ってきた", "家事の負担は変わっていない"))),
            ((KYOIKU, "学校との連絡調整", CONSULT, "月1回"),),
            "家事援助が定着して{c}の負担が減り、登校も安定した。今後は学校と子ども家庭支援センターが見守る。",
            "{p}から「子どものことを学校に知られたくない」との申し出があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "three_generation",
            ("三世代・高齢の親の認知症と介護負担", "三世代・介護と仕事の両立・孫の手伝い"),
            ANSHIN, (KOREI, KODOMO, SHAKYO),
            "・{lead}が{g}の介護サービスを調整している。\n・{h}は仕事を続けながら介護を担っている。",
            "{g}の介護サービスを増やし、{h}が仕事を続けられるようにする。孫が介護を担いすぎていないか学校とも確かめる。",
            ("ショートステイの利用で{h}の負担が軽くなった。",
             "{g}の認知症の症状が進み、夜間の対応が増えている。",
             "家族の話し合いが進み、介護の役割分担ができてきた。"),
            ((ANSHIN, "ケアマネジャーと{g}のサービス量の見直しを相談する", 21),
             (KODOMO, "孫の学校での様子を確認する", 30),
             (KOREI, "介護者向けの相談会を{h}に案内する", 30)),
            ((ANSHIN, "ショートステイの利用日程を調整する", 21),
             (SHAKYO, "家族会の情報を{h}に届ける", 30),
             (KOREI, "成年後見制度について家族に説明する", 45)),
            "{g}が住み慣れた家で暮らし続け、家族が無理なく介護を続けられる",
            (MemberText("g", "住み慣れた家で家族と暮らしたい", "認知症が進み、一人で過ごすことが難しくなっている",
                        "デイサービスとショートステイを組み合わせて在宅生活を続ける", "ショートステイを定期的に利用する",
                        (ANSHIN, "介護保険サービスの調整", SERVICE, "月1回"),
                        ("サービスを組み合わせた生活が定着した", "デイサービスに慣れてきた", "サービスの利用を嫌がる日が多い")),
             MemberText("h", "仕事を辞めずに親の介護を続けたい", "仕事と介護の両立で疲れがたまっている",
                        "介護休業の制度を使い、無理のない介護の体制をつくる", "家族会に参加し、同じ立場の人と話す",
                        (KOREI, "介護者支援（相談・家族会の紹介）", CONSULT, "随時"),
                        ("介護の体制が整い、仕事も続けている", "休業の手続きを始めた", "疲れが続いている"))),
            ((SHAKYO, "地域の見守り", COMMUNITY, "随時"),),
            "介護サービスと家族の役割分担が定着し、{h}も仕事を続けられている。今後は{lead}とケアマネジャーが見守る。",
            "{h}から「家族で話し合って決めたい」との申し出があり、同意を撤回。支援会議での見守りに戻す。",
        ),
        Theme(
            "hoarding",
            ("ごみ屋敷・支援拒否・近隣からの苦情", "ごみ屋敷・セルフネグレクトの疑い"),
            SHAKYO, (HOKEN, SEIKATSU),
            "・CSWが月2回訪問しているが、室内には入れてもらえていない。\n・近隣から、においと害虫についての苦情が続いている。",
            "本人が困っていることを入口に関係をつくる。片付けを急がず、訪問を重ねる。健康面の心配は保健師が確認する。",
            ("玄関先で10分ほど話ができるようになった。",
             "本人が「足が痛い」と話したため、受診の話を少しずつ進める。",
             "訪問しても応答のない日が続いた。安否の確認を優先する。"),
            ((SHAKYO, "月2回の訪問を続け、本人が困っていることを聞き取る", 30),
             (HOKEN, "CSWと同行訪問し、健康状態を確認する", 30),
             (SEIKATSU, "収入と家計の状況を確認する", 45)),
            ((SHAKYO, "片付けボランティアの受け入れについて本人に相談する", 30),
             (HOKEN, "受診について本人と話し合う", 21),
             (SHAKYO, "町会と連携し、近隣への説明の仕方を相談する", 30)),
            "本人が安全に暮らせる住まいを保ち、地域とのつながりを取り戻す",
            (MemberText("self", "自分の家のことは自分で決めたい", "室内にものがあふれ、転倒や火災の危険がある",
                        "本人の了解のもと、部屋の一部を片付けて安全に暮らせるようにする", "片付けた状態を保つため、月1回の訪問を受け入れる",
                        (SHAKYO, "訪問と片付けの支援", OUTREACH, "月2回"),
                        ("台所と寝室の片付けが終わった", "玄関まわりを片付けられた", "片付けに同意が得られていない")),),
            ((HOKEN, "健康状態の確認", OUTREACH, "月1回"),),
            "本人と片付けを進めることができ、近隣からの苦情もなくなった。今後は民生委員とCSWが見守る。",
            "本人から「もう来ないでほしい」と強い申し出があり、同意を撤回。支援会議での見守りに戻す。",
        ),
    )
}  # fmt: skip

#: The model household (seed 003): A the head, B his son, C his mother.
MODEL = Theme(
    "model",
    (MODEL_CASE_TITLE,),
    SHAKYO,
    (anshin_of("大塚"), SEIKATSU, JIRITSU),
    "・民生委員からの相談を受け、CSWが世帯の状況を確認した。\n・世帯主・長男・母のいずれとも、まだ直接は話せていない。",
    "",
    (),
    (),
    (),
    "家族それぞれが自分の望む暮らしに向けて一歩を踏み出し、世帯として安定した生活を送る",
    (
        MemberText("A", "母の介護を続けながら、日中にできる仕事をしたい。長男と母の気持ちを大切にしてほしい",
                   "母の介護のため離職し、収入がない。貯金が減ってきている",
                   "日中に働ける仕事を探すため、就職活動を始める",
                   "短時間の仕事を続けながら、母の介護と無理なく両立する",
                   (JIRITSU, "就労支援（求人の検討・面接への同行）", CONSULT, "月2回"),
                   ("平日午前のパートの仕事が決まった", "ハローワークで求人を見始めた", "求職の準備が進んでいない")),
        MemberText("B", "自分に何ができるのかを探したい", "高校を中退し、進路が決まっていない。家族以外と話す機会が少ない",
                   "自分にできることを探すため、ひきこもり相談窓口に通い始める",
                   "居場所での活動を続け、短時間のボランティアに挑戦する",
                   (SEIKATSU, "ひきこもり相談窓口での面談", CONSULT, "月2回"),
                   ("窓口の紹介で居場所に通い始めた", "窓口に月2回通っている", "窓口に行けていない")),
        MemberText("C", "子や孫にいつまでも負担をかけたくない", "介護サービスの利用を断ってきた。日中は一人で過ごす時間が長い",
                   "日中の介護サービスの利用について、家族と一緒に考える",
                   "デイサービスに週2回通い、日中を家族以外の人と過ごす",
                   (anshin_of("大塚"), "要介護認定の申請とデイサービスの調整", SERVICE, "月1回"),
                   ("週2回のデイサービスの利用が始まった", "デイサービスの見学に行った", "サービスの話を避けている")),
    ),
    ((SHAKYO, "訪問による見守りと全体の調整（民生委員と連携）", OUTREACH, "月2回"),),
    "",
    "",
)  # fmt: skip

NOTE_TO_THEME = {note: p.key for p in PROFILES for note in p.notes if p.key in THEMES}

ACTION_RESULTS = (
    "対応し、結果を事務局に報告した。",
    "実施した。次回の会議で経過を報告する。",
    "本人と会うことができ、状況を確認した。",
    "関係機関と調整し、対応を終えた。",
)
COMMENTS = (
    "",
    "",
    "事前の準備シートがあり、短い時間で論点を共有できた。",
    "他機関の動きがわかり、自機関の役割がはっきりした。",
    "検討件数が多く、1件あたりの時間が足りなかった。",
    "資料を事前に読めるとありがたい。",
    "同行訪問の調整がその場でできてよかった。",
)
PLACES = (
    "区役所5階 会議室A",
    "区役所5階 会議室B",
    "社会福祉協議会 会議室",
    "区役所5階 会議室A（オンライン併用）",
)


class _Words(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "家族"


def _say(text: str, words: dict[str, str]) -> str:
    return text.format_map(_Words(words))


# ---------------------------------------------------------------------------
# The plan: stories of cases and the sittings they pass through.


@dataclass
class _Action:
    owner: str
    content: str
    due: date
    done: datetime | None = None
    result: str = ""
    action_id: int | None = None


@dataclass
class _Story:
    key: str
    stage: str
    household: Household
    theme: Theme
    roles: dict[str, Person]
    words: dict[str, str]
    title: str
    lead: str
    team: tuple[str, ...]
    opened: date
    referral: Referral | None = None
    case_id: int | None = None
    reviews: int = 0
    ready: datetime | None = None
    ended: datetime | None = None
    actions: list[_Action] = field(default_factory=list)


@dataclass
class _Item:
    story: _Story
    kind: str
    review: str
    policy: str = ""
    roles: str = ""
    lead: str | None = None
    actions: list[_Action] = field(default_factory=list)
    brief: str = ""
    after: Callable[[AgendaItem], None] | None = None
    ready: datetime | None = None
    item_id: int | None = None


@dataclass
class _Sitting:
    key: str
    title: str
    day: date
    held: bool
    monthly: bool
    place: str
    starts: time = time(14, 0)
    ends: time = time(16, 0)
    items: list[_Item] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    guests: list[tuple[str, str]] = field(default_factory=list)  # invited: accounts made now
    named: list[tuple[str, str]] = field(default_factory=list)  # attend without an account
    accounts: list[tuple[str, str]] = field(default_factory=list)  # existing guest accounts
    observers: list[tuple[str, str]] = field(default_factory=list)  # (organization, username)
    questionnaire: bool = False
    meeting_id: int | None = None

    @property
    def kinds(self) -> list[str]:
        kinds = [S] if self.monthly or any(i.kind == S for i in self.items) else []
        return [str(k) for k in kinds] + ([str(P)] if any(i.kind == P for i in self.items) else [])


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


@dataclass(frozen=True)
class DemoCases:
    """What was loaded, and how long it took."""

    cases: int
    meetings: int
    plans: int
    model_case: str
    seconds: float


def _third_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def _reiwa_title(day: date) -> str:
    fiscal = day.year if day.month >= 4 else day.year - 1
    number = (day.month - 4) % 12 + 1
    return f"令和{fiscal - 2018}年度 第{number}回 福祉包括化推進部会"


def _sex_word(person: Person, female: str, male: str) -> str:
    return female if person.sex == Sex.FEMALE else male


class _Planner:
    def __init__(self, municipality: Municipality, today: date, seed: int) -> None:
        self.municipality = municipality
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.rng = random.Random(seed)
        self.zone = timezone.get_default_timezone()
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.staff = {s.username: s for s in Staff.objects.all()}
        self.coordinator = self.staff["demo-jimukyoku"]
        self.host = self.organizations[SEISAKU]
        self.steps: list[_Step] = []
        self.stories: list[_Story] = []
        self.sittings: list[_Sitting] = []
        self.monthly = self._monthly_sittings()
        held = [i for i, s in enumerate(self.monthly) if s.held]
        self.last = held[-1]  # the last monthly sitting held
        self.upcoming = self.last + 1
        self.model_story: _Story | None = None
        #: Set by the steps that may have stamped a date with today (see run()).
        self.dated = False
        #: The next individual 支援会議 and the new case it is about.
        self.soon: _Sitting | None = None
        self.newcomer: _Story | None = None

    # -- time --------------------------------------------------------------

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        moment = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        latest = datetime.combine(self.yesterday, time(17, 30), tzinfo=self.zone)
        return min(moment, latest)

    def weekday(self, first: date, last: date | None = None) -> date:
        """A working day between ``first`` and ``last`` (``first`` itself when none is)."""
        last = last or first
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        working = [d for d in days if d.weekday() < 5] or [first]
        return self.rng.choice(working)

    def step(self, moment: datetime, run: Callable[[], None]) -> None:
        self.steps.append(_Step(moment, len(self.steps), run))

    def _monthly_sittings(self) -> list[_Sitting]:
        earliest = self.today - timedelta(days=505)
        year, month = earliest.year, earliest.month
        sittings: list[_Sitting] = []
        while True:
            day = _third_thursday(year, month)
            if day >= earliest:
                if day > self.today + timedelta(days=200):
                    break
                sittings.append(
                    _Sitting(
                        key=f"m{len(sittings)}",
                        title=_reiwa_title(day),
                        day=day,
                        held=day < self.today,
                        monthly=True,
                        place=PLACES[len(sittings) % len(PLACES)],
                        questionnaire=len(sittings) % 2 == 0,
                    )
                )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return sittings

    def next_monthly(self, after: date, gap: int = 10) -> int:
        return next(i for i, s in enumerate(self.monthly) if s.day >= after + timedelta(days=gap))

    # -- households ---------------------------------------------------------

    def cast(
        self, theme: str, household: Household
    ) -> tuple[dict[str, Person], dict[str, str]] | None:
        """Who is who in ``household`` for ``theme``'s texts (None: it does not fit)."""
        members = [
            (m.person, m.relationship)
            for m in HouseholdMembership.objects.filter(household=household, ended_on=None)
            .select_related("person")
            .order_by("id")
        ]
        by = defaultdict(list)
        for person, relationship in members:
            by[relationship].append(person)

        def age(person: Person) -> int:
            return int(person.age_on(self.today) or 0) if person.birth_date else 0

        heads = by[Relationship.HEAD]
        if len(heads) != 1:
            return None
        head = heads[0]
        children = sorted(by[Relationship.CHILD], key=lambda p: p.birth_date or self.today)
        words: dict[str, str] = {}
        roles: dict[str, Person] = {}
        if theme == "8050":
            adults = [c for c in children if age(c) >= 25]
            if age(head) < 65 or not adults:
                return None
            roles = {"p": head, "c": adults[0]}
        elif theme == "single_parent":
            if not children or age(head) >= 60:
                return None
            roles = {"p": head, "c": children[0]}
        elif theme == "young_carer":
            carers = [c for c in children if 12 <= age(c) <= 17]
            if not carers:
                return None
            roles = {"p": head, "c": carers[0]}
        elif theme == "disability":
            adults = [c for c in children if age(c) >= 18]
            roles = {"self": adults[0], "p": head} if adults else {"self": head}
        elif theme in ("poverty_single", "hoarding"):
            if len(members) != 1:
                return None
            roles = {"self": head}
        elif theme == "three_generation":
            parents = by[Relationship.PARENT]
            if not parents:
                return None
            roles = {"g": parents[0], "h": head}
            words["g"] = _sex_word(parents[0], "実母", "実父")
            words["h"] = "世帯主"
        else:
            return None
        if "p" in roles:
            words["p"] = _sex_word(roles["p"], "母", "父")
        if "c" in roles:
            words["c"] = _sex_word(roles["c"], "長女", "長男")
        words["self"] = "本人"
        return roles, words

    def story(
        self,
        key: str,
        stage: str,
        household: Household,
        theme: Theme,
        opened: date,
        cast: tuple[dict[str, Person], dict[str, str]],
        referral: Referral | None = None,
        title: str | None = None,
    ) -> _Story:
        district = household.district.name if household.district else "富坂"
        anshin = anshin_of(district)

        def resolve(name: str) -> str:
            return anshin if name == ANSHIN else name

        lead = resolve(theme.lead)
        roles, words = cast
        words = dict(words) | {"lead": SHORT.get(lead, lead.removeprefix("高齢者"))}
        story = _Story(
            key=key,
            stage=stage,
            household=household,
            theme=theme,
            roles=roles,
            words=words,
            title=title or self.rng.choice(theme.titles),
            lead=lead,
            team=tuple(dict.fromkeys(resolve(t) for t in theme.team if resolve(t) != lead)),
            opened=opened,
            referral=referral,
        )
        self.stories.append(story)
        return story

    def resolve(self, story: _Story, name: str) -> str:
        if name == ANSHIN:
            district = story.household.district.name if story.household.district else "富坂"
            return anshin_of(district)
        return name

    # -- what happens to a case (steps in the story's order) ----------------

    def _after(self, story: _Story, moment: datetime) -> datetime:
        if story.ready is not None and moment <= story.ready:
            moment = story.ready + timedelta(minutes=5)
        story.ready = moment
        return moment

    def open(self, story: _Story, assessment: bool = True) -> None:
        moment = self._after(story, self.at(story.opened, 10, 30))
        self.step(moment, lambda: self._open(story))
        if assessment:
            day = self.weekday(story.opened + timedelta(days=3), story.opened + timedelta(days=7))
            moment = self._after(story, self.at(min(day, self.yesterday), 11, 0))
            self.step(moment, lambda: self._transition(story, Stage.ASSESSMENT))

    def transition(self, story: _Story, day: date, stage: str, **fields: Any) -> None:
        moment = self._after(story, self.at(day, 15, 30))
        if stage in (Stage.CLOSED, Stage.COMPLETED):
            story.ended = moment
        self.step(moment, lambda: self._transition(story, stage, **fields))

    def consent(
        self,
        story: _Story,
        day: date,
        *,
        grantor: str | None = None,
        members: tuple[str, ...] | None = None,
        method: str = ConsentMethod.WRITTEN,
        obtained_by: str | None = None,
        note: str = "",
        organizations: tuple[str, ...] = (),
        advance: bool = True,
    ) -> None:
        moment = self._after(story, self.at(day, 16, 0))
        grantor = grantor or next(r for r in ("self", "p", "h", "g") if r in story.roles)
        members = members or tuple(story.roles)
        named = organizations or tuple(dict.fromkeys((*CORE, story.lead, *story.team)))
        note = note or _say("{lead}の職員が説明し、{method}で同意を得た。", story.words | {
            "method": "書面" if method == ConsentMethod.WRITTEN else "口頭"})  # fmt: skip
        self.step(
            moment,
            lambda: self._consent(
                story,
                day,
                grantor,
                members,
                method,
                obtained_by or story.lead,
                note,
                named,
                advance,
            ),
        )

    def withdraw(self, story: _Story, day: date) -> None:
        moment = self._after(story, self.at(day, 11, 30))
        self.step(moment, lambda: self._withdraw(story, _say(story.theme.withdrawal, story.words)))

    def next_action(self, story: _Story, day: date, text: str, on: date | None) -> None:
        moment = self._after(story, self.at(day, 17, 0))
        self.step(moment, lambda: self._next_action(story, text, on))

    def settle(self, story: _Story, text: str, on: date | None) -> None:
        """The case's next action as it stands today (none once it has ended)."""
        assert story.ready is not None
        day = min(story.ready.date() + timedelta(days=1), self.yesterday)
        self.next_action(story, day, text, on)

    def item(
        self, sitting: _Sitting, story: _Story, kind: str, review: str, **fields: Any
    ) -> _Item:
        item = _Item(story=story, kind=kind, review=review, ready=story.ready, **fields)
        sitting.items.append(item)
        if sitting.held:
            story.ready = self.at(sitting.day, sitting.starts.hour + 1, 50)
        return item

    def actions(
        self, story: _Story, specs: tuple[tuple[str, str, int], ...], day: date
    ) -> list[_Action]:
        found = []
        for owner, content, days in specs:
            action = _Action(
                owner=self.resolve(story, owner),
                content=_say(content, story.words),
                due=day + timedelta(days=days),
            )
            finished = day + timedelta(days=self.rng.randint(5, days + 5))
            if finished < self.yesterday and self.rng.random() < 0.88:
                action.done = self.at(self.weekday(finished), self.rng.randint(9, 16), 30)
                action.result = self.rng.choice(ACTION_RESULTS)
            found.append(action)
        story.actions.extend(found)
        return found

    def support_review(self, story: _Story, sitting: _Sitting, *, policy: str = "") -> _Item:
        """The case on a 支援会議 part: new the first time, then monitoring."""
        first = story.reviews == 0
        theme = story.theme
        if first:
            specs = theme.first_actions
            policy = policy or _say(theme.first_policy, story.words)
        else:
            rotation = list(theme.review_actions)
            start = (story.reviews - 1) % len(rotation)
            specs = tuple((rotation * 2)[start : start + self.rng.choice((1, 2))])
            policy = policy or _say(
                theme.reviews[(story.reviews - 1) % len(theme.reviews)], story.words
            )
        story.reviews += 1
        if not sitting.held:
            return self.item(sitting, story, S, NEW if first else REVIEW)
        actions = self.actions(story, specs, sitting.day)
        if story.lead not in CORE and sitting.monthly:
            sitting.organizations.append(story.lead)
        return self.item(
            sitting, story, S, NEW if first else REVIEW,
            policy=policy, lead=story.lead, actions=actions,
            roles=self.roles_text(actions),
            brief=_say(theme.current, story.words) if first else "",
        )  # fmt: skip

    def roles_text(self, actions: list[_Action]) -> str:
        return "\n".join(f"・{SHORT.get(a.owner, a.owner)}: {a.content}" for a in actions)

    def plan_parts(
        self, story: _Story, second: bool
    ) -> tuple[list[plan_services.MemberPart], list[plan_services.ItemPart]]:
        members, items = [], []
        for text in story.theme.members:
            person = story.roles.get(text.role)
            if person is None:
                continue
            members.append(
                plan_services.MemberPart(
                    person=person,
                    wishes=_say(text.wishes, story.words),
                    issues=_say(text.issues, story.words),
                    goals=[_say(text.next_goal if second else text.goal, story.words)],
                )
            )
            owner, content, kind, frequency = text.item
            items.append(self.item_part(story, owner, content, kind, frequency, person))
        for owner, content, kind, frequency in story.theme.household_items:
            items.append(self.item_part(story, owner, content, kind, frequency, None))
        if second:
            # The next version brings the younger one into a place in the community (参加支援).
            role = next(r for r in ("B", "c", "self", "h", "g", "p", "A") if r in story.roles)
            person = story.roles[role]
            items.append(self.item_part(
                story, SHAKYO, "地域の居場所・活動への参加の支援（見学への同行）", PARTICIPATE, "月1回", person
            ))  # fmt: skip
        return members, items

    def item_part(
        self,
        story: _Story,
        owner: str,
        content: str,
        kind: str,
        frequency: str,
        person: Person | None,
    ) -> plan_services.ItemPart:
        return plan_services.ItemPart(
            organization=self.organizations[self.resolve(story, owner)],
            content=_say(content, story.words),
            kind=kind,
            person=person,
            frequency=frequency,
        )

    def plan_meeting(
        self, story: _Story, sitting: _Sitting, next_monitoring: date, *, review: str = NEW
    ) -> _Item:
        """The 重層的支援会議 confirms the plan (first version, or the draft made before)."""
        if not sitting.held:
            return self.item(sitting, story, P, review)
        policy = _say(
            "支援プラン（第1版）を確認した。各機関が役割分担に沿って支援を始める。", story.words
        )
        _members, parts = self.plan_parts(story, second=False)
        roles = "\n".join(
            f"・{SHORT.get(p.organization.name, p.organization.name)}: {p.content}" for p in parts
        )
        plan_day = sitting.day

        def after(item: AgendaItem) -> None:
            self._plan(story, item, plan_day, next_monitoring, second=False)

        if story.lead not in CORE:
            sitting.organizations.append(story.lead)
        return self.item(
            sitting, story, P, review, policy=policy, roles=roles, lead=story.lead, after=after
        )

    def monitoring(
        self,
        story: _Story,
        sitting: _Sitting,
        decision: str,
        next_monitoring: date | None,
        *,
        closure: str = ClosureReason.GOALS_MET,
    ) -> _Item:
        if not sitting.held:
            return self.item(sitting, story, P, REVIEW)
        progress: dict[str, str] = {}
        for n, role in enumerate(story.roles):
            if decision == Decision.CONTINUE:
                progress[role] = (
                    Progress.IMPROVING if n == 0 or self.rng.random() < 0.6 else Progress.UNCHANGED
                )
            elif decision == Decision.REPLAN:
                progress[role] = Progress.ACHIEVED if n == 0 else Progress.IMPROVING
            else:
                progress[role] = (
                    Progress.ACHIEVED if n == 0 or self.rng.random() < 0.6 else Progress.IMPROVING
                )
        texts = {t.role: t for t in story.theme.members}
        level: dict[str, int] = {Progress.ACHIEVED: 0, Progress.IMPROVING: 1, Progress.UNCHANGED: 2}
        notes = {
            role: _say(texts[role].notes[level[value]], story.words)
            for role, value in progress.items()
            if role in texts
        }
        summary = "。".join(f"{story.words.get(r, '本人')}: {n}" for r, n in notes.items()) + "。"
        if decision == Decision.REPLAN:
            summary += "目標の一部を達成したため、次の段階の目標でプランを作り直す。"
        elif decision == Decision.CLOSE:
            summary += "各機関の通常の支援で足りると判断し、終結とする。"
        else:
            summary += "現在のプランで支援を継続する。"
        day = sitting.day

        def after(item: AgendaItem) -> None:
            self._monitor(
                story, item, day, decision, summary, progress, notes, next_monitoring, closure
            )

        if story.lead not in CORE:
            sitting.organizations.append(story.lead)
        item = self.item(sitting, story, P, REVIEW, policy=summary, lead=story.lead, after=after)
        if decision == Decision.CLOSE:
            story.ended = self.at(day, 16, 0)
        return item

    # -- stories, by the stage the case is in today -------------------------

    def reviews_until(
        self, story: _Story, first: int, until: date, gap: tuple[int, ...] = (2, 2, 3)
    ) -> int:
        """Support reviews from monthly sitting ``first`` every few months while before ``until``;
        returns the index of the last one."""
        index, last = first, first
        while index <= self.last and self.monthly[index].day < until:
            self.support_review(story, self.monthly[index])
            last = index
            index += self.rng.choice(gap)
        return last

    def arc(self, story: _Story, first: int, end: int, ending: str) -> int:
        """From the first review to a plan and its monitoring up to monthly sitting ``end``.
        ``ending``: continue (monitoring goes on), replan, close or due (monitoring due now).
        Returns the index of the monthly sitting of the next monitoring."""
        room = end - first
        before = 0 if room < 6 else self.rng.randint(0, min(2, (room - 4) // 3))
        last = first
        for n in range(before + 1):
            last = first + 2 * n
            self.support_review(story, self.monthly[last])
        consent_day = self.weekday(
            self.monthly[last].day + timedelta(days=6), self.monthly[last].day + timedelta(days=13)
        )
        self.consent(story, consent_day)
        plan_index = self.next_monthly(consent_day, 10)
        if ending in ("replan", "close"):
            plan_index = min(plan_index, end - 1)
        assert plan_index > last, story.key
        gap = 3 if end - plan_index >= 6 else 2
        monitorings = list(range(plan_index + gap, end + 1, gap))
        if ending in ("replan", "close") and (not monitorings or monitorings[-1] != end):
            monitorings = [m for m in monitorings if m < end] + [end]
        if ending == "due":
            monitorings = [m for m in monitorings if m <= self.last]
        steps = [plan_index, *monitorings]
        for n, index in enumerate(steps):
            sitting = self.monthly[index]
            following = steps[n + 1] if n + 1 < len(steps) else index + gap
            if ending == "due" and n == len(steps) - 1:
                next_day = self.today - timedelta(days=self.rng.randint(3, 8))
                if next_day <= sitting.day:
                    next_day = sitting.day + timedelta(days=7)
            else:
                next_day = self.monthly[min(following, len(self.monthly) - 1)].day
            if n == 0:
                self.plan_meeting(story, sitting, next_day)
            elif n == len(steps) - 1 and ending == "replan":
                # 再プラン decided; the next version is still being written.
                self.monitoring(story, sitting, Decision.REPLAN, None)
            elif n == len(steps) - 1 and ending == "close":
                self.monitoring(story, sitting, Decision.CLOSE, None)
            else:
                self.monitoring(story, sitting, Decision.CONTINUE, next_day)
        return steps[-1] + gap

    def plan_story(self, story: _Story, first: int) -> None:
        """Plan ``story`` to end in its stage today; its first review is monthly sitting ``first``."""
        L, rng = self.last, self.rng
        upcoming = self.monthly[self.upcoming]
        stage = story.stage
        self.open(story, assessment=stage != "intake")
        if stage in ("intake", "assessment"):
            sitting = self.soon if story is self.newcomer and self.soon else upcoming
            if sitting is not upcoming or rng.random() < 0.5:
                self.support_review(story, sitting)
            self.settle(story, "支援会議に向けて準備シートを作成する", sitting.day)
            return
        if stage == "meeting_review":
            last = self.reviews_until(story, first, self.today)
            if last + 2 == self.upcoming:
                self.support_review(story, upcoming)
            self.settle(
                story, "訪問による関係づくりを続け、次回の推進部会で経過を確認", upcoming.day
            )
        elif stage == "withdrawn":
            self.support_review(story, self.monthly[first])
            given = self.weekday(
                self.monthly[first].day + timedelta(days=8),
                self.monthly[first].day + timedelta(days=14),
            )
            self.consent(story, given)
            taken_back = self.weekday(given + timedelta(days=15), given + timedelta(days=25))
            self.withdraw(story, taken_back)
            again = self.next_monthly(taken_back, 7)
            if again <= L:
                self.reviews_until(story, again, self.today)
            else:
                self.support_review(story, upcoming)
            self.settle(story, "同意の撤回を受け、支援会議として見守りの方針を確認", upcoming.day)
        elif stage in ("consented", "planning"):
            given = self.weekday(self.today - timedelta(days=12), self.today - timedelta(days=3))
            self.reviews_until(story, first, given - timedelta(days=8))
            self.consent(story, given)
            if stage == "planning":
                drafted = self.weekday(given + timedelta(days=1), self.yesterday)
                self.step(self._after(story, self.at(drafted, 15, 0)), lambda: self._draft(story))
            self.plan_meeting(story, upcoming, upcoming.day)
            self.settle(story, "重層的支援会議で支援プラン（案）を検討する", upcoming.day)
        elif stage == "replanning":
            self.arc(story, first, L, "replan")
            self.monitoring(story, upcoming, Decision.REPLAN, None)
            self.settle(
                story, "再プラン（第2版）の案を作り、重層的支援会議で確認する", upcoming.day
            )
        elif stage == "supporting":
            if self.arc(story, first, L, "continue") == self.upcoming:
                self.monitoring(story, upcoming, Decision.CONTINUE, None)
        elif stage == "monitoring":
            self.arc(story, first, L, "due")
            due = self.today - timedelta(days=rng.randint(1, 2))
            self.transition(
                story, max(due, self.monthly[L].day + timedelta(days=1)), Stage.MONITORING
            )
            self.monitoring(story, upcoming, Decision.CONTINUE, None)
        elif stage == "closed_goals":
            self.arc(story, first, L - rng.randint(0, 1), "close")
        elif stage == "closed_moved":
            last = self.reviews_until(story, first, self.today - timedelta(days=20))
            day = self.weekday(self.monthly[last].day + timedelta(days=7), self.yesterday)
            self.transition(
                story, day, Stage.CLOSED, closure_reason=ClosureReason.MOVED,
                evaluation="世帯が区外へ転居したため終結。本人の了解を得て、転居先の相談窓口に経過を引き継いだ。",
            )  # fmt: skip
        elif stage in ("follow_up", "follow_up_overdue"):
            overdue = stage == "follow_up_overdue"
            end = L - (rng.randint(4, 5) if overdue else rng.randint(1, 3))
            self.arc(story, first, end, "close")
            closed = self.monthly[end].day
            watched = self.weekday(closed + timedelta(days=3), closed + timedelta(days=8))
            until = (
                self.today - timedelta(days=rng.randint(5, 15))
                if overdue
                else closed + timedelta(days=180)
            )
            self.transition(story, watched, Stage.FOLLOW_UP, follow_up_until=until,
                            note="終結後、半年間は民生委員と主担当機関が様子を見守る。")  # fmt: skip
        elif stage in ("completed", "completed_direct"):
            end = max(L - rng.randint(4, 6), first + 2)
            self.arc(story, first, end, "close")
            closed = self.monthly[end].day
            if stage == "completed_direct":
                done = self.weekday(closed + timedelta(days=10), closed + timedelta(days=20))
                self.transition(
                    story,
                    done,
                    Stage.COMPLETED,
                    note="他の制度による支援に移行したため、経過観察は置かずに完了とする。",
                )
            else:
                watched = self.weekday(closed + timedelta(days=3), closed + timedelta(days=8))
                until = closed + timedelta(days=rng.randint(90, 110))
                self.transition(story, watched, Stage.FOLLOW_UP, follow_up_until=until,
                                note="終結後、3か月間は主担当機関が様子を見守る。")  # fmt: skip
                done = self.weekday(until + timedelta(days=1), until + timedelta(days=5))
                self.transition(story, min(done, self.yesterday), Stage.COMPLETED,
                                note="経過観察の期間中、新たな課題は見られなかったため完了とする。")  # fmt: skip
        else:  # pragma: no cover - every stage is planned above
            raise ValueError(stage)
        if stage in ("closed_goals", "closed_moved", "completed", "completed_direct"):
            self.settle(story, "", None)

    # -- the model household (seed 003) ---------------------------------------

    def model_household(self) -> _Story:
        rng, L = self.rng, self.last
        start = L - 13
        support_day = self.monthly[start].day - timedelta(days=6)  # a Friday
        heard = support_day - timedelta(days=17)
        surname = rng.choice([s for s in SURNAMES if s[0] != "高橋"])

        def given(sex: str, era: str) -> tuple[str, str]:
            return rng.choice(GIVEN[(sex, era)])

        def born(age: int) -> date:
            return date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))

        def member(
            key: str, sex: str, era: str, age: int, relationship: str, phone: str = ""
        ) -> PersonPlan:
            name, reading = given(sex, era)
            return PersonPlan(
                key,
                surname[0],
                name,
                surname[1],
                reading,
                sex,
                born(age),
                relationship,
                phone=phone,
            )

        a = member("model-a", Sex.MALE, "mid", 52, Relationship.HEAD, "090-0000-3003")
        b = member("model-b", Sex.MALE, "young", 18, Relationship.CHILD)
        c = member("model-c", Sex.FEMALE, "old", 81, Relationship.PARENT)
        household = HouseholdPlan(
            key="model", profile="8050", organization=SHAKYO, staff="demo-csw", district="大塚",
            address="デモ区大塚4-17-3", phone=a.phone,
            note="世帯主（50代）と長男（10代）、世帯主の母（80代）の三人暮らし。世帯主は母の介護のため離職し、現在は無職。",
            registered_at=self.at(heard, 10, 20), members=[a, b, c], subjects=[a.key, b.key, c.key],
        )  # fmt: skip
        otsuka = anshin_of("大塚")
        subjects = (a.key, b.key, c.key)
        T, LI, CH, CO = Topic, LifeIssue, Channel, Consulter

        def consultation(
            key: str,
            moment: datetime,
            organization: str,
            staff: str,
            channel: str,
            consulter: str,
            note: str,
            main: str,
            topics: tuple[str, ...],
            life: tuple[str, ...],
            features: tuple[str, ...],
            summary: str,
            consent: str,
            outcome: str,
            who: tuple[str, ...] = subjects,
        ) -> ConsultationPlan:
            return ConsultationPlan(
                key=key, organization=organization, staff=staff, received_at=moment, channel=channel,
                consulter=consulter, consulter_note=note, household="model", subjects=who,
                unknown_subject="", main_topic=main, topics=topics, life_issues=life,
                case_features=features, summary=summary, urgency=Urgency.NORMAL,
                consent_to_share=consent, outcome=outcome,
            )  # fmt: skip

        month = self.monthly
        visit = support_day + timedelta(days=5)
        meet_b = month[start].day + timedelta(days=13)
        meet_c = month[start].day + timedelta(days=27)
        consent_b = month[start + 2].day + timedelta(days=8)
        consent_c = consent_b + timedelta(days=1)
        consent_a = consent_b + timedelta(days=4)
        plan_day = month[start + 2].day + timedelta(days=21)
        not_yet, agreed = ConsentToShare.NOT_OBTAINED, ConsentToShare.OBTAINED
        features = ("支援拒否・困り感なし", "生活困窮", "就労")
        escalated = self.at(heard + timedelta(days=6), 11, 10)
        consultations = [
            consultation(
                "model-c1", household.registered_at, SHAKYO, "demo-csw", CH.PHONE, CO.MINSEI_IIN,
                "担当地区の民生委員", T.CARE, (T.WITHDRAWAL, T.INCOME, T.JOB_SEARCH),
                (LI.CARE, LI.EMPLOYMENT, LI.EDUCATION, LI.ISOLATION), features,
                "民生委員より電話。担当地区の三人世帯（世帯主50代・長男10代・世帯主の母80代）のことが気にかかるが、"
                "どこにつなげばよいかわからないとのこと。世帯主は母の介護のために仕事を辞め、今は収入がないらしい。"
                "長男は高校をやめてから家で過ごすことが多い。母は介護サービスを勧められても断っているという。"
                "民生委員と一緒に訪問できる機会を探ることとした。",
                not_yet, Outcome.CONTINUE_HERE,
            ),
            consultation(
                "model-c2", escalated, SHAKYO, "demo-csw", CH.FROM_ORGANIZATION, CO.ORGANIZATION,
                otsuka, T.CARE, (T.WITHDRAWAL, T.INCOME), (LI.CARE, LI.EMPLOYMENT, LI.EDUCATION), features,
                "あんしん相談センター大塚に確認したところ、母は以前に要介護認定の申請を勧められたが断っていたとのこと。"
                "世帯主の離職と収入、長男の進路、母の介護と課題が重なっており、一つの機関では対応が難しい。"
                "世帯の同意はまだ得られていないため、多機関協働事務局（福祉政策課）に相談し、支援会議での検討を依頼する。",
                not_yet, Outcome.ESCALATE,
            ),
            consultation(
                "model-c3", self.at(visit, 10, 0), SHAKYO, "demo-csw", CH.HOME_VISIT, CO.SELF, "",
                T.JOB_SEARCH, (T.CARE, T.INCOME), (LI.EMPLOYMENT, LI.CARE), ("生活困窮", "就労"),
                "民生委員と同行して自宅を訪問し、世帯主と面談。母の介護のために退職し、貯金を取り崩して暮らしているとのこと。"
                "「働きたい気持ちはあるが、自分に何ができるのかわからない」と話す。就労の相談ができる窓口があることを伝えた。"
                "2週間後に再び訪問する。",
                not_yet, Outcome.CONTINUE_HERE, (a.key,),
            ),
            consultation(
                "model-c4", self.at(meet_b, 16, 0), SHAKYO, "demo-csw", CH.HOME_VISIT, CO.SELF, "",
                T.WITHDRAWAL, (T.JOB_SEARCH,), (LI.EDUCATION, LI.ISOLATION, LI.PARTICIPATION), (),
                "自宅を訪問し、長男と初めて一対一で話ができた。高校をやめてからは自室で過ごすことが多く、"
                "「自分に何ができるのか探してみたい」と話す。ひきこもりの相談窓口があることを伝えると、関心を示した。",
                not_yet, Outcome.CONTINUE_HERE, (b.key,),
            ),
            consultation(
                "model-c5", self.at(meet_c, 14, 0), otsuka, "demo-anshin-otsuka", CH.HOME_VISIT, CO.SELF, "",
                T.CARE, (T.FAMILY,), (LI.CARE, LI.CARE_PREVENTION), ("支援拒否・困り感なし",),
                "CSWと同行して訪問し、母と面談。「子や孫にいつまでも負担をかけてはいられない」と話し、"
                "日中だけのサービスなら考えてもよいとのこと。要介護認定の申請について改めて説明した。",
                not_yet, Outcome.CONTINUE_HERE, (c.key,),
            ),
            consultation(
                "model-c6", self.at(consent_a, 15, 0), SHAKYO, "demo-csw", CH.HOME_VISIT, CO.SELF, "",
                T.FAMILY, (T.CARE, T.JOB_SEARCH, T.WITHDRAWAL), (LI.CARE, LI.EMPLOYMENT, LI.EDUCATION), (),
                "世帯主・長男・母それぞれに個別に意向を確かめたうえで、世帯主から支援プランの作成と関係機関での情報共有に"
                "書面で同意を得た。世帯主からは「長男と母の気持ちを大切にしてほしい」との希望があった。",
                agreed, Outcome.CONTINUE_HERE,
            ),
            consultation(
                "model-c7", self.at(plan_day + timedelta(days=12), 10, 30), JIRITSU, "demo-jiritsu-1", CH.VISIT_WINDOW,
                CO.SELF, "", T.JOB_SEARCH, (T.INCOME,), (LI.EMPLOYMENT,), ("就労",),
                "世帯主が来所。CSWからの紹介。介護と両立できるよう、平日の日中に働ける求人を一緒に探した。"
                "次回はハローワークに同行する。",
                agreed, Outcome.CONTINUE_HERE, (a.key,),
            ),
            consultation(
                "model-c8", self.at(plan_day + timedelta(days=16), 14, 0), SEIKATSU, "demo-seikatsu", CH.VISIT_WINDOW,
                CO.SELF, "", T.WITHDRAWAL, (), (LI.EDUCATION, LI.PARTICIPATION), (),
                "長男がCSWと一緒に来所。ひきこもり相談窓口の初回面談。好きなことや得意なことを話してもらった。"
                "月2回の面談を続けることとした。",
                agreed, Outcome.CONTINUE_HERE, (b.key,),
            ),
        ]  # fmt: skip
        sent = escalated + timedelta(hours=3)
        accepted = self.at(heard + timedelta(days=7), 9, 40)
        replanned = month[L - 3].day
        referral = ReferralPlan(
            key="model-r", consultation="model-c2", from_organization=SHAKYO, to_organization=SEISAKU,
            sender="demo-csw", receiver="demo-jimukyoku", household="model", persons=subjects,
            request="課題が重なり一つの機関では対応が難しいため、支援会議での検討をお願いしたい。世帯の同意はまだ得られていない。",
            shared_summary="世帯主（50代）は母の介護のため離職して無職、長男（10代）は高校中退後に進路が決まっていない、"
            "母（80代）は年金で暮らし介護サービスを断っている。支援会議の構成員として共有します。",
            shared_items=(SharedItem.IDENTITY, SharedItem.HOUSEHOLD, SharedItem.CONSULTATION),
            sharing_basis=SharingBasis.SUPPORT_MEETING, due_on=heard + timedelta(days=20),
            created_at=sent - timedelta(minutes=25),
            steps=(
                StepPlan(ReferralStatus.REQUESTED, sent, sender=True),
                StepPlan(ReferralStatus.ACCEPTED, accepted, sender=False, note="受理しました。支援会議で検討します。"),
                StepPlan(ReferralStatus.IN_PROGRESS, self.at(support_day, 17, 10), sender=False,
                         note="支援会議を開き、CSWと民生委員による訪問から始めることにしました。"),
                StepPlan(ReferralStatus.COMPLETED, self.at(plan_day + timedelta(days=2), 10, 0), sender=False,
                         note="世帯の同意を得て重層的支援会議を開き、支援プランを作りました。"
                              "各機関が役割分担に沿って支援を続けます。"),
            ),
        )  # fmt: skip
        writer = _Writer(
            self.municipality,
            Plan(staff=[], households=[household], consultations=consultations, referrals=[referral],
                 moves=[], duplicates=[]),
        )  # fmt: skip
        writer.write_staff()
        writer.write_household(household)
        for plan in consultations:
            writer.write_consultation(plan)
        writer.write_referral(referral)
        written = [p.pk for p in writer.persons.values()]
        Person.objects.filter(pk__in=written).update(updated_at=F("created_at"))
        Household.objects.filter(pk=writer.households["model"].pk).update(
            updated_at=F("created_at")
        )
        Consultation.objects.filter(pk__in=[c.pk for c in writer.consultations.values()]).update(
            updated_at=F("created_at")
        )
        persons = {key: writer.persons[f"model-{key.lower()}"] for key in ("A", "B", "C")}
        words = {"A": "世帯主", "B": "長男", "C": "母", "lead": "社協（CSW）"}
        story = _Story(
            key="model", stage="supporting", household=writer.households["model"], theme=MODEL,
            roles=persons, words=words, title=MODEL_CASE_TITLE, lead=SHAKYO, team=MODEL.team,
            opened=accepted.date(),
            referral=Referral.objects.get(consultation=writer.consultations["model-c2"]),
        )  # fmt: skip
        self.stories.append(story)
        self.model_story = story
        self.open(story)

        # The 支援会議: the organizations involved, the 民生委員 and the neighbourhood
        # association's chairman (a guest with an account for the day), all under a pledge.
        sitting = _Sitting(
            key="model-s", title="支援会議（個別ケース検討）", day=support_day, held=True,
            monthly=False, place="社会福祉協議会 会議室", starts=time(10, 0), ends=time(11, 30),
            organizations=[SHAKYO, otsuka, SEIKATSU, JIRITSU],
            guests=[(CHOKAI, synthetic_name(rng)[0])], named=[(MINSEI, synthetic_name(rng)[0])],
            questionnaire=True,
        )  # fmt: skip
        self.sittings.append(sitting)
        actions = self.actions(story, (
            (SHAKYO, "民生委員と同行して世帯主を訪問し、困りごとを聞き取る", 14),
            (otsuka, "母の日中の介護に使えるサービス（デイサービス等）の情報を整理する", 30),
            (SEIKATSU, "長男に紹介できるひきこもり相談窓口と居場所の案内をCSWに渡す", 21),
        ), support_day)  # fmt: skip
        actions[0].done = self.at(visit, 16, 30)
        for action in actions[1:]:
            action.done = action.done or self.at(support_day + timedelta(days=20), 11, 0)
        story.reviews += 1
        self.item(
            sitting, story, S, NEW,
            policy="まずはCSWが民生委員と一緒に世帯主に会い、困りごとを聞きながら関係をつくる。"
            "長男と母には、世帯主を通じて少しずつ働きかける。同意が得られるまでは支援会議で情報を共有しながら進める。",
            roles=self.roles_text(actions) + "\n・町会: 日頃の見守り（気になることがあれば民生委員へ）",
            lead=SHAKYO, actions=actions, brief=_say(MODEL.current, words),
        )  # fmt: skip

        # The 推進部会 decides the approach; outreach begins.
        actions = self.actions(story, (
            (SHAKYO, "月2回程度の訪問を続け、長男と母にも個別に会う機会をつくる", 60),
        ), month[start].day)  # fmt: skip
        actions[0].done = self.at(month[start].day + timedelta(days=55), 16, 0)
        story.reviews += 1
        self.item(
            month[start], story, S, REVIEW,
            policy="支援会議の検討を受け、アウトリーチによる寄り添い型の支援を始めることを決定。主担当は社協（CSW）。"
            "世帯の同意が得られた段階で重層的支援会議に移る。",
            roles=self.roles_text(actions), lead=SHAKYO, actions=actions,
        )  # fmt: skip
        actions = self.actions(story, (
            (JIRITSU, "世帯主の就労相談（初回面談）の日程を調整する", 21),
            (otsuka, "母の要介護認定の申請を支援する", 30),
        ), month[start + 2].day)  # fmt: skip
        for action in actions:
            action.done = action.done or self.at(month[start + 2].day + timedelta(days=18), 11, 0)
        story.reviews += 1
        self.item(
            month[start + 2], story, S, REVIEW,
            policy="世帯主は就労の相談に前向き、長男は相談窓口に関心、母は日中のサービスなら考えてもよいとのこと。"
            "それぞれの意向を個別に確かめ、同意が得られれば重層的支援会議で支援プランを作る。",
            roles=self.roles_text(actions), lead=SHAKYO, actions=actions,
        )  # fmt: skip

        # Each member's own consent: B and C spoken to one by one, then A in writing for the household.
        shared = (*CORE, otsuka)
        self.consent(story, consent_b, grantor="B", members=("B",), method=ConsentMethod.ORAL,
                     obtained_by=SHAKYO, organizations=(SHAKYO, SEIKATSU),
                     note="CSWが長男と一対一で話し、ひきこもり相談窓口での相談と関係機関での情報共有について口頭で同意を得た。",
                     advance=False)  # fmt: skip
        self.consent(story, consent_c, grantor="C", members=("C",), method=ConsentMethod.ORAL,
                     obtained_by=otsuka, organizations=(SHAKYO, otsuka),
                     note="あんしん相談センター大塚の職員がCSWと訪問し、母本人に日中の介護サービスの検討と情報共有について口頭で同意を得た。",
                     advance=False)  # fmt: skip
        self.consent(story, consent_a, grantor="A", members=("A", "B", "C"), obtained_by=SHAKYO,
                     organizations=shared,
                     note="長男と母には個別に意向を確かめ、それぞれの同意を記録済み。世帯主が世帯として書面で同意した"
                          "（福祉包括化推進部会の構成機関と支援チームの機関での共有）。")  # fmt: skip

        # The 重層的支援会議 makes the plan with a goal for each member.
        plan_sitting = _Sitting(
            key="model-p", title="重層的支援会議（個別ケース）", day=plan_day, held=True, monthly=False,
            place="区役所5階 会議室B", starts=time(10, 0), ends=time(11, 0),
            organizations=[SHAKYO, otsuka, SEIKATSU, JIRITSU], questionnaire=True,
        )  # fmt: skip
        self.sittings.append(plan_sitting)
        first_check, second_check = L - 7, L - 3
        self.plan_meeting(story, plan_sitting, month[first_check].day)
        self.monitoring(story, month[first_check], Decision.CONTINUE, month[second_check].day)
        self.monitoring(story, month[second_check], Decision.REPLAN, month[self.upcoming].day)
        assert replanned == month[second_check].day
        self.monitoring(story, month[self.upcoming], Decision.CONTINUE, None)
        return story

    # -- who gets which story ------------------------------------------------

    def plan(self) -> None:
        self.model_household()
        slots: dict[str, int] = {
            "completed": 1, "completed_direct": 1, "follow_up_overdue": 1, "follow_up": 2,
            "closed_goals": 1, "closed_moved": 1, "monitoring": 2, "supporting": 4,
            "replanning": 1, "planning": 1, "consented": 2, "withdrawn": 1,
            "meeting_review": 9, "assessment": 3, "intake": 3,
        }  # fmt: skip
        # (fewest, most) monthly sittings between the first review and the last one held.
        spans: dict[str, tuple[int, int]] = {
            "completed": (8, 15), "completed_direct": (8, 15), "follow_up_overdue": (7, 14),
            "follow_up": (5, 13), "closed_goals": (4, 11), "closed_moved": (1, 9),
            "monitoring": (4, 12), "supporting": (3, 13), "replanning": (4, 11),
            "planning": (1, 6), "consented": (1, 6), "withdrawn": (3, 9), "meeting_review": (0, 14),
        }  # fmt: skip
        L = self.last
        used: set[int] = {self.model_story.household.pk} if self.model_story else set()
        escalations = (
            Referral.objects.filter(
                to_organization__is_coordinating=True, status__in=RECEIVER_HOLDS
            )
            .exclude(household__address=FEATURED_ADDRESS)
            .exclude(household_id__in=used)
            .select_related("household", "household__district")
            .order_by("first_answered_at", "pk")
        )
        planned: list[tuple[_Story, int]] = []
        for referral in escalations:
            household = referral.household
            theme_key = NOTE_TO_THEME.get(household.note)
            cast = self.cast(theme_key, household) if theme_key else None
            if cast is None or referral.first_answered_at is None:
                continue
            opened = timezone.localdate(referral.first_answered_at)
            first = self.next_monthly(opened, 10)
            span = L - first
            if first > L:
                stage = "intake" if (self.today - opened).days <= 20 else "assessment"
            else:
                stage = next(
                    (s for s, (low, high) in spans.items() if slots[s] > 0 and low <= span <= high),
                    "meeting_review",
                )
            slots[stage] = max(0, slots[stage] - 1)
            story = self.story(
                f"e{referral.pk}", stage, household, THEMES[str(theme_key)], opened, cast, referral
            )
            used.add(household.pk)
            planned.append((story, first))
        candidates = self.candidates(used)
        for stage, count in slots.items():
            for _n in range(count):
                found = self.flexible(stage, spans.get(stage), candidates)
                if found is not None:
                    planned.append(found)
        # The next individual 支援会議 is about a new case; the demo guest (police) is invited.
        newcomers = [s for s, _first in planned if s.stage in ("intake", "assessment")]
        newcomer = next(
            (s for s in newcomers if s.theme.key in ("8050", "hoarding", "poverty_single")),
            newcomers[0] if newcomers else None,
        )
        if newcomer is not None:
            day = self.weekday(self.today + timedelta(days=6), self.today + timedelta(days=12))
            self.soon = _Sitting(
                key="soon", title="支援会議（個別ケース検討）", day=day, held=False, monthly=False,
                place="区役所5階 会議室B", starts=time(10, 0), ends=time(11, 30),
                organizations=[newcomer.lead, *newcomer.team], accounts=[(POLICE, "demo-guest")],
            )  # fmt: skip
            self.sittings.append(self.soon)
            self.newcomer = newcomer
        for story, first in planned:
            self.plan_story(story, first)
        self.guests_at_first_review()

    def candidates(self, used: set[int]) -> dict[str, list[tuple[Household, date]]]:
        """Households of each theme that could become a case, with their first consultation."""
        first_seen: dict[int, datetime] = {}
        for household_id, received in Consultation.objects.filter(
            household__isnull=False
        ).values_list("household_id", "received_at"):
            if household_id not in first_seen or received < first_seen[household_id]:
                first_seen[household_id] = received
        escalated = set(
            Referral.objects.filter(to_organization__is_coordinating=True).values_list(
                "household_id", flat=True
            )
        )
        found: dict[str, list[tuple[Household, date]]] = defaultdict(list)
        for household in Household.objects.select_related("district").order_by("pk"):
            theme = NOTE_TO_THEME.get(household.note)
            if theme is None or household.pk in used or household.pk in escalated:
                continue
            if household.pk not in first_seen or household.address == FEATURED_ADDRESS:
                continue
            found[theme].append((household, timezone.localdate(first_seen[household.pk])))
        for households in found.values():
            self.rng.shuffle(households)
        return found

    def flexible(
        self,
        stage: str,
        span: tuple[int, int] | None,
        candidates: dict[str, list[tuple[Household, date]]],
    ) -> tuple[_Story, int] | None:
        L, rng = self.last, self.rng
        if span is None:
            lo, hi = (2, 20) if stage == "intake" else (20, 45)
            opened = self.weekday(self.today - timedelta(days=hi), self.today - timedelta(days=lo))
            first = self.upcoming
        else:
            reach = min(span[1], L)
            first = L - rng.randint(span[0], reach)
            opened = self.weekday(
                self.monthly[first].day - timedelta(days=24),
                self.monthly[first].day - timedelta(days=10),
            )
        themes = sorted(
            candidates, key=lambda t: (len([s for s in self.stories if s.theme.key == t]), t)
        )
        for theme in themes:
            for index, (household, seen) in enumerate(candidates[theme]):
                if seen >= opened:
                    continue
                cast = self.cast(theme, household)
                if cast is None:
                    continue
                candidates[theme].pop(index)
                story = self.story(
                    f"f{household.pk}", stage, household, THEMES[theme], opened, cast
                )
                return story, first
        return None

    def guests_at_first_review(self) -> None:
        """The first ごみ屋敷 case and the first young carer's case were first discussed at
        an individual 支援会議 with external guests (the fire station, the school)."""
        for theme, guest, named in (
            ("hoarding", FIRE, (CHOKAI, "町会長")),
            ("young_carer", SCHOOL, None),
        ):
            firsts = [
                (sitting, item)
                for sitting in self.monthly
                if sitting.held
                for item in sitting.items
                if item.story.theme.key == theme and item.kind == S and item.review == NEW
            ]
            for sitting, item in firsts:
                day = self.weekday(sitting.day - timedelta(days=8), sitting.day - timedelta(days=4))
                if day > item.story.opened + timedelta(days=8):
                    break
            else:
                continue
            story = item.story
            sitting.items.remove(item)
            alone = _Sitting(
                key=f"g-{story.key}", title="支援会議（個別ケース検討）", day=day, held=True,
                monthly=False, place="区役所5階 会議室B", starts=time(10, 0), ends=time(11, 30),
                items=[item], organizations=[story.lead, *story.team],
                guests=[(guest, synthetic_name(self.rng)[0])],
                named=[(named[0], synthetic_name(self.rng)[0])] if named else [],
            )  # fmt: skip
            self.sittings.append(alone)
            for action in item.actions:
                action.due = action.due - (sitting.day - day)

    # -- the sittings' own steps ---------------------------------------------

    def schedule(self) -> None:
        """Steps of every sitting with an agenda, the next ones included, and the tasks' completions."""
        upcoming = self.monthly[self.upcoming]
        for story in self.stories:
            if story.ended is not None:
                for action in story.actions:
                    if action.done is None or action.done >= story.ended:
                        action.done = story.ended - timedelta(hours=self.rng.randint(2, 48))
                        action.result = action.result or self.rng.choice(ACTION_RESULTS)
        written = [s for s in self.monthly if s.items and (s.held or s is upcoming)]
        for index, sitting in enumerate(written):
            # A newly assigned counselor sits in to learn (オブザーバー参加); the education
            # centre listens in where no 重層的支援会議 part would need its consent.
            if sitting.held and index % 3 == 1:
                sitting.observers.append((JIRITSU, "demo-jiritsu-2"))
            if sitting.held and not any(i.kind == P for i in sitting.items):
                sitting.observers.append((KYOIKU, REPRESENTATIVES[KYOIKU]))
        for sitting in [*written, *self.sittings]:
            self.schedule_sitting(sitting)

    def schedule_sitting(self, sitting: _Sitting) -> None:
        day = sitting.day
        ahead = 21 if sitting.monthly else 10
        if sitting.held:
            created = self.at(day - timedelta(days=ahead), 9, 30)
        else:
            created = self.at(
                max(
                    self.today - timedelta(days=6), self.monthly[self.last].day + timedelta(days=1)
                ),
                9,
                30,
            )
        self.step(created, lambda: self._create(sitting))
        for organization, name in sitting.guests:
            self.step(
                created + timedelta(hours=1),
                partial(self._invite, sitting, organization, name),
            )
        start = datetime.combine(day, sitting.starts, tzinfo=self.zone)
        agenda = (
            created + timedelta(hours=2)
            if not sitting.held
            else self.at(day - timedelta(days=8), 10, 0)
        )
        agenda = max(agenda, created + timedelta(minutes=30))
        for n, item in enumerate(sitting.items):
            moment = agenda + timedelta(minutes=15 * n)
            if item.ready is not None and moment <= item.ready:
                moment = item.ready + timedelta(minutes=10)
            if sitting.held:
                assert moment < start, (sitting.key, item.story.key)
            else:
                moment = min(moment, self.at(self.yesterday, 17, 20))
            self.step(moment, partial(self._agenda, sitting, item))
        if not sitting.held:
            self.step(self.at(self.yesterday, 17, 25), lambda: self._attend(sitting, pledge=False))
            return
        self.step(start - timedelta(minutes=10), lambda: self._attend(sitting, pledge=True))
        self.step(start + timedelta(minutes=1), lambda: self._hold(sitting))
        for n, item in enumerate(sitting.items):
            moment = start + timedelta(minutes=6 + 7 * n)
            self.step(moment, partial(self._decide, sitting, item))
            for action in item.actions:
                if action.done is not None:
                    done = max(action.done, moment + timedelta(days=1))
                    if done.date() <= self.yesterday:
                        self.step(done, partial(self._done, action))
        ends = datetime.combine(day, sitting.ends, tzinfo=self.zone)
        self.step(ends + timedelta(minutes=40), lambda: self._minutes(sitting))
        if sitting.questionnaire:
            self.step(ends + timedelta(minutes=20), lambda: self._questionnaire(sitting))

    # -- running the steps ---------------------------------------------------

    def run(self) -> None:
        """Each step at its moment: what the services stamped while it ran goes back to it."""
        windows: list[tuple[datetime, datetime, datetime]] = []
        today = timezone.localdate()  # what the services stamp; every planned day is before it
        for step in sorted(self.steps):
            started = timezone.now()
            step.run()
            windows.append((started, timezone.now(), step.at))
            if self.dated:
                # Dates the services set to today: a team joined, a case closed.
                CaseTeamMember.objects.filter(joined_on=today).update(joined_on=step.at.date())
                Case.objects.filter(closed_on=today).update(closed_on=step.at.date())
                self.dated = False
        _backdate(windows)

    def case(self, story: _Story) -> Case:
        return Case.objects.get(pk=story.case_id)

    def _open(self, story: _Story) -> None:
        moment = self.at(story.opened, 10, 30)
        consultations = Consultation.objects.filter(
            household=story.household, received_at__lt=moment
        ).order_by("received_at")
        team = [story.referral.from_organization] if story.referral else []
        case = case_services.case_open(
            actor=self.coordinator, organization=self.host, household=story.household,
            title=story.title, opened_on=story.opened, referral=story.referral,
            consultations=list(consultations), team=team,
        )  # fmt: skip
        story.case_id = case.pk

    def _transition(self, story: _Story, stage: str, **fields: Any) -> None:
        self.dated = True
        case = self.case(story)
        case_services.case_transition(
            actor=self.coordinator, case=case, to_stage=stage, version=case.version, **fields
        )

    def _consent(
        self, story: _Story, day: date, grantor: str, members: tuple[str, ...], method: str,
        obtained_by: str, note: str, organizations: tuple[str, ...], advance: bool,
    ) -> None:  # fmt: skip
        case = self.case(story)
        case_services.consent_record(
            actor=self.coordinator,
            case=case,
            consent=Consent(
                grantor_kind=Grantor.PERSON,
                grantor=story.roles[grantor],
                method=method,
                obtained_on=day,
                valid_from=day,
                obtained_by_organization=self.organizations[obtained_by],
                covers_case_team=True,
                note=note,
            ),
            members=[story.roles[m] for m in members],
            organizations=[self.organizations[o] for o in dict.fromkeys(organizations)],
        )
        if advance and case.stage in (Stage.ASSESSMENT, Stage.MEETING_REVIEW):
            case = self.case(story)
            case_services.case_transition(
                actor=self.coordinator, case=case, to_stage=Stage.CONSENTED,
                version=case.version, note="本人同意を取得",
            )  # fmt: skip

    def _withdraw(self, story: _Story, note: str) -> None:
        consent = Consent.objects.filter(case_id=story.case_id, withdrawn_at=None).latest(
            "obtained_on"
        )
        case_services.consent_withdraw(actor=self.coordinator, consent=consent, note=note)

    def _next_action(self, story: _Story, text: str, on: date | None) -> None:
        self.dated = True
        case = self.case(story)
        lead = case.lead_organization
        lead_staff = self.staff.get(REPRESENTATIVES.get(lead.name, "")) if lead else None
        case_services.case_update(
            actor=self.coordinator, case=case, version=case.version, lead_organization=lead,
            lead_staff=lead_staff, next_action=text, next_action_on=on, title=case.title,
        )  # fmt: skip

    def _draft(self, story: _Story) -> None:
        members, parts = self.plan_parts(story, second=False)
        plan_services.plan_create(
            actor=self.coordinator,
            case=self.case(story),
            plan=SupportPlan(
                overall_goal=_say(story.theme.overall, story.words),
                made_on=self.yesterday,
                starts_on=self.monthly[self.upcoming].day,
                next_monitoring_on=self.monthly[min(self.upcoming + 3, len(self.monthly) - 1)].day,
                uses_outreach=any(p.kind == OUTREACH for p in parts),
            ),
            members=members,
            items=parts,
        )

    def _plan(
        self, story: _Story, item: AgendaItem, day: date, next_monitoring: date, *, second: bool,
        changes: str = "",
    ) -> None:  # fmt: skip
        members, parts = self.plan_parts(story, second=second)
        case = self.case(story)
        plan = plan_services.plan_create(
            actor=self.coordinator,
            case=case,
            plan=SupportPlan(
                agenda_item=item,
                overall_goal=_say(story.theme.overall, story.words),
                changes=changes,
                made_on=day,
                starts_on=day,
                ends_on=day + timedelta(days=365),
                next_monitoring_on=next_monitoring,
                uses_outreach=any(p.kind == OUTREACH for p in parts),
                uses_participation=any(p.kind == PARTICIPATE for p in parts),
            ),
            members=members,
            items=parts,
        )
        plan_services.plan_activate(actor=self.coordinator, plan=plan, version=plan.version)

    def _monitor(
        self, story: _Story, item: AgendaItem, day: date, decision: str, summary: str,
        progress: dict[str, str], notes: dict[str, str], next_monitoring: date | None, closure: str,
    ) -> None:  # fmt: skip
        self.dated = True
        case = self.case(story)
        plan = case.plans.get(status=PlanStatus.ACTIVE)
        role_of = {person.pk: role for role, person in story.roles.items()}
        goals = PlanGoal.objects.filter(member__plan=plan).select_related("member")
        parts = [
            plan_services.GoalPart(
                goal=goal,
                progress=progress.get(role_of.get(goal.member.person_id, ""), Progress.UNCHANGED),
                note=notes.get(role_of.get(goal.member.person_id, ""), ""),
            )
            for goal in goals
        ]
        plan_services.monitoring_record(
            actor=self.coordinator,
            plan=plan,
            monitoring=Monitoring(
                agenda_item=item,
                held_on=day,
                summary=summary,
                decision=decision,
                next_monitoring_on=next_monitoring if decision != Decision.CLOSE else None,
            ),
            progress=parts,
            closure_reason=closure if decision == Decision.CLOSE else "",
            evaluation=_say(story.theme.evaluation, story.words)
            if decision == Decision.CLOSE
            else "",
        )
        if decision == Decision.REPLAN and next_monitoring is not None:
            self._plan(
                story, item, day, next_monitoring, second=True,
                changes="目標の一部を達成したため、それぞれの次の段階の目標を立てた。" + summary,
            )  # fmt: skip

    def _meeting(self, sitting: _Sitting) -> Meeting:
        return Meeting.objects.get(pk=sitting.meeting_id)

    def _create(self, sitting: _Sitting) -> None:
        meeting = meeting_services.meeting_create(
            actor=self.coordinator,
            organization=self.host,
            meeting=Meeting(
                title=sitting.title,
                held_on=sitting.day,
                starts_at=sitting.starts,
                ends_at=sitting.ends,
                place=sitting.place,
            ),
            kinds=sitting.kinds,
        )
        sitting.meeting_id = meeting.pk

    def _invite(self, sitting: _Sitting, organization: str, name: str) -> None:
        """A guest account for the day: guest_invite refuses a past expiry, so the account
        is made to last until the end of the meeting day afterwards."""
        meeting = self._meeting(sitting)
        invitation = meeting_services.guest_invite(
            actor=self.coordinator, meeting=meeting, organization=self.organizations[organization],
            name=name, expires_at=timezone.now() + timedelta(hours=12),
        )  # fmt: skip
        guest_id = invitation.attendee.staff_id
        Staff.objects.filter(pk=guest_id).update(
            expires_at=meeting_services.guest_default_expiry(meeting)
        )
        Membership.objects.filter(staff_id=guest_id).update(
            started_on=sitting.day - timedelta(days=7)
        )

    def _agenda(self, sitting: _Sitting, item: _Item) -> None:
        case = self.case(item.story)
        created = meeting_services.agenda_item_add(
            actor=self.coordinator, meeting=self._meeting(sitting), kind=item.kind, case=case,
            review=item.review,
        )  # fmt: skip
        item.item_id = created.pk
        if item.brief:
            current = "\n".join(t for t in (created.brief_current, item.brief) if t)
            meeting_services.brief_save(
                actor=self.coordinator, item=created, fields={"brief_current": current}
            )

    def _attend(self, sitting: _Sitting, *, pledge: bool) -> None:
        meeting = self._meeting(sitting)
        wanted = [SEISAKU, *(CORE if sitting.monthly else ()), *sitting.organizations]
        wanted = [o for o in dict.fromkeys(wanted) if o in REPRESENTATIVES]
        # Everyone at a sitting with a 重層的支援会議 part must be covered by each case's
        # consent (attendance is per sitting): the others stay away from such a sitting.
        everyone = [o.pk for o in self.organizations.values()]
        covered = {o for o in everyone}
        for item in sitting.items:
            if item.kind == P:
                covered &= case_services.consent_covers(
                    self.case(item.story), everyone, "for_plan_meeting"
                )
        covered.add(self.host.pk)

        def attends(name: str) -> bool:
            return self.organizations[name].pk in covered

        for name in wanted:
            if attends(name):
                meeting_services.attendee_add(
                    actor=self.coordinator, meeting=meeting, organization=self.organizations[name],
                    staff=self.staff[REPRESENTATIVES[name]],
                )  # fmt: skip
        for name, username in sitting.observers:
            if attends(name) and not meeting.attendees.filter(staff=self.staff[username]).exists():
                meeting_services.attendee_add(
                    actor=self.coordinator, meeting=meeting, organization=self.organizations[name],
                    staff=self.staff[username], is_observer=True,
                )  # fmt: skip
        for name, person in sitting.named:
            meeting_services.attendee_add(
                actor=self.coordinator,
                meeting=meeting,
                organization=self.organizations[name],
                name=person,
            )
        for name, username in sitting.accounts:
            meeting_services.attendee_add(
                actor=self.coordinator, meeting=meeting, organization=self.organizations[name],
                staff=Staff.objects.get(username=username),
            )  # fmt: skip
        if pledge:
            for attendee in meeting.attendees.select_related("staff").order_by("id"):
                actor = attendee.staff if attendee.staff is not None else self.coordinator
                meeting_services.pledge_record(actor=actor, attendee=attendee)

    def _hold(self, sitting: _Sitting) -> None:
        meeting_services.meeting_hold(actor=self.coordinator, meeting=self._meeting(sitting))

    def _decide(self, sitting: _Sitting, item: _Item) -> None:
        self.dated = True
        agenda = AgendaItem.objects.select_related("part__meeting").get(pk=item.item_id)
        meeting_services.decisions_record(
            actor=self.coordinator,
            item=agenda,
            policy_text=item.policy or "現在の方針で支援を続ける。",
            roles=item.roles,
            lead_organization=self.organizations[item.lead] if item.lead else None,
            actions=[
                meeting_services.NewAction(
                    owner_organization=self.organizations[a.owner], content=a.content, due_on=a.due
                )
                for a in item.actions
            ],
        )
        for action, created in zip(
            item.actions, ActionItem.objects.filter(agenda_item=agenda).order_by("id"), strict=True
        ):
            action.action_id = created.pk
        if item.review == NEW and item.kind == S and item.lead:
            lead = self.organizations[item.lead]
            case = self.case(item.story)
            case_services.case_update(
                actor=self.coordinator, case=case, version=case.version, lead_organization=lead,
                lead_staff=self.staff.get(REPRESENTATIVES.get(item.lead, "")),
                next_action="支援会議の役割分担に沿った対応の確認", next_action_on=item.actions[0].due
                if item.actions else None, title=case.title,
            )  # fmt: skip
        if item.after is not None:
            item.after(agenda)

    def _done(self, action: _Action) -> None:
        task = ActionItem.objects.select_related("agenda_item__part__meeting").get(
            pk=action.action_id
        )
        actor = self.staff.get(REPRESENTATIVES.get(action.owner, ""), self.coordinator)
        meeting_services.action_item_done(actor=actor, action=task, result=action.result)

    def _minutes(self, sitting: _Sitting) -> None:
        meeting = self._meeting(sitting)
        lines = [f"{sitting.title}（{meeting.attendees.count()}名出席）"]
        for kind, label in ((S, "支援会議"), (P, "重層的支援会議")):
            items = [i for i in sitting.items if i.kind == kind]
            if items:
                new = sum(1 for i in items if i.review == NEW)
                lines.append(f"■{label}: 新規{new}件・モニタリング{len(items) - new}件")
                for item in items:
                    lines.append(f"・{self.case(item.story).number}: {item.policy}")
        lines.append("■次回までに: 各機関は役割分担のタスクを進め、結果を事務局に報告する。")
        meeting_services.minutes_save(
            actor=self.coordinator,
            meeting=meeting,
            minutes="\n".join(lines),
            version=meeting.version,
        )

    def _questionnaire(self, sitting: _Sitting) -> None:
        rng = random.Random(f"{CASES_SEED}-{sitting.key}")
        attendees = [
            a
            for a in self._meeting(sitting).attendees.select_related("staff").order_by("id")
            if a.staff is not None and a.organization_id != self.host.pk
        ]
        for attendee in rng.sample(attendees, k=min(len(attendees), rng.randint(3, 5))):
            assert attendee.staff is not None
            meeting_services.questionnaire_answer(
                actor=attendee.staff, attendee=attendee,
                usefulness=rng.choice((4, 4, 3, 3, 3, 2)), roles_clear=rng.random() < 0.8,
                comment=rng.choice(COMMENTS),
            )  # fmt: skip


#: Fields the services stamp with the time of the write, by model.
STAMPED: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Case, ("created_at", "updated_at", "stage_changed_at")),
    (CaseEvent, ("occurred_at",)),
    (Consent, ("created_at", "updated_at", "withdrawn_at")),
    (Meeting, ("created_at", "updated_at")),
    (AgendaItem, ("created_at", "updated_at", "decided_at")),
    (ActionItem, ("created_at", "updated_at", "done_at")),
    (Attendee, ("pledged_at",)),
    (QuestionnaireAnswer, ("answered_at",)),
    (SupportPlan, ("created_at", "updated_at", "activated_at")),
    (Monitoring, ("created_at", "updated_at")),
    (Staff, ("date_joined",)),
)


def _backdate(windows: list[tuple[datetime, datetime, datetime]]) -> None:
    """Move every time stamped while a step ran (``started`` ≤ t ≤ ``ended``) to the
    step's moment. The windows are in time order and do not overlap; the rows are
    read through the tenant's managers and written back by primary key, one
    statement per model."""
    if not windows:
        return
    starts = [started for started, _ended, _moment in windows]
    low = starts[0]

    def moment_of(value: datetime | None) -> datetime | None:
        if value is None or value < low:
            return value
        index = bisect_right(starts, value) - 1
        started, ended, moment = windows[index]
        return moment if started <= value <= ended else value

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, names in STAMPED:
            meta = model._meta
            fields = [f for f in map(meta.get_field, names) if isinstance(f, models.Field)]
            names = tuple(f.name for f in fields)
            recent = models.Q()
            for name in names:
                recent |= models.Q(**{f"{name}__gte": low})
            rows = []
            for pk, *values in model._default_manager.filter(recent).values_list("pk", *names):
                moved = [moment_of(value) for value in values]
                if moved != values:
                    rows.append(
                        [
                            f.get_db_prep_value(v, connection)
                            for f, v in zip(fields, moved, strict=True)
                        ]
                        + [pk]
                    )
            if rows:
                sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
                table, key = quote(meta.db_table), quote(str(meta.pk.column if meta.pk else "id"))
                cursor.executemany(
                    f"UPDATE {table} SET {sets} WHERE {key} = %s",  # noqa: S608 - names from the model
                    rows,
                )


@transaction.atomic
def load_demo_cases(
    municipality: Municipality, *, rng_seed: int = CASES_SEED, today: date | None = None
) -> DemoCases | None:
    """Write the demo's 多機関協働 cases and meetings into ``municipality`` (once:
    ``None`` when it already has cases, or has no residents to work with)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if Case.objects.exists() or not Household.objects.exists():
            return None
        planner = _Planner(municipality, today or timezone.localdate(), rng_seed)
        planner.plan()
        planner.schedule()
        planner.run()
        model = planner.model_story
        return DemoCases(
            cases=Case.objects.count(),
            meetings=Meeting.objects.count(),
            plans=SupportPlan.objects.count(),
            model_case=Case.objects.get(pk=model.case_id).number if model else "",
            seconds=round(clock.monotonic() - started, 1),
        )


def model_case_number() -> str:
    """The number of the model household's case (in the current tenant), or ""."""
    case = Case.objects.filter(title=MODEL_CASE_TITLE).order_by("pk").first()
    return case.number if case else ""
