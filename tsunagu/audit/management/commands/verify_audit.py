"""python manage.py verify_audit: check every audit chain; exit 1 at a broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_verify


class Command(BaseCommand):
    help = "監査証跡のハッシュチェーンを検証し、壊れた最初の箇所を報告します。"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"改ざんを検出: {problem}")
            raise CommandError(f"監査証跡の検証に失敗しました（{len(problems)} 件のチェーン）")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"監査証跡は正常です（{count} 件のイベントを検証）"))
