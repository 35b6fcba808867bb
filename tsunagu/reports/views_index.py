"""報告・評価: where the reports and the figures behind them are found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagu import policy
from tsunagu.core.http import StaffRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Entry:
    title: StrOrPromise
    description: StrOrPromise
    url_name: str
    resource: str
    action: policy.Action


ENTRIES = [
    Entry(_("事業報告（実績報告）"), _("5事業ごとの件数を、前年度と今年度（または選んだ期間）で記録から集計します。Excelにも出力できます。"), "reports:business", "aggregate", policy.Action.VIEW),
    Entry(_("戦略点検シート"), _("評価指標の実績と目標（R4〜R9）、事業費、年度ごとの記述。"), "reports:strategy", "report_configuration", policy.Action.VIEW),
    Entry(_("調査回答"), _("東京都社会福祉協議会の調査項目（支援会議・重層的支援会議・プラン・参加支援・アウトリーチ）への回答。"), "reports:survey", "aggregate", policy.Action.VIEW),
    Entry(_("プロセス指標"), _("月あたりの働きかけ、関係の段階の変化、同意・プランまでの日数、プラン前の支援をグラフで。"), "reports:process", "aggregate", policy.Action.VIEW),
    Entry(_("件数入力"), _("記録では持たない数（ひろばの利用者数など）を月ごとに入力します。"), "activities:counted", "counted_entry", policy.Action.LIST),
    Entry(_("アウトリーチの集計"), _("一世帯・一か月あたりの働きかけの回数と分布。"), "outreach:counts", "outreach_contact", policy.Action.LIST),
    Entry(_("支援経過記録の集計（延べ）"), _("面談・電話・訪問・同行などの対応を、種別と月ごとに延べ件数で。Excelにも出力できます。"), "progress:counts", "aggregate", policy.Action.VIEW),
    Entry(_("参加支援の集計"), _("プランに基づく支援とプラン前の支援、協力事業者数。"), "participation:counts", "participation", policy.Action.LIST),
    Entry(_("多機関協働のプロセス"), _("最初の相談から支援会議・同意・プランまでの日数（ケースごと）。"), "cases:measures", "case", policy.Action.LIST),
]  # fmt: skip


@policy.route("aggregate", policy.Action.VIEW)
def index(request: StaffRequest) -> HttpResponse:
    entries = [
        {"title": e.title, "description": e.description, "url": reverse(e.url_name)}
        for e in ENTRIES
        if policy.decide(request.user, e.action, e.resource)
    ]
    return render(request, "reports/index.html", {"entries": entries})
