"""Receive mail to the consultation addresses (LMTP, or SMTP with --smtp).

Point the municipality's mail server at it, e.g. Postfix::

    transport_maps: soudan@city.example.lg.jp  lmtp:inet:127.0.0.1:8024

and run ``python manage.py receive_mail --host 127.0.0.1 --port 8024`` as a
service (docs/operations.md). It stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tsunagu.frontdoor.mail import inbound


class Command(BaseCommand):
    help = "相談用メールアドレスに届いたメールを受け取り、オンライン相談にします（LMTP）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス")
        parser.add_argument("--port", type=int, default=8024, help="待ち受けるポート")
        parser.add_argument(
            "--smtp", action="store_true", help="LMTPではなくSMTPで受け取る（中継サーバー用）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        before = {
            signum: signal.signal(signum, lambda *_: stop.set())
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        controller = None
        try:
            controller = inbound.serve(options["host"], options["port"], lmtp=not options["smtp"])
            protocol = "SMTP" if options["smtp"] else "LMTP"
            self.stdout.write(f"{protocol} {options['host']}:{options['port']} で受信しています。")
            self.stdout.flush()
            stop.wait()
        finally:
            if controller is not None:
                controller.stop()
            for signum, handler in before.items():
                signal.signal(signum, handler)
        self.stdout.write("受信を終えました。")
