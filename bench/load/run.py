"""Load test: gunicorn on loopback, simulated staff of the demo ward, then the two checkers.

Steps, for one database (``--db sqlite`` or ``--db postgresql``):

1. Prepare the database once: migrate and ``load_demo`` into ``var/load.sqlite3``
   or the PostgreSQL database ``tsunagu_load`` (kept and reused; ``--fresh``
   prepares it again). Each run works on a copy of it (``var/load-run.sqlite3``,
   database ``tsunagu_load_run``), so that every run starts from the same data;
   the copy is removed afterwards unless ``--keep``.
2. Start gunicorn on 127.0.0.1 (a free port) as production runs it:
   ``tsunagu.wsgi``, DEBUG off, static files collected and served by WhiteNoise.
3. Run Locust headless with ``bench/load/locustfile.py``.
4. Stop gunicorn and run ``manage.py verify_audit`` and ``manage.py check_grants`` on the same database.
5. Write ``bench/results/load-<db>.json`` and ``.md``; exit 1 unless there
   were no failures, no server errors, and verify_audit and check_grants passed.

Usage::

    python -m bench.load.run --db sqlite|postgresql [--users 50] [--minutes 5]
        [--spawn-rate 10] [--data demo] [--fresh] [--keep]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load import ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "load"
SQLITE_PREPARED = ROOT / "var" / "load.sqlite3"
SQLITE_RUN = ROOT / "var" / "load-run.sqlite3"
POSTGRES = "postgres://tsunagu_ci:tsunagu_ci@127.0.0.1:5432/{}"
POSTGRES_PREPARED, POSTGRES_RUN = "tsunagu_load", "tsunagu_load_run"
#: gunicorn: one worker process per core, so that Python's GIL does not
#: serialize the two cores; a few threads per worker, so that a request
#: waiting on the database (PostgreSQL's socket, SQLite's write lock) does not
#: hold up the next one. The same as ``make demo``.
WORKERS, THREADS = 2, 4
THINK_TIME = "1–5 s between actions (Locust between(1, 5)); inside an action, pauses as a person types: intake 10–20 s, a new person's name 3–6 s, an outreach record 5–10 s, a referral 3–8 s, reading a list 1–3 s"
#: What the database holds, before and after (the writes must have landed).
COUNTED = {
    "households": "people_household",
    "persons": "people_person",
    "consultations": "consultations_consultation",
    "referral events": "referrals_referralevent",
    "outreach contacts": "outreach_outreachcontact",
    "audit events": "audit_auditevent",
}


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------
# The database.


def server_env(url: str) -> dict[str, str]:
    """Production settings: DEBUG off, a secret key, loopback host names.
    TSUNAGU_HTTPS stays off: the server answers plain HTTP on loopback (with
    it on, cookies would be Secure and Django would redirect to https)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TSUNAGU_DEBUG", "TSUNAGU_HTTPS")}
    env |= {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tsunagu.settings",
        "TSUNAGU_SECRET_KEY": env.get("TSUNAGU_SECRET_KEY") or secrets.token_urlsafe(50),
        "TSUNAGU_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The residents write to the public consultation page at localhost
        # (the public host), the staff work at 127.0.0.1: two hosts, two cookie jars.
        "TSUNAGU_PUBLIC_LOCAL_HOST": "localhost",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this checkout's manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def postgres_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES.format("postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def postgres_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(POSTGRES.format("postgres")) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def prepare(db: str, fresh: bool) -> None:
    """Migrate and load the demo ward into the prepared database (once)."""
    if db == "sqlite":
        url = f"sqlite:///{SQLITE_PREPARED}"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PREPARED}{suffix}").unlink(missing_ok=True)
        present = SQLITE_PREPARED.exists()
    else:
        url = POSTGRES.format(POSTGRES_PREPARED)
        if fresh:
            postgres_admin(f"DROP DATABASE IF EXISTS {POSTGRES_PREPARED} WITH (FORCE)")
        present = postgres_exists(POSTGRES_PREPARED)
        if not present:
            postgres_admin(
                f"CREATE DATABASE {POSTGRES_PREPARED} OWNER tsunagu_ci ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            )
    env = server_env(url)
    log(("Reusing" if present else "Preparing") + f" the {db} database (migrate, load_demo) …")
    started = time.perf_counter()
    manage(env, "migrate", "--no-input", "-v", "0")
    loaded = manage(env, "load_demo")
    if "デモ区はすでに作成されています" not in loaded.stdout:
        log(f"  loaded the demo ward in {time.perf_counter() - started:.0f} s")
    if db == "sqlite":
        # A clean file to copy: the write-ahead log folded into the database.
        with sqlite3.connect(SQLITE_PREPARED) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def working_copy(db: str) -> str:
    """A copy of the prepared database for this run; its URL."""
    if db == "sqlite":
        remove_copy(db)
        with sqlite3.connect(SQLITE_PREPARED) as source, sqlite3.connect(SQLITE_RUN) as target:
            source.backup(target)
        return f"sqlite:///{SQLITE_RUN}"
    postgres_admin(
        f"DROP DATABASE IF EXISTS {POSTGRES_RUN} WITH (FORCE)",
        f"CREATE DATABASE {POSTGRES_RUN} OWNER tsunagu_ci TEMPLATE {POSTGRES_PREPARED}",
    )
    return POSTGRES.format(POSTGRES_RUN)


def remove_copy(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_RUN}{suffix}").unlink(missing_ok=True)
    else:
        postgres_admin(f"DROP DATABASE IF EXISTS {POSTGRES_RUN} WITH (FORCE)")


CHECK_SCRIPT = """
import json
from django.db import connection
from tsunagu.accounts.models import Staff
from tsunagu.accounts.selectors import has_confirmed_totp, two_factor_required
from tsunagu.core.tenancy import tenant_context
accounts, counted = %r, %r
found = {s.username: s for s in Staff.all_tenants.filter(username__in=accounts)}
out = {"missing": sorted(set(accounts) - set(found)), "two_factor": [], "counts": {}}
for name, staff in sorted(found.items()):
    with tenant_context(staff.municipality):
        # The demo's authenticator (published key) is typed by the locustfile;
        # an account that needs a second factor without one cannot sign in.
        if not staff.is_active or (two_factor_required(staff) and not has_confirmed_totp(staff)):
            out["two_factor"].append(name)
with connection.cursor() as cursor:
    for label, table in counted.items():
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        out["counts"][label] = cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        out["version"] = "SQLite " + connection.Database.sqlite_version
    else:
        cursor.execute("SHOW server_version")
        out["version"] = "PostgreSQL " + cursor.fetchone()[0].split()[0]
print(json.dumps(out))
"""


def inspect_database(env: dict[str, str]) -> dict[str, Any]:
    """The accounts the scenario signs in with (present, able to sign in: a second factor
    only with the demo authenticator) and row counts."""
    done = manage(env, "shell", "-c", CHECK_SCRIPT % (ACCOUNTS, COUNTED))
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# The server and the load.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, seconds: float = 60) -> None:
    """Until the server answers; then a few sign-in pages, so that both workers
    have loaded the application (a server in service is warm), not timed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        raise RuntimeError(f"gunicorn did not answer on {url} within {seconds:.0f} s")
    for _ in range(8):
        with urllib.request.urlopen(f"{url}/login/", timeout=30) as answer:  # noqa: S310 - loopback
            answer.read()


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def tree_cpu_seconds(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return math.nan
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class PostgresCpu(threading.Thread):
    """CPU seconds of the PostgreSQL processes during the run (every database:
    other work counts too), sampled each second so that backends ending during
    the run (gunicorn reconnects after CONN_MAX_AGE) still count."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.baseline = self.sample()
        self.last = dict(self.baseline)

    @staticmethod
    def sample() -> dict[tuple[int, float], float]:
        import psutil

        seen = {}
        for process in psutil.process_iter(["name", "create_time", "cpu_times"]):
            times = process.info["cpu_times"]
            if process.info["name"] in ("postgres", "postmaster") and times is not None:
                seen[(process.pid, process.info["create_time"])] = times.user + times.system
        return seen

    def run(self) -> None:
        while not self.done.wait(1):
            self.last |= self.sample()

    def seconds(self) -> float:
        self.done.set()
        self.join()
        self.last |= self.sample()
        return sum(self.last.values()) - sum(self.baseline.values())


def run_load(db: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = server_env(url)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn_cmd = [
        sys.executable, "-m", "gunicorn", "tsunagu.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--error-logfile", str((work / "gunicorn.log").relative_to(ROOT)),
    ]  # fmt: skip
    locust_cmd = [
        sys.executable, "-m", "locust", "-f", "bench/load/locustfile.py", "--headless",
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{round(args.minutes * 60)}s",
        "--stop-timeout", "30", "--host", host, "--csv", str((work / "locust").relative_to(ROOT)),
        "--only-summary",
    ]  # fmt: skip
    (work / "gunicorn.log").unlink(missing_ok=True)
    server = subprocess.Popen(gunicorn_cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    result: dict[str, Any] = {}
    try:
        wait_until_up(host)
        log(f"gunicorn on {host} ({args.workers} workers × {args.threads} threads); Locust …")
        result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
        busy_before, total_before = cpu_busy()
        server_cpu_before = tree_cpu_seconds(server.pid)
        postgres = PostgresCpu() if db == "postgresql" else None
        if postgres:
            postgres.start()
        began = time.time()
        with open(work / "locust.log", "w") as output:
            locust = subprocess.Popen(  # noqa: S603 - commands built above
                locust_cmd,
                cwd=ROOT,
                env=os.environ | {"LOAD_SAMPLES": str(work / "samples.json")},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            _pid, status, usage = os.wait4(locust.pid, 0)
            locust.returncode = os.waitstatus_to_exitcode(status)
        ended = time.time()
        busy_after, total_after = cpu_busy()
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        cpus = os.cpu_count() or 1
        elapsed = ended - began
        result["cpu"] = {
            "machine_busy_percent": round(
                100 * (busy_after - busy_before) / max(total_after - total_before, 1), 1
            ),
            "gunicorn_seconds": round(tree_cpu_seconds(server.pid) - server_cpu_before, 1),
            "locust_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "postgres_seconds": round(postgres.seconds(), 1) if postgres else None,
            "available_seconds": round(elapsed * cpus, 1),
        }
        result["locust_exit_code"] = locust.returncode
        result["started_at"] = datetime.fromtimestamp(began, UTC).isoformat(timespec="seconds")
        result["elapsed_s"] = round(elapsed, 1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    result["gunicorn_command"] = shlex.join(["gunicorn", *gunicorn_cmd[3:]])
    result["locust_command"] = shlex.join(["locust", *locust_cmd[3:]])
    return result


# ---------------------------------------------------------------------------
# Figures.


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(times: list[float], failures: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "failures": failures,
        "per_s": round(len(ordered) / seconds, 2) if seconds else None,
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1) if ordered else None,
    }


def server_errors(log_file: Path) -> list[str]:
    """gunicorn's error log: each request that failed on the server (a traceback)."""
    if not log_file.exists():
        return []
    lines = log_file.read_text(errors="replace").splitlines()
    errors = []
    for index, line in enumerate(lines):
        if "[ERROR]" in line or "[CRITICAL]" in line:
            # The exception's last line says what it was.
            tail = next(
                (
                    later
                    for later in lines[index + 1 :]
                    if later and not later.startswith((" ", "Traceback", "The above", "During"))
                ),
                "",
            )
            errors.append(f"{line.split('] ', 3)[-1]}: {tail}"[:300])
    return errors


def summarize(samples_file: Path, elapsed_s: float) -> dict[str, Any]:
    data = json.loads(samples_file.read_text()) if samples_file.exists() else {}
    samples: dict[str, list[float]] = data.get("samples", {})
    failures: dict[str, dict[str, int]] = data.get("failures", {})
    kinds = {
        name: figures(times, sum(failures.get(name, {}).values()), elapsed_s)
        for name, times in sorted(samples.items(), key=lambda item: -len(item[1]))
    }
    every = [t for times in samples.values() for t in times]
    total_failures = sum(sum(by.values()) for by in failures.values())
    return {
        "overall": figures(every, total_failures, elapsed_s),
        "by_kind": kinds,
        "failures": {name: dict(by) for name, by in failures.items()},
    }


def write_results(result: dict[str, Any], db: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"load-{db}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (RESULTS / f"load-{db}.md").write_text(markdown(result), encoding="utf-8")


def markdown(r: dict[str, Any]) -> str:
    o = r["requests"]["overall"]
    cpu = r["cpu"]
    verdict = "PASSED" if r["passed"] else "FAILED"
    lines = [
        f"# Load test — {r['database']} ({verdict})",
        "",
        f"`{r['command']}`, {r['date']}, on {r['machine']['cpus']} CPUs "
        f"({r['machine']['platform']}, Python {r['machine']['python']}).",
        "",
        f"- **{r['users']} simulated users for {r['minutes']} min: 20 residents on the public "
        f"consultation page (host localhost, each from its own loopback address, 15–40 s between "
        f"actions) and {r['users'] - 20} staff** (spawned {r['spawn_rate']}/s), "
        f"think time {r['think_time']}.",
        f"- Server: `{r['gunicorn_command']}` (DEBUG off, `tsunagu.wsgi`, WhiteNoise static files).",
        f"- Load: `{r['locust_command']}`.",
        f"- Code: commit {r['code']['commit']}"
        + (
            f", with uncommitted changes to {', '.join(r['code']['uncommitted'])}"
            if r["code"]["uncommitted"]
            else ""
        )
        + ".",
        f"- Data: the demo ward ({r['database_version']}); before → after the run: "
        + ", ".join(f"{k} {v:,} → {r['rows_after'][k]:,}" for k, v in r["rows_before"].items())
        + ".",
        "",
        f"**{o['requests']:,} requests, {o['failures']} failures, {o['per_s']} requests/s; "
        f"p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms, p99 {o['p99_ms']} ms** "
        f"(over {r['elapsed_s']} s, ramp-up and the users' last actions included).",
        "",
        f"- Server errors in gunicorn's log: {len(r['server_errors'])}.",
        f"- verify_audit afterwards: {'passed' if r['verify_audit']['passed'] else 'FAILED'} — "
        f"{r['verify_audit']['output']}",
        f"- check_grants afterwards: "
        f"{'passed' if r.get('check_grants', {}).get('passed') else 'FAILED'} — "
        f"{r.get('check_grants', {}).get('output', '')}",
        f"- Load average (1, 5, 15 min) before {r['load_average_before']}, after "
        f"{r['load_average_after']}; the machine's CPUs were {cpu['machine_busy_percent']} % busy "
        f"(gunicorn {cpu['gunicorn_seconds']} CPU·s, Locust {cpu['locust_seconds']} CPU·s"
        + (
            f", PostgreSQL {cpu['postgres_seconds']} CPU·s"
            if cpu["postgres_seconds"] is not None
            else ""
        )
        + f" of {cpu['available_seconds']}; the rest is other work on the machine).",
        "",
        "| request | n | failures | per s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, k in [*r["requests"]["by_kind"].items(), ("**all**", o)]:
        lines.append(
            f"| {name} | {k['requests']:,} | {k['failures']} | {k['per_s']} | {k['p50_ms']} | "
            f"{k['p95_ms']} | {k['p99_ms']} | {k['max_ms']} |"
        )
    if r["requests"]["failures"] or r["server_errors"]:
        lines += ["", "## Failures", ""]
        for name, by in r["requests"]["failures"].items():
            for message, count in by.items():
                lines.append(f"- {name}: {message} (×{count})")
        for error in r["server_errors"][:20]:
            lines.append(f"- server: {error}")
    lines += [
        "",
        "Times are as the simulated browser saw them (loopback, Locust on the same machine), "
        "exact percentiles over every request. A failure is any answer other than the expected "
        "status, or a page without what it must show (its heading, the signed-in user, the "
        "message after a write). See `bench/load/README.md`.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------


def code_version() -> dict[str, Any]:
    """The commit, and the files changed in the working tree (others may be at work)."""

    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - fixed read-only git commands
            ["git", *args],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "uncommitted": [path for path in changed if not path.startswith("bench/")],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--data", choices=["demo"], default="demo", help="the demo ward")
    parser.add_argument("--fresh", action="store_true", help="prepare the database again")
    parser.add_argument("--keep", action="store_true", help="keep this run's database copy")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)

    work = WORK / args.db
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("*"):
        stale.unlink()
    if not (ROOT / "tsunagu" / "static" / "vendor" / "htmx.min.js").exists():
        log("htmx is missing from tsunagu/static/vendor: run `make static` first.")
        return 2
    prepare(args.db, args.fresh)
    code = code_version()  # as gunicorn loads it
    url = working_copy(args.db)
    try:
        env = server_env(url)
        before = inspect_database(env)
        if before["missing"] or before["two_factor"]:
            log(
                f"Accounts missing {before['missing']} or unable to sign in {before['two_factor']}."
            )
            return 2
        run = run_load(args.db, url, args, work)
        after = inspect_database(env)
        # What the sealer service (seal_audit --loop) would have sealed by now:
        # a seal skipped at the run's last commits is not a broken chain.
        manage(env, "seal_audit")
        log("verify_audit …")
        verified = manage(env, "verify_audit", check=False)
        log("check_grants …")
        granted = manage(env, "check_grants", check=False)
    finally:
        if not args.keep:
            remove_copy(args.db)
    requests = summarize(work / "samples.json", run["elapsed_s"])
    errors = server_errors(work / "gunicorn.log")
    verify_output = (verified.stdout + verified.stderr).strip()
    grants_output = (granted.stdout + granted.stderr).strip()
    import gunicorn
    import locust

    result = {
        "database": args.db,
        "database_version": before["version"],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench.load.run", *(argv or sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "locust": locust.__version__,
            "gunicorn": gunicorn.__version__,
        },
        "code": code,
        "users": args.users,
        "minutes": args.minutes,
        "spawn_rate": args.spawn_rate,
        "think_time": THINK_TIME,
        "rows_before": before["counts"],
        "rows_after": after["counts"],
        **run,
        "requests": requests,
        "server_errors": errors,
        "verify_audit": {
            "passed": verified.returncode == 0,
            "exit_code": verified.returncode,
            "output": verify_output.splitlines()[-1] if verify_output else "",
        },
        "check_grants": {
            "passed": granted.returncode == 0,
            "exit_code": granted.returncode,
            "output": grants_output.splitlines()[-1] if grants_output else "",
        },
    }
    result["passed"] = (
        requests["overall"]["requests"] > 0
        and requests["overall"]["failures"] == 0
        and not errors
        and verified.returncode == 0
        and granted.returncode == 0
    )
    write_results(result, args.db)
    o = requests["overall"]
    log(
        f"{args.db}: {o['requests']} requests, {o['failures']} failures, {o['per_s']}/s, "
        f"p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms; server errors {len(errors)}; "
        f"verify_audit {'passed' if verified.returncode == 0 else 'FAILED'}, "
        f"check_grants {'passed' if granted.returncode == 0 else 'FAILED'} "
        f"→ bench/results/load-{args.db}.md"
    )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
