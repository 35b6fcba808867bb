"""python manage.py anonymise_expired [--municipality CODE] [--apply]

The 保存期間 job (:mod:`tsunagu.core.retention`): records whose retention
period (セキュリティ設定 → 記録の保存期間, ``Municipality.retention_years``)
has passed since their closure have their personal data anonymised.

Without ``--apply`` it is a dry run: it prints, in Japanese, what would be
anonymised (counts per kind of record, their ids, the oldest closure day) and
changes nothing. With ``--apply`` it enqueues the task
``tsunagu.core.tasks.anonymise_expired_records`` for each municipality (all
of them, or the one given), which anonymises and writes the audit events.

Scheduling: run it daily on one application server, e.g. a cron line

    30 2 * * *  tsunagu  cd /srv/tsunagu && .venv/bin/python manage.py anonymise_expired --apply

or a systemd timer (``OnCalendar=*-*-* 02:30:00``, ``Persistent=true``) whose
service runs the same command. Run the dry run by hand first after changing
the period.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from tsunagu.core import retention
from tsunagu.core.models import Municipality
from tsunagu.core.tasks import anonymise_expired_records


class Command(BaseCommand):
    help = (
        "保存期間（終結後の年数、セキュリティ設定で自治体ごとに設定）を過ぎた記録の個人情報を"
        "匿名化します。既定は試行で、対象の件数・ID・最も古い終結日を表示するだけで何も変更しません。"
        "--apply を付けると匿名化のタスクを登録・実行し、監査証跡に記録します。"
        "毎日1回、cron（例: 30 2 * * * … manage.py anonymise_expired --apply）"
        "または systemd タイマーから実行してください。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality",
            metavar="CODE",
            help="対象の自治体の地方公共団体コード（6桁）。省略するとすべての自治体",
        )
        parser.add_argument(
            "--apply",
            action="store_true",
            help="試行ではなく、実際に匿名化する（タスクとして登録・実行）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipalities = Municipality.objects.order_by("code")
        code = options["municipality"]
        if code:
            municipalities = municipalities.filter(code=code)
            if not municipalities.exists():
                raise CommandError(f"地方公共団体コード {code} の自治体は登録されていません。")
        for municipality in municipalities:
            if options["apply"]:
                self._apply(municipality)
            else:
                for line in retention.plan(municipality).lines():
                    self.stdout.write(line)
                self.stdout.write(
                    "試行のため、何も変更していません。匿名化するには --apply を付けて実行してください。"
                )

    def _apply(self, municipality: Municipality) -> None:
        result = anonymise_expired_records.enqueue(
            municipality_code=municipality.code, dry_run=False
        )
        if result.status == TaskResultStatus.SUCCESSFUL:
            value = result.return_value or {}
            counts = value.get("counts", {})
            self.stdout.write(
                f"{municipality.name}（{municipality.code}）: 匿名化しました"
                f"（世帯ごとの処理 {value.get('units_applied', 0)}件、"
                f"対象外になったもの {value.get('units_skipped', 0)}件）"
            )
            for kind, label in retention.KINDS.items():
                self.stdout.write(f"  {label}: {counts.get(kind, 0)}件")
        elif result.status == TaskResultStatus.FAILED:
            details = "\n".join(error.traceback for error in result.errors)
            raise CommandError(
                f"{municipality.name}（{municipality.code}）の匿名化に失敗しました。\n{details}"
            )
        else:
            self.stdout.write(
                f"{municipality.name}（{municipality.code}）: 匿名化のタスクを登録しました（ID {result.id}）。"
            )
