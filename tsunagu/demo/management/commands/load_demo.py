"""python manage.py load_demo: create the fictional demo ward (once) and print its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.core.models import Municipality
from tsunagu.demo.ward import DEMO_CODE, DEMO_PASSWORD, demo_logins, load_demo_ward


class Command(BaseCommand):
    help = "架空のデモ自治体（デモ区）を作成し、デモ用ログインを表示します。"

    def handle(self, *args: Any, **options: Any) -> None:
        if Municipality.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write("デモ区はすでに作成されています。")
        else:
            load_demo_ward()
            self.stdout.write(self.style.SUCCESS("デモ区（架空の自治体）を作成しました。"))
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for account, staff in demo_logins():
            name = staff.full_name if staff else "（未作成）"
            self.stdout.write(f"  {account.username:<16} {account.description}  {name}")
