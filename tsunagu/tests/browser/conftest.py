"""Browser fixtures: Debian's Chromium driven through Playwright's sync API.

Every page opened through these fixtures records the URL of each request it
makes and each console message, so that a test can assert that the app stays
on its own server and breaks none of its Content Security Policy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told that it is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError


def _one_request_at_a_time() -> None:
    """The live server answers each browser connection in its own thread, and
    with the tests' in-memory SQLite every thread shares one connection: a
    request that opens a savepoint while another is still reading fails with
    "cannot open savepoint - SQL statements in progress" (seen when a form was
    sent while the page's duplicate check was in flight). Production runs one
    connection per thread; here Django's handler takes a lock instead. Only the
    live server calls WSGIHandler (the test client has its own handler)."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler

    if getattr(WSGIHandler, "_serialized_for_browser_tests", False):
        return
    lock = threading.Lock()
    call = WSGIHandler.__call__

    def serialized(self: WSGIHandler, environ: Any, start_response: Any) -> Any:
        with lock:
            return call(self, environ, start_response)

    WSGIHandler.__call__ = serialized  # type: ignore[method-assign]
    WSGIHandler._serialized_for_browser_tests = True  # type: ignore[attr-defined]


_one_request_at_a_time()

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URLs that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


@dataclass
class PageRecord:
    """What one page did: the URLs it requested and what it wrote to the console."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    page_errors: list[str] = field(default_factory=list)


def staff_url(live_server: Any) -> str:
    """The live server at the staff host: ``localhost`` is the public host of
    オンライン相談 in the tests (settings_test.TSUNAGU_PUBLIC_LOCAL_HOST), so
    staff pages are opened at 127.0.0.1 (the same server)."""
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


def public_url(live_server: Any) -> str:
    """The live server at the public host (the /consult/ pages)."""
    return live_server.url.replace("://127.0.0.1:", "://localhost:")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is not installed at {CHROMIUM}: the browser tests need it "
            "(Playwright's own browser download is not used). Run `make test`, which "
            "installs it, or `apt-get install chromium`.",
            pytrace=False,
        )
    try:
        browser = playwright_instance.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
    except PlaywrightError as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    yield browser
    browser.close()


@pytest.fixture(scope="session", autouse=True)
def _sudachi_loaded() -> None:
    """The live server runs in this process: its first ふりがな suggestion would
    load Sudachi's dictionary while a test waits on the page, which on a busy
    two-CPU machine took longer than the test's wait. Loaded once per worker,
    before its first browser test."""
    from tsunagu.people.readings import suggest_reading

    assert suggest_reading("高橋") == "たかはし"


@pytest.fixture
def page_records() -> dict[Page, PageRecord]:
    """The records of every page opened in this test."""
    return {}


@pytest.fixture
def open_page(
    browser: Browser, live_server: Any, page_records: dict[Page, PageRecord]
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (own cookies), Japanese locale.

    Keyword arguments go to ``browser.new_context`` (e.g. ``viewport``).
    """
    contexts = []

    def _open(**context_options: Any) -> Page:
        options = {"locale": "ja-JP", "base_url": staff_url(live_server), **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        record = PageRecord()
        page_records[page] = record

        def on_request(request: Request) -> None:
            record.requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            record.console.append((message.type, message.text))

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", lambda error: record.page_errors.append(str(error)))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A page in a new context for this test (locale ja-JP, desktop size)."""
    return open_page()


@pytest.fixture
def assert_clean(live_server: Any, page_records: dict[Page, PageRecord]) -> Callable[[], None]:
    """Returns a check, to call at the end of a test, that every page opened
    in the test (a) requested nothing from a host other than the live server
    and (b) logged no Content Security Policy violation to the console."""
    # The same server at its staff host and at its public host.
    origins = {
        (parts.scheme, parts.hostname, parts.port)
        for parts in (urlsplit(staff_url(live_server)), urlsplit(public_url(live_server)))
    }

    def _check() -> None:
        external: list[str] = []
        violations: list[str] = []
        for record in page_records.values():
            for url in record.requests:
                parts = urlsplit(url)
                if parts.scheme in LOCAL_SCHEMES:
                    continue
                if (parts.scheme, parts.hostname, parts.port) not in origins:
                    external.append(url)
            violations += [
                text
                for kind, text in record.console
                if kind == "error" and "content security policy" in text.lower()
            ]
        assert not external, f"requests to hosts other than {live_server.url}: {external}"
        assert not violations, f"Content Security Policy violations: {violations}"

    return _check
