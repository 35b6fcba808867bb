"""python manage.py rebuild_rollups: count every month of the reports' monthly
counts again from the records (after records were written other than through
the services, or to repair what ``check_rollups`` found)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.models import Municipality
from tsunagu.reports import rollups


def municipalities(code: str) -> list[Municipality]:
    """Every municipality, or the one of ``code``."""
    found = Municipality.objects.order_by("code")
    if code:
        found = found.filter(code=code)
        if not found.exists():
            raise CommandError(f"地方公共団体コード {code} の自治体は登録されていません。")
    return list(found)


class Command(BaseCommand):
    help = "事業報告・調査回答・評価指標が読む月ごとの件数を、記録から数え直します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", default="", help="地方公共団体コード（省略: すべて）")

    def handle(self, *args: Any, **options: Any) -> None:
        for municipality in municipalities(options["municipality"]):
            rows = rollups.rebuild(municipality.pk)
            self.stdout.write(
                f"{municipality.name}（{municipality.code}）: 月ごとの件数 {rows:,}行を数え直しました。"
            )
