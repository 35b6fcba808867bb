"""Transactions that record an audit event and then go on (the rest of a
write's transaction), from 1 to 8 threads: each event sealed inside its
transaction, the chain's head held to the end (as before the sealer), or
sealed after the commit (now). CPU-light: the rest of the transaction is a
sleep, so that the numbers show the lock, not the machine.

On PostgreSQL: SQLite lets one transaction write at a time, so there the
threads wait on its write lock (and time out) whichever way events are sealed.

Usage, on a migrated database holding the demo ward (a copy: it adds events)::

    DATABASE_URL=postgres://…/copy TSUNAGU_SECRET_KEY=… \\
        python -m bench.audit_lock [--seconds 5] [--rest 0.02]
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.db import connection, transaction  # noqa: E402

from tsunagu.accounts.models import Staff  # noqa: E402
from tsunagu.audit.models import AuditAction  # noqa: E402
from tsunagu.audit.services import audit_record, audit_seal_all, audit_verify  # noqa: E402

COUNSELOR = "demo-soudan"


def transactions_per_second(staff: Staff, threads: int, seconds: float, rest: float) -> float:
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        done = 0
        while time.monotonic() < stop:
            with transaction.atomic():
                audit_record(AuditAction.VIEW, actor=staff, object_type="people.household")
                time.sleep(rest)
            done += 1
        counts[index] = done
        connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rest", type=float, default=0.02, help="seconds after the event")
    args = parser.parse_args()
    staff = Staff.all_tenants.select_related("municipality").get(username=COUNSELOR)
    print(f"{connection.vendor}: audit event, then {args.rest * 1000:.0f} ms more, per transaction")
    for inline in (True, False):
        settings.TSUNAGU_AUDIT_SEAL_INLINE = inline
        for threads in (1, 2, 4, 8):
            rate = transactions_per_second(staff, threads, args.seconds, args.rest)
            mode = "sealed inline" if inline else "sealed after commit"
            print(f"{mode:20} threads={threads}: {rate:6.1f} transactions/s", flush=True)
    audit_seal_all()
    print("verify_audit:", "passed" if not audit_verify() else "FAILED")


if __name__ == "__main__":
    main()
