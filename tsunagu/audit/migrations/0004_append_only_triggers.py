# The database refuses UPDATE and DELETE of audit events, except the sealer's
# one update of an unsealed event (tsunagu/audit/append_only.py).

from django.db import migrations

from tsunagu.audit import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_events_sealed_after_commit'),
    ]

    operations = [
        migrations.RunPython(append_only.install, append_only.remove),
    ]
