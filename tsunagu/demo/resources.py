"""The demo ward's resource directory (社会資源): about a hundred places,
activities and hosts across its four districts, for 参加支援 to connect people to.

Everything is fictional: temples, farms, shops, groups and their addresses are
made up, contact persons are drawn from :mod:`tsunagu.demo.names`, and the
descriptions are written for the demo. The mix follows what the windows use
in practice: 居場所 and サロン, 子ども食堂 and フードパントリー, farm and temple
work, an hour or two of spot work at a shop, family groups and peer groups,
volunteering, learning support and hobbies, each with what it offers, what it
needs (人・物・場所・お金), how easy it is to join, and when it meets as an
RFC 5545 rule (毎月第2火曜日 is ``MONTHLY`` + ``2TU``).

One of them, 「コーヒーを淹れる会」 in 富坂, is the demo's showcase for matching:
quiet, few words, a small group on Thursday afternoons, coffee.

Written through the directory's services (one audit event per record), once:
:func:`load_demo_resources` does nothing when the ward already has providers.
"""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass
from datetime import time

from django.db import transaction

from tsunagu.accounts.models import Staff
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.names import synthetic_name
from tsunagu.demo.ward import CHOKAI, SOCIAL_WELFARE_COUNCIL
from tsunagu.directory.models import District
from tsunagu.resources.models import Category, Ease, Need, Provider, ProviderKind, Resource
from tsunagu.resources.models import Frequency as F
from tsunagu.resources.models import Status as S
from tsunagu.resources.services import LocationSpec, ScheduleSpec, provider_save, resource_save

RESOURCES_SEED = 2031
#: The CSW keep the directory (ResourceDirectoryRule: staff who do casework).
KEEPERS = ("demo-csw", "demo-shakyo")
#: The showcase resource of the matching demo.
COFFEE = "コーヒーを淹れる会"

TOMISAKA, OTSUKA, HONFUJI, KOMAGOME = "富坂", "大塚", "本富士", "駒込"

# Short names for the codes, so that a resource reads on a few lines.
PEOPLE, THINGS, PLACE, MONEY = Need.PEOPLE, Need.THINGS, Need.PLACE, Need.MONEY
SHORT, VISIT, SMALL, QUIET_TALK, ALONE, DROP_IN, FREE, LEAVE, QUIET, ONLINE = (
    Ease.SHORT_TIME, Ease.VISIT_FIRST, Ease.SMALL_GROUP, Ease.LITTLE_TALK, Ease.ALONE_OK,
    Ease.DROP_IN, Ease.FREE, Ease.LEAVE_ANYTIME, Ease.QUIET, Ease.ONLINE,
)  # fmt: skip


def _time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def monthly(byday: str, opens: str, closes: str, interval: int = 1) -> ScheduleSpec:
    """毎月 on ``byday`` (``"2TU"``: the second Tuesday; ``"1TH,3TH"``)."""
    return ScheduleSpec(
        freq=F.MONTHLY, byday=byday, interval=interval,
        opens_at=_time(opens), closes_at=_time(closes),
    )  # fmt: skip


def weekly(byday: str, opens: str, closes: str, interval: int = 1) -> ScheduleSpec:
    """毎週 (or every ``interval`` weeks) on ``byday`` (``"MO,WE"``)."""
    return ScheduleSpec(
        freq=F.WEEKLY, byday=byday, interval=interval,
        opens_at=_time(opens), closes_at=_time(closes),
    )  # fmt: skip


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    name: str
    kind: str
    description: str
    year: int | None = None
    alternate_name: str = ""


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    provider: str
    category: str
    district: str
    place: str
    description: str
    audience: str
    offers: str
    schedules: tuple[ScheduleSpec, ...]
    needs: tuple[str, ...] = ()
    needs_note: str = ""
    ease: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    capacity: int | None = None
    year_started: int | None = None
    status: str = S.ACTIVE
    fees: str = ""
    community_place: bool = False
    ages: tuple[int | None, int | None] = (None, None)
    application: str = "担当者に電話でお問い合わせください。"
    accessibility: str = ""
    alternate_name: str = ""


TEMPLE, FARM, COMPANY, NPO, WELFARE, RESIDENTS, SELF_HELP, PUBLIC, COUNCIL = (
    ProviderKind.TEMPLE, ProviderKind.FARM, ProviderKind.COMPANY, ProviderKind.NPO,
    ProviderKind.SOCIAL_WELFARE, ProviderKind.RESIDENTS, ProviderKind.SELF_HELP,
    ProviderKind.PUBLIC, ProviderKind.COUNCIL,
)  # fmt: skip

PROVIDERS = [
    ProviderSpec("shakyo", SOCIAL_WELFARE_COUNCIL, COUNCIL,
        "地域福祉コーディネーター（CSW）が、住民の活動の立ち上げと継続を支えている。サロンや通いの場の運営相談、広報紙の発行も行う。",
        1962, "デモ区社協"),
    # 寺社
    ProviderSpec("jousenji", "浄泉寺", TEMPLE,
        "富坂の坂の途中にある寺。先代の住職のころから境内を地域に開き、朝の掃除や季節の行事に近所の人が集まる。", 1953),
    ProviderSpec("enshoji", "円照寺", TEMPLE,
        "駒込の住宅街にある小さな寺。本堂を子ども食堂や写経の会に貸しており、住職夫妻が自ら手伝っている。", 1951),
    ProviderSpec("kannonin", "本富士観音院", TEMPLE,
        "本富士の商店街の裏手にある観音堂。檀家の高齢化で境内の手入れが追いつかず、手伝ってくれる人を探している。", 1960),
    ProviderSpec("tenjin", "大塚天神社", TEMPLE,
        "大塚の氏神。宮司一人で守っており、境内の掃除と例大祭の準備に町会の人が関わっている。", 1949),
    # 農園
    ProviderSpec("hinata", "ひなた農園", FARM,
        "区内に残る数少ない畑の一つ。三代続く農家が、収穫や袋詰めの手伝いを地域に呼びかけている。", 1978),
    ProviderSpec("minori", "みのり農園", FARM,
        "駒込の線路沿いにある市民農園を管理する農家。区画の貸し出しのほか、共同の畑で野菜を育てている。", 1996),
    ProviderSpec("tomisaka_farm", "富坂ふれあい農園の会", FARM,
        "空き地を借りて住民が運営する小さな農園。季節の野菜と花を育て、収穫したものは子ども食堂に届けている。", 2012),
    # 企業・商店
    ProviderSpec("maruyama", "洋食キッチン・マルヤマ", COMPANY,
        "富坂で40年続く洋食店。店主が地域の若者の就労体験を引き受けており、仕込みの手伝いから始められる。", 1984),
    ProviderSpec("otsukaan", "手打ちそば 大塚庵", COMPANY,
        "大塚の路地にあるそば店。開店前の仕込みと片付けを短時間手伝ってくれる人を受け入れている。", 1991),
    ProviderSpec("komugi", "ベーカリー こむぎの木", COMPANY,
        "本富士の駅前通りのパン屋。焼き上がったパンの袋詰めやシール貼りを任せている。", 2009),
    ProviderSpec("suzuran", "喫茶 すずらん", COMPANY,
        "大塚の商店街で半世紀続く喫茶店。二代目の店主がネルドリップでコーヒーを淹れている。", 1972),
    ProviderSpec("demo_building", "株式会社デモビルサービス", COMPANY,
        "区内のビルやマンションの清掃を請け負う会社。障害のある人や就労経験の少ない人の雇用実績がある。", 1988),
    ProviderSpec("midori_print", "有限会社みどり印刷", COMPANY,
        "富坂の町工場の印刷所。封入や丁合などの手作業を、短時間から手伝ってもらっている。", 1967),
    ProviderSpec("yaomasa", "八百屋 やおまさ", COMPANY,
        "駒込銀座の八百屋。朝の品出しと店先の掃除を手伝ってくれる人を受け入れている。", 1958),
    ProviderSpec("bunkodo", "ふるほん文庫堂", COMPANY,
        "本富士の古書店。買い取った本の値付け前の清掃と棚の整理を、静かに作業できる人に頼んでいる。", 1999),
    ProviderSpec("shirayuri", "白ゆりクリーニング", COMPANY,
        "大塚の商店街のクリーニング店。店主の高齢のため、昨年店を閉じた。", 1970),
    ProviderSpec("tomisaka_yu", "富坂湯", COMPANY,
        "昭和から続く銭湯。開店前の浴室とロビーの清掃を、朝の短時間だけ手伝ってもらっている。", 1961),
    ProviderSpec("komagome_ginza", "駒込銀座商店会", COMPANY,
        "駒込の商店街の約40店でつくる商店会。月に一度の一斉清掃と、年末の歳末市を開いている。", 1955),
    ProviderSpec("greenroof", "本富士グリーンルーフ株式会社", COMPANY,
        "本富士の自社ビルの屋上で野菜とハーブを育てる会社。社員と地域の人が一緒に世話をしている。", 2016),
    # NPO
    ProviderSpec("komorebi", "NPO法人こもれび", NPO,
        "ひきこもりの経験者とその家族が立ち上げた団体。若者の居場所と訪問、家族向けの学習会を続けている。", 2011),
    ProviderSpec("manabiya", "NPO法人まなびや", NPO,
        "学生ボランティアと退職した教員が中心の学習支援団体。小学生から高校中退の若者まで、学び直しを支える。", 2013),
    ProviderSpec("foodlink", "NPO法人フードリンクデモ区", NPO,
        "企業や家庭から寄付された食品を、必要な世帯に届ける団体。区内4か所でフードパントリーを開いている。", 2017),
    ProviderSpec("tabunka", "NPO法人たぶんかの輪", NPO,
        "外国にルーツのある家族の暮らしを支える団体。日本語教室と子どもの学習支援、通訳の紹介をしている。", 2008),
    ProviderSpec("yorunomado", "NPO法人よるのまど", NPO,
        "夜に行き場のない若者のための居場所を開く団体。スタッフは20〜30代が中心。", 2019),
    ProviderSpec("kotonoha", "NPO法人ことのは舎", NPO,
        "本と飲み物を手がかりに、人と話すのが苦手な人でも過ごせる場をつくっている小さな団体。", 2018),
    # 社会福祉法人
    ProviderSpec("aoba", "社会福祉法人あおば福祉会", WELFARE,
        "障害のある人の相談支援と日中活動の事業所を運営する法人。地域活動支援センター「ともしび」を開いている。", 1986),
    ProviderSpec("sakuraen", "社会福祉法人さくら苑", WELFARE,
        "大塚で特別養護老人ホームとデイサービスを運営する法人。施設を地域の活動にも開いている。", 1979),
    ProviderSpec("hikari", "社会福祉法人ひかり会", WELFARE,
        "本富士で高齢者施設と保育園を運営する法人。地域交流スペースを住民の活動に貸している。", 1983),
    # 住民団体・町会
    ProviderSpec("tomisaka_chokai", "富坂二丁目町会", RESIDENTS,
        "富坂二丁目の町会。会館でのサロンと、防災訓練・夏祭りを続けている。", 1948),
    ProviderSpec("sakura_chokai", CHOKAI, RESIDENTS,
        "大塚の町会。会長を中心に、高齢の会員の見守りと会館での集まりを続けている。", 1950),
    ProviderSpec("honfuji_chokai", "本富士東町会", RESIDENTS,
        "本富士の東側の町会。集会所を地域の活動に開き、子ども会と合同で行事を行う。", 1952),
    ProviderSpec("komagome_chokai", "駒込西町会", RESIDENTS,
        "駒込の西側の町会。マンション住民の加入が増え、若い世代の役員も出てきた。", 1957),
    ProviderSpec("manpuku", "とみさかこども食堂まんぷく実行委員会", RESIDENTS,
        "子育て中の親と近所の調理好きが始めた子ども食堂。寺の本堂を借りて開いている。", 2016),
    ProviderSpec("ohisama", "こども食堂おひさまの会", RESIDENTS,
        "本富士の集会所で子ども食堂を開く住民グループ。食後に宿題を見てくれる大学生もいる。", 2018),
    ProviderSpec("otsuka_table", "大塚みんなの食卓の会", RESIDENTS,
        "子どもから高齢者まで誰でも食べに来られる食堂を開く住民グループ。", 2015),
    ProviderSpec("tomisaka_salon", "富坂ふれあいサロンの会", RESIDENTS,
        "富坂地域のサロンを運営する住民ボランティアの会。社協のCSWと一緒に立ち上げた。", 1999),
    ProviderSpec("otsuka_salon", "大塚いきいきサロン連絡会", RESIDENTS,
        "大塚地域の3つのサロンの世話人が集まる連絡会。担い手の高齢化が課題。", 1997),
    ProviderSpec("honfuji_salon", "本富士サロン世話人会", RESIDENTS,
        "本富士地域のサロンと体操の会を運営する世話人の集まり。", 2003),
    ProviderSpec("komagome_salon", "駒込ふれあいの会", RESIDENTS,
        "駒込地域で30年近く続く住民の会。サロンと配食の手伝いを続けてきた。", 1994),
    ProviderSpec("hobby_club", "デモ区シニアクラブ連合会", RESIDENTS,
        "区内の高齢者クラブの連合会。囲碁・将棋・手芸などのクラブ活動を支えている。", 1971),
    ProviderSpec("tetsugaku", "てつがく対話の会", RESIDENTS,
        "答えを出さずに問いを考え合う「哲学カフェ」を開く住民グループ。", 2014),
    ProviderSpec("chiikineko", "駒込地域猫の会", RESIDENTS,
        "飼い主のいない猫の不妊手術と見守りを続ける住民の会。町会と相談しながら餌場を管理している。", 2010),
    ProviderSpec("boardgame", "ボードゲームの会 さいころ", RESIDENTS,
        "区内の会社員と学生が始めたボードゲームのサークル。初めての人にはルールから教える。", 2020),
    # 当事者団体・家族会
    ProviderSpec("tsumugi", "ひきこもり家族会 つむぎの会", SELF_HELP,
        "ひきこもりの状態にある人の家族の会。毎月の例会で、家族同士が経験を話し合う。", 2006),
    ProviderSpec("ayumi", "デモ区精神保健福祉家族会 あゆみ会", SELF_HELP,
        "精神疾患のある人の家族の会。例会と学習会、区への要望活動を続けている。", 1981),
    ProviderSpec("orange", "介護者の会 オレンジの輪", SELF_HELP,
        "認知症の人を介護する家族の会。介護を終えた元介護者も世話人として関わっている。", 2004),
    ProviderSpec("shizuku", "ひきこもり当事者会 しずく", SELF_HELP,
        "ひきこもりの経験がある本人たちが運営する会。話しても話さなくてもよい集まりを開いている。", 2019),
    ProviderSpec("hinatabokko", "ピアサポートの会 ひなたぼっこ", SELF_HELP,
        "精神障害のある本人同士が支え合う会。ピアサポーターの研修を受けたメンバーが進行する。", 2010),
    ProviderSpec("tsukushi", "障害のある子の親の会 つくしんぼ", SELF_HELP,
        "障害のある子どもを育てる親の会。就学や将来の暮らしについて、先輩の親に相談できる。", 1992),
    # 行政・公共施設
    ProviderSpec("library", "デモ区立中央図書館", PUBLIC,
        "区の中央図書館。本の修理や読み聞かせのボランティアを受け入れている。", 1965),
    ProviderSpec("jidokan", "デモ区立本富士児童館", PUBLIC,
        "0歳から18歳までが使える児童館。夕方以降は中高生の時間として開いている。", 1974),
]  # fmt: skip


RESOURCES = [
    # ------------------------------------------------------------------ 居場所
    ResourceSpec(
        "若者の居場所 ひだまりの部屋", "komorebi", Category.PLACE, TOMISAKA, "こもれびハウス",
        "民家を改装した部屋で、好きなように過ごせる若者の居場所。スタッフにはひきこもりの経験者もいる。",
        "おおむね18〜39歳。学校や仕事に行っていない人、外に出るのが久しぶりの人。",
        "本や漫画、ボードゲーム、ゲーム機がある。話したい人はスタッフと話せる。家族の相談も受ける。",
        (weekly("TU,FR", "13:00", "18:00"),),
        needs=(MONEY, PEOPLE), needs_note="家賃の補助と、平日の昼間に部屋にいられるボランティア",
        ease=(DROP_IN, FREE, ALONE, LEAVE, VISIT),
        interests=("ボードゲーム", "漫画", "ゲーム", "読書"), capacity=12, year_started=2012,
        community_place=True, ages=(18, 39), accessibility="1階・玄関に段差あり（スロープ貸出）",
    ),
    ResourceSpec(
        "富坂みんなの茶の間", "tomisaka_chokai", Category.PLACE, TOMISAKA, "富坂二丁目町会会館",
        "町会会館を開放して、誰でもお茶を飲みに立ち寄れる日をつくっている。子ども連れから90代までにぎやか。",
        "どなたでも。",
        "お茶とお菓子、おしゃべり。月に一度は手づくりの昼食会がある。",
        (weekly("WE", "10:00", "15:00"), monthly("3SA", "11:30", "13:30")),
        needs=(PEOPLE, MONEY), needs_note="昼食会の調理ボランティア、お茶代の寄付",
        ease=(DROP_IN, ALONE), interests=("おしゃべり", "料理", "多世代交流"),
        capacity=30, year_started=2008, fees="お茶代 50円", community_place=True,
        accessibility="1階・段差なし", application="予約は要りません。",
    ),
    ResourceSpec(
        "大塚ふらっとスペース", "shakyo", Category.PLACE, OTSUKA, "大塚地域活動センター 和室",
        "社協が地域の人と開く「つどい〜の」。予定がなくても寄れて、帰りたいときに帰れる場所。",
        "どなたでも。子育て中の親、高齢の人、仕事帰りの人も。",
        "お茶を飲みながら過ごせる。CSWが同席する日は、困りごとの相談もできる。",
        (weekly("MO,TH", "10:00", "16:00"),),
        needs=(PEOPLE,), needs_note="受付と片付けを手伝うボランティア",
        ease=(DROP_IN, FREE, LEAVE, ALONE), interests=("おしゃべり", "お茶", "相談"),
        capacity=25, year_started=2019, community_place=True,
        alternate_name="つどい〜の大塚", application="予約は要りません。",
    ),
    ResourceSpec(
        "こころの居場所 ともしび", "aoba", Category.PLACE, HONFUJI, "地域活動支援センター ともしび",
        "精神障害のある人が日中を過ごせる地域活動支援センター。創作活動や軽いスポーツのプログラムがある。",
        "精神障害のある人（手帳の有無は問わない）。",
        "日中の居場所、昼食づくり、創作活動、個別の相談。",
        (weekly("MO,TU,WE,TH,FR", "10:00", "16:00"),),
        needs=(THINGS,), needs_note="手芸用の布や毛糸の寄付",
        ease=(DROP_IN, FREE, LEAVE, VISIT), interests=("手芸", "卓球", "料理", "絵"),
        capacity=20, year_started=1998, community_place=True,
        accessibility="1階・段差なし・多目的トイレあり",
        application="初回は見学の予約をしてください。",
    ),
    ResourceSpec(
        "駒込みんなの縁側", "komagome_chokai", Category.PLACE, KOMAGOME, "駒込西 空き家活用の家「えんがわ」",
        "空き家を借りた住民の居場所。縁側で日なたぼっこをしながら、近所の人と顔見知りになれる。",
        "どなたでも。",
        "お茶、将棋盤、庭の手入れ。月に一度の「修理の日」には、壊れた家電や傘を直す。",
        (weekly("TU,SA", "13:00", "16:00"), monthly("4SA", "10:00", "12:00")),
        needs=(PEOPLE, MONEY), needs_note="修理の日に道具の扱いを教えられる人、家賃の寄付",
        ease=(DROP_IN, ALONE, LEAVE), interests=("将棋", "庭いじり", "修理", "おしゃべり"),
        capacity=15, year_started=2017, community_place=True,
        accessibility="玄関に段差あり（縁側から出入りできる）", application="予約は要りません。",
    ),
    ResourceSpec(
        "夜の居場所 よるのまど", "yorunomado", Category.PLACE, KOMAGOME, "駒込駅前ビル3階 よるのまど",
        "夜に家にいづらい若者が、夕食を食べてゆっくりできる場所。話を聞くスタッフがいる。",
        "15〜29歳。",
        "夕食、シャワー、仮眠スペース、スタッフとの相談。",
        (weekly("WE,FR", "18:00", "22:00"),),
        needs=(MONEY, THINGS), needs_note="食材の寄付、運営費",
        ease=(DROP_IN, FREE, LEAVE, ALONE), interests=("ゲーム", "音楽", "料理"),
        capacity=12, year_started=2020, community_place=True, ages=(15, 29),
        accessibility="3階（エレベーターあり）", application="予約は要りません。LINEでの相談も受けます。",
    ),
    ResourceSpec(
        "本富士ユースルーム", "jidokan", Category.PLACE, HONFUJI, "デモ区立本富士児童館",
        "夕方以降の児童館を中高生の時間として開いている。音楽スタジオと自習スペースがある。",
        "中学生・高校生（同年代の人も相談のうえ利用できる）。",
        "自習、バンド練習、卓球、職員との進路の相談。",
        (weekly("MO,TU,WE,TH,FR", "17:00", "20:00"),),
        needs=(PEOPLE,), needs_note="勉強を見てくれる大学生ボランティア",
        ease=(DROP_IN, FREE, LEAVE), interests=("音楽", "バンド", "卓球", "勉強"),
        capacity=40, year_started=2005, community_place=True, ages=(12, 18),
        accessibility="2階（エレベーターあり）", application="予約は要りません。",
    ),
    ResourceSpec(
        "ことのは文庫の読書会", "kotonoha", Category.PLACE, OTSUKA, "ことのは文庫",
        "同じ本を読んできて、感想を言っても言わなくてもよい読書会。聞いているだけの参加も歓迎。",
        "本が好きな人。人前で話すのが苦手な人も。",
        "月ごとの課題本の貸し出し、読書会、本の交換棚。",
        (monthly("2SA", "14:00", "16:00"),),
        needs=(THINGS,), needs_note="交換棚に置く本の寄付",
        ease=(SMALL, VISIT, QUIET, FREE), interests=("読書", "本", "小説"),
        capacity=8, year_started=2019,
    ),
    # ------------------------------------------------------------------ サロン・通いの場
    ResourceSpec(
        "富坂二丁目ふれあいサロン", "tomisaka_salon", Category.SALON, TOMISAKA, "富坂二丁目町会会館",
        "月2回、会館に集まってお茶を飲みながら近況を話すサロン。季節ごとに小さな催しがある。",
        "おおむね65歳以上の地域の方。",
        "お茶会、脳トレ、季節の行事（七夕・クリスマス会）。",
        (monthly("1MO,3MO", "13:30", "15:30"),),
        needs=(PEOPLE,), needs_note="世話人の後継者（月2回の準備と片付け）",
        ease=(DROP_IN, ALONE), interests=("おしゃべり", "脳トレ", "季節の行事"),
        capacity=25, year_started=1999, fees="1回100円", community_place=True,
        accessibility="1階・段差なし",
    ),
    ResourceSpec(
        "とみさか坂上サロン", "tomisaka_salon", Category.SALON, TOMISAKA, "ひかり会 富坂地域交流室",
        "坂の上の高齢者施設の交流室を借りたサロン。足腰の弱った人も通いやすい。",
        "地域の高齢の方。",
        "お茶会、施設の職員による健康の話、簡単な体操。",
        (monthly("2TH", "14:00", "15:30"),),
        needs=(PEOPLE,), needs_note="送迎の付き添いボランティア",
        ease=(ALONE, SHORT), interests=("おしゃべり", "健康", "体操"),
        capacity=20, year_started=2010, fees="1回100円", community_place=True,
        accessibility="1階・段差なし・車いす可",
    ),
    ResourceSpec(
        "かよい〜の 富坂体操の会", "shakyo", Category.SALON, TOMISAKA, "富坂地域活動センター 多目的室",
        "椅子に座ってできる体操を週1回続ける通いの場。体操のあとはお茶を飲んで帰る。",
        "おおむね65歳以上。",
        "いきいき体操（DVD）、体力測定（年2回）。",
        (weekly("TU", "10:00", "11:00"),),
        needs=(PEOPLE,), needs_note="DVDの準備と受付の担い手",
        ease=(FREE, SHORT, DROP_IN), interests=("体操", "健康", "運動"),
        capacity=30, year_started=2016, community_place=True, ages=(65, None),
        alternate_name="かよい〜の",
    ),
    ResourceSpec(
        "さくら会館いきいきサロン", "otsuka_salon", Category.SALON, OTSUKA, "大塚さくら会館",
        "町会の会館で開く、30年近く続くサロン。顔なじみが多く、初めての人には世話人が声をかける。",
        "地域の高齢の方。",
        "お茶会、歌、折り紙、誕生日会。",
        (monthly("2WE,4WE", "13:30", "15:30"),),
        needs=(PEOPLE, MONEY), needs_note="歌の伴奏ができる人、会館の使用料",
        ease=(DROP_IN,), interests=("歌", "折り紙", "おしゃべり"),
        capacity=30, year_started=1996, fees="1回100円", community_place=True,
        accessibility="2階（階段のみ）",
    ),
    ResourceSpec(
        "大塚二丁目 お茶っこサロン", "otsuka_salon", Category.SALON, OTSUKA, "大塚二丁目集会所",
        "小さな集会所に10人ほどが集まるサロン。のんびりした雰囲気で、途中から来ても途中で帰ってもよい。",
        "地域の方。",
        "お茶とおしゃべり、手作りの小物づくり。",
        (monthly("1FR", "13:00", "15:00"),),
        needs=(PLACE,), needs_note="集会所の改修中に使える代わりの場所",
        ease=(SMALL, LEAVE, ALONE), interests=("おしゃべり", "手芸", "小物づくり"),
        capacity=10, year_started=2007, fees="1回100円", community_place=True,
    ),
    ResourceSpec(
        "かよい〜の 大塚体操の会", "sakuraen", Category.SALON, OTSUKA, "さくら苑 地域交流ホール",
        "特別養護老人ホームの地域交流ホールで開く体操の会。理学療法士が月1回様子を見に来る。",
        "おおむね65歳以上。",
        "いきいき体操、体力測定、介護予防の相談。",
        (weekly("FR", "10:00", "11:00"),),
        needs=(PEOPLE,), needs_note="体操のリーダー役",
        ease=(FREE, SHORT, DROP_IN), interests=("体操", "健康", "運動"),
        capacity=30, year_started=2015, community_place=True, ages=(65, None),
        accessibility="1階・段差なし・車いす可", alternate_name="かよい〜の",
    ),
    ResourceSpec(
        "本富士ふれあいサロン", "honfuji_salon", Category.SALON, HONFUJI, "本富士東町会 集会所",
        "月に一度の食事会がある本富士のサロン。食事会は世話人が朝から準備している。",
        "地域の高齢の方。一人暮らしの方歓迎。",
        "お茶会、月1回の食事会、カラオケ。",
        (monthly("1WE", "11:30", "14:00"), monthly("3WE", "13:30", "15:30")),
        needs=(PEOPLE, MONEY), needs_note="食事会の調理の担い手、食材費",
        ease=(ALONE,), interests=("料理", "カラオケ", "おしゃべり"),
        capacity=25, year_started=2003, fees="食事会500円・お茶会100円", community_place=True,
        accessibility="1階・段差なし",
    ),
    ResourceSpec(
        "かよい〜の 本富士体操の会", "hikari", Category.SALON, HONFUJI, "ひかり会 本富士地域交流スペース",
        "保育園と同じ建物にある交流スペースで開く体操の会。園児の声が聞こえる明るい部屋。",
        "おおむね65歳以上。",
        "いきいき体操、園児との交流会（年3回）。",
        (weekly("WE", "10:00", "11:00"),),
        needs=(PEOPLE,), needs_note="受付の担い手",
        ease=(FREE, SHORT, DROP_IN), interests=("体操", "健康", "子ども"),
        capacity=25, year_started=2017, community_place=True, ages=(65, None),
        alternate_name="かよい〜の",
    ),
    ResourceSpec(
        "男の居場所 本富士おやじの会", "honfuji_salon", Category.SALON, HONFUJI, "本富士東町会 集会所",
        "退職した男性が集まって、碁を打ったり昔の仕事の話をしたりする会。年に一度は工場見学に出かける。",
        "定年退職した男性（女性の見学も可）。",
        "囲碁、将棋、散歩、工場や施設の見学。",
        (monthly("2MO,4MO", "13:30", "16:00"),),
        needs=(PEOPLE,), needs_note="新しい会員（会員の減少）",
        ease=(VISIT, DROP_IN), interests=("囲碁", "将棋", "散歩", "見学"),
        capacity=15, year_started=2011, fees="1回200円", community_place=True,
    ),
    ResourceSpec(
        "駒込ふれあいサロン", "komagome_salon", Category.SALON, KOMAGOME, "駒込西町会 会館",
        "30年近く続く駒込のサロン。最近はマンションに越してきた人も来るようになった。",
        "地域の方。",
        "お茶会、健康麻雀、季節の行事。",
        (monthly("2TU,4TU", "13:30", "15:30"),),
        needs=(PEOPLE,), needs_note="若い世代の世話人",
        ease=(DROP_IN,), interests=("麻雀", "おしゃべり", "季節の行事"),
        capacity=30, year_started=1994, fees="1回100円", community_place=True,
        accessibility="1階・段差なし",
    ),
    ResourceSpec(
        "かよい〜の 駒込体操の会", "shakyo", Category.SALON, KOMAGOME, "駒込地域活動センター ホール",
        "駒込の地域活動センターで開く体操の会。終わったあと近くの公園を一緒に歩く人もいる。",
        "おおむね65歳以上。",
        "いきいき体操、ウォーキング。",
        (weekly("MO", "10:00", "11:00"),),
        needs=(PEOPLE,), needs_note="体操のリーダー役",
        ease=(FREE, SHORT, DROP_IN), interests=("体操", "ウォーキング", "健康"),
        capacity=35, year_started=2016, community_place=True, ages=(65, None),
        alternate_name="かよい〜の",
    ),
    ResourceSpec(
        "駒込 ひまわりサロン", "komagome_salon", Category.SALON, KOMAGOME, "円照寺 客殿",
        "寺の客殿を借りたサロン。住職の法話（10分）のあとにお茶会をする。",
        "地域の方。",
        "法話、お茶会、写経の体験（希望者）。",
        (monthly("3TH", "13:30", "15:00"),),
        needs=(MONEY,), needs_note="お茶菓子代",
        ease=(ALONE, QUIET), interests=("お寺", "写経", "おしゃべり"),
        capacity=20, year_started=2002, fees="1回100円", community_place=True,
        accessibility="客殿は靴を脱いで上がる（椅子あり）",
    ),
    ResourceSpec(
        "大塚ふれあい昼食会", "otsuka_salon", Category.SALON, OTSUKA, "大塚地域活動センター 調理室",
        "一人暮らしの高齢の人と一緒に昼食をつくって食べる会。担い手がそろわず、現在は休止している。",
        "一人暮らしの高齢の方。",
        "昼食づくりと会食。",
        (monthly("3TU", "10:30", "13:30"),),
        needs=(PEOPLE,), needs_note="調理の担い手（再開には3人必要）",
        ease=(ALONE,), interests=("料理", "会食"),
        capacity=16, year_started=1989, status=S.TEMPORARILY_CLOSED, fees="1回300円",
        community_place=True,
    ),
    # ------------------------------------------------------------------ 子ども食堂
    ResourceSpec(
        "とみさかこども食堂 まんぷく", "manpuku", Category.CHILDREN_CAFETERIA, TOMISAKA, "浄泉寺 本堂",
        "寺の本堂で開く子ども食堂。食後は境内で遊んだり、宿題をしたりして過ごす。",
        "子どもとその家族。大人だけの利用も可。",
        "夕食（子ども無料・大人300円）、食材の持ち帰り。",
        (monthly("2FR,4FR", "17:00", "19:30"),),
        needs=(PEOPLE, THINGS), needs_note="調理と配膳のボランティア、米と調味料",
        ease=(DROP_IN, ALONE), interests=("料理", "子ども", "食事"),
        capacity=50, year_started=2016, fees="子ども無料・大人300円", community_place=True,
        accessibility="本堂は靴を脱いで上がる",
    ),
    ResourceSpec(
        "大塚みんなの食卓", "otsuka_table", Category.CHILDREN_CAFETERIA, OTSUKA, "大塚さくら会館",
        "子どもから高齢者まで誰でも食べに来られる食堂。配膳を手伝う中学生もいる。",
        "どなたでも。",
        "夕食、季節の行事（餅つき・流しそうめん）。",
        (monthly("1TH,3TH", "17:30", "19:30"),),
        needs=(PEOPLE, MONEY), needs_note="調理ボランティア、ガス代・会館使用料",
        ease=(DROP_IN,), interests=("料理", "子ども", "多世代交流"),
        capacity=60, year_started=2015, fees="子ども無料・大人300円", community_place=True,
    ),
    ResourceSpec(
        "本富士こども食堂 おひさま", "ohisama", Category.CHILDREN_CAFETERIA, HONFUJI, "本富士東町会 集会所",
        "集会所で開く子ども食堂。食後に大学生が宿題を見てくれる。",
        "小学生・中学生とその家族。",
        "夕食、宿題のサポート、文房具の配布。",
        (weekly("WE", "17:00", "19:30"),),
        needs=(PEOPLE, THINGS), needs_note="食材（野菜・米）、宿題を見る大学生",
        ease=(DROP_IN, FREE), interests=("料理", "勉強", "子ども"),
        capacity=40, year_started=2018, community_place=True, ages=(6, 15),
    ),
    ResourceSpec(
        "駒込寺子屋食堂", "enshoji", Category.CHILDREN_CAFETERIA, KOMAGOME, "円照寺 本堂",
        "住職夫妻が始めた寺の食堂。食事の前に5分だけ静かに座る時間がある。",
        "子どもとその家族。",
        "夕食、座禅の体験、昔遊び。",
        (monthly("1SA,3SA", "16:30", "19:00"),),
        needs=(THINGS, PEOPLE), needs_note="米・野菜、配膳と片付けの手伝い",
        ease=(DROP_IN, FREE), interests=("料理", "お寺", "昔遊び"),
        capacity=40, year_started=2017, community_place=True,
        accessibility="本堂は靴を脱いで上がる",
    ),
    ResourceSpec(
        "こまごめキッチン", "komagome_chokai", Category.CHILDREN_CAFETERIA, KOMAGOME, "駒込西町会 会館",
        "町会の若手が始めた子ども食堂。会館の改修工事のため、来春まで休止している。",
        "子どもとその家族。",
        "夕食。",
        (monthly("2SU", "12:00", "14:00"),),
        needs=(PLACE,), needs_note="工事の間の代わりの会場（調理ができる場所）",
        ease=(DROP_IN, FREE), interests=("料理", "子ども"),
        capacity=30, year_started=2021, status=S.TEMPORARILY_CLOSED, community_place=True,
    ),
    # ------------------------------------------------------------------ 農園・畑
    ResourceSpec(
        "ひなた農園の収穫手伝い", "hinata", Category.FARM, OTSUKA, "ひなた農園",
        "季節の野菜の収穫と袋詰めを手伝う。農家の人に教わりながら、黙々と作業できる。",
        "どなたでも。体を動かしたい人、土いじりが好きな人。",
        "収穫、草取り、袋詰め。お礼に野菜を持ち帰れる。",
        (weekly("WE,SA", "9:00", "11:00"),),
        needs=(PEOPLE,), needs_note="収穫期（6〜10月）の人手",
        ease=(SHORT, QUIET_TALK, VISIT, ALONE), interests=("農作業", "野菜", "土いじり", "外"),
        capacity=6, year_started=2009, application="前日までに電話で申し込んでください。",
        accessibility="畑は未舗装（長靴の貸出あり）",
    ),
    ResourceSpec(
        "みのり農園 共同の畑", "minori", Category.FARM, KOMAGOME, "みのり農園",
        "市民農園の共同の畑で、参加者みんなで野菜を育てる。収穫祭では採れた野菜で豚汁をつくる。",
        "どなたでも。初めての人には区画の世話人が教える。",
        "野菜づくり、収穫祭、農具の手入れ。",
        (weekly("SU", "9:00", "11:00"), monthly("1WE", "14:00", "16:00")),
        needs=(PEOPLE, THINGS), needs_note="農具（スコップ・一輪車）、平日の水やり",
        ease=(VISIT, ALONE, QUIET_TALK), interests=("農作業", "野菜", "外", "土いじり"),
        capacity=15, year_started=1998, fees="年会費1,000円",
    ),
    ResourceSpec(
        "富坂ふれあい農園", "tomisaka_farm", Category.FARM, TOMISAKA, "富坂ふれあい農園",
        "空き地を借りた小さな農園。採れた野菜は子ども食堂「まんぷく」に届けている。",
        "どなたでも。",
        "水やり、草取り、収穫。一人で来て水やりだけして帰ってもよい。",
        (weekly("TU,SA", "9:30", "11:00"),),
        needs=(PEOPLE, PLACE), needs_note="水やりの当番、地主が変わった場合の移転先",
        ease=(SHORT, ALONE, QUIET_TALK, FREE), interests=("農作業", "花", "外", "水やり"),
        capacity=10, year_started=2012,
    ),
    ResourceSpec(
        "屋上菜園の世話", "greenroof", Category.FARM, HONFUJI, "本富士グリーンルーフビル 屋上",
        "ビルの屋上で野菜とハーブを育てている。社員が休み時間に一緒に世話をする。",
        "どなたでも。高い所が平気な人。",
        "水やり、摘み取り、ハーブティーづくり。",
        (weekly("TH", "12:00", "13:00"),),
        needs=(PEOPLE,), needs_note="夏場の水やり",
        ease=(SHORT, SMALL, QUIET_TALK), interests=("ハーブ", "野菜", "植物"),
        capacity=5, year_started=2017, accessibility="屋上（エレベーターあり・柵あり）",
    ),
    ResourceSpec(
        "ひなた農園 冬の土づくり", "hinata", Category.FARM, OTSUKA, "ひなた農園",
        "冬の間の土づくりと堆肥の切り返し。農家の代替わりで、今年から受け入れを止めている。",
        "体力に自信のある人。",
        "堆肥づくり、畑の片付け。",
        (weekly("SA", "9:00", "11:00"),),
        needs=(PEOPLE,), ease=(QUIET_TALK,), interests=("農作業", "外"),
        capacity=4, year_started=2014, status=S.INACTIVE,
    ),
    # ------------------------------------------------------------------ 寺社
    ResourceSpec(
        "浄泉寺 朝の作務（境内清掃）", "jousenji", Category.TEMPLE, TOMISAKA, "浄泉寺",
        "朝の境内を掃き清める作務。住職と一緒に、落ち葉を掃き、本堂の縁を拭く。終わったらお茶を一杯。",
        "どなたでも。朝起きるのが目標の人にも。",
        "掃き掃除、拭き掃除、季節の行事の準備。",
        (weekly("MO,WE,FR", "7:00", "8:00"),),
        needs=(PEOPLE,), needs_note="行事（施餓鬼・除夜の鐘）の前の人手",
        ease=(SHORT, QUIET_TALK, ALONE, FREE, QUIET), interests=("掃除", "お寺", "朝"),
        capacity=8, year_started=2014,
        accessibility="境内は砂利（本堂は靴を脱いで上がる）",
    ),
    ResourceSpec(
        "円照寺 写経の会", "enshoji", Category.TEMPLE, KOMAGOME, "円照寺 本堂",
        "お手本をなぞって般若心経を書く会。1時間、ほとんど話さずに筆を動かす。",
        "どなたでも（宗派は問わない）。",
        "写経、お茶。道具は貸し出す。",
        (monthly("2SU", "14:00", "15:30"),),
        needs=(MONEY,), needs_note="半紙と墨の費用",
        ease=(QUIET, QUIET_TALK, ALONE, VISIT), interests=("写経", "書道", "お寺"),
        capacity=12, year_started=1990, fees="1回500円（お茶代込み）",
    ),
    ResourceSpec(
        "観音院 境内の手入れ", "kannonin", Category.TEMPLE, HONFUJI, "本富士観音院",
        "檀家の高齢化で手が回らなくなった境内の草取りと植木の手入れ。作業は月2回、1時間半ほど。",
        "どなたでも。",
        "草取り、落ち葉集め、植木の水やり。",
        (monthly("1SA,3SA", "9:00", "10:30"),),
        needs=(PEOPLE, THINGS), needs_note="作業の担い手、剪定ばさみ",
        ease=(SHORT, QUIET_TALK, ALONE, FREE), interests=("掃除", "植物", "お寺", "外"),
        capacity=6, year_started=2020,
    ),
    ResourceSpec(
        "天神社 落ち葉掃きと例大祭の準備", "tenjin", Category.TEMPLE, OTSUKA, "大塚天神社",
        "宮司と町会の人と一緒に境内の落ち葉を掃く。9月の例大祭の前は、のぼりや提灯の準備もある。",
        "どなたでも。",
        "掃き掃除、祭りの準備（9月）。",
        (weekly("SA", "8:00", "9:00"),),
        needs=(PEOPLE,), needs_note="例大祭の準備（8月末〜9月）の人手",
        ease=(SHORT, QUIET_TALK, FREE), interests=("掃除", "祭り", "外"),
        capacity=10, year_started=1985,
    ),
    # ------------------------------------------------------------------ 企業のスポット就労
    ResourceSpec(
        "洋食店の仕込み手伝い", "maruyama", Category.SPOT_WORK, TOMISAKA, "洋食キッチン・マルヤマ",
        "開店前の1〜2時間、野菜の皮むきやキャベツの千切りなど仕込みを手伝う。包丁を使わない作業から始められる。",
        "働いた経験が少ない人、短時間から働いてみたい人。",
        "仕込み作業、まかない付き。謝礼（1時間1,000円）。",
        (weekly("TU,TH,SA", "9:30", "11:00"),),
        needs=(PEOPLE,), needs_note="平日朝の仕込みの手",
        ease=(SHORT, SMALL, QUIET_TALK, VISIT), interests=("料理", "仕込み", "飲食店", "働く"),
        capacity=2, year_started=2018, application="CSWが店主に紹介します。初回は店主と面談。",
    ),
    ResourceSpec(
        "そば店の仕込みと片付け", "otsukaan", Category.SPOT_WORK, OTSUKA, "手打ちそば 大塚庵",
        "そば打ちの後の片付けと、つゆ用のねぎ切り、器洗いを手伝う。1回1時間から。",
        "短時間の仕事から始めたい人。",
        "仕込み・片付け作業。謝礼（1時間1,000円）とそば一杯。",
        (weekly("MO,WE", "10:00", "11:30"),),
        needs=(PEOPLE,), needs_note="昼前の仕込みの手",
        ease=(SHORT, SMALL, QUIET_TALK), interests=("料理", "そば", "飲食店", "働く"),
        capacity=1, year_started=2021, application="CSWが店主に紹介します。",
    ),
    ResourceSpec(
        "パンの袋詰め", "komugi", Category.SPOT_WORK, HONFUJI, "ベーカリー こむぎの木",
        "焼き上がったパンを冷まして袋に詰め、シールを貼る作業。工房の奥で静かに作業できる。",
        "手先の作業が好きな人。",
        "袋詰め、シール貼り、トレーの片付け。謝礼と売れ残りのパン。",
        (weekly("TU,FR", "14:00", "16:00"),),
        needs=(PEOPLE,), needs_note="午後の袋詰めの手",
        ease=(SHORT, QUIET_TALK, SMALL, QUIET), interests=("パン", "手作業", "働く"),
        capacity=2, year_started=2022, application="CSWが店主に紹介します。",
    ),
    ResourceSpec(
        "喫茶店の開店準備", "suzuran", Category.SPOT_WORK, OTSUKA, "喫茶 すずらん",
        "開店前の掃除とテーブル拭き、カップの準備を手伝う。店主からコーヒー豆の話を聞けることもある。",
        "朝の時間に動ける人。接客はしなくてよい。",
        "開店準備、洗い物。謝礼とコーヒー一杯。",
        (weekly("SA", "8:00", "9:30"),),
        needs=(PEOPLE,), needs_note="土曜朝の準備の手",
        ease=(SHORT, SMALL), interests=("喫茶店", "コーヒー", "掃除", "働く"),
        capacity=1, year_started=2023, application="CSWが店主に紹介します。",
    ),
    ResourceSpec(
        "オフィスビルの清掃", "demo_building", Category.SPOT_WORK, HONFUJI, "本富士第一ビル",
        "オフィスビルの共用部（廊下・階段・トイレ）の清掃。先輩スタッフと二人一組で回る。",
        "清掃の仕事を試してみたい人。",
        "清掃作業、道具の使い方の研修。時給制（最低賃金以上）。",
        (weekly("MO,WE,FR", "7:00", "9:00"),),
        needs=(PEOPLE,), needs_note="早朝の清掃スタッフ",
        ease=(SMALL, QUIET_TALK, VISIT), interests=("掃除", "清掃", "働く"),
        capacity=3, year_started=2010, application="自立相談支援窓口を通じて申し込み。",
    ),
    ResourceSpec(
        "マンションのごみ置き場清掃", "demo_building", Category.SPOT_WORK, KOMAGOME, "駒込レジデンス",
        "マンションのごみ置き場と駐輪場の清掃。一人で30分ほどで終わる作業。",
        "一人で黙々と作業したい人。",
        "清掃作業。時給制。",
        (weekly("TU,SA", "8:00", "8:30"),),
        needs=(PEOPLE,), ease=(SHORT, ALONE, QUIET_TALK, QUIET), interests=("掃除", "清掃", "働く"),
        capacity=1, year_started=2019, application="自立相談支援窓口を通じて申し込み。",
    ),
    ResourceSpec(
        "印刷所の封入作業", "midori_print", Category.SPOT_WORK, TOMISAKA, "有限会社みどり印刷 作業場",
        "町会報や案内状の折りと封入、宛名シール貼り。機械の音の中で、黙々と手を動かす。",
        "手作業が好きな人、人と話すのが苦手な人。",
        "封入・丁合作業。謝礼（出来高）。",
        (weekly("MO,TH", "13:00", "15:00"),),
        needs=(PEOPLE,), needs_note="繁忙期（3月・12月）の人手",
        ease=(SHORT, QUIET_TALK, ALONE), interests=("手作業", "印刷", "働く"),
        capacity=3, year_started=2015, application="CSWが社長に紹介します。",
    ),
    ResourceSpec(
        "八百屋の朝の品出し", "yaomasa", Category.SPOT_WORK, KOMAGOME, "八百屋 やおまさ",
        "市場から届いた野菜を店先に並べ、段ボールを片付ける。威勢のいい店主が丁寧に教えてくれる。",
        "体を動かす仕事がしたい人。",
        "品出し、店先の掃除。謝礼と野菜。",
        (weekly("TU,TH,SA", "8:00", "9:30"),),
        needs=(PEOPLE,), ease=(SHORT, SMALL), interests=("野菜", "働く", "商店街"),
        capacity=1, year_started=2020,
    ),
    ResourceSpec(
        "古本の清掃と棚の整理", "bunkodo", Category.SPOT_WORK, HONFUJI, "ふるほん文庫堂",
        "買い取った古本の汚れを拭き、ジャンルごとに棚へ戻す。店内は静かで、音楽もかかっていない。",
        "本が好きな人、静かな場所で作業したい人。",
        "本の清掃、棚の整理。謝礼（1時間900円）。",
        (weekly("WE", "14:00", "16:00"),),
        needs=(PEOPLE,), ease=(SHORT, QUIET, QUIET_TALK, SMALL, ALONE), interests=("本", "読書", "古本", "働く"),
        capacity=1, year_started=2021,
    ),
    ResourceSpec(
        "銭湯の開店前清掃", "tomisaka_yu", Category.SPOT_WORK, TOMISAKA, "富坂湯",
        "開店前の浴室のタイル磨きとロビーの掃除。三代目の主人と二人で1時間ほど。",
        "体を動かす仕事がしたい人。",
        "清掃作業。謝礼と入浴券。",
        (weekly("MO,TH", "13:00", "14:00"),),
        needs=(PEOPLE,), ease=(SHORT, SMALL, QUIET_TALK), interests=("掃除", "清掃", "銭湯", "働く"),
        capacity=1, year_started=2022,
    ),
    ResourceSpec(
        "クリーニング店のハンガー整理", "shirayuri", Category.SPOT_WORK, OTSUKA, "白ゆりクリーニング 大塚店",
        "返却されたハンガーの仕分けと、仕上がり品の袋がけ。店主の高齢で閉店し、受け入れは終わった。",
        "短時間の作業をしたい人。",
        "仕分け作業。",
        (weekly("TU", "14:00", "15:00"),),
        ease=(SHORT, QUIET_TALK), interests=("手作業", "働く"),
        capacity=1, year_started=2016, status=S.DEFUNCT,
    ),
    ResourceSpec(
        "商店街の一斉清掃", "komagome_ginza", Category.SPOT_WORK, KOMAGOME, "駒込銀座商店街",
        "月に一度、商店会の人と一緒に通りのごみを拾い、植え込みを手入れする。参加者には商店街の商品券。",
        "どなたでも。",
        "清掃、植え込みの手入れ。謝礼として商品券500円分。",
        (monthly("1SU", "8:00", "9:00"),),
        needs=(PEOPLE,), ease=(SHORT, DROP_IN), interests=("掃除", "商店街", "外"),
        capacity=20, year_started=2004,
    ),
    # ------------------------------------------------------------------ 就労準備
    ResourceSpec(
        "就労準備プログラム（軽作業体験）", "aoba", Category.WORK_READINESS, HONFUJI, "あおば福祉会 作業所",
        "就労継続支援B型事業所で、部品の組み立てや箱折りを体験する。体験は週1回から。",
        "働くことに不安がある人、生活リズムを整えたい人。",
        "作業体験、生活リズムの相談、事業所の利用の相談。",
        (weekly("MO,TU,WE,TH,FR", "10:00", "15:00"),),
        needs=(THINGS,), needs_note="作業の受注（企業からの軽作業の依頼）",
        ease=(VISIT, SHORT, SMALL), interests=("手作業", "働く", "作業"),
        capacity=5, year_started=2001, application="相談支援専門員を通じて見学を申し込み。",
        accessibility="1階・段差なし",
    ),
    ResourceSpec(
        "パソコン講座（就労準備）", "komorebi", Category.WORK_READINESS, TOMISAKA, "こもれびハウス 2階",
        "文字入力から表計算まで、自分のペースで進めるパソコン講座。講師は元エンジニアのボランティア。",
        "仕事に就く準備をしたい若者（18〜39歳）。",
        "パソコンの基礎、履歴書づくり、模擬面接。",
        (weekly("WE", "14:00", "16:00"),),
        needs=(THINGS, PEOPLE), needs_note="中古のノートパソコン、講師ボランティア",
        ease=(SMALL, VISIT, FREE), interests=("パソコン", "働く", "勉強"),
        capacity=4, year_started=2016, ages=(18, 39),
    ),
    ResourceSpec(
        "ひなた農園 農作業体験（就労準備）", "hinata", Category.WORK_READINESS, OTSUKA, "ひなた農園",
        "農作業を通じて生活リズムと体力を整える就労準備のプログラム。3か月を一区切りにしている。",
        "就労準備支援を利用している人。",
        "農作業、作業日誌、振り返りの面談。",
        (weekly("TU,FR", "9:00", "12:00"),),
        needs=(MONEY,), needs_note="農具と作業着の費用",
        ease=(SMALL, QUIET_TALK), interests=("農作業", "外", "働く"),
        capacity=4, year_started=2019, application="自立相談支援窓口を通じて申し込み。",
    ),
    # ------------------------------------------------------------------ 家族会
    ResourceSpec(
        "ひきこもり家族会 つむぎの会 例会", "tsumugi", Category.FAMILY_GROUP, TOMISAKA, "富坂地域活動センター 会議室",
        "ひきこもりの状態にある人の家族が、毎月集まって近況を話す例会。話したくない日は聞いているだけでよい。",
        "ひきこもりの状態にある人の家族。",
        "例会、家族向けの学習会（年4回）、個別の相談。",
        (monthly("2TU", "10:00", "12:00"),),
        needs=(PEOPLE, MONEY), needs_note="会の運営を引き継ぐ世話人、会場費",
        ease=(VISIT, QUIET), interests=("家族", "ひきこもり", "学習会"),
        capacity=20, year_started=2006, fees="年会費2,000円（初回無料）",
        application="初めての方は世話人に電話してから来てください。",
    ),
    ResourceSpec(
        "あゆみ会 家族例会", "ayumi", Category.FAMILY_GROUP, HONFUJI, "本富士地域活動センター 会議室",
        "精神疾患のある人の家族が集まる例会。40年以上続き、親なきあとの話題も多い。",
        "精神疾患のある人の家族。",
        "例会、精神科医を招いた学習会、家族による相談。",
        (monthly("3SA", "13:30", "16:00"),),
        needs=(PEOPLE,), needs_note="若い世代の会員と世話人",
        ease=(VISIT,), interests=("家族", "精神保健", "学習会"),
        capacity=30, year_started=1981, fees="年会費3,000円",
    ),
    ResourceSpec(
        "介護者のつどい オレンジの輪", "orange", Category.FAMILY_GROUP, OTSUKA, "さくら苑 地域交流ホール",
        "認知症の人を介護している家族のつどい。介護の愚痴を言っても責められない場所。",
        "認知症の人を介護している家族、介護を終えた人。",
        "介護者の話し合い、介護の工夫の情報交換、看護師への相談。",
        (monthly("2TU", "13:30", "15:30"),),
        needs=(PEOPLE,), needs_note="つどいの間、介護される人を見守るボランティア",
        ease=(VISIT, DROP_IN, FREE), interests=("介護", "家族", "認知症"),
        capacity=20, year_started=2004,
    ),
    ResourceSpec(
        "つくしんぼ 親のおしゃべり会", "tsukushi", Category.FAMILY_GROUP, KOMAGOME, "駒込地域活動センター 和室",
        "障害のある子を育てる親が、子連れで集まっておしゃべりする会。就学や進路の話を先輩の親に聞ける。",
        "障害のある子ども（発達の気になる子を含む）の親。",
        "おしゃべり会、先輩の親による相談、制度の勉強会。",
        (monthly("4TH", "10:00", "12:00"),),
        needs=(PEOPLE,), needs_note="会の間、子どもを見てくれる保育ボランティア",
        ease=(DROP_IN, VISIT, FREE), interests=("子育て", "家族", "発達"),
        capacity=15, year_started=1992,
    ),
    # ------------------------------------------------------------------ 当事者会
    ResourceSpec(
        "ひきこもり当事者会 しずく", "shizuku", Category.PEER_GROUP, OTSUKA, "大塚地域活動センター 和室",
        "ひきこもりの経験がある人たちの集まり。自己紹介は名前だけでよく、話さずに座っているだけでもよい。",
        "ひきこもりの状態にある人、経験がある人（年齢は問わない）。",
        "話し合い、おやつ、月1回の外出企画（希望者）。",
        (monthly("1TU", "15:00", "17:00"),),
        needs=(PLACE, MONEY), needs_note="毎月使える静かな部屋、おやつ代",
        ease=(VISIT, QUIET_TALK, SMALL, LEAVE, FREE), interests=("ひきこもり", "仲間", "話し合い"),
        capacity=10, year_started=2019, application="予約は要りません。初めての方はメールでも問い合わせできます。",
    ),
    ResourceSpec(
        "ひなたぼっこ ピアの会", "hinatabokko", Category.PEER_GROUP, HONFUJI, "地域活動支援センター ともしび",
        "精神障害のある本人同士で、暮らしの工夫や困りごとを話し合う会。ピアサポーターが進行する。",
        "精神障害のある人。",
        "テーマを決めた話し合い、リカバリーの学習会。",
        (monthly("2TH,4TH", "14:00", "15:30"),),
        needs=(MONEY,), needs_note="ピアサポーター研修の費用",
        ease=(VISIT, SMALL, FREE), interests=("仲間", "話し合い", "精神保健"),
        capacity=12, year_started=2010,
    ),
    ResourceSpec(
        "若年性認知症 本人ミーティング", "orange", Category.PEER_GROUP, OTSUKA, "さくら苑 地域交流ホール",
        "若くして認知症と診断された人が、本人同士で話す会。家族は別室で話す。",
        "65歳未満で認知症と診断された人。",
        "本人同士の話し合い、散歩、区への提案づくり。",
        (monthly("4SA", "13:30", "15:30"),),
        ease=(SMALL, VISIT, FREE), interests=("認知症", "仲間", "散歩"),
        capacity=8, year_started=2018,
    ),
    ResourceSpec(
        "ゲーム・ネットとの付き合い方を話す会", "komorebi", Category.PEER_GROUP, TOMISAKA, "こもれびハウス",
        "ゲームやネットに時間を取られて困っている若者が、自分たちで話し合う会。オンラインでも参加できる。",
        "16〜29歳。",
        "話し合い、生活リズムの記録の工夫。",
        (monthly("3FR", "18:00", "19:30"),),
        ease=(ONLINE, SMALL, VISIT, FREE), interests=("ゲーム", "ネット", "仲間"),
        capacity=8, year_started=2022, ages=(16, 29),
    ),
    # ------------------------------------------------------------------ ボランティア
    ResourceSpec(
        "広報紙「ささえあい通信」の折込み", "shakyo", Category.VOLUNTEER, OTSUKA, "社会福祉協議会 大塚事務所",
        "社協の広報紙を町会の回覧用に折って仕分ける。1回1時間ほど、机に向かって黙々と作業する。",
        "どなたでも。人と話すのが苦手な人も。",
        "折込み、仕分け、数の確認。",
        (monthly("4TH", "14:00", "15:00"),),
        needs=(PEOPLE,), needs_note="発行月の折込みの手",
        ease=(SHORT, QUIET_TALK, SMALL, FREE, QUIET), interests=("手作業", "ボランティア", "紙"),
        capacity=6, year_started=2001, application="社協のCSWに声をかけてください。",
    ),
    ResourceSpec(
        "図書館の本の修理ボランティア", "library", Category.VOLUNTEER, HONFUJI, "デモ区立中央図書館 作業室",
        "破れたページや外れた表紙を、司書に教わりながら直す。作業室は静かで、一人で集中できる。",
        "手先の作業が好きな人。",
        "本の修理、ブッカーかけ。",
        (weekly("TH", "10:00", "12:00"),),
        needs=(PEOPLE,), ease=(QUIET, QUIET_TALK, ALONE, FREE), interests=("本", "手作業", "図書館"),
        capacity=5, year_started=2007,
    ),
    ResourceSpec(
        "傾聴ボランティア（施設訪問）", "sakuraen", Category.VOLUNTEER, OTSUKA, "さくら苑",
        "特別養護老人ホームの入居者の話し相手になる。養成講座（全3回）を受けてから活動する。",
        "人の話を聞くのが好きな人。",
        "入居者との会話、行事の手伝い。",
        (weekly("WE", "14:00", "15:30"),),
        needs=(PEOPLE,), needs_note="平日昼間に来られる人",
        ease=(VISIT,), interests=("傾聴", "高齢者", "ボランティア"),
        capacity=10, year_started=2002,
    ),
    ResourceSpec(
        "公園の花壇づくり", "honfuji_chokai", Category.VOLUNTEER, HONFUJI, "本富士東公園",
        "町会が区から任された公園の花壇を、季節ごとに植え替える。水やり当番もある。",
        "どなたでも。",
        "植え替え、水やり、草取り。",
        (monthly("2SA", "9:00", "10:30"),),
        needs=(PEOPLE, THINGS), needs_note="苗と肥料、水やり当番",
        ease=(SHORT, ALONE, FREE), interests=("花", "植物", "外", "庭いじり"),
        capacity=12, year_started=1998,
    ),
    ResourceSpec(
        "高齢者宅のごみ出し手伝い", "sakura_chokai", Category.VOLUNTEER, OTSUKA, "大塚さくら町会 区域",
        "ごみを集積所まで出すのが難しい高齢者の家に寄って、ごみを運ぶ。近所なら朝の5分でできる。",
        "町会区域に住んでいる人。",
        "ごみ出し、声かけ。",
        (weekly("MO,TH", "7:30", "8:00"),),
        needs=(PEOPLE,), needs_note="担い手（依頼が増えている）",
        ease=(SHORT, ALONE, FREE), interests=("ボランティア", "見守り"),
        capacity=10, year_started=2013,
    ),
    ResourceSpec(
        "子ども食堂の調理ボランティア", "otsuka_table", Category.VOLUNTEER, OTSUKA, "大塚さくら会館",
        "子ども食堂の夕食づくり。野菜を切る、炊飯する、盛りつけるなど、できることを分担する。",
        "料理が好きな人（上手でなくてよい）。",
        "調理、配膳、片付け。",
        (monthly("1TH,3TH", "15:00", "17:30"),),
        needs=(PEOPLE,), needs_note="調理の担い手",
        ease=(VISIT, FREE), interests=("料理", "子ども", "ボランティア"),
        capacity=8, year_started=2015,
    ),
    ResourceSpec(
        "日本語教室のサポーター", "tabunka", Category.VOLUNTEER, KOMAGOME, "駒込地域活動センター 会議室",
        "日本語を学ぶ外国籍の人の話し相手になる。教える資格は要らない。",
        "どなたでも。",
        "会話の練習相手、教材づくり。",
        (weekly("SU", "10:00", "12:00"),),
        needs=(PEOPLE,), needs_note="日曜午前に来られるサポーター",
        ease=(VISIT, FREE), interests=("日本語", "外国", "ボランティア", "会話"),
        capacity=10, year_started=2009,
    ),
    ResourceSpec(
        "防災倉庫の点検ボランティア", "tomisaka_chokai", Category.VOLUNTEER, TOMISAKA, "富坂二丁目 防災倉庫",
        "町会の防災倉庫の備蓄品の数と期限を確認し、点検表に記入する。年4回。",
        "どなたでも。",
        "備蓄品の点検、発電機の試運転。",
        (monthly("1SU", "10:00", "11:30", interval=3),),
        needs=(PEOPLE,), ease=(SHORT, SMALL, FREE), interests=("防災", "点検", "ボランティア"),
        capacity=6, year_started=1995,
    ),
    # ------------------------------------------------------------------ 学習支援
    ResourceSpec(
        "中学生学習教室 まなびや富坂", "manabiya", Category.LEARNING, TOMISAKA, "富坂地域活動センター 学習室",
        "中学生が宿題や受験勉強をする教室。大学生のボランティアがマンツーマンで付く。",
        "中学生（生活困窮世帯・ひとり親世帯の子どもを優先）。",
        "学習支援、進路の相談、夏休みの集中講座。",
        (weekly("TU,TH", "18:00", "20:00"),),
        needs=(PEOPLE, MONEY), needs_note="数学と英語を教えられる大学生、教材費",
        ease=(SMALL, FREE, VISIT), interests=("勉強", "受験", "数学", "英語"),
        capacity=15, year_started=2013, ages=(12, 15),
    ),
    ResourceSpec(
        "高校生・中退者の学び直し まなびや大塚", "manabiya", Category.LEARNING, OTSUKA, "大塚地域活動センター 学習室",
        "高校を中退した人や通信制の生徒が、高卒認定や単位の取得を目指して勉強する場。",
        "15〜24歳の学び直しをしたい人。",
        "高卒認定の学習、レポートの手伝い、進路の相談。",
        (weekly("WE", "15:00", "18:00"), weekly("SA", "13:00", "16:00")),
        needs=(PEOPLE,), needs_note="平日午後に来られる元教員",
        ease=(SMALL, FREE, VISIT, LEAVE), interests=("勉強", "高卒認定", "進路"),
        capacity=8, year_started=2017, ages=(15, 24),
    ),
    ResourceSpec(
        "小学生の宿題カフェ", "ohisama", Category.LEARNING, HONFUJI, "本富士東町会 集会所",
        "放課後に宿題をして、終わったら遊んで帰る。地域のシニアが丸つけを手伝う。",
        "小学生。",
        "宿題の見守り、読み聞かせ、おやつ。",
        (weekly("MO,WE", "15:30", "17:30"),),
        needs=(PEOPLE, THINGS), needs_note="丸つけのボランティア、おやつ",
        ease=(DROP_IN, FREE), interests=("勉強", "宿題", "子ども"),
        capacity=20, year_started=2019, ages=(6, 12),
    ),
    ResourceSpec(
        "外国ルーツの子どもの学習支援", "tabunka", Category.LEARNING, KOMAGOME, "駒込地域活動センター 会議室",
        "日本語で授業についていくのが難しい子どもに、教科の学習と日本語を教える。",
        "外国にルーツのある小中学生。",
        "教科の学習、日本語、保護者への学校のお便りの説明。",
        (weekly("SA", "13:00", "15:00"),),
        needs=(PEOPLE,), needs_note="学習支援のボランティア（やさしい日本語が使える人）",
        ease=(SMALL, FREE), interests=("勉強", "日本語", "外国"),
        capacity=12, year_started=2012, ages=(6, 15),
    ),
    ResourceSpec(
        "大人の日本語教室", "tabunka", Category.LEARNING, KOMAGOME, "駒込地域活動センター 会議室",
        "仕事や子育ての合間に日本語を学ぶ教室。役所の書類や学校のお便りを一緒に読む時間もある。",
        "日本語を学びたい外国籍の大人。",
        "日本語の学習、書類の読み方、生活の相談。",
        (weekly("SU", "10:00", "12:00"), weekly("WE", "19:00", "20:30")),
        needs=(PEOPLE,), needs_note="サポーター",
        ease=(DROP_IN, FREE, VISIT), interests=("日本語", "外国", "勉強"),
        capacity=20, year_started=2009, ages=(16, None),
    ),
    ResourceSpec(
        "シニアのスマホ教室", "hikari", Category.LEARNING, HONFUJI, "ひかり会 本富士地域交流スペース",
        "スマートフォンの使い方を、高校生のボランティアに教わる教室。ビデオ通話で孫と話せるようになった人も。",
        "スマートフォンを持っている高齢の方。",
        "操作の練習、写真の送り方、詐欺の見分け方。",
        (monthly("2FR", "14:00", "15:30"),),
        needs=(PEOPLE,), needs_note="教える高校生・大学生",
        ease=(SMALL, FREE, VISIT), interests=("スマホ", "勉強"),
        capacity=10, year_started=2021,
    ),
    # ------------------------------------------------------------------ 趣味・サークル
    ResourceSpec(
        "富坂将棋クラブ", "hobby_club", Category.HOBBY, TOMISAKA, "富坂地域活動センター 和室",
        "初心者から有段者までが指す将棋クラブ。駒の動かし方から教える。",
        "どなたでも（小学生から）。",
        "対局、詰将棋、初心者向けの指導。",
        (weekly("SA", "13:00", "17:00"),),
        needs=(PEOPLE,), needs_note="新しい会員",
        ease=(DROP_IN, QUIET_TALK, VISIT), interests=("将棋", "ゲーム"),
        capacity=20, year_started=1982, fees="1回100円",
    ),
    ResourceSpec(
        "大塚囲碁の会", "hobby_club", Category.HOBBY, OTSUKA, "大塚さくら会館",
        "会館の和室で碁を打つ会。黙って打つ人が多く、静か。",
        "囲碁が打てる人（初心者は相談）。",
        "対局、詰碁の勉強会。",
        (weekly("TU,FR", "13:00", "16:30"),),
        needs=(PEOPLE,), ease=(QUIET, QUIET_TALK, DROP_IN), interests=("囲碁", "ゲーム"),
        capacity=16, year_started=1976, fees="月500円",
    ),
    ResourceSpec(
        "手芸の会 ちくちく", "otsuka_salon", Category.HOBBY, OTSUKA, "大塚二丁目集会所",
        "布の小物や編み物を、それぞれ好きなものを作りながら過ごす会。作品はバザーに出す。",
        "どなたでも。",
        "手芸、編み物、バザーの準備。",
        (monthly("1WE,3WE", "13:30", "15:30"),),
        needs=(THINGS,), needs_note="布・毛糸・ボタンの寄付",
        ease=(SMALL, ALONE, QUIET), interests=("手芸", "編み物", "裁縫"),
        capacity=10, year_started=2006, fees="材料費実費",
    ),
    ResourceSpec(
        "写真散歩の会", "hobby_club", Category.HOBBY, HONFUJI, "本富士地域活動センター 集合",
        "街を歩きながら写真を撮り、月末に一枚ずつ見せ合う。スマートフォンでの参加も歓迎。",
        "どなたでも。",
        "撮影散歩、写真の講評会、年1回の写真展。",
        (monthly("2SU", "9:30", "12:00"),),
        ease=(ALONE, QUIET_TALK, VISIT), interests=("写真", "散歩", "カメラ"),
        capacity=15, year_started=2011, fees="1回200円",
    ),
    ResourceSpec(
        "みんなで歌う会", "hikari", Category.HOBBY, HONFUJI, "ひかり会 本富士地域交流スペース",
        "童謡や昭和の歌を、ピアノ伴奏で歌う会。大きな声を出すと気分が晴れる。",
        "どなたでも。",
        "合唱、発声練習。",
        (monthly("1TH,3TH", "10:30", "11:45"),),
        needs=(PEOPLE,), needs_note="ピアノ伴奏ができる人",
        ease=(DROP_IN,), interests=("歌", "音楽", "合唱"),
        capacity=40, year_started=2000, fees="1回100円",
    ),
    ResourceSpec(
        "絵手紙の会", "komagome_salon", Category.HOBBY, KOMAGOME, "駒込西町会 会館",
        "季節の野菜や花を描いて、ひと言を添える絵手紙の会。上手に描かなくてよい。",
        "どなたでも。",
        "絵手紙、作品展。",
        (monthly("2WE", "13:30", "15:30"),),
        ease=(SMALL, QUIET, ALONE), interests=("絵", "絵手紙", "手紙"),
        capacity=12, year_started=2005, fees="1回300円（材料費）",
    ),
    ResourceSpec(
        "俳句の会 坂の会", "tomisaka_salon", Category.HOBBY, TOMISAKA, "浄泉寺 客殿",
        "月に一度、寺の客殿で句会を開く。吟行（外を歩いて句を作る）の日もある。",
        "どなたでも。",
        "句会、吟行。",
        (monthly("4MO", "13:30", "16:00"),),
        ease=(QUIET, SMALL), interests=("俳句", "言葉", "散歩"),
        capacity=12, year_started=1988, fees="1回300円",
    ),
    ResourceSpec(
        "ボードゲーム会 さいころ", "boardgame", Category.HOBBY, HONFUJI, "本富士地域活動センター 会議室",
        "月に2回、いろいろなボードゲームを遊ぶ会。ルールはスタッフが説明するので、一人で来ても大丈夫。",
        "高校生以上。",
        "ボードゲーム、カードゲーム。",
        (monthly("1SA,3SA", "13:00", "17:00"),),
        needs=(THINGS, PLACE), needs_note="ゲームの寄付、広い会場",
        ease=(ALONE, DROP_IN, LEAVE, VISIT), interests=("ボードゲーム", "ゲーム", "カードゲーム"),
        capacity=24, year_started=2020, fees="1回300円",
    ),
    ResourceSpec(
        "朝のウォーキングの会", "komagome_salon", Category.HOBBY, KOMAGOME, "駒込西公園 集合",
        "朝の公園に集まって、決まったコースを40分ほど歩く。話しながらでも、黙ってでも。",
        "どなたでも。",
        "ウォーキング、ラジオ体操。",
        (weekly("TU,FR", "7:00", "8:00"),),
        ease=(DROP_IN, FREE, ALONE, SHORT), interests=("ウォーキング", "散歩", "健康", "外"),
        capacity=30, year_started=2008,
    ),
    ResourceSpec(
        "卓球クラブ ピンポン大塚", "hobby_club", Category.HOBBY, OTSUKA, "大塚地域活動センター 体育室",
        "初心者歓迎の卓球クラブ。ラケットは貸し出す。",
        "どなたでも。",
        "卓球、ラリー練習。",
        (weekly("TH", "13:00", "15:00"),),
        ease=(DROP_IN, VISIT), interests=("卓球", "運動", "スポーツ"),
        capacity=20, year_started=1993, fees="1回200円",
    ),
    ResourceSpec(
        "書道教室 ふでの会", "hobby_club", Category.HOBBY, HONFUJI, "本富士観音院 客殿",
        "観音院の客殿で開く書道教室。静かな部屋で、自分のペースで書く。",
        "どなたでも。",
        "楷書・行書の練習、年1回の作品展。",
        (monthly("1TU,3TU", "14:00", "16:00"),),
        ease=(QUIET, QUIET_TALK, SMALL), interests=("書道", "習字"),
        capacity=10, year_started=1987, fees="月1,000円",
    ),
    ResourceSpec(
        "プラモデルをつくる会", "komorebi", Category.HOBBY, TOMISAKA, "こもれびハウス",
        "それぞれ好きなプラモデルを黙々とつくる会。塗装の道具を共同で使える。",
        "どなたでも（若者が多い）。",
        "プラモデルの製作、塗装。",
        (monthly("2SA,4SA", "13:00", "17:00"),),
        needs=(THINGS,), needs_note="塗装用の換気扇",
        ease=(QUIET_TALK, ALONE, SMALL, LEAVE), interests=("プラモデル", "模型", "ものづくり"),
        capacity=8, year_started=2021, fees="1回200円",
    ),
    ResourceSpec(
        "鉄道模型の会", "hobby_club", Category.HOBBY, KOMAGOME, "駒込地域活動センター 工作室",
        "会員が持ち寄った車両を、共同のレイアウトで走らせる会。会員が減り、昨年で活動を終えた。",
        "どなたでも。",
        "鉄道模型の運転会。",
        (monthly("3SU", "10:00", "15:00"),),
        ease=(QUIET_TALK,), interests=("鉄道", "模型"),
        capacity=10, year_started=1979, status=S.DEFUNCT,
    ),
    ResourceSpec(
        "男の料理教室", "honfuji_salon", Category.HOBBY, HONFUJI, "本富士地域活動センター 調理室",
        "料理をしたことのない男性が、みそ汁から習う教室。作ったものはその場で食べる。",
        "料理を覚えたい男性（年齢は問わない）。",
        "調理実習、献立の相談。",
        (monthly("3SA", "10:00", "13:00"),),
        needs=(PEOPLE,), needs_note="教える人（元調理師歓迎）",
        ease=(VISIT, SMALL), interests=("料理", "男性"),
        capacity=12, year_started=2009, fees="1回500円（材料費）",
    ),
    ResourceSpec(
        "ギターを弾く会", "yorunomado", Category.HOBBY, KOMAGOME, "駒込駅前ビル3階 よるのまど",
        "ギターを触ったことがない人も、コードを3つ覚えて一曲弾けるようになる会。",
        "15〜39歳。",
        "ギターの練習（貸出あり）、小さな発表会。",
        (weekly("MO", "18:30", "20:00"),),
        needs=(THINGS,), needs_note="使わなくなったギターの寄付",
        ease=(SMALL, FREE, VISIT), interests=("ギター", "音楽"),
        capacity=6, year_started=2023, ages=(15, 39),
    ),
    # ------------------------------------------------------------------ 食支援・フードパントリー
    ResourceSpec(
        "フードパントリー富坂", "foodlink", Category.FOOD, TOMISAKA, "富坂地域活動センター ロビー",
        "寄付された食品を、予約した世帯に手渡す。受け取りは10分ほどで済む。",
        "生活に困っている世帯（申込書の記入のみ）。",
        "食品（米・レトルト・野菜）の配布、生活の相談の案内。",
        (monthly("2SA", "10:00", "12:00"),),
        needs=(THINGS, PEOPLE), needs_note="食品の寄付、仕分けのボランティア",
        ease=(SHORT, FREE), interests=("食料", "食品"),
        capacity=60, year_started=2018, application="前週までにLINEか電話で予約。",
    ),
    ResourceSpec(
        "フードパントリー大塚", "foodlink", Category.FOOD, OTSUKA, "さくら苑 地域交流ホール",
        "高齢者施設のホールで開くフードパントリー。施設の職員が介護の相談にも乗る。",
        "生活に困っている世帯。",
        "食品の配布、相談の案内。",
        (monthly("4SA", "10:00", "12:00"),),
        needs=(THINGS,), needs_note="米・缶詰の寄付",
        ease=(SHORT, FREE), interests=("食料", "食品"),
        capacity=50, year_started=2019, application="前週までにLINEか電話で予約。",
    ),
    ResourceSpec(
        "フードパントリー本富士", "foodlink", Category.FOOD, HONFUJI, "本富士東町会 集会所",
        "ひとり親世帯向けに、平日の夕方に開くフードパントリー。子ども用のお菓子や学用品も配る。",
        "ひとり親世帯、子育て中の生活に困っている世帯。",
        "食品・学用品の配布。",
        (monthly("1FR", "17:00", "19:00"),),
        needs=(THINGS, PEOPLE), needs_note="学用品の寄付、配布のボランティア",
        ease=(SHORT, FREE), interests=("食料", "子育て"),
        capacity=40, year_started=2020, application="前週までにLINEか電話で予約。",
    ),
    ResourceSpec(
        "フードパントリー駒込", "foodlink", Category.FOOD, KOMAGOME, "円照寺 客殿",
        "寺の客殿で開くフードパントリー。お供えのお下がりも配っている。",
        "生活に困っている世帯。",
        "食品の配布、住職との立ち話。",
        (monthly("3SA", "10:00", "12:00"),),
        needs=(THINGS,), needs_note="食品の寄付",
        ease=(SHORT, FREE), interests=("食料", "お寺"),
        capacity=40, year_started=2021, application="前週までにLINEか電話で予約。",
    ),
    ResourceSpec(
        "食品の仕分けボランティア", "foodlink", Category.FOOD, OTSUKA, "フードリンク倉庫",
        "寄付された食品の賞味期限を確認し、種類ごとに箱に分ける。倉庫での黙々とした作業。",
        "どなたでも。",
        "仕分け、箱詰め、在庫の記録。",
        (weekly("TH", "13:00", "15:00"),),
        needs=(PEOPLE,), needs_note="平日の仕分けの人手",
        ease=(SHORT, QUIET_TALK, ALONE, FREE), interests=("仕分け", "手作業", "ボランティア"),
        capacity=6, year_started=2018,
    ),
    ResourceSpec(
        "配食サービスの手伝い", "komagome_salon", Category.FOOD, KOMAGOME, "駒込西町会 会館",
        "一人暮らしの高齢者に弁当を届ける。届けるときの一言の声かけが見守りになっている。",
        "自転車か徒歩で回れる人。",
        "弁当の配達、安否の確認。",
        (weekly("TU,FR", "11:00", "12:30"),),
        needs=(PEOPLE,), needs_note="配達の担い手",
        ease=(SHORT,), interests=("配達", "見守り", "自転車"),
        capacity=8, year_started=1994,
    ),
    # ------------------------------------------------------------------ 哲学カフェ
    ResourceSpec(
        "哲学カフェ 本富士", "tetsugaku", Category.OTHER, HONFUJI, "本富士地域活動センター 会議室",
        "「働くとは」「ふつうとは」などの問いを、答えを決めずに話し合う。聞いているだけでもよい。",
        "どなたでも（高校生以上）。",
        "テーマを決めた対話、進行役の体験。",
        (monthly("3SU", "14:00", "16:00"),),
        needs=(PEOPLE,), needs_note="進行役を担える人",
        ease=(VISIT, DROP_IN, LEAVE), interests=("哲学", "対話", "考える"),
        capacity=15, year_started=2014, fees="1回200円（飲み物代）",
    ),
    ResourceSpec(
        "てつがくカフェ こまごめ", "tetsugaku", Category.OTHER, KOMAGOME, "駒込地域活動センター 和室",
        "若い世代向けに夜に開いていた哲学カフェ。進行役の転居で休止中。",
        "20〜39歳。",
        "テーマを決めた対話。",
        (monthly("2FR", "19:00", "21:00"),),
        needs=(PEOPLE,), needs_note="進行役",
        ease=(VISIT, DROP_IN), interests=("哲学", "対話"),
        capacity=12, year_started=2019, status=S.TEMPORARILY_CLOSED,
    ),
    ResourceSpec(
        "親子ひろば とみさか", "hikari", Category.PLACE, TOMISAKA, "ひかり会 富坂地域交流室",
        "0〜3歳の子どもと親が、予約なしで遊びに来られるひろば。保育士が子育ての相談に乗る。",
        "0〜3歳の子どもと保護者、妊娠中の人。",
        "自由遊び、月1回の身体測定、子育ての相談。",
        (weekly("MO,WE,FR", "10:00", "15:00"),),
        needs=(THINGS,), needs_note="絵本とおもちゃの寄付",
        ease=(DROP_IN, FREE, LEAVE, ALONE), interests=("子育て", "子ども", "遊び"),
        capacity=20, year_started=2010, community_place=True, ages=(0, 3),
        accessibility="1階・段差なし・ベビーカー可", application="予約は要りません。",
    ),
    ResourceSpec(
        "手製本ワークショップ", "midori_print", Category.HOBBY, TOMISAKA, "有限会社みどり印刷 作業場",
        "印刷所の端紙を使って、糸かがりのノートや豆本をつくる。職人が道具の使い方を教える。",
        "どなたでも（小学生は保護者と）。",
        "ノートづくり、豆本づくり、紙の話。",
        (monthly("3SA", "14:00", "16:00"),),
        ease=(SMALL, QUIET, VISIT), interests=("ものづくり", "紙", "製本", "手作業"),
        capacity=8, year_started=2018, fees="1回500円（材料費）",
    ),
    ResourceSpec(
        "地域猫の見守りボランティア", "chiikineko", Category.VOLUNTEER, KOMAGOME, "駒込西 地域猫の餌場",
        "決まった時間に餌場で猫に餌をやり、片付けて、猫の様子をノートに書く。一人でできる短い活動。",
        "動物が好きな人。",
        "餌やりと片付け、見守りノートの記録、不妊手術の搬送の手伝い。",
        (weekly("MO,WE,FR", "17:00", "17:30"),),
        needs=(PEOPLE, MONEY), needs_note="餌やりの当番、手術費用の寄付",
        ease=(SHORT, ALONE, QUIET_TALK, QUIET, FREE), interests=("猫", "動物"),
        capacity=6, year_started=2010,
    ),
    ResourceSpec(
        "買い物の付き添いボランティア", "komagome_salon", Category.VOLUNTEER, KOMAGOME, "駒込銀座商店街",
        "足腰の弱った高齢の人の買い物に付き添い、荷物を持って家まで一緒に帰る。",
        "平日の午前に動ける人。",
        "買い物の付き添い、荷物運び。",
        (weekly("WE", "10:00", "11:30"),),
        needs=(PEOPLE,), needs_note="付き添いの担い手",
        ease=(SHORT, SMALL), interests=("買い物", "見守り", "ボランティア"),
        capacity=5, year_started=2014,
    ),
    ResourceSpec(
        "古布リメイクの会", "komagome_salon", Category.HOBBY, KOMAGOME, "駒込西町会 会館",
        "着なくなった着物や古布で、巾着やコースターをつくる会。ミシンが苦手なら手縫いで。",
        "どなたでも。",
        "古布の小物づくり、バザーへの出品。",
        (monthly("4WE", "13:30", "15:30"),),
        needs=(THINGS,), needs_note="古い着物・布の寄付",
        ease=(SMALL, ALONE), interests=("手芸", "裁縫", "着物"),
        capacity=10, year_started=2012, fees="1回100円",
    ),
    # ------------------------------------------------------------------ The showcase
    ResourceSpec(
        COFFEE, "kotonoha", Category.HOBBY, TOMISAKA, "富坂三丁目 コミュニティルーム「あかり」",
        "ハンドドリップでコーヒーを淹れて、静かに味わう少人数の会。豆の挽き方やお湯の温度を試しながら、一杯ずつ丁寧に淹れる。おしゃべりは無理にしなくてよい。",
        "どなたでも。人の多い場所が苦手な人、久しぶりに外に出る人も。",
        "コーヒーの淹れ方を一緒に練習する。慣れたら、地域の集まりで淹れ手を務めることもできる（希望者のみ）。",
        (monthly("1TH,3TH", "14:00", "16:00"),),
        needs=(THINGS, PEOPLE), needs_note="ドリッパーやポットの寄付、淹れ方を教えられる人",
        ease=(QUIET, QUIET_TALK, SMALL, VISIT, SHORT, LEAVE),
        interests=("コーヒー", "カフェ", "ハンドドリップ"),
        capacity=5, year_started=2021, fees="1回100円（豆代）",
        application="見学は随時。担当者に電話かメールで一言ください。",
        accessibility="1階・段差なし",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoResources:
    providers: int
    resources: int
    seconds: float


class _Writer:
    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        self.rng = random.Random(RESOURCES_SEED)
        self.keepers = [Staff.objects.get(username=name) for name in KEEPERS]
        self.districts = {d.name: d for d in District.objects.all()}
        self.providers: dict[str, Provider] = {}
        self.addresses: dict[str, str] = {}
        self.phones = 0

    def phone(self) -> str:
        self.phones += 1
        return f"03-0000-{7000 + self.phones:04d}"

    def address(self, place: str, district: str) -> str:
        """One made-up address per place name (places shared by resources share it)."""
        if place not in self.addresses:
            chome, ban, go = (
                self.rng.randint(1, 6),
                self.rng.randint(1, 30),
                self.rng.randint(1, 20),
            )
            self.addresses[place] = f"デモ区{district}{chome}-{ban}-{go}"
        return self.addresses[place]

    def write(self) -> None:
        for index, provider_spec in enumerate(PROVIDERS):
            provider = Provider(
                name=provider_spec.name,
                alternate_name=provider_spec.alternate_name,
                kind=provider_spec.kind,
                description=provider_spec.description,
                phone=self.phone(),
                year_incorporated=provider_spec.year,
            )
            self.providers[provider_spec.key] = provider_save(
                actor=self.keepers[index % len(self.keepers)], provider=provider
            )
        for index, spec in enumerate(RESOURCES):
            self.write_resource(index, spec)

    def write_resource(self, index: int, spec: ResourceSpec) -> None:
        contact, _reading = synthetic_name(self.rng)
        resource = Resource(
            provider=self.providers[spec.provider],
            name=spec.name,
            alternate_name=spec.alternate_name,
            category=spec.category,
            is_community_place=spec.community_place,
            description=spec.description,
            audience=spec.audience,
            offers=spec.offers,
            needs=list(spec.needs),
            needs_note=spec.needs_note,
            ease=list(spec.ease),
            interests=list(spec.interests),
            capacity=spec.capacity,
            status=spec.status,
            year_started=spec.year_started,
            fees_description=spec.fees or ("無料" if Ease.FREE in spec.ease else ""),
            minimum_age=spec.ages[0],
            maximum_age=spec.ages[1],
            application_process=spec.application,
            contact_name=contact,
            contact_phone=self.phone(),
        )
        district = self.districts[spec.district]
        resource_save(
            actor=self.keepers[index % len(self.keepers)],
            resource=resource,
            schedules=spec.schedules,
            location=LocationSpec(
                name=spec.place,
                address=self.address(spec.place, spec.district),
                district=district,
                accessibility=spec.accessibility,
                transportation=f"デモ区コミュニティバス「{spec.district}」下車 徒歩{self.rng.randint(1, 9)}分",
            ),
        )


@transaction.atomic
def load_demo_resources(municipality: Municipality) -> DemoResources | None:
    """Write the demo ward's resource directory (once: ``None`` when it already
    has providers, or before the ward's staff exist)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if Provider.objects.exists() or not Staff.objects.filter(username=KEEPERS[0]).exists():
            return None
        _Writer(municipality).write()
        return DemoResources(
            providers=Provider.objects.count(),
            resources=Resource.objects.count(),
            seconds=round(clock.monotonic() - started, 1),
        )
