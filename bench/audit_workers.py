"""Audited reads per second against gunicorn with 1, 2 and 4 workers: the
audit trail sealed inside the request (as before) or after the commit.

Each read is a counselor of the demo ward opening a household
(``GET /api/v1/households/<id>``, an API token: no sign-in or second factor
to type): the policy's look-up, the household with its members and family
timeline, and one audit event. Before the sealer, each such event locked its
municipality's chain head for the rest of its transaction, so that every
read of the ward waited in one line; ``TSUNAGU_AUDIT_SEAL_INLINE=1`` brings
that back for the "inline" runs.

For each database, mode and number of workers: a fresh copy of the prepared
demo database (bench/load/run.py: migrate and load_demo once, reused), one
API token, gunicorn (``--threads 1``: a worker serves one request at a time)
and ``--clients`` client threads that each keep one connection and read
households round-robin for ``--seconds``; then ``seal_audit`` and
``verify_audit`` on that copy.

Usage::

    python -m bench.audit_workers --db sqlite [--db postgresql] [--workers 1 2 4]
        [--seconds 20] [--clients 8] [--output bench/results/audit-workers.md]

The numbers depend on the cores: with fewer cores than workers (and the
client on the same machine) the gain stops at the cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.load import run as load_run
from bench.load.run import (
    ROOT,
    free_port,
    manage,
    prepare,
    remove_copy,
    server_env,
    wait_until_up,
    working_copy,
)

# The prepared demo database is the load test's (made once, reused); the
# copies each run works on are this script's own, so that a load test may run
# beside it.
load_run.POSTGRES_RUN = "tsunagu_audit_workers_run"
load_run.SQLITE_RUN = ROOT / "var" / "audit-workers-run.sqlite3"

COUNSELOR = "demo-soudan"
MODES = {"inline": "sealed in the request (before)", "after": "sealed after commit (now)"}

SETUP_SCRIPT = """
import json
from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.services import api_token_create
from tsunagu.core.tenancy import tenant_context
staff = Staff.all_tenants.get(username=%r)
with tenant_context(staff.municipality):
    _token, raw = api_token_create(actor=staff, name="bench")
    households = list(
        policy.visible(staff, "household", policy.Action.VIEW).order_by("id").values_list("id", flat=True)[:200]
    )
print(json.dumps({"token": raw, "households": households}))
"""


def setup(env: dict[str, str]) -> tuple[str, list[int]]:
    done = manage(env, "shell", "-c", SETUP_SCRIPT % COUNSELOR)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["token"], found["households"]


def hammer(port: int, token: str, households: list[int], clients: int, seconds: float) -> dict:
    """``clients`` threads, each one keep-alive connection, for ``seconds``."""
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        ok = failed = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"}
        n = offset
        while time.monotonic() < stop:
            pk = households[n % len(households)]
            n += clients
            try:
                connection.request("GET", f"/api/v1/households/{pk}", headers=headers)
                answer = connection.getresponse()
                answer.read()
                if answer.status == 200:
                    ok += 1
                else:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.close()
        with lock:
            counts["ok"] += ok
            counts["failed"] += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return {**counts, "seconds": round(elapsed, 1), "per_second": round(counts["ok"] / elapsed, 1)}


def run_one(db: str, mode: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    url = working_copy(db)
    env = server_env(url) | {"TSUNAGU_API_RATE": "100000000/min"}
    if mode == "inline":
        env["TSUNAGU_AUDIT_SEAL_INLINE"] = "1"
    try:
        token, households = setup(env)
        port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "tsunagu.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "1",
            "--error-logfile", "-", "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
        try:
            wait_until_up(f"http://127.0.0.1:{port}")
            hammer(port, token, households, args.clients, 2)  # warm every worker
            result = hammer(port, token, households, args.clients, args.seconds)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        manage(env, "seal_audit")
        verified = manage(env, "verify_audit", check=False)
        result["verify_audit"] = verified.returncode == 0
    finally:
        remove_copy(db)
    return {"db": db, "mode": mode, "workers": workers, **result}


def markdown(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Audited reads per second by gunicorn workers (bench/audit_workers.py)",
        "",
        f"`python -m bench.audit_workers {' '.join(sys.argv[1:])}` — "
        f"{os.cpu_count()} CPUs (shared), {args.clients} client threads on the same machine, "
        f"{args.seconds} s per run, `GET /api/v1/households/<id>` as {COUNSELOR} "
        "(one audit event each), gunicorn `--threads 1`.",
        "",
        "| database | audit sealed | workers | reads/s | failed | verify_audit |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['db']} | {MODES[row['mode']]} | {row['workers']} | {row['per_second']} "
            f"| {row['failed']} | {'passed' if row['verify_audit'] else 'FAILED'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--no-collectstatic", action="store_true", help="the static files are collected already"
    )
    args = parser.parse_args()
    rows = []
    for db in args.db or ["sqlite"]:
        prepare(db, fresh=False)
        if not args.no_collectstatic:
            # Once: the files gunicorn serves do not depend on the database.
            manage(server_env("sqlite://:memory:"), "collectstatic", "--no-input", "-v", "0")
        for mode in args.modes:
            for workers in args.workers:
                row = run_one(db, mode, workers, args)
                print(json.dumps(row), flush=True)
                rows.append(row)
    report = markdown(rows, args)
    print(report)
    if args.output:
        args.output.write_text(report)
    return 0 if all(row["verify_audit"] and row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
