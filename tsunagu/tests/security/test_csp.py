"""Content-Security-Policy: scripts and styles from this server only, with
neither 'unsafe-inline' nor 'unsafe-eval', on every kind of page; and no
markup that such a policy would block (inline scripts, <style> elements,
style attributes, on…= handlers, javascript: URLs). The browser tests
(tsunagu/tests/browser) also fail on any violation Chromium reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.assessments.printing import TEMPLATE as ASSESSMENT_SHEET
from tsunagu.consultations.printing import TEMPLATE as INTAKE_SHEET
from tsunagu.meetings.chronology import TEMPLATE as CHRONOLOGY
from tsunagu.meetings.printing import TEMPLATE as MINUTES
from tsunagu.plans.printing import TEMPLATE as PLAN_SHEET
from tsunagu.progress.printing import TEMPLATE as PROGRESS_SHEET
from tsunagu.tests.factories import Ward
from tsunagu.tests.security.conftest import Resident

#: Sheets rendered to PDF by WeasyPrint on the server (tsunagu/core/printing.py),
#: never served as HTML: their <style> is not subject to a browser's policy.
PDF_ONLY_TEMPLATES = {
    INTAKE_SHEET,
    MINUTES,
    PLAN_SHEET,
    PROGRESS_SHEET,
    ASSESSMENT_SHEET,
    CHRONOLOGY,
}

UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*"}

#: Markup a strict policy blocks, with what it is.
BLOCKED_MARKUP = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
        "inline script",
    ),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "htmx inline handler (needs eval)"),
]


def directives(header: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


def assert_strict(header: str, where: str) -> None:
    policy = directives(header)
    assert policy.get("default-src") == ["'self'"], where
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy["default-src"])
        assert sources == ["'self'"], f"{where}: {directive} {sources}"
    for directive in ("script-src-elem", "script-src-attr", "style-src-elem", "style-src-attr"):
        assert not UNSAFE & set(policy.get(directive, [])), f"{where}: {directive}"
    assert policy.get("object-src") == ["'none'"], where
    assert policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where


def assert_no_blocked_markup(body: str, where: str) -> None:
    for pattern, what in BLOCKED_MARKUP:
        match = pattern.search(body)
        assert match is None, (
            f"{where}: {what}: {body[max(0, match.start() - 80) : match.end() + 80]}"
        )


def _pages(resident: Resident) -> list[tuple[Role | None, str]]:
    household, person = resident.household.pk, resident.person.pk
    return [
        (None, "/login/"),
        (Role.COUNSELOR, "/"),
        (Role.COUNSELOR, "/people/search/"),
        (Role.COUNSELOR, f"/people/households/{household}/"),
        (Role.COUNSELOR, f"/people/persons/{person}/"),
        (Role.COUNSELOR, "/referrals/"),
        (Role.COUNSELOR, "/consultations/new/"),
        (Role.COUNSELOR, "/account/"),
        (Role.COUNSELOR, "/reports/"),
        (Role.COORDINATOR, "/cases/"),
        (Role.SYSADMIN, "/account/staff/"),
        (Role.SYSADMIN, "/account/security/"),
        (Role.SYSADMIN, "/directory/organizations/"),
        (Role.AUDITOR, "/audit/"),
        (Role.COUNSELOR, "/api/v1/docs"),
        (Role.COUNSELOR, "/no-such-page/"),
        (Role.COUNSELOR, "/people/households/999999/"),
    ]


@pytest.mark.django_db
def test_every_kind_of_page_has_a_strict_policy_and_no_inline_code(resident: Resident) -> None:
    checked = 0
    for role, path in _pages(resident):
        client = Client()
        if role is not None:
            client.force_login(resident.ward.member(role))
        response = client.get(path)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        where = f"{role} {path} ({response.status_code})"
        assert "Content-Security-Policy" in response.headers, where
        assert "Content-Security-Policy-Report-Only" not in response.headers, where
        assert_strict(response.headers["Content-Security-Policy"], where)
        assert_no_blocked_markup(response.content.decode(), where)
        checked += 1
    assert checked == len(_pages(resident))


@pytest.mark.django_db
def test_htmx_answers_and_error_pages_carry_the_policy(resident: Resident, settings) -> None:
    client = Client()
    client.force_login(resident.ward.member(Role.COUNSELOR))
    response = client.post(
        "/people/search/", {"q": resident.person.family_name}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert resident.person.family_name in response.content.decode()
    assert_strict(response.headers["Content-Security-Policy"], "search results (htmx)")
    assert_no_blocked_markup(response.content.decode(), "search results (htmx)")

    forbidden = client.get("/account/security/")
    assert forbidden.status_code == 403
    assert_strict(forbidden.headers["Content-Security-Policy"], "403")
    assert_no_blocked_markup(forbidden.content.decode(), "403")


def test_the_product_policy_allows_nothing_inline() -> None:
    import tsunagu.settings as product

    policy = product.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "style-src"):
        assert [str(s) for s in policy[directive]] == ["'self'"], directive
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in vars(product)


def test_no_template_holds_markup_the_policy_blocks() -> None:
    root = Path(settings.BASE_DIR) / "tsunagu"
    templates = list(root.rglob("templates/**/*.html"))
    assert len(templates) > 50
    names = {p.as_posix().split("/templates/", 1)[1]: p for p in templates}
    assert set(names) >= PDF_ONLY_TEMPLATES  # the exceptions exist, under these names
    offending = []
    for name, path in sorted(names.items()):
        if name in PDF_ONLY_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in BLOCKED_MARKUP:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offending.append(f"{name}:{line}: {what}")
    assert not offending, "\n".join(offending)


@pytest.mark.django_db
def test_the_printed_sheets_are_pdf_not_html(resident: Resident, ward: Ward) -> None:
    """The exception above holds: the print routes answer PDF (or refuse), never HTML."""
    from tsunagu.tests import resident_factories as rf

    counselor = ward.member(Role.COUNSELOR)
    consultation = rf.consultation(counselor, ward.center, household=resident.household)
    client = Client()
    client.force_login(counselor)
    response = client.get(f"/consultations/{consultation.pk}/print/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
