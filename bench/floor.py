"""Fixed-concurrency floor: each working page against the sign-in page.

Eight connections ask for one page as fast as the server answers, for 20
seconds; then the next page. The sign-in page is the floor: it passes through
the same server, middleware and template engine but reads no personal data,
so ``floor ÷ page`` (the sign-in page's requests per second over the page's)
says how many times heavier than the framework's own cost a page is.

Steps:

1. Unless ``--url`` names a running server: prepare the demo ward's database
   (as ``bench/load/run.py`` does, and reusing its copy), start gunicorn on
   loopback as ``make demo`` runs it (2 workers × 4 threads, DEBUG off).
2. Sign in once as a counselor of the demo ward (with the demo authenticator's
   code where the role needs a second factor) and find a household the
   counselor may open (the first of a search).
3. For the sign-in page (anonymous), home, the household page, person search
   (the API's ``GET /api/v1/persons?q=``), the referral inbox and the case
   list: ``--connections`` threads, each with its own connection (httpx,
   keep-alive) and the signed-in session's cookie, for ``--seconds``.
4. Print requests/s, p50, p95 and ``floor ÷ page``; write
   ``bench/results/floor-<db>.json`` and ``.md``, with the load average
   (the machine may be shared: it says how much else was running).

Usage::

    python -m bench.floor [--db sqlite|postgresql] [--seconds 20] [--connections 8]
        [--url http://127.0.0.1:8000] [--username demo-soudan]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.load import DEMO_KEY, PASSWORD
from bench.load import run as load

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
#: A surname many households of the demo ward have: the search's word.
SEARCH_WORD = "佐藤"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOUSEHOLD_LINK = re.compile(r'href="/people/households/(\d+)/"')


@dataclass
class Target:
    name: str
    path: str
    #: Text the answer must hold (a page that answers 200 with something else fails).
    must: str
    signed_in: bool = True


def targets(household: int) -> list[Target]:
    return [
        Target("sign-in page (floor)", "/login/", 'name="username"', signed_in=False),
        Target("home", "/", "<h1>ホーム</h1>"),
        Target("household page", f"/people/households/{household}/", "household-overview"),
        Target("person search (API)", f"/api/v1/persons?q={SEARCH_WORD}", '"items"'),
        Target("referral inbox", "/referrals/", "<h1>つなぐシート"),
        Target("case list", "/cases/", "<h1>多機関協働ケース</h1>"),
    ]


# ---------------------------------------------------------------------------
# Signing in.


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in(base: str, username: str) -> httpx.Cookies:
    """The cookies of a session signed in as ``username`` (with the demo
    authenticator's code when the role needs it)."""
    from django_otp.oath import totp

    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/login/").text
        answer = client.post(
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_of(page)},
            headers={"Referer": f"{base}/login/", "Origin": base},
        )
        home = client.get("/")
        if home.status_code == 302 or "/two-factor/" in str(answer.headers.get("location", "")):
            path = "/two-factor/verify/"
            page = client.get(path).text
            token = f"{totp(DEMO_KEY, step=30, digits=6):06d}"
            client.post(
                path,
                data={"token": token, "csrfmiddlewaretoken": csrf_of(page)},
                headers={"Referer": f"{base}{path}", "Origin": base},
            )
            home = client.get("/")
        if home.status_code != 200 or "<h1>ホーム</h1>" not in home.text:
            raise RuntimeError(f"could not sign in as {username}: home answered {home.status_code}")
        return client.cookies


def a_household(base: str, cookies: httpx.Cookies) -> int:
    """The first household the search for SEARCH_WORD offers the counselor."""
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
        page = client.get("/people/search/").text
        found = client.post(
            "/people/search/",
            data={"q": SEARCH_WORD, "csrfmiddlewaretoken": csrf_of(page)},
            headers={"Referer": f"{base}/people/search/", "Origin": base, "HX-Request": "true"},
        )
        households = HOUSEHOLD_LINK.findall(found.text)
        if not households:
            raise RuntimeError(f"the search for {SEARCH_WORD} offers no household")
        return int(households[0])


# ---------------------------------------------------------------------------
# The measurement.


def hammer(
    base: str, target: Target, cookies: httpx.Cookies | None, connections: int, seconds: float
) -> dict[str, Any]:
    """``connections`` threads asking for ``target`` for ``seconds``: latencies and failures."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(connections + 1)
    go = threading.Event()
    window: dict[str, float] = {}

    def work() -> None:
        mine: list[float] = []
        wrong: list[str] = []
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            client.get(target.path)  # the connection opened, not timed
            ready.wait()
            go.wait()
            while time.monotonic() < window["stop"]:
                began = time.perf_counter()
                try:
                    answer = client.get(target.path)
                    ok = answer.status_code == 200 and target.must in answer.text
                    problem = "" if ok else f"status {answer.status_code}"
                except httpx.HTTPError as error:
                    problem = type(error).__name__
                mine.append((time.perf_counter() - began) * 1000)
                if problem:
                    wrong.append(problem)
        with lock:
            times.extend(mine)
            failures.extend(wrong)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.monotonic()
    window["stop"] = began + seconds
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "failures": len(failures),
        "failure_kinds": sorted(set(failures)),
        "elapsed_s": round(elapsed, 1),
        "per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(load.percentile(ordered, 0.50), 1),
        "p95_ms": round(load.percentile(ordered, 0.95), 1),
    }


def measure(base: str, args: argparse.Namespace) -> dict[str, Any]:
    cookies = sign_in(base, args.username)
    household = a_household(base, cookies)
    pages: dict[str, Any] = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    for target in targets(household):
        load.log(f"  {target.name} ({target.path}) …")
        figures = hammer(
            base, target, cookies if target.signed_in else None, args.connections, args.seconds
        )
        figures["path"] = target.path
        figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        pages[target.name] = figures
    floor = next(iter(pages.values()))
    for figures in pages.values():
        figures["floor_ratio"] = (
            round(floor["per_s"] / figures["per_s"], 1) if figures["per_s"] else None
        )
    return {"pages": pages, "household": household, "load_average_before": load_before}


def serve_and_measure(args: argparse.Namespace) -> dict[str, Any]:
    """Start gunicorn on a copy of the demo ward's database, measure, stop it."""
    load.prepare(args.db, fresh=False)
    url = load.working_copy(args.db)
    env = load.server_env(url)
    load.manage(env, "collectstatic", "--no-input", "-v", "0")
    port = load.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "tsunagu.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(load.WORKERS), "--threads", str(load.THREADS),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        load.wait_until_up(base)
        load.log(f"gunicorn on {base} ({load.WORKERS} workers × {load.THREADS} threads)")
        result = measure(base, args)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        load.remove_copy(args.db)
    result["server"] = shlex.join(["gunicorn", *command[3:]])
    return result


# ---------------------------------------------------------------------------
# The report.


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# Fixed-concurrency floor — {r['database']}",
        "",
        f"`{r['command']}`, {r['date']}, on {r['machine']['cpus']} CPUs "
        f"({r['machine']['platform']}, Python {r['machine']['python']}); code {r['code']['commit']}"
        + (
            f" with uncommitted changes to {', '.join(r['code']['uncommitted'])}"
            if r["code"]["uncommitted"]
            else ""
        )
        + ".",
        "",
        f"- Server: `{r['server']}` (DEBUG off), the demo ward; signed in as `{r['username']}` "
        f"(a counselor); household page: household {r['household']}; search word "
        f"{SEARCH_WORD}.",
        f"- {r['connections']} concurrent connections (httpx, keep-alive, one thread each) for "
        f"{r['seconds']} s per page, one page after the other.",
        f"- Load average (1, 5, 15 min) before: {r['load_average_before']}; after each page in "
        "the table. The machine may be shared with other work: compare ratios measured in "
        "the same run, not absolute numbers across runs.",
        "",
        "| page | requests | failures | per s | p50 ms | p95 ms | floor ÷ page | load after |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, p in r["pages"].items():
        lines.append(
            f"| {name} | {p['requests']:,} | {p['failures']} | {p['per_s']} | {p['p50_ms']} | "
            f"{p['p95_ms']} | {p['floor_ratio']} | {p['load_average_after']} |"
        )
    lines += [
        "",
        "`floor ÷ page` is the sign-in page's requests per second over the page's: how many "
        "times heavier than the framework's own cost (server, middleware, template) a page is. "
        "See `bench/README.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--url", help="a running server (default: start one on the demo ward)")
    parser.add_argument("--username", default="demo-soudan", help="a counselor of the demo ward")
    args = parser.parse_args(argv)

    code = load.code_version()
    if args.url:
        result = measure(args.url.rstrip("/"), args)
        result["server"] = args.url
    else:
        result = serve_and_measure(args)
    result |= {
        "database": args.db if not args.url else f"{args.db} (as named; server at {args.url})",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench.floor", *(argv or sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "httpx": httpx.__version__,
        },
        "code": code,
        "username": args.username,
        "connections": args.connections,
        "seconds": args.seconds,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"floor-{args.db}"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (RESULTS / f"{stem}.md").write_text(markdown(result), encoding="utf-8")
    for name, p in result["pages"].items():
        load.log(
            f"{name:24} {p['per_s']:8.1f}/s  p50 {p['p50_ms']:7.1f} ms  p95 {p['p95_ms']:7.1f} ms"
            f"  floor ÷ page {p['floor_ratio']}  failures {p['failures']}"
        )
    load.log(f"→ bench/results/{stem}.md")
    failed = sum(p["failures"] for p in result["pages"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
