"""python manage.py check_rollups: compare every stored monthly count with a
recount from the records; list each difference and exit 1 if there is any
(``rebuild_rollups`` then repairs them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.reports import rollups
from tsunagu.reports.management.commands.rebuild_rollups import municipalities


class Command(BaseCommand):
    help = "月ごとの件数が記録から数えた件数と一致するかを確かめます（違いがあれば終了コード1）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", default="", help="地方公共団体コード（省略: すべて）")

    def handle(self, *args: Any, **options: Any) -> None:
        found = 0
        for municipality in municipalities(options["municipality"]):
            differences = rollups.differences(municipality.pk)
            found += len(differences)
            for d in differences:
                group = ", ".join(
                    f"{name}={value}" for name, value in d.group._asdict().items() if value
                )
                self.stdout.write(
                    f"{municipality.code} {d.record_kind} {d.month:%Y-%m} {group}: "
                    f"保存 {d.stored}件、記録 {d.counted}件"
                )
            self.stdout.write(
                f"{municipality.name}（{municipality.code}）: 違い {len(differences)}件"
            )
        if found:
            # As verify_audit: the command fails (exit status 1) with the reason.
            raise CommandError(
                f"月ごとの件数に {found}件の違いがあります（rebuild_rollups で数え直せます）。"
            )
