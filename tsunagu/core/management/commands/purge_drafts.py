"""Removes the drafts of forms no one finished within their days (core.drafts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.core.drafts import draft_purge_expired


class Command(BaseCommand):
    help = "期限を過ぎたフォームの下書きを削除します（毎日 cron などで実行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = draft_purge_expired()
        self.stdout.write(f"下書きを {deleted} 件削除しました。")
