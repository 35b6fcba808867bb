"""python manage.py check_grants: work every grant out again from the records and
compare; exit 1 at any difference (``--fix`` rewrites the rows instead)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tsunagu.core.models import Municipality
from tsunagu.grants import services


class Command(BaseCommand):
    help = "閲覧の根拠（grants）を記録から計算し直し、表と一致するか検査します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="違いがあれば記録から作り直します。")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for municipality in Municipality.objects.order_by("pk"):
            difference = services.check(municipality.pk)
            if not difference:
                continue
            if options["fix"]:
                with transaction.atomic():
                    count = services.rebuild(municipality.pk)
                self.stdout.write(f"{municipality}: 作り直しました（{count} 件）")
                continue
            failed += 1
            self.stderr.write(
                f"{municipality}: 不足 {len(difference.missing)} 件、"
                f"余分 {len(difference.extra)} 件"
            )
            for line in difference.lines():
                self.stderr.write(f"  {line}")
        if failed:
            raise CommandError(f"閲覧の根拠が記録と一致しません（{failed} 自治体）")
        self.stdout.write(self.style.SUCCESS("閲覧の根拠は記録と一致しています"))
