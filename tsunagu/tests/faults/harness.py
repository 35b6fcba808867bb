"""What the fault tests drive: the app as a real server process (see
``appserver.py``), a small HTTP client that signs in as a browser does, and a
throwaway PostgreSQL cluster that a test may stop and start again."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from django.utils import timezone

from tsunagu.tests.factories import PASSWORD
from tsunagu.tests.faults.appserver import INTAKE_FAMILY_NAME

REPO = Path(__file__).resolve().parents[3]
SERVER = "tsunagu.tests.faults.appserver"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """The server's environment: production settings but for the test key,
    hasher and schema creation (``settings_faults``); never DEBUG."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TSUNAGU_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tsunagu.tests.faults.settings_faults",
        TSUNAGU_VAR_DIR=str(var_dir),
        PYTHONPATH=str(REPO),
    )
    return env


def intake_form(center: int) -> dict[str, Any]:
    """A consultation about a new person at the window: the person, their
    household, the consultation and an audit event for each, in one transaction."""
    received = timezone.localtime() - timedelta(hours=1)
    return {
        "organization": center,
        "received_on": received.date().isoformat(),
        "received_time": received.strftime("%H:%M"),
        "channel": "window",
        "consulter": "family",
        "consulter_note": "長女",
        "subject_mode": "new",
        "person-family_name": INTAKE_FAMILY_NAME,
        "person-given_name": "一郎",
        "person-sex": "male",
        "person-birth_date": "昭和20年5月1日",
        "person-address": "テスト区北1-2-3",
        "topics": ["care", "health"],
        "main_topic": "care",
        "life_issues": ["care"],
        "summary": "長女から、父の介護について相談。",
        "urgency": "normal",
        "consent_to_share": "obtained",
        "outcome": "continue_here",
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """A browser without a screen: cookies, the CSRF token of each form, no redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects()
        )

    def request(
        self, path: str, data: dict[str, Any] | None = None, timeout: float = 30
    ) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as answer:
            return Response(answer.code, dict(answer.headers), answer.read().decode())

    def get(self, path: str) -> Response:
        return self.request(path)

    def form_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (page.status, page.text[:500])
        match = CSRF_FIELD.search(page.text)
        assert match, page.text[:500]
        return match.group(1)

    def post_form(self, path: str, data: dict[str, Any], timeout: float = 30) -> Response:
        """Open the form at ``path`` (for its token), then send ``data`` to it."""
        token = self.form_token(path)
        return self.request(path, {"csrfmiddlewaretoken": token, **data}, timeout=timeout)

    def sign_in(self, username: str) -> None:
        answer = self.post_form("/login/", {"username": username, "password": PASSWORD})
        assert answer.status == 302, (answer.status, answer.text[:1000])


@dataclass
class AppServer:
    """``appserver.py`` in a subprocess, with its output in ``log``."""

    env: dict[str, str]
    log: Path
    extra: list[str] = field(default_factory=list)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> AppServer:
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", SERVER, str(self.port), *self.extra],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer,  # noqa: S310
            ):
                if answer.status == 200:
                    return self
            time.sleep(0.2)
        raise AssertionError("the app server did not start:\n" + self.log.read_text()[-3000:])

    def inspect(self) -> dict[str, Any]:
        """The intake's rows and the audit chain's verification, as the server reads them now."""
        with urllib.request.urlopen(self.url + "/__faults__/inspect", timeout=60) as answer:  # noqa: S310
            return dict(json.loads(answer.read()))

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no commit; what a power cut leaves."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- A throwaway PostgreSQL cluster ---------------------------------------------------


def postgres_bin() -> Path | None:
    preferred = Path("/usr/lib/postgresql/15/bin")
    candidates = [preferred, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1:port."""

    bin: Path
    base: Path
    port: int
    as_postgres: bool
    databases: int = 0

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_postgres:
            # initdb refuses to run as root; the cluster belongs to the postgres user.
            command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]
        return subprocess.run(  # noqa: S603 (fixed commands of the PostgreSQL binaries)
            command, capture_output=True, text=True, timeout=timeout, check=False
        )

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), *args)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.base / "server.log")
        done = self.pg_ctl("-l", log, "-o", options, "-w", "-t", "120", "start")
        assert done.returncode == 0, done.stdout + done.stderr + self.server_log()

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: the postmaster and its backends quit at once, as in a crash."""
        done = self.pg_ctl("-m", mode, "-w", "-t", "120", "stop")
        assert done.returncode == 0, done.stdout + done.stderr

    def running(self) -> bool:
        return self.pg_ctl("status").returncode == 0

    def create_database(self) -> str:
        """A new empty database (UTF-8) and the ``DATABASE_URL`` that names it."""
        self.databases += 1
        name = f"tsunagu{self.databases}"
        created = self.run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "tsunagu",
            name,
        )
        assert created.returncode == 0, created.stderr
        return f"postgres://tsunagu@127.0.0.1:{self.port}/{name}"

    def server_log(self) -> str:
        path = self.base / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
