"""``manage.py generate_synthetic --scale {small,ward,large} [--tenants N]``:
a synthetic municipality (or N of them) at scale, for benchmarks and load
tests. Never on a real installation: it refuses unless the database holds no
real municipality's data or ``--force`` is given."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.models import Municipality
from tsunagu.demo.synthetic.generator import CODE, SCALES, generate
from tsunagu.demo.ward import DEMO_CODE


class Command(BaseCommand):
    help = "ベンチマーク・負荷試験用の架空の自治体データを一括で作成します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="ward")
        parser.add_argument("--tenants", type=int, default=1, help="自治体の数（規模を分け合う）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--password",
            default="",
            help="職員のパスワード（省略時はログインできない職員になります）",
        )
        parser.add_argument(
            "--force", action="store_true", help="他の自治体のデータがあるデータベースでも作成する"
        )

    def handle(self, *args: Any, scale: str, tenants: int, seed: int, **options: Any) -> None:
        if tenants < 1:
            raise CommandError("--tenants は1以上を指定してください。")
        others = Municipality.objects.exclude(code__startswith="99").exclude(code=DEMO_CODE)
        if others.exists() and not options["force"]:
            raise CommandError(
                "このデータベースには実在の自治体のデータがあるようです。"
                "合成データはベンチマーク専用のデータベースに作成してください（--force で続行）。"
            )
        try:
            report = generate(
                SCALES[scale],
                tenants=tenants,
                seed=seed,
                password=options["password"],
                log=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        for name, count in sorted(report.rows.items()):
            self.stdout.write(f"  {name}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"合成データを作成しました（自治体 {len(report.municipalities)}・"
                f"{report.seconds['合計']} 秒）。"
                + ("" if tenants > 1 else f" 自治体コード {CODE}")
            )
        )
