"""The demo ward's 地域づくり (business V): community places, the projects the
CSW support from an idea to its hand-over, and the regional issues raised
from cases, meetings and a 地域支援会議.

- Fifteen of the directory's community places become places, across the four
  districts: among them 「富坂みんなの茶の間」, a many-sided place opened by
  the neighbourhood association in 2008 whose founders are now ageing, in
  継承支援中 with a social-welfare corporation helping (seed 002: after ten
  years or so the support moves from running a place to handing it on); salons
  whose carers are getting old or discussing how to go on; one handed on;
  one closing. Others are left unregistered for the demo's 登録 flow.
- Eight projects at every stage (構想, 立上げ, 運営, 継承, 終了, and one sent back
  from 立上げ to 構想 with its reason), each with a support history of the
  length such work takes.
- Eight regional issues: from the model household's case (介護離職, a young
  person without a daytime place), from a hoarding case, from a monthly
  推進部会, from a 地域支援会議 of 大塚 and one of 本富士 (held here as
  meetings of that kind), and from the CSW's own activity; at every status.

Operators and members are groups, never persons. Everything is written
through the services the screens use, on days relative to today but never
before 2025-07-01; what the services stamp "now" on created/updated times is
moved back to the recorded days afterwards (the audit trail keeps the real
time of loading). :func:`load_demo_community` does nothing when the ward
already has community records.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.community import services
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueSource,
    IssueStatus,
    ProjectEvent,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.community.models import PlaceFunction as Fn
from tsunagu.consultations.models import LifeIssue
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.demo.residents import KIKAN, SEISAKU, SHAKYO, anshin_of
from tsunagu.directory.models import District, Organization
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import Kind, Meeting
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.resources.models import Category, Resource
from tsunagu.resources.selectors import resource_links

#: No demo date is earlier than this.
FLOOR = date(2025, 7, 1)
#: The CSW of the 社会福祉協議会 write most of it; the coordinating section raises
#: the issues seen across cases (it may see the cases).
CSW, CSW2, COORDINATOR = "demo-csw", "demo-shakyo", "demo-jimukyoku"
OTSUKA_CENTER_STAFF = "demo-anshin-otsuka"
#: A place of the demo: the long-running many-sided place whose founders are ageing.
CHANOMA = "富坂みんなの茶の間"

IB, CO, EX, LE, AR, FO, CP, CH, WA = (
    Fn.IBASHO, Fn.CONSULTATION, Fn.EXCHANGE, Fn.LEARNING, Fn.ACTIVE_ROLE, Fn.FOOD,
    Fn.CARE_PREVENTION, Fn.CHILDREN, Fn.WATCHING,
)  # fmt: skip
IDEA, LAUNCH, RUNNING, SUCCESSION, ENDED = (
    ProjectStage.IDEA, ProjectStage.LAUNCH, ProjectStage.RUNNING, ProjectStage.SUCCESSION,
    ProjectStage.ENDED,
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    resource: str
    operator: str
    frequency: str
    functions: tuple[str, ...]
    succession: str = Succession.STABLE
    note: str = ""
    supporter: str = SHAKYO


PLACES = [
    Place(CHANOMA, "茶の間運営委員会（富坂二丁目町会の有志）", "毎週水曜と、月1回の昼食会",
          (IB, CO, EX, FO, AR, WA), Succession.SUPPORTING,
          "開設から関わってきた世話人の多くが70代後半から80代になり、昼食会の調理と会計、会館の鍵の管理を担う人が減っている。"
          "社協のCSWと社会福祉法人ひかり会が、会計と鍵の管理の引き継ぎ、新しい担い手の声かけを一緒に進めている。"),
    Place("大塚ふらっとスペース", "つどい〜の大塚運営協議会（町会・民生委員・NPO）", "週2回（月・木）",
          (IB, CO, EX, LE)),
    Place("若者の居場所 ひだまりの部屋", "NPO法人こもれび", "週2回（火・金の午後）", (IB, CO, AR),
          note="スタッフに若い世代が加わっている。家賃の助成が続くかが課題。"),
    Place("こころの居場所 ともしび", "社会福祉法人あおば福祉会", "平日毎日", (IB, CO, AR, FO),
          Succession.SUCCEEDED, "法人の事業として運営し、職員が替わっても活動が引き継がれている。", KIKAN),
    Place("駒込みんなの縁側", "えんがわの会（駒込西町会）", "週2回（火・土）と月1回の修理の日", (IB, EX, AR, WA)),
    Place("夜の居場所 よるのまど", "NPO法人よるのまど", "週2回（水・金の夜）", (IB, CO, FO)),
    Place("富坂二丁目ふれあいサロン", "富坂ふれあいサロンの会", "月2回（第1・第3火曜）", (EX, CP, WA),
          Succession.WATCH, "世話人5人のうち4人が80代。お茶の準備や送り迎えを手伝う人を町会と一緒に探している。"),
    Place("さくら会館いきいきサロン", "大塚いきいきサロン連絡会", "月2回", (EX, CP, LE),
          Succession.DISCUSSING,
          "代表の世話人が退任を考えている。連絡会で、開催を月1回にする案や近くのサロンと合同にする案を話し合っている。"),
    Place("かよい〜の 大塚体操の会", "大塚体操の会（体操リーダーの会）", "週1回", (CP, EX),
          supporter=anshin_of("大塚")),
    Place("男の居場所 本富士おやじの会", "本富士サロン世話人会の男性有志", "月2回", (IB, EX, AR)),
    Place("駒込ふれあいサロン", "駒込ふれあいの会", "月2回", (EX, FO, WA), Succession.SUCCEEDED,
          "世話人を町会の若い役員と民生委員に引き継いだ。前の世話人は相談役として関わっている。"),
    Place("大塚ふれあい昼食会", "大塚いきいきサロン連絡会", "月1回（休止中）", (FO, EX, WA), Succession.CLOSING,
          "調理を担ってきた世話人の体調の都合で休止している。参加者をさくら会館いきいきサロンにつなぐ方向で話し合っている。"),
    Place("とみさかこども食堂 まんぷく", "とみさかこども食堂まんぷく実行委員会", "月2回（土曜）", (FO, CH, EX, AR)),
    Place("本富士こども食堂 おひさま", "こども食堂おひさまの会", "月2回（金曜の夕方）", (FO, CH, LE)),
    Place("駒込寺子屋食堂", "円照寺と地域のボランティアの会", "月1回（日曜）", (FO, CH, LE, EX)),
]  # fmt: skip

#: Functions of a place made from a resource the list above does not name.
FALLBACK_FUNCTIONS = {
    Category.PLACE: (IB, EX),
    Category.SALON: (EX, CP),
    Category.CHILDREN_CAFETERIA: (FO, CH),
}
MINIMUM_PLACES = 8


@dataclass(frozen=True)
class Step:
    """One step of a project's history, ``days`` before today: a stage change
    (``to``) or a note of support."""

    days: int
    support: str
    to: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Project:
    key: str
    title: str
    district: str
    purpose: str
    members: str
    started: int
    first: str
    steps: tuple[Step, ...]
    place: str = ""
    issue: str = ""
    next_action: str = ""
    next_in: int | None = None
    organization: str = SHAKYO
    writer: str = CSW


PROJECTS = [
    Project(
        "chanoma", "富坂みんなの茶の間（多機能な居場所）", "富坂",
        "町会会館で始まった、誰でも立ち寄れる茶の間。相談・食事・見守りを兼ねる地域の拠点として続けてきた。",
        "富坂二丁目町会、茶の間運営委員会、民生委員、社会福祉法人ひかり会", 520,
        "記録の開始。平成20年に町会の有志が始めた茶の間で、これまでの経過は紙の記録に残っている。",
        (
            Step(520, "立ち上げ期の経過を紙の記録から転記した（会館の無償貸与、社協の助成）。", LAUNCH),
            Step(520, "毎週水曜の開室と月1回の昼食会が定着している。", RUNNING),
            Step(470, "運営委員会に出席。昼食会の調理を担う人が3人に減っていることを確認した。"),
            Step(420, "会計担当の世話人から、帳簿付けを続けるのが負担だと相談を受けた。"),
            Step(380, "運営委員会で、次の担い手をどう見つけるかを話し合う場を提案し、了承された。",
                 SUCCESSION),
            Step(350, "社会福祉法人ひかり会に、会計と鍵の管理の引き継ぎへの協力を相談した。"),
            Step(300, "世話人と法人の職員が同席し、引き継ぐ仕事の一覧（会計・鍵・食材の購入・広報）をつくった。"),
            Step(240, "茶の間の常連で、手伝いたいと話していた地域の人に、昼食会の準備から関わってもらうことになった。"),
            Step(180, "会計の引き継ぎを始めた。帳簿の付け方を、世話人が法人の職員に教える回を2回もった。"),
            Step(120, "町会の回覧で「茶の間のお手伝い募集」を案内した。3人から問い合わせがあった。"),
            Step(60, "新しく加わった2人が昼食会の調理に入った。前からの世話人は味付けと段取りを教えている。"),
            Step(14, "運営委員会で、来年度の役割分担の案を確認した。鍵の管理は法人が預かる方向。"),
        ),
        place=CHANOMA, next_action="来年度の役割分担を運営委員会で決める", next_in=30,
    ),
    Project(
        "youth", "大塚 若者の日中の居場所づくり", "大塚",
        "学校や仕事に行っていない若者が、日中に気軽に過ごせる場所が地区にない。個別支援から見えてきた声をもとに、住民と場をつくる。",
        "NPO法人こもれび、大塚地域活動センター、民生委員、地域の大学生ボランティア", 260,
        "個別ケースから見えてきた課題をもとに、地区に若者の居場所が必要かを話し合い始めた。",
        (
            Step(230, "こもれびの「ひだまりの部屋」を見学し、運営の工夫を聞いた。"),
            Step(190, "地域活動センターの和室を平日午後に使えるか相談した。月2回なら使えることになった。"),
            Step(150, "民生委員の地区会で構想を説明し、協力を得た。"),
            Step(120, "試行開催の準備に入った。部屋の使い方と、スタッフの関わり方を決めた。", LAUNCH),
            Step(90, "大学生ボランティア4人が加わった。ひきこもり経験者のスタッフから話を聞く研修をした。"),
            Step(40, "チラシを作り、自立相談支援窓口と生活福祉課の窓口に置いてもらった。"),
        ),
        issue="youth", next_action="試行開催の初回（月2回・平日午後）", next_in=10,
    ),
    Project(
        "shopping", "坂の上の買い物支援（移動販売）", "大塚",
        "坂の上の住宅地に住む高齢者が、近くの商店の閉店で買い物に行けなくなっている。地域支援会議で挙がった課題。",
        "大塚さくら町会、民生委員、移動販売の事業者、社会福祉法人さくら苑", 430,
        "地域支援会議の後、町会長と民生委員から坂の上の様子を聞いた。",
        (
            Step(400, "移動販売をしている事業者2社に、坂の上での販売ができるか問い合わせた。"),
            Step(360, "さくら苑の駐車場を販売場所に使えないか、法人と相談した。", LAUNCH),
            Step(320, "町会の回覧で、移動販売の試行を知らせた。"),
            Step(290, "試行販売の初回。12人が利用した。荷物を家まで運ぶ手伝いを町会の人が引き受けた。"),
            Step(230, "週1回の定期販売になった。販売の時間に、あんしん相談センターの職員が立ち寄るようにした。",
                 RUNNING),
            Step(160, "利用者のうち2人が、販売の場での立ち話をきっかけに介護の相談につながった。"),
            Step(90, "雨の日の販売場所について、さくら苑と取り決めを交わした。"),
            Step(30, "半年の振り返り。利用は毎回15人前後で定着。町会から「見守りにもなっている」との声。"),
        ),
        issue="shopping", next_action="利用者の声をまとめて地域支援会議で報告する", next_in=45,
        organization=SHAKYO, writer=CSW2,
    ),
    Project(
        "kitchen", "こまごめキッチンの再開", "駒込",
        "休止している子ども食堂を、多世代の食堂として再開したいという声が町会から上がった。",
        "駒込西町会、円照寺、地域のボランティア", 60,
        "町会の役員から、休止している子ども食堂を再開したいとの相談を受けた。",
        (
            Step(45, "休止の理由（調理の担い手と会場の都合）を前の実行委員から聞き取った。"),
            Step(20, "駒込寺子屋食堂の運営者に、調理の手伝いと食材の融通ができないか相談した。"),
        ),
        next_action="町会の役員会で再開の案を説明する", next_in=-5, writer=CSW2,
    ),
    Project(
        "supporters", "声かけサポーター養成（本富士）", "本富士",
        "困っていそうな人に気づいても、どう声をかければよいか分からないという住民の声から。声かけの仕方を学び合う講座を開く。",
        "本富士東町会、民生委員、本富士サロン世話人会", 420,
        "サロン世話人会で、気になる人への声かけの仕方を学びたいという声があった。",
        (
            Step(380, "講座の内容を、あんしん相談センター本富士と一緒に考えた。", LAUNCH),
            Step(340, "第1期の講座（全3回）を開いた。14人が参加し、12人が修了した。"),
            Step(300, "修了した人の集まりを月1回開くことになった。", RUNNING),
            Step(230, "修了者から、気になる人の情報がCSWに3件寄せられた。1件は相談につながった。"),
            Step(150, "第2期の講座を開いた。商店会の人も参加した。"),
            Step(60, "修了者の集まりで、声をかけた後の困りごとを話し合った。"),
        ),
        next_action="第3期の講座の日程を決める", next_in=20,
    ),
    Project(
        "learning", "外国にルーツのある子の学習の場（本富士）", "本富士",
        "日本語での学習に困っている子どもと、地域の行事につながりにくい家族がいる。学習の場を入口にする。",
        "NPO法人たぶんかの輪、本富士東町会、地域のボランティア", 200,
        "地域支援会議で挙がった声をもとに、学習の場を開けないかを考え始めた。",
        (
            Step(170, "たぶんかの輪に、学習支援の進め方を相談した。"),
            Step(150, "町会の集会所を会場に、月2回の開催を目指すことになった。", LAUNCH),
            Step(110, "ボランティアの説明会を開いた。5人が参加した。"),
            Step(70, "会場について集会所の改修工事が決まったため、構想の段階に戻して進め方を考え直す。", IDEA,
                 "予定していた集会所が改修工事に入り、開催の見通しが立たなくなったため"),
            Step(30, "別の会場として、図書館の会議室が使えないか相談を始めた。"),
        ),
        issue="learning", next_action="図書館の会議室の空き状況を確かめる", next_in=14,
    ),
    Project(
        "carers", "大塚 サロン世話人の養成講座", "大塚",
        "大塚のサロンの世話人が高齢になり、続けていくための新しい担い手が必要になっている。",
        "大塚いきいきサロン連絡会、民生委員", 400,
        "サロン連絡会で、世話人の後継者をどう見つけるかが話題になった。",
        (
            Step(360, "講座の案（サロンの見学・運営の実際・先輩世話人との交流）をつくった。", LAUNCH),
            Step(320, "第1回の講座を開いた。9人が参加した。", RUNNING),
            Step(260, "第2回の講座で、受講者がサロンを見学した。"),
            Step(200, "第3回の講座。受講者のうち4人が、サロンの手伝いを始めることになった。"),
            Step(110, "予定した講座を終え、新しい世話人が3つのサロンに加わったため、プロジェクトを終える。",
                 ENDED, "予定した講座を終え、新しい世話人4人がサロンに加わったため"),
        ),
        issue="carers",
    ),
    Project(
        "men", "男性の居場所づくり（富坂）", "富坂",
        "退職した男性が地域に出るきっかけが少ない。本富士の「おやじの会」のような場を富坂にもつくりたいという声から。",
        "富坂二丁目町会、シニアクラブ", 35,
        "町会の役員から、退職した男性が集まれる場がほしいという相談を受けた。",
        (Step(15, "本富士のおやじの会の見学を企画し、町会の役員2人と参加することになった。"),),
        next_action="おやじの会を見学する", next_in=12,
    ),
]  # fmt: skip


@dataclass(frozen=True)
class IssueStep:
    days: int
    status: str
    note: str


@dataclass(frozen=True)
class Issue:
    key: str
    title: str
    description: str
    source: str
    district: str
    life_issues: tuple[str, ...]
    raised: int
    note: str
    steps: tuple[IssueStep, ...] = ()
    outcome: str = ""
    organization: str = SHAKYO
    writer: str = CSW
    #: What the issue is raised from: "model" (the model household's case),
    #: "hoarding" (a hoarding case), "monthly" (a 推進部会), or a 地域支援会議's key.
    origin: str = ""


L = LifeIssue
ISSUES = [
    Issue(
        "carer", "介護離職した家族介護者が、就労の相談先につながりにくい",
        "親の介護のために仕事を辞めた家族が、収入がないまま介護を続け、就労の相談先を知らずにいた例が続いている。"
        "介護の窓口と就労の窓口が、互いの相談の中で気づいてつなぐ仕組みが弱い。",
        IssueSource.CASE, "大塚", (L.CARE, L.EMPLOYMENT), 200,
        "個別ケースの支援会議で、介護と就労の両方の窓口が関わる必要を確認した。",
        (IssueStep(160, IssueStatus.ANALYSING,
                   "推進部会で、同じような世帯が他に3件あることを確認した。あんしん相談センターと自立相談支援窓口で、相談票の項目を見直す案を検討している。"),),
        organization=SEISAKU, writer=COORDINATOR, origin="model",
    ),
    Issue(
        "youth", "高校を中退した若者が、日中を過ごせる場所が地区にない",
        "高校を中退したり進路が決まらなかったりした若者が、家の外で過ごす場所がなく、家族以外と話す機会が少ない。"
        "相談窓口に来られても、次につなぐ先が地区にない。",
        IssueSource.CASE, "大塚", (L.EDUCATION, L.PARTICIPATION, L.ISOLATION), 300,
        "個別ケースの支援で、本人が通える場所を探したが地区に見つからなかった。",
        (IssueStep(280, IssueStatus.ANALYSING, "ひきこもり相談の担当と、同じ年代の相談の状況を確かめた。"),
         IssueStep(265, IssueStatus.RESOURCE_DEVELOPMENT,
                   "地区に若者の居場所をつくるため、地域プロジェクトとして住民・NPOと進めることにした。")),
        organization=SHAKYO, writer=COORDINATOR, origin="model",
    ),
    Issue(
        "hoarding", "一人暮らしの高齢者のごみ出しの困りごとに、早く気づく仕組みがない",
        "ごみ出しが難しくなった一人暮らしの高齢者の家が、近所からの苦情で初めて知られる例がある。"
        "苦情になる前に気づける見守りの網が、地区に足りない。",
        IssueSource.CASE, "駒込", (L.WELFARE, L.HOUSING, L.ISOLATION), 20,
        "ごみ屋敷の状態になってから関わり始めたケースの振り返りで挙がった。",
        organization=SHAKYO, writer=COORDINATOR, origin="hoarding",
    ),
    Issue(
        "carer_kids", "ヤングケアラーが学校の外で相談できる大人が少ない",
        "家族の世話を担う子どもが、学校の先生以外に相談できる大人を知らない。学校が気づいても、"
        "子どもが自分から相談できる場が地域に少ない。",
        IssueSource.MEETING, "", (L.EDUCATION, L.CARE), 230,
        "推進部会で、複数のケースに共通する課題として挙がった。",
        (IssueStep(200, IssueStatus.ANALYSING, "子ども家庭支援センターと教育センターで、相談の窓口の周知の状況を確かめた。"),
         IssueStep(120, IssueStatus.POLICY, "学校での出張相談と、子ども向けの相談窓口の周知を、区の施策として提案した。")),
        outcome="子ども家庭支援センターと教育センターによる学校での出張相談と、子ども向けの相談窓口の案内カードの配布を区に提案した。",
        organization=SEISAKU, writer=COORDINATOR, origin="monthly",
    ),
    Issue(
        "shopping", "坂の上の高齢者が買い物に行けない",
        "坂の上の住宅地で、近くの商店が閉店してから買い物に行けなくなった高齢者が増えている。"
        "重い荷物を持って坂を上れず、食事が簡単なもので済まされがち。",
        IssueSource.COMMUNITY_MEETING, "大塚", (L.CARE_PREVENTION, L.ISOLATION), 440,
        "地域支援会議で、町会と民生委員から報告があった。",
        (IssueStep(420, IssueStatus.ANALYSING, "坂の上の高齢世帯の数と、近くの店の状況を町会と一緒に確かめた。"),
         IssueStep(405, IssueStatus.RESOURCE_DEVELOPMENT, "移動販売の誘致を地域プロジェクトとして進めることにした。")),
        outcome="週1回の移動販売が始まり、販売の場が見守りと相談の入口にもなっている。",
        writer=CSW, origin="otsuka",
    ),
    Issue(
        "learning", "外国にルーツのある家族が、地域の行事や学習の場につながりにくい",
        "日本語での案内が分かりにくく、地域の行事や子どもの学習の場を知らない家族がいる。"
        "子どもが日本語の学習で困っていても、相談できる場が少ない。",
        IssueSource.COMMUNITY_MEETING, "本富士", (L.EDUCATION, L.PARTICIPATION, L.ISOLATION), 210,
        "地域支援会議で、町会と児童館から報告があった。",
        (IssueStep(190, IssueStatus.ANALYSING, "NPO法人たぶんかの輪と、地区の家族の状況と必要な支援を話し合った。"),),
        writer=CSW, origin="honfuji",
    ),
    Issue(
        "carers", "サロンの世話人の高齢化と後継者不足",
        "大塚のサロンの世話人の多くが80代になり、開催を続けられるか不安の声が出ている。",
        IssueSource.ACTIVITY, "大塚", (L.CARE_PREVENTION, L.PARTICIPATION), 410,
        "サロン連絡会への出席の中で、複数のサロンから同じ声を聞いた。",
        (IssueStep(390, IssueStatus.RESOURCE_DEVELOPMENT, "世話人の養成講座を地域プロジェクトとして開くことにした。"),
         IssueStep(105, IssueStatus.RESOLVED, "講座を終え、新しい世話人4人が3つのサロンに加わった。")),
        outcome="世話人の養成講座（3回）を開き、新しい世話人4人が3つのサロンに加わった。",
        writer=CSW,
    ),
    Issue(
        "night", "夜間に行き場のない若者の相談先が少ない",
        "夜に家にいづらい若者が、相談できる場所を知らない。夜の居場所のスタッフから、相談先を増やしたいとの声があった。",
        IssueSource.OTHER, "駒込", (L.ISOLATION,), 330,
        "夜の居場所のスタッフとの打ち合わせで挙がった。",
        (IssueStep(300, IssueStatus.ANALYSING, "区の若者相談の担当と、夜間の相談の状況を確かめた。"),
         IssueStep(240, IssueStatus.SHELVED,
                   "区の若者相談で夜間のオンライン相談が始まったため、地域課題としての検討は見送り、利用の状況を見守る。")),
        writer=CSW,
    ),
]  # fmt: skip


@dataclass(frozen=True)
class CommunityMeeting:
    key: str
    title: str
    district: str
    days: int
    place: str
    minutes: str


COMMUNITY_MEETINGS = [
    CommunityMeeting(
        "otsuka",
        "大塚地区 地域支援会議",
        "大塚",
        440,
        "大塚地域活動センター 会議室",
        "町会・民生委員・あんしん相談センター大塚・社協で、地区の困りごとを共有した。"
        "坂の上の住宅地で買い物に行けない高齢者が増えていることが報告され、移動販売の可能性を調べることにした。",
    ),
    CommunityMeeting(
        "honfuji",
        "本富士地区 地域支援会議",
        "本富士",
        215,
        "本富士地域活動センター 会議室",
        "町会・児童館・民生委員・社協で、地区の子どもと家族の様子を共有した。"
        "外国にルーツのある家族が地域の行事や学習の場を知らずにいることが話題になり、NPOと相談することにした。",
    ),
]


@dataclass(frozen=True)
class DemoCommunity:
    places: int
    projects: int
    issues: int
    seconds: float


@dataclass
class _Writer:
    municipality: Municipality
    today: date
    staff: dict[str, Staff] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)
    places: dict[str, CommunityPlace] = field(default_factory=dict)
    issues: dict[str, RegionalIssue] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)

    def day(self, days: int) -> date:
        return max(self.today - timedelta(days=days), FLOOR)

    def moment(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(12)))

    def write(self) -> None:
        usernames = (CSW, CSW2, COORDINATOR, OTSUKA_CENTER_STAFF)
        self.staff = {s.username: s for s in Staff.objects.filter(username__in=usernames)}
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.districts = {d.name: d for d in District.objects.all()}
        self.write_places()
        self.write_meetings()
        for issue in ISSUES:
            self.write_issue(issue)
        for project in PROJECTS:
            self.write_project(project)

    # -- places --------------------------------------------------------------------------

    def write_places(self) -> None:
        for spec in PLACES:
            resource = Resource.objects.filter(name=spec.resource, archived_at=None).first()
            if resource is not None:
                self.write_place(resource, spec)
        if len(self.places) >= MINIMUM_PLACES:
            return
        # A directory without the named places: take its other 居場所・サロン・子ども食堂.
        for resource in Resource.objects.filter(
            category__in=FALLBACK_FUNCTIONS, archived_at=None, community_place__isnull=True
        ).order_by("-is_community_place", "pk")[: MINIMUM_PLACES - len(self.places)]:
            self.write_place(
                resource,
                Place(
                    resource.name,
                    resource.provider.name,
                    "月2回",
                    FALLBACK_FUNCTIONS[resource.category],
                ),
            )

    def write_place(self, resource: Resource, spec: Place) -> None:
        district = next(
            (link.location.district for link in resource_links(resource) if link.location.district),
            None,
        ) or next(iter(self.districts.values()))
        place = services.community_place_create(
            actor=self.staff[CSW],
            resource=resource,
            spec=services.PlaceSpec(
                operator=spec.operator,
                district=district,
                opening_frequency=spec.frequency,
                functions=spec.functions,
                year_started=resource.year_started,
                succession=spec.succession,
                succession_note=spec.note,
                supporting_organization=self.organizations.get(spec.supporter),
            ),
        )
        moment = self.moment(self.day(500))
        CommunityPlace.objects.filter(pk=place.pk).update(created_at=moment, updated_at=moment)
        self.places[spec.resource] = place

    # -- meetings ------------------------------------------------------------------------

    def write_meetings(self) -> None:
        """The 地域支援会議 the issues come from, held by the 社協 with the district's centre."""
        host = self.staff[CSW]
        council = self.organizations[SHAKYO]
        for spec in COMMUNITY_MEETINGS:
            held_on = self.day(spec.days)
            meeting = meeting_services.meeting_create(
                actor=host,
                organization=council,
                meeting=Meeting(
                    title=f"{spec.title}（{held_on.month}月）",
                    held_on=held_on,
                    starts_at=time(14),
                    ends_at=time(15, 30),
                    place=spec.place,
                ),
                kinds=[Kind.COMMUNITY],
            )
            meeting_services.attendee_add(
                actor=host, meeting=meeting, organization=council, staff=host
            )
            centre = self.staff.get(OTSUKA_CENTER_STAFF)
            if spec.district == "大塚" and centre is not None:
                meeting_services.attendee_add(
                    actor=host,
                    meeting=meeting,
                    organization=self.organizations[anshin_of("大塚")],
                    staff=centre,
                )
            meeting = meeting_services.meeting_hold(actor=host, meeting=meeting)
            meeting = meeting_services.minutes_save(
                actor=host, meeting=meeting, minutes=spec.minutes, version=meeting.version
            )
            moment = self.moment(held_on)
            Meeting.objects.filter(pk=meeting.pk).update(created_at=moment, updated_at=moment)
            self.meetings[spec.key] = meeting

    def origin(self, spec: Issue) -> tuple[Case | None, Meeting | None]:
        if spec.origin == "model":
            return Case.objects.filter(title=MODEL_CASE_TITLE).order_by("pk").first(), None
        if spec.origin == "hoarding":
            return Case.objects.filter(title__startswith="ごみ屋敷").order_by("pk").first(), None
        if spec.origin == "monthly":
            held = (
                Meeting.objects.filter(
                    organization__is_coordinating=True,
                    status=MeetingStatus.HELD,
                    held_on__lte=self.day(spec.raised),
                    title__contains="推進部会",
                )
                .order_by("-held_on", "-pk")
                .first()
            )
            return None, held
        return None, self.meetings.get(spec.origin)

    # -- issues --------------------------------------------------------------------------

    def write_issue(self, spec: Issue) -> None:
        case, meeting = self.origin(spec)
        source = spec.source
        if (source == IssueSource.CASE and case is None) or (
            source == IssueSource.MEETING and meeting is None
        ):
            # No such case or meeting in this ward: raised from the district instead.
            source, case, meeting = IssueSource.ACTIVITY, None, None
        raised_on = self.day(spec.raised)
        district = self.districts.get(spec.district)
        if case is not None:
            raised_on = min(max(raised_on, case.opened_on), self.today)
            if spec.origin == "hoarding" and case.household.district is not None:
                district = case.household.district
        if meeting is not None:
            raised_on = max(raised_on, meeting.held_on)
        writer = self.staff[spec.writer]
        issue = services.regional_issue_create(
            actor=writer,
            spec=services.IssueSpec(
                title=spec.title,
                description=spec.description,
                source=source,
                raised_on=raised_on,
                organization=self.organizations[spec.organization],
                district=district,
                life_issues=spec.life_issues,
                source_case=case,
                source_meeting=meeting,
            ),
            note=spec.note,
        )
        for step in spec.steps:
            issue = services.regional_issue_advance(
                actor=writer,
                issue=issue,
                to_status=step.status,
                note=step.note,
                version=issue.version,
                outcome=spec.outcome if step is spec.steps[-1] and spec.outcome else None,
                happened_on=max(self.day(step.days), raised_on),
            )
        first = self.moment(raised_on)
        last = self.moment(max(self.day(spec.steps[-1].days), raised_on)) if spec.steps else first
        RegionalIssue.objects.filter(pk=issue.pk).update(created_at=first, updated_at=last)
        self.issues[spec.key] = issue

    # -- projects ------------------------------------------------------------------------

    def write_project(self, spec: Project) -> None:
        writer = self.staff[spec.writer]
        started_on = self.day(spec.started)
        next_on = self.today + timedelta(days=spec.next_in) if spec.next_in is not None else None
        project = services.community_project_create(
            actor=writer,
            spec=services.ProjectSpec(
                title=spec.title,
                district=self.districts[spec.district],
                organization=self.organizations[spec.organization],
                purpose=spec.purpose,
                members=spec.members,
                place=self.places.get(spec.place),
                regional_issue=self.issues.get(spec.issue),
                next_action=spec.next_action,
                next_action_on=next_on,
            ),
            started_on=started_on,
            support=spec.first,
        )
        last = started_on
        for step in spec.steps:
            happened_on = max(self.day(step.days), last)
            if step.to:
                project = services.community_project_transition(
                    actor=writer,
                    project=project,
                    to_stage=step.to,
                    version=project.version,
                    reason=step.reason,
                    support=step.support,
                    happened_on=happened_on,
                )
            else:
                services.community_project_note(
                    actor=writer, project=project, support=step.support, happened_on=happened_on
                )
            last = happened_on
        # Events of one day keep their order: a minute apart from noon.
        for index, event in enumerate(
            ProjectEvent.objects.filter(project=project).order_by("occurred_at", "pk")
        ):
            ProjectEvent.objects.filter(pk=event.pk).update(
                occurred_at=event.occurred_at + timedelta(minutes=index)
            )
        CommunityProject.objects.filter(pk=project.pk).update(
            created_at=self.moment(started_on), updated_at=self.moment(last)
        )


@transaction.atomic
def load_demo_community(
    municipality: Municipality, *, today: date | None = None
) -> DemoCommunity | None:
    """Write the demo ward's community places, projects and regional issues (once:
    ``None`` when it already has some, or has no resource directory or CSW yet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if (
            CommunityPlace.objects.exists()
            or CommunityProject.objects.exists()
            or RegionalIssue.objects.exists()
            or not Resource.objects.filter(is_community_place=True).exists()
            or Staff.objects.filter(username__in=(CSW, CSW2, COORDINATOR)).count() < 3
        ):
            return None
        _Writer(municipality, today or timezone.localdate()).write()
        return DemoCommunity(
            places=CommunityPlace.objects.count(),
            projects=CommunityProject.objects.count(),
            issues=RegionalIssue.objects.count(),
            seconds=round(clock.monotonic() - started, 1),
        )
