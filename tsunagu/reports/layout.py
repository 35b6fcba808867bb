"""The business report's layout of seed 000 (the ward's quarterly and
fiscal-year report), as a municipality's starting configuration.

The layout is data: which tables, under which business, with which rows, and
what each row counts. A municipality edits it afterwards on the report's
configuration page; organizations and districts are found by name, and a
row whose organization or district the municipality does not have is kept
without it, for the administrator to point at the right one.

``seed`` holds the figures seed 000 shows for 令和6年度 and 令和7年4月〜6月
(None where the seed leaves the cell blank): the demo ward's records are
generated to reproduce them, and a test compares the report with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.directory.models import District, Organization
from tsunagu.reports.models import Metric, ReportRow, ReportTable

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

#: The two columns seed 000 reports: 令和6年度 and 令和7年4月〜6月.
SEED_FISCAL_YEAR = 2024
SEED_QUARTER = (2025, 1)


@dataclass(frozen=True)
class RowSpec:
    label: str
    metric: str
    organization: str = ""
    include_branches: bool = False
    district: str = ""
    option: str = ""
    cell_note: str = ""
    seed: tuple[int | None, int | None] = (None, None)


@dataclass(frozen=True)
class TableSpec:
    business: int
    heading: str
    title: str = ""
    note: str = ""
    column_suffix: str = "件数"
    rows: tuple[RowSpec, ...] = field(default=())


DISTRICTS = ("富坂", "大塚", "本富士", "駒込")
#: The counted entry the ネウボラ row adds to its consultations (the contractor's figure).
CONTRACTED_NEUVOLA = "委託事業 ネウボラ相談件数"
ANSHIN = "高齢者あんしん相談センター"
COUNCIL = "社会福祉協議会"

_ANSHIN_SEED = {
    "富坂": (11308, 2668),
    "大塚": (10709, 2765),
    "本富士": (12108, 3090),
    "駒込": (8107, 2089),
}
_NEW_INDIVIDUAL_SEED = {"富坂": (23, 7), "大塚": (33, 4), "本富士": (11, 5), "駒込": (25, 7)}
_NEW_COMMUNITY_SEED = {"富坂": (23, 4), "大塚": (26, 7), "本富士": (21, 6), "駒込": (14, 4)}
#: 個人支援: 関係形成・個別支援・連絡調整 (直接支援), then the same (間接支援).
_INDIVIDUAL_SEED = {
    "富坂": (44, 104, 16, 65, 229, 53),
    "大塚": (62, 67, 3, 103, 154, 29),
    "本富士": (18, 56, 3, 180, 123, 2),
    "駒込": (58, 72, 91, 49, 85, 171),
}
#: 地域支援: 関係形成・立上支援・運営支援・連絡調整.
_COMMUNITY_SEED = {
    "富坂": (346, 88, 1062, 249),
    "大塚": (698, 143, 818, 262),
    "本富士": (310, 64, 642, 98),
    "駒込": (251, 83, 475, 563),
}


def _individual_table(district: str) -> TableSpec:
    seeds = _INDIVIDUAL_SEED[district]
    rows = []
    for index, (mode, mode_label) in enumerate((("direct", "直接支援"), ("indirect", "間接支援"))):
        for offset, (kind, kind_label) in enumerate(
            (
                ("relationship", "関係形成"),
                ("individual_support", "個別支援"),
                ("liaison", "連絡調整"),
            )
        ):
            rows.append(
                RowSpec(
                    f"{kind_label}（{mode_label}）",
                    Metric.ACTIVITIES,
                    district=district,
                    option=f"individual:{kind}:{mode}",
                    seed=(seeds[index * 3 + offset], None),
                )
            )
    return TableSpec(
        5, "", "○地域福祉コーディネーター活動（個人支援）", f"※{district}地区", rows=tuple(rows)
    )


def _community_table(district: str) -> TableSpec:
    seeds = _COMMUNITY_SEED[district]
    kinds = (("relationship", "関係形成"), ("launch", "立上支援"), ("operation", "運営支援"), ("liaison", "連絡調整"))  # fmt: skip
    return TableSpec(
        5,
        "",
        "○地域福祉コーディネーター活動記録（地域支援）",
        f"※{district}地区",
        rows=tuple(
            RowSpec(label, Metric.ACTIVITIES, district=district, option=f"community:{kind}", seed=(value, None))
            for (kind, label), value in zip(kinds, seeds, strict=True)
        ),
    )  # fmt: skip


def _new_consultations(kind: str, title: str, seeds: dict[str, tuple[int, int]]) -> TableSpec:
    return TableSpec(
        5,
        "",
        title,
        rows=tuple(
            RowSpec(f"{district}地区", Metric.ACTIVITIES, district=district,
                    option=f"new_consultation:{kind}", seed=seeds[district])
            for district in DISTRICTS
        ),
    )  # fmt: skip


SEED_000_LAYOUT: tuple[TableSpec, ...] = (
    TableSpec(1, "高齢者あんしん相談センター（分室含む）", rows=tuple(
        RowSpec(district, Metric.CONSULTATIONS, f"{ANSHIN}{district}", include_branches=True,
                seed=_ANSHIN_SEED[district])
        for district in DISTRICTS
    )),
    TableSpec(1, "利用者支援事業（子ども家庭支援センター）", "総合相談事業（一般相談）", rows=(
        RowSpec("", Metric.CONSULTATIONS, "子ども家庭支援センター", seed=(35322, 9815)),
    )),
    TableSpec(1, "", "親子ひろば事業（ひろば）", column_suffix="利用者数", rows=(
        RowSpec("", Metric.COUNTED, "子ども家庭支援センター", option="親子ひろば利用者数",
                seed=(17042, 3911)),
    )),
    TableSpec(1, "障害者基幹相談支援センター", "総合相談支援業務件数", rows=(
        RowSpec("", Metric.CONSULTATIONS, "障害者基幹相談支援センター", seed=(5290, 1563)),
    )),
    TableSpec(1, "利用者支援事業（保健サービスセンター・本郷支所）", "ネウボラ相談件数", rows=(
        # 「*委託事業件数と合算」: the contractor's monthly figure is added to the records.
        RowSpec("保健サービスセンター", Metric.CONSULTATIONS, "保健サービスセンター",
                option=CONTRACTED_NEUVOLA, cell_note="*委託事業件数と合算", seed=(3757, 513)),
        RowSpec("保健サービスセンター本郷支所", Metric.CONSULTATIONS, "保健サービスセンター本郷支所",
                seed=(1426, 507)),
    )),
    TableSpec(1, "自立相談支援事業", rows=(
        RowSpec("新規相談受付", Metric.NEW_CONSULTATIONS, "自立相談支援窓口", seed=(278, 94)),
        RowSpec("プラン作成", Metric.COUNTED, "自立相談支援窓口", option="自立支援計画作成数",
                seed=(91, 26)),
    )),
    TableSpec(2, "相談受付件数・支援会議等開催数", rows=(
        # 事務局相談受付件数: what reached the coordinating section — consultations
        # at its window, つなぐシート addressed to it, cases it opened — each once.
        RowSpec("相談受付件数", Metric.RECEIVED, "福祉政策課", seed=(7, 6)),
        RowSpec("重層的支援会議", Metric.MEETINGS_HELD, option="plan_meeting", seed=(0, 0)),
        RowSpec("支援会議開催件数（オブザーバー参加含む）", Metric.MEETINGS_HELD,
                option="support_meeting", seed=(9, 5)),
    )),
    TableSpec(2, "庁内会議", rows=(
        RowSpec("関係者連絡会", Metric.MEETINGS_HELD, option="liaison", seed=(2, 0)),
        RowSpec("作業部会", Metric.MEETINGS_HELD, option="working_group", seed=(7, 2)),
    )),
    TableSpec(2, "事業説明会・研修等", rows=(
        RowSpec("事業説明会", Metric.MEETINGS_HELD, option="briefing", seed=(8, 12)),
        RowSpec("研修", Metric.MEETINGS_HELD, option="training", seed=(13, 0)),
    )),
    TableSpec(3, "", rows=(RowSpec("", Metric.PLAN_OUTREACH, seed=(0, 0)),)),
    TableSpec(4, "", rows=(RowSpec("", Metric.PLAN_PARTICIPATIONS, seed=(0, 0)),)),
    TableSpec(5, "社会福祉協議会の取り組み　生活支援体制整備事業",
              "生活支援コーディネーター活動記録（地域関係）", rows=(
        RowSpec("情報収集", Metric.ACTIVITIES, option="life_support:information", seed=(59, None)),
        RowSpec("関係形成", Metric.ACTIVITIES, option="life_support:relationship", seed=(211, None)),
        RowSpec("企画立案", Metric.ACTIVITIES, option="life_support:planning", seed=(6, None)),
        RowSpec("運営支援", Metric.ACTIVITIES, option="life_support:operation", seed=(1106, None)),
    )),
    TableSpec(5, "生活困窮者の共助の基盤づくり事業", "○新規相談件数（個人）", rows=_new_consultations(
        "new_individual", "", _NEW_INDIVIDUAL_SEED).rows),
    _individual_table("富坂"),
    _community_table("富坂"),
    _new_consultations("new_community", "○新規相談件数（地域）", _NEW_COMMUNITY_SEED),
    _individual_table("大塚"),
    _community_table("大塚"),
    _individual_table("本富士"),
    _community_table("本富士"),
    # The seed labels this last table 本富士地区 a second time; it is 駒込's.
    _individual_table("駒込"),
    _community_table("駒込"),
)  # fmt: skip


@transaction.atomic
def report_layout_install(
    *,
    actor: Staff | None,
    actor_label: str = "",
    layout: tuple[TableSpec, ...] = SEED_000_LAYOUT,
) -> int:
    """Create the report's tables and rows for the current municipality from
    ``layout``; refuses when the municipality already has a layout. Returns
    the number of rows."""
    municipality = tenancy.current_municipality()
    if municipality is None:
        raise tenancy.TenantMismatch("report layout installed with no municipality")
    if ReportTable.objects.exists():
        raise ValueError("事業報告の様式はすでに設定されています。")
    organizations = {o.name: o for o in Organization.objects.all()}
    districts = {d.name: d for d in District.objects.all()}
    rows = 0
    for order, spec in enumerate(layout, start=1):
        table = ReportTable.objects.create(
            business_number=spec.business,
            heading=spec.heading,
            title=spec.title,
            note=spec.note,
            column_suffix=spec.column_suffix,
            sort_order=order,
            created_by=actor,
        )
        for row_order, row in enumerate(spec.rows, start=1):
            organization = organizations.get(row.organization) if row.organization else None
            district = districts.get(row.district) if row.district else None
            # A row naming an organization or district this municipality does
            # not have would count everyone's records: it waits, uncounted,
            # for the administrator to point it at the right one.
            missing = [
                name
                for name, found in ((row.organization, organization), (row.district, district))
                if name and found is None
            ]
            ReportRow.objects.create(
                table=table,
                label=row.label,
                metric=Metric.ENTERED if missing else row.metric,
                organization=organization,
                include_branches=row.include_branches,
                district=district,
                option=row.option,
                cell_note=f"要設定（{'・'.join(missing)}が見つかりません）"[:60]
                if missing
                else row.cell_note,
                sort_order=row_order,
                created_by=actor,
            )
            rows += 1
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        actor_label=actor_label,
        municipality=municipality,
        object_type="reports.reporttable",
        detail={"layout": "seed_000", "tables": len(layout), "rows": rows},
    )
    return rows
