"""python manage.py seal_audit [--loop]: chain and hash the committed, unsealed audit events.

Each request's events are sealed right after its commit; this command is the
bound behind that (docs/operations.md): run with ``--loop`` as a service, it
seals what a request's own seal left (another sealer held the chain, or the
seal failed) every second, well within ``SEAL_BOUND``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection

from tsunagu.audit.services import audit_seal_all


class Command(BaseCommand):
    help = "封緘待ちの監査イベントをハッシュチェーンに加えます（--loop で常駐し毎秒）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="常駐して、間隔ごとに封緘を繰り返します。"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="--loop の間隔（秒、既定 1）。"
        )

    def handle(self, *args: Any, loop: bool, interval: float, **options: Any) -> None:
        if not loop:
            sealed = audit_seal_all()
            self.stdout.write(f"{sealed} 件の監査イベントを封緘しました。")
            return
        self.stdout.write(f"{interval} 秒ごとに監査イベントを封緘します（Ctrl-C で終了）。")
        try:
            while True:
                try:
                    sealed = audit_seal_all()
                except DatabaseError as error:
                    self.stderr.write(f"封緘に失敗しました（次の回に再試行）: {error}")
                    # A service outlives database restarts: the broken
                    # connection goes, the next round opens a new one.
                    connection.close()
                else:
                    if sealed and options["verbosity"] > 1:
                        self.stdout.write(f"{sealed} 件を封緘しました。")
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("終了します。")
