"""What every printed sheet shares: dates as printed (和暦), and rendering
self-contained HTML to PDF without reaching outside.

Nothing is fetched while rendering: the HTML and CSS are one template, fonts
come from the machine's fontconfig (Noto Sans CJK JP, package
``fonts-noto-cjk``), and the URL fetcher refuses every URL but inline
``data:`` ones.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from tsunagu.core.dates import local_date
from tsunagu.core.wareki import format_wareki, format_wareki_month

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

#: The only URL scheme the renderer may open: inline data, which needs no I/O.
ALLOWED_URL_SCHEMES = frozenset({"data"})


def wareki_or_western(day: datetime.date | None) -> str:
    """和暦 of a date, or of a datetime's local date (a task's ``done_at``); a
    date before 明治6年 (refused on input, but a sheet must still print a
    record kept from before) falls back to the western form."""
    if day is None:
        return ""
    day = local_date(day)
    try:
        return format_wareki(day)
    except ValueError:
        return f"{day.year}年{day.month}月{day.day}日"


def wareki_month_or_western(year: int, month: int) -> str:
    """「令和7年4月」; a month before 明治6年 (a record kept from before the
    range was checked on input) falls back to the western form."""
    try:
        return format_wareki_month(year, month)
    except ValueError:
        return f"{year}年{month}月"


def wareki_datetime(moment: datetime.datetime) -> str:
    try:
        local = timezone.localtime(moment)
    except OverflowError:  # (a year 9999 kept from before the range was checked)
        local = moment
    return f"{wareki_or_western(local.date())} {local:%H:%M}"


def local_only_url_fetcher() -> URLFetcher:
    """A WeasyPrint fetcher that opens inline ``data:`` URLs and refuses the
    rest (http, https, ftp, file): a printed sheet never reaches outside,
    nor reads files of the server."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(timeout=1, allowed_protocols=ALLOWED_URL_SCHEMES, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained sheet to PDF bytes."""
    # WeasyPrint is imported here: it loads Pango and fontconfig, which only printing needs.
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=local_only_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
