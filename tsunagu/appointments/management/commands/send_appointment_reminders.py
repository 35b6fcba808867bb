"""Send the reminders of tomorrow's appointments (run daily by cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.appointments.reminders import send_reminders


class Command(BaseCommand):
    help = "明日の予約のリマインド（住民へのメールと窓口への件数の通知）を送ります。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_reminders()
        self.stdout.write(
            f"residents={result.residents} windows={result.windows} failed={result.failed}"
        )
