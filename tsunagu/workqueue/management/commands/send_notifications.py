"""The daily e-mail digest of the work queue (counts and links only):
run once a day by cron or a systemd timer (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tsunagu.workqueue import notices


class Command(BaseCommand):
    help = "メール通知（1日1回のまとめ）を送ります。件数とリンクだけで、個人の情報は載せません。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", default="", help="この地方公共団体コードの自治体だけに送る"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not notices.configured():
            self.stdout.write("TSUNAGU_EMAIL_HOST が設定されていないため、メールは送りません。")
            return
        result = notices.send_digests(municipality=options["municipality"])
        self.stdout.write(
            f"送信 {result.sent}件、対応待ちなし {result.nothing_waiting}件、失敗 {result.failed}件"
        )
        if result.failed:
            raise SystemExit(1)
