"""Count the months of the records already there (the reports read the monthly
counts from now on).

It counts with ``rollups.rebuild``, the same code the services and
``manage.py rebuild_rollups`` use, so that the counts are those the
services keep: the records' tables are as this migration's dependencies
leave them. Should ``MonthlyCount`` or the counted records change shape
later, make this a no-op and fill again in that change's migration. Undone,
it only removes the counts.
"""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    """A no-op now: the consultations' counts gained 新規/継続 (``consultations``
    0006), which this step's dependencies do not have yet; ``reports`` 0006
    fills the counts again, after it."""


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reports", "MonthlyCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_monthly_count"),
        ("consultations", "0004_limit_free_text_lengths"),
        ("activities", "0003_limit_free_text_lengths"),
        ("meetings", "0002_limit_free_text_lengths"),
    ]

    operations = [migrations.RunPython(fill, empty)]
