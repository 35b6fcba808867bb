"""python manage.py load_demo: create the fictional demo ward, its synthetic
residents and their 多機関協働 cases and meetings, its resource directory, outreach
histories and participation paths (each once) and print its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.core import tenancy
from tsunagu.core.database import database_analyze
from tsunagu.core.models import Municipality
from tsunagu.demo.activities import load_demo_activities
from tsunagu.demo.cases import load_demo_cases, model_case_number
from tsunagu.demo.outreach import load_demo_outreach, load_demo_participation, showcase_profile
from tsunagu.demo.report_figures import load_demo_report_figures
from tsunagu.demo.residents import load_demo_residents
from tsunagu.demo.resources import COFFEE, load_demo_resources
from tsunagu.demo.strategy import load_demo_strategy
from tsunagu.demo.ward import DEMO_CODE, DEMO_PASSWORD, demo_logins, load_demo_ward


class Command(BaseCommand):
    help = "架空のデモ自治体（デモ区）を作成し、デモ用ログインを表示します。"

    def handle(self, *args: Any, **options: Any) -> None:
        if Municipality.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write("デモ区はすでに作成されています。")
        else:
            load_demo_ward()
            self.stdout.write(self.style.SUCCESS("デモ区（架空の自治体）を作成しました。"))
        municipality = Municipality.objects.get(code=DEMO_CODE)
        residents = load_demo_residents(municipality)
        if residents is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"架空の住民データを作成しました（世帯 {residents.households}件・"
                    f"相談 {residents.consultations}件・つなぐシート {residents.referrals}件、"
                    f"{residents.seconds}秒）。"
                )
            )
        cases = load_demo_cases(municipality)
        if cases is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"多機関協働のデモデータを作成しました（ケース {cases.cases}件・"
                    f"会議 {cases.meetings}件・支援プラン {cases.plans}件、{cases.seconds}秒）。"
                )
            )
        resources = load_demo_resources(municipality)
        if resources is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"社会資源のデモデータを作成しました（運営団体 {resources.providers}件・"
                    f"社会資源 {resources.resources}件、{resources.seconds}秒）。"
                )
            )
        outreach = load_demo_outreach(municipality)
        if outreach is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"アウトリーチ記録のデモデータを作成しました（世帯 {outreach.households}件・"
                    f"記録 {outreach.contacts}件、{outreach.seconds}秒）。"
                )
            )
        participation = load_demo_participation(municipality)
        if participation is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"参加支援のデモデータを作成しました（プロフィール {participation.profiles}件・"
                    f"参加支援 {participation.paths}件、{participation.seconds}秒）。"
                )
            )
        activities = load_demo_activities(municipality)
        if activities is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"活動記録のデモデータを作成しました（活動記録 {activities.records:,}件・"
                    f"件数入力 {activities.counted_entries}件、{activities.seconds}秒）。"
                )
            )
        strategy_sheet = load_demo_strategy(municipality)
        if strategy_sheet is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"戦略点検シートのデモデータを作成しました（計画事業 {strategy_sheet.programmes}件・"
                    f"指標 {strategy_sheet.indicators}件、うち記録から集計 {strategy_sheet.computed}件・"
                    f"記述 {strategy_sheet.narratives}件、{strategy_sheet.seconds}秒）。"
                )
            )
        # Last: the report's figures are topped up over what the loaders above wrote.
        figures = load_demo_report_figures(municipality)
        if figures is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"事業報告（令和6年度・令和7年4月〜6月）の記録を作成しました（相談 "
                    f"{figures.consultations:,}件・会議 {figures.meetings}件・活動記録 "
                    f"{figures.activities:,}件・件数入力 {figures.counted_entries}件、"
                    f"{figures.seconds}秒）。"
                )
            )
        loaded = (
            residents, cases, resources, outreach, participation, activities, strategy_sheet,
            figures,
        )  # fmt: skip
        if any(part is not None for part in loaded):
            database_analyze()
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for account, staff in demo_logins():
            name = staff.full_name if staff else "（未作成）"
            self.stdout.write(f"  {account.username:<16} {account.description}  {name}")
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
