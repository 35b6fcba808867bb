"""python manage.py load_demo: create the fictional demo ward, its synthetic
residents and their 多機関協働 cases and meetings, its resource directory, outreach
histories and participation paths, the families' life events, its community work, activity records,
strategy sheet and the records behind its business report (each once) and
print its logins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.core import tenancy
from tsunagu.core.database import database_analyze
from tsunagu.core.models import Municipality
from tsunagu.demo.activities import load_demo_activities
from tsunagu.demo.assessments import load_demo_assessments
from tsunagu.demo.cases import load_demo_cases, model_case_number
from tsunagu.demo.community import load_demo_community
from tsunagu.demo.events import load_demo_events
from tsunagu.demo.frontdoor import load_demo_frontdoor
from tsunagu.demo.lifeevents import load_demo_life_events
from tsunagu.demo.line import load_demo_line
from tsunagu.demo.outreach import load_demo_outreach, load_demo_participation, showcase_profile
from tsunagu.demo.progress import load_demo_progress
from tsunagu.demo.report_figures import load_demo_report_figures
from tsunagu.demo.residents import load_demo_residents
from tsunagu.demo.resources import COFFEE, load_demo_resources
from tsunagu.demo.strategy import load_demo_strategy
from tsunagu.demo.ward import (
    DEMO_CODE,
    DEMO_PASSWORD,
    TWO_FACTOR_ROLES,
    demo_logins,
    demo_two_factor_notice,
    load_demo_ward,
)
from tsunagu.reports import rollups

#: The demo's parts in the order they are loaded, each with what it says once
#: loaded. The report's figures come last: they are topped up over what the
#: loaders before them wrote.
STEPS: list[tuple[Callable[[Municipality], Any], Callable[[Any], str]]] = [
    (load_demo_residents, lambda r: (
        f"架空の住民データを作成しました（世帯 {r.households}件・相談 {r.consultations}件・"
        f"つなぐシート {r.referrals}件、{r.seconds}秒）。")),
    (load_demo_cases, lambda c: (
        f"多機関協働のデモデータを作成しました（ケース {c.cases}件・会議 {c.meetings}件・"
        f"支援プラン {c.plans}件、{c.seconds}秒）。")),
    (load_demo_assessments, lambda a: (
        f"インテーク・アセスメントのデモデータを作成しました（{a.assessments}件・{a.persons}人、"
        f"{a.seconds}秒）。")),
    (load_demo_resources, lambda r: (
        f"社会資源のデモデータを作成しました（運営団体 {r.providers}件・社会資源 {r.resources}件、"
        f"{r.seconds}秒）。")),
    (load_demo_outreach, lambda o: (
        f"アウトリーチ記録のデモデータを作成しました（世帯 {o.households}件・記録 {o.contacts}件、"
        f"{o.seconds}秒）。")),
    (load_demo_progress, lambda p: (
        f"支援経過記録のデモデータを作成しました（ケース {p.cases}件・記録 {p.notes}件、"
        f"{p.seconds}秒）。")),
    (load_demo_participation, lambda p: (
        f"参加支援のデモデータを作成しました（プロフィール {p.profiles}件・参加支援 {p.paths}件、"
        f"{p.seconds}秒）。")),
    (load_demo_life_events, lambda e: (
        f"家族の出来事のデモデータを作成しました（世帯 {e.households}件・出来事 {e.events}件、"
        f"{e.seconds}秒）。")),
    (load_demo_community, lambda c: (
        f"地域づくりのデモデータを作成しました（居場所・拠点 {c.places}件・地域プロジェクト "
        f"{c.projects}件・地域課題 {c.issues}件、{c.seconds}秒）。")),
    (load_demo_activities, lambda a: (
        f"活動記録のデモデータを作成しました（活動記録 {a.records:,}件・件数入力 "
        f"{a.counted_entries}件、{a.seconds}秒）。")),
    (load_demo_strategy, lambda s: (
        f"戦略点検シートのデモデータを作成しました（計画事業 {s.programmes}件・指標 {s.indicators}件、"
        f"うち記録から集計 {s.computed}件・記述 {s.narratives}件、{s.seconds}秒）。")),
    (load_demo_line, lambda line: (
        f"LINE公式アカウント（架空・接続先 {line.api_base}）を設定しました（{line.seconds}秒）。")),
    (load_demo_report_figures, lambda f: (
        f"事業報告（令和6年度・令和7年4月〜6月）の記録を作成しました（相談 {f.consultations:,}件・"
        f"会議 {f.meetings}件・活動記録 {f.activities:,}件・件数入力 {f.counted_entries}件、"
        f"{f.seconds}秒）。")),
    (load_demo_frontdoor, lambda d: (
        f"オンライン相談のデモデータを作成しました（相談 {d.threads}件・振り分けの設定 {d.rules}件、"
        f"{d.seconds}秒）。")),
    (load_demo_events, lambda e: (
        f"出張相談会・巡回相談と予約のデモデータを作成しました（会 {e.events}件・その場の相談 "
        f"{e.consultations}件・予約 {e.bookings}件、{e.seconds}秒）。")),
]  # fmt: skip


class Command(BaseCommand):
    help = "架空のデモ自治体（デモ区）を作成し、デモ用ログインを表示します。"

    def handle(self, *args: Any, **options: Any) -> None:
        if Municipality.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write("デモ区はすでに作成されています。")
        else:
            load_demo_ward()
            self.stdout.write(self.style.SUCCESS("デモ区（架空の自治体）を作成しました。"))
        municipality = Municipality.objects.get(code=DEMO_CODE)
        # The loaders write through the services and also copy rows directly:
        # the reports' monthly counts are counted once, at the end.
        with rollups.deferred():
            loaded = [self._step(load, describe, municipality) for load, describe in STEPS]
        if any(part is not None for part in loaded):
            rollups.rebuild(municipality.pk)
            database_analyze()
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for account, staff in demo_logins():
            name = staff.full_name if staff else "（未作成）"
            second = "  ※二要素認証" if account.role in TWO_FACTOR_ROLES else ""
            self.stdout.write(f"  {account.username:<16} {account.description}  {name}{second}")
        self.stdout.write("")
        self.stdout.write(demo_two_factor_notice())
        self._other_counselors()
        with tenancy.tenant_context(municipality):
            number = model_case_number()
            showcase = showcase_profile()
        if number:
            self.stdout.write("")
            self.stdout.write(
                f"モデル事例（介護離職・子の進路未定・親の介護拒否の三人世帯）: ケース {number}"
                "（demo-jimukyoku で開けます。支援会議から重層的支援会議・再プランまでの流れ）"
            )
        if showcase is not None:
            self.stdout.write("")
            self.stdout.write(
                f"マッチングの例（コーヒーと静かな場所が好きな20代・外出は久しぶり）: "
                f"{showcase.person} さんの参加支援プロフィール"
                f"（demo-csw で開けます。候補の先頭に「{COFFEE}」）"
            )

    def _step(
        self,
        load: Callable[[Municipality], Any],
        describe: Callable[[Any], str],
        municipality: Municipality,
    ) -> Any:
        """Load one part (None when it is there already) and say what was made."""
        summary = load(municipality)
        if summary is not None:
            self.stdout.write(self.style.SUCCESS(describe(summary)))
        return summary

    def _other_counselors(self) -> None:
        """The counselors of the other windows: sign in as one to play the receiving side."""
        from tsunagu.accounts.models import Staff

        shown = {account.username for account, _staff in demo_logins()}
        municipality = Municipality.objects.get(code=DEMO_CODE)
        with tenancy.tenant_context(municipality):
            others = [
                staff
                for staff in Staff.objects.filter(
                    username__startswith="demo-", is_guest=False
                ).order_by("username")
                if staff.username not in shown
            ]
            if not others:
                return
            self.stdout.write("")
            self.stdout.write(
                "各窓口の相談員（つなぐシートの受け手として試せます。パスワードは同じ）:"
            )
            for staff in others:
                organizations = "、".join(
                    m.organization.name for m in staff.memberships.select_related("organization")
                )
                self.stdout.write(f"  {staff.username:<20} {organizations}  {staff.full_name}")
