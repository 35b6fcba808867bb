"""python manage.py verify_audit: check every audit chain; exit 1 at a broken link,
or at events left unsealed longer than the bound (audit.services.SEAL_BOUND)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import SEAL_BOUND, audit_unsealed_count, audit_verify


class Command(BaseCommand):
    help = (
        "監査証跡のハッシュチェーンを検証し、壊れた最初の箇所と、"
        "封緘の期限を過ぎても封緘されていないイベントを報告します。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"改ざんまたは封緘の遅れを検出: {problem}")
            raise CommandError(f"監査証跡の検証に失敗しました（{len(problems)} 件の問題）")
        unsealed = audit_unsealed_count()
        sealed = AuditEvent.objects.count() - unsealed
        bound = int(SEAL_BOUND.total_seconds())
        self.stdout.write(
            self.style.SUCCESS(
                f"監査証跡は正常です（{sealed} 件のイベントを検証、"
                f"封緘待ち {unsealed} 件は記録から {bound} 秒以内）"
            )
        )
