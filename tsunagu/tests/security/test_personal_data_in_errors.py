"""No personal data in logs or error pages, even when a page that handled a
person fails: a 500 is forced after the person was loaded (with DEBUG off), and
neither the page nor anything logged — every level of every logger, as the
test's log capture and as the product's console handler write it — holds the
person's name, reading, birth date, address or phone, nor the values of the
query string or the POST body. A 404 for another municipality's household
leaks nothing of it either."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.core.logfilters import PersonalDataFilter
from tsunagu.people import selectors
from tsunagu.tests.factories import Ward
from tsunagu.tests.security.conftest import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the product's console handler (settings.LOGGING) writes."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, PersonalDataFilter) for f in handler.filters)
    ]
    assert len(handlers) == 1, "settings.LOGGING: one console handler with the filter"
    handler = handlers[0]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root: every logger that propagates
    for name in ("django", "django.request", "django.security", "tsunagu"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _careless(resident: Resident, original: Any) -> Any:
    """The selector, made to fail after loading the person, with an error whose
    message quotes every identifying value (as a careless error message would)."""

    def failing(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise ValueError("could not show " + " / ".join(resident.secrets().values()))

    return failing


def _logged(caplog: pytest.LogCaptureFixture, console: io.StringIO) -> str:
    records = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {vars(r)}"
        for r in caplog.records
    )
    return "\n".join([caplog.text, records, console.getvalue()])


def _assert_nothing_of(resident: Resident, text: str, *more: str, where: str) -> None:
    for label, value in resident.secrets().items():
        assert value not in text, f"{where}: the {label} ({value})"
    for value in more:
        assert value not in text, f"{where}: {value}"


def without_tokens(body: str) -> str:
    """A page without its CSRF token, which is masked afresh on every response."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body)


def _assert_generic_500(response: Any) -> None:
    assert response.status_code == 500
    body = response.content.decode()
    assert "システムエラーが発生しました" in body
    assert "Traceback" not in body and "ValueError" not in body


def test_a_failing_household_page_leaks_nothing(
    resident: Resident,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    every_log: pytest.LogCaptureFixture,
    console: io.StringIO,
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr(selectors, "household_view", _careless(resident, selectors.household_view))
    client = Client(raise_request_exception=False)
    client.force_login(resident.ward.member(Role.COUNSELOR))
    query_value = "問い合わせ元の榊原さん"
    response = client.get(f"/people/households/{resident.household.pk}/", {"from": query_value})

    _assert_generic_500(response)
    _assert_nothing_of(resident, response.content.decode(), query_value, where="500 page")
    logged = _logged(every_log, console)
    # The failure is logged, with where it happened (the path, the code) ...
    assert f"Internal Server Error: /people/households/{resident.household.pk}/" in logged
    assert "builtins.ValueError" in logged and "household_detail" in logged
    # ... and nothing of the person, nor of the query string.
    _assert_nothing_of(resident, logged, query_value, where="logs")


def test_a_failing_search_leaks_neither_the_person_nor_what_was_typed(
    resident: Resident,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    every_log: pytest.LogCaptureFixture,
    console: io.StringIO,
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr(
        selectors, "openable_households", _careless(resident, selectors.openable_households)
    )
    client = Client(raise_request_exception=False)
    client.force_login(resident.ward.member(Role.COUNSELOR))
    typed = "榊原 澪子 1947-11-23"
    response = client.post("/people/search/", {"q": typed}, HTTP_HX_REQUEST="true")

    _assert_generic_500(response)
    _assert_nothing_of(resident, response.content.decode(), typed, where="500 page")
    logged = _logged(every_log, console)
    assert "Internal Server Error: /people/search/" in logged
    _assert_nothing_of(resident, logged, typed, where="logs")


def test_a_failing_api_answer_leaks_nothing(
    resident: Resident,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    every_log: pytest.LogCaptureFixture,
    console: io.StringIO,
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr(selectors, "household_view", _careless(resident, selectors.household_view))
    client = Client(raise_request_exception=False)
    client.force_login(resident.ward.member(Role.COUNSELOR))
    response = client.get(f"/api/v1/households/{resident.household.pk}")
    assert response.status_code == 500
    _assert_nothing_of(resident, response.content.decode("unicode_escape"), where="API 500")
    _assert_nothing_of(resident, _logged(every_log, console), where="logs")


def test_the_filter_also_drops_the_request_a_handler_could_print(
    resident: Resident, settings: Any, monkeypatch: pytest.MonkeyPatch, every_log: Any
) -> None:
    """Django attaches the request (with its POST body) to error records, and
    its AdminEmailHandler prints it: no record keeps it."""
    settings.DEBUG = False
    monkeypatch.setattr(
        selectors, "openable_households", _careless(resident, selectors.openable_households)
    )
    client = Client(raise_request_exception=False)
    client.force_login(resident.ward.member(Role.COUNSELOR))
    client.post("/people/search/", {"q": resident.person.family_name})
    errors = [r for r in every_log.records if r.name == "django.request"]
    assert errors and all(not hasattr(r, "request") for r in errors)
    assert all(r.exc_info is None and r.exc_text for r in errors)


def test_another_municipality_s_household_is_a_plain_404(
    resident: Resident,
    other_ward: Ward,
    settings: Any,
    every_log: pytest.LogCaptureFixture,
    console: io.StringIO,
) -> None:
    settings.DEBUG = False
    outsider = other_ward.member(Role.COUNSELOR)
    client = Client()
    client.force_login(outsider)
    response = client.get(f"/people/households/{resident.household.pk}/")
    missing = client.get("/people/households/99999999/")
    assert response.status_code == missing.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    # Missing and forbidden look alike (apart from the id in the address).
    assert without_tokens(body) == without_tokens(missing.content.decode())
    _assert_nothing_of(resident, body, resident.household.number, where="404 page")
    _assert_nothing_of(
        resident, _logged(every_log, console), resident.household.number, where="logs"
    )

    api = client.get(f"/api/v1/households/{resident.household.pk}")
    assert api.status_code == 404
    assert api.json() == client.get("/api/v1/households/99999999").json()


def test_the_500_page_is_japanese_and_generic(settings: Any, ward: Ward, monkeypatch: Any) -> None:
    """Whatever failed: the same page, with no detail of the error or the request."""
    settings.DEBUG = False
    from tsunagu.web import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("内部の詳細")

    monkeypatch.setattr(views, "_my_work", broken)
    client = Client(raise_request_exception=False)
    client.force_login(ward.member(Role.COUNSELOR))
    response = client.get("/", {"q": "検索語"})
    _assert_generic_500(response)
    body = response.content.decode()
    assert "内部の詳細" not in body and "検索語" not in body
    assert '<html lang="ja">' in body
