"""python manage.py backup --municipality <団体コード> --output FILE: write every
row of one municipality (its staff, organizations, residents' records and audit
trail) to one file that ``restore`` reads back; see ``tsunagu.core.backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.backup import BackupError, backup_create, label_of
from tsunagu.core.models import Municipality


class Command(BaseCommand):
    help = "1つの自治体のデータ（職員・機関・記録・監査証跡）を1つのファイルにバックアップします。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", required=True, help="地方公共団体コード（6桁）", metavar="CODE"
        )
        parser.add_argument(
            "--output",
            required=True,
            type=Path,
            help="書き出すファイル（まだないこと。個人情報を含むため、データベースと同じく厳重に保管してください）",
            metavar="FILE",
        )

    def handle(self, *args: Any, municipality: str, output: Path, **options: Any) -> None:
        found = Municipality.objects.filter(code=municipality).first()
        if found is None:
            raise CommandError(f"自治体 {municipality} が見つかりません。")
        try:
            result = backup_create(municipality=found, output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{found.name}（{found.code}）をバックアップしました: {result.path}")
        for part in result.parts:
            self.stdout.write(f"  {label_of(part.model)}: {part.rows:,}件")
        total = sum(part.rows for part in result.parts)
        self.stdout.write(
            self.style.SUCCESS(f"合計 {total:,}件。ファイルの SHA-256: {result.sha256}")
        )
