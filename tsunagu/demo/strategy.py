"""The demo ward's strategy check sheet (戦略点検シート), after seed 001: its
主要課題, five programmes with their departments and 事業費, and the indicators
with the seed's figures for 令和4〜6年度.

What is the seed's: the names of the issue, programmes and indicators, the
departments, the units, the figures of R4–R6 and the 令和6年度 事業費. What
is ours: every sentence (the vision, the directions, the programmes' roles
and the narratives of 令和5・6・7年度 are our own summaries), the 令和7年度
actuals and 事業費, the 令和8年度 initial budgets and the targets of R7–R9
(believable continuations, invented for the demo).

「地域福祉コーディネーターの個人支援の新規件数」 is not typed: it is counted
from the 新規相談（個人） activity records (64, 84 and 92 in 令和4〜6年度 in the
demo's records). 「関係機関連絡会」 stays typed: it adds up several kinds of
meeting (連絡会, 作業部会, ネットワーク会議, 支援会議), more than the one kind
a metric's option names, and the seed's figures (12, 18) are not the demo's
関係者連絡会 count.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass

from django.db import transaction

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    Metric,
    NarrativeSection,
    ProgrammeBudget,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
    Unit,
)

#: Who the demo's sheet is kept by.
KEEPER = "demo-jimukyoku"

TITLE = "地域共生社会を目指した包括的な支援体制の強化"
POLICY_AREA = "健康で安心な生活基盤の整備"
VISION = (
    "高齢・障害・子ども・生活困窮・保健・医療・教育の機関が分野を越えて連携し、"
    "複雑に絡み合った課題や制度の狭間にある困りごとにも応えられる包括的な支援体制ができている。"
    "重なり合う支えによって孤立が防がれ、必要な人に必要な支援が届いている。"
)
DIRECTION = "\n".join(
    (
        "①ひきこもりの総合的な対策：当事者と家族に支援の情報を届け、広域の連携も含めた相談体制を"
        "強める。地域の理解も広げ、当事者が人や社会とのつながりを取り戻せる仕組みをつくる。",
        "②ヤングケアラー支援：啓発の資料づくりと関係機関向けの研修を続ける。関係者の連絡会で課題と"
        "支援の進め方を共有して連携を強め、本人だけでなく家族全体を支える。",
        "③包括的な支援体制の強化：孤立のおそれが高い事例への多機関協働を積み重ねて体制を整え、"
        "令和7年度から重層的支援体制整備事業を本格的に実施する。",
    )
)

#: The new individual consultations of the 地域福祉コーディネーター, as activity records.
NEW_INDIVIDUAL = "new_consultation:new_individual"


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    unit: str
    #: Actuals of R4, R5, R6 (the seed's; None where it prints ―) and R7 (ours).
    actuals: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)
    #: Targets of R7, R8, R9 (ours).
    targets: tuple[int | None, int | None, int | None] = (None, None, None)
    metric: str = Metric.ENTERED
    option: str = ""


@dataclass(frozen=True)
class ProgrammeSpec:
    name: str
    department: str
    role: str
    #: 事業費 in 千円: {fiscal year: (actual, initial)}.
    budgets: dict[int, tuple[int | None, int | None]]
    indicators: tuple[IndicatorSpec, ...]


PROGRAMMES = (
    ProgrammeSpec(
        "ひきこもり総合対策",
        "生活福祉課",
        "ひきこもりの状態にある本人と家族が、自分たちのペースで自立に向かえるよう支える。",
        {2024: (20097, 17387), 2025: (21350, 20880), 2026: (None, 21600)},
        (
            IndicatorSpec("ひきこもり支援（STEP事業）利用件数", Unit.CASES,
                          (1326, 1564, 1587, 1612), (1600, 1650, 1700)),
            IndicatorSpec("ひきこもり支援センター（相談件数）", Unit.CASES,
                          (164, 271, 252, 268), (260, 280, 300)),
            IndicatorSpec("家族支援事業数（講演会、茶話会、個別相談会）", Unit.TIMES,
                          (12, 12, 12, 12), (12, 12, 12)),
        ),
    ),
    ProgrammeSpec(
        "ヤングケアラー支援推進事業",
        "子ども家庭支援センター・教育センター・福祉政策課等",
        "ヤングケアラーに周囲が気づき、関係機関がともに本人と家族全体を支える体制を整える。",
        {2024: (1195, 3025), 2025: (1840, 2400), 2026: (None, 2300)},
        (
            IndicatorSpec("関係機関連絡会（支援対策関係者連絡会、作業部会、ネットワーク会議）",
                          Unit.TIMES, (6, 15, 12, 11), (12, 12, 12)),
            IndicatorSpec("ヤングケアラー支援対策関係者連絡会作業部会", Unit.TIMES,
                          (None, 7, None, None)),
            IndicatorSpec("相談支援機関の人材育成", Unit.PEOPLE,
                          (438, 971, 450, 520), (500, 500, 500)),
        ),
    ),
    ProgrammeSpec(
        "小地域福祉活動の推進",
        "福祉政策課",
        "住民の身近な活動の拠点となる、いつでも立ち寄れる居場所づくりを後押しする。",
        {2024: (35394, 36059), 2025: (36120, 36480), 2026: (None, 37050)},
        (
            IndicatorSpec("地域福祉コーディネーターの配置", Unit.PEOPLE,
                          (10, 10, 10, 10), (10, 10, 10)),
            IndicatorSpec("地域福祉コーディネーターの個人支援の新規件数", Unit.CASES,
                          targets=(95, 100, 105), metric=Metric.ACTIVITIES, option=NEW_INDIVIDUAL),
        ),
    ),
    ProgrammeSpec(
        "多機能な居場所活動推進事業",
        "福祉政策課",
        "住民が身近な地域の課題を自ら解決していく仕組みと、関係機関と結びついた相談の場を広げる。",
        {2024: (13379, 14246), 2025: (13920, 14300), 2026: (None, 14500)},
        (
            IndicatorSpec("「多機能な居場所」の活動支援", Unit.PLACES,
                          (8, 8, 8, 8), (8, 9, 9)),
        ),
    ),
    ProgrammeSpec(
        "重層的支援体制整備事業（チームでまるごと支援）",
        "福祉政策課",
        "分野を越えた機関の連携によって、複合化した課題や制度の狭間にある困りごとに応える。",
        {2025: (9860, 10400), 2026: (None, 10900)},
        (
            IndicatorSpec("相談支援機関の人材育成", Unit.PEOPLE,
                          (None, None, 764, 810), (800, 800, 800)),
            IndicatorSpec("関係機関連絡会（支援対策関係者連絡会、作業部会、支援会議）",
                          Unit.TIMES, (None, None, 18, 20), (20, 22, 24)),
        ),
    ),
)  # fmt: skip

R, S, F, N = (
    NarrativeSection.RESULTS,
    NarrativeSection.SOCIETY,
    NarrativeSection.FINDINGS,
    NarrativeSection.NEXT,
)

#: The narratives of each year's check (進行管理年度), in our own words.
NARRATIVES: dict[int, dict[str, str]] = {
    2023: {
        R: "ひきこもり支援では、STEP事業の利用が前年度から大きく伸び、支援センターへの相談も増えた。"
        "家族向けの講演会・茶話会・個別相談会は年12回を続けている。\n"
        "ヤングケアラーについては関係機関の連絡会を重ね、学校・子ども家庭支援センター・福祉の窓口が"
        "顔を合わせて話せる場ができた。地域福祉コーディネーターは10人の体制で、地域から寄せられる"
        "個別の相談を受け止めている。",
        S: "重層的支援体制整備事業に取り組む自治体が全国で増えている。"
        "子ども施策を一元的に担う国の組織が発足し、ヤングケアラーへの支援を子ども施策の中で"
        "進める動きが強まった。",
        F: "相談の増加は、支援の情報が少しずつ届き始めた表れとみられる。一方で、相談に至っていない本人や"
        "家族はまだ多いと考えられ、情報の届け方に工夫がいる。\n"
        "ヤングケアラーは本人に自覚がないことも多く、周りの大人が気づけるよう研修を続けることが課題である。",
        N: "重層的支援体制整備事業への移行に向けて、庁内外の相談窓口が共通して使う手順と様式の検討を始める。"
        "ひきこもり支援では、家族会と組んだ情報発信を強める。",
    },
    2024: {
        R: "重層的支援体制整備事業の実施計画を地域福祉保健計画の一部として定め、移行準備の位置づけを"
        "はっきりさせた。\n"
        "ヤングケアラー支援では、連絡会に加えて作業部会を開き、学校で気づいた事例を関係機関につなぐ"
        "流れを確かめた。相談支援機関の職員向け研修には、延べ約970人が参加した。",
        S: "ヤングケアラーを、国と自治体が支援に努める対象として法律に書き込む改正が行われ、"
        "支援の根拠が明確になった。",
        F: "研修と連絡会を通じて、機関同士が気軽に相談し合える関係が広がってきた。\n"
        "一方、課題が重なった世帯では、どの機関が中心になるかの調整に時間がかかる場面があり、"
        "つなぎ方の共通ルールが必要である。",
        N: "どの窓口でもまず相談を受け止めるための共通ルールと、機関の間で情報を引き継ぐ様式"
        "（つなぐシート）を整える。多機能な居場所では、運営者の世代交代に備えた引き継ぎの支援を検討する。",
    },
    2025: {
        R: "令和6年度は、つなぐシートなどの共通様式と、窓口で受け止めた相談を関係機関につなぐ手順を定めた。"
        "事例検討を重ね、制度の狭間にある課題の傾向を整理した。\n"
        "地域福祉コーディネーターの個人支援の新規件数は、記録から集計した値で前年度を上回った。"
        "多機能な居場所では、長く続いてきた拠点で運営の引き継ぎを支援した。",
        S: "包括的な支援体制を定めた法改正から5年の見直しの時期を迎え、国で体制のあり方が議論されている。"
        "子ども・若者を支える法律上の位置づけも強まっている。",
        F: "機関の会議や研修の一覧を共有したことで、連携の相手を探す手間が減った。\n"
        "一方、ひきこもりの相談につながっていない人の多くは支援の情報そのものを知らないとみられ、"
        "届け方の見直しが必要である。ヤングケアラーと家族が抱える介護や障害の課題には、子どもの支援の枠"
        "だけでは応えきれない場面がある。",
        N: "重層的支援体制整備事業の本格実施に合わせ、分野を越えて相談できる窓口を区民に広く知らせる。\n"
        "ひきこもり支援では、関心のある区民を支え手として養成し、伴走する支援を厚くする。"
        "ヤングケアラーについては、要保護児童対策地域協議会の枠組みで関係機関の連携を強め、"
        "子ども向けの啓発を続ける。",
    },
}


@dataclass(frozen=True)
class Summary:
    programmes: int
    indicators: int
    computed: int
    narratives: int
    seconds: float


@transaction.atomic
def load_demo_strategy(municipality: Municipality) -> Summary | None:
    """Write the demo's strategy check sheet (once: ``None`` when the ward
    already has a sheet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if StrategySheet.all_tenants.filter(municipality=municipality).exists():
            return None
        keeper = Staff.objects.filter(username=KEEPER).first()
        tracked = {"municipality": municipality, "created_by": keeper, "updated_by": keeper}
        sheet = StrategySheet.objects.create(
            title=TITLE,
            policy_area=POLICY_AREA,
            vision=VISION,
            direction=DIRECTION,
            first_year=2022,
            last_year=2027,
            **tracked,
        )
        budgets: list[ProgrammeBudget] = []
        values: list[IndicatorValue] = []
        indicators = 0
        computed = 0
        for order, spec in enumerate(PROGRAMMES, start=1):
            programme = StrategyProgramme.objects.create(
                sheet=sheet,
                name=spec.name,
                department=spec.department,
                role=spec.role,
                sort_order=order * 10,
                **tracked,
            )
            budgets += [
                ProgrammeBudget(
                    programme=programme, fiscal_year=fy, actual=actual, initial=initial, **tracked
                )
                for fy, (actual, initial) in spec.budgets.items()
            ]
            for position, item in enumerate(spec.indicators, start=1):
                indicator = Indicator.objects.create(
                    programme=programme,
                    name=item.name,
                    unit=item.unit,
                    metric=item.metric,
                    option=item.option,
                    sort_order=position * 10,
                    **tracked,
                )
                indicators += 1
                computed += indicator.is_computed
                actuals = dict(zip(range(2022, 2026), item.actuals, strict=True))
                targets = dict(zip(range(2025, 2028), item.targets, strict=True))
                for fy in range(2022, 2028):
                    actual = None if indicator.is_computed else actuals.get(fy)
                    target = targets.get(fy)
                    if actual is not None or target is not None:
                        values.append(
                            IndicatorValue(
                                indicator=indicator,
                                fiscal_year=fy,
                                actual=actual,
                                target=target,
                                **tracked,
                            )
                        )
        ProgrammeBudget.objects.bulk_create(budgets)
        IndicatorValue.objects.bulk_create(values)
        narratives = SheetNarrative.objects.bulk_create(
            SheetNarrative(sheet=sheet, fiscal_year=fy, section=section, text=text, **tracked)
            for fy, sections in NARRATIVES.items()
            for section, text in sections.items()
        )
        audit_record(
            AuditAction.CREATE,
            municipality=municipality,
            obj=sheet,
            actor_label="load_demo",
            detail={"programmes": len(PROGRAMMES), "indicators": indicators},
        )
        return Summary(
            programmes=len(PROGRAMMES),
            indicators=indicators,
            computed=computed,
            narratives=len(narratives),
            seconds=round(clock.monotonic() - started, 1),
        )
