"""python manage.py load_demo: create the fictional demo ward, its synthetic
residents and their 多機関協働 cases and meetings (each once) and print its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.core import tenancy
from tsunagu.core.database import database_analyze
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import load_demo_cases, model_case_number
from tsunagu.demo.residents import load_demo_residents
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
        if residents is not None or cases is not None:
            database_analyze()
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for account, staff in demo_logins():
            name = staff.full_name if staff else "（未作成）"
            self.stdout.write(f"  {account.username:<16} {account.description}  {name}")
        self._other_counselors()
        with tenancy.tenant_context(municipality):
            number = model_case_number()
        if number:
            self.stdout.write("")
            self.stdout.write(
                f"モデル事例（介護離職・子の進路未定・親の介護拒否の三人世帯）: ケース {number}"
                "（demo-jimukyoku で開けます。支援会議から重層的支援会議・再プランまでの流れ）"
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
