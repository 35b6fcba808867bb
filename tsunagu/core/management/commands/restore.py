"""python manage.py restore FILE [--replace] [--dry-run]: put back one
municipality from a file written by ``backup``, in one transaction; see
``tsunagu.core.backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.backup import BackupError, label_of, restore


class Command(BaseCommand):
    help = (
        "backup で作成したファイルから1つの自治体のデータを復元します"
        "（すべて1つのトランザクションで行い、失敗したときは何も変更しません）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="backup で作成したファイル", metavar="FILE")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="自治体がすでにある場合、そのデータをすべて削除してから復元する",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="復元できるかを確かめるだけで、データベースは変更しない",
        )

    def handle(self, *args: Any, file: Path, replace: bool, dry_run: bool, **options: Any) -> None:
        try:
            result = restore(file, replace=replace, dry_run=dry_run)
        except BackupError as error:
            raise CommandError(str(error)) from None
        municipality = result.municipality
        if dry_run:
            self.stdout.write(
                f"試行: {municipality.name}（{municipality.code}）は復元できます。"
                "データベースは変更していません。"
            )
        else:
            self.stdout.write(f"{municipality.name}（{municipality.code}）を復元しました。")
        if result.replaced:
            removed = sum(result.replaced.values())
            self.stdout.write(
                f"  置き換えた既存の行: {removed:,}件"
                + ("（試行のため削除していません）" if dry_run else "")
            )
        for part in result.parts:
            self.stdout.write(f"  {label_of(part.model)}: {part.rows:,}件")
        total = sum(part.rows for part in result.parts)
        message = f"合計 {total:,}件" + ("（試行）。" if dry_run else "。監査証跡を検証しました。")
        self.stdout.write(self.style.SUCCESS(message))
