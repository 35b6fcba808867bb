"""python manage.py hsds_import <団体コード> <file.json>: take an Open Referral
HSDS 3.0 file into a municipality's resource directory (as the import page does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.accounts.models import Staff
from tsunagu.core import tenancy
from tsunagu.core.jsoninput import too_deep_message
from tsunagu.core.models import Municipality
from tsunagu.resources import hsds


class Command(BaseCommand):
    help = "HSDS 3.0 の JSON ファイルを自治体の社会資源に取り込みます（同じ ID は更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality_code", help="地方公共団体コード（6桁）")
        parser.add_argument("file", type=Path, help="HSDS 3.0 の JSON ファイル")
        parser.add_argument(
            "--kind",
            choices=sorted(hsds.KINDS),
            help="データの種類（既定は自動判別）",
        )
        parser.add_argument(
            "--username",
            help="取り込みを行う職員のユーザー名（監査証跡に記録します。省略時はコマンドとして記録）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality_code"]).first()
        if municipality is None:
            raise CommandError(f"自治体 {options['municipality_code']} が見つかりません。")
        actor = None
        if options["username"]:
            with tenancy.tenant_context(municipality):
                actor = Staff.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"職員 {options['username']} がこの自治体に見つかりません。")
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CommandError(f"ファイルを開けません: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError("UTF-8 の JSON ファイルを指定してください。") from None
        except RecursionError:
            raise CommandError(too_deep_message()) from None
        except ValueError as error:
            line = getattr(error, "lineno", "?")
            raise CommandError(f"JSON として読み取れません（{line}行目）。") from None
        try:
            result = hsds.import_document(
                data,
                actor=actor,
                municipality=municipality,
                kind=options["kind"],
                source="command",
            )
        except hsds.HsdsImportError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("規格に合わないため、何も取り込みませんでした。") from None
        self.stdout.write(f"{municipality.name}: {hsds.KINDS[result.kind]}を取り込みました。")
        for line in result.lines():
            self.stdout.write(self.style.SUCCESS(f"  {line}"))
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"  確認: {warning}"))
